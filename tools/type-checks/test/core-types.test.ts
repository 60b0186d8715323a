import { join } from 'node:path';
import { describe, it } from 'vitest';
import { type Compiler, repoRoot, tsc } from '../src/tsc.js';

// Core's type tests (packages/core/test/*.test-d.ts: expectTypeOf and @ts-expect-error,
// so a hole that lets a wrong call compile fails as an unused directive) under every
// compiler and both settings of exactOptionalPropertyTypes that users build with.
// `vitest --typecheck` in core runs them under 5.9 without the flag; this covers the rest.
const core = join(repoRoot, 'packages/core');
const configs = {
  strict: 'tsconfig.types.json',
  'strict + exactOptionalPropertyTypes': 'tsconfig.types-exact.json',
};

describe("core's type tests", () => {
  for (const [compiler, major] of [
    ['5.9', 'Version 5.'],
    ['7', 'Version 7.'],
  ] as [Compiler, string][]) {
    it(`run under TypeScript ${compiler}`, async ({ expect }) => {
      const { output } = await tsc(compiler, ['--version']);
      expect(output).toContain(major);
    });

    for (const [mode, config] of Object.entries(configs)) {
      it(`pass under TypeScript ${compiler}, ${mode}`, async ({ expect }) => {
        const run = await tsc(compiler, ['--noEmit', '-p', join(core, config)]);
        expect(run.output).toBe('');
        expect(run.code).toBe(0);
      });
    }
  }
});
