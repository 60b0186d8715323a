import { describe, expect, it } from 'vitest';
import { IdTable } from '../src/id-table.js';

describe('IdTable', () => {
  it('stores, finds and removes values by id', () => {
    const table = new IdTable<string>();
    table.set(1, 'a');
    table.set(2, 'b');
    expect(table.size).toBe(2);
    expect(table.get(1)).toBe('a');
    expect(table.has(2)).toBe(true);
    expect(table.get(3)).toBeUndefined();
    expect(table.delete(1)).toBe('a');
    expect(table.delete(1)).toBeUndefined();
    expect(table.has(1)).toBe(false);
    expect(table.size).toBe(1);
    expect(table.ids()).toEqual([2]);
  });

  it('finds nothing, and removes nothing, under ids that were never stored', () => {
    const table = new IdTable<string>();
    table.set(1, 'a');
    for (const id of [-1, 0, 65, 1.5, 2 ** 31, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(table.get(id)).toBeUndefined();
      expect(table.delete(id)).toBeUndefined();
    }
    expect(table.size).toBe(1);
    expect(table.ids()).toEqual([1]);
  });

  it('set() on an id already stored replaces its value, in the ring or out of it', () => {
    const table = new IdTable<string>();
    table.set(0, 'old');
    table.set(0, 'new');
    expect(table.size).toBe(1);
    // Id 64 takes the slot of id 0, which moves out of the ring.
    table.set(64, 'x');
    table.set(0, 'newer');
    expect(table.size).toBe(2);
    expect(table.get(0)).toBe('newer');
    expect(table.get(64)).toBe('x');
  });

  it('clear() removes every entry, in the ring and out of it', () => {
    const table = new IdTable<number>();
    for (let id = 0; id < 3_000; id += 7) table.set(id, id);
    table.set(1, 1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.ids()).toEqual([]);
    expect(table.get(1)).toBeUndefined();
    table.set(5, 5);
    expect(table.ids()).toEqual([5]);
  });

  it('refuses undefined, which marks an empty slot', () => {
    expect(() => new IdTable<unknown>().set(1, undefined)).toThrow(TypeError);
  });

  it('keeps an entry that stays while thousands of later ids come and go', () => {
    const table = new IdTable<number>();
    table.set(0, -1);
    for (let id = 1; id <= 10_000; id++) {
      table.set(id, id);
      // Every later id lands on the long-lived entry's slot again and again.
      expect(table.delete(id)).toBe(id);
    }
    expect(table.size).toBe(1);
    expect(table.get(0)).toBe(-1);
    expect(table.ids()).toEqual([0]);
    expect(table.delete(0)).toBe(-1);
    expect(table.size).toBe(0);
    expect(table.ids()).toEqual([]);
  });

  it('grows past its first ring, keeping every entry', () => {
    const table = new IdTable<number>();
    for (let id = 1; id <= 5_000; id++) table.set(id, id * 2);
    expect(table.size).toBe(5_000);
    for (let id = 1; id <= 5_000; id++) expect(table.get(id)).toBe(id * 2);
    expect(table.ids()).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
    // Emptied, it goes back to its first ring and works as before.
    for (let id = 1; id <= 5_000; id++) table.delete(id);
    expect(table.size).toBe(0);
    for (let id = 5_001; id <= 5_100; id++) table.set(id, id);
    expect(table.ids()).toEqual(Array.from({ length: 100 }, (_, i) => i + 5_001));
    expect(table.get(5_050)).toBe(5_050);
  });

  it('agrees with a Map under random use, ids issued in order and settled in any order', () => {
    // A fixed-seed generator, so that a failure replays.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const table = new IdTable<{ id: number }>();
    const model = new Map<number, { id: number }>();
    let next = 1;
    for (let step = 0; step < 200_000; step++) {
      const live = [...model.keys()];
      // Bursts of issuing and of settling, so that the live count swings between 0 and ~2,000.
      const issuing = Math.floor(step / 5_000) % 2 === 0 ? 0.6 : 0.4;
      if (live.length === 0 || random() < issuing) {
        // Now and then an id is skipped (a call refused before it was stored).
        if (random() < 0.05) next++;
        const value = { id: next };
        table.set(next, value);
        model.set(next, value);
        next++;
      } else {
        // Mostly the oldest, sometimes any (replies out of order, timeouts).
        const id = random() < 0.7 ? live[0]! : live[Math.floor(random() * live.length)]!;
        expect(table.delete(id)).toBe(model.get(id));
        model.delete(id);
      }
      if (step % 997 === 0) {
        expect(table.size).toBe(model.size);
        expect(table.ids()).toEqual([...model.keys()].sort((a, b) => a - b));
        const probe = Math.floor(random() * next);
        expect(table.get(probe)).toBe(model.get(probe));
      }
    }
    for (const [id, value] of model) expect(table.get(id)).toBe(value);
  });
});
