// The holder thread: one MemoryBackend and one HostEngine, serving every store that the
// main thread connects. Each store arrives as its own MessagePort.
import { isMainThread, MessagePort, parentPort, workerData } from 'node:worker_threads';
import { HostEngine, jsonCodec, MemoryBackend } from '@statewire/core';
import { createPortLink } from './port-link.js';
import type { AttachMessage, HolderData } from './protocol.js';

if (isMainThread || !parentPort) {
  throw new Error('holder.js runs inside the worker thread started by serveInWorkerThread()');
}

const { maxKeyBytes, maxValueBytes } = workerData as HolderData;
const backend = new MemoryBackend({ codec: jsonCodec });
const engine = new HostEngine({ backend, codec: jsonCodec, maxKeyBytes, maxValueBytes });

parentPort.on('message', (message: Partial<AttachMessage> | null) => {
  // Anything else on the thread's own port is not ours; ignore it.
  if (message?.kind !== 'statewire-attach' || !(message.port instanceof MessagePort)) return;
  engine.attach(createPortLink(message.port, 'worker-thread store (holder side)'));
});
