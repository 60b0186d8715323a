import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describeBoundedHolder, describeConformance } from '@statewire/conformance';
import type { Store } from '@statewire/core';
import { defineCapabilities } from '@statewire/core/transport';
import { afterAll, beforeAll } from 'vitest';
import type { TransportUnderTest } from './support.js';

const holderScript = fileURLToPath(new URL('../fixtures/conformance-holder.mjs', import.meta.url));

type Connect = (options: { channel: unknown; namespace: string }) => Store;

type Ready = { once(event: 'message', listener: (message: unknown) => void): unknown };
const ready = (target: Ready) =>
  new Promise<void>((resolve) => target.once('message', () => resolve()));

/**
 * The shared conformance suite on a transport, across a real process boundary (the test
 * process talks to a forked holder) and across a worker thread (a holder in a thread); and
 * its bounded-holder group on holders forked with `maxEntries` and `maxBytes`, one per test.
 */
export function conformanceScenarios(transport: TransportUnderTest): void {
  const capabilities = defineCapabilities({
    binary: transport.codec === 'msgpack',
    structured: transport.codec === 'msgpack',
    ttl: true,
    shared: true,
    atomic: true,
    versions: true,
  });
  let connect: Connect;
  let child: ReturnType<typeof fork> | undefined;
  let thread: Worker | undefined;

  beforeAll(async () => {
    ({ connect } = (await import(transport.entry)) as { connect: Connect });
    child = fork(holderScript, [transport.entry], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    thread = new Worker(holderScript, { workerData: { entry: transport.entry } });
    await Promise.all([ready(child), ready(thread)]);
  });
  const boundedHolders: ReturnType<typeof fork>[] = [];
  afterAll(async () => {
    child?.kill('SIGKILL');
    for (const holder of boundedHolders) holder.kill('SIGKILL');
    await thread?.terminate();
  });

  describeConformance(
    `${transport.name} across a process boundary (fork)`,
    ({ namespace }) => connect({ channel: child, namespace }),
    capabilities,
  );
  describeConformance(
    `${transport.name} across a worker thread`,
    ({ namespace }) => connect({ channel: thread, namespace }),
    capabilities,
  );
  describeBoundedHolder(async ({ namespace, maxEntries, maxBytes }) => {
    const holder = fork(holderScript, [transport.entry, JSON.stringify({ maxEntries, maxBytes })], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    boundedHolders.push(holder);
    await ready(holder);
    return connect({ channel: holder, namespace });
  }, capabilities);
}
