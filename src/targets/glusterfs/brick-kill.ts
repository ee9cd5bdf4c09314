/**
 * `glusterfs.brick.kill`: kills the glusterfsd of one brick (SIGKILL), or freezes it
 * (SIGSTOP: the process stays, glusterd still lists it online, clients hang on it until
 * their ping-timeout). Restore: SIGCONT a frozen brick; wait for its peer to be Connected;
 * `volume start VOL force` until the brick is online; launch a heal (a frozen brick is never
 * healed otherwise). A marker file on the brick's host records the fault until it is undone.
 * With `ttl`, a sleeper on the brick's host (tagged `gameday:<fault id>`) is started after
 * the marker and before the signal: at the TTL it continues the frozen brick (same pid and
 * start time only), or runs `gluster volume start VOL force` for a killed one; restore ends
 * it before anything else.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { TargetError } from '../../errors.js';
import { processStartTime, startSleeper, stopSleepers, type SleeperAction } from '../../transport/sleeper.js';
import type { Transport } from '../../transport/types.js';
import { defineFault, type Ctx, type RestorePlan, type TargetRef } from '../types.js';
import { glusterfsClient } from './client.js';
import {
  BrickPlan, BrickTarget, WaitDuration, bringBackAndHeal, brickOnline, refBrick, selectBricks, waitMs,
} from './common/bricks.js';
import { checkVolume } from './common/identifiers.js';
import { signalBrick } from './common/processes.js';
import { leftoverPlans, removeMarkersOf } from './common/leftovers.js';
import { readMarkers, ruleComment, writeMarker } from './markers.js';

const TYPE = 'glusterfs.brick.kill';

export const BrickKillParams = z
  .object({
    /** `KILL` ends the brick process; `STOP` freezes it (the harder case: nothing looks down). */
    signal: z.enum(['KILL', 'STOP']).default('KILL'),
    /** How long a restore waits for the peer, the brick and the heal launch. */
    wait: WaitDuration.optional(),
    /**
     * The dead man's switch (default: none; 30m recommended): a sleeper on the brick's host
     * that, at this time, continues the frozen brick (STOP) or runs `volume start VOL force` (KILL).
     */
    ttl: z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
      .refine((t) => (parseDuration(t) ?? 0) >= 1000, 'expected at least 1s').optional(),
  })
  .strict();
export type BrickKillParams = z.infer<typeof BrickKillParams>;

const KillPlan = BrickPlan.extend({
  signal: z.enum(['KILL', 'STOP']),
  pid: z.number().int().positive(),
  path: z.string(),
  /** The time-to-live of the sleeper started with the fault (absent or null: none). */
  ttlSeconds: z.number().int().positive().nullable().optional(),
});
type KillPlan = z.infer<typeof KillPlan>;

/** What undoes a kill of the brick `ref` whose process is `pid`. */
function killData(ref: TargetRef, params: BrickKillParams, runId: string, pid: number): KillPlan {
  const { volume, brick, name } = refBrick(ref);
  const ttlSeconds = params.ttl === undefined ? null : Math.ceil((parseDuration(params.ttl) ?? 1000) / 1000);
  return { runId, volume, brick: name, host: brick.host, path: brick.path, signal: params.signal, pid, waitMs: waitMs(params.wait), ttlSeconds };
}

/** What the sleeper does at the TTL: continue the very brick process, or respawn killed bricks. */
async function sleeperAction(transport: Transport, data: KillPlan): Promise<SleeperAction> {
  if (data.signal === 'KILL') return { kind: 'run', argv: ['gluster', '--mode=script', '--xml', 'volume', 'start', checkVolume(data.volume), 'force'] };
  const startTime = await processStartTime(transport, data.pid);
  if (startTime === undefined) throw new TargetError(`${data.host}: brick process ${data.pid} is gone; nothing frozen`, { retryable: false });
  return { kind: 'cont', pid: data.pid, startTime };
}

/**
 * Ends this fault's sleepers on the brick's host: by the fault id when the plan knows it,
 * else those of every marker of this type, run and brick (a plan from the journal).
 */
async function endSleepers(ctx: Ctx, transport: Transport, data: KillPlan, faultId: string | undefined): Promise<void> {
  const ids = faultId
    ? [faultId]
    : (await readMarkers(transport, () => undefined)).filter((r) => r.type === TYPE && r.runId === data.runId && r.data['brick'] === data.brick).map((r) => r.faultId);
  for (const id of ids) {
    if (await stopSleepers(transport, ruleComment(id))) ctx.log.info('time-to-live sleeper ended', { host: data.host, faultId: id });
  }
}

export const brickKill = defineFault<BrickTarget, BrickKillParams>({
  type: TYPE,
  description: 'Kill (SIGKILL) or freeze (SIGSTOP) the glusterfsd of one brick; restore resumes or restarts it (volume start force once the peer is connected) and launches a heal.',
  target: BrickTarget,
  params: BrickKillParams,
  maxPerGroup: 1,
  select: (ctx, target) => selectBricks(ctx, glusterfsClient(ctx), target),
  async plan(ctx, ref, params): Promise<RestorePlan> {
    const client = glusterfsClient(ctx);
    const { volume, brick, name } = refBrick(ref);
    const { status } = await brickOnline(client, volume, ctx.signal);
    const entry = status.bricks.find((b) => b.host === brick.host && b.path === brick.path);
    if (!entry?.online || entry.pid === null) throw new TargetError(`brick ${name} is not online with a pid; nothing to ${params.signal === 'KILL' ? 'kill' : 'freeze'}`, { retryable: false });
    return { type: TYPE, target: ref, data: killData(ref, params, ctx.runId, entry.pid) };
  },
  async inject(ctx, ref, params, marker) {
    const client = glusterfsClient(ctx);
    const { volume, brick, name } = refBrick(ref);
    const transport = client.transport(brick.host);
    const { status } = await brickOnline(client, volume, ctx.signal);
    const entry = status.bricks.find((b) => b.host === brick.host && b.path === brick.path);
    if (!entry?.online || entry.pid === null) return; // already down: a repeated inject does nothing
    const data = killData(ref, params, marker.runId, entry.pid);
    await writeMarker(transport, marker, TYPE, data);
    if (data.ttlSeconds) await startSleeper(transport, data.ttlSeconds, ruleComment(marker.faultId), await sleeperAction(transport, data));
    if (!(await signalBrick(transport, entry.pid, brick.path, params.signal))) {
      throw new TargetError(`${brick.host}: pid ${entry.pid} is not the glusterfsd of ${brick.path}; nothing was signalled`, { retryable: false });
    }
    ctx.log.info(`brick ${params.signal === 'KILL' ? 'killed' : 'frozen'}`, { brick: name, pid: entry.pid });
  },
  async restore(ctx, plan) {
    const data = KillPlan.parse(plan.data);
    const client = glusterfsClient(ctx);
    const transport = client.transport(data.host);
    const faultId = (plan.data as { faultId?: unknown }).faultId;
    // the sleeper first: once restore runs, it alone brings the brick back
    await endSleepers(ctx, transport, data, typeof faultId === 'string' ? faultId : undefined);
    if (data.signal === 'STOP') {
      // the frozen process is the planned pid, unless the brick restarted between plan and
      // inject: continue every glusterfsd of this brick seen (CONT on a running one is harmless)
      const pids = new Set([data.pid]);
      try {
        const { status } = await brickOnline(client, data.volume);
        const current = status.bricks.find((b) => `${b.host}:${b.path}` === data.brick)?.pid;
        if (current) pids.add(current);
      } catch (err) {
        ctx.log.warn('cannot read volume status before continuing a frozen brick; continuing the planned pid only', { brick: data.brick, error: (err as Error).message });
      }
      for (const pid of pids) await signalBrick(transport, pid, data.path, 'CONT');
    }
    await bringBackAndHeal(ctx, client, data);
    await removeMarkersOf(transport, data, typeof faultId === 'string' ? faultId : undefined);
  },
  async verify(ctx, plan) {
    const data = KillPlan.parse(plan.data);
    const { online } = await brickOnline(glusterfsClient(ctx), data.volume, ctx.signal);
    const up = online.get(data.brick) === true;
    return { ok: up, value: up, detail: up ? `brick ${data.brick} online` : `brick ${data.brick} not online yet` };
  },
  async findLeftovers(ctx) {
    return leftoverPlans(ctx, TYPE, (data) => KillPlan.safeParse(data).success);
  },
  describe: (ref, params) => `${params.signal === 'KILL' ? 'kill (SIGKILL)' : 'freeze (SIGSTOP)'} the brick process of ${ref.name} (volume ${ref.attributes['volume'] ?? '?'})${params.ttl ? `; time-to-live ${params.ttl} on the host` : ''}`,
});
