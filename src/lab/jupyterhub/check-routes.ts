/**
 * JupyterHub's upkeep of the proxy's routes: check_routes and the activity it reads back.
 * Rules, as JupyterHub 3 keeps them: only routes JupyterHub added (data `jupyterhub`) are its
 * concern; `/` must point at the hub; every ready server needs its route with its current
 * host; a pending server's route is left alone; any other JupyterHub route is stale and
 * removed; a route's newer `last_activity` raises the user's and the server's.
 */
import type { HubUser, ServerPending } from './hub.js';
import { HUB_TARGET, type ProxyProcess } from './proxy.js';

/** What check_routes reads of the hub. */
export interface RouteOwner {
  list(): HubUser[];
  pending(name: string): ServerPending;
}

/** The proxy spec (CHP path) of a user's default server. */
export function userRoutePath(name: string): string {
  return `/user/${name}`;
}

/** Adds (or replaces) a user's route as the hub's `add_user` posts it. */
export function addUserRoute(proxy: ProxyProcess, name: string, host: string): void {
  proxy.add(userRoutePath(name), { user: name, server_name: '', target: host, jupyterhub: true });
}

/** Raises users' and servers' last activity from their routes (the last-activity tick). */
export function readActivity(users: HubUser[], proxy: ProxyProcess): void {
  const byName = new Map(users.map((u) => [u.name, u]));
  for (const [path, data] of Object.entries(proxy.all())) {
    const user = typeof data['user'] === 'string' ? byName.get(data['user']) : undefined;
    const at = Date.parse(data.last_activity);
    if (!user || path !== userRoutePath(user.name) || !Number.isFinite(at)) continue;
    if (user.lastActivity === null || at > user.lastActivity) user.lastActivity = at;
    if (user.server && (user.server.lastActivity === null || at > user.server.lastActivity)) user.server.lastActivity = at;
  }
}

/** Runs check_routes against a running proxy; returns how many proxy API calls it made. */
export function checkRoutes(owner: RouteOwner, proxy: ProxyProcess): number {
  const routes = Object.entries(proxy.all()).filter(([, data]) => 'jupyterhub' in data);
  const byPath = new Map(routes);
  let calls = 1;
  const hubRoute = byPath.get('/');
  if (!hubRoute || hubRoute.target !== HUB_TARGET) {
    proxy.add('/', { hub: true, target: HUB_TARGET, jupyterhub: true });
    calls += 1;
  }
  const good = new Set(['/']);
  for (const user of owner.list()) {
    const path = userRoutePath(user.name);
    if (owner.pending(user.name) !== null) {
      good.add(path);
      continue;
    }
    const host = user.server?.host;
    if (host === undefined) continue;
    good.add(path);
    const route = byPath.get(path);
    if (!route || !('user' in route) || route.target !== host) {
      addUserRoute(proxy, user.name, host);
      calls += 1;
    }
  }
  for (const [path] of routes) {
    if (good.has(path)) continue;
    proxy.remove(path);
    calls += 1;
  }
  return calls;
}
