import { defineCapabilities } from '@statewire/core/transport';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness } from '../harness.js';
import { resolveOptions } from '../options.js';

/**
 * The capabilities manifest: a store declares exactly the capabilities its test expects,
 * as a frozen object. Every other group is gated on `expectedCapabilities`, so this group
 * is what ties the gates to the store; `describeConformance` runs it first. A difference is
 * reported here once, as a diff; the tests of every other group are then skipped with the
 * difference as their note, instead of failing on expectations meant for another store.
 */
export const describeManifest: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('capabilities', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved, {
      gateOnManifest: false,
    });

    test('capabilities equals the expected manifest', async ({ expect, store }) => {
      const s = await store();
      expect(
        { ...s.capabilities },
        'the store declares other capabilities than its test expects (- expected, + declared); until they match, the tests of every other group are skipped',
      ).toStrictEqual({ ...expectedCapabilities });
      // Every field core defines, and no other: the list follows the installed core.
      expect(Object.keys(s.capabilities).sort()).toEqual(
        Object.keys(defineCapabilities({})).sort(),
      );
    });

    test('capabilities is frozen', async ({ expect, store }) => {
      const s = await store();
      expect(Object.isFrozen(s.capabilities), 'store.capabilities must be frozen').toBe(true);
    });

    test('capabilities declares positive whole-number limits', async ({ expect, store }) => {
      const { maxKeyBytes, maxValueBytes, maxBatchKeys, maxReplyBytes } = (await store())
        .capabilities;
      expect(Number.isSafeInteger(maxKeyBytes) && maxKeyBytes > 0, 'maxKeyBytes').toBe(true);
      expect(Number.isSafeInteger(maxValueBytes) && maxValueBytes > 0, 'maxValueBytes').toBe(true);
      expect(Number.isSafeInteger(maxBatchKeys) && maxBatchKeys > 0, 'maxBatchKeys').toBe(true);
      expect(Number.isSafeInteger(maxReplyBytes) && maxReplyBytes > 0, 'maxReplyBytes').toBe(true);
    });

    test('capabilities is the same on every store of the factory', async (kit) => {
      const a = await kit.store();
      const b = await kit.store(kit.newNamespace());
      kit.expect({ ...b.capabilities }).toStrictEqual({ ...a.capabilities });
    });
  });
};
