/** Something statewire listens on: a Node IPC endpoint or a message port. */
export interface ListenedChannel {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

type Listener = (value?: unknown) => void;

// Per channel and event: the links listening, behind one listener on the channel itself.
const hubs = new WeakMap<object, Map<string, Set<Listener>>>();

/**
 * Listens to `event` on `channel` through one shared listener per channel and event,
 * however many stores and links use the channel: eleven stores on `process` add one
 * `message` listener, not eleven (Node warns past ten, and each listener is called for
 * every message). The shared listener is removed with the last subscriber, so that an idle
 * channel keeps nothing of statewire referenced.
 *
 * @returns unsubscribe (idempotent)
 */
export function listen(channel: ListenedChannel, event: string, listener: Listener): () => void {
  let events = hubs.get(channel);
  if (!events) {
    events = new Map();
    hubs.set(channel, events);
  }
  let listeners = events.get(event);
  if (!listeners) {
    const subscribers = new Set<Listener>();
    listeners = subscribers;
    events.set(event, subscribers);
    const shared = (value?: unknown) => {
      // A copy: a subscriber may unsubscribe (or another subscribe) while it runs.
      for (const subscriber of [...subscribers]) subscriber(value);
    };
    channel.on(event, shared);
    sharedListeners.set(subscribers, shared);
  }
  const subscribers = listeners;
  const channelEvents = events;
  subscribers.add(listener);
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    subscribers.delete(listener);
    if (subscribers.size > 0) return;
    const shared = sharedListeners.get(subscribers);
    if (shared) channel.off(event, shared);
    sharedListeners.delete(subscribers);
    channelEvents.delete(event);
  };
}

const sharedListeners = new WeakMap<Set<Listener>, Listener>();
