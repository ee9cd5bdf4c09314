/**
 * `host.process.kill`: sends SIGKILL, SIGTERM or SIGSTOP to one process on a configured host
 * — a hub, a proxy, a database run by docker-compose or systemd on a plain VM. The process
 * is named by a pidfile or by its exact command line; it is known from then on by its pid
 * and start time, compared again right before the signal, so a reused pid is never hit.
 * Order of inject: marker file on the host, then the signal. Restore: SIGCONT to a stopped
 * process (if it is still the same one); if the process is not running (by pidfile or
 * command line), the restart command — never when it runs, so two restores start one copy;
 * then the health URL until it answers; then the marker goes. A crash between any two steps
 * leaves the marker, and restoring again is harmless. With `ttl`, a sleeper on the host is
 * started after the marker and before the signal: at the TTL it continues the frozen process
 * (same pid and start time only), or runs the restart command if the process is not running;
 * restore ends it first.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { SafetyRefusedError, TargetError } from '../../errors.js';
import { startSleeper, type SleeperAction } from '../../transport/sleeper.js';
import type { Transport } from '../../transport/types.js';
import { defineFault, type Ctx, type RestorePlan, type TargetRef } from '../types.js';
import { hostClient, type HostClient } from './client.js';
import { safeUrl } from '../transport-errors.js';
import { HealthCheck, HealthPlan, askHealth, healthPlan, waitHealthy } from './common/health.js';
import { COMMAND_MESSAGE, COMMAND_PATTERN, PATH_MESSAGE, PATH_PATTERN, WORD_MESSAGE, WORD_PATTERN, checkWord, exactRegex } from './common/identifiers.js';
import { leftoverPlans, removeMarkersOf } from './common/leftovers.js';
import { TtlDuration, endSleepersOf, sleeperTag, ttlSeconds } from './common/ttl.js';
import {
  commandLine, describeSelector, findProcesses, readProcess, signalProcess, type ProcessIdentity, type ProcessSelector,
} from './common/processes.js';
import { hasMarker, writeMarker, type MarkerRecord } from './markers.js';

const TYPE = 'host.process.kill';

/** `spec.fault.target`: a host glob and exactly one of a pidfile and a command line. */
export const ProcessTarget = z
  .object({
    /** Hosts of `targets.host.hosts` whose name matches this glob (`hub-*`, `localhost`). */
    host: z.string().min(1),
    /** The process whose pid this file holds (`/run/jupyterhub.pid`). */
    pidfile: z.string().regex(PATH_PATTERN, PATH_MESSAGE).optional(),
    /** The process whose command line is exactly this (as `ps -o args` shows it; never a substring). */
    command: z.string().regex(COMMAND_PATTERN, COMMAND_MESSAGE).optional(),
  })
  .strict()
  .refine((t) => (t.pidfile === undefined) !== (t.command === undefined), { message: 'give exactly one of pidfile and command', path: ['pidfile'] });
export type ProcessTarget = z.infer<typeof ProcessTarget>;

const Wait = z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) });

export const ProcessKillParams = z
  .object({
    /** `KILL` (default) ends it at once; `TERM` asks it to stop; `STOP` freezes it (it stays, answering nobody). */
    signal: z.enum(['KILL', 'TERM', 'STOP']).default('KILL'),
    /**
     * How restore starts the process again when it is not running: a command (argument words,
     * no shell) run on the same host through the same transport. It must return once the
     * process is started (a daemon detached from its output), within `timeout` (default: the
     * host's commandTimeout); it is never run while the process runs.
     */
    restart: z.object({ command: z.array(z.string().regex(WORD_PATTERN, WORD_MESSAGE)).min(1), timeout: Wait.optional() }).strict().optional(),
    /** A URL restore waits for after the process runs again, asked from gameday's machine. */
    health: HealthCheck.optional(),
    /**
     * The dead man's switch (default: none; 30m recommended): a sleeper on the host that, at
     * this time, continues a frozen process (STOP) or runs `restart.command` if the process is
     * not running (KILL, TERM — which then need a restart command).
     */
    ttl: TtlDuration.optional(),
  })
  .strict()
  .refine((p) => p.ttl === undefined || p.signal === 'STOP' || p.restart !== undefined, { message: 'with KILL or TERM, a ttl needs restart.command (what the sleeper runs at the TTL)', path: ['ttl'] });
export type ProcessKillParams = z.infer<typeof ProcessKillParams>;

/** The restore plan: where, which process exactly, what was sent, and how to bring it back. */
export const KillPlan = z.object({
  runId: z.string().nullable(),
  host: z.string(),
  pidfile: z.string().nullable(),
  command: z.string().nullable(),
  pid: z.number().int().positive(),
  startTime: z.number().int().nonnegative(),
  cmdline: z.array(z.string()),
  signal: z.enum(['KILL', 'TERM', 'STOP']),
  restart: z.array(z.string()).nullable(),
  restartTimeoutMs: z.number().int().positive().nullable(),
  health: HealthPlan.nullable(),
  /** The time-to-live of the sleeper started with the fault (absent or null: none). */
  ttlSeconds: z.number().int().positive().nullable().optional(),
  /** Set on plans rebuilt from a marker file. */
  faultId: z.string().optional(),
});
export type KillPlan = z.infer<typeof KillPlan>;

function selectorOf(t: { pidfile?: string | null | undefined; command?: string | null | undefined }): ProcessSelector {
  if (t.pidfile) return { pidfile: t.pidfile };
  if (t.command) return { command: t.command };
  throw new TargetError('a process target needs a pidfile or a command', { retryable: false });
}

/** Never signalled: init (pid 1), and gameday itself when it runs on the host. */
function refuseProtected(client: HostClient, host: string, pid: number): void {
  if (pid === 1) throw new SafetyRefusedError(`${host}: refusing to signal pid 1 (init)`);
  if (client.isLocal(host) && pid === process.pid) throw new SafetyRefusedError(`${host}: refusing to signal gameday's own process (pid ${pid})`);
}

function refOf(host: string, sel: ProcessSelector, found: ProcessIdentity | undefined): TargetRef {
  const what = sel.pidfile ?? sel.command;
  return {
    kind: 'host.process',
    id: `${host}:${what}`,
    name: host,
    group: `host.process:${what}`,
    // a process frozen by SIGSTOP is there but unavailable
    ready: found !== undefined && found.state !== 'T' && found.state !== 't',
    attributes: {
      ...(sel.pidfile !== undefined ? { pidfile: sel.pidfile } : { command: sel.command }),
      pid: found ? String(found.pid) : '',
      startTime: found ? String(found.startTime) : '',
      cmdline: found ? commandLine(found.argv) : '',
    },
  };
}

/** The process the ref was selected with, as pid and start time. */
function selected(ref: TargetRef): { pid: number; startTime: number } {
  const pid = Number(ref.attributes['pid']);
  const startTime = Number(ref.attributes['startTime']);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !Number.isSafeInteger(startTime)) {
    throw new TargetError(`${ref.name}: no process ${ref.attributes['pidfile'] ? `in pidfile ${ref.attributes['pidfile']}` : `running ${ref.attributes['command'] ?? '?'}`}; nothing to signal`, { retryable: false });
  }
  return { pid, startTime };
}

function planData(client: HostClient, ref: TargetRef, params: ProcessKillParams, runId: string, found: ProcessIdentity): KillPlan {
  const timeout = params.restart?.timeout ?? client.settings.commandTimeout;
  return {
    runId,
    host: ref.name,
    pidfile: ref.attributes['pidfile'] ?? null,
    command: ref.attributes['command'] ?? null,
    pid: found.pid,
    startTime: found.startTime,
    cmdline: found.argv,
    signal: params.signal,
    restart: params.restart?.command ?? null,
    restartTimeoutMs: params.restart ? (parseDuration(timeout) ?? 60_000) : null,
    health: params.health ? healthPlan(params.health) : null,
    ttlSeconds: ttlSeconds(params.ttl),
  };
}

/** What the fault's sleeper does at the TTL: continue the very process, or run the restart command unless the process runs. */
function sleeperAction(data: KillPlan): SleeperAction | undefined {
  if (data.signal === 'STOP') return { kind: 'cont', pid: data.pid, startTime: data.startTime };
  if (!data.restart) return undefined;
  const argv = data.restart.map(checkWord);
  if (data.pidfile !== null) return { kind: 'run-unless-pidfile', pidfile: data.pidfile, argv };
  return { kind: 'run-unless-command', regex: exactRegex(data.command ?? commandLine(data.cmdline)), argv };
}

/** Whether the planned process, or a new one it was restarted as, runs now (a pidfile's process must run the planned command line). */
async function runningNow(transport: Transport, data: KillPlan): Promise<ProcessIdentity | undefined> {
  const found = await findProcesses(transport, selectorOf(data));
  if (data.pidfile === null) return found[0];
  const planned = commandLine(data.cmdline);
  return found.find((p) => (p.pid === data.pid && p.startTime === data.startTime) || commandLine(p.argv) === planned);
}

/** Starts the process again unless it runs; throws (retryable) when it does not run afterwards. */
async function ensureRunning(ctx: Ctx, transport: Transport, data: KillPlan): Promise<void> {
  if (await runningNow(transport, data)) return;
  const what = `${describeSelector(selectorOf(data))} on ${data.host}`;
  if (!data.restart) {
    throw new TargetError(`${what} is not running and the fault has no restart command; start it by hand (gameday recover then finishes the restore)`, { retryable: true });
  }
  const argv = data.restart.map(checkWord);
  const result = await transport.run(argv, data.restartTimeoutMs === null ? {} : { timeoutMs: data.restartTimeoutMs });
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout).trim().slice(-500);
    throw new TargetError(`${data.host}: restart command ${argv[0] ?? ''} failed (exit ${result.code ?? result.signal ?? '?'})${output ? `: ${output}` : ''}`, { retryable: true });
  }
  const now = await runningNow(transport, data);
  if (!now) throw new TargetError(`${data.host}: the restart command returned but ${what} is not running`, { retryable: true });
  ctx.log.info('process restarted', { host: data.host, pid: now.pid, ms: Math.round(result.ms) });
}

function sameProcess(data: KillPlan): (marker: Record<string, unknown>) => boolean {
  return (m) => m['host'] === data.host && m['pidfile'] === data.pidfile && m['command'] === data.command;
}

function leftoverRef(record: MarkerRecord): TargetRef | undefined {
  const parsed = KillPlan.safeParse(record.data);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  const ref = refOf(d.host, selectorOf(d), { pid: d.pid, startTime: d.startTime, state: '?', argv: d.cmdline });
  return { ...ref, ready: false };
}

export const processKill = defineFault<ProcessTarget, ProcessKillParams>({
  type: TYPE,
  description: 'Kill (SIGKILL/SIGTERM) or freeze (SIGSTOP) one process on a host, named by pidfile or exact command line; restore continues it, or runs the restart command if it is not running, then waits for the health URL.',
  target: ProcessTarget,
  params: ProcessKillParams,
  async select(ctx, target) {
    const client = hostClient(ctx);
    const sel = selectorOf(target);
    const refs: TargetRef[] = [];
    for (const host of client.match(target.host)) {
      const found = await findProcesses(client.transport(host), sel);
      if (found.length > 1) {
        throw new SafetyRefusedError(`${host}: ${found.length} processes run exactly ${JSON.stringify(sel.command)} (pids ${found.map((p) => p.pid).join(', ')}); name the one to hit with a pidfile`);
      }
      if (found[0]) refuseProtected(client, host, found[0].pid);
      refs.push(refOf(host, sel, found[0]));
    }
    return refs;
  },
  async plan(ctx, ref, params): Promise<RestorePlan> {
    const client = hostClient(ctx);
    const expected = selected(ref);
    const now = await readProcess(client.transport(ref.name), expected.pid);
    if (!now || now.startTime !== expected.startTime) {
      throw new TargetError(`${ref.name}: process ${expected.pid} ${now ? 'was replaced by another process with the same pid' : 'exited'} since it was selected; nothing planned`, { retryable: false });
    }
    return { type: TYPE, target: ref, data: planData(client, ref, params, ctx.runId, now) };
  },
  async inject(ctx, ref, params, marker) {
    const client = hostClient(ctx);
    const transport = client.transport(ref.name);
    const expected = selected(ref);
    const now = await readProcess(transport, expected.pid);
    if (!now || now.startTime !== expected.startTime) {
      if (await hasMarker(transport, client.markerDir, marker.faultId)) return; // this fault already ended it: a repeated inject does nothing
      throw new TargetError(`${ref.name}: process ${expected.pid} ${now ? 'was replaced by another process with the same pid' : 'exited'} before the signal; nothing was signalled`, { retryable: false });
    }
    refuseProtected(client, ref.name, now.pid);
    const data = planData(client, ref, params, marker.runId, now);
    await writeMarker(transport, client.markerDir, marker, TYPE, data);
    const action = sleeperAction(data);
    if (data.ttlSeconds && action) await startSleeper(transport, data.ttlSeconds, sleeperTag(marker.faultId), action);
    const outcome = await signalProcess(transport, expected, params.signal);
    if (outcome !== 'sent') {
      throw new TargetError(`${ref.name}: process ${expected.pid} ${outcome === 'changed' ? 'was replaced by another process with the same pid' : 'exited'} right before the signal; nothing was signalled`, { retryable: false });
    }
    ctx.log.info('process signalled', { host: ref.name, pid: expected.pid, signal: params.signal });
  },
  async restore(ctx, plan) {
    const data = KillPlan.parse(plan.data);
    const client = hostClient(ctx);
    const transport = client.transport(data.host);
    // the sleeper first: once restore runs, nothing else may continue or restart the process
    await endSleepersOf(ctx, transport, client.markerDir, { type: TYPE, runId: data.runId, faultId: data.faultId }, sameProcess(data));
    if (data.signal === 'STOP') {
      const outcome = await signalProcess(transport, data, 'CONT');
      if (outcome === 'changed') ctx.log.warn('the frozen process is gone and its pid belongs to another process now; not continued', { host: data.host, pid: data.pid });
    }
    await ensureRunning(ctx, transport, data);
    if (data.health) {
      const ms = await waitHealthy(data.health);
      ctx.log.info('health URL answers again', { url: safeUrl(data.health.url), ms });
    }
    await removeMarkersOf(transport, client.markerDir, { type: TYPE, runId: data.runId, faultId: data.faultId }, sameProcess(data));
  },
  async verify(ctx, plan) {
    const data = KillPlan.parse(plan.data);
    const running = await runningNow(hostClient(ctx).transport(data.host), data);
    const what = `${describeSelector(selectorOf(data))} on ${data.host}`;
    if (!running) return { ok: false, value: null, detail: `${what} is not running` };
    if (running.state === 'T' || running.state === 't') return { ok: false, value: running.pid, detail: `${what} (pid ${running.pid}) is stopped` };
    if (!data.health) return { ok: true, value: running.pid, detail: `${what} runs (pid ${running.pid})` };
    const answer = await askHealth(data.health.url, 5_000);
    const healthy = 'status' in answer && data.health.expectStatus.includes(answer.status);
    const seen = 'status' in answer ? `status ${answer.status}` : answer.error;
    return { ok: healthy, value: running.pid, detail: `${what} runs (pid ${running.pid}); ${safeUrl(data.health.url)}: ${seen}` };
  },
  findLeftovers: (ctx) => leftoverPlans(ctx, TYPE, leftoverRef),
  describe: (ref, params) => {
    const verb = { KILL: 'kill (SIGKILL)', TERM: 'terminate (SIGTERM)', STOP: 'freeze (SIGSTOP)' }[params.signal];
    const what = ref.attributes['pidfile'] ? `pidfile ${ref.attributes['pidfile']}` : `command ${JSON.stringify(ref.attributes['command'] ?? '')}`;
    const ttl = params.ttl ? `; time-to-live ${params.ttl} on the host` : '';
    return `${verb} process ${ref.attributes['pid'] || '?'} (${what}) on ${ref.name}${params.restart ? `; restore runs ${params.restart.command.join(' ')} if it is not running` : ''}${ttl}`;
  },
});
