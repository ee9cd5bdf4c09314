/**
 * How gameday marks what it changed in configurable-http-proxy. A deleted route cannot
 * carry a mark, so the mark is a route of its own, added before the deletion and removed
 * after the restore: `/_gameday/<fault id>`, whose target is the discard port of the
 * proxy's own host (harmless if someone browses it) and whose data records who deleted
 * which route, and the route's full data to put back. Marker routes carry no `jupyterhub`
 * key, so the hub's route check leaves them alone. The proxy keeps routes in memory: a
 * proxy restart loses the routes and the markers together.
 */
import { z } from 'zod';
import type { Json, Marker } from '../types.js';
import { configError } from './errors.js';
import type { RouteData } from './common/proxy-api.js';

/** The prefix of every marker route. */
export const MARKER_PREFIX = '/_gameday/';
/** Where a marker route leads: TCP port 9 (discard) on the proxy's own host. */
export const MARKER_TARGET = 'http://127.0.0.1:9';

const FAULT_ID = /^[A-Za-z0-9._-]{1,180}$/;

/** What a marker route holds besides its target. */
export const MarkerData = z.object({
  target: z.literal(MARKER_TARGET),
  gameday: z.object({ runId: z.string(), faultId: z.string().regex(FAULT_ID), experiment: z.string(), type: z.string() }),
  /** The deleted route's path. */
  route: z.string().startsWith('/'),
  /** The user and server whose route it is. */
  user: z.string(),
  server: z.string(),
  /** The deleted route's full data, target included, as it was before the deletion. */
  saved: z.looseObject({ target: z.string().min(1) }),
  /** Set by restore just before it adds the route back, so a later look can tell its own re-add from the hub's. */
  restoring: z.boolean().optional(),
});
export type MarkerData = z.infer<typeof MarkerData>;

/** Whether a route path is one of gameday's markers. */
export function isMarkerPath(path: string): boolean {
  return path.startsWith(MARKER_PREFIX);
}

/** The marker route of a fault; a fault id with unexpected characters is refused. */
export function markerPath(faultId: string): string {
  if (!FAULT_ID.test(faultId)) throw configError(`refusing fault id ${JSON.stringify(faultId)} in a marker route: unexpected characters`);
  return `${MARKER_PREFIX}${faultId}`;
}

/** The marker route's data for a route about to be deleted. */
export function markerData(marker: Marker, type: string, route: { path: string; user: string; server: string; saved: RouteData }): RouteData {
  const gameday: Json = { runId: marker.runId, faultId: marker.faultId, experiment: marker.experiment, type };
  return { target: MARKER_TARGET, gameday, route: route.path, user: route.user, server: route.server, saved: route.saved };
}

/** The marker's data, or undefined when the route is not a well-formed gameday marker. */
export function readMarker(route: unknown): MarkerData | undefined {
  const parsed = MarkerData.safeParse(route);
  return parsed.success ? parsed.data : undefined;
}
