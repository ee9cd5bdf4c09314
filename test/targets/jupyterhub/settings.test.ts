import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { jupyterhubClientFrom, readSettings } from '../../../src/targets/jupyterhub/client.js';
import { apiErrorMessage, statusError } from '../../../src/targets/jupyterhub/errors.js';
import { apiBase, JupyterHubSettings, publicBase, routesBase } from '../../../src/targets/jupyterhub/settings.js';
import { testCtx } from '../../helpers/ctx.js';

const minimal = { url: 'https://hub.example.org/', token: { env: 'JUPYTERHUB_API_TOKEN' } };

test('minimal settings get a 10s timeout, the API under /hub/api and no proxy', (t) => {
  const s = JupyterHubSettings.parse(minimal);
  t.is(s.timeout, '10s');
  t.is(publicBase(s), 'https://hub.example.org');
  t.is(apiBase(s), 'https://hub.example.org/hub/api');
  t.is(routesBase(s), undefined);
});

test('a base path in url carries into the default API URL', (t) => {
  const s = JupyterHubSettings.parse({ ...minimal, url: 'https://example.org/jhub' });
  t.is(apiBase(s), 'https://example.org/jhub/hub/api');
});

test('the proxy API URL gets /api/routes added, or kept when already written', (t) => {
  const withProxy = { ...minimal, proxyToken: { file: '/run/secrets/p' } };
  t.is(routesBase(JupyterHubSettings.parse({ ...withProxy, proxyApiUrl: 'http://proxy-api:8001/' })), 'http://proxy-api:8001/api/routes');
  t.is(routesBase(JupyterHubSettings.parse({ ...withProxy, proxyApiUrl: 'http://proxy-api:8001/api/routes' })), 'http://proxy-api:8001/api/routes');
});

test('proxyApiUrl without proxyToken (or the reverse) is refused, naming the missing key', (t) => {
  const a = JupyterHubSettings.safeParse({ ...minimal, proxyApiUrl: 'http://proxy-api:8001' });
  t.false(a.success);
  t.deepEqual(a.error?.issues.map((i) => i.path.join('.')), ['proxyToken']);
  const b = JupyterHubSettings.safeParse({ ...minimal, proxyToken: { env: 'P' } });
  t.deepEqual(b.error?.issues.map((i) => i.path.join('.')), ['proxyApiUrl']);
});

test('a token written as a value, an unknown key, a URL with credentials or a query are refused', (t) => {
  t.regex(JupyterHubSettings.safeParse({ ...minimal, token: 'abc' }).error?.issues[0]?.message ?? '', /secret reference/);
  t.is(JupyterHubSettings.safeParse({ ...minimal, tokn: 'x' }).error?.issues[0]?.code, 'unrecognized_keys');
  t.regex(JupyterHubSettings.safeParse({ ...minimal, url: 'https://u:p@hub.example.org' }).error?.issues[0]?.message ?? '', /without credentials/);
  t.regex(JupyterHubSettings.safeParse({ ...minimal, url: 'https://hub.example.org/?token=x' }).error?.issues[0]?.message ?? '', /query/);
  t.false(JupyterHubSettings.safeParse({ ...minimal, url: 'ftp://hub.example.org' }).success);
  t.regex(JupyterHubSettings.safeParse({ ...minimal, timeout: 10 }).error?.issues[0]?.message ?? '', /duration/);
  t.regex(JupyterHubSettings.safeParse({ ...minimal, timeout: '0s' }).error?.issues[0]?.message ?? '', /above zero/);
});

test('a run without targets.jupyterhub, or with a bad one, gets a non-retryable error listing the problems', (t) => {
  const missing = t.throws(() => readSettings(testCtx({})), { instanceOf: TargetError });
  t.false(missing.retryable);
  t.regex(missing.message, /targets\.jupyterhub is not configured/);
  const bad = t.throws(() => readSettings(testCtx({ jupyterhub: { url: 'nope', token: 'x' } })), { instanceOf: TargetError });
  t.regex(bad.message, /url: .*; token: /);
});

test('the proxy is refused with a clear error when no proxy API is configured', (t) => {
  const client = jupyterhubClientFrom(JupyterHubSettings.parse(minimal));
  t.false(client.hasProxy);
  const err = t.throws(() => client.proxy('jupyterhub.routes'), { instanceOf: TargetError });
  t.false(err.retryable);
  t.is(err.message, "jupyterhub.routes needs the proxy's API: set targets.jupyterhub.proxyApiUrl and proxyToken");
});

test('JupyterHub error bodies give their message; single-user and HTML bodies too', (t) => {
  t.is(apiErrorMessage('{"status": 400, "message": "alice is already running"}'), 'alice is already running');
  t.is(apiErrorMessage('{"message": "Forbidden", "reason": "no token"}'), 'Forbidden: no token');
  t.is(apiErrorMessage('<html><body><h1>503: Service Unavailable</h1></body></html>'), '503: Service Unavailable');
  t.is(apiErrorMessage('Service Unavailable'), 'Service Unavailable');
  t.is(apiErrorMessage(''), '');
  t.is(apiErrorMessage('x'.repeat(300)).length, 201);
});

test('5xx, 408 and 429 answers are retryable errors; other statuses are not', (t) => {
  for (const status of [408, 429, 500, 502, 503]) t.true(statusError('JupyterHub', 'x', status, '').retryable, String(status));
  for (const status of [400, 401, 403, 404, 409]) t.false(statusError('proxy', 'x', status, '').retryable, String(status));
  const err = statusError('JupyterHub', 'start server of alice', 400, '{"status": 400, "message": "alice is already running"}');
  t.is(err.message, 'JupyterHub start server of alice: HTTP 400 alice is already running');
  t.is(err.status, 400);
});
