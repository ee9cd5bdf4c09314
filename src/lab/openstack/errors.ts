/**
 * How the lab cloud fails, and how each service says so on the wire. Rule: the model throws
 * `CloudError` (a status, a message, Neutron's exception type when it has one); each API
 * turns it into its own body — Keystone's `{"error":{code,title,message}}`, Nova's
 * `{"<faultName>":{code,message}}`, Neutron's `{"NeutronError":{type,message,detail}}`,
 * Glance's small HTML page — never another service's.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorAnswer } from '../http-frame.js';

/** An OpenStack API error raised by the lab's model or request parsing. */
export class CloudError extends Error {
  override readonly name = 'CloudError';
  constructor(
    readonly status: number,
    message: string,
    /** Neutron's exception class name (`PortNotFound`, `SecurityGroupInUse`, …). */
    readonly type?: string,
  ) {
    super(message);
  }
}

/** The services behind the lab's single OpenStack port. */
export type OpenStackService = 'identity' | 'compute' | 'network' | 'image';

const NOVA_FAULTS: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const NEUTRON_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  412: 'HTTPPreconditionFailed',
  500: 'HTTPInternalServerError',
  503: 'HTTPServiceUnavailable',
};

/** Keystone's (and keystonemiddleware's) error body. */
export function keystoneErrorBody(status: number, message: string): unknown {
  return { error: { code: status, title: STATUS_CODES[status] ?? 'Error', message } };
}

/** Nova's fault body. */
export function novaFaultBody(status: number, message: string): unknown {
  return { [NOVA_FAULTS[status] ?? 'computeFault']: { code: status, message } };
}

/** Neutron's error body. */
export function neutronErrorBody(status: number, message: string, type?: string): unknown {
  return { NeutronError: { type: type ?? NEUTRON_TYPES[status] ?? 'HTTPError', message, detail: '' } };
}

/** Glance's (webob's) HTML error page. */
export function glanceErrorPage(status: number, message: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n  ${escapeHtml(message)}<br /><br />\n\n\n\n </body>\n</html>`;
}

/** The service a path of the lab's OpenStack port belongs to. */
export function serviceOf(pathname: string): OpenStackService | undefined {
  const first = pathname.split('/').find((p) => p !== '');
  if (first === 'identity') return 'identity';
  if (first === 'compute') return 'compute';
  if (first === 'network') return 'network';
  if (first === 'image') return 'image';
  return undefined;
}

/** The error body of `service` for a status, ready to send. */
export function errorAnswerFor(service: OpenStackService | undefined, status: number, message: string, type?: string): ErrorAnswer {
  switch (service) {
    case 'compute':
      return json(novaFaultBody(status, message));
    case 'network':
      return json(neutronErrorBody(status, message, type));
    case 'image':
      return { contentType: 'text/html; charset=UTF-8', body: glanceErrorPage(status, message) };
    default:
      return json(keystoneErrorBody(status, message));
  }
}

function json(body: unknown): ErrorAnswer {
  return { contentType: 'application/json', body: JSON.stringify(body) };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
