/**
 * `openstack.server.isolate`: cuts a server off the network while it keeps running — by
 * replacing its ports' security groups with gameday's quarantine group (no rules: nothing
 * in, nothing out), or by setting its ports admin-down. Each port's prior groups and admin
 * state are recorded in the plan AND in tags on the port before it is changed, so a
 * restore — from the journal or from the marks alone — puts back exactly what was there.
 */
import { z } from 'zod';
import { TargetError } from '../../errors.js';
import { defineFault, type Ctx, type RestorePlan } from '../types.js';
import type { Neutron } from './api/neutron.js';
import { openstackClient, openstackReachable } from './client.js';
import {
  MARK_RUN, MARK_TYPE, QUARANTINE_GROUP, QUARANTINE_TAG, isStateTag, portStateFromTags, portStateTags,
} from './markers.js';
import type { Server } from './types.js';
import {
  DEFAULT_WAIT, ServerPlan, ServerTarget, WaitDuration, cloudOf, markServer, planData, selectServers, unmarkServer, waitMs,
} from './common/servers.js';

const TYPE = 'openstack.server.isolate';

export const ServerIsolateParams = z
  .object({
    /** `security-groups`: quarantine group on every port; `port-down`: admin_state_up false. */
    method: z.enum(['security-groups', 'port-down']).default('security-groups'),
    wait: WaitDuration.optional(),
  })
  .strict();
export type ServerIsolateParams = z.infer<typeof ServerIsolateParams>;

const PortState = z.object({ portId: z.string(), securityGroups: z.array(z.string()), adminStateUp: z.boolean() }).strict();
const IsolatePlan = ServerPlan.extend({ method: z.enum(['security-groups', 'port-down']), ports: z.array(PortState) });
type IsolatePlan = z.infer<typeof IsolatePlan>;

/**
 * gameday's quarantine group: found by name and tag, else created; then emptied of every
 * rule (Neutron gives a new group egress rules) and read back. A group that still has a
 * rule is refused: isolating with it would let traffic through.
 */
async function quarantineGroup(neutron: Neutron, signal?: AbortSignal): Promise<string> {
  const [existing] = await neutron.listSecurityGroups({ name: QUARANTINE_GROUP, tags: [QUARANTINE_TAG], ...(signal && { signal }) });
  const group = existing ?? (await neutron.createSecurityGroup(QUARANTINE_GROUP, 'gameday: isolates a server (no rules)', { tags: [QUARANTINE_TAG], ...(signal && { signal }) }));
  const current = (await neutron.getSecurityGroup(group.id, signal)) ?? group;
  for (const rule of current.security_group_rules) await neutron.deleteSecurityGroupRule(rule.id, signal);
  const emptied = await neutron.getSecurityGroup(group.id, signal);
  if (!emptied || emptied.security_group_rules.length) {
    throw new TargetError(`quarantine security group ${group.id} still has ${emptied?.security_group_rules.length ?? '?'} rule(s) after deleting them; not isolating with it`, { retryable: false });
  }
  return group.id;
}

/**
 * Puts back every port gameday changed: the planned ports and any port of the server that
 * carries gameday's state tags (one attached during the fault was quarantined too). A port
 * without the complete tags was never changed (the tags are written before the change, the
 * admin-state tag last): it is left as it is, only stray tags removed. The plan's record wins
 * over the tags; a port that is gone is skipped.
 */
async function restorePorts(neutron: Neutron, plan: IsolatePlan, ctx: Ctx): Promise<void> {
  const planned = new Map(plan.ports.map((p) => [p.portId, p]));
  const current = await neutron.listPorts({ deviceId: plan.serverId });
  const ids = new Set([...planned.keys(), ...current.filter((p) => p.tags.some(isStateTag)).map((p) => p.id)]);
  for (const id of ids) {
    const port = current.find((p) => p.id === id) ?? (await neutron.getPort(id));
    if (!port) {
      ctx.log.warn('port to restore no longer exists', { port: id, server: plan.name });
      continue;
    }
    const tagged = portStateFromTags(port.tags);
    const state = tagged && (planned.get(id) ?? { portId: id, ...tagged });
    if (state) await neutron.updatePort(id, { security_groups: state.securityGroups, admin_state_up: state.adminStateUp });
    for (const tag of port.tags.filter(isStateTag)) await neutron.removeTag('ports', id, tag);
  }
}

/** Deletes the quarantine group once no port uses it (in use: another isolated server still needs it). */
async function dropQuarantineIfUnused(neutron: Neutron): Promise<void> {
  for (const group of await neutron.listSecurityGroups({ name: QUARANTINE_GROUP, tags: [QUARANTINE_TAG] })) {
    try {
      await neutron.deleteSecurityGroup(group.id);
    } catch (err) {
      if (!(err instanceof TargetError && err.status === 409)) throw err;
    }
  }
}

export const serverIsolate = defineFault<ServerTarget, ServerIsolateParams>({
  type: TYPE,
  description: 'Cut a server off the network (quarantine security group, or ports admin-down); restore puts back the exact prior groups and state.',
  target: ServerTarget,
  params: ServerIsolateParams,
  select: (ctx, target) => selectServers(ctx, target),
  async plan(ctx, ref, params): Promise<RestorePlan> {
    const base = await planData(ctx, ref, params.wait);
    const { neutron } = openstackClient(ctx, cloudOf(ref));
    const ports = await neutron.listPorts({ deviceId: ref.id, signal: ctx.signal });
    if (!ports.length) throw new TargetError(`server ${ref.name} has no port to isolate`, { retryable: false });
    if (params.method === 'security-groups') {
      const unsecured = ports.filter((p) => p.port_security_enabled === false).map((p) => p.id);
      if (unsecured.length) throw new TargetError(`ports ${unsecured.join(', ')} of ${ref.name} have port security off; use method: port-down`, { retryable: false });
    }
    // a port still tagged by an earlier isolation keeps its original state, not the quarantined one
    const portStates = ports.map((p) => ({ portId: p.id, ...(portStateFromTags(p.tags) ?? { securityGroups: p.security_groups, adminStateUp: p.admin_state_up }) }));
    return { type: TYPE, target: ref, data: { ...base, method: params.method, ports: portStates } };
  },
  async inject(ctx, ref, params, marker) {
    const { nova, neutron } = openstackClient(ctx, cloudOf(ref));
    await markServer(nova, ref.id, marker, TYPE, ctx.signal);
    const quarantine = params.method === 'security-groups' ? await quarantineGroup(neutron, ctx.signal) : undefined;
    for (const port of await neutron.listPorts({ deviceId: ref.id, signal: ctx.signal })) {
      if (!portStateFromTags(port.tags)) {
        for (const tag of portStateTags(port.security_groups, port.admin_state_up)) await neutron.addTag('ports', port.id, tag, ctx.signal);
      }
      await neutron.updatePort(port.id, quarantine ? { security_groups: [quarantine] } : { admin_state_up: false }, ctx.signal);
    }
  },
  async restore(ctx, plan) {
    const data = IsolatePlan.parse(plan.data);
    const { nova, neutron } = openstackClient(ctx, data.cloud ?? undefined);
    await restorePorts(neutron, data, ctx);
    const server = await nova.getServer(data.serverId);
    if (server) await unmarkServer(nova, data.serverId);
    await dropQuarantineIfUnused(neutron);
  },
  async verify(ctx, plan) {
    const data = IsolatePlan.parse(plan.data);
    const { neutron } = openstackClient(ctx, data.cloud ?? undefined);
    const wrong: string[] = [];
    for (const state of data.ports) {
      const port = await neutron.getPort(state.portId, ctx.signal);
      if (!port) continue;
      const groups = [...port.security_groups].sort().join(',');
      if (groups !== [...state.securityGroups].sort().join(',') || port.admin_state_up !== state.adminStateUp || port.tags.some(isStateTag)) wrong.push(port.id);
    }
    return {
      ok: wrong.length === 0,
      value: data.ports.length - wrong.length,
      detail: wrong.length ? `ports of ${data.name} not back as recorded: ${wrong.join(', ')}` : `${data.ports.length} port(s) of ${data.name} back as recorded`,
    };
  },
  async findLeftovers(ctx) {
    if (!openstackReachable(ctx)) return []; // no cloud configured or found: nothing of ours can be out there
    const { nova, neutron } = openstackClient(ctx);
    const plans: RestorePlan[] = [];
    for (const server of (await nova.listServers({ signal: ctx.signal })).filter((s) => s.metadata[MARK_TYPE] === TYPE)) {
      const ports = await neutron.listPorts({ deviceId: server.id, signal: ctx.signal });
      plans.push(leftoverPlan(server, ports.flatMap((p) => {
        const state = portStateFromTags(p.tags);
        return state ? [{ portId: p.id, ...state }] : [];
      })));
    }
    return plans;
  },
  describe: (ref, params) => `isolate server ${ref.name} (${ref.id}) by ${params.method === 'port-down' ? 'setting its ports admin-down' : 'quarantining its ports\' security groups'}`,
});

function leftoverPlan(server: Server, ports: IsolatePlan['ports']): RestorePlan {
  const data = {
    serverId: server.id, name: server.name, cloud: null, statusBefore: server.status, runId: server.metadata[MARK_RUN] ?? null,
    waitMs: waitMs(DEFAULT_WAIT), method: 'security-groups' as const, ports,
  };
  return { type: TYPE, target: { kind: 'openstack.server', id: server.id, name: server.name, ready: false, attributes: {} }, data };
}
