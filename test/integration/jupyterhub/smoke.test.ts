/**
 * The real JupyterHub fixture works: health through the proxy, the gameday service token
 * (users, metrics), start-hub harmless on a running hub, and a real single-user server
 * spawned, reached through the proxy and stopped — always stopped, even when a check fails.
 * Fails (never skips) when the hub setup is not up.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import test from 'ava';
import { realJupyterHub, type RealJupyterHub } from './real-jupyterhub.js';

const USER = 'smoke-user';

interface ServerModel { ready: boolean; pending: string | null; state?: { pid?: number } }
interface UserModel { name: string; servers: Record<string, ServerModel> }

async function user(hub: RealJupyterHub, name: string): Promise<UserModel> {
  const res = await hub.api('GET', `/users/${name}`);
  if (res.status !== 200) throw new Error(`GET /users/${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as UserModel;
}

/** Polls the user's default server until `done`; throws with its last state after `ms`. */
async function waitServer(hub: RealJupyterHub, what: string, ms: number, done: (s: ServerModel | undefined) => boolean): Promise<ServerModel | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const server = (await user(hub, USER)).servers[''];
    if (done(server)) return server;
    if (Date.now() > deadline) throw new Error(`${USER}'s server not ${what} after ${ms} ms: ${JSON.stringify(server)}`);
    await sleep(100);
  }
}

/** Stops the user's default server if it runs and waits until the hub lists none. */
async function stopServer(hub: RealJupyterHub): Promise<void> {
  const res = await hub.api('DELETE', `/users/${USER}/server`);
  await res.body?.cancel();
  if (![202, 204, 400, 404].includes(res.status)) throw new Error(`DELETE /users/${USER}/server: ${res.status}`);
  await waitServer(hub, 'stopped', 30_000, (s) => s === undefined);
}

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function routes(hub: RealJupyterHub): Promise<Record<string, { target: string }>> {
  const res = await fetch(`${hub.proxyApiUrl}/api/routes`, { headers: { Authorization: `token ${hub.proxyToken}` } });
  if (res.status !== 200) throw new Error(`GET ${hub.proxyApiUrl}/api/routes: ${res.status}`);
  return (await res.json()) as Record<string, { target: string }>;
}

test.serial('the hub answers /hub/health with 200 through the proxy, and its pid file names the live hub', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const res = await fetch(`${hub.url}/hub/health`);
  t.is(res.status, 200);
  const pid = hub.hubPid();
  t.truthy(pid);
  t.is(readFileSync(hub.hubPidFile, 'utf8').trim(), String(pid));
  t.deepEqual(hub.startHub.slice(0, 1), ['bash']);
  t.regex(hub.startHub[1] ?? '', /\/scripts\/jupyterhub\/start-hub\.sh$/);
  t.is(hub.startHub[2], hub.state);
});

test.serial('the gameday service token lists users; without a token the API answers 403', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const res = await hub.api('GET', '/users');
  t.is(res.status, 200);
  t.true(Array.isArray(await res.json()));
  const anonymous = await fetch(`${hub.apiUrl}/users`);
  await anonymous.body?.cancel();
  t.is(anonymous.status, 403);
  const self = await hub.api('GET', '/user');
  t.like(await self.json(), { kind: 'service', name: 'gameday' });
});

test.serial('/hub/metrics needs the token: 403 without it, the jupyterhub_* metrics with it', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const anonymous = await fetch(`${hub.url}/hub/metrics`);
  await anonymous.body?.cancel();
  t.is(anonymous.status, 403);
  const res = await fetch(`${hub.url}/hub/metrics`, { headers: { Authorization: `Bearer ${hub.token}` } });
  t.is(res.status, 200);
  const text = await res.text();
  t.regex(text, /^jupyterhub_total_users \d/m);
  t.regex(text, /^jupyterhub_running_servers \d/m);
});

test.serial('start-hub on a running hub is harmless: same pid, still healthy', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const before = hub.hubPid();
  const [cmd, ...args] = hub.startHub;
  const { stdout } = await promisify(execFile)(cmd!, args, { timeout: 90_000 });
  t.regex(stdout, /hub already running/);
  t.is(hub.hubPid(), before);
  const res = await fetch(`${hub.url}/hub/health`);
  t.is(res.status, 200);
});

test.serial('a server spawned for smoke-user becomes ready, answers through the proxy at /user/smoke-user/api, and is stopped', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const created = await hub.api('POST', `/users/${USER}`);
  await created.body?.cancel();
  t.true([201, 409].includes(created.status), `POST /users/${USER}: ${created.status}`);
  await stopServer(hub); // a previous run's server, if one was left
  let pid: number | undefined;
  try {
    const started = Date.now();
    const spawn = await hub.api('POST', `/users/${USER}/server`);
    await spawn.body?.cancel();
    t.true([201, 202].includes(spawn.status), `POST /users/${USER}/server: ${spawn.status}`);
    const server = await waitServer(hub, 'ready', 30_000, (s) => s?.ready === true);
    t.log(`ready in ${Date.now() - started} ms`);
    pid = server?.state?.pid;
    t.true(pid !== undefined && processAlive(pid), `the server's process (pid ${pid}) runs`);
    t.truthy((await routes(hub))[`/user/${USER}`], 'the hub added the route to the proxy');
    const res = await fetch(`${hub.url}/user/${USER}/api`, { headers: { Authorization: `token ${hub.token}` } });
    t.is(res.status, 200);
    t.regex(((await res.json()) as { version?: string }).version ?? '', /^\d+\.\d+/);
  } finally {
    const stopping = Date.now();
    await stopServer(hub);
    t.log(`stopped in ${Date.now() - stopping} ms`);
  }
  t.falsy((await routes(hub))[`/user/${USER}`], 'the route is gone from the proxy');
  t.false(pid !== undefined && processAlive(pid), `the server's process (pid ${pid}) is gone`);
  const after = await fetch(`${hub.url}/user/${USER}/api`, { headers: { Authorization: `token ${hub.token}` }, redirect: 'manual' });
  await after.body?.cancel();
  t.not(after.status, 200, 'nothing answers for the stopped server');
});
