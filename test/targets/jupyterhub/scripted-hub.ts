/**
 * A scripted JupyterHub + configurable-http-proxy pair on 127.0.0.1 for unit tests: the
 * answers of JupyterHub 3 and CHP 4.6 as observed on the real ones (status codes, error
 * bodies, pagination, the proxy's 503 while the hub is down, 302 to the hub for a server
 * without a route), with knobs for what the real ones cannot be made to do on demand: a
 * spawn that fails, a slow spawn or stop, a ready server without a route, a hub that ignores
 * `offset`. The lab and the real hub are tested in their own suites; this is for edge cases.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HUB_TOKEN = 'scripted-hub-token-123';
export const PROXY_TOKEN = 'scripted-proxy-token-456';

interface Srv {
  ready: boolean;
  pending: 'spawn' | 'stop' | null;
  target: string;
}

interface User {
  name: string;
  admin: boolean;
  server?: Srv;
}

/** What the scripted hub does; every knob can change while a test runs. */
export interface Script {
  /** Ms from a start request until the server is ready (or fails). */
  spawnMs: number;
  /** Ms a start or stop request is held before answering 202 (JupyterHub's slow_*_timeout). */
  slowMs: number;
  /** Ms from a stop request until the server is gone. */
  stopMs: number;
  /** The spawn fails: the server vanishes instead of becoming ready. */
  failSpawn: boolean;
  /** The hub adds a route for a server when it becomes ready. */
  addRoutes: boolean;
  /** The hub process is down: the proxy answers 503 for every /hub/* path. */
  hubDown: boolean;
  /** Ignores offset (and, with plainLists, limit too: JupyterHub 1 answers every user at once). */
  ignoreOffset: boolean;
  /** Page size: the most users in one answer. */
  pageSize: number;
  /** Single-user servers refuse the token (it lacks access:servers). */
  denyServerAccess: boolean;
  /** Answer plain lists even when asked for JupyterHub 3's paginated form (an older hub). */
  plainLists: boolean;
}

export interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
  port: 'hub' | 'proxy';
}

export interface ScriptedHub {
  url: string;
  proxyApiUrl: string;
  script: Script;
  users: Map<string, User>;
  routes: Map<string, Record<string, unknown>>;
  seen: Seen[];
  addUser(name: string, opts?: { admin?: boolean; running?: boolean; route?: boolean }): void;
  /** Simulates the proxy restarting: every route gone but `/`. */
  restartProxy(): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cleanPath(path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, payload?: unknown, headers: Record<string, string> = {}): void {
  const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
  res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

const hubError = (res: ServerResponse, status: number, message: string): void => send(res, status, { status, message }, { 'x-jupyterhub-version': '3.0.0' });

export async function startScriptedHub(script: Partial<Script> = {}): Promise<ScriptedHub> {
  const s: Script = { spawnMs: 20, slowMs: 1000, stopMs: 10, failSpawn: false, addRoutes: true, hubDown: false, ignoreOffset: false, pageSize: 200, plainLists: false, denyServerAccess: false, ...script };
  const users = new Map<string, User>();
  const routes = new Map<string, Record<string, unknown>>();
  const seen: Seen[] = [];
  let nextPort = 40000;
  routes.set('/', { target: 'http://127.0.0.1:8081', hub: true, jupyterhub: true, last_activity: new Date().toISOString() });

  const model = (u: User): Record<string, unknown> => ({
    name: u.name,
    admin: u.admin,
    kind: 'user',
    server: u.server?.ready ? `/user/${u.name}/` : null,
    pending: u.server?.pending ?? null,
    servers: u.server ? { '': { name: '', ready: u.server.ready, pending: u.server.pending, url: `/user/${u.name}/`, stopped: false } } : {},
  });
  const setRoute = (u: User): void => {
    if (u.server) routes.set(`/user/${u.name}`, { user: u.name, server_name: '', target: u.server.target, jupyterhub: true, last_activity: new Date().toISOString() });
  };
  const spawn = async (u: User): Promise<void> => {
    u.server = { ready: false, pending: 'spawn', target: `http://127.0.0.1:${nextPort++}` };
    await sleep(s.spawnMs);
    if (s.failSpawn) {
      delete u.server;
      return;
    }
    if (!u.server) return;
    if (s.addRoutes) setRoute(u);
    u.server.ready = true;
    u.server.pending = null;
  };
  const stop = async (u: User): Promise<void> => {
    if (!u.server) return;
    u.server.pending = 'stop';
    u.server.ready = false;
    routes.delete(`/user/${u.name}`);
    await sleep(s.stopMs);
    delete u.server;
  };
  const heldFor = async (work: Promise<void>): Promise<boolean> => Promise.race([work.then(() => true), sleep(s.slowMs).then(() => false)]);

  const hub = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept, port: 'hub' });
      const path = url.pathname;
      if (s.hubDown && (path.startsWith('/hub') || !routes.has(cleanPath(path.split('/').slice(0, 3).join('/'))))) return send(res, 503, 'Service Unavailable');
      const userApi = /^\/user\/([^/]+)\/api\/status$/.exec(path);
      if (userApi) {
        const name = decodeURIComponent(userApi[1] ?? '');
        if (!routes.has(`/user/${name}`)) return send(res, 302, '', { location: `/hub/user/${name}/api/status` });
        if (s.denyServerAccess || req.headers.authorization !== `token ${HUB_TOKEN}`) return send(res, 403, { message: 'Forbidden', reason: null });
        return send(res, 200, { connections: 0, kernels: 0, started: new Date().toISOString() });
      }
      if (path === '/hub/health') return send(res, 200, '', { 'x-jupyterhub-version': '3.0.0' });
      if (path === '/hub/api') return send(res, 200, { version: '3.0.0' }, { 'x-jupyterhub-version': '3.0.0' });
      if (!path.startsWith('/hub/api/')) return send(res, 404, 'not found');
      if (req.headers.authorization !== `token ${HUB_TOKEN}`) return hubError(res, 403, 'Action is not authorized with current scopes; requires any of [list:users]');
      if (path === '/hub/api/users' && req.method === 'GET') {
        const state = url.searchParams.get('state');
        const all = [...users.values()].filter((u) => state !== 'ready' || u.server?.ready).sort((a, b) => a.name.localeCompare(b.name));
        const offset = s.ignoreOffset ? 0 : Number(url.searchParams.get('offset') ?? 0);
        const asked = Math.min(Number(url.searchParams.get('limit') ?? s.pageSize), s.pageSize);
        // an old hub (JupyterHub 1) ignores offset and limit alike: it answers every user at once
        const limit = s.ignoreOffset && s.plainLists ? all.length : asked;
        const items = all.slice(offset, offset + limit).map(model);
        if (!s.plainLists && req.headers.accept?.includes('application/jupyterhub-pagination+json')) {
          const next = offset + limit < all.length ? { offset: offset + limit, limit, url: `http://elsewhere.example/hub/api/users?offset=${offset + limit}` } : null;
          return send(res, 200, { items, _pagination: { offset, limit, total: all.length, next } });
        }
        return send(res, 200, items);
      }
      const m = /^\/hub\/api\/users\/([^/]+)(\/server)?$/.exec(path);
      if (!m) return hubError(res, 404, 'Not Found');
      const name = decodeURIComponent(m[1] ?? '');
      const u = users.get(name);
      if (!m[2]) {
        if (req.method === 'GET') return u ? send(res, 200, model(u)) : hubError(res, 404, 'Not Found');
        if (req.method === 'POST') {
          await body(req);
          if (u) return hubError(res, 409, `User ${name} already exists`);
          const created: User = { name, admin: false };
          users.set(name, created);
          return send(res, 201, model(created));
        }
        return hubError(res, 405, 'Method Not Allowed');
      }
      if (!u) return hubError(res, 404, 'Not Found');
      if (req.method === 'POST') {
        if (u.server?.pending) return hubError(res, 400, `${name} is pending ${u.server.pending}`);
        if (u.server) return hubError(res, 400, `${name} is already running`);
        const done = await heldFor(spawn(u));
        return send(res, done && u.server ? 201 : 202, '');
      }
      if (req.method === 'DELETE') {
        if (!u.server) return send(res, 204, '');
        if (u.server.pending === 'stop') return send(res, 202, '');
        if (u.server.pending === 'spawn') return hubError(res, 400, `${name} is pending spawn, please wait`);
        return send(res, (await heldFor(stop(u))) ? 204 : 202, '');
      }
      return hubError(res, 405, 'Method Not Allowed');
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });

  const proxy = createServer((req, res) => {
    void (async () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept, port: 'proxy' });
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/api\/routes(\/.*)?$/.exec(url.pathname);
      if (!m) return send(res, 404, '');
      if (req.headers.authorization !== `token ${PROXY_TOKEN}`) return send(res, 403, '');
      const path = cleanPath(decodeURIComponent(m[1] ?? '/'));
      if (req.method === 'GET') {
        if (path === '/') return send(res, 200, Object.fromEntries(routes));
        const route = routes.get(path);
        return route ? send(res, 200, route) : send(res, 404, '');
      }
      if (req.method === 'POST') {
        const data = JSON.parse((await body(req)) || '{}') as Record<string, unknown>;
        if (typeof data['target'] !== 'string') return send(res, 400, { status: 400, message: "Must specify 'target' as string" });
        routes.set(path, { ...data, last_activity: new Date().toISOString() });
        return send(res, 201, '');
      }
      if (req.method === 'DELETE') {
        if (!routes.has(path)) return send(res, 404, '');
        routes.delete(path);
        return send(res, 204, '');
      }
      return send(res, 405, '');
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });

  const listen = (server: Server): Promise<number> =>
    new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const hubPort = await listen(hub);
  const proxyPort = await listen(proxy);
  return {
    url: `http://127.0.0.1:${hubPort}`,
    proxyApiUrl: `http://127.0.0.1:${proxyPort}`,
    script: s,
    users,
    routes,
    seen,
    addUser(name, opts = {}) {
      const u: User = { name, admin: opts.admin ?? false };
      if (opts.running) u.server = { ready: true, pending: null, target: `http://127.0.0.1:${nextPort++}` };
      users.set(name, u);
      if (opts.running && opts.route !== false) setRoute(u);
    },
    restartProxy() {
      for (const key of [...routes.keys()]) if (key !== '/') routes.delete(key);
    },
    async close() {
      hub.closeAllConnections();
      proxy.closeAllConnections();
      await Promise.all([new Promise((r) => hub.close(r)), new Promise((r) => proxy.close(r))]);
    },
  };
}

/** `targets.jupyterhub` settings for a scripted hub, tokens passed through environment variables set here. */
export function scriptedSettings(hub: ScriptedHub, extra: Record<string, unknown> = {}): Record<string, unknown> {
  process.env['SCRIPTED_HUB_TOKEN'] = HUB_TOKEN;
  process.env['SCRIPTED_PROXY_TOKEN'] = PROXY_TOKEN;
  return {
    jupyterhub: {
      url: hub.url,
      token: { env: 'SCRIPTED_HUB_TOKEN' },
      proxyApiUrl: hub.proxyApiUrl,
      proxyToken: { env: 'SCRIPTED_PROXY_TOKEN' },
      timeout: '2s',
      ...extra,
    },
  };
}
