/**
 * The names of the options a function takes, made from a record that lists every key of
 * the options type `T` (the compiler checks that none is missing and none is extra).
 *
 * @example
 * ```ts
 * const names = optionNames<CallOptions>({ timeout: true, signal: true });
 * ```
 */
export function optionNames<T extends object>(
  names: Record<Extract<keyof T, string>, true>,
): ReadonlySet<string> {
  return new Set(Object.keys(names));
}

/**
 * Refuses an option `of` does not take, so that a misspelt or misplaced option (`tll`, or
 * an `ifVersion` given to a call that has no condition) is a `TypeError` instead of being
 * ignored. An unknown name whose value is `undefined` is let through: it asks for nothing.
 * @param of - names the function in the message, e.g. `"memory: set()"`
 * @throws TypeError naming the option and listing those `of` takes
 */
export function checkOptionNames(of: string, options: object, names: ReadonlySet<string>): void {
  for (const name in options) {
    if (names.has(name) || (options as Record<string, unknown>)[name] === undefined) continue;
    const advice =
      name === 'ifVersion'
        ? '; only set() and delete() take ifVersion (in a commit, use atomic().check())'
        : `; it takes ${names.size === 0 ? 'none' : [...names].join(', ')}`;
    throw new TypeError(`${of} takes no option ${JSON.stringify(name)}${advice}`);
  }
}
