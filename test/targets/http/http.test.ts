import test from 'ava';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetError } from '../../../src/errors.js';
import { HttpProbeParams, httpProbe } from '../../../src/targets/http/http.js';
import { http } from '../../../src/targets/http/index.js';
import { HttpSettings } from '../../../src/targets/http/settings.js';
import { testCtx } from '../../helpers/ctx.js';
import { closedPort } from '../../helpers/ports.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A real HTTP server on 127.0.0.1: `/ok` 200 "all good", `/down` 503, `/slow` 200 after 150 ms, `/moved` 302. */
async function startServer(t: { teardown(fn: () => void): void }): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/ok' || path === '/hub/health') return res.writeHead(200, { 'content-type': 'text/plain' }).end('all good');
    if (path === '/down') return res.writeHead(503).end('maintenance');
    if (path === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 150);
    if (path === '/moved') return res.writeHead(302, { location: '/ok' }).end();
    res.writeHead(404).end('nope');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function check(params: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const p = HttpProbeParams.parse(params);
  return httpProbe.check(testCtx({ http: settings }), p, new AbortController().signal);
}

test('a 200 answer with the default expectations is ok, with the status as value', async (t) => {
  const { base } = await startServer(t);
  const r = await check({ url: `${base}/ok` });
  t.true(r.ok);
  t.is(r.value, 200);
  t.regex(r.detail, /^200 in \d+ ms$/);
});

test('a 503 answer is a breach, not an error', async (t) => {
  const { base } = await startServer(t);
  const r = await check({ url: `${base}/down` });
  t.false(r.ok);
  t.is(r.value, 503);
  t.regex(r.detail, /^503 in \d+ ms \(expected 2xx\)$/);
});

test('an explicit status list accepts only the listed statuses', async (t) => {
  const { base } = await startServer(t);
  t.true((await check({ url: `${base}/down`, status: [500, 503] })).ok);
  const r = await check({ url: `${base}/ok`, status: 204 });
  t.false(r.ok);
  t.regex(r.detail, /expected 204/);
});

test('a body that does not match the regular expression is a breach', async (t) => {
  const { base } = await startServer(t);
  t.true((await check({ url: `${base}/ok`, bodyMatch: 'good$' })).ok);
  const r = await check({ url: `${base}/ok`, bodyMatch: '^healthy' });
  t.false(r.ok);
  t.regex(r.detail, /body does not match \/\^healthy\//);
});

test('an answer slower than maxLatency is a breach', async (t) => {
  const { base } = await startServer(t);
  const r = await check({ url: `${base}/slow`, maxLatency: '50ms' });
  t.false(r.ok);
  t.is(r.value, 200);
  t.regex(r.detail, /slower than 50ms/);
  t.true((await check({ url: `${base}/slow`, maxLatency: '5s' })).ok);
});

test('redirects are not followed: a 302 is the answer', async (t) => {
  const { base, seen } = await startServer(t);
  const r = await check({ url: `${base}/moved` });
  t.false(r.ok);
  t.is(r.value, 302);
  t.deepEqual(seen.map((s) => s.url), ['/moved']);
  t.true((await check({ url: `${base}/moved`, status: 302 })).ok);
});

test('HEAD and POST are sent with the given method and non-secret headers', async (t) => {
  const { base, seen } = await startServer(t);
  t.true((await check({ url: `${base}/ok`, method: 'HEAD' })).ok);
  t.true((await check({ url: `${base}/ok`, method: 'POST', headers: { 'x-probe': 'gameday' } })).ok);
  t.deepEqual(seen.map((s) => s.method), ['HEAD', 'POST']);
  t.is(seen[1]?.headers['x-probe'], 'gameday');
});

test('a refused connection is a retryable TargetError, not a breach', async (t) => {
  const port = await closedPort();
  const err = await t.throwsAsync(check({ url: `http://127.0.0.1:${port}/ok` }), { instanceOf: TargetError });
  t.true(err.retryable);
  t.regex(err.message, new RegExp(`GET http://127.0.0.1:${port}/ok: no answer \\(ECONNREFUSED\\)`));
});

test('an aborted check is a retryable TargetError', async (t) => {
  const { base } = await startServer(t);
  const controller = new AbortController();
  const pending = httpProbe.check(testCtx(), HttpProbeParams.parse({ url: `${base}/slow` }), controller.signal);
  controller.abort(new Error('timeout'));
  const err = await t.throwsAsync(pending, { instanceOf: TargetError });
  t.true(err.retryable);
});

test('an endpoint name and a path resolve against the configured base URL', async (t) => {
  const { base, seen } = await startServer(t);
  const r = await check({ endpoint: 'hub', path: '/hub/health' }, { endpoints: { hub: `${base}/` } });
  t.true(r.ok);
  t.deepEqual(seen.map((s) => s.url), ['/hub/health']);
});

test('an unknown endpoint is a non-retryable TargetError', async (t) => {
  const err = await t.throwsAsync(check({ endpoint: 'nowhere' }, { endpoints: {} }), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /no endpoint "nowhere"/);
});

test('secret headers reach the endpoint but never appear in details or errors', async (t) => {
  const { base, seen } = await startServer(t);
  const dir = await mkdtemp(join(tmpdir(), 'gameday-http-'));
  const file = join(dir, 'token');
  await writeFile(file, 'token file-secret-4242\n');
  process.env['GAMEDAY_TEST_HTTP_KEY'] = 'env-secret-9797';
  const settings = {
    endpoints: { hub: base },
    headers: { authorization: { file }, 'x-api-key': { env: 'GAMEDAY_TEST_HTTP_KEY' } },
  };
  const ok = await check({ endpoint: 'hub', path: '/ok' }, settings);
  const breach = await check({ endpoint: 'hub', path: '/down' }, settings);
  t.is(seen[0]?.headers['authorization'], 'token file-secret-4242');
  t.is(seen[0]?.headers['x-api-key'], 'env-secret-9797');
  const port = await closedPort();
  const err = await t.throwsAsync(check({ endpoint: 'hub', path: '/ok' }, { ...settings, endpoints: { hub: `http://127.0.0.1:${port}` } }));
  for (const text of [ok.detail, breach.detail, err.message]) {
    t.false(text.includes('file-secret-4242'));
    t.false(text.includes('env-secret-9797'));
  }
});

test('a secret that is not a valid header value fails without showing the value', async (t) => {
  const { base, seen } = await startServer(t);
  process.env['GAMEDAY_TEST_HTTP_BAD'] = 'line-one\nbad-secret-5151';
  const settings = { endpoints: { hub: base }, headers: { authorization: { env: 'GAMEDAY_TEST_HTTP_BAD' } } };
  const err = await t.throwsAsync(check({ endpoint: 'hub', path: '/ok' }, settings), { instanceOf: TargetError });
  t.false(err.retryable);
  t.false(err.message.includes('bad-secret-5151'));
  t.is(seen.length, 0);
});

test('secret headers are not sent to an ad-hoc url', async (t) => {
  const { base, seen } = await startServer(t);
  process.env['GAMEDAY_TEST_HTTP_KEY2'] = 'env-secret-1313';
  await check({ url: `${base}/ok` }, { headers: { 'x-api-key': { env: 'GAMEDAY_TEST_HTTP_KEY2' } } });
  t.is(seen[0]?.headers['x-api-key'], undefined);
});

test('a missing secret is a non-retryable TargetError naming the variable, not a value', async (t) => {
  delete process.env['GAMEDAY_TEST_HTTP_UNSET'];
  const settings = { endpoints: { hub: 'http://127.0.0.1:1' }, headers: { authorization: { env: 'GAMEDAY_TEST_HTTP_UNSET' } } };
  const err = await t.throwsAsync(check({ endpoint: 'hub' }, settings), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /GAMEDAY_TEST_HTTP_UNSET/);
});

test('params need exactly one of url and endpoint, path only with endpoint, no bodyMatch with HEAD', (t) => {
  t.false(HttpProbeParams.safeParse({}).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', endpoint: 'hub' }).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', path: '/x' }).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', method: 'HEAD', bodyMatch: 'x' }).success);
  t.true(HttpProbeParams.safeParse({ endpoint: 'hub', path: '/hub/health' }).success);
});

test('params reject unknown keys, bad regexes, bad durations and non-HTTP URLs', (t) => {
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', timeout: 3 }).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', bodyMatch: '(' }).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', maxLatency: 500 }).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', maxLatency: '5 s' }).success);
  t.false(HttpProbeParams.safeParse({ url: 'ftp://a/' }).success);
  t.false(HttpProbeParams.safeParse({ url: 'http://a/', status: 42 }).success);
  t.is(HttpProbeParams.parse({ url: 'http://a/' }).method, 'GET');
});

test('settings hold secret references only, never values', (t) => {
  t.true(HttpSettings.safeParse({ endpoints: { hub: 'https://hub.example.org' }, headers: { authorization: { env: 'HUB_TOKEN' } } }).success);
  t.false(HttpSettings.safeParse({ headers: { authorization: 'token abc' } }).success);
  t.false(HttpSettings.safeParse({ endpoints: { hub: 'not a url' } }).success);
  t.false(HttpSettings.safeParse({ endpoint: {} }).success);
});

test('the http target registers the http probe and no faults', (t) => {
  t.is(http.name, 'http');
  t.deepEqual(http.probes.map((p) => p.type), ['http']);
  t.deepEqual(http.faults, []);
});
