import type { Lab, OpenStackChange } from '../../src/lab/index.js';
import { callJson, type Answer } from './helpers.js';

/** The lab's OpenStack base URL (`http://127.0.0.1:PORT`). */
export function openstackBase(lab: Lab): string {
  return lab.endpoints.openstack.replace(/\/identity\/v3$/, '');
}

/** Calls a path of the lab's OpenStack port (`/compute/v2.1/servers`, …) with JSON in and out. */
export async function osCall<T = Record<string, unknown>>(lab: Lab, path: string, init: RequestInit & { json?: unknown; token?: string } = {}): Promise<Answer<T>> {
  const { token, ...rest } = init;
  return callJson<T>(openstackBase(lab) + path, rest, { accept: 'application/json', ...(token ? { 'x-auth-token': token } : {}) });
}

/** A password-auth request body for the lab's user, scoped to project jupytercloud. */
export function passwordAuth(password = 'lab-password'): unknown {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: 'gameday', domain: { name: 'Default' }, password } } },
      scope: { project: { name: 'jupytercloud', domain: { name: 'Default' } } },
    },
  };
}

/** A project-scoped token of the lab's user. */
export async function osToken(lab: Lab): Promise<string> {
  const answer = await osCall(lab, '/identity/v3/auth/tokens', { method: 'POST', json: passwordAuth() });
  const token = answer.headers.get('x-subject-token');
  if (answer.status !== 201 || !token) throw new Error(`no token: ${answer.status} ${JSON.stringify(answer.body)}`);
  return token;
}

/** A Nova server as the API shows it (the fields the tests read). */
export interface NovaServer {
  id: string;
  name: string;
  status: string;
  metadata: Record<string, string>;
  'OS-EXT-STS:task_state': string | null;
  'OS-EXT-STS:vm_state': string;
  'OS-EXT-STS:power_state': number;
  [key: string]: unknown;
}

/** One observed server state, in simulated time. */
export interface Observed {
  status: string;
  task: string | null;
  power: number;
  at: number;
}

/** Records every change of one server (status, task, power state, simulated time) from the world's events. */
export function recordServer(lab: Lab, name: string): Observed[] {
  const seen: Observed[] = [];
  lab.world.openstack.on('change', (change: OpenStackChange) => {
    if (change.kind !== 'server' || change.name !== name) return;
    const server = lab.world.openstack.server(change.id);
    if (server) seen.push({ status: server.status, task: server.taskState, power: server.powerState, at: lab.world.clock.now() });
  });
  return seen;
}

/** Collapses consecutive observations with the same status and task into one `STATUS/task` step. */
export function path(seen: Observed[]): string[] {
  const steps = seen.map((o) => `${o.status}/${o.task ?? '-'}`);
  return steps.filter((s, i) => i === 0 || s !== steps[i - 1]);
}
