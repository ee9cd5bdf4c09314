/**
 * The hub's non-API handlers that clients meet: health, metrics, the proxy's error pages, the
 * login page and the pages behind it, `/hub/user/<name>/…` for requests that reached the hub
 * instead of a user's server, and the redirects of everything outside `/hub/`. Rules, as
 * JupyterHub 3.0 keeps them: page handlers take no token (they redirect to the login page),
 * `/hub/user/…` does; a ready server whose route is missing is sent back to `/user/…` with
 * a growing `redirects` count until the loop limit (4) answers 500; a stopped server answers
 * 424 (JSON for API paths).
 */
import { renderExposition } from './hub-metrics.js';
import { encodeQueryValue, escapeHtml, HubError, hubPage, sendHub, sendJson, sendRedirect } from './hub-http.js';
import type { HubContext, HubRoute } from './hub-routes.js';

const PAGES = 'jupyterhub.handlers';

/** The hub's `user_redirect_limit`. */
export const REDIRECT_LIMIT = 4;

/** The message of the hub's 503 error page (a user's server the proxy cannot reach). */
export const SERVER_DOWN_HTML = "Your server appears to be down. Try restarting it <a href='/hub/home'>from the hub</a>";

function requestUri(url: URL): string {
  return url.pathname + url.search;
}

function toLogin(ctx: HubContext): void {
  sendRedirect(ctx.res, `/hub/login?next=${encodeQueryValue(requestUri(ctx.url))}`);
}

/** The body of the hub's error page for a status, as the proxy's error target serves it. */
export function proxyErrorPage(status: number): string {
  return hubPage(status, status === 503 ? SERVER_DOWN_HTML : '');
}

function metrics(ctx: HubContext): void {
  if (!ctx.authenticated) throw new HubError(403, "Access to metrics requires scope 'read:metrics'");
  sendHub(ctx.res, 200, renderExposition(ctx.model.samples()), 'text/plain; version=0.0.4; charset=utf-8');
}

/** `get_accepted_mimetype(accept, ['application/json', 'text/html'])`: the first listed (by q) of the two. */
function acceptedMimetype(accept: string): string | undefined {
  const parsed = accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim());
      const q = Number(/^q=(.*)$/.exec(params.find((p) => p.startsWith('q=')) ?? '')?.[1] ?? '1');
      return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
    })
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return parsed.find((p) => p.type === 'application/json' || p.type === 'text/html')?.type;
}

function failApiRequest(ctx: HubContext, name: string): void {
  const shown = ctx.url.pathname.slice('/hub'.length);
  const spawnUrl = `http://${ctx.req.headers.host ?? 'localhost'}/hub/spawn/${name}`;
  sendJson(ctx.res, 424, { message: `JupyterHub server no longer running at ${shown}. Restart the server at ${spawnUrl}` });
}

async function userUrl(ctx: HubContext): Promise<void> {
  if (!ctx.authenticated) return toLogin(ctx);
  const name = ctx.params[0] ?? '';
  const userPath = ctx.params[1] || '/';
  if (!ctx.hub.user(name)) throw new HubError(404, `No such user ${name}`);
  if (ctx.hub.ready(name)) return redirectToServer(ctx);
  const json = acceptedMimetype(ctx.req.headers.accept ?? '') === 'application/json';
  if (json || userPath.split('/').includes('api')) return failApiRequest(ctx, name);
  if (ctx.hub.pending(name) !== null || ctx.hub.failure(name) !== undefined) {
    return sendRedirect(ctx.res, `/hub/spawn-pending/${name}?next=${encodeQueryValue(requestUri(ctx.url))}`, 303);
  }
  const spawnUrl = `/hub/spawn/${name}?next=${encodeQueryValue(requestUri(ctx.url))}`;
  sendHub(ctx.res, 424, hubPage(424, `Server ${escapeHtml(name)} not running. <a href="${escapeHtml(spawnUrl)}">Launch Server</a>`), 'text/html');
}

async function redirectToServer(ctx: HubContext): Promise<void> {
  const given = ctx.url.searchParams.get('redirects');
  const redirects = given !== null && /^[+-]?\d+$/.test(given.trim()) ? Number(given.trim()) : 0;
  if (redirects >= REDIRECT_LIMIT) throw new HubError(500, 'Redirect loop detected.');
  const query = new URLSearchParams(ctx.url.search);
  query.set('redirects', String(redirects + 1));
  if (redirects > 0) await ctx.sleep(Math.min(2 ** redirects, 10) * 1000);
  sendRedirect(ctx.res, `${ctx.url.pathname.slice('/hub'.length)}?${query.toString()}`);
}

function nonGet(ctx: HubContext): void {
  failApiRequest(ctx, ctx.params[0] ?? '');
}

function prefixRedirect(ctx: HubContext): void {
  const uri = requestUri(ctx.url).slice(1);
  sendRedirect(ctx.res, `/hub/${uri}`);
}

const loginPage = (): string =>
  ['<!DOCTYPE HTML>', '<html>', '<head><meta charset="utf-8"><title>JupyterHub</title></head>', '<body>', '<form action="/hub/login" method="post" role="form">',
    '  <label for="username_input">Username:</label><input id="username_input" name="username" type="text" autocapitalize="off" autocorrect="off"/>',
    '  <label for="password_input">Password:</label><input id="password_input" name="password" type="password"/>',
    '  <input id="login_submit" type="submit" value="Sign in"/>', '</form>', '</body>', '</html>', ''].join('\n');

const loginRequired = { GET: { run: toLogin } };

/** The page routes, then the catch-alls (API 404, page 404, prefix redirect); API routes go before these. */
export function pageRoutes(): HubRoute[] {
  const health = { GET: { run: (ctx: HubContext) => sendHub(ctx.res, 200, '', 'text/html') }, HEAD: { run: (ctx: HubContext) => sendHub(ctx.res, 200, '', 'text/html') } };
  return [
    { pattern: /^\/hub\/health$/, handler: `${PAGES}.pages.HealthCheckHandler`, api: false, methods: health },
    { pattern: /^\/hub\/api\/health$/, handler: `${PAGES}.pages.HealthCheckHandler`, api: false, methods: health },
    { pattern: /^\/hub\/metrics$/, handler: `${PAGES}.metrics.MetricsHandler`, api: false, methods: { GET: { run: metrics } } },
    { pattern: /^\/hub\/api\/.*$/, handler: 'jupyterhub.apihandlers.base.API404', api: true, methods: api404() },
    { pattern: /^\/hub\/?$/, handler: `${PAGES}.pages.RootHandler`, api: false, methods: { GET: { run: (ctx) => sendRedirect(ctx.res, `/hub/login?next=${encodeQueryValue('/hub/')}`) } } },
    { pattern: /^\/hub\/login$/, handler: `${PAGES}.login.LoginHandler`, api: false, methods: { GET: { run: (ctx) => sendHub(ctx.res, 200, loginPage(), 'text/html') } } },
    { pattern: /^\/hub\/home$/, handler: `${PAGES}.pages.HomeHandler`, api: false, methods: loginRequired },
    { pattern: /^\/hub\/admin$/, handler: `${PAGES}.pages.AdminHandler`, api: false, methods: loginRequired },
    { pattern: /^\/hub\/token$/, handler: `${PAGES}.pages.TokenPageHandler`, api: false, methods: loginRequired },
    { pattern: /^\/hub\/spawn(?:\/[^/]+){0,2}$/, handler: `${PAGES}.pages.SpawnHandler`, api: false, methods: loginRequired },
    { pattern: /^\/hub\/spawn-pending\/[^/]+(?:\/[^/]+)?$/, handler: `${PAGES}.pages.SpawnPendingHandler`, api: false, methods: loginRequired },
    {
      pattern: /^\/hub\/error\/(\d+)$/,
      handler: `${PAGES}.pages.ProxyErrorHandler`,
      api: false,
      methods: { GET: { run: (ctx) => sendHub(ctx.res, 200, proxyErrorPage(Number(ctx.params[0])), 'text/html') } },
    },
    {
      pattern: /^\/hub\/user\/([^/]+)(\/.*)?$/,
      handler: `${PAGES}.base.UserUrlHandler`,
      api: false,
      methods: { GET: { run: userUrl }, POST: { run: nonGet }, PATCH: { run: nonGet }, DELETE: { run: nonGet } },
    },
    { pattern: /^\/hub\/.*$/, handler: `${PAGES}.base.Template404`, api: false, methods: template404() },
    { pattern: /^.*$/, handler: `${PAGES}.base.PrefixRedirectHandler`, api: false, methods: { GET: { run: prefixRedirect } } },
  ];
}

function api404(): HubRoute['methods'] {
  const run = (): never => {
    throw new HubError(404);
  };
  return Object.fromEntries(['GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'PUT', 'OPTIONS'].map((m) => [m, { run }]));
}

function template404(): HubRoute['methods'] {
  const run = (): never => {
    throw new HubError(404);
  };
  return Object.fromEntries(['GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'PUT'].map((m) => [m, { run }]));
}
