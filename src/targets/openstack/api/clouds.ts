/**
 * Finding the cloud the way every OpenStack user already has it (openstacksdk's rules):
 *
 * - clouds.yaml: `$OS_CLIENT_CONFIG_FILE`, else `./clouds.yaml`, `~/.config/openstack/clouds.yaml`,
 *   `/etc/openstack/clouds.yaml` (`.yml` and `.json` too); the first found wins. A secure.yaml
 *   (`$OS_CLIENT_SECURE_FILE`, else the same places) is deep-merged over it.
 * - Which cloud: the `cloud` setting, else `$OS_CLOUD`, else the `OS_*` variables (when any
 *   credential variable is set), else the file's only cloud. A named cloud never mixes with
 *   the `OS_*` variables; an explicit `cloudsFile` setting skips them too.
 *
 * Errors name the file (or `environment`) and the key, never a value. Every password and
 * secret read is registered with the logger, so it is masked wherever it would appear.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { TargetError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import type { EndpointInterface } from '../settings.js';

/** Keystone v3 password auth, project-scoped. Users and projects by id or by name in a domain. */
export interface PasswordAuth {
  type: 'password';
  password: string;
  userId?: string;
  username?: string;
  userDomainId?: string;
  userDomainName?: string;
  projectId?: string;
  projectName?: string;
  projectDomainId?: string;
  projectDomainName?: string;
}

/** Keystone v3 application credential: by id, or by name with its user. Its scope is its own project. */
export interface AppCredentialAuth {
  type: 'v3applicationcredential';
  secret: string;
  id?: string;
  name?: string;
  userId?: string;
  username?: string;
  userDomainId?: string;
  userDomainName?: string;
}

export type CloudAuth = PasswordAuth | AppCredentialAuth;

/** One cloud, ready to authenticate against: where it came from, Keystone's URL, the credentials. */
export interface ResolvedCloud {
  /** The cloud's name in clouds.yaml, or `envvars` for the OS_* variables. */
  name: string;
  /** The file it was read from (`~/…` shortened), or `environment`. */
  source: string;
  /** Keystone's URL as written (with or without `/v3`). */
  authUrl: string;
  auth: CloudAuth;
  regionName?: string;
  interface?: EndpointInterface;
}

/** Where to look; every field defaults to the process's own (settings `cloud`/`cloudsFile`, process.env, cwd, home). */
export interface CloudLookup {
  cloud?: string;
  cloudsFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  home?: string;
}

const SITE_DIR = '/etc/openstack';
const SUFFIXES = ['.yaml', '.yml', '.json'] as const;

/** The OS_* variables that hold credentials: any of them set makes the environment a cloud. */
const ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  OS_AUTH_URL: ['auth', 'auth_url'],
  OS_AUTH_TYPE: ['auth_type'],
  OS_USERNAME: ['auth', 'username'],
  OS_USER_ID: ['auth', 'user_id'],
  OS_PASSWORD: ['auth', 'password'],
  OS_PROJECT_NAME: ['auth', 'project_name'],
  OS_PROJECT_ID: ['auth', 'project_id'],
  OS_TENANT_NAME: ['auth', 'tenant_name'],
  OS_TENANT_ID: ['auth', 'tenant_id'],
  OS_USER_DOMAIN_NAME: ['auth', 'user_domain_name'],
  OS_USER_DOMAIN_ID: ['auth', 'user_domain_id'],
  OS_PROJECT_DOMAIN_NAME: ['auth', 'project_domain_name'],
  OS_PROJECT_DOMAIN_ID: ['auth', 'project_domain_id'],
  OS_DOMAIN_NAME: ['auth', 'domain_name'],
  OS_DOMAIN_ID: ['auth', 'domain_id'],
  OS_APPLICATION_CREDENTIAL_ID: ['auth', 'application_credential_id'],
  OS_APPLICATION_CREDENTIAL_NAME: ['auth', 'application_credential_name'],
  OS_APPLICATION_CREDENTIAL_SECRET: ['auth', 'application_credential_secret'],
};

/** Variables that shape the environment's cloud but do not make one on their own. */
const ENV_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  OS_REGION_NAME: ['region_name'],
  OS_INTERFACE: ['interface'],
  OS_ENDPOINT_TYPE: ['interface'],
  OS_IDENTITY_API_VERSION: ['identity_api_version'],
};

/** The clouds.yaml paths searched, in order (the first existing one is read). */
export function cloudsFileCandidates(lookup: CloudLookup = {}): string[] {
  return candidates('clouds', lookup.env?.['OS_CLIENT_CONFIG_FILE'] ?? process.env['OS_CLIENT_CONFIG_FILE'], lookup);
}

/** The secure.yaml paths searched, in order: an explicit clouds file's own directory comes first. */
export function secureFileCandidates(lookup: CloudLookup = {}): string[] {
  const explicit = lookup.cloudsFile;
  const beside = explicit ? SUFFIXES.map((s) => join(dirname(explicit), `secure${s}`)) : [];
  const rest = candidates('secure', lookup.env?.['OS_CLIENT_SECURE_FILE'] ?? process.env['OS_CLIENT_SECURE_FILE'], lookup);
  return [...new Set([...beside, ...rest])];
}

function candidates(base: string, override: string | undefined, lookup: CloudLookup): string[] {
  const home = lookup.home ?? homedir();
  const dirs = [lookup.cwd ?? process.cwd(), join(home, '.config', 'openstack'), SITE_DIR];
  const files = dirs.flatMap((dir) => SUFFIXES.map((s) => join(dir, `${base}${s}`)));
  return override ? [override, ...files] : files;
}

/**
 * Whether any cloud could be found without settings: OS_* variables, or a clouds.yaml in
 * one of the searched places. Cheap (environment and file existence only).
 */
export function anyCloudDefined(lookup: CloudLookup = {}): boolean {
  return hasEnvCloud(lookup.env ?? process.env) || cloudsFileCandidates(lookup).some((f) => existsSync(f));
}

/**
 * The cloud to use (see the module comment for the order). Throws a non-retryable
 * TargetError naming the file and key of the first missing or bad credential field.
 */
export function resolveCloud(lookup: CloudLookup = {}): ResolvedCloud {
  const env = lookup.env ?? process.env;
  const home = lookup.home ?? homedir();
  const show = (file: string): string => (file.startsWith(`${home}/`) ? `~/${file.slice(home.length + 1)}` : file);
  const file = lookup.cloudsFile ?? cloudsFileCandidates({ ...lookup, env }).find((f) => existsSync(f));
  const named = lookup.cloud ?? nonEmpty(env['OS_CLOUD']);
  const from = lookup.cloud !== undefined ? 'targets.openstack.cloud' : 'OS_CLOUD';
  if (named === undefined && lookup.cloudsFile === undefined && hasEnvCloud(env)) return cloudFromEnv(env);
  if (file === undefined) {
    const looked = cloudsFileCandidates({ ...lookup, env }).filter((f) => f.endsWith('.yaml')).map(show).join(', ');
    if (named !== undefined) throw configError(`OpenStack cloud "${named}" (from ${from}): no clouds.yaml found (looked in ${looked})`);
    throw configError(`no OpenStack cloud configured: set targets.openstack.cloud or OS_CLOUD and write a clouds.yaml (looked in ${looked}), or set the OS_* variables`);
  }
  const secure = secureFileCandidates({ ...lookup, env }).find((f) => existsSync(f));
  const clouds = readClouds(file, show(file));
  const merged = secure ? deepMerge(clouds, readClouds(secure, show(secure))) : clouds;
  const names = Object.keys(merged);
  const name = named ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined && names.length === 0) throw configError(`${show(file)}: clouds: no cloud defined`);
  if (name === undefined) {
    throw configError(`${show(file)}: more than one cloud (${names.join(', ')}); name one with targets.openstack.cloud or OS_CLOUD`);
  }
  const raw = merged[name];
  if (!isRecord(raw)) {
    const have = names.length > 0 ? names.join(', ') : 'none';
    throw configError(`${show(file)}: clouds.${name}: missing (clouds in this file: ${have})`);
  }
  return readCloud(normalizeKeys(raw), { name, source: show(file), key: (path) => ['clouds', name, ...path].join('.') });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function hasEnvCloud(env: Readonly<Record<string, string | undefined>>): boolean {
  return Object.keys(ENV_KEYS).some((k) => nonEmpty(env[k]) !== undefined);
}

function cloudFromEnv(env: Readonly<Record<string, string | undefined>>): ResolvedCloud {
  const raw: Record<string, unknown> = { auth: {} };
  const auth = raw['auth'] as Record<string, unknown>;
  const byPath = new Map<string, string>();
  for (const [name, path] of [...Object.entries(ENV_OPTIONS), ...Object.entries(ENV_KEYS)]) {
    const value = nonEmpty(env[name]);
    byPath.set(path.join('.'), byPath.get(path.join('.')) ?? name);
    if (value === undefined) continue;
    const [first, second] = path;
    if (second !== undefined) auth[second] ??= value;
    else if (first !== undefined) raw[first] ??= value;
  }
  const key = (path: readonly string[]): string => byPath.get(path.join('.')) ?? `OS_${(path.at(-1) ?? '').toUpperCase()}`;
  return readCloud(raw, { name: 'envvars', source: 'environment', key });
}

/** Where a cloud's fields come from, for messages: its name, its source, and how a key is written there. */
interface CloudOrigin {
  name: string;
  source: string;
  key(path: readonly string[]): string;
}

function readCloud(raw: Record<string, unknown>, origin: CloudOrigin): ResolvedCloud {
  const fail = (path: readonly string[], problem: string): TargetError => configError(`${origin.source}: ${origin.key(path)}: ${problem}`);
  const text = (path: readonly string[]): string | undefined => {
    let value: unknown = raw;
    for (const p of path) value = isRecord(value) ? value[p] : undefined;
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') throw fail(path, 'expected a string');
    return value;
  };
  const need = (path: readonly string[], or?: string): string => {
    const value = text(path);
    if (value === undefined) throw fail(path, or ? `missing (or ${alt(or)})` : 'missing');
    return value;
  };
  const alt = (authKey: string): string => origin.key(['auth', authKey]).split('.').at(-1) ?? authKey;
  if (raw['auth'] !== undefined && !isRecord(raw['auth'])) throw fail(['auth'], 'expected a mapping');
  checkTls(raw, fail);
  const version = text(['identity_api_version']);
  if (version !== undefined && !/^3(\.\d+)?$/.test(version)) throw fail(['identity_api_version'], 'only Identity v3 is supported');
  const authUrl = need(['auth', 'auth_url']);
  const auth = readAuth(text, need, fail, alt);
  const regionName = text(['region_name']) ?? firstRegion(raw['regions']);
  const iface = readInterface(text(['interface']), () => fail(['interface'], 'expected public, internal or admin'));
  return {
    name: origin.name,
    source: origin.source,
    authUrl,
    auth,
    ...(regionName !== undefined && { regionName }),
    ...(iface !== undefined && { interface: iface }),
  };
}

type Text = (path: readonly string[]) => string | undefined;
type Need = (path: readonly string[], or?: string) => string;
type Fail = (path: readonly string[], problem: string) => TargetError;

function readAuth(text: Text, need: Need, fail: Fail, alt: (authKey: string) => string): CloudAuth {
  const at = (k: string): string | undefined => text(['auth', k]);
  const declared = text(['auth_type']);
  const type = declared ?? (at('application_credential_secret') !== undefined ? 'v3applicationcredential' : 'password');
  const user = {
    ...optional('userId', at('user_id')),
    ...optional('username', at('username')),
    ...optional('userDomainId', at('user_domain_id') ?? (at('user_domain_name') === undefined ? at('domain_id') : undefined)),
    ...optional('userDomainName', at('user_domain_name') ?? (at('user_domain_id') === undefined ? at('domain_name') : undefined)),
  };
  const needUserDomain = (): void => {
    if (user.userId === undefined && user.userDomainId === undefined && user.userDomainName === undefined) {
      throw fail(['auth', 'user_domain_name'], `missing (or ${alt('user_domain_id')}, or ${alt('user_id')})`);
    }
  };
  if (type === 'password' || type === 'v3password') {
    if (user.userId === undefined) need(['auth', 'username'], 'user_id');
    needUserDomain();
    const password = need(['auth', 'password']);
    registerSecret(password);
    const projectId = at('project_id') ?? at('tenant_id');
    const projectName = at('project_name') ?? at('tenant_name');
    if (projectId === undefined && projectName === undefined) need(['auth', 'project_name'], 'project_id');
    const project = {
      ...optional('projectId', projectId),
      ...optional('projectName', projectName),
      ...optional('projectDomainId', at('project_domain_id') ?? (at('project_domain_name') === undefined ? at('domain_id') : undefined)),
      ...optional('projectDomainName', at('project_domain_name') ?? (at('project_domain_id') === undefined ? at('domain_name') : undefined)),
    };
    if (projectId === undefined && project.projectDomainId === undefined && project.projectDomainName === undefined) {
      throw fail(['auth', 'project_domain_name'], `missing (or ${alt('project_domain_id')}, or ${alt('project_id')})`);
    }
    return { type: 'password', password, ...user, ...project };
  }
  if (type === 'v3applicationcredential' || type === 'applicationcredential' || type === 'application_credential') {
    const secret = need(['auth', 'application_credential_secret']);
    registerSecret(secret);
    const id = at('application_credential_id');
    if (id !== undefined) return { type: 'v3applicationcredential', secret, id };
    const name = need(['auth', 'application_credential_name'], 'application_credential_id');
    if (user.userId === undefined) need(['auth', 'username'], 'user_id');
    needUserDomain();
    return { type: 'v3applicationcredential', secret, name, ...user };
  }
  throw fail(['auth_type'], `unsupported "${type}" (supported: password, v3password, v3applicationcredential)`);
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function checkTls(raw: Record<string, unknown>, fail: Fail): void {
  const off = raw['verify'] === false || raw['verify'] === 'false' || raw['insecure'] === true || raw['insecure'] === 'true';
  if (off) {
    const key = raw['verify'] !== undefined ? 'verify' : 'insecure';
    throw fail([key], 'turning TLS verification off is not supported; give Node the CA instead (NODE_EXTRA_CA_CERTS)');
  }
}

function firstRegion(regions: unknown): string | undefined {
  if (!Array.isArray(regions)) return undefined;
  const first: unknown = regions[0];
  if (typeof first === 'string' && first !== '') return first;
  if (isRecord(first) && typeof first['name'] === 'string' && first['name'] !== '') return first['name'];
  return undefined;
}

function readInterface(value: string | undefined, bad: () => TargetError): EndpointInterface | undefined {
  if (value === undefined) return undefined;
  const plain = value.replace(/URL$/, '');
  if (plain === 'public' || plain === 'internal' || plain === 'admin') return plain;
  throw bad();
}

/** The `clouds` mapping of one file. Syntax errors give a position, never the offending text (it may hold a secret). */
function readClouds(file: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw configError(`${shown}: cannot read the file${typeof code === 'string' ? ` (${code})` : ''}`, err);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw configError(`${shown}:${pos.line}:${pos.col}: YAML syntax error (${first.code})`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) return {};
  if (!isRecord(data)) throw configError(`${shown}: expected a mapping with a clouds key`);
  const clouds = data['clouds'];
  if (clouds === undefined || clouds === null) return {};
  if (!isRecord(clouds)) throw configError(`${shown}: clouds: expected a mapping of cloud names`);
  return clouds;
}

/** `b` over `a`: mappings merged key by key, anything else (lists too) replaced. Neither input is modified. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const before = out[key];
    out[key] = isRecord(before) && isRecord(value) ? deepMerge(before, value) : value;
  }
  return out;
}

/** Keys as openstacksdk reads them: `auth-url` and `auth_url` are the same key. */
function normalizeKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/-/g, '_'), isRecord(v) ? normalizeKeys(v) : v]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(message: string, cause?: unknown): TargetError {
  return new TargetError(message, { retryable: false, ...(cause !== undefined && { cause }) });
}
