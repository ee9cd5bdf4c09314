/**
 * Wall-clock time in an IANA timezone, computed with Intl only. The two DST rules every
 * caller relies on: a wall time that does not exist (spring forward) maps to the instant
 * the gap ends; a wall time that exists twice (fall back) maps to its first, earlier instant.
 */

/** A local date and time, as read on a wall clock (month 1–12; no seconds). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows `timeZone` as an IANA zone (or UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time (and its seconds) at instant `ms` in `timeZone`. */
export function wallAt(ms: number, timeZone: string): WallTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms (Paris in summer: +7_200_000). */
export function offsetAt(ms: number, timeZone: string): number {
  const w = wallAt(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The wall time as if it were UTC, in ms: a plain number line for wall-clock arithmetic. */
export function wallMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

/** The wall time of a `wallMs` number. */
export function wallOf(ms: number): WallTime {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/**
 * The instant of wall time `w` in `timeZone`. Ambiguous (fall back): the earlier instant.
 * Non-existent (spring forward): the instant the gap ends (02:30 in Paris on the last
 * Sunday of March → 03:00 local, 01:00 UTC).
 */
export function instantOf(w: WallTime, timeZone: string): number {
  const local = wallMs(w);
  const offsets = [...new Set([offsetAt(local - 86_400_000, timeZone), offsetAt(local + 86_400_000, timeZone)])];
  const matches = offsets.map((o) => local - o).filter((t) => wallMs(wallAt(t, timeZone)) === local).sort((a, b) => a - b);
  if (matches[0] !== undefined) return matches[0];
  // a gap: the transition lies between the two readings; find its first minute
  let lo = Math.min(...offsets.map((o) => local - o));
  let hi = Math.max(...offsets.map((o) => local - o));
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (wallMs(wallAt(mid, timeZone)) >= local) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Day of the week of a wall date, 0 = Sunday. */
export function weekday(w: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  return new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
}

/** `w` moved by whole days on the wall clock (the time of day stays). */
export function addDays(w: WallTime, days: number): WallTime {
  return wallOf(wallMs(w) + days * 86_400_000);
}

/** An instant as people read it in `timeZone`: `2025-03-11 10:00 Europe/Paris`. */
export function formatInstant(ms: number, timeZone: string): string {
  const w = wallAt(ms, timeZone);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)} ${timeZone}`;
}
