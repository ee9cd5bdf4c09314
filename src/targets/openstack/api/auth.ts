/**
 * Keystone v3 authentication: `POST {auth_url}/v3/auth/tokens` with the password or
 * application_credential method; the token comes back in `X-Subject-Token`, the catalog in
 * the body. Rules: one token serves every call until shortly before it expires (60 s, or a
 * quarter of its life when that is shorter); callers arriving while a token is being
 * fetched share that one request; a token a service rejected is dropped (once) and the next
 * caller fetches a new one. The token and the credentials are registered as secrets and
 * never appear in a log line or an error.
 */
import { z } from 'zod';
import type { Logger } from '../../../log.js';
import { registerSecret } from '../../../log.js';
import { CatalogEntry } from './catalog.js';
import type { CloudAuth, ResolvedCloud } from './clouds.js';
import { openstackShapeError, openstackStatusError, requestIdOf } from '../errors.js';
import type { Transport } from './http.js';

/** A token and what came with it. `refreshAt` is when it stops being handed out. */
export interface AuthSession {
  token: string;
  expiresAt: number;
  refreshAt: number;
  catalog: CatalogEntry[];
  projectId: string | undefined;
  userId: string | undefined;
}

/** The most a token is refreshed ahead of its expiry. */
export const REFRESH_MARGIN_MS = 60_000;

const TokenBody = z.object({
  token: z.object({
    expires_at: z.string(),
    catalog: z.array(CatalogEntry).default([]),
    project: z.object({ id: z.string() }).optional(),
    user: z.object({ id: z.string() }).optional(),
  }),
});

export interface KeystoneAuthOptions {
  transport: Transport;
  log?: Logger | undefined;
  /** Clock, for tests. */
  now?: () => number;
  refreshMarginMs?: number;
}

/** Holds the current token of one cloud; see the module comment for its rules. */
export class KeystoneAuth {
  private current: AuthSession | undefined;
  private inflight: Promise<AuthSession> | undefined;

  constructor(
    private readonly cloud: ResolvedCloud,
    private readonly options: KeystoneAuthOptions,
  ) {}

  /** A valid session: the cached one, the one being fetched, or a new one. Never aborted by one caller. */
  session(): Promise<AuthSession> {
    const now = this.options.now?.() ?? Date.now();
    if (this.current && now < this.current.refreshAt) return Promise.resolve(this.current);
    this.inflight ??= this.authenticate().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets `token` if it is still the current one (a service answered 401 to it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async authenticate(): Promise<AuthSession> {
    const url = `${identityUrl(this.cloud.authUrl)}/auth/tokens`;
    const action = `authenticate (cloud ${this.cloud.name}, ${this.cloud.auth.type})`;
    const response = await this.options.transport.send({
      service: 'identity',
      action,
      method: 'POST',
      url,
      body: authRequestBody(this.cloud.auth),
      idempotent: true,
    });
    if (response.status !== 201 && response.status !== 200) throw openstackStatusError('identity', action, response);
    const requestId = requestIdOf(response.headers);
    const token = response.headers.get('x-subject-token');
    if (!token) throw openstackShapeError('identity', action, 'no X-Subject-Token header', requestId);
    registerSecret(token);
    const parsed = TokenBody.safeParse(parseJson(response.bodyText));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw openstackShapeError('identity', action, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'bad body'}`, requestId);
    }
    const expiresAt = Date.parse(parsed.data.token.expires_at);
    if (Number.isNaN(expiresAt)) throw openstackShapeError('identity', action, 'token.expires_at is not a time', requestId);
    const now = this.options.now?.() ?? Date.now();
    const margin = Math.min(this.options.refreshMarginMs ?? REFRESH_MARGIN_MS, Math.max(0, (expiresAt - now) / 4));
    const session: AuthSession = {
      token,
      expiresAt,
      refreshAt: expiresAt - margin,
      catalog: parsed.data.token.catalog,
      projectId: parsed.data.token.project?.id,
      userId: parsed.data.token.user?.id,
    };
    this.current = session;
    this.options.log?.debug('openstack authenticated', {
      cloud: this.cloud.name,
      method: this.cloud.auth.type,
      expiresAt: new Date(expiresAt).toISOString(),
      services: session.catalog.map((s) => s.type).join(','),
    });
    return session;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Keystone's v3 base URL: `auth_url` as written when it ends in `/v3`, else with `/v3` appended (a `/v2.0` is replaced). */
export function identityUrl(authUrl: string): string {
  const url = authUrl.replace(/\/+$/, '');
  if (/\/v3$/.test(url)) return url;
  if (/\/v2\.0$/.test(url)) return `${url.slice(0, -'/v2.0'.length)}/v3`;
  return `${url}/v3`;
}

type Ref = { id: string } | { name: string; domain?: { id: string } | { name: string } };

function userRef(auth: Pick<CloudAuth, 'userId' | 'username' | 'userDomainId' | 'userDomainName'>): Ref {
  if (auth.userId !== undefined) return { id: auth.userId };
  return { name: auth.username ?? '', ...domainRef(auth.userDomainId, auth.userDomainName) };
}

function domainRef(id: string | undefined, name: string | undefined): { domain?: { id: string } | { name: string } } {
  if (id !== undefined) return { domain: { id } };
  if (name !== undefined) return { domain: { name } };
  return {};
}

/** The JSON body of `POST /v3/auth/tokens` for these credentials (it holds the secret: never log it). */
export function authRequestBody(auth: CloudAuth): unknown {
  if (auth.type === 'v3applicationcredential') {
    const credential = auth.id !== undefined ? { id: auth.id, secret: auth.secret } : { name: auth.name, secret: auth.secret, user: userRef(auth) };
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  const project: Ref =
    auth.projectId !== undefined
      ? { id: auth.projectId }
      : { name: auth.projectName ?? '', ...domainRef(auth.projectDomainId, auth.projectDomainName) };
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...userRef(auth), password: auth.password } } },
      scope: { project },
    },
  };
}
