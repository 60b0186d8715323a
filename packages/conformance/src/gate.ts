import type { CapabilityFlag } from '@statewire/core/transport';
import { describe } from 'vitest';

/**
 * Declares a group that applies only when capability `flag` is `wanted`. The only way the
 * suite skips anything: a group that does not apply is `describe.skip`-ped and says why in
 * its title, so a skip is always visible in the output and always traceable to a declared
 * capability (see abstract-leveldown#157 for suites that skipped silently).
 */
export function describeWhen(
  flag: CapabilityFlag,
  wanted: boolean,
  actual: boolean,
  title: string,
  body: () => void,
): void {
  if (actual === wanted) describe(`${title} (capabilities.${flag} is ${actual})`, body);
  else describe.skip(`${title} (skipped: capabilities.${flag} is ${actual})`, body);
}
