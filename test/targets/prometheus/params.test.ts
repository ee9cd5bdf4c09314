import test from 'ava';
import { checkExperimentText } from '../../../src/experiments/load.js';
import * as registry from '../../../src/targets/registry.js';
import { AlertsProbeParams } from '../../../src/targets/prometheus/alerts.js';
import { QueryProbeParams } from '../../../src/targets/prometheus/query.js';
import { PrometheusSettings } from '../../../src/targets/prometheus/settings.js';

/** An experiment whose only probe is `probe` (YAML lines, indented under `probes:`). */
function experiment(probe: string[]): string {
  return [
    'apiVersion: gameday/v1',
    'kind: Experiment',
    'metadata: { name: prom-params }',
    'spec:',
    '  fault:',
    '    type: kubernetes.pod.delete',
    '    target: { namespace: jhub, labelSelector: "component=hub", count: 1 }',
    '    duration: 5s',
    '  steadyState:',
    '    probes:',
    ...probe.map((l) => `      ${l}`),
    '  recovery: { within: 1m }',
    '',
  ].join('\n');
}

function issues(probe: string[]): string[] {
  const check = checkExperimentText(experiment(probe), 'x.yaml', registry);
  return check.ok ? [] : check.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
}

test('a query probe loads with its expectation read into a structure and the defaults filled in', (t) => {
  const check = checkExperimentText(experiment(['- name: errors', '  type: prometheus.query', '  query: sum(rate(x[1m]))', '  expect: "< 0.5"', '  breachAfter: 3']), 'x.yaml', registry);
  t.true(check.ok);
  if (!check.ok) return;
  const [probe] = check.experiment.steadyState.probes;
  t.is(probe?.breachAfter, 3, 'breachAfter is the engine\'s key, beside the probe\'s own');
  t.deepEqual(probe?.params, {
    query: 'sum(rate(x[1m]))',
    expect: '< 0.5',
    of: 'each',
    noData: 'error',
    expectation: { kind: 'compare', op: '<', bound: 0.5 },
  });
});

test('a PromQL syntax error is a load error at the query\'s line and column, naming the position inside the query', (t) => {
  t.deepEqual(issues(['- name: errors', '  type: prometheus.query', '  query: sum(rate(x[1m])', '  expect: "< 0.5"']), [
    '13:16 spec.steadyState.probes[0].query: at 1:16 of the query: PromQL syntax error at the end of the query',
  ]);
});

test('a Grafana variable and a bad expectation are both reported, each at its key', (t) => {
  const found = issues(['- name: errors', '  type: prometheus.query', '  query: rate(x[$__rate_interval])', '  expect: less than 3']);
  t.is(found.length, 2);
  t.regex(found[0] ?? '', /^13:16 spec\.steadyState\.probes\[0\]\.query: at 1:8 of the query: \$__rate_interval is a Grafana variable/);
  t.regex(found[1] ?? '', /^14:17 spec\.steadyState\.probes\[0\]\.expect: cannot read "less than 3"; expected one of: /);
});

test('an unknown key, a bad policy and a bad maxAge are refused', (t) => {
  const found = issues(['- name: errors', '  type: prometheus.query', '  query: up', '  expect: "== 1"', '  noData: ignore', '  maxAge: 30', '  ofs: sum']);
  t.true(found.some((i) => /noData: expected one of "error", "pass", "fail", got "ignore"/.test(i)), found.join('\n'));
  t.true(found.some((i) => /maxAge: expected a duration like 30s or 5m, got 30 \(add a unit/.test(i)), found.join('\n'));
  t.true(found.some((i) => /unknown key "ofs"/.test(i)), found.join('\n'));
});

test('query and expect are required', (t) => {
  const found = issues(['- name: errors', '  type: prometheus.query']);
  t.true(found.some((i) => /missing required key "query"/.test(i)), found.join('\n'));
  t.true(found.some((i) => /missing required key "expect"/.test(i)), found.join('\n'));
});

test('an expectation written as a YAML number gets a hint to quote it', (t) => {
  const r = QueryProbeParams.safeParse({ query: 'up', expect: 1 });
  t.false(r.success);
  t.regex(r.error?.issues[0]?.message ?? '', /a string: quote it in YAML/);
});

test('maxAge is read into milliseconds', (t) => {
  t.is(QueryProbeParams.parse({ query: 'up', expect: '== 1', maxAge: '1m30s' }).maxAge, 90_000);
});

test('an alerts probe loads with its defaults, and refuses an empty except map and a bad label name', (t) => {
  t.deepEqual(AlertsProbeParams.parse({}), { except: [], includePending: false });
  t.deepEqual(AlertsProbeParams.parse({ labels: { team: 'hub' }, severity: ['critical'], except: [{ alertname: 'JupyterHubDown' }] }), {
    labels: { team: 'hub' }, severity: ['critical'], except: [{ alertname: 'JupyterHubDown' }], includePending: false,
  });
  const found = issues(['- name: quiet', '  type: prometheus.alerts', '  except: [{}]', '  labels: { "bad-name": x }', '  severity: []']);
  t.true(found.some((i) => /except\[0\]: an empty map would match every alert/.test(i)), found.join('\n'));
  t.true(found.some((i) => /14:\d+ spec\.steadyState\.probes\[0\]\.labels\.bad-name: expected a label name \(letters, digits, _\), got "bad-name"/.test(i)), found.join('\n'));
  t.true(found.some((i) => /severity: list at least one severity/.test(i)), found.join('\n'));
});

test('settings: a base URL with a path prefix, auth by reference, a timeout and extra headers', (t) => {
  const s = PrometheusSettings.parse({
    url: 'https://monitoring.example.org/prometheus',
    auth: { basic: { username: 'gameday', password: { file: '/run/secrets/prom' } } },
    headers: { 'X-Scope-OrgID': 'jupytercloud' },
  });
  t.is(s.timeout, '10s');
  t.is(s.url, 'https://monitoring.example.org/prometheus');
  t.deepEqual(PrometheusSettings.parse(s), s, 'parsing is idempotent');
});

test('settings: credentials or a query in the URL, a literal secret, a reserved header and a zero timeout are refused', (t) => {
  const messages = (v: unknown): string[] => {
    const r = PrometheusSettings.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  t.regex(messages({ url: 'http://u:p@prom:9090' }).join(), /url: credentials do not belong in the URL/);
  t.regex(messages({ url: 'http://prom:9090/?x=1' }).join(), /url: expected a base URL without query or fragment/);
  t.regex(messages({ url: 'http://prom:9090', auth: { bearer: 'abc' } }).join(), /auth: expected \{ bearer: \{ env: NAME \} \}/);
  t.regex(messages({ url: 'http://prom:9090', headers: { Authorization: 'Bearer x' } }).join(), /headers: these headers are set by gameday itself/);
  t.regex(messages({ url: 'http://prom:9090', timeout: '0s' }).join(), /timeout: expected a duration above zero/);
  t.regex(messages({ url: 'http://prom:9090', extra: 1 }).join(), /Unrecognized key|unknown key/i);
});
