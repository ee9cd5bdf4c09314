import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { redactText } from '../../../src/log.js';
import { createPrometheusClient, prometheusClient } from '../../../src/targets/prometheus/client.js';
import { testCtx } from '../../helpers/ctx.js';
import { cannedServer, json, success, vector } from './canned-server.js';
import { closedPort } from '../../helpers/ports.js';

async function targetError(t: { throwsAsync: (p: Promise<unknown>, e: object) => Promise<unknown> }, call: Promise<unknown>): Promise<TargetError> {
  return (await t.throwsAsync(call, { instanceOf: TargetError })) as TargetError;
}

test('an instant vector is typed: labels, numbers (NaN and infinities included) and the sample time', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', vector(1700000000.5, [[{ __name__: 'up', job: 'a' }, '1'], [{ job: 'b' }, 'NaN'], [{ job: 'c' }, '+Inf'], [{ job: 'd' }, '-Inf']]));
  const answer = await createPrometheusClient({ url: s.url }).query('up');
  t.deepEqual(answer.data, {
    type: 'vector',
    samples: [
      { labels: { __name__: 'up', job: 'a' }, value: 1, at: 1700000000.5 },
      { labels: { job: 'b' }, value: NaN, at: 1700000000.5 },
      { labels: { job: 'c' }, value: Infinity, at: 1700000000.5 },
      { labels: { job: 'd' }, value: -Infinity, at: 1700000000.5 },
    ],
  });
  t.deepEqual(answer.warnings, []);
});

test('a scalar, a string and a native histogram sample are typed as such', async (t) => {
  const s = await cannedServer(t);
  const client = createPrometheusClient({ url: s.url });
  s.on('/api/v1/query', success({ resultType: 'scalar', result: [12.5, '0.25'] }));
  t.deepEqual((await client.query('0.25')).data, { type: 'scalar', sample: { labels: {}, value: 0.25, at: 12.5 } });
  s.on('/api/v1/query', success({ resultType: 'string', result: [12.5, 'hello'] }));
  t.deepEqual((await client.query('"hello"')).data, { type: 'string', value: 'hello', at: 12.5 });
  s.on('/api/v1/query', success({ resultType: 'vector', result: [{ metric: { le: 'x' }, histogram: [12.5, { count: '3', sum: '1', buckets: [] }] }] }));
  t.deepEqual((await client.query('h')).data, { type: 'vector', samples: [{ labels: { le: 'x' }, value: NaN, at: 12.5, histogram: true }] });
});

test('the query, the evaluation time and the deadline are sent as parameters of a GET under the path prefix', async (t) => {
  const s = await cannedServer(t, '/prometheus');
  s.on('/api/v1/query', vector(1, []));
  await createPrometheusClient({ url: `${s.url}/`, timeoutMs: 2500 }).query('sum(rate(x{a="b"}[1m]))', { time: 1700000000.1234 });
  const [req] = s.seen;
  t.is(req?.method, 'GET');
  t.is(req?.path, '/api/v1/query');
  t.is(req?.params.get('query'), 'sum(rate(x{a="b"}[1m]))');
  t.is(req?.params.get('time'), '1700000000.123');
  t.is(req?.params.get('timeout'), '2500ms');
});

test('a range query returns a typed matrix and sends start, end and step', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query_range', success({ resultType: 'matrix', result: [{ metric: { job: 'a' }, values: [[10, '1'], [11, '2']] }] }));
  const answer = await createPrometheusClient({ url: s.url }).queryRange('up', { start: 10, end: 11, step: 1 });
  t.deepEqual(answer.data, { type: 'matrix', series: [{ labels: { job: 'a' }, points: [{ at: 10, value: 1 }, { at: 11, value: 2 }] }] });
  t.like(Object.fromEntries(s.seen[0]?.params ?? []), { query: 'up', start: '10.000', end: '11.000', step: '1' });
});

test('warnings and infos of an answer are returned with its data', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', (_req, res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] }, warnings: ['w1'], infos: ['i1'] }));
  t.deepEqual((await createPrometheusClient({ url: s.url }).query('up')).warnings, ['w1', 'i1']);
});

test('alerts and rules are typed; rules may be filtered by type', async (t) => {
  const s = await cannedServer(t);
  const alert = { labels: { alertname: 'A', severity: 'critical' }, annotations: { summary: 's' }, state: 'firing', activeAt: '2024-01-01T00:00:00Z', value: '1e+00' };
  s.on('/api/v1/alerts', success({ alerts: [alert, { labels: { alertname: 'B' }, state: 'pending' }] }));
  s.on('/api/v1/rules', success({
    groups: [{ name: 'g', file: '/r.yml', interval: 1, rules: [
      { type: 'alerting', name: 'A', query: 'x > 0', duration: 0, labels: {}, annotations: {}, alerts: [alert], health: 'ok', lastError: '', state: 'firing' },
      { type: 'recording', name: 'r:x', query: 'sum(x)', labels: {}, health: 'err', lastError: 'boom' },
    ] }],
  }));
  const client = createPrometheusClient({ url: s.url });
  const alerts = await client.alerts();
  t.deepEqual(alerts.data, [
    { labels: { alertname: 'A', severity: 'critical' }, annotations: { summary: 's' }, state: 'firing', activeAt: '2024-01-01T00:00:00Z', value: '1e+00' },
    { labels: { alertname: 'B' }, annotations: {}, state: 'pending', activeAt: undefined, value: undefined },
  ]);
  const rules = await client.rules({ type: 'alert' });
  t.is(s.seen.at(-1)?.params.get('type'), 'alert');
  t.is(rules.data[0]?.name, 'g');
  t.like(rules.data[0]?.rules[0], { type: 'alerting', name: 'A', health: 'ok', lastError: undefined });
  t.is(rules.data[0]?.rules[0]?.alerts.length, 1);
  t.like(rules.data[0]?.rules[1], { type: 'recording', name: 'r:x', health: 'err', lastError: 'boom' });
});

test('ready is true on 200 and false on 503; another status is an error', async (t) => {
  const s = await cannedServer(t);
  const client = createPrometheusClient({ url: s.url });
  s.on('/-/ready', (_req, res) => res.writeHead(200).end('Prometheus Server is Ready.\n'));
  t.true(await client.ready());
  s.on('/-/ready', (_req, res) => res.writeHead(503).end('Service Unavailable'));
  t.false(await client.ready());
  s.on('/-/ready', (_req, res) => res.writeHead(401).end('Unauthorized'));
  const err = await targetError(t, client.ready());
  t.is(err.status, 401);
  t.regex(err.message, /^Prometheus ready: HTTP 401 Unauthorized \(check targets\.prometheus\.auth\)$/);
});

test('400 bad_data is not retryable and carries Prometheus\' errorType and error', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', (_req, res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: '1:4: parse error: unexpected end of input' }));
  const err = await targetError(t, createPrometheusClient({ url: s.url }).query('up{'));
  t.false(err.retryable);
  t.is(err.status, 400);
  t.is(err.message, 'Prometheus query "up{": HTTP 400 bad_data: 1:4: parse error: unexpected end of input');
});

test('422 execution errors are not retryable; 503 timeouts and 5xx pages are', async (t) => {
  const s = await cannedServer(t);
  const client = createPrometheusClient({ url: s.url });
  s.on('/api/v1/query', (_req, res) => json(res, 422, { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' }));
  const e422 = await targetError(t, client.query('a / b'));
  t.false(e422.retryable);
  t.regex(e422.message, /HTTP 422 execution: many-to-many matching not allowed$/);
  s.on('/api/v1/query', (_req, res) => json(res, 503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }));
  const e503 = await targetError(t, client.query('x'));
  t.true(e503.retryable);
  t.is(e503.status, 503);
  t.regex(e503.message, /HTTP 503 timeout: query timed out/);
  s.on('/api/v1/query', (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>'));
  const e502 = await targetError(t, client.query('x'));
  t.true(e502.retryable);
  t.regex(e502.message, /: HTTP 502 502 Bad Gateway$/);
});

test('a long query is cut in messages', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', (_req, res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: 'bad' }));
  const long = `sum(${'a + '.repeat(100)}b)`;
  const err = await targetError(t, createPrometheusClient({ url: s.url }).query(long));
  t.regex(err.message, /^Prometheus query "sum\(a \+ a .{100,}\.\.\.": HTTP 400/);
  t.true(err.message.length < 200);
});

test('a wrong path prefix reads as a 404 with a hint', async (t) => {
  const s = await cannedServer(t);
  const err = await targetError(t, createPrometheusClient({ url: `${s.url}/wrong` }).query('up'));
  t.is(err.status, 404);
  t.false(err.retryable);
  t.regex(err.message, /HTTP 404 404 page not found \(check targets\.prometheus\.url and its path prefix\)$/);
});

test('a 2xx answer that is not Prometheus\' JSON is a non-retryable error saying so', async (t) => {
  const s = await cannedServer(t);
  const client = createPrometheusClient({ url: s.url });
  s.on('/api/v1/query', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Grafana</title>'));
  const html = await targetError(t, client.query('up'));
  t.false(html.retryable);
  t.regex(html.message, /unexpected answer \(HTTP 200\): not JSON .*is the URL a Prometheus\?/);
  s.on('/api/v1/query', (_req, res) => json(res, 200, { hello: 'world' }));
  t.regex((await targetError(t, client.query('up'))).message, /no "status" member/);
  s.on('/api/v1/query', success({ resultType: 'vector', result: [{ metric: {}, value: ['x', 1] }] }));
  t.regex((await targetError(t, client.query('up'))).message, /unexpected answer \(HTTP 200\): data\.result/);
});

test('bearer and basic credentials and extra headers are sent; the token never appears in an error', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', (_req, res) => json(res, 401, { status: 'error', errorType: 'unauthorized', error: 'bad token' }));
  process.env['GAMEDAY_TEST_PROM_TOKEN'] = 'tok-3f9a8c27e1';
  process.env['GAMEDAY_TEST_PROM_PASSWORD'] = 'pw-91bd0e55';
  t.teardown(() => {
    delete process.env['GAMEDAY_TEST_PROM_TOKEN'];
    delete process.env['GAMEDAY_TEST_PROM_PASSWORD'];
  });
  const bearer = prometheusClient(testCtx({ prometheus: { url: s.url, auth: { bearer: { env: 'GAMEDAY_TEST_PROM_TOKEN' } }, headers: { 'X-Scope-OrgID': 'lab' } } }));
  const err = await targetError(t, bearer.query('up'));
  t.is(s.seen[0]?.headers['authorization'], 'Bearer tok-3f9a8c27e1');
  t.is(s.seen[0]?.headers['x-scope-orgid'], 'lab');
  t.false(err.retryable);
  t.notRegex(err.message, /tok-3f9a8c27e1/);
  t.regex(err.message, /HTTP 401 unauthorized: bad token \(check targets\.prometheus\.auth\)/);
  const basic = prometheusClient(testCtx({ prometheus: { url: s.url, auth: { basic: { username: 'gameday', password: { env: 'GAMEDAY_TEST_PROM_PASSWORD' } } } } }));
  await targetError(t, basic.query('up'));
  const encoded = Buffer.from('gameday:pw-91bd0e55').toString('base64');
  t.is(s.seen[1]?.headers['authorization'], `Basic ${encoded}`);
  t.is(redactText(`x ${encoded} pw-91bd0e55 tok-3f9a8c27e1`), 'x [redacted] [redacted] [redacted]', 'every credential is masked in logs');
});

test('a secret that cannot be read is a non-retryable error naming the reference, and the client is not cached', async (t) => {
  const ctx = testCtx({ prometheus: { url: 'http://127.0.0.1:1', auth: { bearer: { env: 'GAMEDAY_TEST_PROM_UNSET' } } } });
  const err = t.throws(() => prometheusClient(ctx), { instanceOf: TargetError });
  t.false(err?.retryable);
  t.is(err?.message, 'targets.prometheus.auth.bearer: secret not available: environment variable GAMEDAY_TEST_PROM_UNSET is not set');
  process.env['GAMEDAY_TEST_PROM_UNSET'] = 'now-set-1234';
  t.teardown(() => delete process.env['GAMEDAY_TEST_PROM_UNSET']);
  t.is(prometheusClient(ctx).url, 'http://127.0.0.1:1');
});

test('missing or invalid settings are non-retryable errors naming the key', (t) => {
  t.is(t.throws(() => prometheusClient(testCtx({})), { instanceOf: TargetError })?.message, 'no targets.prometheus in the config: give at least its url');
  const err = t.throws(() => prometheusClient(testCtx({ prometheus: { url: 'ftp://x' } })), { instanceOf: TargetError });
  t.regex(err?.message ?? '', /^invalid targets\.prometheus settings: url: expected an http:\/\/ or https:\/\/ URL/);
});

test('the run builds one client and shares it', (t) => {
  const ctx = testCtx({ prometheus: { url: 'http://127.0.0.1:9' } });
  t.is(prometheusClient(ctx), prometheusClient(ctx));
});

test('a refused connection is a retryable error, not an answer', async (t) => {
  const port = await closedPort();
  const err = await targetError(t, createPrometheusClient({ url: `http://127.0.0.1:${port}` }).query('up'));
  t.true(err.retryable);
  t.is(err.status, undefined);
  t.is(err.message, 'Prometheus query "up": no answer (ECONNREFUSED)');
});

test('no answer within the deadline is a retryable error naming the deadline; the caller\'s abort is told apart', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', () => undefined); // never answers
  const client = createPrometheusClient({ url: s.url, timeoutMs: 150 });
  const started = performance.now();
  const err = await targetError(t, client.query('up'));
  t.true(performance.now() - started < 2000);
  t.true(err.retryable);
  t.is(err.message, 'Prometheus query "up": no answer within 150 ms (targets.prometheus.timeout)');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  const aborted = await targetError(t, createPrometheusClient({ url: s.url, timeoutMs: 5000 }).query('up', { signal: controller.signal }));
  t.is(aborted.message, 'Prometheus query "up": aborted before an answer');
});

test('a redirect is not followed: credentials go to the configured URL only', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/query', (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end());
  const err = await targetError(t, createPrometheusClient({ url: s.url, authorization: 'Bearer x' }).query('up'));
  t.is(err.status, 302);
  t.is(s.seen.length, 1);
});
