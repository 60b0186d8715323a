import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/index.js';
import { msgpackCodec } from '../src/msgpack.js';
import { serveLoopback } from '../src/testing.js';

// Issue 12, item 6: with the msgpack codec, a Buffer read back never aliases the stored
// bytes (nor a frame): mutating it changes nothing stored and nothing another reader sees.

describe('msgpack values read back are copies (issue 12 item 6)', () => {
  it('a top-level Buffer from get() does not alias the stored bytes', async () => {
    const store = createMemoryStore({ codec: msgpackCodec });
    await store.set('k', Buffer.from('hello'));
    const first = (await store.get('k')) as Buffer;
    first.fill(0x21);
    expect(await store.get('k')).toStrictEqual(Buffer.from('hello'));
    await store.close();
  });

  it('Buffers nested in an object, an array and a Map do not alias the stored bytes', async () => {
    const store = createMemoryStore({ codec: msgpackCodec });
    const original = () => ({
      inObject: Buffer.from('abc'),
      inArray: [Buffer.from('def')],
      inMap: new Map([['m', Buffer.from('ghi')]]),
    });
    await store.set('k', original());
    const read = (await store.get('k')) as ReturnType<typeof original>;
    read.inObject.fill(0);
    read.inArray[0]?.fill(0);
    read.inMap.get('m')?.fill(0);
    expect(await store.get('k')).toStrictEqual(original());
    const [many] = await store.getMany(['k']);
    expect(many).toStrictEqual(original());
    await store.close();
  });

  it('two readers get distinct bytes', async () => {
    const store = createMemoryStore({ codec: msgpackCodec });
    await store.set('k', Buffer.from('shared'));
    const [a, b] = (await Promise.all([store.get('k'), store.get('k')])) as Buffer[];
    a?.write('XX');
    expect(b).toStrictEqual(Buffer.from('shared'));
    await store.close();
  });

  it('mutating the Buffer given to set() or setMany() afterwards changes nothing stored', async () => {
    const store = createMemoryStore({ codec: msgpackCodec });
    const given = Buffer.from('before');
    const nested = { bytes: Buffer.from('nested') };
    await store.set('k', given);
    await store.setMany([{ key: 'n', value: nested }]);
    given.fill(0);
    nested.bytes.fill(0);
    expect(await store.get('k')).toStrictEqual(Buffer.from('before'));
    expect(await store.get('n')).toStrictEqual({ bytes: Buffer.from('nested') });
    await store.close();
  });

  it('a Buffer read through a host does not keep the reply frame alive', async () => {
    const host = serveLoopback({ codec: msgpackCodec });
    const store = host.connect();
    try {
      await store.setMany([
        { key: 'a', value: Buffer.alloc(64, 1) },
        { key: 'b', value: Buffer.alloc(64 * 1024, 2) },
      ]);
      const [a] = (await store.getMany(['a', 'b'])) as Buffer[];
      // A view would share the ArrayBuffer of the whole frame, both values included.
      expect(a?.buffer.byteLength).toBeLessThan(64 * 1024);
      expect(a).toStrictEqual(Buffer.alloc(64, 1));
    } finally {
      await store.close();
      host.close();
    }
  });

  it('decodes bytes that arrive as a plain Uint8Array with their Buffers kept Buffers', () => {
    const encoded = msgpackCodec.encode({ b: Buffer.from('x') }) as Uint8Array;
    const plain = new Uint8Array(encoded.byteLength);
    plain.set(encoded);
    expect(msgpackCodec.decode(plain)).toStrictEqual({ b: Buffer.from('x') });
  });
});

// Small values are decoded from a copy in one shared buffer (msgpack-codec.ts): nothing
// decoded may depend on what that buffer held before.
describe('msgpack decode of small values through its shared buffer', () => {
  it('a Buffer decoded earlier keeps its bytes when the next value is decoded', () => {
    const first = msgpackCodec.decode(msgpackCodec.encode(Buffer.from('first value'))) as Buffer;
    const second = msgpackCodec.decode(msgpackCodec.encode(Buffer.from('other bytes'))) as Buffer;
    expect(first).toStrictEqual(Buffer.from('first value'));
    expect(second).toStrictEqual(Buffer.from('other bytes'));
    expect(first.buffer).not.toBe(second.buffer);
  });

  it('truncated bytes still fail, even after a longer value left its bytes behind', () => {
    const value = { text: 'x'.repeat(300), list: [1, 2, 3] };
    const encoded = Buffer.from(msgpackCodec.encode(value) as Uint8Array);
    expect(msgpackCodec.decode(encoded)).toStrictEqual(value);
    for (const cut of [1, 10, 200]) {
      expect(() => msgpackCodec.decode(encoded.subarray(0, encoded.length - cut))).toThrow();
    }
    // Bytes after a complete value are refused too.
    const padded = Buffer.concat([encoded, Buffer.of(0xc0)]);
    expect(() => msgpackCodec.decode(padded)).toThrow();
  });

  it('decodes the bytes of a view inside a larger buffer, at the edge of the shared buffer and past it', () => {
    for (const size of [4000, 4096 - 3, 4096 - 2, 5000, 70_000]) {
      const value = 'y'.repeat(size);
      const encoded = msgpackCodec.encode(value) as Uint8Array;
      const inside = Buffer.concat([Buffer.alloc(7, 1), encoded, Buffer.alloc(9, 2)]);
      const view = inside.subarray(7, 7 + encoded.byteLength);
      expect(msgpackCodec.decode(view), `${size}`).toBe(value);
      expect(msgpackCodec.decode(new Uint8Array(view))).toBe(value);
    }
  });
});
