export type { SessionStoreOptions } from './options.js';
export { createSessionStore, StatewireSessionStore } from './session-store.js';
