import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameLayout } from '@statewire/core/msgpack';
import type { Link } from '@statewire/core/transport';
import { onExit } from 'signal-exit';
import { createSocketLink } from './socket-link.js';
import { DIRECTORY_PREFIX, removeStaleDirectories, SOCKET_NAME } from './stale-directories.js';

/** Where and with what token one client may connect. */
export interface SocketOffer {
  path: string;
  token: string;
}

interface PendingOffer {
  owner: object;
  label: string;
  layout: FrameLayout;
  expires: NodeJS.Timeout;
}

const TOKEN_BYTES = 32;
const TOKEN_HEX_BYTES = TOKEN_BYTES * 2;
/** The first bytes a client sends: a frame holding the hex token. */
export const TOKEN_FRAME_BYTES = 4 + TOKEN_HEX_BYTES;
const OFFER_TTL_MS = 30_000;
// How long a socket ended on purpose may take to flush its last frames (the host's `gone`)
// before it is destroyed: a stalled client must not hold up `host.close()`.
const END_GRACE_MS = 2000;
const AUTH_TIMEOUT_MS = 10_000;
/**
 * Most offers outstanding on one channel. Each is a token and a timer kept for
 * OFFER_TTL_MS: without a cap, a child flooding requests would grow the host without bound
 * (and make every authentication scan them all). An honest channel needs a few per store
 * (a request is retried until answered) and has at most 64 stores; past the cap the host
 * declines, and the client stays on the IPC channel.
 */
const MAX_OFFERS_PER_OWNER = 256;

/**
 * The host end of the side sockets: one Unix domain socket server in a private directory
 * (mode 0700, made by `mkdtemp`), started on the first request. Each offer carries a
 * single-use random token, sent to one client over its IPC channel; a connection must
 * present a live token as its first frame or it is closed. The directory is removed on
 * `close()` and however the process exits: normally, by `process.exit()`, or by a signal
 * that ends it (SIGTERM, SIGINT, SIGHUP, …, when the application does not handle that
 * signal itself). A process killed outright (SIGKILL) runs no code: the first side-socket
 * server of a later process removes such leftovers.
 */
export class SideSocketServer {
  readonly #attach: (link: Link, owner: object) => void;
  readonly #maxFrameBytes: number;
  readonly #maxSocketsPerOwner: number;
  readonly #offers = new Map<string, PendingOffer>();
  readonly #offersPerOwner = new Map<object, number>();
  readonly #sockets = new Map<object, Set<Socket>>();
  #server: Promise<{ server: Server; path: string; dir: string }> | undefined;
  #closed = false;
  #removeExitHook: (() => void) | undefined;
  #dir: string | undefined;

  /**
   * @param attach serves an authenticated socket (the host engine's `attach`)
   * @param maxFrameBytes largest frame accepted from a client
   * @param maxSocketsPerOwner most sockets open or offered on one channel (a store uses
   *   one, so the channel's most stores): past it the host declines, and a client stays on
   *   the channel, where its hello meets the same bound
   */
  constructor(
    attach: (link: Link, owner: object) => void,
    maxFrameBytes: number,
    maxSocketsPerOwner: number,
  ) {
    this.#attach = attach;
    this.#maxFrameBytes = maxFrameBytes;
    this.#maxSocketsPerOwner = maxSocketsPerOwner;
  }

  /**
   * Makes an offer for the client on channel `owner`; the socket it connects writes frames
   * in `layout` (`maps` only when the client said it reads them).
   * @default layout 'records'
   * @throws Error when `owner` already has too many offers outstanding or sockets open
   *   (the host declines)
   */
  async offer(owner: object, label: string, layout: FrameLayout = 'records'): Promise<SocketOffer> {
    const outstanding = this.#offersPerOwner.get(owner) ?? 0;
    if (outstanding >= MAX_OFFERS_PER_OWNER)
      throw new Error(`${label}: ${MAX_OFFERS_PER_OWNER} side-socket offers outstanding`);
    // Offers outstanding count too: a burst of stores asks before any socket connects.
    if (outstanding + (this.#sockets.get(owner)?.size ?? 0) >= this.#maxSocketsPerOwner)
      throw new Error(`${label}: ${this.#maxSocketsPerOwner} side sockets open or offered`);
    // Counted before the first await, so that a burst of requests cannot overshoot.
    this.#offersPerOwner.set(owner, outstanding + 1);
    let path: string;
    try {
      ({ path } = await this.#listen());
    } catch (error) {
      this.#release(owner);
      throw error;
    }
    if (this.#closed || !this.#offersPerOwner.has(owner)) {
      // The server closed, or the channel was dropped, while it was starting.
      throw new Error(`${label}: the channel is no longer served`);
    }
    const token = randomBytes(TOKEN_BYTES).toString('hex');
    const expires = setTimeout(() => {
      if (this.#offers.delete(token)) this.#release(owner);
    }, OFFER_TTL_MS);
    expires.unref();
    this.#offers.set(token, { owner, label, layout, expires });
    return { path, token };
  }

  /** Authenticated side sockets open now. */
  get connections(): number {
    let count = 0;
    for (const sockets of this.#sockets.values()) count += sockets.size;
    return count;
  }

  /**
   * Closes every socket of channel `owner` and withdraws its outstanding offers (its process
   * died or the channel was detached).
   * @param graceful end the sockets after what was written to them (the host's goodbye)
   *   instead of destroying them; a socket not closed within a grace period is destroyed
   */
  dropOwner(owner: object, graceful = false): void {
    if (this.#offersPerOwner.delete(owner)) {
      for (const [token, offer] of this.#offers) {
        if (offer.owner !== owner) continue;
        this.#offers.delete(token);
        clearTimeout(offer.expires);
      }
    }
    const sockets = this.#sockets.get(owner);
    if (!sockets) return;
    this.#sockets.delete(owner);
    for (const socket of sockets) {
      if (!graceful) {
        socket.destroy();
        continue;
      }
      socket.end();
      const timer = setTimeout(() => socket.destroy(), END_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
  }

  /**
   * Stops the server, closes every socket (after what was written to it, within a grace
   * period) and removes the directory.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const { expires } of this.#offers.values()) clearTimeout(expires);
    this.#offers.clear();
    this.#offersPerOwner.clear();
    for (const owner of [...this.#sockets.keys()]) this.dropOwner(owner, true);
    const listening = this.#server;
    this.#server = undefined;
    if (listening) {
      const { server } = await listening.catch(() => ({ server: undefined }));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    this.#removeDir();
  }

  #listen(): Promise<{ server: Server; path: string; dir: string }> {
    if (this.#closed) return Promise.reject(new Error('side socket server closed'));
    this.#server ??= new Promise((resolve, reject) => {
      const dir = mkdtempSync(join(tmpdir(), DIRECTORY_PREFIX));
      this.#dir = dir;
      this.#removeExitHook = onExit(() => this.#removeDir());
      const path = join(dir, SOCKET_NAME);
      const server = createServer((socket) => this.#authenticate(socket));
      server.on('error', reject);
      server.listen(path, () => {
        server.unref();
        resolve({ server, path, dir });
        sweepOnce();
      });
    });
    return this.#server;
  }

  #authenticate(socket: Socket): void {
    const timer = setTimeout(() => socket.destroy(), AUTH_TIMEOUT_MS);
    timer.unref();
    socket.on('error', () => {});
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < TOKEN_FRAME_BYTES) return;
      socket.off('data', onData);
      clearTimeout(timer);
      const offer = this.#redeem(received.subarray(0, TOKEN_FRAME_BYTES));
      if (!offer || this.#closed) {
        socket.destroy();
        return;
      }
      let sockets = this.#sockets.get(offer.owner);
      if (!sockets) {
        sockets = new Set();
        this.#sockets.set(offer.owner, sockets);
      }
      const owned = sockets;
      owned.add(socket);
      socket.on('close', () => owned.delete(socket));
      // Bytes after the token are the client's first frames.
      const rest = received.subarray(TOKEN_FRAME_BYTES);
      this.#attach(
        createSocketLink(
          socket,
          `${offer.label} (side socket)`,
          this.#maxFrameBytes,
          rest,
          offer.layout,
        ),
        offer.owner,
      );
    };
    socket.on('data', onData);
  }

  #redeem(frame: Buffer): PendingOffer | undefined {
    if (frame.readUInt32BE(0) !== TOKEN_HEX_BYTES) return undefined;
    const token = frame.subarray(4);
    for (const [candidate, offer] of this.#offers) {
      if (timingSafeEqual(Buffer.from(candidate, 'latin1'), token)) {
        this.#offers.delete(candidate);
        clearTimeout(offer.expires);
        this.#release(offer.owner);
        return offer;
      }
    }
    return undefined;
  }

  #release(owner: object): void {
    const outstanding = this.#offersPerOwner.get(owner);
    if (outstanding === undefined) return;
    if (outstanding <= 1) this.#offersPerOwner.delete(owner);
    else this.#offersPerOwner.set(owner, outstanding - 1);
  }

  #removeDir(): void {
    this.#removeExitHook?.();
    this.#removeExitHook = undefined;
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}

let swept = false;

// Once per process, in the background: directories of hosts that were SIGKILLed.
function sweepOnce(): void {
  if (swept) return;
  swept = true;
  void removeStaleDirectories(tmpdir());
}
