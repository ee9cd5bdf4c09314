import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blackoutAt, periods } from '../../src/scheduler/blackouts.js';
import { IcsError, parseIcs } from '../../src/scheduler/ics.js';

const fixture = fileURLToPath(new URL('../fixtures/scheduler/teaching.ics', import.meta.url));
const blackouts = parseIcs(readFileSync(fixture, 'utf8'), fixture, 'Europe/Paris');
const at = (iso: string): number => Date.parse(iso);

function icsError(body: string): IcsError {
  const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', ...body.split('\n'), 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
  const err = (() => {
    try {
      parseIcs(text, 'cal.ics', 'Europe/Paris');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  if (!(err instanceof IcsError)) throw new Error(`expected an IcsError, got ${String(err)}`);
  return err;
}

test('events become blackouts with their summary (unfolded, unescaped) as the reason; cancelled ones are left out', (t) => {
  t.deepEqual(blackouts.map((b) => b.reason), ['Teaching block, autumn term', 'Bastille Day', 'Platform upgrade']);
  t.regex(blackouts[0]?.source ?? '', /teaching\.ics:15$/);
});

test('a weekly TZID block keeps its wall-clock time across the October DST change', (t) => {
  const list = [...periods(blackouts[0]!, at('2025-11-12T00:00:00Z'))].map((p) => new Date(p.start).toISOString());
  t.is(list[0], '2025-09-16T07:30:00.000Z'); // 09:30 CEST
  t.true(list.includes('2025-10-21T07:30:00.000Z'));
  t.false(list.includes('2025-10-28T08:30:00.000Z'), 'EXDATE removes the holiday week');
  t.true(list.includes('2025-11-04T08:30:00.000Z'), '09:30 CET after the change');
  t.is(blackoutAt(blackouts, at('2025-11-04T09:00:00Z'))?.until, at('2025-11-04T11:00:00Z'));
  t.is(blackoutAt(blackouts, at('2025-10-28T09:00:00Z')), undefined);
});

test('UNTIL ends a weekly rule and COUNT a yearly one', (t) => {
  t.truthy(blackoutAt(blackouts, at('2025-12-16T09:00:00Z')));
  t.is(blackoutAt(blackouts, at('2025-12-23T09:00:00Z')), undefined);
  t.is(blackoutAt(blackouts, at('2026-07-14T10:00:00Z'))?.blackout.reason, 'Bastille Day');
  t.is(blackoutAt(blackouts, at('2027-07-14T10:00:00Z'))?.blackout.reason, 'Bastille Day');
  t.is(blackoutAt(blackouts, at('2028-07-14T10:00:00Z')), undefined, 'COUNT=3: 2025, 2026, 2027');
});

test('an all-day DATE event covers the whole local day, and a UTC event with DURATION its hours', (t) => {
  t.truthy(blackoutAt(blackouts, at('2025-07-13T22:00:00Z')), '00:00 Paris on the 14th');
  t.is(blackoutAt(blackouts, at('2025-07-13T21:59:00Z')), undefined);
  t.is(blackoutAt(blackouts, at('2025-07-14T12:00:00Z'))?.until, at('2025-07-14T22:00:00Z'));
  t.is(blackoutAt(blackouts, at('2025-06-03T12:59:00Z'))?.blackout.reason, 'Platform upgrade');
  t.is(blackoutAt(blackouts, at('2025-06-03T13:00:00Z')), undefined);
});

test('unsupported or broken calendars are refused with the file and line', (t) => {
  t.is(icsError('DTSTART:20250101T090000Z\nDTEND:20250101T100000Z\nRRULE:FREQ=MONTHLY').message, 'cal.ics:6: RRULE: FREQ=MONTHLY is not supported; use DAILY, WEEKLY or YEARLY');
  t.is(icsError('DTSTART:20250101T090000Z\nDTEND:20250101T100000Z\nRRULE:FREQ=WEEKLY;BYMONTH=1').line, 6);
  t.regex(icsError('DTSTART;TZID=W. Europe Standard Time:20250101T090000\nDTEND:20250101T100000Z').message, /cal\.ics:4: DTSTART: TZID "W\. Europe Standard Time" is not an IANA timezone/);
  t.is(icsError('DTSTART:20250101T090000Z').message, 'cal.ics:4: event without DTEND or DURATION: it would black out nothing');
  t.is(icsError('SUMMARY:x').message, 'cal.ics:3: event without DTSTART');
  t.is(icsError('DTSTART:20250101T090000Z\nDTEND:20250101T080000Z').message, 'cal.ics:5: the event ends before it starts');
  t.is(icsError('DTSTART:20250101\nDTEND:20250102').message, 'cal.ics:4: DTSTART "20250101" is a date: add ;VALUE=DATE');
  t.is(icsError('DTSTART:20250231T090000Z\nDTEND:20250301T100000Z').message, 'cal.ics:4: DTSTART: "20250231T090000Z" is not a valid date or time');
  t.is(icsError('DTSTART:20250101T090000Z\nDTEND:20250101T100000Z\nRECURRENCE-ID:20250101T090000Z').message, 'cal.ics:6: RECURRENCE-ID is not supported; expand the event or remove it');
  t.is(icsError('DTSTART:20250101T090000Z\nDTEND:20250101T100000Z\nRRULE:FREQ=WEEKLY;COUNT=2;UNTIL=20250301T000000Z').message, 'cal.ics:6: RRULE: COUNT and UNTIL cannot both be set');
  t.throws(() => parseIcs('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n', 'x.ics', 'UTC'), { message: 'x.ics:3: END:VCALENDAR does not close BEGIN:VEVENT' });
  t.throws(() => parseIcs('BEGIN:VCALENDAR\r\n', 'x.ics', 'UTC'), { message: 'x.ics:1: BEGIN:VCALENDAR is never closed' });
  t.throws(() => parseIcs('', 'x.ics', 'UTC'), { message: 'x.ics:1: the file is empty; expected BEGIN:VCALENDAR' });
  t.throws(() => parseIcs('hello world\r\n', 'x.ics', 'UTC'), { message: /x\.ics:1: / });
});

test('floating times are read in the default timezone and weekly BYDAY repeats on each listed day', (t) => {
  const text = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'SUMMARY:Labs', 'DTSTART:20250106T140000', 'DTEND:20250106T160000', 'RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4', 'END:VEVENT', 'END:VCALENDAR'].join('\n');
  const [labs] = parseIcs(text, 'labs.ics', 'America/New_York');
  const starts = [...periods(labs!, at('2026-01-01T00:00:00Z'))].map((p) => new Date(p.start).toISOString());
  t.deepEqual(starts, ['2025-01-06T19:00:00.000Z', '2025-01-09T19:00:00.000Z', '2025-01-13T19:00:00.000Z', '2025-01-16T19:00:00.000Z']);
});
