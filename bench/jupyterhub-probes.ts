/**
 * Latency of each jupyterhub probe type against the real JupyterHub 3.0 and
 * configurable-http-proxy 4.6.3 of scripts/jupyterhub/up.sh (state dir in
 * GAMEDAY_JUPYTERHUB_STATE), with SERVERS (default 2) real single-user servers running:
 * `jupyterhub.health`, `jupyterhub.api` and `jupyterhub.routes` RUNS times each (default 50),
 * `jupyterhub.spawn` SPAWN_RUNS times (default 5; its check latency and its spawn time,
 * the probe's value), and the routes fault's inject + restore pair on one route. Every check
 * runs through the probe module with a fresh client per run, as the engine calls it.
 * Figures only, nothing asserted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import winston from 'winston';
import { makeCtx } from '../src/experiments/ctx.js';
import { jupyterhubClient } from '../src/targets/jupyterhub/client.js';
import { stopAndWait, waitReady } from '../src/targets/jupyterhub/common/servers.js';
import { faultTypes, probeTypes } from '../src/targets/registry.js';
import type { Ctx } from '../src/targets/types.js';
import { machine, printStats } from './stats.js';

const RUNS = Number(process.env['RUNS'] ?? 50);
const SPAWN_RUNS = Number(process.env['SPAWN_RUNS'] ?? 5);
const SERVERS = Number(process.env['SERVERS'] ?? 2);
const FAULT_RUNS = Number(process.env['FAULT_RUNS'] ?? 10);

function fail(message: string): never {
  process.stderr.write(`jupyterhub-probes: ${message}\n`);
  process.exit(2);
}

const raw = process.env['GAMEDAY_JUPYTERHUB_STATE'];
if (!raw) fail('GAMEDAY_JUPYTERHUB_STATE is not set: bring JupyterHub up (bash scripts/jupyterhub/up.sh $PWD/var/jupyterhub) and run with GAMEDAY_JUPYTERHUB_STATE=$PWD/var/jupyterhub');
const state = resolve(raw);
const envFile = join(state, 'env');
if (!existsSync(envFile)) fail(`no ${envFile}: JupyterHub is not up at ${state} (bash scripts/jupyterhub/up.sh ${state})`);
const facts = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').flatMap((line) => {
  const m = /^([A-Z_]+)="?(.*?)"?$/.exec(line.trim());
  return m ? [[m[1], m[2]]] : [];
})) as Record<string, string>;
const need = (key: string): string => facts[key] ?? fail(`${envFile} lacks ${key}`);

const settings = {
  jupyterhub: {
    url: need('HUB_URL'),
    token: { file: need('API_TOKEN_FILE') },
    proxyApiUrl: need('PROXY_API_URL'),
    proxyToken: { file: need('PROXY_TOKEN_FILE') },
  },
};
const log = winston.createLogger({ silent: true });
const ctxFor = (runId: string): Ctx => makeCtx(runId, log, new AbortController().signal, settings);
const hub = jupyterhubClient(ctxFor('bench-setup')).hub;
const users = Array.from({ length: SERVERS }, (_, i) => `bench-user-${i + 1}`);

async function startServers(): Promise<void> {
  for (const name of users) {
    await hub.createUser(name);
    const user = await hub.user(name);
    if (!user?.servers?.['']) await hub.startServer(name);
    const ready = await waitReady(hub, name, Date.now() + 60_000);
    if (ready.kind !== 'ready') fail(`${name}'s server did not become ready (${ready.kind})`);
  }
}

async function timeProbe(type: string, params: Record<string, unknown>, runs: number): Promise<{ ms: number[]; values: number[] }> {
  const probe = probeTypes.get(type) ?? fail(`no probe ${type}`);
  const parsed = probe.params.parse(params);
  const ms: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await probe.check(ctxFor(`bench-${type}-${i}`), parsed, AbortSignal.timeout(120_000), { phase: 'before', baseline: undefined });
    ms.push(performance.now() - t0);
    if (!r.ok) fail(`${type} breached: ${r.detail}`);
    if (typeof r.value === 'number') values.push(r.value);
  }
  return { ms, values };
}

async function timeFault(runs: number): Promise<{ inject: number[]; restore: number[] }> {
  const fault = faultTypes.get('jupyterhub.proxy.routes.delete') ?? fail('no routes fault');
  const inject: number[] = [];
  const restore: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ctx = ctxFor(`bench-fault-${i}`);
    const [ref] = await fault.select(ctx, fault.target.parse({ users: [users[0]] }), {});
    if (!ref) fail(`no route of ${users[0]} to delete`);
    const plan = await fault.plan(ctx, ref, {});
    const t0 = performance.now();
    await fault.inject(ctx, ref, {}, { runId: `bench-fault-${i}`, faultId: `bench-fault-${i}-f1`, experiment: 'bench' });
    const t1 = performance.now();
    await fault.restore(ctx, plan);
    restore.push(performance.now() - t1);
    inject.push(t1 - t0);
  }
  return { inject, restore };
}

try {
  await startServers();
  console.log(`jupyterhub-probes: real JupyterHub at ${settings.jupyterhub.url}, ${SERVERS} bench servers running (besides any others); ${machine()}`);
  const version = await hub.version();
  const running = (await hub.users('ready')).length;
  console.log(`JupyterHub ${version}, ${running} users with a ready server`);
  printStats(`jupyterhub.health (${RUNS} checks)`, (await timeProbe('jupyterhub.health', {}, RUNS)).ms);
  printStats(`jupyterhub.api (${RUNS} checks)`, (await timeProbe('jupyterhub.api', { minVersion: '3' }, RUNS)).ms);
  printStats(`jupyterhub.routes (${RUNS} checks)`, (await timeProbe('jupyterhub.routes', {}, RUNS)).ms);
  const spawn = await timeProbe('jupyterhub.spawn', { user: 'bench-probe', maxSpawnTime: '60s' }, SPAWN_RUNS);
  printStats(`jupyterhub.spawn check, start to stopped (${SPAWN_RUNS})`, spawn.ms, 'ms', 0);
  printStats(`jupyterhub.spawn spawn time (its value)`, spawn.values, 's', 2);
  const fault = await timeFault(FAULT_RUNS);
  printStats(`routes.delete inject (mark + delete, ${FAULT_RUNS})`, fault.inject);
  printStats(`routes.delete restore (${FAULT_RUNS})`, fault.restore);
} finally {
  for (const name of users) await stopAndWait(hub, name, 60_000).catch(() => undefined);
}
