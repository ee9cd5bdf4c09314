/**
 * `jupyterhub.routes`: every server the hub says is ready has a route in the proxy — a
 * ready server without one cannot be reached by its user (the proxy sends them to the
 * hub). `value` is the number of servers without a route; the detail names them. Needs the
 * proxy's API (`proxyApiUrl`, `proxyToken`): without it every check is a non-retryable
 * error saying so.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { jupyterhubClient } from './client.js';
import { readyServers } from './common/models.js';
import { routeOf } from './common/routes.js';

const LISTED = 10;

/** The probe's keys. */
export const RoutesParams = z
  .object({
    /** Ready servers that may lack a route before it is a breach (default 0). */
    maxMissing: z.number().int().min(0).default(0),
  })
  .strict();
export type RoutesParams = z.infer<typeof RoutesParams>;

/** Ready servers from the hub, routes from the proxy, compared. */
export const routesProbe = defineProbe<RoutesParams>({
  type: 'jupyterhub.routes',
  description: 'Every ready user server has a route in the proxy; value = servers without one.',
  params: RoutesParams,
  async check(ctx, p, signal) {
    const client = jupyterhubClient(ctx);
    const proxy = client.proxy('jupyterhub.routes');
    const [users, routes] = await Promise.all([client.hub.users('ready', signal), proxy.routes(signal)]);
    const servers = users.flatMap(readyServers);
    const missing = servers.filter((s) => routeOf(s, routes) === undefined).map((s) => s.label).sort();
    const names = missing.slice(0, LISTED).join(', ') + (missing.length > LISTED ? `, and ${missing.length - LISTED} more` : '');
    const detail = missing.length === 0
      ? `${servers.length} ready server${servers.length === 1 ? '' : 's'}, every one routed`
      : `${missing.length} of ${servers.length} ready servers without a route: ${names}`;
    return { ok: missing.length <= p.maxMissing, value: missing.length, detail };
  },
});
