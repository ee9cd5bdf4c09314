import test from 'ava';
import { Duration, formatDuration, parseDuration } from '../src/duration.js';

test('durations in each unit parse to milliseconds', (t) => {
  t.is(parseDuration('500ms'), 500);
  t.is(parseDuration('2s'), 2_000);
  t.is(parseDuration('5m'), 300_000);
  t.is(parseDuration('1h'), 3_600_000);
  t.is(parseDuration('0s'), 0);
});

test('compound durations add their parts from the largest unit down', (t) => {
  t.is(parseDuration('1m30s'), 90_000);
  t.is(parseDuration('1h2m3s4ms'), 3_723_004);
  t.is(parseDuration('90s'), 90_000);
});

test('bare numbers, words, spaces and units out of order are not durations', (t) => {
  for (const text of ['30', '', 's', '5 minutes', ' 2s', '2s ', '1.5s', '-2s', '30s1m', '5ms3s', '2d', '1m1m']) {
    t.is(parseDuration(text), undefined, text);
  }
});

test('the Duration schema turns a duration string into milliseconds', (t) => {
  t.is(Duration.parse('1m30s'), 90_000);
});

test('the Duration schema rejects junk with the expected form and what was written', (t) => {
  const result = Duration.safeParse('5 minutes');
  t.false(result.success);
  t.deepEqual(result.error?.issues.map((i) => i.message), ['expected a duration like 30s or 5m, got "5 minutes"']);
});

test('the Duration schema rejects a bare number and says a unit is missing', (t) => {
  const result = Duration.safeParse(30);
  t.deepEqual(result.error?.issues.map((i) => i.message), [
    'expected a duration like 30s or 5m, got 30 (add a unit: ms, s, m or h)',
  ]);
});

test('a duration too large to count in milliseconds is rejected, not rounded', (t) => {
  t.is(parseDuration('99999999999999999999h'), undefined);
  t.false(Duration.safeParse('99999999999999999999h').success);
});

test('formatting gives back the form that parses to the same milliseconds', (t) => {
  for (const ms of [0, 500, 2_000, 90_000, 3_723_004, 3_600_000]) {
    t.is(parseDuration(formatDuration(ms)), ms);
  }
  t.is(formatDuration(90_000), '1m30s');
  t.throws(() => formatDuration(-1), { instanceOf: RangeError });
});
