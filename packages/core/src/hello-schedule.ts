// Delays before each hello after the first: a host that starts listening a moment after
// the client (a fork child attached later) is found quickly, a slow one without flooding it.
const HELLO_RETRY_MS = [0, 25, 50, 100, 200, 400, 800];

// A hello timer that fires this much later than it was due means the process was busy (a
// long synchronous task) rather than waiting: see HelloSchedule.
const BUSY_LATENESS_MS = 100;

/** What a {@link HelloSchedule} does, and how long it waits. */
export interface HelloScheduleOptions {
  /** How long the host may stay silent before the schedule gives up, in ms. */
  timeout: number;
  /** Sends one hello. */
  send(): void;
  /** The host stayed silent for `timeout` ms: no more hellos follow. */
  giveUp(): void;
}

/**
 * When a client sends its hello: at once, then again with backoff until the host answers
 * (`stop()`) or has stayed silent for `timeout` ms (`giveUp`).
 *
 * The timeout measures how long the host stays silent, not how long this process was busy:
 * a welcome cannot be read while the event loop is blocked, and a hello held on the way (a
 * side socket still being negotiated) may not even have left.
 * - After a busy spell (a timer that fired more than 100 ms late), the host gets a whole
 *   `timeout` again.
 * - A deadline that passed while the process was busy gets one more turn of the event
 *   loop, so that a welcome already waiting to be read is read before the verdict.
 *
 * Its timers never keep the process alive.
 */
export class HelloSchedule {
  readonly #options: HelloScheduleOptions;
  #timer: NodeJS.Timeout | undefined;
  // Between start() and stop() (or giving up).
  #active = false;
  #deadline = 0;
  #attempt = 0;
  // Whether the deadline has passed once already (see #next).
  #overdue = false;
  // When the timer was due to fire (0 before the first hello).
  #due = 0;

  constructor(options: HelloScheduleOptions) {
    this.#options = options;
  }

  /** Whether a timer is armed (for the engine's count of timers). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Sends the first hello now and schedules the next; restarts a schedule that ended. */
  start(): void {
    this.stop();
    this.#active = true;
    this.#attempt = 0;
    this.#overdue = false;
    this.#due = 0;
    this.#deadline = performance.now() + this.#options.timeout;
    this.#next();
  }

  /** Sends no more hellos (the host answered, or the client failed or closed). */
  stop(): void {
    this.#active = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #next(): void {
    this.#timer = undefined;
    const now = performance.now();
    if (this.#due !== 0 && now - this.#due > BUSY_LATENESS_MS) {
      this.#deadline = Math.max(this.#deadline, now + this.#options.timeout);
    }
    const remaining = this.#deadline - now;
    if (remaining <= 0 && !this.#overdue) {
      // Timers run before I/O in a turn of the event loop: a timer set now fires on the next
      // turn, after this turn's I/O, which may hold the welcome.
      this.#overdue = true;
      this.#due = now;
      this.#arm(0);
      return;
    }
    if (remaining <= 0) {
      this.#active = false;
      this.#options.giveUp();
      return;
    }
    this.#options.send();
    // A link may deliver the welcome while it sends (a loopback): no more hellos then.
    if (!this.#active) return;
    const delay = HELLO_RETRY_MS[Math.min(++this.#attempt, HELLO_RETRY_MS.length - 1)] as number;
    this.#due = now + Math.min(delay, remaining);
    this.#arm(Math.min(delay, remaining));
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#next(), delay);
    this.#timer.unref();
  }
}
