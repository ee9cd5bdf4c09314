/**
 * Running one game day: its plan's candidates, one at a time through the gate, with
 * `spacing` between runs. Before each start it checks again, on the clock: never after the
 * window closes, never inside a blackout, never past `maxRuns`, never an experiment within
 * its `minInterval`. A refused run (halted, lock held, restore pending) starts nothing: it
 * is logged with the gate's reason and the next candidate is tried. Stopping (the signal)
 * ends the game day without waiting for the run in flight; the gate gets the same signal.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { blackoutAt } from './blackouts.js';
import type { Gameday } from './config.js';
import { allowedFrom, planGameday, type PlanInput } from './plan.js';
import type { PastRun, RunAnswer, RunGate } from './types.js';

/** Time as the scheduler sees it; tests pass a fake one. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (it never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** What a game day did. `stopped` says why it ended. */
export interface GamedayOutcome {
  gameday: string;
  start: number;
  skipped?: string;
  runs: { experiment: string; startedAt: number; runId: string; outcome: string }[];
  refused: { experiment: string; at: number; reason: string }[];
  stopped: 'done' | 'maxRuns reached' | 'window closed' | 'blackout' | 'stopped';
}

export interface RunGamedayOptions {
  /** Planning input; `history` is read again before each run through `history()`. */
  input: Omit<PlanInput, 'history'>;
  history: () => readonly PastRun[];
  gameday: Gameday;
  startMs: number;
  gate: RunGate;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /** Called when a run has started and ended (not for refused ones). */
  onRun?: (run: PastRun) => void;
}

/** Runs one game day to its end (see the file's rules). Never throws for a run's failure or refusal. */
export async function runGameday(options: RunGamedayOptions): Promise<GamedayOutcome> {
  const { gameday, clock, log, signal } = options;
  const outcome: GamedayOutcome = { gameday: gameday.name, start: options.startMs, runs: [], refused: [], stopped: 'done' };
  const plan = planGameday({ ...options.input, history: options.history() }, gameday, options.startMs, clock.now());
  if (plan.skipped) {
    log.info('game day skipped', { gameday: gameday.name, start: plan.start.toISOString(), reason: plan.skipped.reason, nextAllowed: plan.skipped.nextAllowed?.toISOString() });
    return { ...outcome, skipped: plan.skipped.reason };
  }
  const end = plan.end.getTime();
  const maxRuns = gameday.maxRuns ?? Infinity;
  const order = plan.candidates ?? plan.experiments;
  log.info('game day starting', { gameday: gameday.name, start: plan.start.toISOString(), end: plan.end.toISOString(), experiments: plan.experiments });
  const stop = (why: GamedayOutcome['stopped'], detail: Record<string, unknown> = {}): GamedayOutcome => {
    log.info('game day ended', { gameday: gameday.name, why, runs: outcome.runs.length, refused: outcome.refused.length, ...detail });
    return { ...outcome, stopped: why };
  };
  for (const [i, experiment] of order.entries()) {
    if (signal.aborted) return stop('stopped');
    if (outcome.runs.length >= maxRuns) return stop('maxRuns reached');
    const at = clock.now();
    if (at >= end) return stop('window closed');
    const blackout = blackoutAt(options.input.config.blackouts, at);
    if (blackout) return stop('blackout', { reason: blackout.blackout.reason, until: new Date(blackout.until).toISOString() });
    const allowed = allowedFrom(options.history(), experiment, gameday.minIntervalMs);
    if (allowed > at) {
      log.info('experiment skipped: ran within minInterval', { gameday: gameday.name, experiment, allowedFrom: new Date(allowed).toISOString() });
      continue;
    }
    const answer = await ask(options, experiment);
    if (answer === undefined) return stop('stopped');
    if ('refused' in answer) {
      log.warn('run refused', { gameday: gameday.name, experiment, reason: answer.refused });
      outcome.refused.push({ experiment, at, reason: answer.refused });
      continue;
    }
    log.info('run finished', { gameday: gameday.name, experiment, runId: answer.runId, outcome: answer.outcome });
    outcome.runs.push({ experiment, startedAt: at, runId: answer.runId, outcome: answer.outcome });
    options.onRun?.({ experiment, startedAt: at, gameday: gameday.name });
    const more = outcome.runs.length < maxRuns && i < order.length - 1;
    if (more && gameday.spacingMs > 0) {
      if (clock.now() + gameday.spacingMs >= end) return stop('window closed', { detail: 'the window closes before the spacing ends' });
      await sleepUntil(clock, clock.now() + gameday.spacingMs, signal);
    }
  }
  if (outcome.runs.length >= maxRuns) return stop('maxRuns reached');
  return stop('done');
}

/** Sleeps until the clock reads `target` (timers may fire a little early), or the signal aborts. */
export async function sleepUntil(clock: Clock, target: number, signal: AbortSignal, maxStepMs = Infinity): Promise<void> {
  for (let left = target - clock.now(); left > 0 && !signal.aborted; left = target - clock.now()) {
    await clock.sleep(Math.min(left, maxStepMs), signal);
  }
}

/**
 * The gate's answer, or undefined when the signal aborted first (the run, if any, goes on
 * under the gate's care). The gate gets a signal of this run only, aborted with `signal`.
 */
async function ask(options: RunGamedayOptions, experiment: string): Promise<RunAnswer | undefined> {
  const { signal } = options;
  if (signal.aborted) return undefined;
  const runController = new AbortController();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => {
      runController.abort(signal.reason);
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const request = { experiment, gameday: options.gameday.name };
  const running = options.gate.run(request, runController.signal).catch((err: unknown): RunAnswer => ({ refused: `the gate failed: ${errorMessage(err)}` }));
  try {
    return await Promise.race([running, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
