import { IdTable } from '@statewire/core/transport';
import type { Cluster } from 'ioredis';
import { slotOf } from './redis-slot.js';

/** The node a slot's unanswered commands went to, and how many there are. */
interface Route {
  node: string;
  count: number;
}

/**
 * Where the unanswered commands of each Cluster slot were sent, so that a call never
 * overtakes an earlier call of its slot through a redirection.
 *
 * ioredis routes each command by its current slot map. When the map changes while a
 * command of a slot is unanswered (a resharding, a refresh triggered by another key's
 * `MOVED`), a later call goes straight to the new owner and is applied there first; the
 * earlier one comes back with `MOVED` and is applied after it. So a call whose slot has
 * unanswered commands on another node than the one it would go to waits until they are
 * answered (they reach the new owner first, following their redirection).
 */
export class SlotRoutes {
  readonly #cluster: Cluster;
  /**
   * Slot → node the unanswered commands of that slot went to, and how many there are. An
   * array over the 16384 slots, and an IdTable by call id: tables that gain and lose an
   * entry per call would keep every call's objects alive through young collections (see
   * IdTable).
   */
  #routes: (Route | undefined)[] = [];
  /** Call id → the slots it holds. */
  readonly #held = new IdTable<number[]>();

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /**
   * Records that call `id` is about to be sent with commands for `keys`, and returns
   * `true`; or returns `false` without recording anything when one of its slots has
   * unanswered commands on another node than the slot map now names.
   */
  take(id: number, keys: readonly string[]): boolean {
    const slots = [...new Set(keys.map(slotOf))];
    const targets = slots.map((slot) => this.#owner(slot));
    for (let i = 0; i < slots.length; i++) {
      const route = this.#routes[slots[i] as number];
      if (route && route.node !== targets[i]) return false;
    }
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const route = this.#routes[slot];
      if (route) route.count++;
      else this.#routes[slot] = { node: targets[i] as string, count: 1 };
    }
    this.#held.set(id, slots);
    return true;
  }

  /** Call `id` was answered (or failed): its slots are free of it. */
  release(id: number): void {
    const slots = this.#held.get(id);
    if (!slots) return;
    this.#held.delete(id);
    for (const slot of slots) {
      const route = this.#routes[slot];
      if (route && --route.count === 0) this.#routes[slot] = undefined;
    }
  }

  /** Forgets everything (the store closed). */
  clear(): void {
    this.#routes = [];
    this.#held.clear();
  }

  #owner(slot: number): string {
    // ioredis's slot map (`slots[slot][0]` is the master's "host:port"); unknown while the
    // map is being fetched, when ioredis queues the command itself, in order.
    const slots = (this.#cluster as unknown as { slots?: (string[] | undefined)[] }).slots;
    return slots?.[slot]?.[0] ?? '';
  }
}
