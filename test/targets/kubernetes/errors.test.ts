import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { TargetError } from '../../../src/errors.js';
import { kube, kubeOrNull, kubernetesError } from '../../../src/targets/kubernetes/errors.js';
import { isRetryableStatus } from '../../../src/targets/transport-errors.js';
import { isLoopbackHttp } from '../../../src/targets/kubernetes/client.js';
import { podsReady } from '../../../src/targets/kubernetes/pods-ready.js';
import { testCtx } from '../../helpers/ctx.js';

async function kubeconfigFor(server: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c, cluster: { server: "${server}" } }]`,
      'users: [{ name: u, user: { token: very-secret-token-8080 } }]',
      'contexts: [{ name: x, context: { cluster: c, user: u } }]',
      'current-context: x',
    ].join('\n'),
  );
  return kubeconfig;
}

function status(code: number, reason: string, message: string): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
  return new ApiException(code, 'Unknown API Status Code!', body, { 'audit-id': 'req-123', 'content-type': 'application/json' });
}

test('429 and 5xx answers are retryable; 4xx answers are not', (t) => {
  for (const code of [408, 429, 500, 502, 503, 504]) t.true(isRetryableStatus(code), String(code));
  for (const code of [400, 401, 403, 404, 409, 422]) t.false(isRetryableStatus(code), String(code));
});

test('an API exception becomes a TargetError with the Status reason and message, its status and request id', (t) => {
  const err = kubernetesError(status(404, 'NotFound', 'pods "hub-1" not found'), 'read pod jhub/hub-1');
  t.true(err instanceof TargetError);
  t.is(err.message, 'Kubernetes read pod jhub/hub-1: HTTP 404 NotFound: pods "hub-1" not found');
  t.is(err.status, 404);
  t.is(err.requestId, 'req-123');
  t.false(err.retryable);
  t.true(err.cause instanceof ApiException);
});

test('a 503 answer is retryable and a 403 answer is not', (t) => {
  t.true(kubernetesError(status(503, 'ServiceUnavailable', 'etcd down'), 'list pods').retryable);
  t.false(kubernetesError(status(403, 'Forbidden', 'pods is forbidden'), 'list pods').retryable);
});

test('a non-Status body is quoted briefly and response headers never reach the message', (t) => {
  const err = kubernetesError(new ApiException(502, 'Bad Gateway', '<html>bad gateway</html>', { 'set-cookie': 'session=abcdef' }), 'list pods');
  t.is(err.message, 'Kubernetes list pods: HTTP 502 <html>bad gateway</html>');
  t.true(err.retryable);
});

test('a connection error is retryable and a plain programming error is not', (t) => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
  const e1 = kubernetesError(refused, 'list pods');
  t.true(e1.retryable);
  t.regex(e1.message, /cannot reach the API server \(ECONNREFUSED\)/);
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  t.true(kubernetesError(timeout, 'list pods').retryable);
  t.false(kubernetesError(new Error('No active cluster!'), 'list pods').retryable);
  const tls = new TypeError('fetch failed', { cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) });
  t.false(kubernetesError(tls, 'list pods').retryable);
});

test('kubeOrNull turns a 404 into null and lets other errors through as TargetErrors', async (t) => {
  t.is(await kubeOrNull('read pod', () => Promise.reject(status(404, 'NotFound', 'gone'))), null);
  const err = await t.throwsAsync(kube('read pod', () => Promise.reject(status(500, 'InternalError', 'boom'))), { instanceOf: TargetError });
  t.is(err.status, 500);
});

test('a real call to an API server that refuses connections throws a retryable TargetError', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const kubeconfig = await kubeconfigFor(`http://127.0.0.1:${port}`);
  const ctx = testCtx({ kubernetes: { kubeconfig } });
  const params = podsReady.params.parse({ namespace: 'jhub', labelSelector: 'component=hub' });
  const err = await t.throwsAsync(podsReady.check(ctx, params, new AbortController().signal), { instanceOf: TargetError });
  t.true(err.retryable);
  t.false(err.message.includes('very-secret-token-8080'));
});

test('plain http is allowed on loopback only', async (t) => {
  t.true(isLoopbackHttp('http://127.0.0.1:16443'));
  t.true(isLoopbackHttp('http://localhost:16443'));
  t.true(isLoopbackHttp('http://[::1]:16443'));
  t.false(isLoopbackHttp('https://127.0.0.1:6443'));
  t.false(isLoopbackHttp('http://10.0.0.10:6443'));
  t.false(isLoopbackHttp('http://127.0.0.1.example.org:80'));
  const ctx = testCtx({ kubernetes: { kubeconfig: await kubeconfigFor('http://10.255.255.1:6443') } });
  const params = podsReady.params.parse({ namespace: 'jhub', labelSelector: 'component=hub' });
  const err = await t.throwsAsync(podsReady.check(ctx, params, new AbortController().signal), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /HTTP protocol is not allowed/);
});

test('a missing kubeconfig file or context is a non-retryable TargetError', async (t) => {
  const params = podsReady.params.parse({ namespace: 'jhub', labelSelector: 'component=hub' });
  const signal = new AbortController().signal;
  const missing = testCtx({ kubernetes: { kubeconfig: '/nonexistent/kubeconfig' } });
  const e1 = await t.throwsAsync(podsReady.check(missing, params, signal), { instanceOf: TargetError });
  t.false(e1.retryable);
  t.regex(e1.message, /cannot load the Kubernetes configuration/);
  const bad = testCtx({ kubernetes: { kubeconfg: 'typo' } });
  const e2 = await t.throwsAsync(podsReady.check(bad, params, signal), { instanceOf: TargetError });
  t.regex(e2.message, /invalid targets.kubernetes settings/);
});
