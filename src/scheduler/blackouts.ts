/**
 * Blackouts: times when nothing may start. Each is one period, or a recurring one (from an
 * .ics RRULE) repeated on the wall clock of its timezone, so a weekly 09:00 block stays at
 * 09:00 across DST changes. A period is [start, end): it ends at its end instant. Touching
 * or overlapping blackouts are reported as one, ending where the last of them ends.
 */
import { addDays, instantOf, wallMs, wallOf, weekday, type WallTime } from './zoned-time.js';

/** How a blackout repeats (the RRULE subset gameday reads). */
export interface Recurrence {
  freq: 'DAILY' | 'WEEKLY' | 'YEARLY';
  interval: number;
  /** At most this many occurrences, the first included. */
  count?: number;
  /** No occurrence starts after this instant. */
  until?: number;
  /** WEEKLY only: the days of the week (0 = Sunday) of each week, from the week's Monday. */
  byDay?: number[];
}

/** One blackout as configured: its first period on a wall clock, and how it repeats. */
export interface Blackout {
  reason: string;
  /** Where it was defined, for messages: `gameday.yaml:31:5`, `teaching.ics:14`. */
  source: string;
  timeZone: string;
  start: WallTime;
  end: WallTime;
  recurrence?: Recurrence;
  /** Instants of occurrence starts that are excluded (EXDATE). */
  exdates?: number[];
}

/** One period of a blackout, as instants (epoch ms). */
export interface BlackoutPeriod {
  blackout: Blackout;
  start: number;
  end: number;
}

/** Guard against a recurrence that would never reach `t` (e.g. daily since 1970). */
const MAX_OCCURRENCES = 100_000;

/** Every period of `blackout` that starts before `beforeMs`, in order. */
export function* periods(blackout: Blackout, beforeMs: number): Generator<BlackoutPeriod> {
  const lengthMs = wallMs(blackout.end) - wallMs(blackout.start);
  const rule = blackout.recurrence;
  const excluded = new Set(blackout.exdates ?? []);
  let n = 0;
  for (const startWall of wallStarts(blackout.start, rule)) {
    if (n >= MAX_OCCURRENCES) return;
    n++;
    if (rule?.count !== undefined && n > rule.count) return;
    const start = instantOf(startWall, blackout.timeZone);
    if (rule?.until !== undefined && start > rule.until) return;
    if (start >= beforeMs) return;
    if (excluded.has(start)) continue;
    const end = instantOf(wallOf(wallMs(startWall) + lengthMs), blackout.timeZone);
    yield { blackout, start, end };
  }
}

function* wallStarts(first: WallTime, rule: Recurrence | undefined): Generator<WallTime> {
  yield first;
  if (!rule) return;
  if (rule.freq === 'DAILY') {
    for (let k = 1; ; k++) yield addDays(first, k * rule.interval);
  }
  if (rule.freq === 'YEARLY') {
    for (let k = 1; ; k++) {
      const w = { ...first, year: first.year + k * rule.interval };
      // 29 February exists only in leap years; other years have no occurrence (RFC 5545)
      if (wallOf(wallMs(w)).day === w.day) yield w;
    }
  }
  const days = [...new Set(rule.byDay ?? [weekday(first)])].sort((a, b) => mondayFirst(a) - mondayFirst(b));
  const monday = addDays(first, -mondayFirst(weekday(first)));
  for (let k = 0; ; k++) {
    for (const d of days) {
      const w = addDays(monday, k * 7 * rule.interval + mondayFirst(d));
      if (wallMs(w) > wallMs(first)) yield w;
    }
  }
}

function mondayFirst(day: number): number {
  return (day + 6) % 7;
}

/** The period covering instant `t` (start <= t < end), if any. */
export function periodAt(blackouts: readonly Blackout[], t: number): BlackoutPeriod | undefined {
  for (const b of blackouts) {
    for (const p of periods(b, t + 1)) if (p.start <= t && t < p.end) return p;
  }
  return undefined;
}

/**
 * The blackout in force at `t` and when starting is allowed again: the end of its period,
 * pushed on through every blackout that covers that end in turn.
 */
export function blackoutAt(blackouts: readonly Blackout[], t: number): { blackout: Blackout; until: number } | undefined {
  const first = periodAt(blackouts, t);
  if (!first) return undefined;
  let until = first.end;
  for (let i = 0; i < 1000; i++) {
    const next = periodAt(blackouts, until);
    if (!next) break;
    until = next.end;
  }
  return { blackout: first.blackout, until };
}
