/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) and their next
 * occurrence in a timezone. Fields take `*`, numbers, ranges `a-b`, steps `*\/n` `a-b/n`
 * `a/n`, lists `a,b`, month names `jan`…`dec` and day names `sun`…`sat` (0 and 7 are
 * Sunday). When both day fields are restricted, a day matching either one matches (as in
 * Vixie cron). DST: a time skipped by spring forward runs when the gap ends (02:30 → 03:00
 * in Paris); a time repeated by fall back runs once, at its first occurrence. Written here
 * rather than taken from node-cron: planning needs the next occurrences of an expression in
 * a timezone without scheduling it, which node-cron 4 only reports for a running task.
 */
import { addDays, instantOf, wallAt, weekday, type WallTime } from './zoned-time.js';

/** A parsed cron expression: the allowed values of each field. */
export interface CronSchedule {
  /** The expression as written. */
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: ReadonlySet<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  namesFrom?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

/** Parses a cron expression; throws an Error whose message says which field is wrong and why. */
export function parseCron(source: string): CronSchedule {
  const fields = source.trim().split(/\s+/);
  if (fields.length !== 5 || fields[0] === '') {
    throw new Error(`expected 5 cron fields (minute hour day-of-month month day-of-week), got ${fields[0] === '' ? 0 : fields.length}: "${source}"`);
  }
  const sets = FIELDS.map((spec, i) => parseField(fields[i] ?? '', spec));
  const dow = new Set([...(sets[4] ?? [])].map((d) => (d === 7 ? 0 : d)));
  return {
    source,
    minutes: sets[0] ?? new Set(),
    hours: sets[1] ?? new Set(),
    daysOfMonth: sets[2] ?? new Set(),
    months: sets[3] ?? new Set(),
    daysOfWeek: dow,
    domRestricted: !fields[2]?.startsWith('*'),
    dowRestricted: !fields[4]?.startsWith('*'),
  };
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(part);
    if (!match) throw new Error(`${spec.name}: cannot read "${part}"`);
    const [, range = '', stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw new Error(`${spec.name}: step must be at least 1, got ${stepText}`);
    let from = spec.min;
    let to = spec.max === 7 ? 6 : spec.max;
    if (range !== '*') {
      const [a = '', b] = range.split('-');
      from = value(a, spec);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : value(b, spec);
      if (from > to) throw new Error(`${spec.name}: range ${range} goes backwards`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new Error(`${spec.name}: "${text}" is not a number${spec.names ? ' or a name' : ''}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new Error(`${spec.name}: ${n} is out of range ${spec.min}-${spec.max}`);
  return n;
}

function dayMatches(cron: CronSchedule, w: WallTime): boolean {
  if (!cron.months.has(w.month)) return false;
  const dom = cron.daysOfMonth.has(w.day);
  const dow = cron.daysOfWeek.has(weekday(w));
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  return dom && dow;
}

/** How many wall days ahead `nextOccurrence` looks (covers `0 0 29 2 *` across non-leap years). */
const HORIZON_DAYS = 366 * 9;

/**
 * The first instant strictly after `afterMs` at which `cron` fires in `timeZone`, or
 * undefined when it never does (`0 0 31 2 *`). Whole minutes only.
 */
export function nextOccurrence(cron: CronSchedule, timeZone: string, afterMs: number): number | undefined {
  const start = wallAt(afterMs, timeZone);
  const hours = [...cron.hours].sort((a, b) => a - b);
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  // a day earlier: the wall time of a fall-back hour can be behind the instant's first reading
  let day: WallTime = addDays({ ...start, hour: 0, minute: 0 }, -1);
  for (let i = 0; i < HORIZON_DAYS; i++, day = addDays(day, 1)) {
    if (!dayMatches(cron, day)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = instantOf({ ...day, hour, minute }, timeZone);
        if (at > afterMs) return at;
      }
    }
  }
  return undefined;
}
