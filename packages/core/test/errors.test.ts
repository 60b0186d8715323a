import { describe, expect, it } from 'vitest';
import { ErrorCode, StateError, type StateErrorCode } from '../src/index.js';
import { isStateErrorCode } from '../src/transport.js';

const CODES = [
  'INVALID_KEY',
  'INVALID_VALUE',
  'TOO_LARGE',
  'WRONG_TYPE',
  'TIMEOUT',
  'ABORTED',
  'CLOSED',
  'CONNECTION_LOST',
  'UNAVAILABLE',
  'OVERLOADED',
  'PROTOCOL',
  'NOT_SUPPORTED',
  'BACKEND',
  'AUTH',
  'NOPERM',
  'CONFLICT',
];

describe('ErrorCode', () => {
  it('ErrorCode is the closed list of stable codes, each named after itself', () => {
    expect(Object.keys(ErrorCode).sort()).toEqual([...CODES].sort());
    for (const [name, value] of Object.entries(ErrorCode)) expect(value).toBe(name);
  });

  it('isStateErrorCode() accepts exactly the listed codes', () => {
    for (const code of CODES) expect(isStateErrorCode(code)).toBe(true);
    for (const other of ['', 'timeout', 'ERR', 'constructor', '__proto__', 1, null, undefined]) {
      expect(isStateErrorCode(other)).toBe(false);
    }
  });
});

describe('StateError', () => {
  it('StateError is an Error with name, code and message', () => {
    const error = new StateError('TIMEOUT', 'test: get() timed out');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(StateError);
    expect(error.name).toBe('StateError');
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('test: get() timed out');
    expect(error.stack).toContain('StateError');
  });

  it('StateError keeps cause and maybeApplied', () => {
    const cause = new Error('underlying');
    const error = new StateError('CONNECTION_LOST', 'lost', { cause, maybeApplied: true });
    expect(error.cause).toBe(cause);
    expect(error.maybeApplied).toBe(true);
    expect(new StateError('TIMEOUT', 'x', { maybeApplied: false }).maybeApplied).toBe(false);
  });

  it('StateError without options has neither cause nor maybeApplied', () => {
    const error = new StateError('BACKEND', 'x');
    expect('cause' in error).toBe(false);
    expect('maybeApplied' in error).toBe(false);
  });

  it('StateError keeps a falsy non-undefined cause', () => {
    expect(new StateError('BACKEND', 'x', { cause: 0 }).cause).toBe(0);
    expect(new StateError('BACKEND', 'x', { cause: null }).cause).toBe(null);
  });

  it('is() recognises a StateError, optionally of one code', () => {
    const error = new StateError('TIMEOUT', 'x');
    expect(StateError.is(error)).toBe(true);
    expect(StateError.is(error, 'TIMEOUT')).toBe(true);
    expect(StateError.is(error, 'CLOSED')).toBe(false);
  });

  it('is() recognises an error made by a second copy of core (the Symbol.for brand)', () => {
    // What another copy of @statewire/core would make: its own class, the same registry symbol.
    class OtherStateError extends Error {
      readonly code: StateErrorCode = 'OVERLOADED';
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for('statewire.StateError'), { value: true });
      }
    }
    const foreign = new OtherStateError('from the other copy');
    expect(foreign instanceof StateError).toBe(false);
    expect(StateError.is(foreign)).toBe(true);
    expect(StateError.is(foreign, 'OVERLOADED')).toBe(true);
    expect(StateError.is(foreign, 'TIMEOUT')).toBe(false);
    const plain = { [Symbol.for('statewire.StateError')]: true, code: 'CLOSED' };
    expect(StateError.is(plain, 'CLOSED')).toBe(true);
  });

  it('is() rejects look-alikes without the brand, or with a brand that is not true', () => {
    const lookAlikes: unknown[] = [
      new Error('x'),
      Object.assign(new Error('x'), { code: 'TIMEOUT', name: 'StateError' }),
      { code: 'TIMEOUT' },
      { [Symbol('statewire.StateError')]: true, code: 'TIMEOUT' },
      { [Symbol.for('statewire.StateError')]: 1, code: 'TIMEOUT' },
      { [Symbol.for('statewire.StateError')]: 'true', code: 'TIMEOUT' },
      null,
      undefined,
      'TIMEOUT',
      42,
    ];
    for (const value of lookAlikes) expect(StateError.is(value)).toBe(false);
  });

  it('is() narrows the type', () => {
    const error: unknown = new StateError('TOO_LARGE', 'x');
    if (StateError.is(error, 'TOO_LARGE')) expect(error.code).toBe('TOO_LARGE');
    else expect.unreachable();
  });
});
