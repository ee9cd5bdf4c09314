/**
 * The scheduler's config sections, `gamedays:` and `blackouts:`. Checked like the rest of
 * the config: strict keys, every problem with file, line and column, a cron expression or
 * timezone that cannot be read is an error (never a silent default). Blackout dates
 * without an offset are read in the blackout's `timezone`, else in the game days' common
 * timezone; a date `to` includes that whole day. An `ics:` entry imports an iCalendar file
 * (relative to the config file), whose problems are reported at its own lines.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Duration } from '../duration.js';
import type { PositionedIssue } from '../errors.js';
import { errorMessage } from '../errors.js';
import { formatPath, issueAt, type YamlSource } from '../yaml-file.js';
import type { Blackout } from './blackouts.js';
import { parseCron, type CronSchedule } from './cron.js';
import { IcsError, parseIcs } from './ics.js';
import { instantOf, isTimeZone, wallAt, wallMs, wallOf, type WallTime } from './zoned-time.js';

const TimeZone = z.string().refine(isTimeZone, { error: (issue) => `expected an IANA timezone like Europe/Paris, got ${JSON.stringify(issue.input)}` });

const Cron = z.string().superRefine((text, ctx) => {
  try {
    parseCron(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${errorMessage(err)}`, input: text });
  }
});

/** One game day as written in the config. */
export const GamedayFile = z
  .object({
    name: z.string().min(1),
    cron: Cron.meta({ description: '5-field cron: minute hour day-of-month month day-of-week' }),
    timezone: TimeZone,
    window: Duration,
    experiments: z.array(z.string().min(1)).min(1),
    pick: z.enum(['all', 'random', 'round-robin']).default('all'),
    weights: z.record(z.string().min(1), z.number().positive()).optional(),
    maxRuns: z.int().min(1).max(1000).optional(),
    spacing: Duration.prefault('0s'),
    minInterval: Duration.prefault('0s'),
  })
  .strict();
export type GamedayFile = z.output<typeof GamedayFile>;

/** One blackout as written: a period (`from`, `to`, `reason`) or an iCalendar file (`ics`). */
export const BlackoutFile = z
  .object({
    from: z.string().min(1).optional(),
    to: z.string().min(1).optional(),
    reason: z.string().min(1).optional(),
    timezone: TimeZone.optional(),
    ics: z.string().min(1).optional(),
  })
  .strict();
export type BlackoutFile = z.output<typeof BlackoutFile>;

/** Where a value sits in the config file, for errors found after loading (unknown experiment names). */
export type ConfigPlace = Omit<PositionedIssue, 'message'>;

/** An entry of a game day's `experiments`: a catalog name, or `tag:xyz` for every experiment so tagged. */
export interface ExperimentSelector {
  kind: 'name' | 'tag';
  value: string;
  at: ConfigPlace;
}

/** How a game day picks what it runs. */
export type PickMode = 'all' | 'random' | 'round-robin';

/** One game day, loaded: durations in ms, cron parsed. */
export interface Gameday {
  name: string;
  cron: CronSchedule;
  timeZone: string;
  windowMs: number;
  experiments: ExperimentSelector[];
  pick: PickMode;
  /** `random` only: relative weights by experiment name (others weigh 1). */
  weights: Readonly<Record<string, number>>;
  weightsAt: Readonly<Record<string, ConfigPlace>>;
  /** At most this many runs per game day; undefined: each candidate at most once. */
  maxRuns?: number;
  spacingMs: number;
  minIntervalMs: number;
}

/** The parsed `gamedays:` and `blackouts:` sections. */
export interface GamedaysConfig {
  gamedays: Gameday[];
  blackouts: Blackout[];
}

/** No game days, no blackouts: what a config without these sections loads as. */
export function emptyGamedaysConfig(): GamedaysConfig {
  return { gamedays: [], blackouts: [] };
}

/**
 * Turns the schema-checked sections into a GamedaysConfig, with the issues only visible
 * across entries or in other files: duplicate names, weights without `pick: random`, bad
 * blackout dates, unreadable or invalid .ics files. `resolvePath` makes an .ics path absolute.
 */
export function loadGamedaysSections(
  source: YamlSource,
  sections: { gamedays: GamedayFile[]; blackouts: BlackoutFile[] },
  resolvePath: (path: string) => string,
): { config: GamedaysConfig; issues: PositionedIssue[] } {
  const issues: PositionedIssue[] = [];
  const place = (path: (string | number)[], at: 'key' | 'value' = 'value'): ConfigPlace => {
    const pos = source.position(path, at);
    return { file: source.file, line: pos.line, col: pos.col, path: formatPath(path) };
  };
  const seen = new Set<string>();
  const gamedays = sections.gamedays.map((g, i): Gameday => {
    if (seen.has(g.name)) issues.push(issueAt(source, ['gamedays', i, 'name'], `another game day is already named ${JSON.stringify(g.name)}`));
    seen.add(g.name);
    if (g.weights && g.pick !== 'random') issues.push(issueAt(source, ['gamedays', i, 'weights'], 'weights apply only with pick: random', 'key'));
    return {
      name: g.name,
      cron: parseCron(g.cron),
      timeZone: g.timezone,
      windowMs: g.window,
      experiments: g.experiments.map((text, j) => {
        const tag = text.startsWith('tag:');
        return { kind: tag ? 'tag' : 'name', value: tag ? text.slice(4) : text, at: place(['gamedays', i, 'experiments', j]) };
      }),
      pick: g.pick,
      weights: g.weights ?? {},
      weightsAt: Object.fromEntries(Object.keys(g.weights ?? {}).map((k) => [k, place(['gamedays', i, 'weights', k], 'key')])),
      ...(g.maxRuns !== undefined && { maxRuns: g.maxRuns }),
      spacingMs: g.spacing,
      minIntervalMs: g.minInterval,
    };
  });
  gamedays.forEach((g, i) => {
    if (g.windowMs < 60_000) issues.push(issueAt(source, ['gamedays', i, 'window'], 'expected a window of at least 1m'));
  });
  const zones = [...new Set(gamedays.map((g) => g.timeZone))];
  const commonZone = zones.length === 1 ? zones[0] : undefined;
  const blackouts: Blackout[] = [];
  sections.blackouts.forEach((b, i) => {
    const at = (key: string): (string | number)[] => ['blackouts', i, key];
    const timeZone = b.timezone ?? commonZone;
    if (b.ics !== undefined) {
      for (const key of ['from', 'to', 'reason'] as const) {
        if (b[key] !== undefined) issues.push(issueAt(source, at(key), 'an ics entry takes only ics and timezone', 'key'));
      }
      if (timeZone === undefined) {
        issues.push(issueAt(source, at('ics'), 'set timezone: the game days do not share one to read the calendar\'s floating times in'));
        return;
      }
      const path = resolvePath(b.ics);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        issues.push(issueAt(source, at('ics'), `cannot read ${path}: ${errorMessage(err)}`));
        return;
      }
      try {
        blackouts.push(...parseIcs(text, path, timeZone));
      } catch (err) {
        if (!(err instanceof IcsError)) throw err;
        issues.push({ file: err.file, line: err.line, col: 1, path: '', message: err.message.slice(`${err.file}:${err.line}: `.length) });
      }
      return;
    }
    const missing = (['from', 'to', 'reason'] as const).filter((k) => b[k] === undefined);
    if (missing.length > 0) {
      issues.push(issueAt(source, ['blackouts', i], `missing required key${missing.length > 1 ? 's' : ''} ${missing.map((k) => `"${k}"`).join(', ')} (or give ics: file.ics)`));
      return;
    }
    const from = readMoment(b.from ?? '', false);
    const to = readMoment(b.to ?? '', true);
    if (typeof from === 'string') issues.push(issueAt(source, at('from'), from));
    if (typeof to === 'string') issues.push(issueAt(source, at('to'), to));
    if (typeof from === 'string' || typeof to === 'string') return;
    if ((from.offsetMs === undefined || to.offsetMs === undefined) && timeZone === undefined) {
      issues.push(issueAt(source, ['blackouts', i], 'set timezone (or write the times with an offset): the game days do not share one'));
      return;
    }
    // both bounds absolute: keep them on the UTC clock, where no wall time is ambiguous
    const zone = from.offsetMs !== undefined && to.offsetMs !== undefined ? 'UTC' : (timeZone ?? 'UTC');
    const start = from.offsetMs === undefined ? from.wall : utcWall(wallMs(from.wall) - from.offsetMs, zone);
    const end = to.offsetMs === undefined ? to.wall : utcWall(wallMs(to.wall) - to.offsetMs, zone);
    if (instantOf(end, zone) <= instantOf(start, zone)) {
      issues.push(issueAt(source, at('to'), `expected a time after from (${b.from})`));
      return;
    }
    const pos = source.position(['blackouts', i]);
    blackouts.push({ reason: b.reason ?? '', source: `${source.file}:${pos.line}:${pos.col}`, timeZone: zone, start, end });
  });
  return { config: { gamedays, blackouts }, issues };
}

function utcWall(instant: number, timeZone: string): WallTime {
  const { year, month, day, hour, minute } = wallAt(instant, timeZone);
  return { year, month, day, hour, minute };
}

const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A blackout bound: `2025-03-10` (a date: from its start; as `to`, through its end),
 * `2025-03-10T08:00`, optionally with `Z` or `+01:00`. A message string when unreadable.
 */
function readMoment(text: string, isEnd: boolean): { wall: WallTime; offsetMs?: number } | string {
  const m = MOMENT.exec(text.trim());
  const expected = `expected a date like 2025-03-10 or a time like 2025-03-10T08:00 (optionally with Z or +01:00), got ${JSON.stringify(text)}`;
  if (!m) return expected;
  const wall = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0) };
  const back = wallOf(wallMs(wall));
  if (back.month !== wall.month || back.day !== wall.day || wall.hour > 23 || wall.minute > 59 || Number(m[6] ?? 0) > 59) return `not a valid date or time: ${JSON.stringify(text)}`;
  const dateOnly = m[4] === undefined;
  const zone = m[7];
  let offsetMs: number | undefined;
  if (zone === 'Z') offsetMs = 0;
  else if (zone !== undefined) offsetMs = (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  const w = dateOnly && isEnd ? wallOf(wallMs(wall) + 86_400_000) : wall;
  return offsetMs === undefined ? { wall: w } : { wall: w, offsetMs };
}
