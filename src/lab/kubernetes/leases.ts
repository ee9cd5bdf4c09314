/**
 * What the API server checks on a `coordination.k8s.io/v1` Lease. Rules: `acquireTime` and
 * `renewTime` are MicroTimes — a string that is not RFC 3339 with exactly six fraction digits
 * cannot be decoded (400 BadRequest, as the server's decoder answers), and a decoded one is
 * stored as the server writes it back (UTC, `…:05.000000Z`); `leaseDurationSeconds` must be
 * above 0 and `leaseTransitions` not below 0 (422 Invalid).
 */
import { badRequest, type StatusCause } from './status.js';
import type { KubeObject } from './types.js';

/** Go's layout for metav1.MicroTime. */
const MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';
const MICRO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})(Z|[+-]\d{2}:\d{2})$/;
const SECONDS_PART = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;
const TIME_FIELDS = ['acquireTime', 'renewTime'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The decoder's complaint about a MicroTime string, in Go's `time.Parse` wording. */
function parseFailure(value: string): string {
  const seconds = SECONDS_PART.exec(value);
  const rest = seconds ? value.slice(seconds[0].length) : value;
  const element = !seconds ? '2006' : /^\.\d{6}/.test(rest) ? 'Z07:00' : '.000000';
  const remainder = element === 'Z07:00' ? rest.slice(7) : rest;
  return `parsing time "${value}" as "${MICRO_LAYOUT}": cannot parse "${remainder}" as "${element}"`;
}

/** A MicroTime as the server writes it back: in UTC, six fraction digits. */
function normalizeMicroTime(value: string): string {
  const match = MICRO_TIME.exec(value);
  if (!match) throw badRequest(`Lease in version "v1" cannot be handled as a Lease: ${parseFailure(value)}`);
  const [, seconds = '', micros = '', zone = 'Z'] = match;
  const epoch = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(epoch)) throw badRequest(`Lease in version "v1" cannot be handled as a Lease: parsing time "${value}": value out of range`);
  return `${new Date(epoch).toISOString().slice(0, 19)}.${micros}Z`;
}

/** Replaces the Lease's spec by a copy with its MicroTimes decoded (400 when one cannot be), then returns its validation causes. */
export function checkLease(object: KubeObject): StatusCause[] {
  const spec = object['spec'];
  if (spec === undefined || spec === null) return [];
  if (!isRecord(spec)) throw badRequest('Lease in version "v1" cannot be handled as a Lease: spec must be an object');
  const decoded: Record<string, unknown> = { ...spec };
  object['spec'] = decoded;
  for (const field of TIME_FIELDS) {
    const value = decoded[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw badRequest(`Lease in version "v1" cannot be handled as a Lease: ${field}: expected a time string, got ${JSON.stringify(value)}`);
    decoded[field] = normalizeMicroTime(value);
  }
  const causes: StatusCause[] = [];
  const duration = decoded['leaseDurationSeconds'];
  if (duration !== undefined && duration !== null && !(Number.isInteger(duration) && (duration as number) > 0)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(duration)}: must be greater than 0`, field: 'spec.leaseDurationSeconds' });
  }
  const transitions = decoded['leaseTransitions'];
  if (transitions !== undefined && transitions !== null && !(Number.isInteger(transitions) && (transitions as number) >= 0)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(transitions)}: must be greater than or equal to 0`, field: 'spec.leaseTransitions' });
  }
  return causes;
}
