// Each entry point of the published @statewire/core, imported the way its audience imports
// it: an application (`@statewire/core`), a transport author (`/transport`), a test
// (`/testing`) and an application storing binary or structured values (`/msgpack`).
import { createMemoryStore } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import { serveLoopback } from '@statewire/core/testing';
import { defineCapabilities } from '@statewire/core/transport';
import { expect, it } from 'vitest';

it('@statewire/core: an application counts in a memory store', async () => {
  const store = createMemoryStore<{ hits: number }>();
  expect(await store.increment('hits')).toBe(1);
  expect(await store.get('hits')).toBe(1);
  await store.close();
});

it('@statewire/core/transport: a transport declares its capabilities', () => {
  const capabilities = defineCapabilities({ ttl: true, shared: true });
  expect(capabilities).toMatchObject({ ttl: true, shared: true, binary: false });
  expect(Object.isFrozen(capabilities)).toBe(true);
});

it('@statewire/core/testing: a store talks to a host over an in-memory loopback', async () => {
  const host = serveLoopback();
  const store = host.connect<{ greeting: string }>();
  await store.set('greeting', 'hello');
  expect(await store.get('greeting')).toBe('hello');
  await store.close();
  host.close();
});

it('@statewire/core/msgpack: a Date survives the msgpack codec', async () => {
  const store = createMemoryStore<{ when: Date }>({ codec: msgpackCodec });
  await store.set('when', new Date(0));
  expect(await store.get('when')).toEqual(new Date(0));
  await store.close();
});
