import { inspect } from 'node:util';

/**
 * Compares two values the way "round-trips exactly" is meant: equal values with identical
 * types all the way down. Unlike `toEqual` it tells apart `-0` and `0`, `Buffer` and
 * `Uint8Array`, a class instance and a plain object, a hole and an `undefined` element, a
 * missing property and one that is `undefined`, a `Map` from a plain object, and the order
 * of `Map` and `Set` entries. `NaN` equals `NaN`; a `Date` compares by time (an invalid
 * date equals an invalid date); a typed array, `DataView` or `ArrayBuffer` compares by its
 * bytes; BigInts by value. Cycles and shared references are followed: two structures are
 * equal when no path through them differs. Object identity, property order,
 * non-enumerable properties, and extra properties of typed arrays longer than 65536
 * elements are not compared.
 *
 * @returns `undefined` when the values are strictly equal, otherwise a short description
 *   of the first difference, with its path (`value.a[2]: expected -0, got 0`)
 */
export function strictDiff(expected: unknown, actual: unknown): string | undefined {
  return diff(expected, actual, 'value', new Map());
}

/** Whether {@link strictDiff} finds no difference. */
export function strictEqual(expected: unknown, actual: unknown): boolean {
  return strictDiff(expected, actual) === undefined;
}

type Assumed = Map<object, Set<object>>;

/** A short rendering of a value for a difference message. */
export function show(value: unknown): string {
  return inspect(value, {
    depth: 1,
    maxArrayLength: 8,
    maxStringLength: 48,
    breakLength: Number.POSITIVE_INFINITY,
  });
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return 'a null-prototype object';
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}

function diff(a: unknown, b: unknown, path: string, assumed: Assumed): string | undefined {
  if (typeof a !== typeof b) return `${path}: expected ${describe(a)}, got ${describe(b)}`;
  if (typeof a !== 'object' || a === null || b === null) {
    if (Object.is(a, b)) return undefined;
    return `${path}: expected ${describe(a)}, got ${describe(b)}`;
  }
  const x = a as object;
  const y = b as object;
  // Co-inductive: a pair already being compared is assumed equal, so cycles terminate and
  // shared references may come back as copies.
  let pairs = assumed.get(x);
  if (pairs?.has(y)) return undefined;
  if (!pairs) {
    pairs = new Set();
    assumed.set(x, pairs);
  }
  pairs.add(y);

  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) {
    return `${path}: expected ${kind(x)}, got ${kind(y)}`;
  }
  const tagX = Object.prototype.toString.call(x);
  const tagY = Object.prototype.toString.call(y);
  if (tagX !== tagY) return `${path}: expected ${tagX}, got ${tagY}`;
  if (Array.isArray(x) !== Array.isArray(y)) {
    return `${path}: expected ${Array.isArray(x) ? 'an array' : 'a non-array'}`;
  }
  const found = compareContents(x, y, path, assumed);
  if (found !== undefined) return found;
  return compareProperties(x, y, path, assumed);
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return kind(value);
  return show(value);
}

function bytesOf(view: ArrayBufferView | ArrayBuffer): Buffer {
  return ArrayBuffer.isView(view)
    ? Buffer.from(view.buffer, view.byteOffset, view.byteLength)
    : Buffer.from(view);
}

function compareContents(x: object, y: object, path: string, assumed: Assumed): string | undefined {
  if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) {
    const bx = bytesOf(x as ArrayBufferView | ArrayBuffer);
    const by = bytesOf(y as ArrayBufferView | ArrayBuffer);
    if (bx.length !== by.length) {
      return `${path}: expected ${bx.length} bytes, got ${by.length}`;
    }
    if (bx.equals(by)) return undefined;
    return `${path}: bytes differ at offset ${bx.findIndex((byte, i) => byte !== by[i])}`;
  }
  if (x instanceof Date) {
    const tx = x.getTime();
    const ty = (y as Date).getTime();
    return Object.is(tx, ty) ? undefined : `${path}: expected time ${tx}, got ${ty}`;
  }
  if (x instanceof Map) {
    const ey = [...(y as Map<unknown, unknown>)];
    if (x.size !== ey.length) return `${path}: expected ${x.size} Map entries, got ${ey.length}`;
    let i = 0;
    for (const [kx, vx] of x) {
      const [ky, vy] = ey[i] as [unknown, unknown];
      const found =
        diff(kx, ky, `${path}<Map key #${i}>`, assumed) ??
        diff(vx, vy, `${path}<Map value #${i}>`, assumed);
      if (found !== undefined) return found;
      i++;
    }
    return undefined;
  }
  if (x instanceof Set) {
    const ey = [...(y as Set<unknown>)];
    if (x.size !== ey.length) return `${path}: expected ${x.size} Set items, got ${ey.length}`;
    let i = 0;
    for (const vx of x) {
      const found = diff(vx, ey[i], `${path}<Set item #${i}>`, assumed);
      if (found !== undefined) return found;
      i++;
    }
    return undefined;
  }
  if (x instanceof RegExp) {
    const ry = y as RegExp;
    if (x.source !== ry.source || x.flags !== ry.flags || x.lastIndex !== ry.lastIndex) {
      return `${path}: expected ${String(x)} (lastIndex ${x.lastIndex}), got ${String(ry)} (lastIndex ${ry.lastIndex})`;
    }
    return undefined;
  }
  if (x instanceof Error) {
    const ey = y as Error;
    if (x.name !== ey.name || x.message !== ey.message) {
      return `${path}: expected ${x.name}: ${x.message}, got ${ey.name}: ${ey.message}`;
    }
    return undefined;
  }
  if (
    x instanceof Number ||
    x instanceof String ||
    x instanceof Boolean ||
    x instanceof BigInt ||
    x instanceof Symbol
  ) {
    const vx: unknown = x.valueOf();
    const vy: unknown = (y as { valueOf(): unknown }).valueOf();
    return Object.is(vx, vy) ? undefined : `${path}: expected boxed ${show(vx)}, got ${show(vy)}`;
  }
  if (Array.isArray(x)) {
    const ay = y as unknown[];
    if (x.length !== ay.length) return `${path}: expected length ${x.length}, got ${ay.length}`;
    for (let i = 0; i < x.length; i++) {
      const hx = Object.hasOwn(x, i);
      const hy = Object.hasOwn(ay, i);
      if (hx !== hy) {
        return `${path}[${i}]: expected ${hx ? 'an element' : 'a hole'}, got ${hy ? 'an element' : 'a hole'}`;
      }
      if (!hx) continue;
      const found = diff(x[i], ay[i], `${path}[${i}]`, assumed);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

// Array, typed-array and String-object indices are compared by compareContents.
function isIndexOf(target: object, key: string): boolean {
  if (!/^(?:0|[1-9]\d*)$/.test(key)) return false;
  const length = (target as { length?: unknown }).length;
  return (
    (Array.isArray(target) || target instanceof String) &&
    typeof length === 'number' &&
    Number(key) < length
  );
}

// Listing the own keys of a typed array lists every index (V8 refuses past ~2^27), so the
// extra properties of typed arrays longer than this are not compared.
const MAX_TYPED_ARRAY_KEYS = 1 << 16;

function ownEnumerableKeys(target: object): (string | symbol)[] {
  let keys: (string | symbol)[];
  if (ArrayBuffer.isView(target) && !(target instanceof DataView)) {
    const { length } = target as unknown as { length: number };
    if (length > MAX_TYPED_ARRAY_KEYS) return [];
    // The indices come first, in order.
    keys = Reflect.ownKeys(target).slice(length);
  } else {
    keys = Reflect.ownKeys(target);
  }
  return keys.filter(
    (key) =>
      Object.getOwnPropertyDescriptor(target, key)?.enumerable === true &&
      !(typeof key === 'string' && isIndexOf(target, key)),
  );
}

function keyPath(path: string, key: string | symbol): string {
  if (typeof key === 'symbol') return `${path}[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${show(key)}]`;
}

function compareProperties(
  x: object,
  y: object,
  path: string,
  assumed: Assumed,
): string | undefined {
  const kx = ownEnumerableKeys(x);
  const ky = ownEnumerableKeys(y);
  const setY = new Set(ky);
  for (const key of kx) {
    if (!setY.has(key)) return `${keyPath(path, key)}: expected a property, got none`;
  }
  const setX = new Set(kx);
  for (const key of ky) {
    if (!setX.has(key)) return `${keyPath(path, key)}: expected no property, got one`;
  }
  for (const key of kx) {
    const found = diff(Reflect.get(x, key), Reflect.get(y, key), keyPath(path, key), assumed);
    if (found !== undefined) return found;
  }
  return undefined;
}
