/**
 * The shapes gameday reads from JupyterHub and configurable-http-proxy, holding only the
 * fields that are read (everything else in an answer is dropped). A user's `servers` map
 * needs the `read:servers` scope; without it only the legacy `server` field tells whether
 * the default server runs.
 */
import { z } from 'zod';

/** One server of a user, as `servers[name]` of the user model holds it. */
export const HubServer = z.object({
  name: z.string().default(''),
  ready: z.boolean().default(false),
  pending: z.string().nullable().default(null),
  /** Its URL path through the proxy, base path included: `/user/alice/`. */
  url: z.string().optional(),
});
export type HubServer = z.infer<typeof HubServer>;

/** A user model of `GET /hub/api/users[/name]`. */
export const HubUser = z.object({
  name: z.string().min(1),
  admin: z.boolean().default(false),
  /** The default server's URL while it runs (legacy field, present without read:servers). */
  server: z.string().nullable().default(null),
  pending: z.string().nullable().default(null),
  servers: z.record(z.string(), HubServer).optional(),
});
export type HubUser = z.infer<typeof HubUser>;

/** JupyterHub 3's paginated answer (`Accept: application/jupyterhub-pagination+json`). */
export const UserPage = z.object({
  items: z.array(z.unknown()),
  _pagination: z
    .object({
      offset: z.number().int(),
      limit: z.number().int(),
      total: z.number().int().optional(),
      next: z.object({ offset: z.number().int(), limit: z.number().int() }).nullable().default(null),
    })
    .optional(),
});

/** `GET /hub/api`. */
export const HubInfo = z.object({ version: z.string().min(1) });

/** A route of configurable-http-proxy: its target and whatever data the hub (or gameday) stored with it. */
export const ProxyRoute = z.looseObject({ target: z.string().min(1) });
export type ProxyRoute = z.infer<typeof ProxyRoute>;

/** A server of a user that is ready (not pending anything), with the name it has in routes and selections. */
export interface ReadyServer {
  user: string;
  /** `''` for the default server. */
  server: string;
  /** `alice`, or `alice/gpu` for a named server. */
  label: string;
  /** Its URL path through the proxy (`/user/alice/`), when the hub said. */
  url: string | undefined;
}

/** The label of a user's server: the user name, `user/server` for a named server. */
export function serverLabel(user: string, server: string): string {
  return server === '' ? user : `${user}/${server}`;
}

/**
 * The ready servers of a user: from `servers` when the token may read it, else the default
 * server when the legacy `server` field is set and nothing is pending.
 */
export function readyServers(user: HubUser): ReadyServer[] {
  if (user.servers === undefined) {
    if (user.server === null || user.pending !== null) return [];
    return [{ user: user.name, server: '', label: user.name, url: user.server }];
  }
  return Object.entries(user.servers)
    .filter(([, s]) => s.ready && s.pending === null)
    .map(([key, s]) => ({ user: user.name, server: s.name || key, label: serverLabel(user.name, s.name || key), url: s.url }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The default server of a user model, if the hub lists one (ready or pending). */
export function defaultServer(user: HubUser): HubServer | undefined {
  if (user.servers !== undefined) return user.servers[''];
  if (user.server === null && user.pending === null) return undefined;
  return { name: '', ready: user.server !== null && user.pending === null, pending: user.pending, url: user.server ?? undefined };
}
