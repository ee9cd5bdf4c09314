/**
 * Kubernetes `Status` errors as the API server writes them. Rule: every error the lab's
 * Kubernetes API answers is a `Status` object with the real reason, code and message
 * wording, so clients classify it as they would against a real cluster.
 */
import { HttpError } from '../http-frame.js';
import type { ResourceDef } from './resources.js';

/** metav1.Status (failure form). */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** One cause of an Invalid status. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** Builds a failure Status. */
export function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** An error answered as a Status object. */
export class KubeError extends HttpError {
  constructor(readonly kubeStatus: KubeStatus) {
    super(kubeStatus.code, kubeStatus);
  }
}

function detailsOf(resource: ResourceDef, name: string): NonNullable<KubeStatus['details']> {
  return { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural };
}

function qualified(resource: ResourceDef): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** 404 `pods "x" not found`. */
export function notFound(resource: ResourceDef, name: string): KubeError {
  return new KubeError(failure(404, 'NotFound', `${qualified(resource)} "${name}" not found`, detailsOf(resource, name)));
}

/** 404 for a path the API does not serve. */
export function routeNotFound(): KubeError {
  return new KubeError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

/** 405 for a verb the resource does not support. */
export function methodNotAllowed(): KubeError {
  return new KubeError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

/** 409 AlreadyExists. */
export function alreadyExists(resource: ResourceDef, name: string): KubeError {
  return new KubeError(failure(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, detailsOf(resource, name)));
}

/** 409 Conflict (stale resourceVersion, failed precondition). */
export function conflict(resource: ResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeError {
  return new KubeError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource)} "${name}": ${why}`, detailsOf(resource, name)));
}

/** 422 Invalid with field causes. */
export function invalid(resource: ResourceDef, name: string, causes: StatusCause[]): KubeError {
  const kind = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const message = `${kind} "${name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`;
  return new KubeError(failure(422, 'Invalid', message, { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.kind, causes }));
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeError {
  return new KubeError(failure(400, 'BadRequest', message));
}

/** 401 Unauthorized. */
export function unauthorized(): KubeError {
  return new KubeError(failure(401, 'Unauthorized', 'Unauthorized'));
}

/** 410 Expired: a watch or list from a resourceVersion older than the kept history. */
export function expired(requested: string, current: number): KubeStatus {
  return failure(410, 'Expired', `too old resource version: ${requested} (${current})`);
}

/** 415 for a patch or body type the API does not take. */
export function unsupportedMediaType(type: string): KubeError {
  return new KubeError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type || 'none'})`));
}

/** Generic status for a code (used for injected faults and unexpected errors). */
export function statusForCode(code: number, message: string): KubeStatus {
  const reasons: Record<number, string> = {
    400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
    410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
  };
  const details = code === 429 || code === 503 ? { retryAfterSeconds: 1 } : undefined;
  return failure(code, reasons[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'), message, details);
}
