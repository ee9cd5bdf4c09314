/**
 * The HTTP API without a platform: who may call what (every route × no token, wrong token,
 * viewer, operator), bad requests, and what the read routes answer.
 */
import test from 'ava';
import { Writable } from 'node:stream';
import winston from 'winston';
import { Journal } from '../../src/experiments/journal.js';
import { logger } from '../../src/log.js';
import { publicRunDetail } from '../../src/report/public.js';
import { OPERATOR, VIEWER, testDaemon, type TestDaemon } from './helpers.js';

const WRONG = 'wrong-token-0123456789abcdef';
type Who = 'none' | 'wrong' | 'viewer' | 'operator';
const TOKEN: Record<Who, string | undefined> = { none: undefined, wrong: WRONG, viewer: VIEWER, operator: OPERATOR };

/** route → expected status for none, wrong, viewer, operator (an operator's 4xx proves it got past auth). */
const MATRIX: { method: string; path: string; body?: object; expect: [number, number, number, number] }[] = [
  { method: 'GET', path: '/healthz', expect: [200, 200, 200, 200] },
  { method: 'GET', path: '/readyz', expect: [200, 200, 200, 200] },
  { method: 'GET', path: '/metrics', expect: [200, 200, 200, 200] },
  { method: 'GET', path: '/api/status', expect: [401, 401, 200, 200] },
  { method: 'GET', path: '/api/runs', expect: [401, 401, 200, 200] },
  { method: 'GET', path: '/api/runs/no-such-run', expect: [401, 401, 404, 404] },
  { method: 'POST', path: '/api/runs', body: { experiment: 'no-such-experiment' }, expect: [401, 401, 403, 400] },
  { method: 'POST', path: '/api/runs/no-such-run/abort', expect: [401, 401, 403, 404] },
  { method: 'POST', path: '/api/halt', body: { reason: 'matrix' }, expect: [401, 401, 403, 200] },
  { method: 'POST', path: '/api/resume', expect: [401, 401, 403, 200] },
];

let d: TestDaemon;
const logged: string[] = [];
const capture = new winston.transports.Stream({ stream: new Writable({ write: (chunk: Buffer, _e, done) => (logged.push(chunk.toString()), done()) }) });

test.before(async () => {
  logger.add(capture);
  d = await testDaemon();
});
test.after.always(async () => {
  await d?.daemon.close();
  logger.remove(capture);
});

test.serial('every route answers each kind of caller as its role allows', async (t) => {
  for (const route of MATRIX) {
    const who: Who[] = ['none', 'wrong', 'viewer', 'operator'];
    for (const [i, w] of who.entries()) {
      const token = TOKEN[w];
      const res = await d.call(route.method, route.path, { ...(token && { token }), ...(route.body && { body: route.body }) });
      t.is(res.status, route.expect[i]!, `${route.method} ${route.path} as ${w}: ${JSON.stringify(res.body)}`);
      if (res.status === 401) {
        t.regex(res.headers.get('www-authenticate') ?? '', /^Bearer/, `${route.method} ${route.path}: WWW-Authenticate`);
        t.is(res.body.error.code, 'unauthorized');
      }
      if (res.status === 403) t.regex(res.body.error.message, /operator role/);
    }
  }
});

test.serial('tokens never appear in the log, even from requests that were refused', (t) => {
  const text = logged.join('');
  t.true(text.includes('halted through the API'), 'the halt was logged');
  for (const token of [VIEWER, OPERATOR, WRONG]) t.false(text.includes(token), 'a token was logged');
});

test('a token in another scheme or with a trailing suffix is refused', async (t) => {
  t.is((await d.call('GET', '/api/status', { headers: { Authorization: `Basic ${VIEWER}` } })).status, 401);
  t.is((await d.call('GET', '/api/status', { token: `${VIEWER}x` })).status, 401);
  t.is((await d.call('GET', '/api/status', { token: VIEWER.slice(0, -1) })).status, 401);
});

test('an unknown path is 404 and a wrong method 405 with the allowed methods, as JSON errors', async (t) => {
  const missing = await d.call('GET', '/api/nothing', { token: OPERATOR });
  t.is(missing.status, 404);
  t.is(missing.body.error.code, 'not-found');
  const wrong = await d.call('DELETE', '/api/runs', { token: OPERATOR });
  t.is(wrong.status, 405);
  t.is(wrong.headers.get('allow'), 'GET, POST');
  const getHalt = await d.call('GET', '/api/halt', { token: OPERATOR });
  t.is(getHalt.status, 405);
  t.regex(getHalt.body.error.message, /use POST/);
});

test('bad bodies get a 400 saying what is wrong', async (t) => {
  const post = (body: string | object): ReturnType<TestDaemon['call']> => d.call('POST', '/api/runs', { token: OPERATOR, body });
  const json = await post('{"experiment": ');
  t.is(json.status, 400);
  t.is(json.body.error.code, 'invalid-json');
  const extra = await post({ experiment: 'delete-user-pods', force: true });
  t.is(extra.status, 400);
  t.is(extra.body.error.code, 'invalid-body');
  t.regex(extra.body.error.message, /force/);
  const missing = await post({});
  t.is(missing.status, 400);
  t.regex(missing.body.error.message, /experiment/);
  const badType = await post({ experiment: 'delete-user-pods', dryRun: 'yes' });
  t.is(badType.status, 400);
  t.regex(badType.body.error.message, /dryRun/);
  const unknown = await post({ experiment: 'delete-everything' });
  t.is(unknown.status, 400);
  t.is(unknown.body.error.code, 'unknown-experiment');
  t.regex(unknown.body.error.message, /delete-user-pods/, 'the known names are listed');
  const array = await post([]);
  t.is(array.status, 400);
  const haltExtra = await d.call('POST', '/api/halt', { token: OPERATOR, body: { reason: 'x', until: 'tomorrow' } });
  t.is(haltExtra.status, 400);
  t.regex(haltExtra.body.error.message, /until/);
});

test('a body over the limit is refused with 413, declared or streamed', async (t) => {
  const big = JSON.stringify({ experiment: 'x'.repeat(70 * 1024) });
  const declared = await d.call('POST', '/api/runs', { token: OPERATOR, body: big });
  t.is(declared.status, 413);
  t.is(declared.body.error.code, 'body-too-large');
  const chunks = [Buffer.from(big.slice(0, 40_000)), Buffer.from(big.slice(40_000))];
  const stream = new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } });
  const res = await fetch(`${d.daemon.url}/api/runs`, { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}` }, body: stream, duplex: 'half' } as RequestInit);
  t.is(res.status, 413);
});

test('a bad limit on the run list is a 400; a good one is honoured', async (t) => {
  t.is((await d.call('GET', '/api/runs?limit=0', { token: VIEWER })).status, 400);
  t.is((await d.call('GET', '/api/runs?limit=abc', { token: VIEWER })).status, 400);
  const ok = await d.call('GET', '/api/runs?limit=5&experiment=none-such', { token: VIEWER });
  t.is(ok.status, 200);
  t.deepEqual(ok.body.runs, []);
});

test('a run is served as `gameday show --json` prints it, by id or prefix', async (t) => {
  const journal = Journal.open(`${d.dir}/gameday.db`);
  t.teardown(() => journal.close());
  const id = 'api-shown-run-20260101T000000Z-abcd';
  journal.createRun({ id, experiment: 'api-shown', file: '/x.yaml', dryRun: true, spec: { a: 1 } });
  journal.finishRun(id, 'dry-run', { reason: 'dry run' });
  const expected = JSON.parse(JSON.stringify(publicRunDetail(journal.getRun(id)!)));
  const res = await d.call('GET', `/api/runs/${id}`, { token: VIEWER });
  t.is(res.status, 200);
  t.deepEqual(res.body, expected);
  t.deepEqual((await d.call('GET', '/api/runs/api-shown-run-2026', { token: VIEWER })).body, expected);
  const list = await d.call('GET', '/api/runs?experiment=api-shown', { token: VIEWER });
  t.deepEqual(list.body.runs.map((r) => r.id), [id]);
  const abort = await d.call('POST', `/api/runs/${id}/abort`, { token: OPERATOR });
  t.is(abort.status, 409);
  t.is(abort.body.error.code, 'not-running');
});

test('status, metrics and probes say what the daemon is doing', async (t) => {
  const status = await d.call('GET', '/api/status', { token: VIEWER });
  t.is(status.status, 200);
  t.is(typeof status.body.halted, 'boolean');
  t.is(status.body.election, false);
  t.is(status.body.leader, true);
  t.true('currentRun' in status.body && 'nextGameday' in status.body);
  const metrics = await d.call('GET', '/metrics');
  t.regex(metrics.headers.get('content-type') ?? '', /text\/plain/);
  t.regex(metrics.text, /^gameday_leader 1$/m);
  t.regex(metrics.text, /^gameday_next_gameday_timestamp_seconds 0$/m);
  t.deepEqual((await d.call('GET', '/readyz')).body, { status: 'ready' });
});

test('with metricsAuth, /metrics needs a viewer token', async (t) => {
  const other = await testDaemon({ daemonKeys: ['metricsAuth: true'] });
  t.teardown(() => other.daemon.close());
  t.is((await other.call('GET', '/metrics')).status, 401);
  t.is((await other.call('GET', '/metrics', { token: VIEWER })).status, 200);
  t.is((await other.call('GET', '/healthz')).status, 200);
});

test('close() twice stops once and then resolves again; the port is free afterwards', async (t) => {
  const other = await testDaemon();
  t.is((await other.call('GET', '/healthz')).status, 200);
  await Promise.all([other.daemon.close(), other.daemon.close()]);
  await other.daemon.close();
  await t.throwsAsync(() => fetch(`${other.daemon.url}/healthz`));
});

test('without any token configured, probes and metrics are served and every /api route answers 401', async (t) => {
  const open = await testDaemon({ noTokens: true });
  t.teardown(() => open.daemon.close());
  t.is((await open.call('GET', '/healthz')).status, 200);
  t.is((await open.call('GET', '/metrics')).status, 200);
  const status = await open.call('GET', '/api/status', { token: VIEWER });
  t.is(status.status, 401);
  t.regex(status.body.error.message, /no API tokens are configured/);
  t.is((await open.call('POST', '/api/halt', { token: OPERATOR })).status, 401);
});
