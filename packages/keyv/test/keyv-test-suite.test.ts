import {
  keyvApiTests,
  keyvIteratorTests,
  keyvNamespaceTest,
  keyvValueTests,
} from '@keyv/test-suite';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { createKeyvStore } from '../src/index.js';
import { useTransports } from './support/transports.js';

// Keyv's own compliance suite, every group that tests a storage adapter (its compression
// group runs on a Map and tests the compressor only), on every transport.
for (const transport of useTransports()) {
  vitest.describe(`@keyv/test-suite on ${transport.name}`, () => {
    // The suite builds a new Keyv and adapter in nearly every test; the adapters share the
    // stores of one transport instead of opening clients without end.
    const store = () => createKeyvStore({ open: transport.open, closeOnDisconnect: false });
    keyvApiTests(vitest, Keyv, store);
    keyvValueTests(vitest, Keyv, store);
    keyvNamespaceTest(vitest, Keyv, store);
    keyvIteratorTests(vitest, Keyv, store);
  });
}
