/**
 * Simulated time for the lab. Rule: simulated time runs `speed` times faster than real time,
 * starting at the real wall clock when the clock is made; every timer is scheduled in
 * simulated milliseconds and all of them die with `close()` — none fires afterwards.
 */

/** An opaque handle to a simulated-time timer. */
export interface TimerHandle {
  readonly id: number;
}

/** A pending timer: when it is due (simulated ms) and in which order it was set. */
interface Pending {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * Scaled clock: `now()` in simulated epoch ms, timers in simulated ms. Timers fire in the
 * order they are due (ties: the order they were set), whatever the load: they sit in one
 * queue behind a single real timer, because Node does not order timers of different
 * durations once its event loop runs late (a 500 ms step could fire after a 1000 ms one).
 */
export class SimClock {
  readonly speed: number;
  private readonly simStart: number;
  private readonly realStart = performance.now();
  /** Pending timers by id, and the same timers ordered by (due, id) in a binary heap. */
  private readonly timers = new Map<number, Pending>();
  private readonly heap: Pending[] = [];
  private wake: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
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
    const timer: Pending = { id, due: this.exactNow() + Math.max(0, simMs), fn };
    this.timers.set(id, timer);
    this.push(timer);
    this.arm();
    return { id };
  }

  /** Cancels a timer; harmless when it already fired or was cleared. */
  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    // its heap entry is dropped lazily, when it comes to the top, or when cleared entries
    // outnumber live ones (timers re-armed again and again, far ahead, would pile up)
    this.timers.delete(handle.id);
    if (this.heap.length > 2 * this.timers.size + 1024) this.compact();
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
    clearTimeout(this.wake);
    this.wake = undefined;
    this.timers.clear();
    this.heap.length = 0;
  }

  /** Simulated time, unrounded (timers compare against it). */
  private exactNow(): number {
    return this.simStart + (performance.now() - this.realStart) * this.speed;
  }

  /** Sets the one real timer for the earliest pending timer, if it is not set for it already. */
  private arm(): void {
    this.dropCleared();
    const first = this.heap[0];
    if (!first || this.closed) return;
    if (this.wake && first.due >= this.wakeAt) return;
    clearTimeout(this.wake);
    this.wakeAt = first.due;
    this.wake = setTimeout(() => this.fire(), this.toRealMs(first.due - this.exactNow()));
  }

  /** Runs every timer due now, in order; timers they set for now run at the next turn. */
  private fire(): void {
    this.wake = undefined;
    this.wakeAt = Infinity;
    const now = this.exactNow();
    const lastId = this.nextId - 1;
    for (;;) {
      this.dropCleared();
      const first = this.heap[0];
      if (!first || first.due > now || first.id > lastId || this.closed) break;
      this.pop();
      this.timers.delete(first.id);
      try {
        first.fn();
      } catch (error) {
        this.onError(error);
      }
    }
    this.arm();
  }

  /** Rebuilds the heap from the live timers. */
  private compact(): void {
    this.heap.length = 0;
    for (const timer of [...this.timers.values()].sort((a, b) => (SimClock.before(a, b) ? -1 : 1))) this.heap.push(timer);
  }

  private dropCleared(): void {
    while (this.heap.length > 0 && !this.timers.has((this.heap[0] as Pending).id)) this.pop();
  }

  private static before(a: Pending, b: Pending): boolean {
    return a.due < b.due || (a.due === b.due && a.id < b.id);
  }

  private push(timer: Pending): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!SimClock.before(heap[i] as Pending, heap[parent] as Pending)) break;
      [heap[i], heap[parent]] = [heap[parent] as Pending, heap[i] as Pending];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && SimClock.before(heap[left] as Pending, heap[least] as Pending)) least = left;
      if (right < heap.length && SimClock.before(heap[right] as Pending, heap[least] as Pending)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least] as Pending, heap[i] as Pending];
      i = least;
    }
  }
}

/** Kubernetes timestamps: RFC 3339 in UTC with second precision (`2025-01-02T03:04:05Z`). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
