import test from 'ava';
import { parsePromQL } from '../../../src/lab/prometheus/promql/parse.js';
import { PromQLError } from '../../../src/lab/prometheus/promql/values.js';

function refusal(query: string): string {
  try {
    parsePromQL(query);
  } catch (error) {
    if (error instanceof PromQLError && error.type === 'bad_data') return error.message;
    throw error;
  }
  throw new Error(`${query} parsed`);
}

const unsupported: [string, string][] = [
  ['rate(foo[5m:1m])', 'subquery'],
  ['foo offset 5m', 'offset modifier'],
  ['foo[5m] offset 1m', 'offset modifier'],
  ['foo @ 1609746000', '@ modifier'],
  ['foo @ start()', '@ modifier'],
  ['a + on (b) group_left c', 'group_left'],
  ['a * ignoring (b) group_right (c) c', 'group_right'],
  ['a + on (b) fill(0) c', 'fill modifier'],
  ['a atan2 b', 'atan2 operator'],
  ['topk(3, foo)', 'aggregation topk'],
  ['bottomk(3, foo)', 'aggregation bottomk'],
  ['quantile(0.9, foo)', 'aggregation quantile'],
  ['count_values("v", foo)', 'aggregation count_values'],
  ['stddev(foo)', 'aggregation stddev'],
  ['label_replace(foo, "a", "$1", "b", "(.*)")', 'function label_replace'],
  ['predict_linear(foo[5m], 60)', 'function predict_linear'],
  ['quantile_over_time(0.9, foo[5m])', 'function quantile_over_time'],
  ['foo[5m * 2]', 'duration expression'],
  ['foo anchored', 'anchored modifier'],
  ['foo smoothed', 'smoothed modifier'],
  ['a </ b', 'trim operator </'],
  ['a >/ b', 'trim operator >/'],
  ['limitk(2, foo)', 'aggregation limitk'],
];

for (const [query, construct] of unsupported) {
  test(`an unsupported construct is refused by name: ${query}`, (t) => {
    t.true(refusal(query).startsWith(`unsupported PromQL: ${construct} (`), refusal(query));
  });
}

const errors: [string, string][] = [
  ['', '1:1: parse error: no expression found in input'],
  ['  # only a comment', '1:1: parse error: no expression found in input'],
  ['foo bar', '1:5: parse error: unexpected "bar"'],
  ['sum(foo', '1:8: parse error: unexpected end of input'],
  ['nosuch(foo)', '1:1: parse error: unknown function with name "nosuch"'],
  ['foo{a="b"', '1:10: parse error: unexpected end of input'],
  ['foo{a="b}', '1:10: parse error: unexpected end of input'],
  ['foo{a=`b}', '1:7: parse error: unexpected "`"'],
  ['"abc', '1:1: parse error: unterminated quoted string "abc'],
  ['"a\\qb"', '1:1: parse error: unknown escape sequence \\q'],
  ['{a=~"("}', '1:2: parse error: invalid regular expression "("'],
  ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:5: parse error: metric name must not be set twice: "foo" or "bar"'],
  ['rate(foo)', '1:1: parse error: expected type range vector in call to function "rate", got instant vector'],
  ['abs(foo[5m])', '1:1: parse error: expected type instant vector in call to function "abs", got range vector'],
  ['rate(foo[5m], 1)', '1:1: parse error: expected 1 argument(s) in call to "rate", got 2'],
  ['round(foo, 1, 2)', '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3'],
  ['clamp(foo)', '1:1: parse error: expected 3 argument(s) in call to "clamp", got 1'],
  ['sum(foo[5m])', '1:1: parse error: expected type instant vector in aggregation expression, got range vector'],
  ['sum()', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 0'],
  ['(foo)[5m]', '1:1: parse error: ranges only allowed for vector selectors'],
  ['foo[0s]', '1:5: parse error: range duration must be greater than 0, got "0s"'],
  ['-(foo[5m])', '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ['1 > 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
  ['foo + bool 1', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo[5m] + 1', '1:9: parse error: binary expression must contain only scalar and instant vector types'],
  ['"a" + 1', '1:5: parse error: binary expression must contain only scalar and instant vector types'],
  ['foo and 1', '1:5: parse error: set operator "and" not allowed in binary scalar expression'],
  ['foo + on (a) 1', '1:5: parse error: vector matching only allowed between instant vectors'],
];

for (const [query, message] of errors) {
  test(`a bad query is refused with Prometheus's message: ${JSON.stringify(query)}`, (t) => {
    const got = refusal(query);
    t.true(got.startsWith(message), got);
  });
}

test('selectors keep all four matchers, the metric name first, quoted names included', (t) => {
  const expr = parsePromQL('{"http.requests", code=~"5..", method!="GET", path!~"/api/.*", job="hub"}');
  t.is(expr.kind, 'vector-selector');
  if (expr.kind !== 'vector-selector') return;
  t.deepEqual(expr.matchers.map((m) => `${m.name}${m.type}${m.value}`), ['__name__=http.requests', 'code=~5..', 'method!=GET', 'path!~/api/.*', 'job=hub']);
});

test('numbers read in every PromQL notation', (t) => {
  const value = (q: string): number => {
    const expr = parsePromQL(q);
    return expr.kind === 'number' ? expr.value : Number.NaN;
  };
  t.is(value('0x1f'), 31);
  t.is(value('1e3'), 1000);
  t.is(value('1_000'), 1000);
  t.is(value('.5'), 0.5);
  t.is(value('-Inf'), Number.NEGATIVE_INFINITY);
  t.true(Number.isNaN(value('NaN')));
  t.is(value('5m'), 300, 'a duration is a number of seconds');
});

test('ranges take durations and plain seconds', (t) => {
  const range = (q: string): number => {
    const expr = parsePromQL(q);
    return expr.kind === 'matrix-selector' ? expr.rangeMs : Number.NaN;
  };
  t.is(range('foo[1h30m]'), 5_400_000);
  t.is(range('foo[250ms]'), 250);
  t.is(range('foo[90]'), 90_000);
});

test('by and without take quoted and unquoted label names, before or after the body', (t) => {
  const expr = parsePromQL('sum without ("a", b) (foo)');
  t.like(expr, { kind: 'aggregate', op: 'sum', grouping: ['a', 'b'], without: true });
  t.like(parsePromQL('SUM(foo) BY (job)'), { kind: 'aggregate', op: 'sum', grouping: ['job'], without: false });
});
