#!/usr/bin/env node
// Throughput of @statewire/redis against raw ioredis, on a throwaway redis-server.
//
//   node bench/compare.mjs [--rounds 5] [--seconds 2] [--procs 2] [--inflight 64]
//
// Each round runs every contender once, in a rotated order (interleaved, so that machine
// noise hits all of them alike): `procs` child processes, each keeping `inflight` calls in
// flight, half get and half set of a small object on 1000 keys (raw ioredis serialises it
// with JSON, statewire with its default msgpack codec), for `seconds`. Prints the
// median ops/s of each contender and statewire's ratio to the better raw ioredis.
// A plain script, not a test: it measures, it asserts nothing. Needs `npx tsc -b` first.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const CONTENDERS = ['statewire', 'ioredis', 'ioredis-autopipelining'];
const KEYS = 1000;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    procs: { type: 'string', default: '2' },
    inflight: { type: 'string', default: '64' },
    child: { type: 'string' },
    url: { type: 'string' },
  },
});

if (args.child) await child(args.child, args.url, Number(args.inflight));
else await main();

async function makeClient(contender, url) {
  if (contender === 'statewire') {
    const { createRedisStore } = await import('../dist/index.js');
    const store = createRedisStore({ url, namespace: 'bench' });
    return {
      get: (i) => store.get(`k${i}`),
      set: (i) => store.set(`k${i}`, { n: i, name: 'small value' }),
      close: () => store.close(),
    };
  }
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    enableAutoPipelining: contender === 'ioredis-autopipelining',
  });
  // What an application does with raw ioredis: serialise the same small object per call.
  return {
    get: async (i) => {
      const text = await client.get(`raw:k${i}`);
      return text === null ? undefined : JSON.parse(text);
    },
    set: (i) => client.set(`raw:k${i}`, JSON.stringify({ n: i, name: 'small value' })),
    close: async () => client.quit(),
  };
}

async function child(contender, url, inflight) {
  const client = await makeClient(contender, url);
  for (let i = 0; i < KEYS; i++) await client.set(i);
  let running = false;
  let ops = 0;
  let errors = 0;
  const loop = async (slot) => {
    let i = slot;
    while (running) {
      i = (i + 7919) % KEYS;
      try {
        await (i % 2 ? client.get(i) : client.set(i));
        ops++;
      } catch {
        errors++;
      }
    }
  };
  process.on('message', async (message) => {
    if (message.go) {
      running = true;
      const loops = Array.from({ length: inflight }, (_, slot) => loop(slot));
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, message.go));
      const counted = ops;
      const elapsed = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      running = false;
      await Promise.all(loops);
      await client.close();
      process.send({
        ops: counted,
        seconds: elapsed / 1000,
        cpuMicros: cpu.user + cpu.system,
        errors,
      });
      process.disconnect();
    }
  });
  process.send({ ready: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'statewire-bench-'));
  const server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const { Redis } = await import('ioredis');
  const probe = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: () => 50 });
  await probe.ping();
  probe.disconnect();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runRound(contender, url, procs, inflight, seconds) {
  const children = Array.from({ length: procs }, () =>
    fork(new URL(import.meta.url).pathname, [
      '--child',
      contender,
      '--url',
      url,
      '--inflight',
      String(inflight),
    ]),
  );
  const reports = children.map(
    (proc) =>
      new Promise((resolve, reject) => {
        proc.on('error', reject);
        proc.on('message', (message) => {
          if (message.ops !== undefined) resolve(message);
        });
      }),
  );
  await Promise.all(
    children.map((proc) => new Promise((resolve) => proc.once('message', resolve))),
  );
  for (const proc of children) proc.send({ go: seconds * 1000 });
  const results = await Promise.all(reports);
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  const cpuPerOp = results.reduce((sum, r) => sum + r.cpuMicros, 0) / ops;
  return { opsPerSecond: results.reduce((sum, r) => sum + r.ops / r.seconds, 0), cpuPerOp, errors };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const rounds = Number(args.rounds);
  const seconds = Number(args.seconds);
  const procs = Number(args.procs);
  const inflight = Number(args.inflight);
  const redis = await startRedis();
  const samples = Object.fromEntries(CONTENDERS.map((name) => [name, []]));
  const cpuSamples = Object.fromEntries(CONTENDERS.map((name) => [name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]);
      for (const contender of order) {
        const { opsPerSecond, cpuPerOp, errors } = await runRound(
          contender,
          redis.url,
          procs,
          inflight,
          seconds,
        );
        samples[contender].push(opsPerSecond);
        cpuSamples[contender].push(cpuPerOp);
        console.log(
          `round ${round + 1} ${contender.padEnd(24)} ${Math.round(opsPerSecond).toString().padStart(8)} ops/s ${cpuPerOp.toFixed(1).padStart(6)} µs CPU/op${errors ? ` (${errors} errors)` : ''}`,
        );
      }
    }
  } finally {
    redis.stop();
  }
  const medians = Object.fromEntries(CONTENDERS.map((name) => [name, median(samples[name])]));
  console.log(
    `\n${procs} processes × ${inflight} in flight, small get/set, median of ${rounds} rounds:`,
  );
  for (const name of CONTENDERS) {
    console.log(
      `  ${name.padEnd(24)} ${Math.round(medians[name])} ops/s, ${median(cpuSamples[name]).toFixed(1)} µs client CPU/op`,
    );
  }
  const best = Math.max(medians.ioredis, medians['ioredis-autopipelining']);
  console.log(`  statewire / best raw ioredis = ${(medians.statewire / best).toFixed(2)}x`);
}
