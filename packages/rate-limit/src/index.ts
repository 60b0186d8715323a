export { type FixedWindow, fixedWindow } from './fixed-window.js';
export type { RateLimitStoreOptions } from './options.js';
export { createRateLimitStore, StatewireRateLimitStore } from './rate-limit-store.js';
