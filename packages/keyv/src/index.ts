export { createKeyvStore, type KeyvEntry, KeyvStatewireStore } from './keyv-store.js';
export {
  DEFAULT_MAX_BATCH_KEYS,
  type KeyvStoreOptions,
  type OpenStore,
} from './options.js';
