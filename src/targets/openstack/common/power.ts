/**
 * The server faults that change a server's power state through one Nova action (stop,
 * reboot, pause, suspend). The order of each inject: mark the server, ask for the action,
 * then read the server until the change is seen (a 202 alone proves nothing). Restore
 * brings the server back to ACTIVE from wherever it is and then removes the marks; it is
 * idempotent and harmless on a server that was never touched.
 */
import type { ZodType } from 'zod';
import { TargetError } from '../../../errors.js';
import { defineFault, type AnyFaultType, type RestorePlan, type TargetRef } from '../../types.js';
import type { Nova, ServerAction } from '../api/nova.js';
import { openstackClient, openstackReachable } from '../client.js';
import { MARK_FAULT, MARK_RUN, MARK_TYPE } from '../markers.js';
import type { Server } from '../types.js';
import {
  DEFAULT_WAIT, ServerPlan, ServerTarget, cloudOf, isServerReady, markServer, planData, restoreToActive,
  selectServers, unmarkServer, waitMs,
} from './servers.js';

export interface PowerFaultSpec<P extends { wait?: string | undefined }> {
  type: string;
  description: string;
  params: ZodType<P>;
  /** What the fault does, for dry runs and reports: `stop`, `hard-reboot`. */
  verb(params: P): string;
  action(params: P): ServerAction;
  /** The status the action leads to and holds; null when the server comes back by itself (reboot). */
  faultedStatus: string | null;
}

/** Polls until the server shows it left its prior state (a status, a task, or a newer `updated`). */
async function confirmStarted(nova: Nova, before: Server, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await nova.getServer(before.id);
    if (!now) throw new TargetError(`server ${before.name} vanished`, { retryable: false, status: 404 });
    if (now.status !== before.status || now['OS-EXT-STS:task_state'] || (now.updated && now.updated !== before.updated)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new TargetError(`server ${before.name}: Nova accepted the action but nothing changed within ${timeoutMs} ms`, { retryable: true });
}

/** A fault type for one power action. */
export function powerFault<P extends { wait?: string | undefined }>(spec: PowerFaultSpec<P>): AnyFaultType {
  return defineFault<ServerTarget, P>({
    type: spec.type,
    description: spec.description,
    target: ServerTarget,
    params: spec.params,
    select: (ctx, target) => selectServers(ctx, target),
    async plan(ctx, ref, params): Promise<RestorePlan> {
      return { type: spec.type, target: ref, data: await planData(ctx, ref, params.wait) };
    },
    async inject(ctx, ref, params, marker) {
      const { nova } = openstackClient(ctx, cloudOf(ref));
      const wait = waitMs(params.wait);
      const server = await nova.getServer(ref.id, ctx.signal);
      if (!server) throw new TargetError(`server ${ref.name} (${ref.id}) no longer exists`, { retryable: false, status: 404 });
      const again = server.metadata[MARK_FAULT] === marker.faultId;
      if (again && (spec.faultedStatus === null || server.status === spec.faultedStatus)) return;
      // only an ACTIVE server is changed: restore brings servers back to ACTIVE, so acting on
      // one someone else stopped or paused would "restore" it into a state it never had
      if (!again && !isServerReady(server)) {
        throw new TargetError(`server ${ref.name} is ${server.status}${server['OS-EXT-STS:task_state'] ? ` (${server['OS-EXT-STS:task_state']})` : ''}, not ACTIVE: not touching it`, { retryable: false, status: 409 });
      }
      await markServer(nova, ref.id, marker, spec.type, ctx.signal);
      // the reference for "something changed" is the server as marked (setting metadata bumps `updated`)
      const marked = (await nova.getServer(ref.id, ctx.signal)) ?? server;
      try {
        await nova.action(ref.id, spec.action(params), ctx.signal);
      } catch (err) {
        // 409: the server is not in a state for this action; fine only if it is already heading our way
        if (!(err instanceof TargetError && err.status === 409)) throw err;
        const now = await nova.getServer(ref.id, ctx.signal);
        if (!now || (now.status !== spec.faultedStatus && !now['OS-EXT-STS:task_state'])) throw err;
      }
      if (spec.faultedStatus === null) await confirmStarted(nova, marked, Math.min(wait, 30_000));
      else await nova.waitForStatus(ref.id, [spec.faultedStatus], { timeoutMs: wait, intervalMs: 500, signal: ctx.signal });
    },
    async restore(ctx, plan) {
      const data = ServerPlan.parse(plan.data);
      const { nova } = openstackClient(ctx, data.cloud ?? undefined);
      const result = await restoreToActive(nova, data.serverId, data.waitMs);
      if (result === 'absent') {
        ctx.log.warn('server to restore no longer exists; nothing to restore', { server: data.name, id: data.serverId });
        return;
      }
      await unmarkServer(nova, data.serverId);
    },
    async verify(ctx, plan) {
      const data = ServerPlan.parse(plan.data);
      const server = await openstackClient(ctx, data.cloud ?? undefined).nova.getServer(data.serverId, ctx.signal);
      if (!server) return { ok: false, value: null, detail: `server ${data.name} no longer exists` };
      const marked = server.metadata[MARK_FAULT] !== undefined;
      return {
        ok: isServerReady(server) && !marked,
        value: server.status,
        detail: `server ${data.name} ${server.status}${server['OS-EXT-STS:task_state'] ? ` (${server['OS-EXT-STS:task_state']})` : ''}${marked ? ', still marked' : ''}`,
      };
    },
    async findLeftovers(ctx) {
      if (!openstackReachable(ctx)) return []; // no cloud configured or found: nothing of ours can be out there
      const client = openstackClient(ctx);
      const servers = await client.nova.listServers({ signal: ctx.signal });
      return servers.filter((s) => s.metadata[MARK_TYPE] === spec.type).map((s) => leftoverPlan(spec.type, s));
    },
    describe: (ref: TargetRef, params: P) => `${spec.verb(params)} server ${ref.name} (${ref.id})`,
  });
}

/** A restore plan rebuilt from a server's marks alone. */
function leftoverPlan(type: string, server: Server): RestorePlan {
  return {
    type,
    target: { kind: 'openstack.server', id: server.id, name: server.name, ready: false, attributes: { status: server.status } },
    data: { serverId: server.id, name: server.name, cloud: null, statusBefore: 'ACTIVE', runId: server.metadata[MARK_RUN] ?? null, waitMs: waitMs(DEFAULT_WAIT) },
  };
}

