import { describe, it } from 'vitest';
import { NotSettledError, settlesWithin } from '../src/index.js';

describe('settlesWithin()', () => {
  it('settlesWithin() resolves like a promise that settles in time', async ({ expect }) => {
    await expect(settlesWithin(Promise.resolve(7), 1000)).resolves.toBe(7);
  });

  it('settlesWithin() rejects like a promise that rejects in time', async ({ expect }) => {
    const error = new Error('no');
    await expect(settlesWithin(Promise.reject(error), 1000)).rejects.toBe(error);
  });

  it('settlesWithin() rejects NotSettledError for a promise that never settles', async ({
    expect,
  }) => {
    const never = new Promise<never>(() => {});
    const error = await settlesWithin(never, 20, 'get()').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotSettledError);
    expect((error as Error).message).toBe('get() did not settle within 20 ms');
  });
});
