/**
 * The JSON models of JupyterHub 3's REST API, as an admin token (all read scopes, server
 * state included) sees them. Rules: `server` is the URL only while the default server is
 * ready; `servers` lists it while active (ready or pending); timestamps are Python's
 * isoformat with `Z`, null when unknown.
 */
import { userPodName } from '../kubernetes/pods.js';
import { HUB_NAMESPACE, type Hub, type HubUser } from './hub.js';
import { escapePathSegment } from './hub-http.js';
import { pyIso } from './python-format.js';

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : pyIso(ms);
}

/** The URL path of a user's default server. */
export function userUrl(name: string): string {
  return `/user/${escapePathSegment(name)}/`;
}

/** `user_model(user)` for an admin. */
export function userModel(hub: Hub, user: HubUser): Record<string, unknown> {
  const ready = hub.ready(user.name);
  const servers: Record<string, unknown> = {};
  if (hub.active(user.name)) servers[''] = serverModel(hub, user);
  return {
    kind: 'user',
    name: user.name,
    admin: user.admin,
    roles: user.admin ? ['user', 'admin'] : ['user'],
    groups: [],
    server: ready ? userUrl(user.name) : null,
    pending: user.hasSpawner ? hub.pending(user.name) : null,
    created: pyIso(user.created),
    last_activity: iso(user.lastActivity),
    auth_state: null,
    servers,
  };
}

/** `server_model(spawner)` of the default server, with KubeSpawner's state. */
export function serverModel(hub: Hub, user: HubUser): Record<string, unknown> {
  const pod = userPodName(user.name);
  return {
    name: '',
    last_activity: iso(user.server?.lastActivity),
    started: iso(user.server?.started),
    pending: hub.pending(user.name),
    ready: hub.ready(user.name),
    stopped: !hub.active(user.name),
    url: userUrl(user.name),
    user_options: {},
    progress_url: `/hub/api/users/${escapePathSegment(user.name)}/server/progress`,
    state: { pod_name: pod, namespace: HUB_NAMESPACE, dns_name: `${pod}.${HUB_NAMESPACE}.svc.cluster.local` },
  };
}
