/**
 * Glance (image v2) at `/image`, read-only: versions, `GET /v2/images` (name/status/visibility
 * filters, `limit`/`marker` with a `next` link) and `GET /v2/images/{id}` — what the openstack
 * CLI asks for to show an image's name. Rule: image properties are top-level keys, as Glance
 * v2 returns them.
 */
import { createHash } from 'node:crypto';
import { Router } from '../http-frame.js';
import { isoSeconds, param, reply, type OsContext } from './api.js';
import type { OpenStackCloud } from './cloud.js';
import { CloudError } from './errors.js';
import type { ImageRecord } from './types.js';

const VERSIONS = ['2.16', '2.15', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

/** Paths of Glance served without a token (the versions document). */
export function glanceOpen(method: string, path: string): boolean {
  const clean = path.replace(/\/+$/, '');
  return method === 'GET' && (clean === '' || clean === '/versions');
}

function imageView(image: ImageRecord): Record<string, unknown> {
  return {
    ...image.properties,
    id: image.id,
    name: image.name,
    status: 'active',
    visibility: 'public',
    protected: false,
    os_hidden: false,
    checksum: image.checksum,
    os_hash_algo: 'sha512',
    os_hash_value: createHash('sha512').update(image.id).digest('hex'),
    owner: image.ownerId,
    size: image.size,
    virtual_size: 3_758_096_384,
    min_ram: 0,
    min_disk: 0,
    disk_format: 'qcow2',
    container_format: 'bare',
    created_at: isoSeconds(image.created),
    updated_at: isoSeconds(image.created + 60_000),
    tags: [],
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  };
}

function versions(baseUrl: string): unknown {
  return {
    versions: VERSIONS.map((v, i) => ({ id: `v${v}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href: `${baseUrl}/image/v2/` }] })),
  };
}

/** Glance's routes (paths relative to `/image`). */
export function glanceRoutes(cloud: OpenStackCloud): Router<OsContext> {
  const router = new Router<OsContext>();
  router.add('GET', '/', (ctx) => reply(ctx, 300, versions(ctx.baseUrl)));
  router.add('GET', '/versions', (ctx) => reply(ctx, 200, versions(ctx.baseUrl)));
  router.add('GET', '/v2/images', (ctx) => {
    const q = ctx.url.searchParams;
    let images = [...cloud.imageRecords.values()].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
    const name = q.get('name');
    if (name !== null) images = images.filter((i) => i.name === name);
    const status = q.get('status');
    if (status !== null && status !== 'active') images = [];
    const visibility = q.get('visibility');
    if (visibility !== null && !['public', 'all'].includes(visibility)) images = [];
    const marker = q.get('marker');
    if (marker !== null) {
      const at = images.findIndex((i) => i.id === marker);
      if (at < 0) throw new CloudError(400, `marker [${marker}] not found`);
      images = images.slice(at + 1);
    }
    const limit = Math.min(Number(q.get('limit') ?? 25) || 25, 1000);
    const page = images.slice(0, limit);
    const body: Record<string, unknown> = { images: page.map(imageView), first: '/v2/images', schema: '/v2/schemas/images' };
    const last = page.at(-1);
    if (page.length === limit && last) {
      const next = new URLSearchParams(q);
      next.set('marker', last.id);
      body['next'] = `/v2/images?${next.toString()}`;
    }
    reply(ctx, 200, body);
  });
  router.add('GET', '/v2/images/:id', (ctx) => {
    const image = cloud.imageRecords.get(param(ctx, 'id'));
    if (!image) throw new CloudError(404, `No image found with ID ${param(ctx, 'id')}`);
    reply(ctx, 200, imageView(image));
  });
  return router;
}
