export { type BackoffOptions, backoffDelay } from './backoff.js';
export { closeConnectionsOnDisconnect } from './close-on-disconnect.js';
export { ClusterError, ClusterErrorCode, type ClusterErrorCodeName } from './errors.js';
export { exitFatal, FATAL_EXIT_CODE, type FatalMessage, isFatalMessage } from './fatal.js';
export { supervise } from './supervise.js';
export type {
  Logger,
  ReadyOn,
  SuperviseOptions,
  Supervisor,
  SupervisorEvents,
} from './types.js';
