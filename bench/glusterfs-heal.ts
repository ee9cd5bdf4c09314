/**
 * Time to heal on the real three-host GlusterFS of scripts/glusterfs/up.sh (state dir in
 * GAMEDAY_GLUSTERFS_STATE): each brick fault — partition (iptables), kill (KILL), kill (STOP)
 * — BENCH_RUNS times (default 3) on brick 10.231.0.13:/bricks/home of the volume `home`,
 * through the fault modules and the real SSH transport, with FILES (default 50) files written
 * through the FUSE mount while the fault holds. Measured: the fault's restore call, and the
 * time from restore complete to heal complete (`volume heal home info summary` total 0, every
 * brick readable, polled back to back). Then the gluster commands through the SSH transport
 * (one connection per host, reused): CMD_RUNS (default 20) of each. Figures only.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { makeCtx } from '../src/experiments/ctx.js';
import { glusterfsClient } from '../src/targets/glusterfs/client.js';
import { brickOnline } from '../src/targets/glusterfs/common/bricks.js';
import { faultTypes } from '../src/targets/registry.js';
import type { Ctx, RestorePlan } from '../src/targets/types.js';
import { machine, printStats } from './stats.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const FILES = Number(process.env['FILES'] ?? 50);
const CMD_RUNS = Number(process.env['CMD_RUNS'] ?? 20);
const VOLUME = 'home';
const HOSTS = ['10.231.0.11', '10.231.0.12', '10.231.0.13'];
const BRICK = '10.231.0.13:/bricks/home';

function fail(message: string): never {
  process.stderr.write(`glusterfs-heal: ${message}\n`);
  process.exit(2);
}

const raw = process.env['GAMEDAY_GLUSTERFS_STATE'];
if (!raw) fail('GAMEDAY_GLUSTERFS_STATE is not set: bring the real GlusterFS up (bash scripts/glusterfs/up.sh /tmp/gfs-bench) and run with GAMEDAY_GLUSTERFS_STATE=/tmp/gfs-bench');
const state = resolve(raw);
if (!existsSync(join(state, 'env'))) fail(`no ${join(state, 'env')}: GlusterFS is not up at ${state} (bash scripts/glusterfs/up.sh ${state})`);
const facts = Object.fromEntries(readFileSync(join(state, 'env'), 'utf8').split('\n').flatMap((line) => {
  const m = /^([A-Z_]+)="?(.*?)"?$/.exec(line.trim());
  return m ? [[m[1], m[2]]] : [];
})) as Record<string, string>;
const mount = facts['GFS_MOUNT'] ?? join(state, 'mnt');
if (!readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mount && l.split(' ')[2] === 'fuse.glusterfs')) {
  fail(`${mount} is not a GlusterFS mount: the cluster at ${state} is not up (bash scripts/glusterfs/up.sh ${state})`);
}

const settings = {
  glusterfs: {
    hosts: [...HOSTS.map((name) => ({ name })), { name: 'client', role: 'client', transport: 'local' }],
    ssh: { privateKey: { file: facts['GFS_SSH_KEY'] ?? join(state, 'ssh/id_ed25519') }, knownHostsFile: facts['GFS_KNOWN_HOSTS'] ?? join(state, 'ssh/known_hosts') },
    volumes: [VOLUME],
  },
};
const log = winston.createLogger({ silent: true });
const clients = new Map<string, unknown>();
const ctxFor = (runId: string): Ctx => makeCtx(runId, log, new AbortController().signal, settings, clients);
const base = ctxFor('bench');
const client = glusterfsClient(base);

async function heal(): Promise<{ total: number; readable: boolean }> {
  const bricks = await client.onAnyPeer((cli) => cli.healSummary(VOLUME));
  return { total: bricks.reduce((s, b) => s + (b.total ?? 0), 0), readable: bricks.length === HOSTS.length && bricks.every((b) => b.connected) };
}

/** Every brick online and nothing to heal (launching a heal every 10 s while waiting). */
async function healthy(ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  let kicked = Date.now();
  for (;;) {
    try {
      const { online } = await brickOnline(client, VOLUME);
      const h = await heal();
      if ([...online.values()].every(Boolean) && online.size === HOSTS.length && h.readable && h.total === 0) return;
      if (Date.now() - kicked > 10_000) {
        kicked = Date.now();
        await client.onAnyPeer((cli) => cli.triggerHeal(VOLUME)).catch(() => undefined);
      }
    } catch { /* retried until the deadline */ }
    if (Date.now() > deadline) fail(`the volume is not healthy (bricks online, heal 0) after ${ms / 1000} s`);
    await sleep(500);
  }
}

async function writeFiles(dir: string, n: number): Promise<void> {
  await mkdir(join(mount, dir), { recursive: true });
  for (let i = 0; i < n; i++) {
    const fh = await open(join(mount, dir, `file-${i}`), 'w');
    try {
      await fh.writeFile(randomBytes(1024 + Math.floor(Math.random() * 63 * 1024)));
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

const faults = [
  { label: 'partition (iptables)', type: 'glusterfs.brick.partition', params: { method: 'iptables', ttl: '10m' } },
  { label: 'kill (KILL)', type: 'glusterfs.brick.kill', params: { signal: 'KILL' } },
  { label: 'kill (STOP)', type: 'glusterfs.brick.kill', params: { signal: 'STOP' } },
] as const;

const results: { label: string; restore: number[]; heal: number[]; pending: number[] }[] = [];
const started = Date.now();
try {
  for (const f of faults) {
    const fault = faultTypes.get(f.type)!;
    const params = fault.params.parse(f.params);
    const r = { label: f.label, restore: [] as number[], heal: [] as number[], pending: [] as number[] };
    results.push(r);
    for (let i = 0; i < RUNS; i++) {
      await healthy();
      const runId = `bench-${f.type.split('.').pop()}-${Date.now()}`;
      const ctx = ctxFor(runId);
      const [ref] = await fault.select(ctx, fault.target.parse({ volume: VOLUME, brick: BRICK }), params);
      if (!ref) fail(`${f.type} selected nothing for ${BRICK}`);
      const plan: RestorePlan = await fault.plan(ctx, ref, params);
      const dir = `bench-${runId}`;
      let restored = false;
      try {
        await fault.inject(ctx, ref, params, { runId, faultId: `${runId}-f1`, experiment: 'bench-glusterfs-heal' });
        await writeFiles(dir, FILES);
        r.pending.push((await client.onAnyPeer((cli) => cli.healSummary(VOLUME), { avoid: ['10.231.0.13'] })).reduce((s, b) => s + (b.total ?? 0), 0));
        const t0 = performance.now();
        await fault.restore(ctx, plan);
        restored = true;
        const t1 = performance.now();
        r.restore.push(t1 - t0);
        for (;;) {
          const h = await heal().catch(() => ({ total: -1, readable: false }));
          if (h.readable && h.total === 0) break;
          if (performance.now() - t1 > 600_000) fail(`${f.label}: not healed 10 min after restore`);
        }
        r.heal.push(performance.now() - t1);
      } finally {
        if (!restored) await fault.restore(ctx, plan).catch((err: unknown) => process.stderr.write(`restore after a failure failed: ${String(err)}\n`));
        rmSync(join(mount, dir), { recursive: true, force: true });
      }
    }
  }
  await healthy();

  const commands = [
    { label: 'gluster volume info home', run: () => client.gluster(HOSTS[0]!).volumeInfo(VOLUME) },
    { label: 'gluster volume status home', run: () => client.gluster(HOSTS[0]!).volumeStatus(VOLUME) },
    { label: 'gluster volume heal home info summary', run: () => client.gluster(HOSTS[0]!).healSummary(VOLUME) },
    { label: 'gluster peer status', run: () => client.gluster(HOSTS[0]!).peerStatus() },
  ];
  await commands[0]!.run(); // the connection is opened here, not measured
  const times = new Map<string, number[]>();
  for (const cmd of commands) {
    const samples: number[] = [];
    for (let i = 0; i < CMD_RUNS; i++) {
      const t0 = performance.now();
      await cmd.run();
      samples.push(performance.now() - t0);
    }
    times.set(cmd.label, samples);
  }

  console.log(`glusterfs-heal: replica 3 volume ${VOLUME} (3 hosts in network namespaces, GlusterFS 10.3, ping-timeout 5 s, heal-timeout 10 s), brick ${BRICK}, ${RUNS} runs per fault, ${FILES} files written during each fault; ${machine()}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const r of results) {
    printStats(`${r.label}: restore call`, r.restore, 'ms', 0);
    printStats(`${r.label}: restore done → heal 0`, r.heal, 'ms', 0);
    printStats(`${r.label}: entries at restore`, r.pending, 'entries', 0);
  }
  console.log(`gluster commands through the SSH transport on ${HOSTS[0]} (connection reused), ${CMD_RUNS} runs each:`);
  for (const [label, samples] of times) printStats(label, samples, 'ms', 1);
} finally {
  client.close();
}
