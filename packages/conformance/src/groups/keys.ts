import type { Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import {
  awkwardKeys,
  type KeySample,
  keysAtLimit,
  keysOverLimit,
  loneSurrogateKeys,
  nonStringKeys,
  prototypeKeys,
} from '../key-samples.js';
import { BATCH_COMPANION_KEY, keyMethods, type MethodCase } from '../methods.js';
import { resolveOptions } from '../options.js';
import { snapshotPrototypes } from '../prototypes.js';
import { show } from '../strict-equal.js';

const sorted = (keys: readonly string[]) => [...keys].sort();

async function expectKeysRejected(
  kit: Kit,
  s: Store,
  method: MethodCase,
  samples: readonly KeySample[],
  code: 'INVALID_KEY' | 'TOO_LARGE',
): Promise<void> {
  for (const sample of samples) {
    await kit.rejects(
      `${method.name}() with ${sample.name} as the key`,
      () => method.invoke(s, sample.key),
      code,
    );
  }
  // Nothing was written: not the bad key, nor the valid key of a batch (all entries are
  // checked before any is applied).
  kit.expect(await s.keys(), 'keys() after the rejected calls').toEqual([]);
  kit.expect(await s.has(BATCH_COMPANION_KEY)).toBe(false);
}

/**
 * The key rules, identical on every store (RELIABILITY C17–C22): non-strings, the empty
 * string and lone surrogates are `INVALID_KEY`, keys over `maxKeyBytes` UTF-8 bytes are
 * `TOO_LARGE` (exactly at the limit is fine), for every key-taking method, always as a
 * rejection and never a synchronous throw. Prototype-named and awkward keys are ordinary
 * keys that round-trip exactly, stay distinct, and pollute nothing.
 */
export const describeKeyRules: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const { maxKeyBytes } = expectedCapabilities;
  describe('keys', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    for (const method of keyMethods) {
      test(`${method.name}() rejects non-string keys with INVALID_KEY, never throwing`, async (kit) => {
        await expectKeysRejected(kit, await kit.store(), method, nonStringKeys(), 'INVALID_KEY');
      });

      test(`${method.name}() rejects the empty string with INVALID_KEY`, async (kit) => {
        const samples = [{ name: 'the empty string', key: '' }];
        await expectKeysRejected(kit, await kit.store(), method, samples, 'INVALID_KEY');
      });

      test(`${method.name}() rejects keys with lone surrogates with INVALID_KEY`, async (kit) => {
        await expectKeysRejected(kit, await kit.store(), method, loneSurrogateKeys, 'INVALID_KEY');
      });

      test(`${method.name}() rejects keys over maxKeyBytes UTF-8 bytes with TOO_LARGE`, async (kit) => {
        const samples = keysOverLimit(maxKeyBytes);
        await expectKeysRejected(kit, await kit.store(), method, samples, 'TOO_LARGE');
      });

      test(`${method.name}() accepts keys of exactly maxKeyBytes UTF-8 bytes`, async (kit) => {
        const s = await kit.store();
        for (const sample of keysAtLimit(maxKeyBytes)) {
          await s.delete(sample.key as string);
          const outcome = await kit.attempt(`${method.name}()`, () => method.invoke(s, sample.key));
          kit
            .expect(
              outcome.kind,
              `${method.name}() with a key of ${maxKeyBytes} bytes of ${sample.name}`,
            )
            .toBe('resolved');
        }
      });
    }

    test('set() and get() round-trip keys of exactly maxKeyBytes UTF-8 bytes', async (kit) => {
      const s = await kit.store();
      const samples = keysAtLimit(maxKeyBytes);
      for (const [i, sample] of samples.entries()) {
        await s.set(sample.key as string, i);
      }
      for (const [i, sample] of samples.entries()) {
        kit.expect(await s.get(sample.key as string), sample.name).toBe(i);
      }
      kit
        .expect(sorted(await s.keys()))
        .toEqual(sorted(samples.map((sample) => sample.key as string)));
    });

    test('keys() rejects a non-string prefix with INVALID_KEY', async (kit) => {
      const s = await kit.store();
      for (const sample of nonStringKeys()) {
        if (sample.key === undefined) continue;
        await kit.rejects(
          `keys(${sample.name})`,
          () => s.keys(sample.key as string),
          'INVALID_KEY',
        );
      }
    });

    test('keys() rejects a prefix with a lone surrogate with INVALID_KEY', async (kit) => {
      const s = await kit.store();
      for (const sample of loneSurrogateKeys) {
        await kit.rejects(
          `keys(${sample.name})`,
          () => s.keys(sample.key as string),
          'INVALID_KEY',
        );
      }
    });

    test('get() and has() of missing prototype-named keys resolve undefined and false', async (kit) => {
      const s = await kit.store();
      for (const key of prototypeKeys) {
        kit.expect(await s.get(key), `get(${key})`).toBeUndefined();
        kit.expect(await s.has(key), `has(${key})`).toBe(false);
        kit.expect(await s.delete(key), `delete(${key})`).toBe(false);
      }
      kit
        .expect(await s.getMany([...prototypeKeys]))
        .toStrictEqual(prototypeKeys.map(() => undefined));
      kit.expect(await s.keys()).toEqual([]);
    });

    test('set() and get() round-trip prototype-named keys without polluting prototypes', async (kit) => {
      const s = await kit.store();
      const before = snapshotPrototypes();
      for (const [i, key] of prototypeKeys.entries()) {
        await s.set(key, { polluted: 'yes', i });
      }
      kit.expect(snapshotPrototypes(), 'a built-in prototype changed').toStrictEqual(before);
      kit.expect(({} as { polluted?: unknown }).polluted, '({}).polluted').toBeUndefined();
      for (const [i, key] of prototypeKeys.entries()) {
        kit.expect(await s.get(key), `get(${key})`).toStrictEqual({ polluted: 'yes', i });
        kit.expect(await s.has(key), `has(${key})`).toBe(true);
      }
      kit.expect(sorted(await s.keys())).toEqual(sorted(prototypeKeys));
      kit.expect(await s.get('polluted')).toBeUndefined();
      kit.expect(snapshotPrototypes(), 'a built-in prototype changed').toStrictEqual(before);
    });

    test('increment(), setIfAbsent() and setMany() treat prototype-named keys as ordinary keys', async (kit) => {
      const s = await kit.store();
      const before = snapshotPrototypes();
      for (const key of prototypeKeys) {
        kit.expect(await s.increment(key), `increment(${key})`).toBe(1);
      }
      await s.clear();
      for (const key of prototypeKeys) {
        kit.expect(await s.setIfAbsent(key, key), `setIfAbsent(${key})`).toBe(true);
      }
      kit.expect(await s.getMany([...prototypeKeys])).toStrictEqual([...prototypeKeys]);
      kit.expect(await s.deleteMany([...prototypeKeys])).toBe(prototypeKeys.length);
      await s.setMany(prototypeKeys.map((key) => ({ key, value: [key] })));
      kit
        .expect(await s.getMany([...prototypeKeys]))
        .toStrictEqual(prototypeKeys.map((key) => [key]));
      kit.expect(snapshotPrototypes(), 'a built-in prototype changed').toStrictEqual(before);
    });

    test('set() and get() round-trip awkward keys exactly and keep them distinct', async (kit) => {
      const s = await kit.store();
      const samples = awkwardKeys(maxKeyBytes);
      const keys = samples.map((sample) => sample.key as string);
      kit.expect(new Set(keys).size, 'the samples are distinct').toBe(keys.length);
      for (const [i, key] of keys.entries()) await s.set(key, i);
      for (const [i, sample] of samples.entries()) {
        kit.expect(await s.get(sample.key as string), sample.name).toBe(i);
      }
      kit.expect(await s.getMany(keys)).toStrictEqual(keys.map((_, i) => i));
      kit.expect(sorted(await s.keys())).toEqual(sorted(keys));
      kit.expect(await s.deleteMany(keys)).toBe(keys.length);
    });

    test('keys(prefix) matches awkward prefixes literally, not as patterns', async (kit) => {
      const s = await kit.store();
      const stored = [
        '*x',
        'ax',
        '?y',
        'by',
        '[a]z',
        'az',
        'a\\b',
        'ab',
        '.c',
        'xc',
        '%d',
        'e\u0301',
        'é',
      ];
      for (const key of stored) await s.set(key, 1);
      const expectations: [string, string[]][] = [
        ['*', ['*x']],
        ['?', ['?y']],
        ['[', ['[a]z']],
        ['[a]', ['[a]z']],
        ['a\\', ['a\\b']],
        ['.', ['.c']],
        ['%', ['%d']],
        ['e', ['e\u0301']],
        ['é', ['é']],
      ];
      for (const [prefix, expected] of expectations) {
        kit.expect(sorted(await s.keys(prefix)), `keys(${show(prefix)})`).toEqual(expected);
      }
    });
  });
};
