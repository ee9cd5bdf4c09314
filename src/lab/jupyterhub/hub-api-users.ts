/**
 * The hub's REST API for the hub itself, users and the proxy: `/hub/api`, `/hub/api/info`,
 * `/hub/api/users[/<name>]`, `/hub/api/proxy`. Rules: answers, errors and their messages
 * follow JupyterHub 3.0's handlers (including their quirks: a user created by a POST whose
 * body then fails validation stays created); lists are in creation order.
 */
import { readText } from '../http-frame.js';
import { SLOW_TIMEOUT_MS } from './hub-settings.js';
import { HubError, LAB_HUB_VERSION, sendHub, sendJson } from './hub-http.js';
import type { HubContext, HubRoute } from './hub-routes.js';
import type { HubUser } from './hub.js';
import { acceptsPagination, argument, paginated, pagination } from './pagination.js';
import { pyRepr, pyTypeName } from './python-format.js';
import { userModel } from './user-models.js';

const API = 'jupyterhub.apihandlers';
const READ_USER_SCOPES = ['read:users', 'read:users:name', 'read:servers', 'read:users:groups', 'read:users:activity', 'read:roles:users'];

/** `get_json_body`: undefined for an empty body, 400 for one that is not JSON. */
export async function jsonBody(ctx: HubContext): Promise<unknown> {
  const text = (await readText(ctx.req)).trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HubError(400, 'Invalid JSON in body of request');
  }
}

const USER_MODEL_TYPES: Record<string, (v: unknown) => boolean> = {
  name: (v) => typeof v === 'string',
  admin: (v) => typeof v === 'boolean',
  groups: (v) => Array.isArray(v),
  roles: (v) => Array.isArray(v),
  auth_state: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};
const TYPE_NAMES: Record<string, string> = { name: "<class 'str'>", admin: "<class 'bool'>", groups: "<class 'list'>", roles: "<class 'list'>", auth_state: "<class 'dict'>" };

/** `_check_user_model`: a dict with known keys of the right types. */
function checkUserModel(model: unknown): asserts model is Record<string, unknown> {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new HubError(400, `Invalid JSON data: ${pyRepr(model)}`);
  const record = model as Record<string, unknown>;
  if (!Object.keys(record).every((k) => k in USER_MODEL_TYPES)) throw new HubError(400, `Invalid JSON keys: ${pyRepr(record)}`);
  for (const [key, value] of Object.entries(record)) {
    if (!USER_MODEL_TYPES[key]?.(value)) throw new HubError(400, `user.${key} must be ${TYPE_NAMES[key] ?? ''}, not: ${pyTypeName(value)}`);
  }
}

function knownUser(ctx: HubContext, name: string): HubUser {
  const user = ctx.hub.user(name);
  if (!user) throw new HubError(404);
  return user;
}

function listUsers(ctx: HubContext): void {
  const { hub, url, req, res } = ctx;
  const state = argument(url, 'state');
  if (state && !['active', 'ready', 'inactive'].includes(state)) throw new HubError(400, `Unrecognized state filter: ${pyRepr(state)}`);
  const { offset, limit } = pagination(req, url);
  const nameFilter = argument(url, 'name_filter')?.toLowerCase();
  const query = hub.list().filter((u) => {
    if (nameFilter && !u.name.toLowerCase().includes(nameFilter)) return false;
    if (state === 'active' || state === 'ready') return hub.hasServer(u.name);
    if (state === 'inactive') return !hub.hasServer(u.name);
    return true;
  });
  const page = query.slice(offset, offset + limit).filter((u) => state !== 'ready' || hub.ready(u.name));
  const items = page.map((u) => userModel(hub, u));
  sendJson(res, 200, acceptsPagination(req) ? paginated(req, url, items, offset, limit, query.length) : items);
}

async function createUsers(ctx: HubContext): Promise<void> {
  const data = await jsonBody(ctx);
  const record = typeof data === 'object' && data !== null && !Array.isArray(data) ? { ...(data as Record<string, unknown>) } : undefined;
  const usernames = record?.['usernames'];
  if (!record || !usernames || (Array.isArray(usernames) && usernames.length === 0)) throw new HubError(400, 'Must specify at least one user to create');
  delete record['usernames'];
  checkUserModel(record);
  const names = Array.isArray(usernames) ? usernames.map((n) => String(n).toLowerCase()) : [];
  const invalid = names.filter((n) => n === '' || n.includes('/') || n !== n.trim());
  if (invalid.length === 1) throw new HubError(400, `Invalid username: ${invalid[0] ?? ''}`);
  if (invalid.length > 1) throw new HubError(400, `Invalid usernames: ${invalid.join(', ')}`);
  const fresh = [...new Set(names)].filter((n) => !ctx.hub.user(n));
  if (fresh.length === 0) throw new HubError(409, `All ${names.length} users already exist`);
  const created = fresh.map((n) => ctx.hub.addUser(n, record['admin'] === true));
  sendJson(ctx.res, 201, created.map((u) => userModel(ctx.hub, u)));
}

async function createUser(ctx: HubContext): Promise<void> {
  const name = ctx.params[0] ?? '';
  const data = await jsonBody(ctx);
  if (ctx.hub.user(name)) throw new HubError(409, `User ${name} already exists`);
  const user = ctx.hub.addUser(name);
  if (data) {
    checkUserModel(data);
    if ('admin' in data) ctx.hub.setAdmin(name, data['admin'] === true);
  }
  sendJson(ctx.res, 201, userModel(ctx.hub, user));
}

async function deleteUser(ctx: HubContext): Promise<void> {
  const name = ctx.params[0] ?? '';
  knownUser(ctx, name);
  const stopping = `${name}'s server is in the process of stopping, please wait.`;
  if (ctx.hub.pending(name) === 'stop') throw new HubError(400, stopping);
  if (ctx.hub.ready(name)) {
    const stop = ctx.hub.stop(name);
    if ((await ctx.within(stop.result.done, SLOW_TIMEOUT_MS)) === 'timeout') throw new HubError(400, stopping);
  }
  ctx.hub.removeUser(name);
  sendHub(ctx.res, 204, '', undefined);
}

function proxyRoutes(ctx: HubContext): void {
  const { offset, limit } = pagination(ctx.req, ctx.url);
  const all: Record<string, unknown> = {};
  for (const [path, data] of Object.entries(ctx.model.proxy.all())) {
    if (!('jupyterhub' in data)) continue;
    const { target, jupyterhub: _jupyterhub, ...rest } = data;
    const spec = path === '/' ? '/' : `${path}/`;
    all[spec] = { routespec: spec, target, data: rest };
  }
  const keys = Object.keys(all);
  const routes = offset === 0 && keys.length < limit ? all : Object.fromEntries(keys.sort().slice(offset, offset + limit).map((k) => [k, all[k]]));
  sendJson(ctx.res, 200, acceptsPagination(ctx.req) ? paginated(ctx.req, ctx.url, routes, offset, limit, keys.length) : routes);
}

/** The info a `read:hub` token gets. */
const HUB_INFO = {
  version: LAB_HUB_VERSION,
  python: '3.11.4 (main, Jun  7 2023, 10:57:56) [GCC 12.2.0]',
  sys_executable: '/usr/local/bin/python',
  spawner: { class: 'kubespawner.spawner.KubeSpawner', version: '4.2.0' },
  authenticator: { class: 'jupyterhub.auth.DummyAuthenticator', version: LAB_HUB_VERSION },
};

/** The users, hub and proxy API routes. */
export function userApiRoutes(): HubRoute[] {
  return [
    { pattern: /^\/hub\/api\/?$/, handler: `${API}.hub.RootAPIHandler`, api: true, methods: { GET: { run: (ctx) => sendJson(ctx.res, 200, { version: LAB_HUB_VERSION }) } } },
    { pattern: /^\/hub\/api\/info$/, handler: `${API}.hub.InfoAPIHandler`, api: true, methods: { GET: { scopes: ['read:hub'], run: (ctx) => sendJson(ctx.res, 200, HUB_INFO) } } },
    {
      pattern: /^\/hub\/api\/users$/,
      handler: `${API}.users.UserListAPIHandler`,
      api: true,
      methods: { GET: { scopes: ['list:users'], run: listUsers }, POST: { scopes: ['admin:users'], run: createUsers } },
    },
    {
      pattern: /^\/hub\/api\/users\/([^/]+)$/,
      handler: `${API}.users.UserAPIHandler`,
      api: true,
      methods: {
        GET: { scopes: READ_USER_SCOPES, run: (ctx) => sendJson(ctx.res, 200, userModel(ctx.hub, knownUser(ctx, ctx.params[0] ?? ''))) },
        POST: { scopes: ['admin:users'], run: createUser },
        DELETE: { scopes: ['delete:users'], run: deleteUser },
      },
    },
    {
      pattern: /^\/hub\/api\/proxy$/,
      handler: `${API}.proxy.ProxyAPIHandler`,
      api: true,
      methods: {
        GET: { scopes: ['proxy'], run: proxyRoutes },
        POST: {
          scopes: ['proxy'],
          run: (ctx) => {
            if (!ctx.model.checkRoutes()) throw new HubError(500);
            sendHub(ctx.res, 200, '', 'text/html; charset=UTF-8');
          },
        },
      },
    },
  ];
}
