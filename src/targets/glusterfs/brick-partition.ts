/**
 * `glusterfs.brick.partition`: cuts one brick's host off from its peers and clients while
 * everything on it keeps running. Methods:
 * - `iptables` (default): DROP rules on the host itself (every packet but loopback and the
 *   SSH port gameday uses), commented `gameday:<fault id>`, with a host-side time-to-live;
 * - `openstack-security-group`: the host's VM ports moved to gameday's quarantine security
 *   group through the OpenStack target (the exact prior groups restored after).
 * Restore removes exactly those rules (or puts the groups back), waits for the peer to be
 * Connected and the brick online, then launches a heal.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { TargetError } from '../../errors.js';
import { serverIsolate } from '../openstack/server-isolate.js';
import { defineFault, type Ctx, type RestorePlan, type TargetRef } from '../types.js';
import { glusterfsClient, type GlusterfsClient } from './client.js';
import {
  BrickPlan, BrickTarget, WaitDuration, bringBackAndHeal, brickOnline, refBrick, selectBricks, waitMs,
} from './common/bricks.js';
import { stopSleepers } from '../../transport/sleeper.js';
import { datestop, deleteRules, hostNow, insertRules, listRules, startTtl } from './common/firewall.js';
import { leftoverPlans, removeMarkersOf } from './common/leftovers.js';
import { ruleComment, writeMarker } from './markers.js';

const TYPE = 'glusterfs.brick.partition';
const Method = z.enum(['iptables', 'openstack-security-group']);

export const BrickPartitionParams = z
  .object({
    method: Method.default('iptables'),
    /**
     * iptables: how long the rules live on the host if gameday never removes them (they stop
     * matching, and are deleted, after it). Set it above the fault's duration plus recovery.
     */
    ttl: z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
      .refine((t) => (parseDuration(t) ?? 0) >= 60_000, 'expected at least 1m').default('30m'),
    wait: WaitDuration.optional(),
  })
  .strict();
export type BrickPartitionParams = z.infer<typeof BrickPartitionParams>;

const PartitionPlan = BrickPlan.extend({
  method: Method,
  ttlSeconds: z.number().int().positive(),
  sshPort: z.number().int(),
  /** openstack-security-group: the isolation plan of the host's VM. */
  isolation: z.unknown().optional(),
  /** openstack-security-group: the VM's id (marker files carry it instead of the isolation plan). */
  serverId: z.string().optional(),
  /** A plan made from rules found without a marker: delete them, heal if the volume is known. */
  orphan: z.boolean().optional(),
});
type PartitionPlan = z.infer<typeof PartitionPlan>;

/** The host's VM, found by the name (or id) in the host's settings. */
async function hostServer(ctx: Ctx, client: GlusterfsClient, host: string): Promise<TargetRef> {
  const server = client.host(host).server ?? host;
  const cloud = client.settings.openstackCloud;
  const refs = await serverIsolate.select(ctx, { name: server, ...(cloud && { cloud }) }, { method: 'security-groups' });
  const exact = refs.filter((r) => r.name === server || r.id === server);
  if (exact.length !== 1) throw new TargetError(`brick host ${host}: expected one OpenStack server named ${server}, found ${exact.length}`, { retryable: false });
  return exact[0] as TargetRef;
}

/**
 * Refuses an iptables partition whose rules would land on more than the brick's host: one
 * reached by the local transport without a prefix (the rules would cut gameday's own
 * machine), or one sharing its address and port with another configured host.
 */
function refuseSharedNetwork(client: GlusterfsClient, name: string): void {
  const host = client.host(name);
  if ((host.transport ?? client.settings.transport) === 'local' && !host.prefix?.length) {
    throw new TargetError(`brick host ${name} is reached by the local transport without a prefix: iptables rules there would cut gameday's own machine off`, { retryable: false });
  }
  const where = (h: typeof host): string => `${h.address ?? h.name}:${h.port}`;
  const shared = client.settings.hosts.filter((h) => h.name !== name && (h.transport ?? client.settings.transport) === 'ssh' && where(h) === where(host));
  if (shared.length) throw new TargetError(`brick host ${name} is reached at the same address as ${shared.map((h) => h.name).join(', ')}: a partition would cut them too`, { retryable: false });
}

function sshPortOf(client: GlusterfsClient, host: string): number {
  const settings = client.host(host);
  return (settings.transport ?? client.settings.transport) === 'ssh' ? settings.port : 22;
}

/** What undoes a partition of the brick `ref`'s host (the security-group plan is added by `plan`). */
function partitionData(client: GlusterfsClient, ref: TargetRef, params: BrickPartitionParams, runId: string): PartitionPlan {
  const { volume, brick, name } = refBrick(ref);
  return {
    runId, volume, brick: name, host: brick.host, method: params.method, waitMs: waitMs(params.wait),
    ttlSeconds: Math.round((parseDuration(params.ttl) ?? 1_800_000) / 1000), sshPort: sshPortOf(client, brick.host),
  };
}

export const brickPartition = defineFault<BrickTarget, BrickPartitionParams>({
  type: TYPE,
  description: 'Cut one brick host off its peers and clients (iptables DROP rules with a host-side TTL, or the VM quarantined by security group); restore removes exactly that, waits for the peer, and launches a heal.',
  target: BrickTarget,
  params: BrickPartitionParams,
  maxPerGroup: 1,
  select: (ctx, target) => selectBricks(ctx, glusterfsClient(ctx), target),
  async plan(ctx, ref, params): Promise<RestorePlan> {
    const client = glusterfsClient(ctx);
    const { brick } = refBrick(ref);
    if (params.method === 'iptables') refuseSharedNetwork(client, brick.host);
    const data = partitionData(client, ref, params, ctx.runId);
    if (params.method === 'openstack-security-group') {
      const server = await hostServer(ctx, client, brick.host);
      data.isolation = (await serverIsolate.plan(ctx, server, { method: 'security-groups' })) as unknown as PartitionPlan['isolation'];
    }
    return { type: TYPE, target: ref, data: data as unknown as RestorePlan['data'] };
  },
  async inject(ctx, ref, params, marker) {
    const client = glusterfsClient(ctx);
    const { brick, name } = refBrick(ref);
    const transport = client.transport(brick.host);
    const data = partitionData(client, ref, params, marker.runId);
    const { ttlSeconds } = data;
    if (params.method === 'openstack-security-group') {
      const server = await hostServer(ctx, client, brick.host);
      await writeMarker(transport, marker, TYPE, { ...data, serverId: server.id });
      await serverIsolate.inject(ctx, server, { method: 'security-groups' }, marker);
      return;
    }
    await writeMarker(transport, marker, TYPE, data);
    const comment = ruleComment(marker.faultId);
    const now = await hostNow(transport);
    await startTtl(transport, ttlSeconds, comment);
    await insertRules(transport, comment, data.sshPort, datestop(now + ttlSeconds));
    ctx.log.info('brick host partitioned', { host: brick.host, brick: name, rules: comment, ttlSeconds });
  },
  async restore(ctx, plan) {
    const data = PartitionPlan.parse(plan.data);
    const client = glusterfsClient(ctx);
    const transport = client.transport(data.host);
    const faultId = (plan.data as { faultId?: unknown }).faultId;
    if (data.method === 'openstack-security-group') {
      await restoreIsolation(ctx, data);
    } else {
      // the rules of this fault: by its id when known, else every gameday rule of this run on the host
      const comments = typeof faultId === 'string'
        ? [ruleComment(faultId)]
        : [...new Set((await listRules(transport, `gameday:${data.runId ?? ''}`)).flatMap((r) => (r.comment ? [r.comment] : [])))];
      for (const comment of comments) {
        await deleteRules(transport, comment);
        // the sleeper would find nothing left to delete: ending it is tidiness, never a reason to fail the restore
        await stopSleepers(transport, comment).catch((err: unknown) => ctx.log.warn('could not end the rule time-to-live sleeper; it exits by itself at its time', { host: data.host, comment, error: (err as Error).message }));
      }
    }
    if (data.orphan) {
      if (data.volume) await client.onAnyPeer((cli) => cli.triggerHeal(data.volume), { avoid: [data.host] });
      return;
    }
    await bringBackAndHeal(ctx, client, data);
    await removeMarkersOf(transport, data, typeof faultId === 'string' ? faultId : undefined);
  },
  async verify(ctx, plan) {
    const data = PartitionPlan.parse(plan.data);
    const client = glusterfsClient(ctx);
    const { online } = await brickOnline(client, data.volume, ctx.signal);
    const rules = data.method === 'iptables' ? (await listRules(client.transport(data.host), `gameday:${data.runId ?? ''}`)).length : 0;
    const ok = online.get(data.brick) === true && rules === 0;
    return { ok, value: ok, detail: `brick ${data.brick} ${online.get(data.brick) ? 'online' : 'not online'}; ${rules} gameday rule(s) left on ${data.host}` };
  },
  async findLeftovers(ctx) {
    const plans = await leftoverPlans(ctx, TYPE, (data) => PartitionPlan.safeParse(data).success);
    return plans.concat(await orphanRulePlans(ctx, plans));
  },
  describe: (ref, params) => params.method === 'iptables'
    ? `cut brick host ${ref.attributes['host'] ?? ref.name} off (iptables DROP except loopback and SSH, time-to-live ${params.ttl}) — brick ${ref.name}`
    : `quarantine the VM of brick host ${ref.attributes['host'] ?? ref.name} (security groups) — brick ${ref.name}`,
});

/**
 * Puts the VM's ports back: from the isolation plan recorded in the journal, else (a plan
 * rebuilt from a marker file) from the marks the isolation left on the VM and its ports.
 */
async function restoreIsolation(ctx: Ctx, data: PartitionPlan): Promise<void> {
  if (data.isolation) return serverIsolate.restore(ctx, data.isolation as RestorePlan);
  if (!data.serverId || !serverIsolate.findLeftovers) return;
  for (const plan of await serverIsolate.findLeftovers(ctx)) {
    if (plan.target.id === data.serverId) await serverIsolate.restore(ctx, plan);
  }
}

/**
 * gameday rules on a peer that no marker file accounts for (the marker lost, or written by
 * an older gameday): each becomes a plan that deletes that comment's rules and heals.
 */
async function orphanRulePlans(ctx: Ctx, known: RestorePlan[]): Promise<RestorePlan[]> {
  if (ctx.settings['glusterfs'] === undefined) return [];
  const client = glusterfsClient(ctx);
  const covered = new Set(known.map((p) => (p.data as { faultId?: string }).faultId));
  const plans: RestorePlan[] = [];
  for (const host of client.peers()) {
    let rules;
    try {
      rules = await listRules(client.transport(host));
    } catch (err) {
      ctx.log.warn('cannot list firewall rules on a GlusterFS host', { host, error: (err as Error).message });
      continue;
    }
    for (const comment of new Set(rules.flatMap((r) => (r.comment ? [r.comment] : [])))) {
      const faultId = comment.slice('gameday:'.length);
      if (covered.has(faultId)) continue;
      const volume = client.settings.volumes.find((v) => !/[*?]/.test(v)) ?? '';
      if (!volume) {
        ctx.log.warn('gameday rules without a marker on a host, and no plain volume name to heal: deleting them only', { host, comment });
      }
      plans.push({
        type: TYPE,
        target: { kind: 'glusterfs.host', id: host, name: host, ready: false, attributes: { volume } },
        data: { runId: null, faultId, volume, brick: `${host}:/`, host, method: 'iptables', waitMs: 300_000, ttlSeconds: 1, sshPort: sshPortOf(client, host), orphan: true },
      });
    }
  }
  return plans;
}
