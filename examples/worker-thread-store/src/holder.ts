// The holder thread: one MemoryBackend and one HostEngine; each store arrives as a MessagePort.
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { jsonCodec } from '@statewire/core';
import { HostEngine, MemoryBackend, type StoreLimits } from '@statewire/core/transport';
import { createPortLink } from './port-link.js';

const backend = new MemoryBackend({ codec: jsonCodec });
const engine = new HostEngine({ backend, codec: jsonCodec, ...(workerData as StoreLimits) });

parentPort?.on('message', (message: { kind?: string; port?: unknown } | null) => {
  if (message?.kind !== 'statewire-attach' || !(message.port instanceof MessagePort)) return;
  engine.attach(createPortLink(message.port, 'worker-thread store (holder side)'));
});
