/**
 * The Kubernetes API's request routing: authentication, discovery, and resource paths
 * (`/api/v1/…`, `/apis/{group}/{version}/…`, namespaced or cluster-wide). Rules: a request
 * that presents credentials must present the lab's bearer token (401 Status otherwise); a
 * request without any is served like the API server's old insecure port when anonymous
 * access is allowed — kubectl (client-go) never sends credentials over plain HTTP; unknown
 * API paths are 404 Status, unknown top-level paths are the plain-text 404 the API server
 * writes; a verb a path does not serve is 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendBody, type FrameHandler } from '../http-frame.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, LAB_KUBE_VERSION } from './discovery.js';
import { create, get, list, notAllowed, patch, remove, removeCollection, update, type KubeRequest } from './handlers.js';
import { findResource } from './resources.js';
import { routeNotFound, unauthorized } from './status.js';
import { serveSubresource } from './subresources.js';
import type { Cluster } from './cluster.js';

/** What the Kubernetes API needs. */
export interface KubeApiOptions {
  cluster: Cluster;
  /** The bearer token the API accepts. */
  token: string;
  /** Serve requests that carry no credentials at all (as plain-HTTP kubectl sends them). */
  allowAnonymous: boolean;
  /** host:port clients reach the API at (for `/api`'s serverAddressByClientCIDRs). */
  serverAddress: () => string;
}

const OPEN_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

function authorized(req: IncomingMessage, token: string, allowAnonymous: boolean): boolean {
  const header = req.headers.authorization;
  if (header === undefined) return allowAnonymous;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim() === token;
}

function discovery(path: string, options: KubeApiOptions): unknown {
  if (path === '/version') return LAB_KUBE_VERSION;
  if (path === '/api') return apiVersions(options.serverAddress());
  if (path === '/apis') return apiGroupList();
  if (path === '/api/v1') return apiResourceList('', 'v1');
  const group = /^\/apis\/([^/]+)$/.exec(path);
  if (group) return apiGroup(group[1] ?? '');
  const groupVersion = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (groupVersion) return apiResourceList(groupVersion[1] ?? '', groupVersion[2] ?? '');
  return undefined;
}

function resourceRequest(path: string, req: IncomingMessage, res: ServerResponse, url: URL, cluster: Cluster): { request: KubeRequest; subresource: string | undefined } | undefined {
  const core = /^\/api\/(v1)\/(.+)$/.exec(path);
  const named = /^\/apis\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
  const [group, version, rest] = core ? ['', core[1] ?? '', core[2] ?? ''] : named ? [named[1] ?? '', named[2] ?? '', named[3] ?? ''] : [];
  if (version === undefined || rest === undefined || group === undefined) return undefined;
  let segments: string[];
  try {
    segments = rest.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  let namespace: string | undefined;
  if (segments[0] === 'namespaces' && segments.length >= 3 && findResource(group, version, segments[2] ?? '')?.namespaced) {
    namespace = segments[1];
    segments = segments.slice(2);
  }
  const [plural = '', name, subresource, ...extra] = segments;
  const resource = findResource(group, version, plural);
  if (!resource || extra.length > 0 || name === '') return undefined;
  if (resource.namespaced ? namespace === undefined && name !== undefined : namespace !== undefined) return undefined;
  return { request: { req, res, cluster, resource, namespace, name, query: url.searchParams }, subresource };
}

/** The request handler of the lab's Kubernetes API. */
export function kubeHandler(options: KubeApiOptions): FrameHandler {
  return async (req, res, url) => {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    if (!OPEN_PATHS.has(path) && !authorized(req, options.token, options.allowAnonymous)) throw unauthorized();
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      sendBody(res, 200, 'ok');
      return;
    }
    const document = discovery(path, options);
    if (document !== undefined) {
      if (method !== 'GET') notAllowed();
      sendBody(res, 200, document);
      return;
    }
    if (!path.startsWith('/api/') && !path.startsWith('/apis/')) {
      sendBody(res, 404, '404 page not found\n');
      return;
    }
    const parsed = resourceRequest(path, req, res, url, options.cluster);
    if (!parsed) throw routeNotFound();
    const { request, subresource } = parsed;
    if (subresource !== undefined) {
      if (!(await serveSubresource(request, subresource))) throw routeNotFound();
      return;
    }
    if (request.name === undefined) {
      if (method === 'GET') list(request);
      else if (method === 'POST') await create(request);
      else if (method === 'DELETE') await removeCollection(request);
      else notAllowed();
      return;
    }
    if (method === 'GET') get(request);
    else if (method === 'PUT') await update(request);
    else if (method === 'PATCH') await patch(request);
    else if (method === 'DELETE') await remove(request);
    else notAllowed();
  };
}
