// The options of the groups that describeConformance declares, beside the manifest group
// (which reports a wrong manifest as one failure). A group run on its own gets options
// not marked here. Marked by identity, and carried by resolveOptions() to its result.
const besideManifest = new WeakSet<object>();

/** Marks `options` as those of groups run beside the manifest group. */
export function markBesideManifestGroup<T extends object>(options: T): T {
  besideManifest.add(options);
  return options;
}

/**
 * Whether the groups given `options` run beside the manifest group: their tests may then
 * skip while the manifest differs. A group run on its own must fail instead, or a wrong
 * manifest would pass with nothing tested.
 */
export function isBesideManifestGroup(options: object | undefined): boolean {
  return options !== undefined && besideManifest.has(options);
}
