/**
 * `openstack.servers.active`: how many servers matching a selector are ACTIVE with no task
 * running. Fewer than `min` (default: every matched server) is a breach; a cloud that cannot
 * be reached is an error. Read-only.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { openstackClient } from './client.js';
import { isServerReady, matchingServers } from './common/servers.js';


/** The probe's keys: a server selector (cloud, serverName, metadata) and `min`. */
export const ServersActiveKeys = z
  .object({
    cloud: z.string().min(1).optional(),
    /** `worker-*` or `/regex/` (not `name`, which names the probe itself). */
    serverName: z.string().min(1).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    /** The least number of ACTIVE servers; absent, every matched server must be ACTIVE. */
    min: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((t) => t.serverName !== undefined || t.metadata !== undefined, { message: 'give serverName and/or metadata' });
export type ServersActiveKeys = z.infer<typeof ServersActiveKeys>;

export const serversActive = defineProbe<ServersActiveKeys>({
  type: 'openstack.servers.active',
  description: 'At least `min` (default: all) servers matching the selector are ACTIVE with no task running.',
  params: ServersActiveKeys,
  async check(ctx, params, signal) {
    const client = openstackClient(ctx, params.cloud);
    const servers = await matchingServers(client, { name: params.serverName, metadata: params.metadata }, signal);
    const down = servers.filter((s) => !isServerReady(s)).map((s) => `${s.name} ${s.status}`);
    const active = servers.length - down.length;
    const min = params.min ?? servers.length;
    if (!servers.length) return { ok: false, value: 0, detail: 'no server matched' };
    return { ok: active >= min, value: active, detail: `${active}/${servers.length} ACTIVE (min ${min})${down.length ? `; not: ${down.join(', ')}` : ''}` };
  },
});
