export { type BackoffOptions, backoffDelay } from './backoff.js';
export { ClusterError, ClusterErrorCode, type ClusterErrorCodeName } from './errors.js';
export { supervise } from './supervise.js';
export type {
  Logger,
  ReadyOn,
  SuperviseOptions,
  Supervisor,
  SupervisorEvents,
} from './types.js';
