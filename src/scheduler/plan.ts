/**
 * Planning: a pure function of (config, candidates, history, time). It says when each game
 * day starts and ends, what it will run in order, or why it is skipped and when starting is
 * allowed again. The runtime follows the same plan, so what `gameday schedule` prints is
 * what runs. Rules: a game day whose start falls in a blackout is skipped; an experiment
 * never runs twice within its game day's `minInterval` (across game days, from the store's
 * history); `round-robin` continues after the candidate that ran last (so its position is
 * derived from history, nothing else is stored); `random` draws without replacement with
 * the weights, from a generator seeded by game day name and start, so the draw is known in
 * advance. Later game days are planned as if the earlier ones ran at their start.
 */
import { formatDuration } from '../duration.js';
import { blackoutAt } from './blackouts.js';
import type { Gameday, GamedaysConfig } from './config.js';
import { nextOccurrence } from './cron.js';
import type { PastRun, PlannedGameday } from './types.js';
import { formatInstant } from './zoned-time.js';

/** What planning reads besides the clock. */
export interface PlanInput {
  config: GamedaysConfig;
  /** Candidates by game day name (see resolveCandidates). */
  candidates: ReadonlyMap<string, readonly string[]>;
  /** Past runs (any order); dry runs should be left out by the caller. */
  history: readonly PastRun[];
}

/** The next start strictly after `afterMs` of any game day; ties go to the one configured first. */
export function nextStart(config: GamedaysConfig, afterMs: number): { gameday: Gameday; start: number } | undefined {
  let best: { gameday: Gameday; start: number } | undefined;
  for (const gameday of config.gamedays) {
    const start = nextOccurrence(gameday.cron, gameday.timeZone, afterMs);
    if (start !== undefined && (!best || start < best.start)) best = { gameday, start };
  }
  return best;
}

/** The next `count` game days starting at or after `fromMs`, each planned on the history so far plus the plans before it. */
export function upcoming(input: PlanInput, count: number, fromMs: number): PlannedGameday[] {
  const out: PlannedGameday[] = [];
  const history = [...input.history];
  let after = fromMs - 1;
  while (out.length < count) {
    const next = nextStart(input.config, after);
    if (!next) break;
    const plan = planGameday({ ...input, history }, next.gameday, next.start, next.start);
    out.push(plan);
    // runs in order, a millisecond apart: only their order matters here
    if (!plan.skipped) history.push(...plan.experiments.map((experiment, i) => ({ experiment, startedAt: next.start + i, gameday: plan.name })));
    after = next.start;
  }
  return out;
}

/** One game day starting at `startMs`, planned at `nowMs` (later than the start when the scheduler woke late). */
export function planGameday(input: PlanInput, gameday: Gameday, startMs: number, nowMs: number): PlannedGameday {
  const end = startMs + gameday.windowMs;
  const base: PlannedGameday = { name: gameday.name, start: new Date(startMs), end: new Date(end), experiments: [], pick: gameday.pick };
  if (gameday.pick === 'random') base.weights = weightsOf(gameday, input.candidates.get(gameday.name) ?? []);
  const at = Math.max(startMs, nowMs);
  const when = (ms: number): string => formatInstant(ms, gameday.timeZone);
  if (at >= end) return { ...base, skipped: { reason: `window already closed at ${when(end)}` } };
  const blackout = blackoutAt(input.config.blackouts, at);
  if (blackout) {
    return { ...base, skipped: { reason: `in blackout "${blackout.blackout.reason}" until ${when(blackout.until)}`, nextAllowed: new Date(blackout.until) } };
  }
  const order = pickOrder(input, gameday, startMs);
  const eligible = order.filter((name) => allowedFrom(input.history, name, gameday.minIntervalMs) <= at);
  if (eligible.length === 0) {
    if (order.length === 0) return { ...base, skipped: { reason: 'no candidate experiments' } };
    const next = Math.min(...order.map((name) => allowedFrom(input.history, name, gameday.minIntervalMs)));
    const reason = `every candidate ran within minInterval (${formatDuration(gameday.minIntervalMs)}); the first is allowed again at ${when(next)}`;
    return { ...base, skipped: { reason, nextAllowed: new Date(next) } };
  }
  return { ...base, experiments: eligible.slice(0, gameday.maxRuns ?? eligible.length), candidates: eligible };
}

/** When `experiment` may run again: its last start plus `minIntervalMs` (0 if it never ran). */
export function allowedFrom(history: readonly PastRun[], experiment: string, minIntervalMs: number): number {
  let last: number | undefined;
  for (const run of history) if (run.experiment === experiment && (last === undefined || run.startedAt > last)) last = run.startedAt;
  return last === undefined ? 0 : last + minIntervalMs;
}

/** Every candidate of `gameday`, in the order it picks them at `startMs` (minInterval not applied). */
export function pickOrder(input: PlanInput, gameday: Gameday, startMs: number): string[] {
  const candidates = [...(input.candidates.get(gameday.name) ?? [])];
  if (gameday.pick === 'all') return candidates;
  if (gameday.pick === 'round-robin') {
    let lastIndex = -1;
    let lastAt = -Infinity;
    for (const run of input.history) {
      const i = candidates.indexOf(run.experiment);
      if (i >= 0 && run.startedAt >= lastAt && run.startedAt <= startMs) {
        lastIndex = i;
        lastAt = run.startedAt;
      }
    }
    return [...candidates.slice(lastIndex + 1), ...candidates.slice(0, lastIndex + 1)];
  }
  return weightedDraw(candidates, weightsOf(gameday, candidates), seededRandom(`${gameday.name}@${new Date(startMs).toISOString()}`));
}

function weightsOf(gameday: Gameday, candidates: readonly string[]): Record<string, number> {
  return Object.fromEntries(candidates.map((name) => [name, gameday.weights[name] ?? 1]));
}

/** The candidates in a random order where each next one is drawn with probability proportional to its weight. */
function weightedDraw(candidates: string[], weights: Record<string, number>, random: () => number): string[] {
  const left = [...candidates];
  const out: string[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, name) => sum + (weights[name] ?? 1), 0);
    let r = random() * total;
    let index = left.length - 1;
    for (const [i, name] of left.entries()) {
      r -= weights[name] ?? 1;
      if (r < 0) {
        index = i;
        break;
      }
    }
    out.push(...left.splice(index, 1));
  }
  return out;
}

/** A deterministic generator in [0, 1) from a string (FNV-1a hash, then mulberry32). */
export function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
