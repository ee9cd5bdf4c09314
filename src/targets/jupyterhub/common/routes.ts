/**
 * Which proxy route serves which user server. The hub stores `user` and `server_name` in
 * the data of every route it adds, so a route is found by those first (whatever the hub's
 * base path); a route without them is matched by path (`/user/alice/` is the key
 * `/user/alice`). gameday's own marker routes never count as a server's route.
 */
import { isMarkerPath } from '../markers.js';
import type { ProxyRoute } from './models.js';
import type { ReadyServer } from './models.js';
import { cleanRoutePath } from './proxy-api.js';

/** A route found for a server: its path (the proxy's key) and its data. */
export interface FoundRoute {
  path: string;
  route: ProxyRoute;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The route serving `server`, if the proxy has one. */
export function routeOf(server: ReadyServer, routes: ReadonlyMap<string, ProxyRoute>): FoundRoute | undefined {
  let byPath: FoundRoute | undefined;
  const wanted = server.url === undefined ? undefined : cleanRoutePath(server.url);
  for (const [path, route] of routes) {
    if (isMarkerPath(path)) continue;
    const user = route['user'];
    if (typeof user === 'string') {
      const name = typeof route['server_name'] === 'string' ? route['server_name'] : '';
      if (user === server.user && name === server.server) return { path, route };
      continue;
    }
    if (wanted !== undefined && (path === wanted || decoded(path) === decoded(wanted))) byPath = { path, route };
  }
  return byPath;
}

/** The proxy path a server's route has, or would have: from its URL, else `/user/{name}` (`/{server}` for a named one). */
export function expectedRoutePath(server: ReadyServer): string {
  if (server.url !== undefined) return cleanRoutePath(server.url);
  const base = `/user/${encodeURIComponent(server.user)}`;
  return server.server === '' ? base : `${base}/${encodeURIComponent(server.server)}`;
}
