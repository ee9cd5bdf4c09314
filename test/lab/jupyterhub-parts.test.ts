import test from 'ava';
import { SimClock } from '../../src/lab/clock.js';
import { HubMetrics, renderExposition } from '../../src/lab/jupyterhub/hub-metrics.js';
import { hubTimings } from '../../src/lab/jupyterhub/hub-settings.js';
import { ProxyProcess, ProxyUnreachable } from '../../src/lab/jupyterhub/proxy.js';
import { pyFloat, pyIso, pyJson, pyRepr } from '../../src/lab/jupyterhub/python-format.js';
import { cleanRoutePath, RouteTable } from '../../src/lab/jupyterhub/route-table.js';

const NOW = '2026-01-02T03:04:05.000Z';

test('a route path is kept as configurable-http-proxy trims it', (t) => {
  t.is(cleanRoutePath(''), '/');
  t.is(cleanRoutePath('user/alice/'), '/user/alice');
  t.is(cleanRoutePath('/'), '/');
  t.is(cleanRoutePath('//user//x'), '//user//x', 'only one trailing slash goes; inner ones stay');
});

test('a request goes to the longest route prefix by whole segments', (t) => {
  const table = new RouteTable();
  table.add('/', { target: 'http://hub:8081' }, NOW);
  table.add('/user/alice', { target: 'http://10.0.0.1:8888', user: 'alice' }, NOW);
  table.add('/user/alice/lab', { target: 'http://10.0.0.2:8888' }, NOW);
  t.is(table.match('/user/alice/api/status')?.prefix, '/user/alice');
  t.is(table.match('/user/alice/lab/tree')?.prefix, '/user/alice/lab');
  t.is(table.match('/user/alicex/api')?.prefix, '/', 'segments, not string prefixes');
  t.is(table.match('/user/alice')?.data.target, 'http://10.0.0.1:8888');
  table.remove('/');
  t.is(table.match('/hub/health'), undefined);
});

test('adding a route replaces it in place and stamps its activity; reads are copies', (t) => {
  const table = new RouteTable();
  table.add('/a', { target: 'http://a:1' }, NOW);
  table.add('/b', { target: 'http://b:1' }, NOW);
  table.add('/a/', { target: 'http://a:2', last_activity: 'client value' }, '2026-01-02T03:04:06.000Z');
  t.deepEqual(Object.keys(table.all()), ['/a', '/b']);
  t.deepEqual(table.get('/a'), { target: 'http://a:2', last_activity: '2026-01-02T03:04:06.000Z' });
  const copy = table.get('/a');
  if (copy) copy.target = 'changed';
  t.is(table.get('/a')?.target, 'http://a:2');
  table.touch('/b', '2026-01-02T03:05:00.000Z');
  t.is(table.get('/b')?.last_activity, '2026-01-02T03:05:00.000Z');
});

test('a proxy process starts with only the default route and loses everything when it ends', (t) => {
  const clock = new SimClock(1);
  t.teardown(() => clock.close());
  const proxy = new ProxyProcess(clock);
  t.throws(() => proxy.all(), { instanceOf: ProxyUnreachable });
  proxy.start('pod-1');
  proxy.add('/user/a', { target: 'http://10.0.0.1:8888' });
  t.deepEqual(Object.keys(proxy.all()), ['/', '/user/a']);
  proxy.stop();
  t.is(proxy.match('/user/a'), undefined);
  proxy.start('pod-2');
  t.deepEqual(Object.keys(proxy.all()), ['/']);
  t.deepEqual(Object.keys(proxy.get('/') ?? {}), ['target', 'last_activity']);
});

test('bodies, reprs, timestamps and floats are written as Python writes them', (t) => {
  t.is(pyJson({ status: 403, message: 'é', list: [1, true, null] }), '{"status": 403, "message": "\\u00e9", "list": [1, true, null]}');
  t.is(pyRepr({ foo: 1, "it's": 'x', l: [true, null, 1.5] }), `{'foo': 1, "it's": 'x', 'l': [True, None, 1.5]}`);
  t.is(pyRepr('bogus'), "'bogus'");
  t.is(pyIso(Date.UTC(2026, 0, 2, 3, 4, 5, 123)), '2026-01-02T03:04:05.123000Z');
  t.is(pyIso(Date.UTC(2026, 0, 2, 3, 4, 5, 0)), '2026-01-02T03:04:05Z');
  t.deepEqual([1, 0.005, 1795317921.192102, Infinity, 1e-7, 1234567.5].map(pyFloat), ['1.0', '0.005', '1.795317921192102e+09', '+Inf', '1e-07', '1.2345675e+06']);
});

test('hub settings must be positive seconds; absent ones take z2jh defaults', (t) => {
  t.deepEqual(hubTimings(), { startTimeoutMs: 300_000, lastActivityIntervalMs: 300_000, pollIntervalMs: 30_000 });
  t.deepEqual(hubTimings({ startTimeoutSeconds: 30 }).startTimeoutMs, 30_000);
  t.throws(() => hubTimings({ startTimeoutSeconds: 0 }), { instanceOf: RangeError, message: /startTimeoutSeconds must be a positive number of seconds, got 0/ });
  t.throws(() => hubTimings({ pollIntervalSeconds: Number.NaN }), { instanceOf: RangeError, message: /pollIntervalSeconds/ });
});

test('histograms are cumulative and rendered like prometheus_client', (t) => {
  const metrics = new HubMetrics();
  metrics.observeRequest('GET', 'h', 200, 0.003);
  metrics.observeRequest('GET', 'h', 200, 0.2);
  metrics.observeSpawn('failure', 300);
  const text = renderExposition(metrics.families({ runningServers: 3, totalUsers: 7 }));
  t.true(text.includes('jupyterhub_request_duration_seconds_bucket{code="200",handler="h",le="0.005",method="GET"} 1.0\n'));
  t.true(text.includes('jupyterhub_request_duration_seconds_bucket{code="200",handler="h",le="0.25",method="GET"} 2.0\n'));
  t.true(text.includes('jupyterhub_request_duration_seconds_count{code="200",handler="h",method="GET"} 2.0\n'));
  t.true(text.includes('jupyterhub_server_spawn_duration_seconds_bucket{le="120.0",status="failure"} 0.0\n'), 'a 300 s failure lands in +Inf only');
  t.true(text.includes('jupyterhub_server_spawn_duration_seconds_bucket{le="+Inf",status="failure"} 1.0\n'));
  t.true(text.includes('# TYPE jupyterhub_running_servers gauge\njupyterhub_running_servers 3.0\n'));
  t.true(text.includes('# TYPE jupyterhub_total_users gauge\njupyterhub_total_users 7.0\n'));
  t.is(metrics.requestCount('GET', 'h', 200), 2);
  t.is(metrics.spawnCount('failure'), 1);
});
