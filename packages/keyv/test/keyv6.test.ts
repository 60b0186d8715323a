import {
  keyvApiTests,
  keyvIteratorTests,
  keyvNamespaceTest,
  keyvValueTests,
} from '@keyv/test-suite';
import * as vitest from 'vitest';
import { createKeyvStore } from '../src/index.js';
import { useTransports } from './support/transports.js';

// Keyv 6 needs Node >= 22.19: these run in the Node 24 run (scripts/test-node24.sh) and
// show as skipped on older Node. Keyv 6 wraps adapters of the 5.x shape in its
// KeyvBridgeAdapter, which hands namespaces to an adapter that has every storage method.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 19);
const Keyv6 = supported ? (await import('keyv6')).default : undefined;

// @keyv/test-suite 2.1 was written for Keyv 5, whose `delete([keys])` resolves one boolean;
// Keyv 6 resolves one per key (checked below). That one case is skipped, by name, visibly.
const keyv5Only = new Set(['.deleteMany([keys]) with nonexistent keys resolves to false']);
const suiteTest = {
  ...vitest,
  it: ((name: string, fn: () => unknown) =>
    keyv5Only.has(name) ? vitest.it.skip(name, fn) : vitest.it(name, fn)) as typeof vitest.it,
} as typeof vitest;

vitest.describe.skipIf(Keyv6 === undefined)('Keyv 6', () => {
  for (const transport of useTransports()) {
    vitest.describe(`@keyv/test-suite with Keyv 6 on ${transport.name}`, () => {
      const store = () => createKeyvStore({ open: transport.open, closeOnDisconnect: false });
      const Keyv = Keyv6 as never;
      keyvApiTests(suiteTest, Keyv, store);
      keyvValueTests(suiteTest, Keyv, store);
      keyvNamespaceTest(suiteTest, Keyv, store);
      keyvIteratorTests(suiteTest, Keyv, store);

      vitest.it('delete([keys]) of missing keys resolves false for each key (Keyv 6)', async () => {
        const keyv = new (
          Keyv6 as new (
            options: object,
          ) => {
            delete(keys: string[]): Promise<unknown>;
          }
        )({ store: store(), namespace: 'keyv6-delete' });
        vitest.expect(await keyv.delete(['nope', 'nada'])).toEqual([false, false]);
      });
    });
  }
});
