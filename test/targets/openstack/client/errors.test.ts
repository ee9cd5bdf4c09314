import test from 'ava';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TargetError } from '../../../../src/errors.js';
import { openstackClientFrom } from '../../../../src/targets/openstack/client.js';
import { apiErrorMessage, retryAfterMs } from '../../../../src/targets/openstack/errors.js';
import { backoff, createTransport } from '../../../../src/targets/openstack/api/http.js';
import { memoryLogger } from '../../../helpers/ctx.js';
import { FAST_RETRY, passwordCloud, PASSWORD, startFakeCloud, type Answer, type Seen } from './fake-cloud.js';

const SERVER = { server: { id: 's1', name: 'worker-001', status: 'ACTIVE', 'OS-EXT-STS:task_state': null } };

/** A handler that gives `answers` in order to GET /servers/s1, then the server. */
function sequence(answers: Answer[]): (req: Seen) => Answer | undefined {
  return (req) => (req.rest === '/servers/s1' ? (answers.shift() ?? { status: 200, body: SERVER }) : undefined);
}

test('a 429 with Retry-After is waited for, then the call succeeds', async (t) => {
  const fake = await startFakeCloud({ handle: sequence([{ status: 429, headers: { 'retry-after': '1' }, body: { overLimit: { code: 429, message: 'slow down' } } }]) });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  await client.auth.session();
  const started = Date.now();
  t.is((await client.nova.getServer('s1'))?.name, 'worker-001');
  t.true(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1').length, 2);
});

test('a 503 is retried and the call then succeeds', async (t) => {
  const fake = await startFakeCloud({ handle: sequence([{ status: 503, text: '<html><body><h1>503 Service Unavailable</h1></body></html>' }, { status: 502, text: 'bad gateway' }]) });
  t.teardown(() => fake.close());
  const { log, lines } = memoryLogger();
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY, log });
  t.is((await client.nova.getServer('s1'))?.id, 's1');
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1').length, 3);
  t.deepEqual(lines.filter((l) => l['message'] === 'openstack call retried').map((l) => l['status']), [503, 502]);
});

test('a 5xx that outlasts the attempts is a retryable error with the status', async (t) => {
  const fake = await startFakeCloud({ handle: (req) => (req.rest === '/servers/s1' ? { status: 500, body: { computeFault: { code: 500, message: 'Unexpected API Error.' } } } : undefined) });
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY }).nova.getServer('s1'), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.is(err?.status, 500);
  t.is(err?.message, 'Nova read server s1: HTTP 500 computeFault: Unexpected API Error.');
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1').length, FAST_RETRY.attempts);
});

test('404 and 409 are not retried; 409 keeps the request id and Nova message', async (t) => {
  const fake = await startFakeCloud({
    handle: (req) => {
      if (req.rest === '/servers/s1/action') {
        return {
          status: 409,
          headers: { 'x-compute-request-id': 'req-7c1e', 'x-openstack-request-id': 'req-7c1e' },
          body: { conflictingRequest: { code: 409, message: "Cannot 'stop' instance s1 while it is in vm_state stopped" } },
        };
      }
      if (req.rest === '/servers/gone/metadata/k') return { status: 404, body: { itemNotFound: { code: 404, message: 'Instance gone could not be found.' } } };
      return undefined;
    },
  });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  const err = await t.throwsAsync(client.nova.action('s1', 'os-stop'), { instanceOf: TargetError });
  t.is(err?.status, 409);
  t.false(err?.retryable);
  t.is(err?.requestId, 'req-7c1e');
  t.is(err?.message, "Nova os-stop server s1: HTTP 409 conflictingRequest: Cannot 'stop' instance s1 while it is in vm_state stopped (request req-7c1e)");
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1/action').length, 1);
  const notFound = await t.throwsAsync(client.request({ service: 'compute', method: 'GET', path: '/servers/gone/metadata/k', action: 'read metadata' }));
  t.is((notFound as TargetError).status, 404);
  t.false((notFound as TargetError).retryable);
  t.is(fake.seen.filter((s) => s.rest === '/servers/gone/metadata/k').length, 1);
});

test('Neutron and Keystone error bodies give their type or title and message', (t) => {
  t.is(apiErrorMessage(JSON.stringify({ NeutronError: { type: 'SecurityGroupInUse', message: 'Security Group sg1 in use.', detail: '' } })), 'SecurityGroupInUse: Security Group sg1 in use.');
  t.is(apiErrorMessage(JSON.stringify({ error: { code: 403, title: 'Forbidden', message: 'You are not authorized.' } })), 'Forbidden: You are not authorized.');
  t.is(apiErrorMessage(JSON.stringify({ itemNotFound: { code: 404, message: 'Instance x could not be found.' } })), 'itemNotFound: Instance x could not be found.');
  t.is(apiErrorMessage('<html><body><h1>502 Bad Gateway</h1>\nnginx</body></html>'), '502 Bad Gateway');
  t.is(apiErrorMessage(''), '');
});

test('Retry-After is read in seconds or as an HTTP date', (t) => {
  t.is(retryAfterMs('3'), 3000);
  t.is(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
  t.is(retryAfterMs('soon'), undefined);
  t.is(retryAfterMs(null), undefined);
});

test('backoff doubles from the base, is capped, and keeps at least half of its ceiling', (t) => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 1000 };
  t.is(backoff(policy, 1, () => 0), 50);
  t.is(backoff(policy, 2, () => 0.999999), 200);
  t.is(backoff(policy, 5, () => 0.999999), 300);
});

test('a Retry-After longer than the limit ends the retries with a retryable error', async (t) => {
  const fake = await startFakeCloud({ handle: sequence([{ status: 503, headers: { 'retry-after': '600' }, body: { computeFault: { code: 503, message: 'maintenance' } } }]) });
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY }).nova.getServer('s1'), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.is(err?.status, 503);
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1').length, 1);
});

test('a server action answered 500 is not sent again (Nova may have acted); one answered 503 is', async (t) => {
  const answers: Answer[] = [{ status: 500, body: { computeFault: { code: 500, message: 'boom' } } }, { status: 503, body: {} }, { status: 202 }];
  const fake = await startFakeCloud({ handle: (req) => (req.rest === '/servers/s1/action' ? answers.shift() : undefined) });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  const err = await t.throwsAsync(client.nova.action('s1', 'os-start'), { instanceOf: TargetError });
  t.is(err?.status, 500);
  t.true(err?.retryable, 'the engine may retry after checking the server');
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1/action').length, 1);
  await client.nova.action('s1', 'os-start');
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1/action').length, 3);
});

test('a request that gets no answer in time is a retryable timeout error, retried like any other', async (t) => {
  let asked = 0;
  const hanging = createHttpServer(() => {
    asked++; // never answers
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    hanging.closeAllConnections();
    hanging.close();
  });
  const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/v2.1/servers/s1`;
  const { log, lines } = memoryLogger();
  const transport = createTransport({ timeoutMs: 200, retry: { ...FAST_RETRY, attempts: 2 }, log });
  const err = await t.throwsAsync(transport.send({ service: 'compute', action: 'read server s1', method: 'GET', url }), { instanceOf: TargetError });
  t.is(err?.message, 'Nova read server s1: timed out before an answer');
  t.true(err?.retryable);
  t.true(asked >= 1);
  const retries = lines.filter((l) => l['message'] === 'openstack call retried');
  t.deepEqual(retries.map((l) => [l['attempt'], l['reason']]), [[1, 'Nova read server s1: timed out before an answer']]);
});

test('a refused connection is a retryable error naming the code', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const transport = createTransport({ timeoutMs: 1_000, retry: { ...FAST_RETRY, attempts: 2 } });
  const err = await t.throwsAsync(transport.send({ service: 'network', action: 'list ports', method: 'GET', url: `http://127.0.0.1:${port}/v2.0/ports` }), { instanceOf: TargetError });
  t.is(err?.message, 'Neutron list ports: no answer (ECONNREFUSED)');
  t.true(err?.retryable);
});

test('an aborted call stops at once and is not retried', async (t) => {
  const controller = new AbortController();
  const fake = await startFakeCloud({
    handle: (req) => {
      if (req.rest !== '/servers/s1') return undefined;
      controller.abort();
      return { status: 200, body: SERVER, delayMs: 1_000 };
    },
  });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  const err = await t.throwsAsync(client.nova.getServer('s1', controller.signal), { instanceOf: TargetError });
  t.is(err?.message, 'Nova read server s1: aborted before an answer');
  t.is(fake.seen.filter((s) => s.rest === '/servers/s1').length, 1);
});

test('no token or password appears in any error message or log line', async (t) => {
  const fake = await startFakeCloud({
    handle: (req) => {
      if (req.rest === '/servers/s1') return { status: 503, body: { computeFault: { code: 503, message: 'down' } } };
      if (req.rest === '/servers/s2') return { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'nope' } } };
      return undefined;
    },
  });
  t.teardown(() => fake.close());
  const { log, lines } = memoryLogger();
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY, log });
  const errors = [
    await t.throwsAsync(client.nova.getServer('s1')),
    await t.throwsAsync(client.nova.getServer('s2')),
    await t.throwsAsync(client.nova.action('s3', { reboot: 'HARD' })),
  ];
  const wrong = openstackClientFrom(passwordCloud(fake, 'not-the-password-1'), { retry: FAST_RETRY, log });
  errors.push(await t.throwsAsync(wrong.nova.listServers()));
  t.true(lines.length > 0);
  const text = JSON.stringify([lines, errors.map((e) => ({ message: e?.message, stack: e?.stack }))]);
  for (const secret of [...fake.tokens, PASSWORD, 'not-the-password-1']) t.false(text.includes(secret), `leaked ${secret.slice(0, 12)}…`);
});
