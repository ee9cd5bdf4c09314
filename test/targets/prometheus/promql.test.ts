import test from 'ava';
import { checkPromql, describeProblems, positionIn, selectorUses } from '../../../src/targets/prometheus/common/promql.js';

const problems = (q: string): string[] => describeProblems(q, checkPromql(q));

test('valid queries of every common shape have no problem', (t) => {
  for (const q of [
    'up',
    'sum(rate(jupyterhub_request_duration_seconds_count{code=~"5.."}[1m]))',
    'sum by (job) (up{job="lab"}) / count by (job) (up)',
    'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))',
    'quantile_over_time(0.9, x[5m])',
    'max_over_time(rate(x[1m])[10m:30s])',
    'up offset 5m',
    'rate(x[5m] @ end())',
    'time() - process_start_time_seconds',
    '1 + 2',
    'absent(up{job="gone"})',
    'label_replace(up, "host", "$1", "instance", "(.*):.*")',
    '# a comment line\nup == 0',
    'sum(\n  rate(x[1m])\n)',
  ]) {
    t.deepEqual(problems(q), [], q);
  }
});

test('a syntax error names its position inside the query (line:col) and what is near it', (t) => {
  t.deepEqual(problems('up{'), ['at 1:4 of the query: PromQL syntax error at the end of the query']);
  t.deepEqual(problems('sum(rate(x[1m]) by (job'), ['at 1:17 of the query: PromQL syntax error near "by (job"']);
  t.deepEqual(problems('sum by (job) (rate(x[1m])'), ['at 1:26 of the query: PromQL syntax error at the end of the query']);
  t.deepEqual(problems('nosuchfunction(up)'), ['at 1:15 of the query: PromQL syntax error near "(up)"']);
  t.deepEqual(problems('sum(\n  rate(x[1m]\n)'), ['at 3:2 of the query: PromQL syntax error at the end of the query']);
});

test('Grafana variables are refused in the expression and in label matchers, not in label_replace strings', (t) => {
  t.deepEqual(problems('rate(x[$__rate_interval])'), [
    'at 1:8 of the query: $__rate_interval is a Grafana variable, not PromQL: write its value (e.g. 1m for $__rate_interval)',
  ]);
  t.deepEqual(problems('up{job="$job"}'), ['at 1:9 of the query: $job is a Grafana variable, not PromQL: write its value']);
  t.deepEqual(problems('up{job=~"${job:regex}"}'), ['at 1:10 of the query: ${job:regex} is a Grafana variable, not PromQL: write its value']);
  t.deepEqual(problems('up{job="[[job]]"}'), ['at 1:9 of the query: [[job]] is a Grafana variable, not PromQL: write its value']);
  t.deepEqual(problems('up > $threshold'), ['at 1:6 of the query: $threshold is a Grafana variable, not PromQL: write its value']);
  t.deepEqual(problems('label_replace(up, "x", "$host", "instance", "(?P<host>.*)")'), []);
});

test('a range function given an instant vector is refused with the fix', (t) => {
  t.deepEqual(problems('rate(up)'), ['at 1:6 of the query: rate() needs a range vector here, like up[5m]']);
  t.deepEqual(problems('sum(increase(x{a="b"}))'), ['at 1:14 of the query: increase() needs a range vector here, like x{a="b"}[5m]']);
  t.deepEqual(problems('quantile_over_time(0.9, x)'), ['at 1:25 of the query: quantile_over_time() needs a range vector here, like x[5m]']);
  t.deepEqual(problems('rate((x[5m]))'), [], 'parentheses around a range vector are fine');
  t.deepEqual(problems('rate(x[5m] offset 1m)'), []);
});

test('a query whose result is a range vector or a string is refused: a probe needs numbers', (t) => {
  t.regex(problems('up[5m]')[0] ?? '', /^at 1:1 of the query: the query returns a range vector/);
  t.regex(problems('(up[5m:1m])')[0] ?? '', /returns a range vector/);
  t.regex(problems('up[5m] offset 1m')[0] ?? '', /returns a range vector/);
  t.deepEqual(problems('"text"'), ['at 1:1 of the query: the query returns a string: probes need numbers']);
});

test('an empty query is refused', (t) => {
  t.deepEqual(problems(''), ['at 1:1 of the query: the query is empty']);
  t.deepEqual(problems('  \n '), ['at 1:1 of the query: the query is empty']);
});

test('selector uses are found anywhere, without offset or @, each once, with the range they are read over', (t) => {
  t.deepEqual(selectorUses('sum(rate(a{x="1"}[1m])) / sum(rate(b[5m] offset 5m)) + a{x="1"} + a{x="1"}'), [
    { selector: 'a{x="1"}', range: '1m' },
    { selector: 'b', range: '5m' },
    { selector: 'a{x="1"}' },
  ]);
  t.deepEqual(selectorUses('max_over_time(rate(c[1m])[10m:30s]) and on() d @ 100'), [{ selector: 'c', range: '1m' }, { selector: 'd' }]);
  t.deepEqual(selectorUses('max_over_time(c[10m:30s])'), [{ selector: 'c' }], 'a subquery reads its selector as an instant vector');
  t.deepEqual(selectorUses('{__name__="up", job="lab"}'), [{ selector: '{__name__="up", job="lab"}' }]);
  t.deepEqual(selectorUses('time() - 3'), []);
});

test('positions are 1-based lines and columns', (t) => {
  t.is(positionIn('abc', 0), '1:1');
  t.is(positionIn('abc\ndef', 5), '2:2');
  t.is(positionIn('abc\n', 4), '2:1');
});
