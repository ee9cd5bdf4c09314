/**
 * Keystone v3 at `/identity`: version discovery, `POST/GET/HEAD/DELETE /v3/auth/tokens`,
 * `/v3/auth/catalog` and `/v3/auth/projects`. Rules: discovery and token creation are open;
 * everything else wants a valid `X-Auth-Token`; a new token comes back in `X-Subject-Token`
 * with 201, validation answers 200 or 404 for a token that is not (or no longer) valid.
 */
import { Router } from '../http-frame.js';
import { param, readJson, reply, type OsContext } from './api.js';
import { CloudError } from './errors.js';
import type { LabIdentity, TokenRecord } from './identity.js';

/** Keystone's version document for v3 at `baseUrl`. */
export function identityVersion(baseUrl: string): unknown {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${baseUrl}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** Paths of Keystone served without a token. */
export function keystoneOpen(method: string, path: string): boolean {
  const clean = path.replace(/\/+$/, '');
  return (method === 'GET' && (clean === '' || clean === '/v3')) || (method === 'POST' && clean === '/v3/auth/tokens');
}

function subjectToken(ctx: OsContext, identity: LabIdentity): TokenRecord {
  const header = ctx.req.headers['x-subject-token'];
  const id = Array.isArray(header) ? header[0] : header;
  if (!id) throw new CloudError(400, 'Expecting to find X-Subject-Token in request headers.');
  const token = identity.validate(id);
  if (!token) throw new CloudError(404, `Could not find token: ${id}.`);
  return token;
}

/** Keystone's routes (paths relative to `/identity`). */
export function keystoneRoutes(identity: LabIdentity): Router<OsContext> {
  const router = new Router<OsContext>();
  router.add('GET', '/', (ctx) => reply(ctx, 300, { versions: { values: [identityVersion(ctx.baseUrl)] } }));
  router.add('GET', '/v3', (ctx) => reply(ctx, 200, { version: identityVersion(ctx.baseUrl) }));
  router.add('POST', '/v3/auth/tokens', async (ctx) => {
    const body = await readJson(ctx, 'Expecting to find valid JSON in request body.');
    const token = identity.authenticate(body);
    const withCatalog = !ctx.url.searchParams.has('nocatalog');
    reply(ctx, 201, identity.tokenBody(token, ctx.baseUrl, withCatalog), { 'x-subject-token': token.id });
  });
  router.add('GET', '/v3/auth/tokens', (ctx) => {
    const token = subjectToken(ctx, identity);
    reply(ctx, 200, identity.tokenBody(token, ctx.baseUrl, !ctx.url.searchParams.has('nocatalog')), { 'x-subject-token': token.id });
  });
  router.add('HEAD', '/v3/auth/tokens', (ctx) => {
    const token = subjectToken(ctx, identity);
    reply(ctx, 200, undefined, { 'x-subject-token': token.id });
  });
  router.add('DELETE', '/v3/auth/tokens', (ctx) => {
    const token = subjectToken(ctx, identity);
    identity.revoke(token.id);
    reply(ctx, 204);
  });
  router.add('GET', '/v3/auth/catalog', (ctx) => {
    reply(ctx, 200, { catalog: identity.catalog(ctx.baseUrl), links: { self: `${ctx.baseUrl}/identity/v3/auth/catalog`, previous: null, next: null } });
  });
  router.add('GET', '/v3/auth/projects', (ctx) => {
    reply(ctx, 200, { projects: [projectBody(identity, ctx.baseUrl)], links: { self: `${ctx.baseUrl}/identity/v3/auth/projects`, previous: null, next: null } });
  });
  router.add('GET', '/v3/projects/:id', (ctx) => {
    if (param(ctx, 'id') !== identity.project.id) throw new CloudError(404, `Could not find project: ${param(ctx, 'id')}.`);
    reply(ctx, 200, { project: projectBody(identity, ctx.baseUrl) });
  });
  return router;
}

function projectBody(identity: LabIdentity, baseUrl: string): unknown {
  const { project, domain } = identity;
  return {
    id: project.id, name: project.name, domain_id: domain.id, description: 'JupyterCloud', enabled: true, parent_id: domain.id, is_domain: false, tags: [], options: {},
    links: { self: `${baseUrl}/identity/v3/projects/${project.id}` },
  };
}
