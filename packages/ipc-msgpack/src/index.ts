export type {
  Channel,
  ConnectOptions,
  Host,
  IpcHostStats,
  IpcStore,
  ServeOptions,
} from '@statewire/ipc';
export { connect, serve } from './msgpack-transport.js';
