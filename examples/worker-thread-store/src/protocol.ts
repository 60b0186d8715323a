import type { MessagePort } from 'node:worker_threads';

/** What the holder thread is started with (its `workerData`). */
export interface HolderData {
  maxKeyBytes: number;
  maxValueBytes: number;
}

/** Sent to the holder thread for each new store: the holder's end of the store's channel. */
export interface AttachMessage {
  kind: 'statewire-attach';
  port: MessagePort;
}
