// Issue 14 item 4: the host wraps each channel's link to answer side-socket requests. The
// wrapper must call the link's methods, not copy its properties: a link written as a class
// keeps `send` on its prototype, which an object spread (`{ ...link }`) silently drops.
import { jsonCodec } from '@statewire/core';
import { HostEngine, type Link, type LinkHandlers, MemoryBackend } from '@statewire/core/transport';
import { expect, it } from 'vitest';
import { withSocketNegotiation } from '../dist/side-socket/host-negotiation.js';
import { hello, tagged, until } from './negotiation-helpers.js';

/** A link as a class: every method on the prototype, the label behind a getter. */
class RecordingLink implements Link {
  readonly sent: Record<string, unknown>[] = [];
  handlers: LinkHandlers | undefined;
  closed = false;
  refs = 0;

  get label(): string {
    return 'class-based link';
  }
  open(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }
  send(frame: object): boolean {
    this.sent.push(frame as Record<string, unknown>);
    return true;
  }
  close(): void {
    this.closed = true;
  }
  ref(): void {
    this.refs++;
  }
}

it('a class-based link whose methods live on its prototype is served through the side-socket negotiation: the host answers a hello and a call on it', async () => {
  const link = new RecordingLink();
  const owner = {};
  const wrapped = withSocketNegotiation(link, owner, {
    codec: jsonCodec.name,
    sockets: undefined,
    servedElsewhere: () => false,
  });
  expect(wrapped.label).toBe('class-based link');
  // Only what the link can do is offered: it can ref, it cannot pause.
  expect(wrapped.pause).toBeUndefined();
  wrapped.ref?.();
  expect(link.refs).toBe(1);

  const backend = new MemoryBackend({ codec: jsonCodec });
  const engine = new HostEngine({ backend, codec: jsonCodec });
  try {
    engine.attach(wrapped);
    const handlers = link.handlers as LinkHandlers;
    handlers.message(hello);
    // A side-socket request is answered by the wrapper (this host has no socket server).
    handlers.message(tagged({ k: 'socket?', from: 'nonce-1', codec: jsonCodec.name }));
    await until(() => link.sent.length >= 2);
    expect(link.sent.map((frame) => [frame.k, frame.to])).toEqual(
      expect.arrayContaining([
        ['welcome', 'client-1'],
        ['socket-no', 'nonce-1'],
      ]),
    );
    // A call: its reply leaves through the wrapper's send, that is the class's own method.
    handlers.message(tagged({ k: 'req', from: 'client-1', c: [[1, 0, 'missing']] }));
    await until(() => link.sent.some((frame) => frame.k === 'res'));
    expect(link.sent.find((frame) => frame.k === 'res')).toMatchObject({ to: 'client-1' });
  } finally {
    engine.close();
    backend.close();
  }
  expect(link.closed).toBe(true);
});
