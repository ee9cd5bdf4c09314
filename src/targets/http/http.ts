/**
 * `http`: one HTTP request, judged by its status, its body and its latency. An answer
 * that misses any bound is a breach (a 503 is a breach, not an error); no answer at all
 * (refused, DNS, timeout) is an error. Redirects are not followed (a 3xx is the answer),
 * so secret headers from the settings go only to the named endpoints they were configured
 * for, and are never shown in details or errors.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../../duration.js';
import { errorMessage, TargetError } from '../../errors.js';
import { resolveSecret, type SecretRef } from '../../secrets.js';
import { defineProbe, type Ctx } from '../types.js';
import { safeUrl } from '../transport-errors.js';
import { httpError } from './errors.js';
import { HttpSettings } from './settings.js';

const Status = z.number().int().min(100).max(599);

/** Milliseconds of a duration already checked against the shared pattern. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new TypeError(`not a duration: ${text}`);
  return ms;
}

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** The probe's keys. Exactly one of `url` and `endpoint`; `path` only with `endpoint`; no `bodyMatch` with HEAD. */
export const HttpProbeParams = z
  .object({
    url: z.url({ protocol: /^https?$/ }).optional(),
    endpoint: z.string().min(1).optional(),
    path: z.string().startsWith('/').optional(),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    /** Accepted statuses; absent: any 2xx. */
    status: z.union([Status, z.array(Status).min(1)]).optional(),
    /** A regular expression the body must match. */
    bodyMatch: z.string().refine(isRegex, 'not a valid regular expression').optional(),
    /** Slowest acceptable answer, body included: `500ms`, `2s`. */
    maxLatency: z.string().regex(DURATION_PATTERN, 'expected a duration like 500ms or 2s').optional(),
    /** Extra request headers; not secret (they are shown in records). */
    headers: z.record(z.string().min(1), z.string()).optional(),
  })
  .strict()
  .superRefine((p, issues) => {
    if ((p.url === undefined) === (p.endpoint === undefined)) {
      issues.addIssue({ code: 'custom', message: 'give exactly one of url and endpoint', path: ['url'] });
    }
    if (p.path !== undefined && p.endpoint === undefined) {
      issues.addIssue({ code: 'custom', message: 'path needs an endpoint', path: ['path'] });
    }
    if (p.bodyMatch !== undefined && p.method === 'HEAD') {
      issues.addIssue({ code: 'custom', message: 'a HEAD answer has no body to match', path: ['bodyMatch'] });
    }
  });
export type HttpProbeParams = z.infer<typeof HttpProbeParams>;

function readSettings(ctx: Ctx): HttpSettings {
  const parsed = HttpSettings.safeParse(ctx.settings['http'] ?? {});
  if (parsed.success) return parsed.data;
  throw new TargetError('invalid targets.http settings', { retryable: false, cause: parsed.error });
}

/** The value of one secret header (registered for redaction by resolveSecret); its errors name the reference, never a value. */
function secretValue(header: string, ref: SecretRef): string {
  try {
    return resolveSecret(ref);
  } catch (err) {
    throw new TargetError(`header ${header}: ${errorMessage(err)}`, { retryable: false, cause: err });
  }
}

/** The URL to ask and the headers to send; secret headers only for a named endpoint. */
function resolveRequest(settings: HttpSettings, p: HttpProbeParams): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { ...p.headers };
  if (p.url !== undefined) return { url: p.url, headers };
  const name = p.endpoint ?? '';
  const base = settings.endpoints?.[name];
  if (base === undefined) throw new TargetError(`no endpoint "${name}" in targets.http.endpoints`, { retryable: false });
  for (const [header, ref] of Object.entries(settings.headers ?? {})) headers[header] = secretValue(header, ref);
  return { url: base.replace(/\/+$/, '') + (p.path ?? ''), headers };
}

function statusOk(status: number, expected: HttpProbeParams['status']): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

/** One request per check; a breach is any missed bound, an error is no answer at all. */
export const httpProbe = defineProbe<HttpProbeParams>({
  type: 'http',
  description: 'One HTTP request: status, body and latency within bounds.',
  params: HttpProbeParams,
  async check(ctx, p, signal) {
    const { url, headers } = resolveRequest(readSettings(ctx), p);
    const start = performance.now();
    let status: number;
    let body = '';
    try {
      const res = await fetch(url, { method: p.method, headers, signal, redirect: 'manual' });
      status = res.status;
      if (p.method !== 'HEAD') body = await res.text();
    } catch (err) {
      throw httpError(err, p.method, url, signal);
    }
    const ms = Math.round(performance.now() - start);
    const breaches: string[] = [];
    if (!statusOk(status, p.status)) breaches.push(`expected ${p.status === undefined ? '2xx' : [p.status].flat().join(' or ')}`);
    if (p.bodyMatch !== undefined && !new RegExp(p.bodyMatch).test(body)) breaches.push(`body does not match /${p.bodyMatch}/`);
    if (p.maxLatency !== undefined && ms > durationMs(p.maxLatency)) breaches.push(`slower than ${p.maxLatency}`);
    const detail = `${status} in ${ms} ms` + (breaches.length ? ` (${breaches.join('; ')})` : '');
    ctx.log.debug('http probe answered', { url: safeUrl(url), status, ms });
    return { ok: breaches.length === 0, value: status, detail };
  },
});
