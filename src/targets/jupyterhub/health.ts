/**
 * `jupyterhub.health`: `GET {url}/hub/health` through the proxy, as a user's browser would
 * reach the hub. Rules: 2xx is healthy; a 5xx is a breach — the proxy (or a load balancer)
 * answered and the hub did not, which is exactly what a hub outage looks like (the proxy's
 * 503 while the hub is dead); no answer at all (refused, reset, timeout) is an error, since
 * then not even the proxy could be asked. Any other status (3xx, 4xx) means the URL does
 * not lead to a hub's health endpoint: a non-retryable error about the settings.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { defineProbe } from '../types.js';
import { jupyterhubClient } from './client.js';
import { statusError } from './errors.js';

/** The probe's keys. */
export const HealthParams = z
  .object({
    /** Slowest acceptable answer: `500ms`, `2s`; slower is a breach. */
    maxLatency: z.string({ error: (issue) => durationMessage(issue.input) }).regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) }).optional(),
  })
  .strict();
export type HealthParams = z.infer<typeof HealthParams>;

/** One health request per check; `value` is the HTTP status. */
export const healthProbe = defineProbe<HealthParams>({
  type: 'jupyterhub.health',
  description: 'GET /hub/health through the proxy: 2xx healthy, 5xx (the proxy answering for a dead hub) a breach.',
  params: HealthParams,
  async check(ctx, p, signal) {
    const answer = await jupyterhubClient(ctx).hub.health(signal);
    const ms = Math.round(answer.ms);
    const fromHub = answer.headers.has('x-jupyterhub-version');
    if (answer.status >= 500) {
      const who = fromHub ? 'the hub answered' : 'the proxy answered, the hub did not';
      return { ok: false, value: answer.status, detail: `${answer.status} in ${ms} ms (${who})` };
    }
    if (answer.status < 200 || answer.status >= 300) {
      const hint = 'is targets.jupyterhub.url the public URL of the hub, with its base path?';
      throw statusError('JupyterHub', 'health', answer.status, answer.status >= 300 && answer.status < 400 ? `redirected to ${answer.headers.get('location') ?? '?'}` : answer.text, hint);
    }
    const max = p.maxLatency === undefined ? undefined : parseDuration(p.maxLatency);
    if (max !== undefined && ms > max) return { ok: false, value: answer.status, detail: `${answer.status} in ${ms} ms (slower than ${p.maxLatency})` };
    return { ok: true, value: answer.status, detail: `${answer.status} in ${ms} ms` };
  },
});
