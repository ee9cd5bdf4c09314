/**
 * What the jupyterhub target's integration tests need besides the fixture: gameday's
 * settings for the real hub, and an independent view of it — users' servers through the
 * hub's REST API and routes straight from configurable-http-proxy's API, with plain fetch —
 * so what gameday did is checked without gameday's own client.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { makeCtx } from '../../../src/experiments/ctx.js';
import type { Ctx } from '../../../src/targets/types.js';
import type { RealJupyterHub } from './real-jupyterhub.js';

/** Users whose servers these tests start (and stop); never the fixture's own or anyone else's. */
export const TEST_USERS = ['jh-it-alpha', 'jh-it-beta'] as const;
/** The spawn probe's user in these tests. */
export const PROBE_USER = 'jh-it-probe';

/** `targets` for gameday, reading the fixture's token files. */
export function targetSettings(hub: RealJupyterHub): Record<string, unknown> {
  return {
    jupyterhub: {
      url: hub.url,
      token: { file: hub.tokenFile },
      proxyApiUrl: hub.proxyApiUrl,
      proxyToken: { file: hub.proxyTokenFile },
      timeout: '10s',
    },
  };
}

/** A context on the real hub whose log lines are kept for assertions. */
export function hubCtx(hub: RealJupyterHub, runId = `it-${Date.now()}`, signal = new AbortController().signal): { ctx: Ctx; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = winston.createLogger({ level: 'debug', transports: [new winston.transports.Console({ silent: true })] });
  log.on('data', (info: Record<string, unknown>) => lines.push(info));
  return { ctx: makeCtx(runId, log, signal, targetSettings(hub)), lines };
}

export interface ServerModel {
  ready: boolean;
  pending: string | null;
  url: string;
}

/** The user's default server as the hub lists it (undefined: none), or null when the user does not exist. */
export async function serverOf(hub: RealJupyterHub, name: string): Promise<ServerModel | undefined | null> {
  const res = await hub.api('GET', `/users/${name}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (res.status !== 200) throw new Error(`GET /users/${name}: ${res.status} ${await res.text()}`);
  const user = (await res.json()) as { servers: Record<string, ServerModel> };
  return user.servers[''];
}

/** Polls `check` every 100 ms until it returns something truthy; throws after `ms`. */
export async function until<T>(what: string, ms: number, check: () => Promise<T> | T): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Creates the user if needed and starts its server; returns once the hub says it is ready. */
export async function ensureRunning(hub: RealJupyterHub, name: string): Promise<void> {
  const created = await hub.api('POST', `/users/${name}`);
  await created.body?.cancel();
  if (![201, 409].includes(created.status)) throw new Error(`POST /users/${name}: ${created.status}`);
  const current = await serverOf(hub, name);
  if (!current?.ready) {
    const started = await hub.api('POST', `/users/${name}/server`);
    const text = await started.text();
    if (![201, 202, 400].includes(started.status)) throw new Error(`POST /users/${name}/server: ${started.status} ${text}`);
  }
  await until(`${name}'s server ready`, 60_000, async () => (await serverOf(hub, name))?.ready === true);
}

/** Stops the user's server (if any) and waits until the hub lists none. */
export async function ensureStopped(hub: RealJupyterHub, name: string): Promise<void> {
  await until(`${name}'s server stopped`, 60_000, async () => {
    const server = await serverOf(hub, name);
    if (!server) return true;
    if (server.ready) {
      const res = await hub.api('DELETE', `/users/${name}/server`);
      await res.body?.cancel();
    }
    return false;
  });
}

/** The proxy's routing table, straight from its API. */
export async function proxyRoutes(hub: RealJupyterHub): Promise<Record<string, Record<string, unknown>>> {
  const res = await fetch(`${hub.proxyApiUrl}/api/routes`, { headers: { Authorization: `token ${hub.proxyToken}` }, signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`GET ${hub.proxyApiUrl}/api/routes: ${res.status}`);
  return (await res.json()) as Record<string, Record<string, unknown>>;
}

/** A route's data without the proxy's own `last_activity`. */
export function withoutActivity(route: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!route) return undefined;
  const { last_activity: _, ...rest } = route;
  return rest;
}

/** Deletes every gameday marker route a failed test may have left (test hygiene, through the proxy's API). */
export async function removeMarkers(hub: RealJupyterHub): Promise<void> {
  for (const path of Object.keys(await proxyRoutes(hub)).filter((p) => p.startsWith('/_gameday/'))) {
    const res = await fetch(`${hub.proxyApiUrl}/api/routes${path}`, { method: 'DELETE', headers: { Authorization: `token ${hub.proxyToken}` } });
    await res.body?.cancel();
  }
}

/** `GET {url}/user/NAME/api/status` through the proxy with the service token: the status only. */
export async function statusThroughProxy(hub: RealJupyterHub, name: string): Promise<number> {
  const res = await fetch(`${hub.url}/user/${name}/api/status`, { headers: { Authorization: `token ${hub.token}` }, redirect: 'manual', signal: AbortSignal.timeout(5_000) });
  await res.body?.cancel();
  return res.status;
}
