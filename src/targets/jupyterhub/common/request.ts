/**
 * One HTTP request to the hub or its proxy, as every JupyterHub call makes it: its own
 * deadline combined with the caller's abort signal, `Authorization: token …` when a token is
 * given, redirects never followed (a 302 is an answer: the token never leaves for another
 * place). No answer at all throws a TargetError; an answer of any status is returned, and
 * judging it is the caller's job.
 */
import { networkError, shapeError, statusError, type Service } from '../errors.js';

export type Method = 'GET' | 'POST' | 'DELETE';

/** What one call sends. `action` words the call in errors: `list users`, `start server of alice`. */
export interface Call {
  service: Service;
  action: string;
  method: Method;
  url: string;
  token?: string | undefined;
  /** Sent as JSON. */
  body?: unknown;
  accept?: string;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
}

/** An answer of any status, its body read as text. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Milliseconds from sending to the end of the body. */
  ms: number;
}

/** Sends one call; throws a TargetError (retryable) only when no answer came. */
export async function send(call: Call): Promise<Answer> {
  const headers: Record<string, string> = { accept: call.accept ?? 'application/json' };
  if (call.token !== undefined) headers['authorization'] = `token ${call.token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  const start = performance.now();
  try {
    const res = await fetch(call.url, {
      method: call.method,
      headers,
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      signal,
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, ms: performance.now() - start };
  } catch (err) {
    throw networkError(err, call.service, call.action, call.url, call.signal);
  }
}

/** Sends one call and wants one of `ok` (default: any 2xx); anything else throws the classified TargetError. */
export async function expect(call: Call, ok?: readonly number[]): Promise<Answer> {
  const answer = await send(call);
  const accepted = ok ? ok.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!accepted) throw statusError(call.service, call.action, answer.status, answer.text);
  return answer;
}

/** The answer's body as JSON; an empty or non-JSON body is a shape error. */
export function json(call: Pick<Call, 'service' | 'action'>, answer: Answer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw shapeError(call.service, call.action, `the body is not JSON (HTTP ${answer.status})`);
  }
}
