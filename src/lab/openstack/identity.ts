/**
 * Keystone's state on the lab: one domain, one project, one user with member/reader roles,
 * one application credential bound to that project, the service catalog, and the tokens
 * issued. Rules: a token is accepted until it expires (one hour of real time, as Keystone's
 * default) or is revoked; credentials that do not match give no hint which part was wrong
 * (401 with Keystone's generic message); an application credential cannot ask for a scope.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CloudError } from './errors.js';

/** The lab cloud's fixed credentials and names (what `cloudsYaml()` writes). */
export const LAB_OPENSTACK = {
  userName: 'gameday',
  password: 'lab-password',
  projectName: 'jupytercloud',
  domainName: 'Default',
  domainId: 'default',
  region: 'RegionOne',
  appCredentialName: 'gameday-lab',
  appCredentialSecret: 'lab-appcred-secret',
} as const;

/** Keystone's default token lifetime. */
export const TOKEN_LIFETIME_MS = 3_600_000;

const UNAUTHORIZED = 'The request you have made requires authentication.';

/** How a token was obtained. */
export type AuthMethod = 'password' | 'application_credential' | 'token';

/** An issued token. */
export interface TokenRecord {
  id: string;
  methods: AuthMethod[];
  /** Project scope; undefined for an unscoped token. */
  projectId: string | undefined;
  appCredentialId: string | undefined;
  auditId: string;
  issuedAt: number;
  expiresAt: number;
}

interface Named {
  id: string;
  name: string;
}

/** One endpoint family of the catalog. */
interface CatalogService {
  id: string;
  type: 'identity' | 'compute' | 'network' | 'image';
  name: string;
  /** Path under the lab's base URL. */
  path: string;
  endpointIds: [string, string, string];
}

function hexId(): string {
  return randomUUID().replace(/-/g, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keystone's timestamps: microseconds and a Z (`2025-01-02T03:04:05.000000Z`). */
export function keystoneTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The lab's identity service state. */
export class LabIdentity {
  readonly domain: Named = { id: LAB_OPENSTACK.domainId, name: LAB_OPENSTACK.domainName };
  readonly project: Named = { id: hexId(), name: LAB_OPENSTACK.projectName };
  readonly user: Named & { password: string } = { id: hexId(), name: LAB_OPENSTACK.userName, password: LAB_OPENSTACK.password };
  readonly roles: Named[] = [
    { id: hexId(), name: 'member' },
    { id: hexId(), name: 'reader' },
  ];
  readonly appCredential: Named & { secret: string } = { id: hexId(), name: LAB_OPENSTACK.appCredentialName, secret: LAB_OPENSTACK.appCredentialSecret };
  private readonly services: CatalogService[] = [
    { id: hexId(), type: 'identity', name: 'keystone', path: '/identity', endpointIds: [hexId(), hexId(), hexId()] },
    { id: hexId(), type: 'compute', name: 'nova', path: '/compute/v2.1', endpointIds: [hexId(), hexId(), hexId()] },
    { id: hexId(), type: 'network', name: 'neutron', path: '/network', endpointIds: [hexId(), hexId(), hexId()] },
    { id: hexId(), type: 'image', name: 'glance', path: '/image', endpointIds: [hexId(), hexId(), hexId()] },
  ];
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Authenticates a `POST /v3/auth/tokens` body; throws `CloudError` 400/401. */
  authenticate(body: unknown): TokenRecord {
    const auth = isObject(body) ? body['auth'] : undefined;
    if (!isObject(auth)) throw new CloudError(400, "Invalid input for field 'auth': 'auth' is a required property");
    const identity = auth['identity'];
    if (!isObject(identity)) throw new CloudError(400, "Invalid input for field 'identity': 'identity' is a required property");
    const methods = identity['methods'];
    if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) {
      throw new CloudError(400, "Invalid input for field 'methods': 'methods' is a required property");
    }
    const method = methods[0] as string;
    const scope = auth['scope'];
    if (method === 'password') {
      this.checkPasswordUser(identity['password']);
      return this.issue(['password'], this.projectScope(scope), undefined);
    }
    if (method === 'application_credential') {
      if (scope !== undefined) throw new CloudError(401, 'Application credentials cannot request a scope.');
      this.checkAppCredential(identity['application_credential']);
      return this.issue(['application_credential'], this.project.id, this.appCredential.id);
    }
    if (method === 'token') {
      const given = isObject(identity['token']) ? identity['token']['id'] : undefined;
      const previous = typeof given === 'string' ? this.validate(given) : undefined;
      if (!previous) throw new CloudError(401, UNAUTHORIZED);
      const projectId = scope === undefined ? previous.projectId : this.projectScope(scope);
      return this.issue([...new Set<AuthMethod>([...previous.methods, 'token'])], projectId, previous.appCredentialId, previous.expiresAt);
    }
    throw new CloudError(401, `Attempted to authenticate with an unsupported method.`);
  }

  /** The token, if it exists and has not expired. */
  validate(id: string): TokenRecord | undefined {
    const token = this.tokens.get(id);
    if (!token) return undefined;
    if (token.expiresAt <= this.now()) {
      this.tokens.delete(id);
      return undefined;
    }
    return token;
  }

  /** Revokes a token; returns false when it was not valid. */
  revoke(id: string): boolean {
    const valid = this.validate(id) !== undefined;
    this.tokens.delete(id);
    return valid;
  }

  /** Keystone's token body; the catalog points at `baseUrl` (omitted for unscoped tokens or `nocatalog`). */
  tokenBody(token: TokenRecord, baseUrl: string, withCatalog = true): unknown {
    const domain = { id: this.domain.id, name: this.domain.name };
    const body: Record<string, unknown> = {
      methods: token.methods,
      user: { domain, id: this.user.id, name: this.user.name, password_expires_at: null },
      audit_ids: [token.auditId],
      expires_at: keystoneTime(token.expiresAt),
      issued_at: keystoneTime(token.issuedAt),
    };
    if (token.projectId) {
      body['project'] = { domain, id: this.project.id, name: this.project.name };
      body['is_domain'] = false;
      body['roles'] = this.roles.map((r) => ({ id: r.id, name: r.name }));
      if (withCatalog) body['catalog'] = this.catalog(baseUrl);
    }
    if (token.appCredentialId) body['application_credential'] = { id: this.appCredential.id, name: this.appCredential.name, restricted: true };
    return { token: body };
  }

  /** The service catalog: identity, compute, network and image, each public/internal/admin in RegionOne. */
  catalog(baseUrl: string): unknown[] {
    const interfaces = ['public', 'internal', 'admin'] as const;
    return this.services.map((s) => ({
      endpoints: interfaces.map((iface, i) => ({ id: s.endpointIds[i], interface: iface, region_id: LAB_OPENSTACK.region, url: baseUrl + s.path, region: LAB_OPENSTACK.region })),
      id: s.id,
      type: s.type,
      name: s.name,
    }));
  }

  private issue(methods: AuthMethod[], projectId: string | undefined, appCredentialId: string | undefined, expiresAt?: number): TokenRecord {
    const issuedAt = this.now();
    const token: TokenRecord = {
      id: `gAAAAA${randomBytes(132).toString('base64url')}`,
      methods,
      projectId,
      appCredentialId,
      auditId: randomBytes(16).toString('base64url').slice(0, 22),
      issuedAt,
      expiresAt: expiresAt ?? issuedAt + TOKEN_LIFETIME_MS,
    };
    this.tokens.set(token.id, token);
    return token;
  }

  private checkPasswordUser(password: unknown): void {
    const user = isObject(password) ? password['user'] : undefined;
    if (!isObject(user)) throw new CloudError(400, "Invalid input for field 'password': 'user' is a required property");
    if (!this.isLabUser(user) || user['password'] !== this.user.password) throw new CloudError(401, UNAUTHORIZED);
  }

  private isLabUser(user: Record<string, unknown>): boolean {
    if (typeof user['id'] === 'string') return user['id'] === this.user.id;
    return user['name'] === this.user.name && this.isLabDomain(user['domain']);
  }

  private isLabDomain(domain: unknown): boolean {
    if (!isObject(domain)) return false;
    if (typeof domain['id'] === 'string') return domain['id'] === this.domain.id;
    return domain['name'] === this.domain.name;
  }

  private projectScope(scope: unknown): string | undefined {
    if (scope === undefined || scope === 'unscoped') return undefined;
    if (!isObject(scope)) throw new CloudError(400, "Invalid input for field 'scope': not an object");
    const project = scope['project'];
    if (!isObject(project)) throw new CloudError(401, UNAUTHORIZED);
    const matches = typeof project['id'] === 'string' ? project['id'] === this.project.id : project['name'] === this.project.name && this.isLabDomain(project['domain']);
    if (!matches) throw new CloudError(401, UNAUTHORIZED);
    return this.project.id;
  }

  private checkAppCredential(given: unknown): void {
    if (!isObject(given) || typeof given['secret'] !== 'string') {
      throw new CloudError(400, "Invalid input for field 'application_credential': 'secret' is a required property");
    }
    const byId = typeof given['id'] === 'string' && given['id'] === this.appCredential.id;
    const user = given['user'];
    const byName = given['name'] === this.appCredential.name && isObject(user) && this.isLabUser(user);
    if (!(byId || byName) || given['secret'] !== this.appCredential.secret) throw new CloudError(401, UNAUTHORIZED);
  }
}
