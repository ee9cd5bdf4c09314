/**
 * The health URL a restore waits for, asked from gameday's machine (as users reach the
 * service): GET every 250 ms, each request bounded by what is left of the wait (at most
 * 5 s), redirects not followed, until the status is an expected one. Messages name the URL
 * without credentials, query or fragment.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../../duration.js';
import { TargetError, errorMessage } from '../../../errors.js';
import { safeUrl } from '../../transport-errors.js';

const Status = z.number().int().min(100).max(599);

/** `params.health` of the process fault. */
export const HealthCheck = z
  .object({
    /** Where to ask, from gameday's machine: `http://127.0.0.1:8000/hub/health`. */
    url: z.url({ protocol: /^https?$/ }),
    /** How long a restore waits for the expected status. Default 1m. */
    timeout: z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) }).default('1m'),
    /** Accepted statuses. Default 200. */
    expectStatus: z.union([Status, z.array(Status).min(1)]).default(200),
  })
  .strict();
export type HealthCheck = z.infer<typeof HealthCheck>;

/** The health check as a restore plan keeps it. */
export const HealthPlan = z.object({ url: z.string(), timeoutMs: z.number().int().positive(), expectStatus: z.array(z.number().int()) }).strict();
export type HealthPlan = z.infer<typeof HealthPlan>;

const POLL_MS = 250;
const REQUEST_MS = 5_000;

/** The plan's form of `params.health`. */
export function healthPlan(check: HealthCheck): HealthPlan {
  return { url: check.url, timeoutMs: parseDuration(check.timeout) ?? 60_000, expectStatus: [check.expectStatus].flat() };
}

/** One GET: the status, or why there was none. */
export async function askHealth(url: string, timeoutMs: number): Promise<{ status: number } | { error: string }> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(Math.max(1, timeoutMs)) });
    await res.body?.cancel();
    return { status: res.status };
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    return { error: typeof cause?.code === 'string' ? cause.code : errorMessage(err) };
  }
}

/** Resolves once the URL answers an expected status; throws a retryable TargetError with the last answer when the wait runs out. */
export async function waitHealthy(health: HealthPlan): Promise<number> {
  const started = Date.now();
  const deadline = started + health.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const left = deadline - Date.now();
    const answer = await askHealth(health.url, Math.min(REQUEST_MS, Math.max(left, 1)));
    if ('status' in answer && health.expectStatus.includes(answer.status)) return Date.now() - started;
    last = 'status' in answer ? `status ${answer.status}` : answer.error;
    if (Date.now() + POLL_MS > deadline) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new TargetError(`${safeUrl(health.url)} did not answer ${health.expectStatus.join(' or ')} within ${health.timeoutMs} ms (last: ${last})`, { retryable: true });
}
