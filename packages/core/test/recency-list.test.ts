import { describe, expect, it } from 'vitest';
import { RecencyList, type Recent } from '../src/recency-list.js';

interface Item extends Recent<Item> {
  name: string;
}

const item = (name: string): Item => ({ name, older: undefined, newer: undefined });

// The names from the least to the most recently used, walked through the links both ways.
function order(list: RecencyList<Item>): string[] {
  const names: string[] = [];
  let last: Item | undefined;
  for (let at = list.oldest; at; at = at.newer) {
    expect(at.older).toBe(last);
    names.push(at.name);
    last = at;
  }
  const backwards: string[] = [];
  for (let at = last; at; at = at.older) backwards.unshift(at.name);
  expect(backwards).toEqual(names);
  return names;
}

describe('RecencyList', () => {
  it('keeps items from the least to the most recently used', () => {
    const list = new RecencyList<Item>();
    const [a, b, c] = [item('a'), item('b'), item('c')];
    expect(list.oldest).toBeUndefined();
    list.add(a);
    list.add(b);
    list.add(c);
    expect(order(list)).toEqual(['a', 'b', 'c']);
    list.touch(a);
    expect(order(list)).toEqual(['b', 'c', 'a']);
    list.touch(a);
    expect(order(list)).toEqual(['b', 'c', 'a']);
    list.touch(c);
    expect(order(list)).toEqual(['b', 'a', 'c']);
    expect(list.oldest).toBe(b);
  });

  it('removes an item from the ends and the middle, clearing its links', () => {
    const list = new RecencyList<Item>();
    const items = ['a', 'b', 'c', 'd'].map(item);
    for (const each of items) list.add(each);
    const [a, b, c, d] = items as [Item, Item, Item, Item];
    list.remove(b);
    expect(order(list)).toEqual(['a', 'c', 'd']);
    expect(b.older).toBeUndefined();
    expect(b.newer).toBeUndefined();
    list.remove(a);
    expect(order(list)).toEqual(['c', 'd']);
    list.remove(d);
    expect(order(list)).toEqual(['c']);
    list.remove(c);
    expect(order(list)).toEqual([]);
    expect(list.oldest).toBeUndefined();
    // A removed item can come back.
    list.add(b);
    list.add(a);
    expect(order(list)).toEqual(['b', 'a']);
  });

  it('starts over empty after clear()', () => {
    const list = new RecencyList<Item>();
    list.add(item('a'));
    list.add(item('b'));
    list.clear();
    expect(list.oldest).toBeUndefined();
    list.add(item('c'));
    expect(order(list)).toEqual(['c']);
  });
});
