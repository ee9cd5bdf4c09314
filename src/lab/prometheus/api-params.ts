/**
 * Request parameters of the Prometheus HTTP API. Rules: a POST's form body is read as
 * `application/x-www-form-urlencoded` and its values win over the URL's (Go's FormValue);
 * times are unix seconds (fractions allowed) or RFC 3339; durations are a float of seconds
 * or a Prometheus duration; a bad value is a 400 `bad_data` naming the parameter.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError, readText } from '../http-frame.js';
import { durationMs } from './promql/literals.js';

/** Largest form body accepted (a long query still fits). */
const FORM_LIMIT = 1024 * 1024;

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The Prometheus API's error envelope, thrown as an HTTP answer. */
export function apiError(status: number, errorType: string, error: string): HttpError {
  return new HttpError(status, { status: 'error', errorType, error });
}

/** A 400 `bad_data` naming the parameter, as Prometheus words it. */
export function invalidParam(name: string, message: string): HttpError {
  return apiError(400, 'bad_data', `invalid parameter ${JSON.stringify(name)}: ${message}`);
}

/** The request's parameters: the URL's, overridden by a form-encoded POST body's. */
export async function requestParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.search);
  if (req.method !== 'POST') return params;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return params;
  const body = new URLSearchParams(await readText(req, FORM_LIMIT));
  const seen = new Set<string>();
  for (const [name, value] of body) {
    if (seen.has(name)) continue;
    seen.add(name);
    params.set(name, value);
  }
  return params;
}

/** A time parameter in ms; `fallback` when absent. */
export function timeParam(params: URLSearchParams, name: string, fallback?: number): number {
  const text = params.get(name);
  if (text === null || text === '') {
    if (fallback === undefined) throw invalidParam(name, `cannot parse "" to a valid timestamp`);
    return fallback;
  }
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  if (RFC3339_RE.test(text)) {
    const ms = Date.parse(text.toUpperCase());
    if (Number.isFinite(ms)) return ms;
  }
  throw invalidParam(name, `cannot parse ${JSON.stringify(text)} to a valid timestamp`);
}

/** A duration parameter in ms; undefined when absent. */
export function durationParam(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  const seconds = Number(text);
  const ms = text.trim() !== '' && Number.isFinite(seconds) ? Math.round(seconds * 1000) : durationMs(text);
  if (ms === undefined || ms < 0) throw invalidParam(name, `cannot parse ${JSON.stringify(text)} to a valid duration`);
  return ms;
}
