/**
 * The lab's OpenStack port, laid out like devstack: Keystone at `/identity`, Nova at
 * `/compute`, Neutron at `/network`, Glance at `/image`. Rules: every path except the
 * version documents and token creation wants a valid `X-Auth-Token`, checked before routing
 * as keystonemiddleware does (401 with Keystone's body and `WWW-Authenticate`); Nova's
 * microversion is read before anything else and echoed on every Nova answer, errors
 * included; every error is in the shape of the service that raised it.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorAnswer, FrameHandler, Router } from '../http-frame.js';
import { sendBody } from '../http-frame.js';
import type { OsContext } from './api.js';
import type { OpenStackCloud } from './cloud.js';
import { CloudError, errorAnswerFor, keystoneErrorBody, serviceOf, type OpenStackService } from './errors.js';
import { glanceOpen, glanceRoutes } from './glance-api.js';
import type { LabIdentity } from './identity.js';
import { keystoneOpen, keystoneRoutes } from './keystone-api.js';
import { NOVA_MIN_VERSION, requestedVersion, versionHeaders } from './microversion.js';
import { neutronOpen, neutronRoutes } from './neutron-api.js';
import { novaOpen, novaRoutes } from './nova-api.js';

/** What the OpenStack APIs need. */
export interface OpenStackApiOptions {
  cloud: OpenStackCloud;
  identity: LabIdentity;
  /** `http://127.0.0.1:PORT` once listening. */
  baseUrl: () => string;
}

interface ServiceApi {
  router: Router<OsContext>;
  open: (method: string, path: string) => boolean;
}

/** The error body for a request path (injected faults, unexpected failures). */
export function openstackErrorAnswer(status: number, message: string, url: URL): ErrorAnswer {
  return errorAnswerFor(serviceOf(url.pathname), status, message);
}

function servicePath(pathname: string): string {
  const rest = pathname.replace(/^\/+[^/]+/, '');
  return rest === '' ? '/' : rest;
}

function authToken(ctx: OsContext, identity: LabIdentity): ReturnType<LabIdentity['validate']> {
  const header = ctx.req.headers['x-auth-token'];
  const id = Array.isArray(header) ? header[0] : header;
  return id ? identity.validate(id) : undefined;
}

function sendError(ctx: OsContext, service: OpenStackService | undefined, error: CloudError): void {
  const answer = errorAnswerFor(service, error.status, error.message, error.type);
  ctx.res.writeHead(error.status, { ...ctx.headers, 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
  ctx.res.end(answer.body);
}

/** The request handler of the lab's OpenStack port. */
export function openstackHandler(options: OpenStackApiOptions): FrameHandler {
  const apis: Record<OpenStackService, ServiceApi> = {
    identity: { router: keystoneRoutes(options.identity), open: keystoneOpen },
    compute: { router: novaRoutes(options.cloud), open: novaOpen },
    network: { router: neutronRoutes(options.cloud), open: neutronOpen },
    image: { router: glanceRoutes(options.cloud), open: glanceOpen },
  };
  return async (req, res, url) => {
    const service = serviceOf(url.pathname);
    const requestId = `req-${randomUUID()}`;
    const ctx: OsContext = {
      req, res, url, params: {}, service: service ?? 'identity', token: undefined, baseUrl: options.baseUrl(), microversion: NOVA_MIN_VERSION,
      headers: { 'x-openstack-request-id': requestId, ...(service === 'compute' ? { 'x-compute-request-id': requestId } : {}) },
    };
    try {
      if (!service) throw new CloudError(404, 'The resource could not be found.');
      const method = req.method ?? 'GET';
      const path = servicePath(url.pathname);
      const api = apis[service];
      if (service === 'compute') {
        ctx.microversion = requestedVersion(req.headers);
        Object.assign(ctx.headers, versionHeaders(ctx.microversion));
      }
      if (!api.open(method, path)) {
        ctx.token = authToken(ctx, options.identity);
        if (!ctx.token) {
          sendBody(res, 401, keystoneErrorBody(401, 'The request you have made requires authentication.'), { ...ctx.headers, 'www-authenticate': `Keystone uri="${ctx.baseUrl}/identity"` });
          return;
        }
      }
      const match = api.router.match(method, path);
      if (match.kind === 'not-found') throw new CloudError(404, 'The resource could not be found.');
      if (match.kind === 'method-not-allowed') throw new CloudError(405, `The method ${method} is not allowed for this resource.`);
      ctx.params = match.params;
      await match.handler(ctx);
    } catch (error) {
      if (!(error instanceof CloudError) || res.headersSent) throw error;
      sendError(ctx, service, error);
    }
  };
}
