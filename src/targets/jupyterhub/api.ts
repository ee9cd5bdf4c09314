/**
 * `jupyterhub.api`: the REST API answers (its version, optionally at least `minVersion`)
 * and the number of running servers (ready, across every page of `users?state=ready`) stays
 * within bounds: an absolute `minRunning`, and/or `runningServers` against the count before
 * the fault (the engine's baseline). `value` is the count, so the `before` check sets the
 * baseline the later checks compare with. An API that cannot be asked (refused, 5xx, 403)
 * is an error, never a breach.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { jupyterhubClient } from './client.js';
import { BaselineBound, boundBreach } from './common/bounds.js';
import { readyServers } from './common/models.js';

const VERSION = /^\d+(\.\d+){0,2}$/;

/** The probe's keys. */
export const ApiParams = z
  .object({
    /** Oldest acceptable hub version: `3`, `3.1`, `3.1.1`. */
    minVersion: z.string().regex(VERSION, 'expected a version like 3.1 or 3.1.1').optional(),
    /** Fewest running servers acceptable. */
    minRunning: z.number().int().min(0).optional(),
    /** How far the count may move from its value before the fault: `{ maxDrop: 2 }`, `{ within: "10%" }`. */
    runningServers: BaselineBound.optional(),
  })
  .strict();
export type ApiParams = z.infer<typeof ApiParams>;

/** Numeric parts of a version (`3.1.0b1` → [3, 1, 0]); missing parts read as 0. */
export function versionParts(version: string): number[] {
  return version.split('.').slice(0, 3).map((part) => Number(/^\d+/.exec(part)?.[0] ?? 0));
}

/** Whether `version` is at least `min`. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = versionParts(version);
  const b = versionParts(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** Version, then running servers; every missed bound is listed in the detail. */
export const apiProbe = defineProbe<ApiParams>({
  type: 'jupyterhub.api',
  description: 'The REST API answers its version; the count of running servers stays within bounds (absolute, or against the count before the fault).',
  params: ApiParams,
  async check(ctx, p, signal, run) {
    const { hub } = jupyterhubClient(ctx);
    const version = await hub.version(signal);
    const users = await hub.users('ready', signal);
    const running = users.reduce((n, u) => n + readyServers(u).length, 0);
    const breaches: string[] = [];
    if (p.minVersion !== undefined && !versionAtLeast(version, p.minVersion)) breaches.push(`version below ${p.minVersion}`);
    if (p.minRunning !== undefined && running < p.minRunning) breaches.push(`fewer than ${p.minRunning} running`);
    const baseline = run?.baseline;
    if (p.runningServers !== undefined && baseline !== undefined) {
      const why = boundBreach(p.runningServers, running, baseline);
      if (why) breaches.push(why);
    }
    const before = baseline !== undefined && run?.phase !== 'before' ? `, ${baseline} before` : '';
    const detail = `JupyterHub ${version}, ${running} server${running === 1 ? '' : 's'} running${before}` + (breaches.length ? ` (${breaches.join('; ')})` : '');
    return { ok: breaches.length === 0, value: running, detail };
  },
});
