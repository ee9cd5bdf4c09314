/**
 * The real three-host GlusterFS that .ci/run brings up with scripts/glusterfs/up.sh (hosts
 * 10.231.0.11-13 in network namespaces, each with glusterd and sshd, a replica-3 volume
 * `home` FUSE-mounted on this machine). Its state dir comes from GAMEDAY_GLUSTERFS_STATE; a
 * missing variable or a cluster that is not up is a failure that says how to bring it up,
 * never a skip.
 *
 * Everything the tests check is read independently of gameday's code: the system `ssh`
 * client for the gluster CLI and iptables on the hosts, the brick directories and /run of
 * each host straight from the state dir (up.sh bind-mounts them), /proc for brick processes.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultRow, Journal } from '../../../src/experiments/journal.js';
import type { CliChild } from '../../helpers/cli.js';
import { processState } from '../../helpers/service-state.js';


export const VOLUME = 'home';
export const HOSTS = ['10.231.0.11', '10.231.0.12', '10.231.0.13'] as const;
export type Host = (typeof HOSTS)[number];
export const brickName = (host: Host): string => `${host}:/bricks/${VOLUME}`;

export interface Cluster {
  state: string;
  mount: string;
  key: string;
  knownHosts: string;
  /** The brick directory of a host, as this machine sees it. */
  brickDir(host: Host): string;
  /** gameday's marker directory of a host (its /run/gameday/glusterfs), as this machine sees it. */
  markerDir(host: Host): string;
}

const HOW = (state: string): string =>
  `bring the real GlusterFS up first (bash scripts/glusterfs/up.sh ${state}) and run with GAMEDAY_GLUSTERFS_STATE=${state}, as .ci/run does`;

/** The cluster's facts; throws (never skips) when the variable is unset or the state dir has no running cluster. */
export function requireCluster(): Cluster {
  const raw = process.env['GAMEDAY_GLUSTERFS_STATE'];
  if (!raw) throw new Error(`GAMEDAY_GLUSTERFS_STATE is not set: ${HOW('/tmp/gfs-it')}`);
  const state = resolve(raw);
  const envFile = join(state, 'env');
  if (!existsSync(envFile)) throw new Error(`no ${envFile}: GlusterFS is not up at ${state}; ${HOW(state)}`);
  const facts = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').flatMap((line) => {
    const m = /^([A-Z_]+)="?(.*?)"?$/.exec(line.trim());
    return m ? [[m[1], m[2]]] : [];
  })) as Record<string, string>;
  const mount = facts['GFS_MOUNT'] ?? join(state, 'mnt');
  const mounted = readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mount && l.split(' ')[2] === 'fuse.glusterfs');
  if (!mounted) throw new Error(`${mount} is not a GlusterFS mount: the cluster at ${state} is not up; ${HOW(state)}`);
  return {
    state,
    mount,
    key: facts['GFS_SSH_KEY'] ?? join(state, 'ssh/id_ed25519'),
    knownHosts: facts['GFS_KNOWN_HOSTS'] ?? join(state, 'ssh/known_hosts'),
    brickDir: (host) => join(state, 'hosts', String(HOSTS.indexOf(host) + 1), 'bricks', VOLUME),
    markerDir: (host) => join(state, 'hosts', String(HOSTS.indexOf(host) + 1), 'run/gameday/glusterfs'),
  };
}

export interface Result { code: number | null; stdout: string; stderr: string }

/** Runs a shell command on a host with the system ssh client (host key checked); never throws. */
export function ssh(c: Cluster, host: Host, command: string, timeoutMs = 60_000): Promise<Result> {
  const args = [
    '-q', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${c.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=5', '-i', c.key, `root@${host}`, command,
  ];
  return new Promise((done) => {
    execFile('ssh', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** `gluster --mode=script ARGS` on the first host (of `from`) that answers; throws if none does. */
export async function gluster(c: Cluster, args: string, from: readonly Host[] = HOSTS): Promise<string> {
  const failures: string[] = [];
  for (const host of from) {
    const r = await ssh(c, host, `gluster --mode=script ${args}`);
    if (r.code === 0) return r.stdout;
    failures.push(`${host}: exit ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  }
  throw new Error(`gluster ${args} failed everywhere: ${failures.join('; ')}`);
}

export interface HealSummary {
  total: number;
  bricks: { brick: string; status: string; total: number | null }[];
}

/** `volume heal home info summary` on a peer (skipping `avoid`), summed over the bricks it can read. */
export async function healSummary(c: Cluster, avoid: readonly Host[] = []): Promise<HealSummary> {
  const text = await gluster(c, `volume heal ${VOLUME} info summary`, HOSTS.filter((h) => !avoid.includes(h)));
  const bricks: HealSummary['bricks'] = [];
  for (const block of text.split(/\n(?=Brick )/)) {
    const brick = /^Brick (\S+)/m.exec(block)?.[1];
    if (!brick) continue;
    const status = /^Status: (.*)$/m.exec(block)?.[1]?.trim() ?? '?';
    const total = /^Total Number of entries: (\d+)/m.exec(block)?.[1];
    bricks.push({ brick, status, total: total === undefined ? null : Number(total) });
  }
  return { total: bricks.reduce((s, b) => s + (b.total ?? 0), 0), bricks };
}

export interface BrickStatus { brick: string; online: boolean; pid: number | null }

/** The bricks of `volume status home` as `from` sees them. */
export async function volumeStatus(c: Cluster, from: readonly Host[] = HOSTS): Promise<BrickStatus[]> {
  return (await fullStatus(c, from)).bricks;
}

/** The bricks of `volume status home`, and how many self-heal daemons it lists online. */
async function fullStatus(c: Cluster, from: readonly Host[] = HOSTS): Promise<{ bricks: BrickStatus[]; healDaemons: number }> {
  const text = await gluster(c, `volume status ${VOLUME}`, from);
  const bricks: BrickStatus[] = [];
  for (const line of text.split('\n')) {
    const m = /^Brick (\S+)\s+\S+\s+\S+\s+([YN])\s+(\S+)/.exec(line);
    if (m) bricks.push({ brick: m[1]!, online: m[2] === 'Y', pid: /^\d+$/.test(m[3]!) ? Number(m[3]) : null });
  }
  return { bricks, healDaemons: text.split('\n').filter((l) => /^Self-heal Daemon on .*\sY\s+\d+\s*$/.test(l)).length };
}

/**
 * Kills a brick process by hand (SIGKILL) and waits until it is gone — reaped, not a zombie:
 * glusterd takes a zombie for a running brick, and `volume start force` then does nothing —
 * and until volume status lists it offline.
 */
export async function killBrick(c: Cluster, host: Host): Promise<number> {
  const pid = (await volumeStatus(c)).find((b) => b.brick === brickName(host))?.pid;
  if (!pid) throw new Error(`no pid for brick ${brickName(host)}`);
  process.kill(pid, 'SIGKILL');
  await until(`brick process ${pid} reaped`, 30_000, () => processState(pid) === undefined, 200);
  await until(`brick ${brickName(host)} offline`, 30_000, async () => (await volumeStatus(c)).find((b) => b.brick === brickName(host))?.online === false);
  return pid;
}

/** The peers `from` sees connected. */
export async function connectedPeers(c: Cluster, from: Host): Promise<string[]> {
  const text = await gluster(c, 'peer status', [from]);
  return text.split(/\n\s*\n/).flatMap((block) => {
    const host = /^Hostname: (\S+)/m.exec(block)?.[1];
    return host && /State: .*\(Connected\)/.test(block) ? [host] : [];
  });
}

/** Lines of `iptables -S` on the host that carry a gameday comment. */
export async function gamedayRules(c: Cluster, host: Host): Promise<string[]> {
  const r = await ssh(c, host, 'iptables -w -S');
  if (r.code !== 0) throw new Error(`iptables -S on ${host} failed: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((l) => l.includes('gameday:'));
}

/** Pids of gameday's rule time-to-live sleepers on the host (`setsid sh -c … gameday-ttl SECONDS gameday:ID`). */
export async function ttlSleepers(c: Cluster, host: Host): Promise<string[]> {
  const r = await ssh(c, host, "pgrep -f 'gameday-ttl [0-9]+ gameday:'");
  if (r.code !== 0 && r.code !== 1) throw new Error(`pgrep on ${host} failed: ${r.stderr.trim()}`);
  return r.stdout.split(/\s+/).filter(Boolean);
}

/** gameday's marker files on the host. */
export function markers(c: Cluster, host: Host): string[] {
  try {
    return readdirSync(c.markerDir(host));
  } catch {
    return [];
  }
}

/** Everything that is not as a test should find it (empty: healthy). Asks the hosts in parallel. */
export async function problems(c: Cluster): Promise<string[]> {
  const bricks = async (): Promise<string[]> => {
    const out: string[] = [];
    const { bricks: status, healDaemons } = await fullStatus(c);
    if (status.length !== HOSTS.length) out.push(`volume status lists ${status.length} bricks`);
    if (healDaemons !== HOSTS.length) out.push(`${healDaemons} self-heal daemon(s) online (is cluster.self-heal-daemon off? gluster volume heal ${VOLUME} enable)`);
    for (const b of status) {
      if (!b.online || b.pid === null) out.push(`brick ${b.brick} offline`);
      else if (processState(b.pid) === 'T') out.push(`brick ${b.brick} (pid ${b.pid}) is stopped`);
    }
    return out;
  };
  const host = async (h: Host): Promise<string[]> => {
    const out: string[] = [];
    const [peers, rules] = await Promise.all([connectedPeers(c, h), gamedayRules(c, h)]);
    if (peers.length !== HOSTS.length - 1) out.push(`${h} sees ${peers.length} connected peer(s)`);
    if (rules.length) out.push(`${rules.length} gameday rule(s) on ${h}`);
    const m = markers(c, h);
    if (m.length) out.push(`marker(s) on ${h}: ${m.join(', ')}`);
    return out;
  };
  const parts = await Promise.all([bricks, ...HOSTS.map((h) => () => host(h))].map((check) => check().catch((err: unknown) => [(err as Error).message])));
  const out = parts.flat();
  if (!out.length) {
    try {
      const heal = await healSummary(c);
      const unreadable = heal.bricks.filter((b) => b.status !== 'Connected');
      if (unreadable.length) out.push(`heal info cannot read ${unreadable.map((b) => b.brick).join(', ')}`);
      if (heal.total > 0) out.push(`${heal.total} entries to heal`);
    } catch (err) {
      out.push((err as Error).message);
    }
  }
  return out;
}

/** Thrown by an `until` check to stop waiting at once. */
export class GiveUp extends Error {}

/** Polls `check` until it returns a truthy value; throws naming `what` after `ms` (or at once on GiveUp). */
export async function until<T>(what: string, ms: number, check: () => Promise<T> | T, everyMs = 500): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = '';
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = ` (last error: ${(err as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last}`);
    await sleep(everyMs);
  }
}

/**
 * Waits until every brick is online (and not frozen), every peer connected, no gameday rule
 * or marker is left and nothing is left to heal; launches a heal while entries are pending.
 * Throws with what is still wrong after `ms`.
 */
export async function healthy(c: Cluster, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  let lastHeal = 0;
  for (;;) {
    const wrong = await problems(c);
    if (!wrong.length) return;
    if (Date.now() > deadline) throw new Error(`the GlusterFS at ${c.state} is not healthy after ${ms / 1000} s: ${wrong.join('; ')}`);
    if (Date.now() - lastHeal > 10_000) {
      // a killed brick's zombie can make one `start force` a no-op: ask again now and then
      if (wrong.some((w) => /offline/.test(w))) await gluster(c, `volume start ${VOLUME} force`).catch(() => undefined);
      if (wrong.some((w) => /to heal/.test(w))) await gluster(c, `volume heal ${VOLUME}`).catch(() => undefined);
      if (wrong.some((w) => /offline|to heal/.test(w))) lastHeal = Date.now();
    }
    await sleep(1000);
  }
}

/** The cluster, checked to answer and waited healthy: what every test starts with. */
export async function cluster(): Promise<Cluster> {
  const c = requireCluster();
  try {
    await gluster(c, `volume info ${VOLUME}`);
  } catch (err) {
    throw new Error(`the GlusterFS at ${c.state} does not answer (${(err as Error).message}); ${HOW(c.state)}`);
  }
  await healthy(c);
  return c;
}

/**
 * Puts back what a failed test may have left (for teardowns; a passing test leaves nothing):
 * resumes frozen bricks, deletes gameday rules and markers, restarts offline bricks, heals.
 * Never throws.
 */
export async function repair(c: Cluster): Promise<void> {
  try {
    for (const b of await volumeStatus(c)) if (b.pid !== null && processState(b.pid) === 'T') process.kill(b.pid, 'SIGCONT');
  } catch { /* next step */ }
  await Promise.all(HOSTS.map(async (host) => {
    await ssh(c, host, 'for chain in INPUT OUTPUT; do iptables -w -S "$chain" | grep -F "gameday:" | sed "s/^-A /-D /" | while read -r rule; do eval "iptables -w $rule"; done; done');
    rmSync(c.markerDir(host), { recursive: true, force: true });
  }));
  await until('every peer connected', 30_000, async () => (await connectedPeers(c, HOSTS[0])).length === 2).catch(() => undefined);
  try {
    if ((await volumeStatus(c)).some((b) => !b.online)) await gluster(c, `volume start ${VOLUME} force`);
  } catch { /* the next test's health wait says what is wrong */ }
  await gluster(c, `volume heal ${VOLUME}`).catch(() => undefined);
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Writes `n` files of random content (1-64 KiB, fsynced) into `dir` of the mount; returns name → sha256. */
export async function writeFiles(c: Cluster, dir: string, n: number): Promise<Map<string, string>> {
  await mkdir(join(c.mount, dir), { recursive: true });
  const sums = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const name = `file-${String(i).padStart(3, '0')}`;
    const data = randomBytes(1024 + Math.floor(Math.random() * 63 * 1024));
    const fh = await open(join(c.mount, dir, name), 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    sums.set(name, sha256(data));
  }
  return sums;
}

/** Every file whose content differs from `sums`, read through the mount and on every brick (empty: all intact). */
export async function damagedFiles(c: Cluster, dir: string, sums: ReadonlyMap<string, string>): Promise<string[]> {
  const bad: string[] = [];
  const places = [{ where: 'mount', root: c.mount }, ...HOSTS.map((h) => ({ where: `brick ${h}`, root: c.brickDir(h) }))];
  for (const { where, root } of places) {
    for (const [name, sum] of sums) {
      let got: string;
      try {
        got = sha256(await readFile(join(root, dir, name)));
      } catch (err) {
        bad.push(`${where}: ${dir}/${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        continue;
      }
      if (got !== sum) bad.push(`${where}: ${dir}/${name}: sha256 ${got.slice(0, 12)}…, written ${sum.slice(0, 12)}…`);
    }
  }
  return bad;
}

/** Removes a test directory through the mount; never throws. */
export function removeDir(c: Cluster, dir: string): void {
  try {
    rmSync(join(c.mount, dir), { recursive: true, force: true });
  } catch { /* left for a later run; it does not affect the checks */ }
}

/** Target settings for the real pool: the three peers over the real SSH transport, this machine as the client. */
export function targetSettings(c: Cluster): Record<string, unknown> {
  return {
    hosts: [...HOSTS.map((name) => ({ name })), { name: 'client', role: 'client', transport: 'local' }],
    ssh: { privateKey: { file: c.key }, knownHostsFile: c.knownHosts },
    volumes: [VOLUME],
    commandTimeout: '1m',
  };
}

/** A temp dir with a gameday config (its own store) for the real pool; returns the dir, config and store paths. */
export function gamedayConfig(c: Cluster): { dir: string; config: string; store: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-it-gfs-'));
  const store = join(dir, 'gameday.db');
  const config = join(dir, 'gameday.yaml');
  const s = targetSettings(c);
  writeFileSync(config, [
    `store: { path: ${store} }`,
    'log: { format: json }',
    'safety: { maxUnavailable: 1 }',
    'restore: { attempts: 3, initialDelay: 500ms, maxDelay: 5s }',
    'targets:',
    '  glusterfs:',
    '    hosts:',
    ...HOSTS.map((h) => `      - { name: ${h} }`),
    '      - { name: client, role: client, transport: local }',
    `    ssh: { privateKey: { file: ${c.key} }, knownHostsFile: ${c.knownHosts} }`,
    `    volumes: [${VOLUME}]`,
    `    commandTimeout: ${String(s['commandTimeout'])}`,
    '',
  ].join('\n'));
  return { dir, config, store };
}

export interface ExperimentOptions {
  name: string;
  type: 'glusterfs.brick.kill' | 'glusterfs.brick.partition';
  host: Host;
  params: Record<string, string>;
  duration: string;
  /** Include the mount read/write probe (before, during, after). */
  io?: boolean;
}

/** Writes an experiment on one brick of `home` into `dir`; returns its path. */
export function experimentFile(c: Cluster, dir: string, o: ExperimentOptions): string {
  const file = join(dir, `${o.name}.yaml`);
  const params = Object.entries(o.params).map(([k, v]) => `${k}: ${v}`).join(', ');
  writeFileSync(file, `apiVersion: gameday/v1
kind: Experiment
metadata: { name: ${o.name} }
spec:
  fault:
    type: ${o.type}
    target: { volume: ${VOLUME}, brick: "${brickName(o.host)}", count: 1 }
    duration: ${o.duration}
    params: { ${params} }
  steadyState:
    interval: 2s
    probes:
      - { name: bricks-online, type: glusterfs.volume.status, volume: ${VOLUME}, phases: [before] }
      - { name: nothing-to-heal, type: glusterfs.heal.pending, volume: ${VOLUME}, max: 0, timeout: 30s, phases: [before, after] }
${o.io ? `      - { name: home-read-write, type: glusterfs.mount.io, host: client, path: ${c.mount}, maxLatency: 15s, timeout: 30s, phases: [before, during, after] }\n` : ''}  recovery:
    within: 3m
`);
  return file;
}

/** Waits for the run's fault row to be `injected`; fails at once (with the output) if the run ends first. */
export async function injected(run: CliChild, journal: Journal, ms = 90_000): Promise<FaultRow> {
  return until(`the fault injected: ${run.output()}`, ms, () => {
    if (run.child.exitCode !== null) throw new GiveUp(`the run exited ${run.child.exitCode} before injecting: ${run.output()}`);
    return journal.unrestoredFaults().find((f) => f.status === 'injected');
  }, 100);
}

/** Waits until heal info reads every brick and finds nothing to heal; returns how long that took. */
export async function healedToZero(c: Cluster, ms = 120_000): Promise<number> {
  const start = Date.now();
  await until('heal info total 0 on every brick', ms, async () => {
    const heal = await healSummary(c);
    return heal.total === 0 && heal.bricks.length === HOSTS.length && heal.bricks.every((b) => b.status === 'Connected');
  }, 1000);
  return Date.now() - start;
}

/**
 * The start of every drill: a healthy cluster, a directory of the mount for its files, a
 * gameday config and store in a temp dir — each removed in the test's teardown (teardowns
 * run last-registered first, so the temp dir goes after the journal is closed).
 */
export async function drillSetup(t: { teardown(fn: () => unknown): void }, name: string): Promise<{ c: Cluster; dir: string; tmp: string; config: string; store: string }> {
  const c = await cluster();
  const dir = `it-${name}-${Date.now()}`;
  t.teardown(async () => {
    await repair(c);
    removeDir(c, dir);
  });
  const { dir: tmp, config, store } = gamedayConfig(c);
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  return { c, dir, tmp, config, store };
}
