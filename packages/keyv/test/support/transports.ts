import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, jsonCodec, type Store } from '@statewire/core';
import { MemoryBackend } from '@statewire/core/transport';
import { createRedisStore } from '@statewire/redis';
import { afterAll, beforeAll, inject } from 'vitest';
import type { OpenStore } from '../../src/index.js';

const holderScript = fileURLToPath(new URL('../fixtures/holder.mjs', import.meta.url));

/** A place statewire stores live in, as the tests reach it. */
export interface Transport {
  readonly name: string;
  /**
   * The store of `namespace` (inside this file's own namespace root), opened once and
   * shared by every adapter that asks, as an application shares its stores.
   */
  readonly open: OpenStore;
  /** Closes every store opened so far. */
  closeAll(): Promise<void>;
}

/**
 * Registers the transports the adapter is tested on: the in-process memory store, the
 * JSON and msgpack IPC transports across a real process boundary (a forked holder), and a
 * real redis-server. Each gets a namespace root of its own, and its stores are closed
 * (and the holders killed) after the file.
 */
export function useTransports(): Transport[] {
  const root = `keyv-${randomUUID()}`;
  const children: ChildProcess[] = [];
  const transports: Transport[] = [];

  const transport = (name: string, create: (namespace: string) => Store): Transport => {
    const opened = new Map<string, Store>();
    const t: Transport = {
      name,
      open: (namespace) => {
        let store = opened.get(namespace);
        if (store === undefined) {
          store = create(`${root}:${namespace}`);
          opened.set(namespace, store);
        }
        return store;
      },
      closeAll: async () => {
        const stores = [...opened.values()];
        opened.clear();
        await Promise.all(stores.map((store) => store.close()));
      },
    };
    transports.push(t);
    return t;
  };

  const backend = new MemoryBackend({ codec: jsonCodec });
  transport('memory', (namespace) => createMemoryStore({ backend, namespace }));
  for (const entry of ['@statewire/ipc', '@statewire/ipc-msgpack']) {
    let child: ChildProcess | undefined;
    let connect: ((options: { channel: unknown; namespace: string }) => Store) | undefined;
    beforeAll(async () => {
      ({ connect } = await import(entry));
      child = fork(holderScript, [entry], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child?.once('message', () => resolve());
        child?.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
    });
    transport(`${entry.slice('@statewire/'.length)} (forked holder)`, (namespace) => {
      if (!connect || !child) throw new Error('the holder is not running yet');
      return connect({ channel: child, namespace });
    });
  }
  transport('redis', (namespace) => createRedisStore({ url: inject('redisUrl'), namespace }));

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.closeAll()));
    for (const child of children) child.kill('SIGKILL');
  });
  return transports;
}
