// Core's public surface, one entry per audience (issue 14): applications import
// `@statewire/core`, transport authors `@statewire/core/transport`, tests
// `@statewire/core/testing`. A name that joins or leaves an entry is a semver decision, so
// each entry's list is spelled out here and a new export has to be placed deliberately.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as app from '../src/index.js';
import * as testing from '../src/testing.js';
import * as transport from '../src/transport.js';

/** What an application needs: the Store, its types, errors, codecs and the memory store. */
const APP = [
  'AtomicOperation',
  'CallOptions',
  'Capabilities',
  'CommitResult',
  'ConditionalSetOptions',
  'createMemoryStore',
  'DeleteOptions',
  'Encoded',
  'Entry',
  'ErrorCode',
  'ExpectedVersion',
  'IncrementOptions',
  'jsonCodec',
  'KeyOf',
  'MAX_ATOMIC_STEPS',
  'MAX_VALUE_DEPTH',
  'MAX_VERSION_LENGTH',
  'MemoryStoreOptions',
  'NumericKeyOf',
  'ScanOptions',
  'ScanPage',
  'SetOptions',
  'StateError',
  'StateErrorCode',
  'Store',
  'ValueCodec',
  'ValuesOf',
  'VersionedEntriesOf',
  'VersionedEntry',
];

/** What a transport author builds a store from. */
const TRANSPORT = [
  'assertNamespace',
  'Backend',
  'BackendStats',
  'BaseStore',
  'BaseStoreOptions',
  'BatchLimits',
  'booleanOption',
  'CallQueue',
  'CallQueueOptions',
  'CapabilityFlag',
  'checkKey',
  'checkPrefix',
  'readTimeout',
  'ClientEngine',
  'ClientEngineOptions',
  'ClientEngineStats',
  'ClientOptions',
  'connectStore',
  'createStore',
  'DeclaredFlags',
  'DEFAULT_MAX_BATCH_KEYS',
  'DEFAULT_MAX_KEY_BYTES',
  'DEFAULT_MAX_VALUE_BYTES',
  'DEFAULT_TIMEOUT_MS',
  'defaultMaxReplyBytes',
  'defineCapabilities',
  'describeType',
  'encodedSize',
  'ENGINE_DEFAULTS',
  'ExecuteOptions',
  'Executor',
  'FRAME_TAG',
  'FrameLimits',
  'HostEngine',
  'HostEngineOptions',
  'HostOptions',
  'HostStats',
  'isStateErrorCode',
  'isTagged',
  'LimitOptions',
  'Link',
  'LinkHandlers',
  'LinkStore',
  'LinkStoreAssembly',
  'markNotApplied',
  'maxCallBytes',
  'maxRequestFrameBytes',
  'MemoryBackend',
  'MemoryBackendOptions',
  'MemoryBackendStats',
  'MutationKind',
  'Op',
  'OpArgs',
  'OpCode',
  'opNames',
  'OpResult',
  'optionsObject',
  'OPTION_NAMES',
  'optionNames',
  'checkOptionNames',
  'PendingCalls',
  'IdTable',
  'PendingCallsHooks',
  'positiveInteger',
  'positiveNumber',
  'PROTOCOL_VERSION',
  'readCallOptions',
  'readTtl',
  'SCAN_PAGE_BYTES',
  'scanPageBytes',
  'whyNotAStore',
  'ResolvedClientOptions',
  'ResolvedHostOptions',
  'ResolvedStoreOptions',
  'resolveClientOptions',
  'resolveHostOptions',
  'resolveLimits',
  'resolveStoreOptions',
  'StateErrorOptions',
  'StoreAssembly',
  'storeCapabilities',
  'StoreLimits',
  'StoreOptions',
  'WireCheck',
  'WireCommitResult',
  'WireEntry',
  'WireMutation',
  'WireTtl',
  'writeOps',
];

/** The in-memory loopback, for tests. */
const TESTING = [
  'createLoopbackPair',
  'LoopbackHost',
  'LoopbackHostOptions',
  'LoopbackLink',
  'LoopbackPair',
  'serveLoopback',
];

/** Frame names a transport needs to recognise statewire messages on a channel of its own. */
const FRAME_NAMES_IN_TRANSPORT = ['FRAME_TAG', 'PROTOCOL_VERSION', 'isTagged'];

const ENTRIES = ['index.ts', 'transport.ts', 'testing.ts'] as const;
const INTERNAL = ['dispatch.ts', 'frames.ts'] as const;
type Module = (typeof ENTRIES)[number] | (typeof INTERNAL)[number];

let declared: Map<Module, string[]> | undefined;
/**
 * Every name each module exports, types included (a runtime import sees only values), as
 * the compiler resolves them through re-exports and `export *`.
 */
function exportsOf(module: Module): string[] {
  if (!declared) {
    const path = (name: Module) => fileURLToPath(new URL(`../src/${name}`, import.meta.url));
    const modules = [...ENTRIES, ...INTERNAL];
    const program = ts.createProgram(modules.map(path), {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      // Only the module graph matters here: no lib or @types to load.
      noLib: true,
      types: [],
    });
    const checker = program.getTypeChecker();
    declared = new Map(
      modules.map((name) => {
        const source = program.getSourceFile(path(name));
        const symbol = source && checker.getSymbolAtLocation(source);
        if (!symbol) throw new Error(`the compiler did not load src/${name}`);
        return [name, checker.getExportsOfModule(symbol).map((s) => s.name)];
      }),
    );
  }
  return declared.get(module) ?? [];
}

const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b));

/** What no entry may export: the dispatch table and the wire frames' shapes. */
function internalNames(): string[] {
  return [
    ...exportsOf('dispatch.ts'),
    ...exportsOf('frames.ts').filter((name) => !FRAME_NAMES_IN_TRANSPORT.includes(name)),
  ];
}

describe('entry points', () => {
  it('@statewire/core exports exactly the application names', () => {
    expect(sorted(exportsOf('index.ts'))).toEqual(sorted(APP));
  });

  it('@statewire/core/transport exports exactly the transport names', () => {
    expect(sorted(exportsOf('transport.ts'))).toEqual(sorted(TRANSPORT));
  });

  it('@statewire/core/testing exports exactly the loopback names', () => {
    expect(sorted(exportsOf('testing.ts'))).toEqual(sorted(TESTING));
  });

  it.each(ENTRIES)('src/%s exports neither dispatch nor a wire frame type', (entry) => {
    const internal = new Set(internalNames());
    expect(internal).toContain('dispatch');
    expect(exportsOf(entry).filter((name) => internal.has(name))).toEqual([]);
  });

  it('every name of the main entry has exactly one audience, or is internal', () => {
    const internal = new Set(internalNames());
    const unplaced = exportsOf('index.ts').filter((name) => {
      const homes = [APP, TRANSPORT, TESTING].filter((list) => list.includes(name)).length;
      return internal.has(name) ? homes !== 0 : homes !== 1;
    });
    expect(unplaced).toEqual([]);
  });

  it('the entries load, and each runtime export is one of its declared names', () => {
    for (const [entry, loaded] of [
      ['index.ts', app],
      ['transport.ts', transport],
      ['testing.ts', testing],
    ] as const) {
      expect(Object.keys(loaded).length).toBeGreaterThan(0);
      expect(Object.keys(loaded).filter((name) => !exportsOf(entry).includes(name))).toEqual([]);
    }
    expect('dispatch' in transport).toBe(false);
    expect(typeof testing.serveLoopback).toBe('function');
  });
});
