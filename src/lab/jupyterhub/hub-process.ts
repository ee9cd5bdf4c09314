/**
 * What one hub process holds in memory and loses when it ends: spawns and stops in flight,
 * the last failure of each spawner, its periodic callbacks. Rule: when the process ends every
 * attempt settles as `lost` and every timer is cleared, so nothing of a dead hub acts later.
 */
import type { SimClock, TimerHandle } from '../clock.js';
import type { SpawnProgress } from './spawn-progress.js';

/** How a spawn ended. `not-ready`: started, but the hub could not route it and stopped it. */
export type SpawnOutcome =
  | { kind: 'ready' }
  | { kind: 'failed'; cause: string; reason: 'timeout' | 'error' }
  | { kind: 'not-ready' }
  | { kind: 'lost' };

/** How a stop ended. */
export type StopOutcome = { kind: 'stopped' } | { kind: 'lost' };

/** A settle-once promise with its settle function. */
export interface Pending<T> {
  readonly done: Promise<T>;
  settle(value: T): boolean;
  readonly settled: boolean;
}

/** Makes a promise that settles once; later settle calls are ignored. */
export function pending<T>(): Pending<T> {
  let resolve: (value: T) => void = () => undefined;
  let settled = false;
  const done = new Promise<T>((r) => {
    resolve = r;
  });
  return {
    done,
    get settled() {
      return settled;
    },
    settle(value: T): boolean {
      if (settled) return false;
      settled = true;
      resolve(value);
      return true;
    },
  };
}

/** One spawn in flight. */
export interface SpawnAttempt {
  readonly startedAt: number;
  readonly progress: SpawnProgress;
  readonly result: Pending<SpawnOutcome>;
  /** The pod this spawn created (after any old pod of that name was removed). */
  podUid: string | undefined;
  timer: TimerHandle | undefined;
}

/** One stop in flight. */
export interface StopAttempt {
  readonly startedAt: number;
  readonly result: Pending<StopOutcome>;
  timer: TimerHandle | undefined;
}

/** A hub process: the memory of one hub pod's JupyterHub. */
export class HubProcess {
  readonly spawns = new Map<string, SpawnAttempt>();
  readonly stops = new Map<string, StopAttempt>();
  /** The cause of each spawner's last failed spawn, until it spawns again. */
  readonly failures = new Map<string, string>();
  private readonly aborter = new AbortController();
  private readonly timers = new Set<TimerHandle>();

  constructor(
    /** The uid of the hub pod this process runs in. */
    readonly pod: string,
    private readonly clock: SimClock,
  ) {}

  /** Aborted when the process ends. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  /** Runs `fn` every `ms` of simulated time until the process ends. */
  every(ms: number, fn: () => void): void {
    const schedule = (): void => {
      const handle = this.clock.setTimeout(() => {
        this.timers.delete(handle);
        if (this.signal.aborted) return;
        schedule();
        fn();
      }, ms);
      this.timers.add(handle);
    };
    schedule();
  }

  /** Ends the process: attempts settle `lost`, timers stop, the signal aborts. Returns the spawns that were cut short. */
  end(): SpawnAttempt[] {
    const cut = [...this.spawns.values()];
    for (const attempt of cut) {
      this.clock.clearTimeout(attempt.timer);
      attempt.result.settle({ kind: 'lost' });
    }
    for (const stop of this.stops.values()) {
      this.clock.clearTimeout(stop.timer);
      stop.result.settle({ kind: 'lost' });
    }
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.spawns.clear();
    this.stops.clear();
    this.aborter.abort();
    return cut;
  }
}
