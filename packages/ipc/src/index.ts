export type { Channel, ClusterWorkerLike } from './channel.js';
export {
  type CarriedMessage,
  type CarrierKind,
  type FrameWrapping,
  plainFrames,
} from './frame-wrapping.js';
export type { IpcEndpoint } from './ipc-endpoint-link.js';
export {
  type ConnectOptions,
  connectWith,
  type Host,
  type IpcHostStats,
  type IpcStore,
  type IpcTransportDefinition,
  type ServeOptions,
  serveWith,
} from './ipc-transport.js';
export { connect, serve } from './json-transport.js';
export type { PortEndpoint } from './port-link.js';
