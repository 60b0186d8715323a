/**
 * A snapshot of the built-in prototypes a prototype-pollution bug would change: their own
 * properties and the values (or accessors) behind them.
 */
export function snapshotPrototypes(): Record<string, [string, unknown, unknown, unknown][]> {
  const snapshot: Record<string, [string, unknown, unknown, unknown][]> = {};
  const targets: [string, object][] = [
    ['Object.prototype', Object.prototype],
    ['Array.prototype', Array.prototype],
    ['Function.prototype', Function.prototype],
    ['String.prototype', String.prototype],
  ];
  for (const [name, target] of targets) {
    snapshot[name] = Reflect.ownKeys(target).map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      return [String(key), descriptor?.value, descriptor?.get, descriptor?.set];
    });
  }
  return snapshot;
}
