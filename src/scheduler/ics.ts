/**
 * A small, strict iCalendar (RFC 5545) reader for blackouts: each VEVENT's DTSTART and
 * DTEND (or DURATION) — DATE, DATE-TIME in UTC (`Z`), with an IANA `TZID`, or floating
 * (read in the default timezone) — its SUMMARY as the reason, RRULE with FREQ=DAILY,
 * WEEKLY (BYDAY) or YEARLY plus INTERVAL, COUNT and UNTIL, and EXDATE. Cancelled events
 * are left out. Anything else that changes when an event happens (RDATE, RECURRENCE-ID,
 * other RRULE parts, a Windows TZID) is refused with the file and line, never guessed.
 */
import type { Blackout, Recurrence } from './blackouts.js';
import { instantOf, isTimeZone, wallAt, wallMs, wallOf, type WallTime } from './zoned-time.js';

/** A problem in an .ics file, at a 1-based line. */
export class IcsError extends Error {
  override readonly name = 'IcsError';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

interface ContentLine {
  line: number;
  name: string;
  params: Record<string, string>;
  value: string;
}

/** The blackouts of an .ics file's events. `timeZone` reads floating times and all-day dates. */
export function parseIcs(text: string, file: string, timeZone: string): Blackout[] {
  const lines = contentLines(text, file);
  const out: Blackout[] = [];
  const stack: string[] = [];
  let event: ContentLine[] | undefined;
  let eventLine = 0;
  for (const cl of lines) {
    if (cl.name === 'BEGIN') {
      const kind = cl.value.toUpperCase();
      if (stack.length === 0 && kind !== 'VCALENDAR') throw new IcsError(file, cl.line, `expected BEGIN:VCALENDAR, got BEGIN:${cl.value}`);
      stack.push(kind);
      if (kind === 'VEVENT' && stack.length === 2) {
        event = [];
        eventLine = cl.line;
      }
      continue;
    }
    if (cl.name === 'END') {
      const open = stack.pop();
      if (open !== cl.value.toUpperCase()) throw new IcsError(file, cl.line, `END:${cl.value} does not close ${open ? `BEGIN:${open}` : 'anything'}`);
      if (open === 'VEVENT' && stack.length === 1 && event) {
        const b = blackoutOf(event, file, eventLine, timeZone);
        if (b) out.push(b);
        event = undefined;
      }
      continue;
    }
    if (stack.length === 0) throw new IcsError(file, cl.line, `${cl.name} outside BEGIN:VCALENDAR`);
    if (event && stack.length === 2) event.push(cl);
  }
  if (stack.length > 0) throw new IcsError(file, lines.at(-1)?.line ?? 1, `BEGIN:${stack.at(-1)} is never closed`);
  if (lines.length === 0) throw new IcsError(file, 1, 'the file is empty; expected BEGIN:VCALENDAR');
  return out;
}

/** Unfolds lines (a line starting with a space or tab continues the previous one) and splits name, parameters, value. */
function contentLines(text: string, file: string): ContentLine[] {
  const raw = text.split(/\r?\n/);
  const out: ContentLine[] = [];
  let current: { line: number; text: string } | undefined;
  const flush = (): void => {
    if (current) out.push(splitLine(current.text, file, current.line));
  };
  raw.forEach((textLine, i) => {
    if (/^[ \t]/.test(textLine) && current) {
      current.text += textLine.slice(1);
      return;
    }
    flush();
    current = textLine.trim() === '' ? undefined : { line: i + 1, text: textLine };
  });
  flush();
  return out;
}

function splitLine(text: string, file: string, line: number): ContentLine {
  const params: Record<string, string> = {};
  let i = 0;
  const nameMatch = /^[A-Za-z0-9-]+/.exec(text);
  if (!nameMatch) throw new IcsError(file, line, `cannot read content line "${text.slice(0, 40)}"`);
  const name = nameMatch[0].toUpperCase();
  i = name.length;
  while (text[i] === ';') {
    const param = /^;([A-Za-z0-9-]+)=("[^"]*"|[^;:,"]*(?:,[^;:,"]*)*)/.exec(text.slice(i));
    if (!param) throw new IcsError(file, line, `cannot read the parameters of ${name}`);
    params[(param[1] ?? '').toUpperCase()] = (param[2] ?? '').replace(/^"|"$/g, '');
    i += param[0].length;
  }
  if (text[i] !== ':') throw new IcsError(file, line, `expected ":" after ${name} and its parameters`);
  return { line, name, params, value: text.slice(i + 1) };
}

const REFUSED = new Set(['RDATE', 'RECURRENCE-ID', 'EXRULE']);

function blackoutOf(props: ContentLine[], file: string, line: number, timeZone: string): Blackout | undefined {
  const one = (name: string): ContentLine | undefined => {
    const found = props.filter((p) => p.name === name);
    if (found.length > 1) throw new IcsError(file, found[1]?.line ?? line, `${name} appears more than once in this event`);
    return found[0];
  };
  for (const p of props) if (REFUSED.has(p.name)) throw new IcsError(file, p.line, `${p.name} is not supported; expand the event or remove it`);
  if (one('STATUS')?.value.toUpperCase() === 'CANCELLED') return undefined;
  const dtstart = one('DTSTART');
  if (!dtstart) throw new IcsError(file, line, 'event without DTSTART');
  const start = readTime(dtstart, file, timeZone);
  const dtend = one('DTEND');
  const duration = one('DURATION');
  if (dtend && duration) throw new IcsError(file, duration.line, 'an event has DTEND or DURATION, not both');
  let endWall: WallTime;
  if (dtend) {
    const end = readTime(dtend, file, timeZone);
    if (end.date !== start.date) throw new IcsError(file, dtend.line, 'DTEND must be a DATE when DTSTART is a DATE, and a DATE-TIME otherwise');
    endWall = end.timeZone === start.timeZone ? end.wall : rezone(end, start.timeZone);
  } else if (duration) {
    endWall = wallOf(wallMs(start.wall) + readDuration(duration, file));
  } else if (start.date) {
    endWall = wallOf(wallMs(start.wall) + 86_400_000);
  } else {
    throw new IcsError(file, dtstart.line, 'event without DTEND or DURATION: it would black out nothing');
  }
  if (wallMs(endWall) <= wallMs(start.wall)) throw new IcsError(file, (dtend ?? duration ?? dtstart).line, 'the event ends before it starts');
  const summary = one('SUMMARY');
  const rrule = one('RRULE');
  const exdates = props
    .filter((p) => p.name === 'EXDATE')
    .flatMap((p) => p.value.split(',').map((v) => instantOfTime(readTime({ ...p, value: v }, file, timeZone))));
  return {
    reason: summary ? unescapeText(summary.value) : '(no summary)',
    source: `${file}:${summary?.line ?? line}`,
    timeZone: start.timeZone,
    start: start.wall,
    end: endWall,
    ...(rrule && { recurrence: readRule(rrule, file, timeZone) }),
    ...(exdates.length > 0 && { exdates }),
  };
}

interface IcsTime {
  wall: WallTime;
  timeZone: string;
  date: boolean;
}

function readTime(p: ContentLine, file: string, timeZone: string): IcsTime {
  const isDate = p.params.VALUE?.toUpperCase() === 'DATE';
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(p.value.trim());
  if (!m || (isDate && m[4] !== undefined) || (!isDate && m[4] === undefined)) {
    if (m && !isDate && m[4] === undefined) throw new IcsError(file, p.line, `${p.name} "${p.value}" is a date: add ;VALUE=DATE`);
    throw new IcsError(file, p.line, `${p.name}: expected ${isDate ? 'a DATE like 20250310' : 'a DATE-TIME like 20250310T090000 or 20250310T080000Z'}, got "${p.value}"`);
  }
  if (!isDate && p.params.VALUE !== undefined && p.params.VALUE.toUpperCase() !== 'DATE-TIME') {
    throw new IcsError(file, p.line, `${p.name}: VALUE=${p.params.VALUE} is not supported`);
  }
  const wall = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0) };
  const back = wallOf(wallMs(wall));
  if (back.month !== wall.month || back.day !== wall.day || wall.hour > 23 || wall.minute > 59 || Number(m[6] ?? 0) > 59) {
    throw new IcsError(file, p.line, `${p.name}: "${p.value}" is not a valid date or time`);
  }
  if (m[7] === 'Z') {
    if (p.params.TZID) throw new IcsError(file, p.line, `${p.name}: a UTC time ("Z") cannot also have a TZID`);
    return { wall, timeZone: 'UTC', date: false };
  }
  const tzid = p.params.TZID;
  if (tzid !== undefined && !isTimeZone(tzid)) {
    throw new IcsError(file, p.line, `${p.name}: TZID "${tzid}" is not an IANA timezone (like Europe/Paris); export the calendar with IANA names`);
  }
  return { wall, timeZone: tzid ?? timeZone, date: isDate };
}

function instantOfTime(t: IcsTime): number {
  return instantOf(t.wall, t.timeZone);
}

function rezone(t: IcsTime, timeZone: string): WallTime {
  const { year, month, day, hour, minute } = wallAt(instantOfTime(t), timeZone);
  return { year, month, day, hour, minute };
}

function readDuration(p: ContentLine, file: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(p.value.trim());
  if (!m || p.value.trim() === 'P' || p.value.trim().endsWith('T')) throw new IcsError(file, p.line, `DURATION: expected a positive duration like PT1H30M or P1D, got "${p.value}"`);
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return (((w * 7 + d) * 24 + h) * 60 + min) * 60_000 + s * 1000;
}

const ICS_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function readRule(p: ContentLine, file: string, timeZone: string): Recurrence {
  const parts = new Map<string, string>();
  for (const item of p.value.split(';')) {
    const [key = '', value] = item.split('=');
    if (value === undefined || parts.has(key.toUpperCase())) throw new IcsError(file, p.line, `RRULE: cannot read "${item}"`);
    parts.set(key.toUpperCase(), value.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'YEARLY') {
    throw new IcsError(file, p.line, `RRULE: FREQ=${freq ?? '(missing)'} is not supported; use DAILY, WEEKLY or YEARLY`);
  }
  const rule: Recurrence = { freq, interval: 1 };
  for (const [key, value] of parts) {
    if (key === 'FREQ' || (key === 'WKST' && value === 'MO')) continue;
    if (key === 'INTERVAL' || key === 'COUNT') {
      if (!/^[1-9]\d{0,4}$/.test(value)) throw new IcsError(file, p.line, `RRULE: ${key} must be a whole number from 1, got "${value}"`);
      if (key === 'INTERVAL') rule.interval = Number(value);
      else rule.count = Number(value);
    } else if (key === 'UNTIL') {
      rule.until = instantOfTime(readTime({ ...p, name: 'UNTIL', params: /T/.test(value) ? {} : { VALUE: 'DATE' }, value }, file, timeZone));
      if (!/T/.test(value)) rule.until += 86_400_000 - 1; // a date UNTIL includes that whole day
    } else if (key === 'BYDAY' && freq === 'WEEKLY') {
      rule.byDay = value.split(',').map((d) => {
        const i = ICS_DAYS.indexOf(d);
        if (i < 0) throw new IcsError(file, p.line, `RRULE: BYDAY "${d}" is not supported; use plain days (MO,TU,…)`);
        return i;
      });
    } else {
      throw new IcsError(file, p.line, `RRULE: ${key}=${value} is not supported (only FREQ, INTERVAL, COUNT, UNTIL, and BYDAY with WEEKLY)`);
    }
  }
  if (rule.count !== undefined && rule.until !== undefined) throw new IcsError(file, p.line, 'RRULE: COUNT and UNTIL cannot both be set');
  return rule;
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? ' ' : c)).trim();
}
