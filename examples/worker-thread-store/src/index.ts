export { createPortLink } from './port-link.js';
export {
  serveInWorkerThread,
  type WorkerThreadHost,
  type WorkerThreadHostOptions,
  type WorkerThreadStoreOptions,
} from './serve-in-worker-thread.js';
