/**
 * Retrying with capped exponential backoff and full jitter. Used by restore, which must
 * not give up quietly: every failed attempt is reported to `onError` before the wait.
 */

export interface BackoffOptions {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Waits; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** The delay before attempt `n + 1` (n counts from 1): min(max, initial·2^(n-1)), jittered to [50%, 100%]. */
export function backoffDelay(n: number, options: BackoffOptions): number {
  const cap = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (n - 1));
  const random = options.random ?? Math.random;
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Sleeps for `ms`, resolving early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `fn` until it resolves or `attempts` are used up; throws the last error then.
 * `isRetryable(err) === false` stops at once. Never stops because of an abort signal:
 * a restore that was started is finished.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: BackoffOptions & {
    onError?: (err: unknown, attempt: number, nextDelayMs: number | undefined) => void;
    isRetryable?: (err: unknown) => boolean;
  },
): Promise<T> {
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const last = attempt >= options.attempts || options.isRetryable?.(err) === false;
      const delay = last ? undefined : backoffDelay(attempt, options);
      options.onError?.(err, attempt, delay);
      if (delay === undefined) throw err;
      await wait(delay);
    }
  }
}
