export { createPortLink } from './port-link.js';
export * from './serve-in-worker-thread.js';
