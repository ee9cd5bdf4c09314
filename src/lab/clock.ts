/**
 * Simulated time for the lab. Rule: simulated time runs `speed` times faster than real time,
 * starting at the real wall clock when the clock is made; every timer is scheduled in
 * simulated milliseconds and all of them die with `close()` — none fires afterwards.
 */

/** An opaque handle to a simulated-time timer. */
export interface TimerHandle {
  readonly id: number;
}

/** Scaled clock: `now()` in simulated epoch ms, timers in simulated ms. */
export class SimClock {
  readonly speed: number;
  private readonly simStart: number;
  private readonly realStart = performance.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;
  private closed = false;
  private readonly onError: (error: unknown) => void;

  constructor(speed = 1, onError: (error: unknown) => void = () => undefined, simStart = Date.now()) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.speed = speed;
    this.simStart = simStart;
    this.onError = onError;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.simStart + (performance.now() - this.realStart) * this.speed);
  }

  /** Real milliseconds that `simMs` of simulated time last. */
  toRealMs(simMs: number): number {
    return Math.max(0, simMs / this.speed);
  }

  /** Runs `fn` once after `simMs` simulated ms; a callback that throws is reported, never crashes the process. */
  setTimeout(fn: () => void, simMs: number): TimerHandle {
    const id = this.nextId++;
    if (this.closed) return { id };
    const timer = setTimeout(() => {
      this.timers.delete(id);
      try {
        fn();
      } catch (error) {
        this.onError(error);
      }
    }, this.toRealMs(simMs));
    this.timers.set(id, timer);
    return { id };
  }

  /** Cancels a timer; harmless when it already fired or was cleared. */
  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = this.timers.get(handle.id);
    if (timer) clearTimeout(timer);
    this.timers.delete(handle.id);
  }

  /** Resolves after `simMs` simulated ms (never, once the clock is closed). */
  sleep(simMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimeout(resolve, simMs);
    });
  }

  /** Number of timers still pending (for tests and diagnostics). */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Clears every pending timer; later `setTimeout` calls are inert. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Kubernetes timestamps: RFC 3339 in UTC with second precision (`2025-01-02T03:04:05Z`). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
