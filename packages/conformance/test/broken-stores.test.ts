import { basename } from 'node:path';
import { MAX_VALUE_DEPTH } from '@statewire/core';
import { beforeAll, describe, it } from 'vitest';
import { type FixtureRun, type ReportedFile, runFixtures } from './run-fixtures.js';

// Each deliberately broken store in test/fixtures/broken, what it breaks, and the tests
// of the suite (group, test name) that must fail on it. Every one of these tests must pass
// on a correct store with the same capabilities in the same run: the memory store
// (control.ts, which runs describeBoundedHolder() on a bounded one too), for binary fixtures
// a memory store with a binary codec (control-binary.ts), and for fixtures without versions
// a memory store that declares none (control-no-versions.ts). A fixture runs
// describeConformance(), or the one entry named by `runs` (a group run on its own, to keep
// the run short, or describeBoundedHolder()).
const fixtures: {
  file: string;
  breaks: string;
  control?: 'control-binary' | 'control-no-versions';
  runs?: string;
  caughtBy: [string, string][];
}[] = [
  {
    file: 'zero-as-missing',
    breaks: 'reads a stored 0 back as missing',
    caughtBy: [
      ['values', 'get() of a stored 0 resolves 0, not missing'],
      ['values', 'set() of the number 0 round-trips exactly'],
    ],
  },
  {
    file: 'buffer-as-json',
    breaks: 'declares binary but reads a Buffer back as { type, data }',
    control: 'control-binary',
    caughtBy: [
      ['values', 'set() of a Buffer round-trips exactly'],
      ['values', 'set() of a 1 MiB random Buffer round-trips exactly'],
    ],
  },
  {
    file: 'swallows-errors',
    breaks: 'resolves undefined instead of rejecting a failed call',
    caughtBy: [
      ['keys', 'get() rejects non-string keys with INVALID_KEY, never throwing'],
      ['lifecycle', 'get() after close() rejects CLOSED'],
      [
        'errors',
        'get(), set() and every other method reject with a StateError with a known code and a message',
      ],
    ],
  },
  {
    file: 'proto-pollution',
    breaks: 'keeps keys in a plain object and pollutes Object.prototype through __proto__',
    caughtBy: [
      ['keys', 'set() and get() round-trip prototype-named keys without polluting prototypes'],
      ['keys', 'get() and has() of missing prototype-named keys resolve undefined and false'],
    ],
  },
  {
    file: 'non-atomic-increment',
    breaks: 'increments with get, a tick, then set',
    caughtBy: [
      ['atomic', 'increment() from several stores of one namespace at once loses no update'],
      ['basic', 'increment() issued many times at once loses nothing'],
    ],
  },
  {
    file: 'close-hangs',
    breaks: 'leaves the calls pending at close() hanging forever',
    caughtBy: [
      ['lifecycle', 'close() with calls pending settles every call, resolved or rejected CLOSED'],
    ],
  },
  {
    file: 'throws-sync',
    breaks: 'throws synchronously on a bad key',
    caughtBy: [
      ['keys', 'get() rejects non-string keys with INVALID_KEY, never throwing'],
      ['keys', 'set() rejects the empty string with INVALID_KEY'],
    ],
  },
  {
    file: 'keys-leak',
    breaks: "lists another namespace's keys in keys()",
    caughtBy: [
      ['namespaces', "get(), has(), getMany() and keys() never see another namespace's keys"],
    ],
  },
  {
    file: 'naive-namespace-join',
    breaks: 'joins namespace and key with a colon',
    caughtBy: [
      [
        'namespaces',
        "set() of key ':b' in namespace 'a' and of key 'b' in namespace 'a:' keeps two keys",
      ],
      ['namespaces', 'keys() and clear() of a namespace skip namespaces that extend its name'],
    ],
  },
  {
    file: 'increment-ttl-resets',
    breaks: 'sets the ttl again on every increment()',
    caughtBy: [['ttl', 'increment() with ttl: later increments never reset or extend the expiry']],
  },
  {
    file: 'scan-drops-keys',
    breaks: 'drops the last key of every full scan() page',
    caughtBy: [
      ['scan', 'scan() in small pages returns every key, and only keys of its namespace'],
      ['scan', 'scan() returns every key present for the whole scan while others change'],
    ],
  },
  {
    file: 'ignores-if-version',
    breaks: 'declares no versions yet ignores ifVersion, writing unconditionally',
    control: 'control-no-versions',
    caughtBy: [
      [
        'versions not supported',
        'getEntry(), getEntries(), ifVersion and atomic().check() reject NOT_SUPPORTED and write nothing',
      ],
    ],
  },
  {
    file: 'cas-ignores-version',
    breaks: 'declares versions but writes over an existing key whatever its ifVersion',
    caughtBy: [
      [
        'versions',
        'set() with a stale ifVersion rejects CONFLICT (maybeApplied: false), writes nothing and keeps the version',
      ],
      [
        'versions',
        'set() with ifVersion: null creates a missing key, and rejects CONFLICT when it exists',
      ],
      [
        'versions',
        'set() with ifVersion from several stores of one namespace at once loses no update',
      ],
    ],
  },
  {
    file: 'reuses-versions',
    breaks: 'numbers versions per key from 1 again after a delete (ABA)',
    caughtBy: [
      [
        'versions',
        'set() after delete() of the same value gives a new version, and the old one never matches again (ABA)',
      ],
      ['versions', '10,000 writes give 10,000 versions, none repeated for its key'],
    ],
  },
  {
    file: 'close-never-settles',
    breaks: 'close() never settles (and the run must stay short all the same)',
    caughtBy: [
      ['lifecycle', 'close() twice, or twice at once, resolves each time'],
      ['lifecycle', 'close() with calls pending settles every call, resolved or rejected CLOSED'],
    ],
  },
  {
    file: 'wrong-manifest',
    breaks: 'declares binary and structured on a JSON store',
    caughtBy: [['capabilities', 'capabilities equals the expected manifest']],
  },
  {
    file: 'wrong-manifest-group',
    breaks: 'declares binary and structured on a JSON store, to one group run on its own',
    runs: 'describeBasic',
    caughtBy: [
      ['basic', 'get() of a missing key resolves undefined'],
      ['basic', 'set() overwrites the previous value'],
    ],
  },
  {
    file: 'ignores-unknown-options',
    breaks:
      'drops the options a call does not take (tll, ifVersion on increment) instead of refusing them',
    runs: 'describeLifecycle',
    caughtBy: [
      [
        'lifecycle',
        'set(), increment() and delete() reject an option they do not take (tll, ifVersion on increment, ttl on delete) with TypeError and write nothing',
      ],
      [
        'lifecycle',
        'atomic().set() with an option it does not take (tll) makes commit() reject TypeError and write nothing, the builder never throwing; tll: undefined commits',
      ],
      [
        'lifecycle',
        'setIfAbsent() rejects an ifVersion option with TypeError and writes nothing, never ignoring it',
      ],
    ],
  },
  {
    file: 'refuses-undefined-options',
    breaks: 'refuses an option a call does not take even when it is undefined',
    runs: 'describeLifecycle',
    caughtBy: [
      [
        'lifecycle',
        'set(), increment() and delete() let an option they do not take through when it is undefined: it asks for nothing',
      ],
      [
        'lifecycle',
        'atomic().set() with an option it does not take (tll) makes commit() reject TypeError and write nothing, the builder never throwing; tll: undefined commits',
      ],
    ],
  },
  {
    file: 'deep-values-too-large',
    breaks: 'refuses values MAX_VALUE_DEPTH levels deep (counting the leaf), with TOO_LARGE',
    runs: 'describeValueRules',
    caughtBy: [
      [
        'values',
        `set() of an array nested MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) levels deep round-trips exactly`,
      ],
      [
        'values',
        `set() of an object nested MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) levels deep round-trips exactly`,
      ],
      [
        'values',
        `set() of an array nested MAX_VALUE_DEPTH + 1 (${MAX_VALUE_DEPTH + 1}) levels deep round-trips exactly or rejects INVALID_VALUE`,
      ],
      [
        'values',
        `set() of an object nested MAX_VALUE_DEPTH + 1 (${MAX_VALUE_DEPTH + 1}) levels deep round-trips exactly or rejects INVALID_VALUE`,
      ],
      [
        'values',
        `set() of values nested deeper than MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) affects those calls only: each round-trips or rejects INVALID_VALUE, and the store keeps working`,
      ],
    ],
  },
  {
    file: 'batch-evicts-own-writes',
    breaks:
      'applies a setMany() or commit entry by entry on a bounded holder, evicting its own first entries',
    runs: 'describeBoundedHolder',
    caughtBy: [
      [
        'bounded holder',
        'setMany() of more entries than maxEntries (201) rejects TOO_LARGE and applies no entry',
      ],
      [
        'bounded holder',
        'atomic() commit() of more sets than maxEntries (201) rejects TOO_LARGE and applies none',
      ],
      [
        'bounded holder',
        "setMany() with one entry over the holder's maxBytes (65536) rejects TOO_LARGE and applies no entry",
      ],
    ],
  },
  {
    file: 'evicts-by-first-write',
    breaks: 'evicts the entry written first on a bounded holder, though a write just rewrote it',
    runs: 'describeBoundedHolder',
    caughtBy: [
      [
        'bounded holder',
        'setMany() of maxEntries (200) entries into a full holder keeps every one of its own entries, evicting only older ones',
      ],
      [
        'bounded holder',
        'atomic() commit() of maxEntries (200) sets into a full holder keeps every one of its own sets, evicting only older entries',
      ],
      [
        'bounded holder',
        'setMany() of more entries than maxEntries (201) rejects TOO_LARGE and applies no entry',
      ],
      [
        'bounded holder',
        'atomic() commit() of more sets than maxEntries (201) rejects TOO_LARGE and applies none',
      ],
    ],
  },
];

// Generous: twenty-five suite runs (the fixtures, some of one group only, and three controls)
// on two possibly busy cores. A run that takes longer is killed and fails every test below,
// rather than hanging this one.
const RUN_BOUND_MS = 360_000;

describe('the suite against deliberately broken stores', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixtures(RUN_BOUND_MS);
  }, RUN_BOUND_MS + 10_000);

  function file(name: string): ReportedFile | undefined {
    return run.files.find((f) => basename(f.name) === `${name}.ts`);
  }

  function status(report: ReportedFile | undefined, [group, title]: [string, string]) {
    const test = report?.assertionResults.find(
      (t) => t.title === title && t.ancestorTitles[1]?.startsWith(group) === true,
    );
    return test?.status ?? 'not found';
  }

  it('runFixtures() finishes within its bound and reports every fixture', ({ expect }) => {
    expect(run.killed, `the child vitest was killed after ${RUN_BOUND_MS} ms`).toBe(false);
    expect(run.exitCode, run.output).toBe(1);
    expect(run.files.map((f) => basename(f.name)).sort()).toEqual(
      [
        'control.ts',
        'control-binary.ts',
        'control-no-versions.ts',
        ...fixtures.map((f) => `${f.file}.ts`),
      ].sort(),
    );
  });

  for (const control of ['control', 'control-binary', 'control-no-versions']) {
    it(`describeConformance() passes on the correct store of ${control}.ts, including every test named below`, ({
      expect,
    }) => {
      const report = file(control);
      const failed = report?.assertionResults.filter((t) => t.status === 'failed') ?? [];
      expect(
        failed.map((t) => `${t.title}: ${t.failureMessages[0] ?? ''}`),
        report?.message,
      ).toEqual([]);
      for (const fixture of fixtures) {
        if ((fixture.control ?? 'control') !== control) continue;
        for (const test of fixture.caughtBy) expect(status(report, test), test[1]).toBe('passed');
      }
    });
  }

  it('describeConformance() names each test once, so a name identifies one test', ({ expect }) => {
    const titles = (file('control')?.assertionResults ?? []).map((t) => t.title);
    expect(titles.length).toBeGreaterThan(200);
    expect(titles.filter((title, i) => titles.indexOf(title) !== i)).toEqual([]);
  });

  it('describeConformance() reports a wrong manifest once and skips, visibly, the tests that follow it', ({
    expect,
  }) => {
    const tests = file('wrong-manifest')?.assertionResults ?? [];
    expect(
      tests.filter((t) => t.status === 'failed').map((t) => t.title),
      'the only failure is the manifest diff',
    ).toEqual(['capabilities equals the expected manifest']);
    const skipped = tests.filter((t) => t.status === 'skipped');
    expect(skipped.length, 'the tests of the other groups are reported skipped').toBeGreaterThan(
      200,
    );
    expect(
      tests.filter((t) => t.ancestorTitles[1] !== 'capabilities' && t.status !== 'skipped'),
      'no test outside the capabilities group ran',
    ).toEqual([]);
  });

  for (const fixture of fixtures) {
    it(`${fixture.runs ?? 'describeConformance'}() catches a store that ${fixture.breaks} (${fixture.file})`, ({
      expect,
    }) => {
      const report = file(fixture.file);
      expect(report, `${fixture.file}.ts is missing from the report`).toBeDefined();
      for (const test of fixture.caughtBy) {
        expect(status(report, test), `${test[0]} > ${test[1]}`).toBe('failed');
      }
    });
  }
});
