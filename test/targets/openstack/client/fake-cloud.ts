/**
 * A small Keystone + Nova + Neutron on 127.0.0.1 for the client's unit tests. Keystone
 * issues tokens as the real one does (201, `X-Subject-Token`, token body with
 * `expires_at` and the catalog); every other path checks `X-Auth-Token` like
 * keystonemiddleware (401 with Keystone's error body) and hands the call to the test's
 * handler, with the path split into the service and the part after its base URL.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedCloud } from '../../../../src/targets/openstack/api/clouds.js';

export const PASSWORD = 'Sup3r-secret-pw';
export const APP_SECRET = 'app-cred-s3cret-value';
export const PROJECT_ID = '6b1c0f1e0e8c4a7c9f3d2b1a00c0ffee';

/** One request the fake received. `service` and `rest` are set for compute and network calls. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  service?: 'compute' | 'compute-internal' | 'network';
  rest: string;
}

/** What the fake answers; `text` is sent as is, `body` as JSON. */
export interface Answer {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export type Handler = (req: Seen) => Answer | undefined | Promise<Answer | undefined>;

export interface FakeCloudOptions {
  /** Answers compute and network calls; undefined means 404 itemNotFound. */
  handle?: Handler;
  /** Answers the auth call instead of the built-in Keystone when it returns an answer. */
  auth?: Handler;
  /** Token lifetime; default one hour. */
  ttlMs?: number;
  /** Delay of every token answer. */
  authDelayMs?: number;
}

export interface FakeCloud {
  url: string;
  /** Keystone's URL without `/v3`, as many clouds.yaml files write it. */
  authUrl: string;
  seen: Seen[];
  /** Tokens issued so far, oldest first. */
  tokens: string[];
  authCount(): number;
  /** Makes every token issued so far invalid (as if revoked or expired server-side). */
  revokeAll(): void;
  close(): Promise<void>;
}

function keystoneError(code: number, title: string, message: string): Answer {
  return { status: code, body: { error: { code, title, message } }, headers: { 'x-openstack-request-id': `req-ks-${code}` } };
}

function catalogFor(url: string): unknown[] {
  return [
    {
      type: 'compute',
      name: 'nova',
      endpoints: [
        { interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${url}/compute/v2.1/${PROJECT_ID}` },
        { interface: 'internal', region: 'RegionOne', region_id: 'RegionOne', url: `${url}/compute-internal/v2.1/${PROJECT_ID}` },
      ],
    },
    { type: 'network', name: 'neutron', endpoints: [{ interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${url}/network/` }] },
    { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${url}/identity/v3` }] },
  ];
}

function validCredentials(body: unknown): boolean {
  const identity = (body as { auth?: { identity?: Record<string, unknown> } }).auth?.identity;
  const password = (identity?.['password'] as { user?: { password?: string } } | undefined)?.user?.password;
  const secret = (identity?.['application_credential'] as { secret?: string } | undefined)?.secret;
  return password === PASSWORD || secret === APP_SECRET;
}

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakeCloud(options: FakeCloudOptions = {}): Promise<FakeCloud> {
  const seen: Seen[] = [];
  const tokens: string[] = [];
  const valid = new Set<string>();
  let auths = 0;
  let url = '';

  const answerFor = async (req: Seen): Promise<Answer> => {
    if (req.method === 'POST' && req.path === '/identity/v3/auth/tokens') {
      auths++;
      if (options.authDelayMs) await new Promise((r) => setTimeout(r, options.authDelayMs));
      const custom = await options.auth?.(req);
      if (custom) return custom;
      if (!validCredentials(req.body)) return keystoneError(401, 'Unauthorized', 'The request you have made requires authentication.');
      const token = `gAAAAAB-token-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
      tokens.push(token);
      valid.add(token);
      const expiresAt = new Date(Date.now() + (options.ttlMs ?? 3_600_000)).toISOString().replace('Z', '000Z');
      return {
        status: 201,
        headers: { 'x-subject-token': token, 'x-openstack-request-id': `req-auth-${auths}` },
        body: { token: { expires_at: expiresAt, methods: ['password'], catalog: catalogFor(url), project: { id: PROJECT_ID, name: 'jupyter' }, user: { id: 'u-1' } } },
      };
    }
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || !valid.has(token)) return keystoneError(401, 'Unauthorized', 'The request you have made requires authentication.');
    const answer = await options.handle?.(req);
    return answer ?? { status: 404, body: { itemNotFound: { code: 404, message: 'The resource could not be found.' } } };
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const parsed = new URL(request.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const seenReq: Seen = {
        method: request.method ?? 'GET',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: request.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
        ...split(parsed.pathname),
      };
      seen.push(seenReq);
      answerFor(seenReq)
        .then(async (answer) => {
          if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
          const payload = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
          const type = answer.text !== undefined ? 'text/html' : 'application/json';
          response.writeHead(answer.status, { 'content-type': type, ...answer.headers });
          response.end(payload);
        })
        .catch((err: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    authUrl: `${url}/identity`,
    seen,
    tokens,
    authCount: () => auths,
    revokeAll: () => valid.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function split(path: string): { service?: Seen['service']; rest: string } {
  for (const [prefix, service] of [
    [`/compute/v2.1/${PROJECT_ID}`, 'compute'],
    [`/compute-internal/v2.1/${PROJECT_ID}`, 'compute-internal'],
    ['/network/v2.0', 'network'],
  ] as const) {
    if (path.startsWith(prefix)) return { service, rest: path.slice(prefix.length) };
  }
  return { rest: path };
}

/** A password cloud pointing at the fake (auth_url without `/v3`). */
export function passwordCloud(fake: FakeCloud, password = PASSWORD): ResolvedCloud {
  return {
    name: 'jupytercloud',
    source: 'test',
    authUrl: fake.authUrl,
    auth: { type: 'password', username: 'gameday', userDomainName: 'Default', password, projectName: 'jupyter', projectDomainName: 'Default' },
  };
}

/** An application-credential cloud pointing at the fake (auth_url with `/v3`). */
export function appCredentialCloud(fake: FakeCloud): ResolvedCloud {
  return { name: 'appcred', source: 'test', authUrl: `${fake.authUrl}/v3/`, auth: { type: 'v3applicationcredential', id: 'ac-1', secret: APP_SECRET } };
}

/** Fast retries for tests. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 5_000 };
