import test from 'ava';
import { nextOccurrence, parseCron } from '../../src/scheduler/cron.js';
import { instantOf } from '../../src/scheduler/zoned-time.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function series(expr: string, zone: string, from: string, n: number): (string | undefined)[] {
  const cron = parseCron(expr);
  const out: (string | undefined)[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = nextOccurrence(cron, zone, t);
    out.push(iso(next));
    if (next === undefined) break;
    t = next;
  }
  return out;
}

test('every Tuesday at 10:00 Paris is 09:00 UTC in winter and 08:00 UTC in summer', (t) => {
  t.deepEqual(series('0 10 * * tue', 'Europe/Paris', '2025-03-20T00:00:00Z', 3), [
    '2025-03-25T09:00:00.000Z',
    '2025-04-01T08:00:00.000Z',
    '2025-04-08T08:00:00.000Z',
  ]);
  t.deepEqual(series('0 10 * * 2', 'Europe/Paris', '2025-10-20T00:00:00Z', 2), ['2025-10-21T08:00:00.000Z', '2025-10-28T09:00:00.000Z']);
});

test('a 02:30 start on the spring-forward day runs once, at 03:00 local, when the gap ends', (t) => {
  t.deepEqual(series('30 2 * * *', 'Europe/Paris', '2025-03-29T00:00:00Z', 3), [
    '2025-03-29T01:30:00.000Z', // 02:30 CET
    '2025-03-30T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
    '2025-03-31T00:30:00.000Z', // 02:30 CEST
  ]);
});

test('a 02:30 start on the fall-back day runs once, at its first occurrence', (t) => {
  t.deepEqual(series('30 2 * * *', 'Europe/Paris', '2025-10-25T00:00:00Z', 3), [
    '2025-10-25T00:30:00.000Z',
    '2025-10-26T00:30:00.000Z', // 02:30 CEST; the second 02:30 (CET, 01:30 UTC) is not run
    '2025-10-27T01:30:00.000Z',
  ]);
});

test('times inside the spring-forward gap collapse into one run at the gap end, and fall-back times never repeat', (t) => {
  t.deepEqual(series('*/30 * * * *', 'Europe/Paris', '2025-03-30T00:00:00Z', 3), [
    '2025-03-30T00:30:00.000Z',
    '2025-03-30T01:00:00.000Z',
    '2025-03-30T01:30:00.000Z',
  ]);
  const fall = series('*/30 * * * *', 'Europe/Paris', '2025-10-26T00:00:00Z', 3);
  t.deepEqual(fall, ['2025-10-26T00:30:00.000Z', '2025-10-26T02:00:00.000Z', '2025-10-26T02:30:00.000Z']);
});

test('day-of-month and day-of-week both restricted match either, as in Vixie cron', (t) => {
  // the 13th, or any Friday
  t.deepEqual(series('0 12 13 * fri', 'UTC', '2025-06-09T00:00:00Z', 3), [
    '2025-06-13T12:00:00.000Z',
    '2025-06-20T12:00:00.000Z',
    '2025-06-27T12:00:00.000Z',
  ]);
  t.deepEqual(series('0 12 13 * *', 'UTC', '2025-06-14T00:00:00Z', 1), ['2025-07-13T12:00:00.000Z']);
});

test('ranges, steps, lists, names and Sunday as 7 are read', (t) => {
  const c = parseCron('5-20/5 9,17 * jan-mar mon-fri');
  t.deepEqual([...c.minutes], [5, 10, 15, 20]);
  t.deepEqual([...c.hours], [9, 17]);
  t.deepEqual([...c.months], [1, 2, 3]);
  t.deepEqual([...c.daysOfWeek], [1, 2, 3, 4, 5]);
  t.deepEqual([...parseCron('0 0 * * 7').daysOfWeek], [0]);
  t.deepEqual([...parseCron('10/20 * * * *').minutes], [10, 30, 50]);
});

test('29 February is found in the next leap year and 31 February never', (t) => {
  t.deepEqual(series('0 0 29 2 *', 'UTC', '2025-01-01T00:00:00Z', 1), ['2028-02-29T00:00:00.000Z']);
  t.is(nextOccurrence(parseCron('0 0 31 2 *'), 'UTC', Date.parse('2025-01-01T00:00:00Z')), undefined);
});

test('bad expressions are refused with the field and the reason', (t) => {
  t.throws(() => parseCron('0 10 * *'), { message: /expected 5 cron fields .* got 4/ });
  t.throws(() => parseCron('60 10 * * *'), { message: 'minute: 60 is out of range 0-59' });
  t.throws(() => parseCron('0 10 * * funday'), { message: 'day of week: "funday" is not a number or a name' });
  t.throws(() => parseCron('0 20-10 * * *'), { message: 'hour: range 20-10 goes backwards' });
  t.throws(() => parseCron('*/0 * * * *'), { message: /step must be at least 1/ });
  t.throws(() => parseCron('@daily'), { message: /expected 5 cron fields/ });
});

test('wall times map to instants with the DST rules the scheduler documents', (t) => {
  const paris = 'Europe/Paris';
  t.is(iso(instantOf({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, paris)), '2025-03-30T01:00:00.000Z');
  t.is(iso(instantOf({ year: 2025, month: 10, day: 26, hour: 2, minute: 30 }, paris)), '2025-10-26T00:30:00.000Z');
  t.is(iso(instantOf({ year: 2025, month: 1, day: 7, hour: 10, minute: 0 }, 'America/New_York')), '2025-01-07T15:00:00.000Z');
});
