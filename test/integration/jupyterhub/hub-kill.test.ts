/**
 * `host.process.kill` on the REAL hub (scripts/jupyterhub/up.sh: configurable-http-proxy in
 * front of JupyterHub 3.0, run as plain processes like a hub on a VM), through the real CLI:
 * the hub process is SIGKILLed by its pidfile while the `jupyterhub.health` probe runs every
 * second; the breach (the proxy's 503) is recorded within one interval plus the probe's
 * timeout, the run aborts, and the restore — the fixture's start command — brings a new hub
 * up that adopts the single-user server that kept running meanwhile. Nothing of gameday is
 * left on the machine; the hub is always left up. Fails (never skips) without the hub setup.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Journal } from '../../../src/experiments/journal.js';
import { gameday } from '../../helpers/cli.js';
import { ensureRunning, ensureStopped, statusThroughProxy, targetSettings } from './hub-state.js';
import { realJupyterHub, type RealJupyterHub } from './real-jupyterhub.js';

const USER = 'host-kill-user';
const INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;

let hub: RealJupyterHub | undefined;
test.after.always(async () => {
  if (!hub) return;
  await hub.ensureHubUp();
  await ensureStopped(hub, USER);
});

/** The pid of the user's default server process, as the hub's spawner recorded it. */
async function serverPid(h: RealJupyterHub): Promise<number | undefined> {
  const res = await h.api('GET', `/users/${USER}`);
  if (res.status !== 200) throw new Error(`GET /users/${USER}: ${res.status}`);
  const user = (await res.json()) as { servers: Record<string, { ready: boolean; state?: { pid?: number } }> };
  return user.servers['']?.ready ? user.servers['']?.state?.pid : undefined;
}

/** Whether the process runs: it exists and is not a zombie (an orphan here can take ~1.2 s to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('SIGKILL of the hub by its pidfile: breach within one interval, run aborted, hub restarted by the restore with the user server adopted', async (t) => {
  const h = await realJupyterHub();
  hub = h;
  await h.ensureHubUp();
  await ensureRunning(h, USER);
  const userPid = await serverPid(h);
  t.truthy(userPid, 'the user server runs before the fault');
  const hubBefore = h.hubPid();
  t.truthy(hubBefore);

  const dir = mkdtempSync(join(tmpdir(), 'gameday-hub-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const markerDir = join(dir, 'markers');
  const store = join(dir, 'gameday.db');
  const config = join(dir, 'gameday.yaml');
  writeFileSync(config, [
    `store: { path: ${store} }`,
    'log: { level: info, format: json }',
    'restore: { attempts: 4, initialDelay: 500ms, maxDelay: 5s }',
    'targets:',
    `  host: ${JSON.stringify({ transport: 'local', hosts: [{ name: 'localhost' }], markerDir, commandTimeout: '2m' })}`,
    `  jupyterhub: ${JSON.stringify(targetSettings(h)['jupyterhub'])}`,
    '',
  ].join('\n'));
  const experiment = join(dir, 'kill-hub.yaml');
  writeFileSync(experiment, JSON.stringify({
    apiVersion: 'gameday/v1',
    kind: 'Experiment',
    metadata: { name: 'kill-real-hub' },
    spec: {
      fault: {
        type: 'host.process.kill',
        target: { host: 'localhost', pidfile: h.hubPidFile },
        duration: '1m',
        params: { signal: 'KILL', restart: { command: h.startHub, timeout: '90s' }, health: { url: `${h.url}/hub/health`, timeout: '60s' } },
      },
      steadyState: {
        interval: `${INTERVAL_MS}ms`,
        timeout: `${PROBE_TIMEOUT_MS}ms`,
        probes: [{ name: 'hub-health', type: 'jupyterhub.health', phases: ['before', 'during', 'after'] }],
      },
      recovery: { within: '2m' },
    },
  }));

  const started = Date.now();
  const run = gameday(['run', experiment, '--config', config]);
  t.is(await run.exited, 1, run.output());
  t.log(`run took ${Date.now() - started} ms`);

  const journal = Journal.open(store);
  t.teardown(() => journal.close());
  const [record] = journal.listRuns();
  t.is(record?.outcome, 'aborted', record?.reason ?? '');
  t.regex(record?.reason ?? '', /breach during the fault: hub-health breach: 503/);
  const detail = journal.getRun(record!.id)!;
  const [fault] = detail.faults;
  t.is(fault?.status, 'restored');
  t.like(fault?.plan.data, { pid: hubBefore, signal: 'KILL', pidfile: h.hubPidFile });
  const breach = detail.probes.find((p) => p.phase === 'during' && p.status === 'breach');
  t.truthy(breach, 'a during check recorded the breach');
  const seenMs = (breach?.at ?? Infinity) - (fault?.injectedAt ?? 0);
  t.log(`breach recorded ${seenMs} ms after the kill (${breach?.detail ?? ''}); bound ${INTERVAL_MS + PROBE_TIMEOUT_MS} ms`);
  t.true(seenMs <= INTERVAL_MS + PROBE_TIMEOUT_MS, `breach ${seenMs} ms after the kill`);
  t.true(detail.probes.some((p) => p.phase === 'after' && p.status === 'ok'), 'the hub was healthy after the restore');
  t.true(detail.probes.filter((p) => p.phase === 'during').every((p) => p.status !== 'error'), 'the proxy answered every check: breaches, not errors');

  const hubAfter = h.hubPid();
  t.truthy(hubAfter, 'a hub runs after the restore');
  t.not(hubAfter, hubBefore, 'it is a new hub process');
  t.false(alive(hubBefore!), 'the killed hub is gone');
  const health = await fetch(`${h.url}/hub/health`);
  await health.body?.cancel();
  t.is(health.status, 200);
  t.is(await serverPid(h), userPid, 'the new hub adopted the user server that kept running');
  t.true(alive(userPid!));
  t.is(await statusThroughProxy(h, USER), 200, 'the user server still answers through the proxy');
  t.deepEqual(readdirSync(markerDir), [], 'no marker left');
});
