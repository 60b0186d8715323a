import type { Link } from '@statewire/core/transport';
import type { FrameWrapping } from './frame-wrapping.js';
import { createIpcEndpointLink, type IpcEndpoint } from './ipc-endpoint-link.js';
import { createPortLink, type PortEndpoint } from './port-link.js';

/**
 * Anything statewire can talk over: a Node IPC endpoint (`process`, a `ChildProcess`, a
 * cluster `Worker`) or a message port (`parentPort`, a `worker_threads` `Worker`, a
 * `MessagePort`).
 */
export type Channel = IpcEndpoint | PortEndpoint | ClusterWorkerLike;

/** A cluster `Worker`: its `process` is the IPC endpoint. */
export interface ClusterWorkerLike {
  readonly id: number;
  readonly process: IpcEndpoint & { readonly pid?: number | undefined };
}

function isClusterWorker(channel: object): channel is ClusterWorkerLike {
  return 'process' in channel && typeof (channel as { id?: unknown }).id === 'number';
}

/** Whether `channel` is a message port (worker_threads) rather than a Node IPC endpoint. */
export function isPort(channel: object): channel is PortEndpoint {
  return typeof (channel as { postMessage?: unknown }).postMessage === 'function';
}

function describe(channel: object): string {
  if (isClusterWorker(channel)) return `cluster worker ${channel.id}`;
  const threadId = (channel as { threadId?: unknown }).threadId;
  if (typeof threadId === 'number') return `worker thread ${threadId}`;
  const pid = (channel as { pid?: unknown }).pid;
  if (typeof pid === 'number') return channel === process ? 'process IPC' : `child process ${pid}`;
  return isPort(channel) ? 'message port' : 'IPC channel';
}

/**
 * Makes the {@link Link} for a channel.
 * @throws TypeError when `channel` is neither an IPC endpoint nor a message port
 */
export function linkFor(channel: Channel, frames: FrameWrapping): Link {
  if (typeof channel !== 'object' || channel === null)
    throw new TypeError('channel must be a process, child process, worker or message port');
  const label = describe(channel);
  if (isClusterWorker(channel)) return createIpcEndpointLink(channel.process, label, frames);
  if (isPort(channel)) return createPortLink(channel, label, frames);
  if (typeof (channel as { on?: unknown }).on === 'function')
    return createIpcEndpointLink(channel, label, frames);
  throw new TypeError('channel must be a process, child process, worker or message port');
}
