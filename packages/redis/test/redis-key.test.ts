import { describe, expect, it } from 'vitest';
import { escapeGlob, RedisKeyLayout } from '../src/redis-key.js';

describe('RedisKeyLayout', () => {
  it('toRedis() puts the prefix, the namespace length and the namespace first', () => {
    expect(new RedisKeyLayout('statewire:', '').toRedis('hits')).toBe('statewire:0::hits');
    expect(new RedisKeyLayout('statewire:', 'users').toRedis('alice')).toBe(
      'statewire:5:users:alice',
    );
  });

  it('toRedis() is injective across namespace/key splits', () => {
    const a = new RedisKeyLayout('p:', 'a').toRedis(':b');
    const b = new RedisKeyLayout('p:', 'a:').toRedis('b');
    expect(a).not.toBe(b);
    const seen = new Set<string>();
    const parts = ['', 'a', ':', 'a:', ':a', '1', '1:', '0:', 'a:b'];
    for (const namespace of parts) {
      for (const key of parts.filter(Boolean)) {
        seen.add(new RedisKeyLayout('p:', namespace).toRedis(key));
      }
    }
    expect(seen.size).toBe(parts.length * (parts.length - 1));
  });

  it('fromRedis() inverts toRedis()', () => {
    const layout = new RedisKeyLayout('x', 'ns:with:colons');
    for (const key of ['a', ':', 'emoji 🎉', 'x*y']) {
      expect(layout.fromRedis(layout.toRedis(key))).toBe(key);
    }
  });

  it('pattern() escapes glob characters of the prefix, namespace and key prefix', () => {
    expect(new RedisKeyLayout('a*[b]?\\', 'n^s').pattern('k*')).toBe(
      'a\\*\\[b\\]\\?\\\\3:n\\^s:k\\**',
    );
  });
});

describe('escapeGlob()', () => {
  it('escapes every character Redis SCAN MATCH treats specially', () => {
    expect(escapeGlob('*?[]\\^plain:')).toBe('\\*\\?\\[\\]\\\\\\^plain:');
  });
});
