/**
 * configurable-http-proxy's routing table (its MemoryStore and URL trie), held in the proxy
 * process's memory. Rules, as CHP 4.6 keeps them: a route path is stored with a leading `/`
 * and no trailing one (except `/` itself); a request goes to the route whose path segments
 * are the longest prefix of its own; adding a route replaces the one at that path and stamps
 * its `last_activity`; data is stored as posted (target plus whatever else the client sent).
 */

/** What CHP keeps for one route: the posted data, `target` required, `last_activity` stamped. */
export interface RouteData {
  target: string;
  last_activity: string;
  [key: string]: unknown;
}

/** A request path's route: the matching prefix and its data (a copy). */
export interface RouteMatch {
  prefix: string;
  data: RouteData;
}

/** CHP's `trimPrefix`: a leading `/`, no trailing `/` unless the path is `/`. */
export function cleanRoutePath(path: string): string {
  let clean = path.length === 0 || !path.startsWith('/') ? `/${path}` : path;
  if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
  return clean;
}

/** CHP's `stringToPath`: the segments between the outer slashes (inner empty ones kept). */
function segments(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed.length === 0 ? [] : trimmed.split('/');
}

/** The proxy's routes. Construct empty; the owner stamps times with its clock. */
export class RouteTable {
  private readonly routes = new Map<string, RouteData>();

  /** Adds (or replaces) the route at `path`; `last_activity` is set to `nowIso`. */
  add(path: string, data: Record<string, unknown> & { target: string }, nowIso: string): void {
    const stored = { ...data } as RouteData;
    stored.last_activity = nowIso;
    this.routes.set(cleanRoutePath(path), stored);
  }

  /** The route stored at exactly `path` (a copy), if any. */
  get(path: string): RouteData | undefined {
    const found = this.routes.get(cleanRoutePath(path));
    return found ? { ...found } : undefined;
  }

  /** Removes the route at `path`; returns whether there was one. */
  remove(path: string): boolean {
    return this.routes.delete(cleanRoutePath(path));
  }

  /** Every route, keyed by path, in the order first added (copies), as CHP's JSON object keeps them. */
  all(): Record<string, RouteData> {
    return Object.fromEntries([...this.routes].map(([path, data]) => [path, { ...data }]));
  }

  /** The route a request path goes to: the longest stored prefix, by whole segments. */
  match(requestPath: string): RouteMatch | undefined {
    const wanted = segments(requestPath);
    let best: { prefix: string; length: number } | undefined;
    for (const prefix of this.routes.keys()) {
      const parts = segments(prefix);
      if (parts.length > wanted.length || !parts.every((p, i) => p === wanted[i])) continue;
      if (!best || parts.length > best.length) best = { prefix, length: parts.length };
    }
    const data = best ? this.routes.get(best.prefix) : undefined;
    return best && data ? { prefix: best.prefix, data: { ...data } } : undefined;
  }

  /** Stamps `last_activity` of the route at `prefix` (CHP does after each successful proxied answer). */
  touch(prefix: string, nowIso: string): void {
    const data = this.routes.get(prefix);
    if (data) data.last_activity = nowIso;
  }

  /** Forgets every route (the proxy process ended). */
  clear(): void {
    this.routes.clear();
  }
}
