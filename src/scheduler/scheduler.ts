/**
 * The runtime scheduler: sleeps until the next game day starts, runs it (see run-gameday),
 * then sleeps again. One game day at a time; a game day that overruns the next one's start
 * makes that one start late, or be skipped once its window has closed — never twice, never
 * backfilled after a restart. Timers start in `start()` and are cleared in `stop()`; long
 * sleeps are cut into timeouts Node can hold (under 24.8 days). The gate keeps runs from
 * overlapping, and refuses when halted or while a restore is pending.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { resolveCandidates } from './candidates.js';
import type { GamedaysConfig } from './config.js';
import { nextStart, upcoming } from './plan.js';
import { runGameday, sleepUntil, type Clock, type GamedayOutcome } from './run-gameday.js';
import type { CatalogEntry, PastRun, PlannedGameday, RunGate } from './types.js';
import { formatInstant } from './zoned-time.js';

/** The longest single setTimeout Node honours (2^31 - 1 ms); longer sleeps are chained. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export interface SchedulerOptions {
  config: GamedaysConfig;
  catalog: readonly CatalogEntry[];
  gate: RunGate;
  log: Logger;
  now?: () => Date;
  /** Past runs from the store (for minInterval and round-robin), read at each game day and before each run. Default: none. */
  history?: () => readonly PastRun[];
  /** Replaces the timer-based sleep (tests on a fake clock). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called after each game day, with what it did. */
  onGameday?: (outcome: GamedayOutcome) => void;
}

/** Runs game days on their schedule through a RunGate. */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #candidates: Map<string, string[]>;
  readonly #clock: Clock;
  /** Runs this scheduler started, when no store history is given (the store's history has them otherwise). */
  readonly #ownRuns: PastRun[] = [];
  #controller: AbortController | undefined;
  #loop: Promise<void> | undefined;

  /** Throws ConfigInvalidError when a game day names an experiment or tag the catalog lacks. */
  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#candidates = resolveCandidates(options.config, options.catalog);
    const now = options.now ?? (() => new Date());
    this.#clock = { now: () => now().getTime(), sleep: options.sleep ?? timerSleep };
  }

  /** Starts scheduling. Calling it again while started does nothing. */
  start(): void {
    if (this.#loop) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#loop = this.#run(controller.signal).catch((err: unknown) => {
      this.#options.log.error('scheduler stopped on an unexpected error', { error: errorMessage(err) });
    });
  }

  /**
   * Stops scheduling; resolves once no timer is left. Does not wait for the run in flight
   * (its signal is aborted). Idempotent; `start()` may be called again afterwards.
   */
  async stop(): Promise<void> {
    const loop = this.#loop;
    this.#controller?.abort();
    await loop;
    if (this.#loop === loop) {
      this.#loop = undefined;
      this.#controller = undefined;
    }
  }

  /** The next `count` game days from `from` (default now), as `gameday schedule` prints them. */
  upcoming(count: number, from?: Date): PlannedGameday[] {
    return upcoming(this.#input(), count, (from ?? new Date(this.#clock.now())).getTime());
  }

  /** When the next game day starts after `from` (default now); undefined if none ever does. */
  nextStart(from?: Date): Date | undefined {
    const next = nextStart(this.#options.config, (from ?? new Date(this.#clock.now())).getTime());
    return next && new Date(next.start);
  }

  #history(): PastRun[] {
    return [...(this.#options.history?.() ?? []), ...this.#ownRuns];
  }

  #input(): { config: GamedaysConfig; candidates: Map<string, string[]>; history: PastRun[] } {
    return { config: this.#options.config, candidates: this.#candidates, history: this.#history() };
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { log } = this.#options;
    let after = this.#clock.now();
    while (!signal.aborted) {
      const next = nextStart(this.#options.config, after);
      if (!next) {
        log.warn('no game day will start: none configured, or no cron ever fires');
        return;
      }
      log.info('next game day', { gameday: next.gameday.name, start: formatInstant(next.start, next.gameday.timeZone) });
      await sleepUntil(this.#clock, next.start, signal, MAX_TIMEOUT_MS);
      if (signal.aborted) return;
      const outcome = await runGameday({
        input: { config: this.#options.config, candidates: this.#candidates },
        history: () => this.#history(),
        gameday: next.gameday,
        startMs: next.start,
        gate: this.#options.gate,
        clock: this.#clock,
        log,
        signal,
        onRun: (run) => {
          if (this.#options.history) return; // the store records it
          this.#ownRuns.push(run);
          if (this.#ownRuns.length > 1000) this.#ownRuns.shift();
        },
      });
      this.#options.onGameday?.(outcome);
      after = next.start;
    }
  }

}

/** setTimeout as a promise that resolves early (never rejects) when `signal` aborts. */
export function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS));
    signal.addEventListener('abort', done, { once: true });
  });
}
