import { createHash } from 'node:crypto';
import { ErrorCode, StateError } from '@statewire/core';
import { scanPageBytes } from '@statewire/core/transport';
import type { Cluster, Redis } from 'ioredis';
import { isCluster, type RedisClient } from './redis-client.js';
import type { RedisKeyLayout } from './redis-key.js';
import { groupBySlot } from './redis-slot.js';

/** How often `keys()` and `clear()` walk a Cluster's masters while its slots keep moving. */
const MAX_WALKS = 3;

/** A short, cursor-safe digest of `text`. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}

/** A master a `scan()` cursor can name. */
interface ScanMaster {
  readonly name: string;
  readonly node: Redis;
}

/** What a {@link KeyspaceScan} works with. */
export interface KeyspaceScanOptions {
  /** The store's client: one server, or a Cluster whose masters are scanned one by one. */
  client: RedisClient;
  /** Maps the store's keys to Redis keys and gives the `MATCH` pattern of a prefix. */
  layout: RedisKeyLayout;
  /** `COUNT` hint of each `SCAN` of `keys()` and `clear()`. */
  scanCount: number;
  /**
   * The largest answer of `keys()` and of a `scan()` page, counted as every client counts it
   * (`wireBytes`: 8 bytes for the list, each key by its length): the walk of `keys()` stops
   * as soon as the keys found are over it, and a page ends before it.
   */
  maxReplyBytes: number;
}

/**
 * The store's SCAN work: `keys()` and `clear()` (every master, to the end) and `scan()`
 * pages. Keys are matched inside the store's keyspace only (`MATCH` on the layout's
 * pattern), on the one server or on each Cluster master.
 */
export class KeyspaceScan {
  readonly #client: RedisClient;
  readonly #cluster: Cluster | undefined;
  readonly #layout: RedisKeyLayout;
  readonly #scanCount: number;
  readonly #maxReplyBytes: number;

  constructor(options: KeyspaceScanOptions) {
    this.#client = options.client;
    this.#cluster = isCluster(options.client) ? options.client : undefined;
    this.#layout = options.layout;
    this.#scanCount = options.scanCount;
    this.#maxReplyBytes = options.maxReplyBytes;
  }

  /**
   * Every key under `prefix`, while `live()` (the call has not settled).
   * @throws StateError `TOO_LARGE` as soon as the keys found are over `maxReplyBytes`: the
   *   walk stops there, so a huge keyspace costs no more SCANs and memory than the limit
   */
  async keys(prefix: string, live: () => boolean): Promise<string[]> {
    const found = new Set<string>();
    let bytes = 8;
    await this.#scan('keys()', live, this.#layout.pattern(prefix), async (keys) => {
      for (const redisKey of keys) {
        const key = this.#layout.fromRedis(redisKey);
        // SCAN may return a key twice; the answer holds it once.
        if (found.has(key)) continue;
        bytes += key.length;
        if (bytes > this.#maxReplyBytes) {
          throw new StateError(
            ErrorCode.TOO_LARGE,
            `redis: keys() would answer more than ${this.#maxReplyBytes} bytes; list the namespace with scan()`,
          );
        }
        found.add(key);
      }
    });
    return [...found];
  }

  /** UNLINKs every key of the store, while `live()`. */
  async clear(live: () => boolean): Promise<void> {
    await this.#scan('clear()', live, this.#layout.pattern(''), (keys) => this.#unlink(keys));
  }

  /**
   * One page of `scan()`: SCAN calls on one master after another (the one server, or each
   * Cluster master in the order of their addresses), until the page has keys or the scan
   * ends. The cursor names the keyspace it walks (a digest of the store's prefix, namespace
   * and the scan's prefix), the master and its SCAN cursor, so a Cluster scan resumes where
   * it was and a cursor of another store, or of another prefix, is refused instead of read
   * as a position in this one. A SCAN reply that would take the page over `count` is left
   * for the next page, which starts with the same SCAN (a key is then returned again, never missed); only a
   * first reply over `count` (one hash bucket holding more keys) makes a page longer. A reply
   * that would take the page's keys over `scanPageBytes(maxReplyBytes)` is left for the next
   * page too; when the first one is, the SCAN is asked again for fewer keys.
   * @throws StateError `INVALID_VALUE` for a cursor this store never handed out
   */
  async page(
    prefix: string,
    cursor: string,
    count: number,
  ): Promise<[keys: string[], cursor: string | null]> {
    let masters = this.#masters();
    const pattern = this.#layout.pattern(prefix);
    const keyspace = digest(pattern);
    let index = 0;
    let position = '0';
    // On a Cluster, the masters and their slots when the walk began: see #topology.
    let topology = '';
    if (cursor !== '') {
      const match = /^([\w-]{12})\/([^/]+)\/(\d{1,20})(?:\/([\w-]{12}))?$/.exec(cursor);
      index =
        match && match[1] === keyspace && (match[4] !== undefined) === (this.#cluster !== undefined)
          ? masters.findIndex((master) => master.name === match[2])
          : -1;
      if (!match || index < 0) {
        throw new StateError(
          ErrorCode.INVALID_VALUE,
          'redis: scan() was given a cursor it never handed out for this prefix (or whose master is gone)',
        );
      }
      position = match[3] as string;
      topology = match[4] ?? '';
    } else if (this.#cluster) {
      topology = await this.#topology(masters);
    }
    const keys: string[] = [];
    // Counted as the clients count a reply: each key by its length.
    const maxBytes = scanPageBytes(this.#maxReplyBytes);
    let bytes = 0;
    let ask = count;
    // Bounded, so that a sparse keyspace gives an empty page with a cursor, not a long call.
    for (let calls = 0; calls < 16 && keys.length < count; calls++) {
      const { node } = masters[index] as ScanMaster;
      const [next, found] = (await node.call(
        'scan',
        position,
        'MATCH',
        pattern,
        'COUNT',
        Math.min(ask, count - keys.length),
      )) as [string, string[]];
      const more = found.map((key) => this.#layout.fromRedis(key));
      const moreBytes = more.reduce((sum, key) => sum + key.length, 0);
      if (keys.length > 0 && (keys.length + more.length > count || bytes + moreBytes > maxBytes))
        break;
      if (keys.length === 0 && moreBytes > maxBytes && more.length > 1 && ask > 1) {
        // The page's first reply alone is over the byte limit: ask again, from the same
        // position, for fewer keys.
        ask = Math.max(1, Math.floor(ask / 2));
        continue;
      }
      keys.push(...more);
      bytes += moreBytes;
      position = next;
      if (position === '0') {
        index++;
        if (index < masters.length) continue;
        if (!this.#cluster) return [keys, null];
        // Every master walked. A key that moved meanwhile from a master not yet walked to
        // one already walked (a slot migrated, a replica promoted) was missed: walk again,
        // from the first master, under the new layout (keys may come back twice, never be
        // missed). Otherwise the scan is complete.
        const now = await this.#topology(masters);
        if (now === topology) return [keys, null];
        await this.#refreshSlots();
        masters = this.#masters();
        topology = await this.#topology(masters);
        index = 0;
        break;
      }
    }
    const at = `${keyspace}/${(masters[index] as ScanMaster).name}/${position}`;
    return [keys, this.#cluster ? `${at}/${topology}` : at];
  }

  /**
   * The masters of the Cluster and the slots each serves, as each says (`CLUSTER SLOTS`,
   * which a Cluster client's ACL allows already), as a digest. Redis's SCAN guarantee is
   * one node's; a walk of the masters one after another misses a key that moves from a
   * master not yet walked to one already walked. Such a move changes this, so a walk during
   * which it changed is done again. A slot still being migrated when the walk ends does
   * not change it yet: a key of that slot may be missed (documented).
   */
  async #topology(masters: ScanMaster[]): Promise<string> {
    const views = await Promise.all(
      masters.map(async (master) => [master.name, await master.node.call('cluster', 'slots')]),
    );
    return digest(JSON.stringify(views));
  }

  /** Has ioredis ask the Cluster for its slots now, so that new masters are walked. */
  #refreshSlots(): Promise<void> {
    const cluster = this.#cluster as Cluster;
    return new Promise((resolve) => cluster.refreshSlotsCache(() => resolve()));
  }

  #masters(): ScanMaster[] {
    if (!this.#cluster) return [{ name: 'redis', node: this.#client as Redis }];
    return this.#cluster
      .nodes('master')
      .map((node) => ({ name: `${node.options.host}:${node.options.port}`, node }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async #unlink(keys: string[]): Promise<void> {
    if (!this.#cluster) {
      await this.#client.call('unlink', keys);
      return;
    }
    const cluster = this.#cluster;
    await Promise.all(
      groupBySlot(keys).map((group) =>
        cluster.call(
          'unlink',
          group.map((i) => keys[i] as string),
        ),
      ),
    );
  }

  // SCAN every master to the end. Stops as soon as the call settled (timed out, aborted,
  // closed): later calls are sent once it settled, on the same connections, so no command
  // of this work may follow them (issue 12, item 1).
  async #scan(
    what: 'keys()' | 'clear()',
    live: () => boolean,
    pattern: string,
    each: (keys: string[]) => Promise<void>,
  ): Promise<void> {
    if (!this.#cluster) {
      await this.#walk([this.#client as Redis], live, pattern, each);
      return;
    }
    // A key that moves from a master not yet walked to one already walked is missed: walk
    // again while the masters or their slots changed during the walk (see #topology).
    let before = await this.#topology(this.#masters());
    for (let walks = 1; ; walks++) {
      const masters = this.#masters();
      await this.#walk(
        masters.map((master) => master.node),
        live,
        pattern,
        each,
      );
      if (!live()) return;
      const after = await this.#topology(masters);
      if (after === before) return;
      if (walks === MAX_WALKS) {
        throw new StateError(
          ErrorCode.UNAVAILABLE,
          `redis: ${what} failed: the Cluster's slots moved during each of ${MAX_WALKS} walks of its masters; try again once they settle`,
          // clear() may have deleted keys already; keys() is a read.
          what === 'clear()' ? { maybeApplied: true } : {},
        );
      }
      await this.#refreshSlots();
      before = await this.#topology(this.#masters());
    }
  }

  async #walk(
    nodes: Redis[],
    live: () => boolean,
    pattern: string,
    each: (keys: string[]) => Promise<void>,
  ): Promise<void> {
    for (const node of nodes) {
      let cursor = '0';
      do {
        if (!live()) return;
        const [next, keys] = (await node.call(
          'scan',
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          this.#scanCount,
        )) as [string, string[]];
        cursor = next;
        // The call may have settled while this SCAN was on its way: its work ends here, so
        // that nothing sent after it settled is undone by it.
        if (!live()) return;
        if (keys.length > 0) await each(keys);
      } while (cursor !== '0');
    }
  }
}
