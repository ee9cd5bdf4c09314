/**
 * What both brick faults share: the target selector, the GlusterFS-aware preflight (a volume
 * in the allow list, started, redundant, every brick online and nothing left to heal), the
 * refs (grouped by replica set, so the engine never takes two bricks of one set), and the
 * waits of a restore (peer connected again, brick online, heal launched).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../../duration.js';
import { SafetyRefusedError, TargetError, errorMessage } from '../../../errors.js';
import { globToRegExp } from '../../../glob.js';
import type { Ctx, TargetRef } from '../../types.js';
import type { VolumeInfo, VolumeStatus } from '../cli/xml.js';
import type { GlusterfsClient } from '../client.js';
import { VOLUME_PATTERN, parseBrickName, type BrickName } from './identifiers.js';

/** `spec.fault.target` of the brick faults. */
export const BrickTarget = z
  .object({
    /** The volume. Faults act only on volumes listed in `targets.glusterfs.volumes`. */
    volume: z.string().regex(VOLUME_PATTERN, 'expected a GlusterFS volume name'),
    /** Only bricks on hosts matching this glob (`brick-00[1-2]`, `10.0.0.*`). */
    host: z.string().min(1).optional(),
    /** Only this brick, `host:/path` as `gluster volume info` lists it. */
    brick: z.string().regex(/^[^:\s]+:\/\S*$/, 'expected host:/path').optional(),
  })
  .strict();
export type BrickTarget = z.infer<typeof BrickTarget>;

export const WaitDuration = z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) });
export const DEFAULT_WAIT = '5m';
export const waitMs = (text: string | undefined): number => parseDuration(text ?? DEFAULT_WAIT) ?? 300_000;

/** The plan data both faults start from. */
export const BrickPlan = z.object({
  runId: z.string().nullable(),
  volume: z.string(),
  brick: z.string(),
  host: z.string(),
  waitMs: z.number().int().positive(),
});
export type BrickPlan = z.infer<typeof BrickPlan>;

/** Bricks grouped by replica (or disperse) set, in volume order; empty when the volume has no redundancy. */
export function redundancySets(info: VolumeInfo): string[][] {
  const size = info.disperseCount > 0 ? info.disperseCount : info.replicaCount;
  if (size <= 1) return [];
  const sets: string[][] = [];
  for (let i = 0; i < info.bricks.length; i += size) sets.push(info.bricks.slice(i, i + size).map((b) => b.name));
  return sets;
}

/** Of every peer's `volume status`, the one that sees most bricks online (a cut-off peer sees only itself). */
export function bestStatus(views: { host: string; value?: VolumeStatus; error?: string }[]): { status: VolumeStatus; host: string } | undefined {
  let best: { status: VolumeStatus; host: string } | undefined;
  for (const view of views) {
    if (!view.value) continue;
    const online = view.value.bricks.filter((b) => b.online).length;
    if (!best || online > best.status.bricks.filter((b) => b.online).length) best = { status: view.value, host: view.host };
  }
  return best;
}

/** Which bricks are online in the best view; a brick the view does not list counts as offline. */
export async function brickOnline(client: GlusterfsClient, volume: string, signal?: AbortSignal): Promise<{ online: Map<string, boolean>; status: VolumeStatus; unanswered: string[] }> {
  const views = await client.onEveryPeer((cli) => cli.volumeStatus(volume), signal);
  const best = bestStatus(views);
  if (!best) throw new TargetError(`no GlusterFS peer answered volume status ${volume}: ${views.map((v) => `${v.host}: ${v.error ?? '?'}`).join('; ')}`, { retryable: true });
  const online = new Map(best.status.bricks.map((b) => [`${b.host}:${b.path}`, b.online]));
  return { online, status: best.status, unanswered: views.filter((v) => v.error).map((v) => v.host) };
}

function allowed(client: GlusterfsClient, volume: string): boolean {
  return client.settings.volumes.some((glob) => globToRegExp(glob).test(volume));
}

/**
 * Every brick of the volume the target matches, after the volume passed the preflight.
 * Refuses (SafetyRefusedError) a volume not in the allow list, not started, without
 * redundancy, with a brick offline or with entries left to heal.
 */
export async function selectBricks(ctx: Ctx, client: GlusterfsClient, target: BrickTarget): Promise<TargetRef[]> {
  if (!allowed(client, target.volume)) {
    throw new SafetyRefusedError(`volume ${target.volume} is not in targets.glusterfs.volumes (${client.settings.volumes.join(', ') || 'empty'}): gameday never touches it`);
  }
  const info = await client.onAnyPeer((cli) => cli.volumeInfo(target.volume), { signal: ctx.signal });
  if (info.status !== 'Started') throw new SafetyRefusedError(`volume ${info.name} is ${info.status}, not Started`);
  const sets = redundancySets(info);
  if (!sets.length) throw new SafetyRefusedError(`volume ${info.name} (${info.type}) has no replica or disperse set: losing a brick would lose data`);
  const { online, unanswered } = await brickOnline(client, info.name, ctx.signal);
  const offline = info.bricks.filter((b) => !online.get(b.name)).map((b) => b.name);
  if (offline.length) throw new SafetyRefusedError(`volume ${info.name} already has brick(s) offline: ${offline.join(', ')}${unanswered.length ? ` (peers not answering: ${unanswered.join(', ')})` : ''}`);
  const heal = await client.onAnyPeer((cli) => cli.healSummary(info.name), { signal: ctx.signal });
  const unreadable = heal.filter((b) => !b.connected).map((b) => b.name);
  const pending = heal.reduce((sum, b) => sum + (b.total ?? 0), 0);
  if (unreadable.length || pending > 0) {
    throw new SafetyRefusedError(`volume ${info.name} is not fully healed (${pending} entries pending${unreadable.length ? `, unreadable: ${unreadable.join(', ')}` : ''}): a fault now could lose data`);
  }
  const hostGlob = target.host ? globToRegExp(target.host) : undefined;
  const configured = new Set(client.settings.hosts.map((h) => h.name));
  const refs: TargetRef[] = [];
  for (const [k, set] of sets.entries()) {
    for (const name of set) {
      const brick = parseBrickName(name);
      if (target.brick && target.brick !== name) continue;
      if (hostGlob && !hostGlob.test(brick.host)) continue;
      if (!configured.has(brick.host)) {
        ctx.log.warn('brick host is not in targets.glusterfs.hosts; gameday cannot act on it', { brick: name });
        continue;
      }
      refs.push({
        kind: 'glusterfs.brick', id: `${info.name}/${name}`, name, group: `${info.name}/replica-set-${k + 1}`, ready: true,
        attributes: { volume: info.name, host: brick.host, path: brick.path, replicaSet: String(k + 1), volumeType: info.type },
      });
    }
  }
  return refs;
}

/** The brick and volume of a ref made by `selectBricks`. */
export function refBrick(ref: TargetRef): { volume: string; brick: BrickName; name: string } {
  const volume = ref.attributes['volume'];
  if (!volume) throw new TargetError(`ref ${ref.id} has no volume`, { retryable: false });
  return { volume, brick: parseBrickName(ref.name), name: ref.name };
}

/** Polls `check` every `everyMs` until it returns true or `deadlineMs` passes; then throws a retryable error with `what`. */
export async function waitUntil(what: string, deadlineMs: number, check: () => Promise<boolean>, everyMs = 1000): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = '';
  for (;;) {
    try {
      if (await check()) return;
      last = '';
    } catch (err) {
      if (err instanceof TargetError && !err.retryable) throw err;
      last = ` (last error: ${errorMessage(err)})`;
    }
    if (Date.now() + everyMs > end) throw new TargetError(`${what}: not reached within ${Math.round(deadlineMs / 1000)}s${last}`, { retryable: true });
    await sleep(everyMs);
  }
}

/** Whether every other peer sees `host` connected (asked on peers other than `host`). */
export async function peerConnected(client: GlusterfsClient, host: string): Promise<boolean> {
  const others = client.peers().filter((p) => p !== host);
  if (!others.length) return true;
  const peers = await client.onAnyPeer((cli) => cli.peerStatus(), { avoid: [host] });
  const entry = peers.find((p) => p.hostname === host || p.hostnames.includes(host));
  return entry?.connected ?? false;
}

/**
 * The heal-aware end of every brick restore: wait until the brick's host is a connected peer
 * again, `volume start VOL force` until the brick is online (a no-op for a running brick;
 * it silently does nothing while the peer is disconnected, hence the wait), then launch a
 * heal (retried: it fails while a brick is still coming up).
 */
export async function bringBackAndHeal(ctx: Ctx, client: GlusterfsClient, plan: BrickPlan): Promise<void> {
  await waitUntil(`peer ${plan.host} connected again`, plan.waitMs, () => peerConnected(client, plan.host));
  await waitUntil(`brick ${plan.brick} online again`, plan.waitMs, async () => {
    const { online } = await brickOnline(client, plan.volume);
    if (online.get(plan.brick)) return true;
    await client.onAnyPeer((cli) => cli.startForce(plan.volume), { avoid: [plan.host] });
    return false;
  }, 2000);
  await waitUntil(`heal of ${plan.volume} launched`, plan.waitMs, async () => {
    await client.onAnyPeer((cli) => cli.triggerHeal(plan.volume), { avoid: [plan.host] });
    return true;
  }, 2000);
  ctx.log.info('brick back online; heal launched', { volume: plan.volume, brick: plan.brick });
}
