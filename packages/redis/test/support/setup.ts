import { afterEach, expect } from 'vitest';
import { closeTrackedStores } from './stores.js';

// Every test also proves that nothing was left behind: no unhandled rejection and, for each
// store it made, no pending call or armed timer.
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  unhandled.push(reason);
});

afterEach(async () => {
  await closeTrackedStores();
  // Let rejections of this test surface before checking.
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled.splice(0), 'unhandled rejections').toEqual([]);
});
