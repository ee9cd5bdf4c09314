/**
 * `host.service.stop`: stops one systemd unit (a service, socket or timer) on a configured
 * host over the command transport — the hub's systemd service, glusterd, a proxy. Only an
 * active unit is stopped (one that is not is unavailable already: the preflight leaves it
 * out, and refuses when nothing is left); SSH's own unit is never stopped on a host reached
 * over SSH (restore could not get back in). Order of inject: marker file on the host, then
 * `systemctl stop`. Restore: `systemctl start` (harmless on an active unit), then wait until
 * `systemctl is-active` says active, then the marker goes. With `ttl`, a sleeper on the host
 * is started after the marker and before the stop; at the TTL it runs `systemctl start UNIT`
 * (harmless on an active unit); restore ends it first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { SafetyRefusedError, TargetError } from '../../errors.js';
import { startSleeper } from '../../transport/sleeper.js';
import type { Transport } from '../../transport/types.js';
import { defineFault, type RestorePlan, type TargetRef } from '../types.js';
import { hostClient, type HostClient } from './client.js';
import { UNIT_INPUT_PATTERN, UNIT_MESSAGE, isOtherUnitType, unitName } from './common/identifiers.js';
import { leftoverPlans, removeMarkersOf } from './common/leftovers.js';
import { TtlDuration, endSleepersOf, sleeperTag, ttlSeconds } from './common/ttl.js';
import { activeState, showUnit, unitAction, type UnitState } from './common/systemd.js';
import { hasMarker, writeMarker, type MarkerRecord } from './markers.js';

const TYPE = 'host.service.stop';
const POLL_MS = 500;

/** `spec.fault.target`: a host glob and a unit. */
export const ServiceTarget = z
  .object({
    /** Hosts of `targets.host.hosts` whose name matches this glob. */
    host: z.string().min(1),
    /** The unit: `glusterd` (a service) or `name.service`, `name.socket`, `name.timer`. */
    unit: z.string().regex(UNIT_INPUT_PATTERN, UNIT_MESSAGE).refine((u) => !isOtherUnitType(u), 'only .service, .socket and .timer units are stopped'),
  })
  .strict();
export type ServiceTarget = z.infer<typeof ServiceTarget>;

export const ServiceStopParams = z
  .object({
    /** How long restore waits for the unit to be active again after `systemctl start`. Default 1m. */
    wait: z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) }).optional(),
    /** The dead man's switch (default: none; 30m recommended): a sleeper on the host runs `systemctl start UNIT` at this time. */
    ttl: TtlDuration.optional(),
  })
  .strict();
export type ServiceStopParams = z.infer<typeof ServiceStopParams>;

/** The restore plan: the unit, and what it was before. */
export const ServicePlan = z.object({
  runId: z.string().nullable(),
  host: z.string(),
  unit: z.string(),
  wasActive: z.boolean(),
  /** `systemctl show -p UnitFileState` before the fault (the fault never changes it). */
  enabled: z.string(),
  mainPid: z.number().int().nonnegative(),
  waitMs: z.number().int().positive(),
  /** The time-to-live of the sleeper started with the fault (absent or null: none). */
  ttlSeconds: z.number().int().positive().nullable().optional(),
  /** Set on plans rebuilt from a marker file. */
  faultId: z.string().optional(),
});
export type ServicePlan = z.infer<typeof ServicePlan>;

const SSH_UNITS = new Set(['ssh.service', 'sshd.service', 'ssh.socket', 'sshd.socket']);

function refOf(host: string, unit: string, state: UnitState): TargetRef {
  return {
    kind: 'host.service',
    id: `${host}:${unit}`,
    name: host,
    group: `host.service:${unit}`,
    ready: state.active === 'active',
    attributes: { unit, activeState: state.active, subState: state.sub, unitFileState: state.unitFile, mainPid: String(state.mainPid) },
  };
}

function planData(ref: TargetRef, params: ServiceStopParams, runId: string, state: UnitState): ServicePlan {
  return {
    runId,
    host: ref.name,
    unit: ref.attributes['unit'] ?? '',
    wasActive: state.active === 'active',
    enabled: state.unitFile,
    mainPid: state.mainPid,
    waitMs: parseDuration(params.wait ?? '1m') ?? 60_000,
    ttlSeconds: ttlSeconds(params.ttl),
  };
}

function refuseOwnWayIn(client: HostClient, host: string, unit: string): void {
  if (SSH_UNITS.has(unit) && !client.isLocal(host)) throw new SafetyRefusedError(`${host}: refusing to stop ${unit}: gameday reaches this host over SSH and could not get back in to restore it`);
}

/** Polls `systemctl is-active` until it says active; throws (retryable) with the last state when `waitMs` runs out. */
async function waitActive(transport: Transport, unit: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let state = await activeState(transport, unit);
  while (state !== 'active') {
    if (Date.now() + POLL_MS > deadline) throw new TargetError(`${transport.host}: ${unit} is ${state}, not active, ${waitMs} ms after systemctl start`, { retryable: true });
    await sleep(POLL_MS);
    state = await activeState(transport, unit);
  }
}

function leftoverRef(record: MarkerRecord): TargetRef | undefined {
  const parsed = ServicePlan.safeParse(record.data);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  return { ...refOf(d.host, d.unit, { load: 'loaded', active: 'inactive', sub: 'dead', mainPid: 0, unitFile: d.enabled }), ready: false };
}

export const serviceStop = defineFault<ServiceTarget, ServiceStopParams>({
  type: TYPE,
  description: 'Stop an active systemd unit on a host (systemctl stop); restore starts it and waits until it is active again.',
  target: ServiceTarget,
  params: ServiceStopParams,
  async select(ctx, target) {
    const client = hostClient(ctx);
    const unit = unitName(target.unit);
    const refs: TargetRef[] = [];
    for (const host of client.match(target.host)) {
      refuseOwnWayIn(client, host, unit);
      const state = await showUnit(client.transport(host), unit);
      if (state.load === 'not-found') throw new TargetError(`${host}: there is no unit ${unit}`, { retryable: false });
      refs.push(refOf(host, unit, state));
    }
    return refs;
  },
  async plan(ctx, ref, params): Promise<RestorePlan> {
    const unit = unitName(ref.attributes['unit'] ?? '');
    const state = await showUnit(hostClient(ctx).transport(ref.name), unit);
    if (state.active !== 'active') throw new TargetError(`${ref.name}: ${unit} is ${state.active}, not active: nothing to stop`, { retryable: false });
    return { type: TYPE, target: ref, data: planData(ref, params, ctx.runId, state) };
  },
  async inject(ctx, ref, params, marker) {
    const client = hostClient(ctx);
    const transport = client.transport(ref.name);
    const unit = unitName(ref.attributes['unit'] ?? '');
    refuseOwnWayIn(client, ref.name, unit);
    const state = await showUnit(transport, unit);
    if (state.active !== 'active') {
      if (await hasMarker(transport, client.markerDir, marker.faultId)) return; // this fault already stopped it: a repeated inject does nothing
      throw new TargetError(`${ref.name}: ${unit} is ${state.active}, not active: someone else stopped it; nothing done`, { retryable: false });
    }
    const data = planData(ref, params, marker.runId, state);
    await writeMarker(transport, client.markerDir, marker, TYPE, data);
    if (data.ttlSeconds) await startSleeper(transport, data.ttlSeconds, sleeperTag(marker.faultId), { kind: 'run', argv: ['systemctl', 'start', unit] });
    await unitAction(transport, 'stop', unit);
    const after = await activeState(transport, unit);
    if (after === 'active') throw new TargetError(`${ref.name}: ${unit} is still active after systemctl stop`, { retryable: true });
    ctx.log.info('unit stopped', { host: ref.name, unit, state: after });
  },
  async restore(ctx, plan) {
    const data = ServicePlan.parse(plan.data);
    const client = hostClient(ctx);
    const transport = client.transport(data.host);
    const unit = unitName(data.unit);
    const same = (m: Record<string, unknown>): boolean => m['host'] === data.host && m['unit'] === data.unit;
    // the sleeper first: once restore runs, it alone starts the unit
    await endSleepersOf(ctx, transport, client.markerDir, { type: TYPE, runId: data.runId, faultId: data.faultId }, same);
    if (data.wasActive) {
      await unitAction(transport, 'start', unit);
      await waitActive(transport, unit, data.waitMs);
    }
    await removeMarkersOf(transport, client.markerDir, { type: TYPE, runId: data.runId, faultId: data.faultId }, same);
  },
  async verify(ctx, plan) {
    const data = ServicePlan.parse(plan.data);
    const state = await activeState(hostClient(ctx).transport(data.host), unitName(data.unit));
    return { ok: !data.wasActive || state === 'active', value: state, detail: `${data.unit} on ${data.host} is ${state}` };
  },
  findLeftovers: (ctx) => leftoverPlans(ctx, TYPE, leftoverRef),
  describe: (ref, params) => `stop ${ref.attributes['unit'] ?? '?'} on ${ref.name} (systemctl stop; restore: systemctl start${params.ttl ? `; time-to-live ${params.ttl} on the host` : ''})`,
});
