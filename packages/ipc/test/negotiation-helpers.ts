import { jsonCodec } from '@statewire/core';
import {
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
  FRAME_TAG,
  PROTOCOL_VERSION,
} from '@statewire/core/transport';

/** `body` as a frame of this protocol version. */
export const tagged = (body: object): Record<string, unknown> => ({
  [FRAME_TAG]: PROTOCOL_VERSION,
  ...body,
});

/** The hello of a JSON client `client-1` with the default limits. */
export const hello = tagged({
  k: 'hello',
  from: 'client-1',
  codec: jsonCodec.name,
  namespace: '',
  maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
  maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
  maxBatchKeys: DEFAULT_MAX_BATCH_KEYS,
  maxReplyBytes: defaultMaxReplyBytes(DEFAULT_MAX_VALUE_BYTES),
});

/** Resolves once `predicate` holds; rejects after 30 s. */
export async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
