import { ErrorCode, StateError } from '@statewire/core';
import { Op, type OpArgs, type OpCode, type WireEntry } from '@statewire/core/transport';
import { giveBack } from './allocation-pool.js';
import { ATOMIC_LUA, atomicScriptArgs, readCommitReply } from './atomic-script.js';
import { INCREMENT_LUA } from './increment-script.js';
import type { KeyspaceScan } from './keyspace-scan.js';
import type { ReadSizes } from './merge-policy.js';
import type { Arg, Callback, CallReplies, RedisCall, Sink } from './redis-call.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeyLayout } from './redis-key.js';
import { groupBySlot, slotOf } from './redis-slot.js';
import type { WaitForReplicas } from './redis-store-options.js';
import { unreplicated } from './replica-acks.js';
import { FramedCommand, setFrame } from './set-frame.js';
import type { VersionGenerator } from './version-generator.js';
import { payloadOf, versionedValue, versionOf } from './versioned-value.js';

/** What the commands of a call work with. */
export interface CommandContext extends CallReplies {
  /** Where commands are written (the store's client). */
  readonly sink: Sink;
  /** The store's client, for the SCAN work's own commands. */
  readonly client: RedisClient;
  /** A Cluster routes each command by slot: multi-key commands are split per slot. */
  readonly cluster: boolean;
  /**
   * Commands may be handed to the client ready-made ({@link FramedCommand}): a standalone
   * client without auto-pipelining, which writes each command as it gets it.
   */
  readonly framed: boolean;
  readonly layout: RedisKeyLayout;
  readonly scanner: KeyspaceScan;
  readonly waitForReplicas: WaitForReplicas | undefined;
  /** The sizes of the values `get`s read lately: whether gets share an `MGET`. */
  readonly reads: ReadSizes;
  /** The versions this store's writes store with their values. */
  readonly versions: VersionGenerator;
  /** Whether the call still waits for its result (SCAN work stops once it settled). */
  live(call: RedisCall): boolean;
}

/** Runs one operation: writes its commands and settles the call from their replies. */
export type Command = (context: CommandContext, call: RedisCall) => void;

function reply<T>(
  context: CommandContext,
  call: RedisCall,
  then: (result: T) => unknown,
): Callback<T> {
  return (error, result) => {
    if (error) context.fail(call, error, false);
    else context.settle(call, then(result as T));
  };
}

function get(context: CommandContext, call: RedisCall): void {
  const [key] = call.args as OpArgs[typeof Op.get];
  context.sink.callBuffer(
    'get',
    context.layout.toRedis(key),
    reply<Buffer | null>(context, call, (value) => {
      context.reads.record(value?.length ?? 0);
      return value ? payloadOf(value) : null;
    }),
  );
}

function set(context: CommandContext, call: RedisCall): void {
  const [key, value, ttl] = call.args as OpArgs[typeof Op.set];
  const redisKey = context.layout.toRedis(key);
  const stored = versionedValue(context.versions.next(), value);
  const done = reply(context, call, () => null);
  // A value with room for it (encoded to 1 KiB or more) goes out as a ready-made frame, not
  // copied, in memory that serves another large write once Redis has answered (`allocation-pool.ts`).
  const args: (string | Buffer)[] = [redisKey, stored];
  if (ttl > 0) args.push('PX', String(ttl));
  const frame = context.framed ? setFrame(redisKey, stored, ttl) : undefined;
  if (frame !== undefined) {
    const sent = new FramedCommand('set', args, frame, (error, result) => {
      done(error, result);
      // Answered: Redis has read the whole frame, so its memory can serve another write.
      if (!error) giveBack(frame);
    });
    context.sink.sendCommand(sent);
    return;
  }
  context.sink.call('set', ...args, done);
}

function setIfAbsent(context: CommandContext, call: RedisCall): void {
  const [key, value, ttl] = call.args as OpArgs[typeof Op.setIfAbsent];
  const stored = versionedValue(context.versions.next(), value);
  const args: Arg[] = [context.layout.toRedis(key), stored, 'NX'];
  if (ttl > 0) args.push('PX', ttl);
  context.sink.call(
    'set',
    ...args,
    reply<unknown>(context, call, (result) => result === 'OK'),
  );
}

// `delete` is one `UNLINK`, `has` one `EXISTS`: each answers whether it counted the key.
function countsKey(command: 'unlink' | 'exists'): Command {
  return (context, call) => {
    const [key] = call.args as OpArgs[typeof Op.delete | typeof Op.has];
    context.sink.call(
      command,
      context.layout.toRedis(key),
      reply<number>(context, call, (count) => Number(count) > 0),
    );
  };
}

function increment(context: CommandContext, call: RedisCall): void {
  const [key, by, ttl] = call.args as OpArgs[typeof Op.increment];
  // EVAL with the body, never EVALSHA: see INCREMENT_LUA on NOSCRIPT reordering.
  context.sink.call(
    'eval',
    INCREMENT_LUA,
    1,
    context.layout.toRedis(key),
    String(by),
    String(ttl ?? 0),
    context.versions.next(),
    reply<string | number>(context, call, Number),
  );
}

function keys(context: CommandContext, call: RedisCall): void {
  const [prefix] = call.args as OpArgs[typeof Op.keys];
  context.scanner
    .keys(prefix, () => context.live(call))
    .then(
      (found) => context.settle(call, found),
      (error: unknown) => context.fail(call, error, false),
    );
}

async function clearAll(context: CommandContext, call: RedisCall): Promise<null> {
  await context.scanner.clear(() => context.live(call));
  const wait = context.waitForReplicas;
  if (wait && context.live(call)) {
    const count = Number(await context.client.call('wait', wait.replicas, wait.timeout));
    if (count < wait.replicas) throw unreplicated(Op.clear, count, wait);
  }
  return null;
}

function clear(context: CommandContext, call: RedisCall): void {
  clearAll(context, call).then(
    (value) => context.settle(call, value),
    // Some keys may be gone already.
    (error: unknown) => context.fail(call, error, true),
  );
}

function scan(context: CommandContext, call: RedisCall): void {
  const [prefix, cursor, count] = call.args as OpArgs[typeof Op.scan];
  context.scanner.page(prefix, cursor, count).then(
    (page) => context.settle(call, page),
    (error: unknown) => context.fail(call, error, false),
  );
}

// MGET of `redisKeys` (one per slot on a Cluster), then `done` with the stored values
// aligned with the keys (`null` where missing, or holding another Redis type).
function readMany(
  context: CommandContext,
  call: RedisCall,
  redisKeys: string[],
  done: (stored: (Buffer | null)[]) => unknown,
): void {
  if (!context.cluster) {
    context.sink.callBuffer('mget', redisKeys, (error, values?: (Buffer | null)[]) => {
      if (error || !values) context.fail(call, error, false);
      else context.settle(call, done(values));
    });
    return;
  }
  const values: (Buffer | null)[] = new Array(redisKeys.length).fill(null);
  const groups = groupBySlot(redisKeys);
  let left = groups.length;
  for (const group of groups) {
    context.sink.callBuffer(
      'mget',
      group.map((i) => redisKeys[i] as string),
      (error, result?: (Buffer | null)[]) => {
        if (error || !result) return context.fail(call, error, false);
        for (let j = 0; j < group.length; j++) values[group[j] as number] = result[j] ?? null;
        if (--left === 0) context.settle(call, done(values));
      },
    );
  }
}

/** A command that reads its call's keys (`getMany`, `getEntries`) and maps each value found. */
function readKeys(read: (stored: Buffer) => unknown): Command {
  return (context, call) => {
    const [wanted] = call.args as OpArgs[typeof Op.getMany | typeof Op.getEntries];
    readMany(
      context,
      call,
      wanted.map((key) => context.layout.toRedis(key)),
      (stored) => stored.map((value) => (value ? read(value) : null)),
    );
  };
}

const getMany = readKeys(payloadOf);
const getEntries = readKeys((value) => [payloadOf(value), versionOf(value)]);

// The indexes of `redisKeys` that one multi-key command may carry: all of them on a
// standalone server, those of each slot on a Cluster.
function commandGroups(context: CommandContext, redisKeys: readonly string[]): number[][] {
  return context.cluster ? groupBySlot(redisKeys) : [redisKeys.map((_, i) => i)];
}

function setMany(context: CommandContext, call: RedisCall): void {
  const [entries] = call.args as OpArgs[typeof Op.setMany];
  const { layout, sink } = context;
  if (entries.every((entry) => entry[2] === 0)) {
    // Without ttls, one atomic MSET (per slot on a Cluster: one in all under a hash tag).
    const redisKeys = entries.map(([key]) => layout.toRedis(key));
    const groups = commandGroups(context, redisKeys);
    const partial = groups.length > 1;
    let left = groups.length;
    for (const group of groups) {
      const args: (string | Buffer)[] = [];
      for (const i of group) {
        const value = (entries[i] as WireEntry)[1];
        args.push(redisKeys[i] as string, versionedValue(context.versions.next(), value));
      }
      sink.call('mset', args, (error) => {
        if (error) return context.fail(call, error, partial);
        if (--left === 0) context.settle(call, null);
      });
    }
    return;
  }
  // With a ttl, one SET per entry (each with its own PX), in one write on a standalone
  // server and routed by slot on a Cluster. Not atomic as a whole; a failure says
  // maybeApplied.
  let left = entries.length;
  const partial = entries.length > 1;
  for (const [key, value, ttl] of entries as readonly WireEntry[]) {
    const args: Arg[] = [layout.toRedis(key), versionedValue(context.versions.next(), value)];
    if (ttl > 0) args.push('PX', ttl);
    sink.call('set', ...args, (error) => {
      if (error) return context.fail(call, error, partial);
      if (--left === 0) context.settle(call, null);
    });
  }
}

function deleteMany(context: CommandContext, call: RedisCall): void {
  const [wanted] = call.args as OpArgs[typeof Op.deleteMany];
  const redisKeys = wanted.map((key) => context.layout.toRedis(key));
  const groups = commandGroups(context, redisKeys);
  const partial = groups.length > 1;
  let left = groups.length;
  let total = 0;
  for (const group of groups) {
    context.sink.call(
      'unlink',
      group.map((i) => redisKeys[i] as string),
      (error, count) => {
        if (error) return context.fail(call, error, partial);
        total += Number(count);
        if (--left === 0) context.settle(call, total);
      },
    );
  }
}

/**
 * A compare-and-set or atomic commit: one `EVAL` of {@link ATOMIC_LUA} with every key in
 * `KEYS`. Redis Cluster runs a script only on keys of one slot; a commit whose keys span
 * slots is refused here, before anything is sent, rather than half-applied or answered
 * `CROSSSLOT` by the server.
 */
function atomic(context: CommandContext, call: RedisCall): void {
  const [checks, mutations] = call.args as OpArgs[typeof Op.atomic];
  const { keys, args } = atomicScriptArgs(checks, mutations, context.layout, context.versions);
  if (context.cluster && !oneSlot(keys)) {
    context.fail(
      call,
      new StateError(
        ErrorCode.NOT_SUPPORTED,
        'redis: atomic() on a Cluster needs every key in one hash slot: give the keys a common hash tag ({…}) so they share a slot; nothing was written',
        { maybeApplied: false },
      ),
      false,
    );
    return;
  }
  // EVAL with the body, never EVALSHA: see INCREMENT_LUA on NOSCRIPT reordering.
  context.sink.call('eval', ATOMIC_LUA, keys.length, keys, args, (error, result) => {
    if (error) return context.fail(call, error, false);
    let answer: unknown;
    try {
      answer = readCommitReply(result, checks);
    } catch (unreadable) {
      return context.fail(call, unreadable, false);
    }
    context.settle(call, answer);
  });
}

function oneSlot(keys: readonly string[]): boolean {
  const slot = slotOf(keys[0] as string);
  return keys.every((key) => slotOf(key) === slot);
}

/**
 * The commands of each operation (like unstorage's Redis driver: one function per
 * operation). `keys` and `clear` run as barriers: the executor sends nothing after them
 * until they settle.
 */
export const commands = {
  [Op.get]: get,
  [Op.set]: set,
  [Op.delete]: countsKey('unlink'),
  [Op.has]: countsKey('exists'),
  [Op.keys]: keys,
  [Op.clear]: clear,
  [Op.getMany]: getMany,
  [Op.setMany]: setMany,
  [Op.deleteMany]: deleteMany,
  [Op.increment]: increment,
  [Op.setIfAbsent]: setIfAbsent,
  [Op.scan]: scan,
  [Op.getEntries]: getEntries,
  [Op.atomic]: atomic,
} satisfies Record<OpCode, Command>;

/** The Redis keys a call's commands name (none for `scan`, which names its master). */
export function keysOf(layout: RedisKeyLayout, call: RedisCall): string[] {
  switch (call.op) {
    case Op.getMany:
    case Op.deleteMany:
    case Op.getEntries:
      return (call.args[0] as string[]).map((key) => layout.toRedis(key));
    case Op.atomic: {
      const [checks, mutations] = call.args as OpArgs[typeof Op.atomic];
      const keys = [...checks.map((check) => check[0]), ...mutations.map((step) => step[1])];
      return keys.map((key) => layout.toRedis(key));
    }
    case Op.setMany:
      return (call.args[0] as WireEntry[]).map((entry) => layout.toRedis(entry[0]));
    case Op.scan:
      return [];
    default:
      return [layout.toRedis(call.args[0] as string)];
  }
}

/** Runs `call`'s operation; anything it throws fails the call alone. */
export function runCommand(context: CommandContext, call: RedisCall): void {
  const command = (commands as Record<number, Command | undefined>)[call.op];
  try {
    if (command) command(context, call);
    else context.fail(call, new Error(`unknown operation ${String(call.op)}`), false);
  } catch (error) {
    context.fail(call, error, false);
  }
}
