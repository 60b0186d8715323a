import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { isMainThread, parentPort } from 'node:worker_threads';
import { ErrorCode, StateError, type Store, type ValueCodec } from '@statewire/core';
import {
  booleanOption,
  type ClientEngineStats,
  connectStore,
  ENGINE_DEFAULTS,
  HostEngine,
  type HostStats,
  MemoryBackend,
  type MemoryBackendOptions,
  type MemoryBackendStats,
  maxRequestFrameBytes,
  optionNames,
  optionsObject,
  positiveInteger,
  readTimeout,
  resolveHostOptions,
} from '@statewire/core/transport';
import { type Channel, isPort, linkFor } from './channel.js';
import { type FrameWrapping, plainFrames } from './frame-wrapping.js';
import { withSocketNegotiation } from './side-socket/host-negotiation.js';
import { createNegotiatingLink } from './side-socket/negotiating-link.js';
import { SideSocketServer } from './side-socket/socket-server.js';

// Side sockets are Unix domain sockets; elsewhere frames stay on the IPC channel.
const socketsAvailable = process.platform !== 'win32';
// The host is trusted by its clients: the largest frame a 32-bit length can announce.
const MAX_REPLY_FRAME_BYTES = 0xffff_ffff;

/** Options of `serve()`. */
export interface ServeOptions extends Omit<MemoryBackendOptions, 'codec'> {
  /**
   * In a cluster primary, answer every cluster worker: those forked before, after, and
   * respawned ones. `false` serves only what is passed to `host.attach()`.
   * @default true
   */
  cluster?: boolean | undefined;
  /** Largest key in UTF-8 bytes; clients must use the same. @default 1024 */
  maxKeyBytes?: number | undefined;
  /** Largest encoded value in bytes; clients must use the same. @default 67108864 (64 MiB) */
  maxValueBytes?: number | undefined;
  /**
   * Most calls in one frame. Clients learn it in the handshake; a frame with more is
   * refused as a whole and its store fails with `PROTOCOL`.
   * @default 4096
   */
  maxCallsPerFrame?: number | undefined;
  /**
   * Most keys in one getMany/setMany/deleteMany; clients must use the same (it is their
   * `capabilities.maxBatchKeys`).
   * @default 100000
   */
  maxBatchKeys?: number | undefined;
  /**
   * The largest answer to one call (strings by length, binary by byte length): a `getMany`
   * or `keys()` whose answer would be larger rejects `TOO_LARGE` before it is built.
   * Clients must use the same (it is their `capabilities.maxReplyBytes`).
   * @default twice `maxValueBytes`, at least 16 MiB (128 MiB)
   */
  maxReplyBytes?: number | undefined;
  /**
   * Most live stores on one channel; a store past it rejects its calls `OVERLOADED` until
   * another store on the channel closes.
   * @default 64
   */
  maxClientsPerChannel?: number | undefined;
  /**
   * Offer each child process (cluster worker or fork child) a private Unix domain socket,
   * negotiated over its IPC channel, and carry its frames there as msgpack: values are then
   * encoded once, by the codec, instead of once more by Node's IPC (measured: 64 KiB JSON
   * strings 1.7–2.2× faster, small values unchanged). `false` keeps every frame on the IPC
   * channel. Worker threads always use their message port; Windows keeps the IPC channel.
   * @default true
   */
  sideSocket?: boolean | undefined;
}

/** Counters of a host: traffic, clients and the data it holds. */
export interface IpcHostStats extends HostStats {
  /** Entries, bytes, evictions and expirations of the data held. */
  data: MemoryBackendStats;
  /** Side sockets authenticated and open now; 0 when frames stay on IPC channels. */
  sideSockets: number;
}

/** The holder of the data, in the primary or parent. */
export interface Host {
  /**
   * Serves a `child_process.fork` child, a `worker_threads` `Worker`, a `MessagePort` or a
   * cluster worker (cluster workers are served automatically unless `cluster: false`).
   * Attaching the same channel twice is a no-op.
   * @returns detach: stops serving that channel
   */
  attach(channel: Channel): () => void;
  /** Counters of traffic and clients. */
  stats(): IpcHostStats;
  /** Stops serving every channel and drops the data. Idempotent. */
  close(): Promise<void>;
}

/** Options of `connect()`. */
export interface ConnectOptions {
  /**
   * The channel to the host.
   * @default `parentPort` in a worker thread, otherwise `process` (cluster worker or fork child)
   */
  channel?: Channel | undefined;
  /**
   * Isolates this store's keys from stores with another namespace.
   * @default ''
   */
  namespace?: string | undefined;
  /** Default timeout of each call, in ms. @default 5000 */
  timeout?: number | undefined;
  /**
   * How long to wait for the host's handshake before calls reject `UNAVAILABLE`, in ms; after
   * this process was busy (its event loop blocked), the host gets the whole time again.
   * @default 5000
   */
  handshakeTimeout?: number | undefined;
  /** Most calls queued or in flight before calls reject `OVERLOADED`. @default 16384 */
  maxPending?: number | undefined;
  /** Must equal the host's. @default 1024 */
  maxKeyBytes?: number | undefined;
  /** Must equal the host's. @default 67108864 (64 MiB) */
  maxValueBytes?: number | undefined;
  /** Must equal the host's. @default 100000 */
  maxBatchKeys?: number | undefined;
  /** Must equal the host's. @default twice `maxValueBytes`, at least 16 MiB (128 MiB) */
  maxReplyBytes?: number | undefined;
  /**
   * Ask the host for a side socket and carry frames there (see `ServeOptions.sideSocket`).
   * `false` keeps every frame on the IPC channel.
   * @default true
   */
  sideSocket?: boolean | undefined;
  /** How long to wait for the host's side-socket answer before staying on IPC, in ms. @default 3000 */
  negotiationTimeout?: number | undefined;
}

/** A store connected to a host, with its client's counters. */
export interface IpcStore<S extends object> extends Store<S> {
  /** Calls pending and queued, timers armed, frames in and out. */
  stats(): ClientEngineStats;
}

/**
 * What distinguishes one variant of the IPC transport from another: its value codec, and
 * hooks for whatever else it does its own way.
 */
export interface IpcTransportDefinition {
  /** The package name, for messages (`ipc`, `ipc-msgpack`). */
  name: string;
  /** Encodes and checks values; hosts and clients must agree on it (checked in the handshake). */
  codec: ValueCodec;
  /**
   * How frames travel on an IPC channel or message port (the side socket always carries
   * msgpack frames).
   * @default frames as plain objects
   */
  frames?: FrameWrapping;
}

// One host per codec per process, whichever copy of this package made it: two hosts
// answering the same worker would apply its writes twice.
const registryKey = Symbol.for('statewire.ipc.hosts');
type Registry = Map<string, Host>;
function registry(): Registry {
  const holder = globalThis as { [registryKey]?: Registry };
  holder[registryKey] ??= new Map();
  return holder[registryKey];
}

const SERVE_OPTIONS = optionNames<ServeOptions>({
  cluster: true,
  maxKeyBytes: true,
  maxValueBytes: true,
  maxCallsPerFrame: true,
  maxBatchKeys: true,
  maxReplyBytes: true,
  maxClientsPerChannel: true,
  sideSocket: true,
  maxEntries: true,
  maxBytes: true,
  sweepIntervalMs: true,
  sweepBatch: true,
  now: true,
});

const CONNECT_OPTIONS = optionNames<ConnectOptions>({
  channel: true,
  namespace: true,
  timeout: true,
  handshakeTimeout: true,
  maxPending: true,
  maxKeyBytes: true,
  maxValueBytes: true,
  maxBatchKeys: true,
  maxReplyBytes: true,
  sideSocket: true,
  negotiationTimeout: true,
});

/** The `serve()` of a transport. */
export function serveWith(definition: IpcTransportDefinition, options: ServeOptions = {}): Host {
  const { codec, name } = definition;
  const frames = definition.frames ?? plainFrames;
  const hosts = registry();
  if (hosts.has(codec.name)) {
    throw new Error(
      `@statewire/${name}: serve() was already called in this process; call host.close() first`,
    );
  }
  const given = optionsObject(options, `@statewire/${name} serve()`, SERVE_OPTIONS);
  const servesCluster = booleanOption('cluster', given.cluster, true) && cluster.isPrimary;
  const sideSocket = booleanOption('sideSocket', given.sideSocket, true);
  const limits = resolveHostOptions({
    ...given,
    // The engine's option, under the name this transport gives it.
    maxClientsPerLink: positiveInteger(
      'maxClientsPerChannel',
      given.maxClientsPerChannel,
      ENGINE_DEFAULTS.maxClientsPerLink,
    ),
  });
  const backend = new MemoryBackend({ ...given, codec });
  const engine = new HostEngine({
    backend,
    codec,
    ...limits,
    servedElsewhere: (other) => other !== codec.name && hosts.has(other),
  });
  const sockets =
    sideSocket && socketsAvailable
      ? // Every frame a client that obeys the agreed limits may send is read.
        new SideSocketServer(
          // A side socket belongs to the channel it was negotiated on: its stores count
          // toward that channel's maxClientsPerChannel, and detaching the channel ends it.
          (link, channel) => engine.attach(link, channel),
          maxRequestFrameBytes(limits),
          limits.maxClientsPerLink,
        )
      : undefined;
  const policy = {
    codec: codec.name,
    sockets,
    servedElsewhere: (other: string) => other !== codec.name && hosts.has(other),
  };
  const attached = new WeakMap<object, () => void>();
  let closed = false;

  const attach = (channel: Channel): (() => void) => {
    if (closed) throw new StateError(ErrorCode.CLOSED, `@statewire/${name}: the host is closed`);
    const existing = attached.get(channel);
    if (existing) return existing;
    const link = linkFor(channel, frames);
    const detachEngine = engine.attach(
      isPort(channel) ? link : withSocketNegotiation(link, channel, policy),
      channel,
    );
    const detach = () => {
      attached.delete(channel);
      detachEngine();
    };
    attached.set(channel, detach);
    return detach;
  };
  const onFork = (worker: ClusterWorker) => attach(worker);
  if (servesCluster) {
    for (const worker of Object.values(cluster.workers ?? {})) if (worker) attach(worker);
    cluster.on('fork', onFork);
  }

  const host: Host = {
    attach,
    stats: () => ({
      ...engine.stats(),
      data: backend.stats(),
      sideSockets: sockets?.connections ?? 0,
    }),
    async close() {
      if (closed) return;
      closed = true;
      if (servesCluster) cluster.off('fork', onFork);
      engine.close();
      await sockets?.close();
      backend.close();
      if (hosts.get(codec.name) === host) hosts.delete(codec.name);
    },
  };
  hosts.set(codec.name, host);
  return host;
}

function defaultChannel(name: string): Channel {
  if (!isMainThread && parentPort) return parentPort;
  if (typeof process.send === 'function') return process as unknown as Channel;
  throw new StateError(
    ErrorCode.UNAVAILABLE,
    `@statewire/${name}: connect() found no IPC channel: this process was not started by cluster.fork(), child_process.fork() or new Worker(); pass opts.channel, or use serve() in the process that holds the data`,
  );
}

/** The `connect()` of a transport. */
export function connectWith<S extends object>(
  definition: IpcTransportDefinition,
  options: ConnectOptions = {},
): IpcStore<S> {
  const { codec, name } = definition;
  const frames = definition.frames ?? plainFrames;
  const given = optionsObject(options, `@statewire/${name} connect()`, CONNECT_OPTIONS);
  const sideSocket = booleanOption('sideSocket', given.sideSocket, true);
  const negotiationTimeout = readTimeout(given.negotiationTimeout ?? 3000, 'negotiationTimeout');
  const store = connectStore<S>({
    link: () => {
      const channel = given.channel ?? defaultChannel(name);
      const channelLink = linkFor(channel, frames);
      return sideSocket && socketsAvailable && !isPort(channel)
        ? createNegotiatingLink(channelLink, codec.name, MAX_REPLY_FRAME_BYTES, negotiationTimeout)
        : channelLink;
    },
    codec,
    options: given,
    label: `@statewire/${name}`,
  });
  return Object.assign(store, { stats: () => store.engine.stats() });
}
