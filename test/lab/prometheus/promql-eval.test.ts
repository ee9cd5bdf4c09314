import test from 'ava';
import { extrapolatedRate } from '../../../src/lab/prometheus/promql/functions.js';
import { PromQLError } from '../../../src/lab/prometheus/promql/values.js';
import { engineWith, show } from './promql-helpers.js';

/**
 * c_total{job=a}: every 10 s from 5 s, 10 20 30 then a reset to 5 15 25.
 * At 60 s over [60s]: raw increase 25 − 10 + 30 (the reset) = 45; both edges are 5 s away
 * (< 1.1 × the 10 s interval), so it is extrapolated to the full minute: 45 × 60/50 = 54.
 */
const counters = engineWith([
  { labels: { __name__: 'c_total', job: 'a' }, points: [[5, 10], [15, 20], [25, 30], [35, 5], [45, 15], [55, 25]] },
  // starts at 1 at 30 s: extrapolating 5 s back would pass zero; the zero point is 1 s back.
  { labels: { __name__: 'c_total', job: 'b' }, points: [[30, 1], [40, 11], [50, 21], [60, 31]] },
  // a gauge going down: delta extrapolates like increase but without reset handling or zero point.
  { labels: { __name__: 'g', job: 'a' }, points: [[40, 5], [50, 3], [60, 1]] },
  // a single sample gives no rate
  { labels: { __name__: 'c_total', job: 'single' }, points: [[59, 100]] },
]);

test('increase corrects counter resets and extrapolates to the range edges like Prometheus', (t) => {
  const got = show(counters.instant('increase(c_total{job="a"}[60s])', 60_000));
  t.deepEqual(got, ['{job=a} 54']);
});

test('rate is the extrapolated increase per second of the range', (t) => {
  t.deepEqual(show(counters.instant('rate(c_total{job="a"}[1m])', 60_000)), ['{job=a} 0.9']);
});

test('extrapolation towards the start stops at the counter\'s zero point', (t) => {
  // 30 (sampled) + 1 (to zero, shorter than half an interval, 5) + 0 (last sample at the edge) → 30 × 31/30
  const [line] = show(counters.instant('increase(c_total{job="b"}[60s])', 60_000)) as string[];
  t.true(Math.abs(Number(line?.split(' ')[1]) - 31) < 1e-9, line);
  const [rate] = show(counters.instant('rate(c_total{job="b"}[60s])', 60_000)) as string[];
  t.true(Math.abs(Number(rate?.split(' ')[1]) - 31 / 60) < 1e-9, rate);
});

test('delta treats a drop as a drop (no reset correction) and extrapolates without a zero point', (t) => {
  // raw −4 over 20 s; start edge 10 s away (< 11) → extrapolated over 30 s: −6
  t.deepEqual(show(counters.instant('delta(g[30s])', 60_000)), ['{job=a} -6']);
});

test('a series with fewer than two samples in range gives no rate, and the metric name is dropped', (t) => {
  t.deepEqual((show(counters.instant('rate(c_total[1m])', 60_000)) as string[]).map((l) => l.split(' ')[0]), ['{job=a}', '{job=b}']);
});

test('irate uses the last two samples and counts from zero after a reset', (t) => {
  t.deepEqual(show(counters.instant('irate(c_total{job="a"}[1m])', 60_000)), ['{job=a} 1']);
  t.deepEqual(show(counters.instant('irate(c_total{job="a"}[1m])', 36_000)), ['{job=a} 0.5'], 'at 36 s the last two are 30 then 5: 5/10 s');
});

test('the extrapolation helper keeps an edge that is further than 1.1 intervals at half an interval', (t) => {
  // samples at 100..130 s every 10 s in a (0, 200] window: 100 s to the start → 5 s, 70 s to the end → 5 s
  const value = extrapolatedRate({ t: [100_000, 110_000, 120_000, 130_000], v: [100, 110, 120, 130] }, 0, 200_000, 200_000, true, false);
  t.is(value, 30 * (40 / 30));
});

const shards = engineWith([
  { labels: { __name__: 'req', job: 'hub', code: '200', method: 'GET' }, points: [[10, 10]] },
  { labels: { __name__: 'req', job: 'hub', code: '500', method: 'GET' }, points: [[10, 4]] },
  { labels: { __name__: 'req', job: 'hub', code: '500', method: 'POST' }, points: [[10, 2]] },
  { labels: { __name__: 'req', job: 'proxy', code: '200', method: 'GET' }, points: [[10, 7]] },
  { labels: { __name__: 'limit', job: 'hub' }, points: [[10, 8]] },
  { labels: { __name__: 'limit', job: 'proxy' }, points: [[10, 5]] },
  { labels: { __name__: 'nan_gauge', job: 'x' }, points: [[10, Number.NaN]] },
  { labels: { __name__: 'nan_gauge', job: 'y' }, points: [[10, 3]] },
]);
const at = 10_000;

test('sum, avg, min, max, count and group aggregate by the listed labels', (t) => {
  t.deepEqual(show(shards.instant('sum by (job) (req)', at)), ['{job=hub} 16', '{job=proxy} 7']);
  t.deepEqual(show(shards.instant('avg by (code) (req)', at)), ['{code=200} 8.5', '{code=500} 3']);
  t.deepEqual(show(shards.instant('min(req)', at)), ['{} 2']);
  t.deepEqual(show(shards.instant('max by (method) (req)', at)), ['{method=GET} 10', '{method=POST} 2']);
  t.deepEqual(show(shards.instant('count(req) by (job)', at)), ['{job=hub} 3', '{job=proxy} 1']);
  t.deepEqual(show(shards.instant('group by (code) (req)', at)), ['{code=200} 1', '{code=500} 1']);
});

test('without drops the listed labels and the metric name', (t) => {
  t.deepEqual(show(shards.instant('sum without (method) (req)', at)), ['{code=200,job=hub} 10', '{code=200,job=proxy} 7', '{code=500,job=hub} 6']);
});

test('min and max let any number replace NaN', (t) => {
  t.deepEqual(show(shards.instant('max(nan_gauge)', at)), ['{} 3']);
  t.deepEqual(show(shards.instant('min(nan_gauge)', at)), ['{} 3']);
});

test('a comparison filters and keeps the metric name; with bool it gives 0/1 and drops the name', (t) => {
  t.deepEqual(show(shards.instant('req > 5', at)), ['{__name__=req,code=200,job=hub,method=GET} 10', '{__name__=req,code=200,job=proxy,method=GET} 7']);
  t.deepEqual(show(shards.instant('req > bool 5', at)), [
    '{code=200,job=hub,method=GET} 1', '{code=200,job=proxy,method=GET} 1', '{code=500,job=hub,method=GET} 0', '{code=500,job=hub,method=POST} 0',
  ]);
  t.deepEqual(show(shards.instant('5 < req', at)), ['{__name__=req,code=200,job=hub,method=GET} 10', '{__name__=req,code=200,job=proxy,method=GET} 7'], 'the scalar on the left still keeps the vector\'s values');
  t.is(show(shards.instant('2 > bool 1', at)), 1);
});

test('arithmetic between vectors matches one-to-one on all labels, on(…) or ignoring(…)', (t) => {
  t.deepEqual(show(shards.instant('sum by (job) (req) / on (job) limit', at)), ['{job=hub} 2', '{job=proxy} 1.4']);
  t.deepEqual(show(shards.instant('sum by (job) (req) - limit', at)), ['{job=hub} 8', '{job=proxy} 2']);
  t.deepEqual(show(shards.instant('req{code="200"} * ignoring (code, method) limit', at)), ['{job=hub} 80', '{job=proxy} 35']);
  t.deepEqual(show(shards.instant('req{code="200"} * on (job) limit', at)), ['{job=hub} 80', '{job=proxy} 35']);
});

test('vector-vector comparison filters the left side; on(…) keeps only the matching labels', (t) => {
  t.deepEqual(show(shards.instant('sum by (job) (req) > limit', at)), ['{job=hub} 16', '{job=proxy} 7']);
  t.deepEqual(show(shards.instant('limit > on (job) sum by (job) (req)', at)), []);
  t.deepEqual(show(shards.instant('limit < bool on (job) sum by (job) (req)', at)), ['{job=hub} 1', '{job=proxy} 1']);
});

test('matching that is not one-to-one is an execution error', (t) => {
  const many = t.throws(() => shards.instant('limit / ignoring (code, method) req', at), { instanceOf: PromQLError });
  t.is(many?.type, 'execution');
  t.regex(many?.message ?? '', /found duplicate series for the match group \{job="hub"\} on the right hand-side/);
  const left = t.throws(() => shards.instant('req / ignoring (code, method) limit', at), { instanceOf: PromQLError });
  t.regex(left?.message ?? '', /many-to-one matching must be explicit \(group_left\/group_right\)/);
});

test('and, or and unless compare match groups', (t) => {
  t.deepEqual(show(shards.instant('limit and on (job) req{code="500"}', at)), ['{__name__=limit,job=hub} 8']);
  t.deepEqual(show(shards.instant('limit unless on (job) req{code="500"}', at)), ['{__name__=limit,job=proxy} 5']);
  t.deepEqual(show(shards.instant('limit{job="hub"} or limit', at)), ['{__name__=limit,job=hub} 8', '{__name__=limit,job=proxy} 5']);
});

test('arithmetic with scalars, precedence and unary minus follow PromQL', (t) => {
  t.is(show(shards.instant('1 + 2 * 3 ^ 2', at)), 19);
  t.is(show(shards.instant('2 ^ 3 ^ 2', at)), 512, '^ is right-associative');
  t.is(show(shards.instant('-2 ^ 2', at)), -4, 'unary minus binds looser than ^');
  t.is(show(shards.instant('2 ^ -1', at)), 0.5);
  t.is(show(shards.instant('-2 * 3', at)), -6);
  t.is(show(shards.instant('7 % 4 - 10 / 4', at)), 0.5);
  t.deepEqual(show(shards.instant('-limit', at)), ['{job=hub} -8', '{job=proxy} -5']);
  t.deepEqual(show(shards.instant('limit * 2 + 1', at)), ['{job=hub} 17', '{job=proxy} 11']);
  t.true(Number.isNaN(show(shards.instant('0 / 0', at)) as number));
  t.is(show(shards.instant('1 / 0', at)), Number.POSITIVE_INFINITY);
});

test('scalar(), vector(), time() and abs() convert and compute', (t) => {
  t.is(show(shards.instant('scalar(sum(limit))', at)), 13);
  t.true(Number.isNaN(show(shards.instant('scalar(limit)', at)) as number), 'scalar() of more than one sample is NaN');
  t.deepEqual(show(shards.instant('vector(3) + 1', at)), ['{} 4']);
  t.is(show(shards.instant('time()', 12_345)), 12.345);
  t.deepEqual(show(shards.instant('abs(-limit)', at)), ['{job=hub} 8', '{job=proxy} 5']);
});

test('a string literal is a string result', (t) => {
  t.is(show(shards.instant('"a\\tb"', at)), 'a\tb');
  t.is(show(shards.instant('`raw\\n`', at)), 'raw\\n');
});

test('a series whose last sample is older than the lookback delta is not in an instant result', (t) => {
  t.deepEqual(show(shards.instant('limit', at + 299_000)), ['{__name__=limit,job=hub} 8', '{__name__=limit,job=proxy} 5']);
  t.deepEqual(show(shards.instant('limit', at + 300_000)), []);
});

test('a range selector returns the raw samples of (t − range, t]', (t) => {
  t.deepEqual(show(counters.instant('c_total{job="a"}[20s]', 55_000)), ['{__name__=c_total,job=a} 45:15,55:25']);
  t.deepEqual(show(counters.instant('c_total{job="a"}[20s]', 65_000)), ['{__name__=c_total,job=a} 55:25'], '45 s is the open start of (45, 65]');
});

test('the over_time functions, changes and resets read the range', (t) => {
  t.deepEqual(show(counters.instant('max_over_time(c_total{job="a"}[1m])', 60_000)), ['{job=a} 30']);
  t.deepEqual(show(counters.instant('avg_over_time(g[1m])', 60_000)), ['{job=a} 3']);
  t.deepEqual(show(counters.instant('count_over_time(c_total{job="a"}[1m])', 60_000)), ['{job=a} 6']);
  t.deepEqual(show(counters.instant('last_over_time(g[1m])', 60_000)), ['{__name__=g,job=a} 1'], 'last_over_time keeps the name');
  t.deepEqual(show(counters.instant('resets(c_total{job="a"}[1m])', 60_000)), ['{job=a} 1']);
  t.deepEqual(show(counters.instant('changes(g[1m])', 60_000)), ['{job=a} 2']);
});

test('absent() gives one sample labelled from the selector\'s equality matchers only when nothing matches', (t) => {
  t.deepEqual(show(shards.instant('absent(limit{job="nope",x=~"y"})', at)), ['{job=nope} 1']);
  t.deepEqual(show(shards.instant('absent(limit)', at)), []);
});

const histogram = engineWith([
  ...[['0.1', 10], ['0.5', 60], ['1', 90], ['+Inf', 100]].map(([le, v]) => ({
    labels: { __name__: 'lat_bucket', handler: '/hub/api', le: String(le) }, points: [[10, Number(v)]] as [number, number][],
  })),
  ...[['1', 0], ['+Inf', 0]].map(([le, v]) => ({ labels: { __name__: 'lat_bucket', handler: '/idle', le: String(le) }, points: [[10, Number(v)]] as [number, number][] })),
]);

test('histogram_quantile interpolates inside the bucket of the rank', (t) => {
  // rank 50 of 100 lies in (0.1, 0.5] holding 50: 0.1 + 0.4 × (40/50)
  t.deepEqual(show(histogram.instant('histogram_quantile(0.5, lat_bucket{handler="/hub/api"})', at)), [`{handler=/hub/api} ${0.1 + 0.4 * (40 / 50)}`]);
  t.deepEqual(show(histogram.instant('histogram_quantile(0.99, lat_bucket{handler="/hub/api"})', at)), ['{handler=/hub/api} 1'], 'a rank in +Inf answers the highest finite bound');
  t.deepEqual(show(histogram.instant('histogram_quantile(0.5, lat_bucket{handler="/idle"})', at)), ['{handler=/idle} NaN'], 'no observations is NaN');
});

test('a function that would give two samples with one label set is an execution error', (t) => {
  const engine = engineWith([
    { labels: { __name__: 'a', x: '1' }, points: [[1, 1]] },
    { labels: { __name__: 'b', x: '1' }, points: [[1, 2]] },
  ]);
  const error = t.throws(() => engine.instant('abs({x="1"})', 1000), { instanceOf: PromQLError });
  t.is(error?.type, 'execution');
  t.is(error?.message, 'vector cannot contain metrics with the same labelset');
});

test('a range query evaluates at every step and only accepts scalars and instant vectors', (t) => {
  const series = counters.range('c_total{job="a"}', 15_000, 45_000, 10_000);
  t.deepEqual(series.map((s) => s.points), [{ t: [15_000, 25_000, 35_000, 45_000], v: [20, 30, 5, 15] }]);
  const scalar = counters.range('time() * 2', 0, 2000, 1000);
  t.deepEqual(scalar, [{ labels: {}, points: { t: [0, 1000, 2000], v: [0, 2, 4] } }]);
  const error = t.throws(() => counters.range('c_total[1m]', 0, 1000, 1000), { instanceOf: PromQLError });
  t.is(error?.message, 'invalid expression type "range vector" for range query, must be Scalar or instant Vector');
});

test('a query past its deadline stops with a timeout error', (t) => {
  const error = t.throws(() => counters.instant('sum(c_total)', 60_000, -1), { instanceOf: PromQLError });
  t.is(error?.type, 'timeout');
  t.is(error?.message, 'query timed out in expression evaluation');
});
