import { Op } from '@statewire/core/transport';
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isAuthError, sanitizeCause, toStateError } from '../src/error-mapping.js';

function reply(message: string, args: unknown[] = []): Error {
  const error = new ReplyError(message) as Error & { command?: unknown };
  error.command = { name: 'hello', args };
  return error;
}

describe('toStateError()', () => {
  const cases: [string, string][] = [
    ['WRONGPASS invalid username-password pair or user is disabled.', 'AUTH'],
    ['NOAUTH Authentication required.', 'AUTH'],
    ["NOPERM this user has no permissions to run the 'get' command", 'NOPERM'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'WRONG_TYPE'],
    ['ERR value is not an integer or out of range', 'WRONG_TYPE'],
    ['STATEWIRE_RANGE increment() result is not a safe integer', 'INVALID_VALUE'],
    ["OOM command not allowed when used memory > 'maxmemory'.", 'BACKEND'],
    ['LOADING Redis is loading the dataset in memory', 'BACKEND'],
    ["READONLY You can't write against a read only replica.", 'BACKEND'],
    ['CLUSTERDOWN The cluster is down', 'BACKEND'],
    ['TRYAGAIN Multiple keys request during rehashing of slot', 'BACKEND'],
    ['NOSCRIPT No matching script. Please use EVAL.', 'BACKEND'],
  ];
  for (const [message, code] of cases) {
    it(`maps "${message.split(' ')[0]}" replies to ${code}`, () => {
      const error = toStateError(reply(message), { op: Op.set, partial: false });
      expect(error.code).toBe(code);
      expect(error.maybeApplied).toBe(false);
      expect(error.message).toMatch(/^redis: set\(\)/);
    });
  }

  it('maps a lost connection to CONNECTION_LOST with maybeApplied for writes only', () => {
    const closed = new Error('Connection is closed.');
    const write = toStateError(closed, { op: Op.increment, partial: false });
    expect(write.code).toBe('CONNECTION_LOST');
    expect(write.maybeApplied).toBe(true);
    const read = toStateError(closed, { op: Op.get, partial: false });
    expect(read.code).toBe('CONNECTION_LOST');
    expect('maybeApplied' in read).toBe(false);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(toStateError(reset, { op: Op.set, partial: false }).code).toBe('CONNECTION_LOST');
  });

  it('maps any other failure of one command to BACKEND with maybeApplied: false (issue 12, item 14)', () => {
    // ioredis gives up on a chain of redirections with a plain Error: every attempt was refused.
    const redirections = new Error(
      'Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down',
    );
    const write = toStateError(redirections, { op: Op.set, partial: false });
    expect(write.code).toBe('BACKEND');
    expect(write.maybeApplied).toBe(false);
    const read = toStateError(redirections, { op: Op.get, partial: false });
    expect('maybeApplied' in read).toBe(false);
  });

  it('marks a refused part of a multi-command write maybeApplied', () => {
    const error = toStateError(reply('OOM no'), { op: Op.setMany, partial: true });
    expect(error.maybeApplied).toBe(true);
  });

  it('keeps the cause without the command arguments (no password, no values)', () => {
    const error = toStateError(reply('WRONGPASS nope', ['3', 'AUTH', 'app', 's3cret']), {
      op: Op.get,
      partial: false,
    });
    const cause = error.cause as Error & { command?: { args?: unknown } };
    expect(cause.message).toContain('WRONGPASS');
    expect(cause.command).toEqual({ name: 'hello' });
    expect(JSON.stringify(cause)).not.toContain('s3cret');
    expect(error.message).not.toContain('s3cret');
  });
});

describe('isAuthError()', () => {
  it('recognises refused credentials, also inside a Cluster error', () => {
    expect(isAuthError(reply('WRONGPASS x'))).toBe(true);
    expect(
      isAuthError(
        Object.assign(new Error('Failed to refresh slots cache.'), {
          lastNodeError: reply('NOAUTH x'),
        }),
      ),
    ).toBe(true);
    expect(isAuthError(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});

describe('sanitizeCause()', () => {
  it('passes non-errors through', () => {
    expect(sanitizeCause('x')).toBe('x');
  });
});
