/**
 * `jupyterhub.proxy.routes.delete`: deletes the proxy routes of chosen users' ready
 * servers, as a proxy that lost part of its routing table would; their users are sent to
 * the hub instead of their server. The hub puts a missing route back itself on its route
 * check (every `last_activity_interval`, 5 min by default), which is what this fault lets
 * an experiment observe. Rules: a marker route is added before each deletion (markers.ts);
 * restore never overwrites a route that is back (the hub's re-add wins, and is logged as
 * such), puts back exactly the saved route otherwise — unless the hub says the server no
 * longer runs — and removes the marker last. Every step is idempotent.
 */
import { z } from 'zod';
import { errorMessage, TargetError } from '../../errors.js';
import { globToRegExp } from '../../glob.js';
import { defineFault, type Ctx, type Json, type ProbeResult, type RestorePlan, type TargetRef } from '../types.js';
import { jupyterhubClient, type JupyterHubClient } from './client.js';
import { readyServers, serverLabel } from './common/models.js';
import { routeData, type ProxyApi, type RouteData } from './common/proxy-api.js';
import { expectedRoutePath, routeOf } from './common/routes.js';
import { isMarkerPath, markerData, markerPath, readMarker, type MarkerData } from './markers.js';

const TYPE = 'jupyterhub.proxy.routes.delete';
const KIND = 'jupyterhub.route';

/** `spec.fault.target`: users (globs on the user name) whose ready servers' routes may be deleted. */
export const RoutesDeleteTarget = z.object({ users: z.array(z.string().min(1)).min(1) }).strict();
export type RoutesDeleteTarget = z.infer<typeof RoutesDeleteTarget>;

/** `spec.fault.params`: none. */
export const RoutesDeleteParams = z.object({}).strict();
export type RoutesDeleteParams = z.infer<typeof RoutesDeleteParams>;

/** The undo of one deletion, as the journal holds it. `faultId` is known to plans rebuilt from a marker. */
const RoutesDeletePlan = z
  .object({
    runId: z.string(),
    faultId: z.string().optional(),
    route: z.string().startsWith('/'),
    user: z.string(),
    server: z.string(),
    saved: z.looseObject({ target: z.string().min(1) }),
  })
  .strict();
type RoutesDeletePlan = z.infer<typeof RoutesDeletePlan>;

function readPlan(plan: RestorePlan): RoutesDeletePlan {
  const parsed = RoutesDeletePlan.safeParse(plan.data);
  if (parsed.success) return parsed.data;
  throw new TargetError(`${TYPE}: unreadable restore plan for ${plan.target.id}`, { retryable: false, cause: parsed.error });
}

function toRef(client: JupyterHubClient, user: string, server: string, path: string, target: string, ready: boolean): TargetRef {
  return {
    kind: KIND,
    id: path,
    name: serverLabel(user, server),
    group: client.publicUrl,
    ready,
    attributes: { user, server, route: path, target },
  };
}

/** The markers of this plan's route still in the proxy: its own fault's, else its run's. */
function markersOf(routes: ReadonlyMap<string, unknown>, data: RoutesDeletePlan): MarkerData[] {
  const found: MarkerData[] = [];
  for (const [path, route] of routes) {
    if (!isMarkerPath(path)) continue;
    const marker = readMarker(route);
    if (!marker || marker.route !== data.route) continue;
    if (data.faultId !== undefined ? marker.gameday.faultId === data.faultId : marker.gameday.runId === data.runId) found.push(marker);
  }
  return found;
}

/** Whether the hub still runs the server (false: stopped or gone; undefined: the hub could not be asked). */
async function stillRunning(ctx: Ctx, client: JupyterHubClient, data: RoutesDeletePlan, signal?: AbortSignal): Promise<boolean | undefined> {
  try {
    const user = await client.hub.user(data.user, signal);
    return user !== null && readyServers(user).some((s) => s.server === data.server);
  } catch (err) {
    ctx.log.warn('jupyterhub: cannot ask the hub whether the server still runs', { user: data.user, error: errorMessage(err) });
    return undefined;
  }
}

/** Puts the saved route back (flagging its markers first, so a later look tells this re-add from the hub's). */
async function putBack(proxy: ProxyApi, data: RoutesDeletePlan, markers: MarkerData[]): Promise<void> {
  for (const marker of markers) {
    const flagged = JSON.parse(JSON.stringify({ ...marker, restoring: true })) as RouteData;
    await proxy.addRoute(markerPath(marker.gameday.faultId), flagged);
  }
  await proxy.addRoute(data.route, data.saved as RouteData);
}

/** Marks, then deletes; restore puts back exactly the saved route unless it is back already. */
export const proxyRoutesDelete = defineFault<RoutesDeleteTarget, RoutesDeleteParams>({
  type: TYPE,
  description: 'Delete the proxy routes of chosen users\' servers; restore puts back exactly those routes, unless the hub re-added them first.',
  target: RoutesDeleteTarget,
  params: RoutesDeleteParams,

  async select(ctx, target) {
    const client = jupyterhubClient(ctx);
    const proxy = client.proxy(TYPE);
    const [users, routes] = await Promise.all([client.hub.users('ready', ctx.signal), proxy.routes(ctx.signal)]);
    const globs = target.users.map(globToRegExp);
    const deleted = new Set([...routes.values()].flatMap((r) => readMarker(r)?.route ?? []));
    const refs: TargetRef[] = [];
    for (const server of users.flatMap(readyServers)) {
      if (!globs.some((g) => g.test(server.user))) continue;
      const found = routeOf(server, routes);
      const path = found?.path ?? expectedRoutePath(server);
      refs.push(toRef(client, server.user, server.server, path, found?.route.target ?? '', found !== undefined && !deleted.has(path)));
    }
    return refs.sort((a, b) => a.id.localeCompare(b.id));
  },

  async plan(ctx, ref) {
    const proxy = jupyterhubClient(ctx).proxy(TYPE);
    const route = await proxy.route(ref.id, ctx.signal);
    if (!route) throw new TargetError(`${TYPE}: the proxy has no route ${ref.id} (any more) for ${ref.name}`, { retryable: false });
    const data: Json = { runId: ctx.runId, route: ref.id, user: ref.attributes['user'] ?? ref.name, server: ref.attributes['server'] ?? '', saved: routeData(route) };
    return { type: TYPE, target: ref, data };
  },

  async inject(ctx, ref, _params, marker) {
    const proxy = jupyterhubClient(ctx).proxy(TYPE);
    const mark = markerPath(marker.faultId);
    const route = await proxy.route(ref.id, ctx.signal);
    if (!route) {
      if (await proxy.route(mark, ctx.signal)) return; // injected already
      ctx.log.warn('jupyterhub: the route was gone before the fault deleted it; nothing deleted', { route: ref.id });
      return;
    }
    const user = ref.attributes['user'] ?? ref.name;
    const server = ref.attributes['server'] ?? '';
    await proxy.addRoute(mark, markerData(marker, TYPE, { path: ref.id, user, server, saved: routeData(route) }), ctx.signal);
    await proxy.deleteRoute(ref.id, ctx.signal);
  },

  async restore(ctx, plan) {
    const data = readPlan(plan);
    const client = jupyterhubClient(ctx);
    const proxy = client.proxy(TYPE);
    const routes = await proxy.routes();
    const markers = markersOf(routes, data);
    const current = routes.get(data.route);
    if (current) {
      if (markers.length > 0 && !markers.some((m) => m.restoring === true)) {
        ctx.log.info('jupyterhub: the hub re-added the route itself before restore; left as it is', { route: data.route, user: data.user, target: current.target, savedTarget: data.saved.target });
      }
    } else {
      if (markers.length === 0) {
        ctx.log.warn('jupyterhub: neither the route nor its marker is in the proxy (did the proxy restart and lose its routes?)', { route: data.route, user: data.user });
      }
      const running = await stillRunning(ctx, client, data);
      if (running === false) {
        ctx.log.warn('jupyterhub: the server no longer runs; its old route is not put back', { route: data.route, user: data.user });
      } else {
        await putBack(proxy, data, markers);
        ctx.log.info('jupyterhub: route put back', { route: data.route, user: data.user, target: data.saved.target });
      }
    }
    for (const marker of markers) await proxy.deleteRoute(markerPath(marker.gameday.faultId));
  },

  async verify(ctx, plan): Promise<ProbeResult> {
    const data = readPlan(plan);
    const client = jupyterhubClient(ctx);
    const route = await client.proxy(TYPE).route(data.route, ctx.signal);
    if (route && route.target === data.saved.target) return { ok: true, value: 1, detail: `route ${data.route} → ${route.target}` };
    if (route) return { ok: false, value: 0, detail: `route ${data.route} → ${route.target}, not the saved ${data.saved.target}` };
    if ((await stillRunning(ctx, client, data, ctx.signal)) === false) {
      return { ok: true, value: 0, detail: `route ${data.route} absent, and the server of ${serverLabel(data.user, data.server)} no longer runs` };
    }
    return { ok: false, value: 0, detail: `route ${data.route} missing` };
  },

  async findLeftovers(ctx) {
    if (ctx.settings['jupyterhub'] === undefined) return []; // no hub configured: nothing of ours can be out there
    const client = jupyterhubClient(ctx);
    if (!client.hasProxy) return [];
    const plans: RestorePlan[] = [];
    for (const [path, route] of await client.proxy(TYPE).routes()) {
      const marker = isMarkerPath(path) ? readMarker(route) : undefined;
      if (!marker || marker.gameday.type !== TYPE) continue;
      const { runId, faultId } = marker.gameday;
      const data: Json = { runId, faultId, route: marker.route, user: marker.user, server: marker.server, saved: marker.saved as RouteData };
      plans.push({ type: TYPE, target: toRef(client, marker.user, marker.server, marker.route, marker.saved.target, false), data });
    }
    return plans.sort((a, b) => a.target.id.localeCompare(b.target.id));
  },

  describe(ref) {
    return `delete proxy route ${ref.id} of ${ref.name}${ref.attributes['target'] ? ` (→ ${ref.attributes['target']})` : ''}`;
  },
});
