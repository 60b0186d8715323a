import { expect, it } from 'vitest';
import { serveLoopback } from '../src/testing.js';

it('get() on a disconnected store rejects on a later turn, so a retry loop cannot starve I/O', async () => {
  const host = serveLoopback();
  const store = host.connect();
  await store.set('k', 1);
  store.pair.disconnect();
  await expect(store.get('k')).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  let timerRan = false;
  setTimeout(() => {
    timerRan = true;
  }, 0);
  // Without yielding to the event loop, this loop would spin forever in microtasks.
  let rounds = 0;
  while (!timerRan && rounds < 1_000_000) {
    rounds++;
    await store.get('k').catch((error: { message: string }) => {
      expect(error.message).toContain('get()');
    });
  }
  expect(timerRan).toBe(true);
  await store.close();
  host.close();
});
