import { join } from 'node:path';
import { describe, it } from 'vitest';
import { type Compiler, repoRoot, tsc } from '../src/tsc.js';

// Every factory's options take `undefined` for "not given", as the factories always did at
// run time: under exactOptionalPropertyTypes, `{ namespace: process.env.NS }` did not
// compile for any of them (call options were fixed before; factory options were not).
const project = join(repoRoot, 'tools/type-checks/factory-options/tsconfig.json');

describe('factory options under exactOptionalPropertyTypes', () => {
  for (const compiler of ['5.9', '7'] as Compiler[]) {
    it(`every factory takes undefined for an option it is not given, TypeScript ${compiler}`, async ({
      expect,
    }) => {
      const run = await tsc(compiler, ['--noEmit', '-p', project]);
      expect(run.output).toBe('');
      expect(run.code).toBe(0);
    });
  }
});
