/**
 * The lab's JupyterHub, as reached through z2jh's proxy-public: `/hub/health`, `/hub/api`
 * (users, server start/stop) and `/user/{name}/api`. Rules: while no proxy pod or no hub pod
 * serves, every request gets the proxy's 503 page; the REST API wants an admin token
 * (`Authorization: token …` or `Bearer …`) and answers JupyterHub's `{"status","message"}`
 * errors; spawn and stop wait up to JupyterHub's 10 s (simulated) slow timeouts and answer
 * 201/204 when done in time, 202 when still pending.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimClock } from './clock.js';
import { HttpError, readText, Router, sendBody, type ErrorAnswer, type FrameHandler, type RouteContext } from './http-frame.js';
import type { JupyterHubModel } from './jupyterhub-model.js';

/** The JupyterHub version the lab claims to run (z2jh 2.0.0). */
export const LAB_HUB_VERSION = '3.1.1';

/** JupyterHub's slow_spawn_timeout and slow_stop_timeout (simulated ms). */
export const SLOW_TIMEOUT_MS = 10_000;

const POLL_MS = 100;

/** What the hub API needs. */
export interface HubApiOptions {
  model: JupyterHubModel;
  clock: SimClock;
  token: string;
}

const UNAVAILABLE_PAGE =
  '<html><head><title>503: Service Unavailable</title></head><body><h1>503: Service Unavailable</h1><p>Your server appears to be down. Try restarting it <a href="/hub/home">from the hub</a></p></body></html>\n';

/** JupyterHub's JSON error body for a status. */
export function hubErrorAnswer(status: number, message: string): ErrorAnswer {
  return { contentType: 'application/json; charset=UTF-8', body: JSON.stringify({ status, message }) };
}

function hubError(status: number, message: string): HttpError {
  return new HttpError(status, { status, message });
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict' };

function requireToken(req: IncomingMessage, url: URL, token: string): void {
  const header = req.headers.authorization ?? '';
  const match = /^(?:token|bearer)\s+(.+)$/i.exec(header);
  const given = match?.[1]?.trim() ?? url.searchParams.get('token');
  if (given !== token) throw hubError(403, 'Missing or invalid credentials.');
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 0 });
  res.end();
}

async function waitUntil(clock: SimClock, done: () => boolean, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; !done(); waited += POLL_MS) {
    if (waited >= timeoutMs) return false;
    await clock.sleep(POLL_MS);
  }
  return true;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw hubError(400, 'Invalid JSON in body');
  }
}

function routes(options: HubApiOptions): Router {
  const { model, clock } = options;
  const knownUser = (name: string): NonNullable<ReturnType<JupyterHubModel['user']>> => {
    const user = model.user(name);
    if (!user) throw hubError(404, 'Not Found');
    return user;
  };
  const router = new Router();
  router.add('GET', '/hub/health', ({ res }) => sendEmpty(res, 200));
  router.add('GET', '/hub/api', ({ res }) => sendBody(res, 200, { version: LAB_HUB_VERSION }));
  router.add('GET', '/hub/api/users', ({ res, url }) => {
    const state = url.searchParams.get('state');
    const offset = Number(url.searchParams.get('offset') ?? '0') || 0;
    const limit = Number(url.searchParams.get('limit') ?? '200') || 200;
    const users = model.listUsers().filter((u) => {
      const server = model.server(u.name);
      if (state === 'ready') return server.ready;
      if (state === 'active') return server.pod !== undefined;
      if (state === 'inactive') return server.pod === undefined;
      return true;
    });
    sendBody(res, 200, users.slice(offset, offset + limit).map((u) => model.userModel(u)));
  });
  router.add('GET', '/hub/api/users/:name', ({ res, params }) => sendBody(res, 200, model.userModel(knownUser(params['name'] ?? ''))));
  router.add('POST', '/hub/api/users/:name', async ({ req, res, params }) => {
    const name = params['name'] ?? '';
    if (model.user(name)) throw hubError(409, `User ${name} already exists`);
    const body = (await jsonBody(req)) as { admin?: boolean } | undefined;
    sendBody(res, 201, model.userModel(model.addUser(name, body?.admin === true)));
  });
  router.add('POST', '/hub/api/users/:name/server', async ({ res, params }) => {
    const name = params['name'] ?? '';
    knownUser(name);
    const state = model.server(name);
    if (state.pending === 'spawn') return sendEmpty(res, 202);
    if (state.pending === 'stop') throw hubError(400, `${name} is pending stop`);
    if (state.ready) throw hubError(400, `${name} is already running`);
    model.spawn(name);
    const ready = await waitUntil(clock, () => model.server(name).ready, SLOW_TIMEOUT_MS);
    sendEmpty(res, ready ? 201 : 202);
  });
  router.add('DELETE', '/hub/api/users/:name/server', async ({ res, params }) => {
    const name = params['name'] ?? '';
    knownUser(name);
    const state = model.server(name);
    if (state.pending === 'stop') return sendEmpty(res, 202);
    if (!state.pod) return sendEmpty(res, 204);
    model.stop(name);
    const gone = await waitUntil(clock, () => model.server(name).pod === undefined, SLOW_TIMEOUT_MS);
    sendEmpty(res, gone ? 204 : 202);
  });
  return router;
}

function isApi(path: string): boolean {
  return path === '/hub/api' || path.startsWith('/hub/api/');
}

/** The request handler of the lab's JupyterHub (through its proxy). */
export function hubHandler(options: HubApiOptions): FrameHandler {
  const router = routes(options);
  return async (req, res, url) => {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (!options.model.proxyReady() || !options.model.hubReady()) {
      res.writeHead(503, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(UNAVAILABLE_PAGE) });
      res.end(UNAVAILABLE_PAGE);
      return;
    }
    const userApi = /^\/user\/([^/]+)\/api$/.exec(path);
    if (userApi) {
      serveUserServer(options.model, decodeURIComponent(userApi[1] ?? ''), res);
      return;
    }
    const match = router.match(req.method ?? 'GET', path);
    if (match.kind !== 'found') {
      const status = match.kind === 'not-found' ? 404 : 405;
      if (!isApi(path)) {
        sendBody(res, status, `<html><body><h1>${status}: ${REASONS[status] ?? ''}</h1></body></html>\n`, { 'content-type': 'text/html' });
        return;
      }
      throw hubError(status, REASONS[status] ?? 'Error');
    }
    if (isApi(path) && path !== '/hub/api') requireToken(req, url, options.token);
    const context: RouteContext = { req, res, url, params: match.params };
    await match.handler(context);
  };
}

function serveUserServer(model: JupyterHubModel, name: string, res: ServerResponse): void {
  if (model.server(name).ready) {
    sendBody(res, 200, { version: '2.7.0' });
    return;
  }
  res.writeHead(302, { location: `/hub/user/${encodeURIComponent(name)}/api`, 'content-length': 0 });
  res.end();
}
