/**
 * Exponential backoff with jitter for reconnection delays, as socket.io-client computes
 * them (`reconnectionDelay * 2^attempt`, spread by `randomizationFactor`, capped at
 * `reconnectionDelayMax`), so that clients dropped together do not return together.
 *
 * @module
 */

/** Backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** First delay. @defaultValue 100 */
  min?: number;
  /** Largest delay. @defaultValue 10000 */
  max?: number;
  /** Growth per attempt. @defaultValue 2 */
  factor?: number;
  /** Jitter in `(0, 1]`: each delay moves by up to this fraction of itself. @defaultValue 0 */
  jitter?: number;
}

/**
 * Reconnection delays: each call to {@link Backoff.duration} is one attempt.
 *
 * @internal
 */
export class Backoff {
  /** Attempts made since the last {@link Backoff.reset}. */
  attempts = 0;
  min: number;
  max: number;
  factor: number;
  jitter: number;

  constructor(options: BackoffOptions = {}) {
    this.min = options.min || 100;
    this.max = options.max || 10_000;
    this.factor = options.factor || 2;
    this.jitter = normalizeJitter(options.jitter);
  }

  /**
   * The delay before the next attempt, and counts the attempt. `random` is a number in
   * `[0, 1)`: one draw decides both the size and the direction of the jitter.
   */
  duration(random: number = Math.random()): number {
    let ms = this.min * Math.pow(this.factor, this.attempts++);
    if (this.jitter) {
      const deviation = Math.floor(random * this.jitter * ms);
      ms = (Math.floor(random * 10) & 1) === 0 ? ms - deviation : ms + deviation;
    }
    // `| 0` as socket.io-client does; the min() keeps 2^n from overflowing it.
    return Math.min(ms, this.max) | 0;
  }

  /** Starts over from the first delay (after a successful connection). */
  reset(): void {
    this.attempts = 0;
  }

  setMin(min: number): void {
    this.min = min;
  }

  setMax(max: number): void {
    this.max = max;
  }

  setJitter(jitter: number): void {
    this.jitter = normalizeJitter(jitter);
  }
}

function normalizeJitter(jitter: number | undefined): number {
  return jitter !== undefined && jitter > 0 && jitter <= 1 ? jitter : 0;
}
