/**
 * The real JupyterHub 3.0 that .ci/run brings up with scripts/jupyterhub/up.sh:
 * configurable-http-proxy on 127.0.0.1:8000 (API 8001) in front of the hub on 8081,
 * DummyAuthenticator, single-user servers as local processes, a service `gameday` whose
 * token may manage users and servers and read metrics. Its state dir comes from
 * GAMEDAY_JUPYTERHUB_STATE; a missing variable or a proxy that does not answer is a failure
 * that says how to bring it up, never a skip. A hub that a test killed is not an error here:
 * `ensureHubUp()` brings it back (what each test calls first, for isolation).
 *
 * Plain fetch and /proc, independent of gameday's JupyterHub client. Tokens are read from
 * their files and never put in an error message.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processState, readEnvFile } from '../../helpers/service-state.js';

export interface RealJupyterHub {
  /** The state directory (GAMEDAY_JUPYTERHUB_STATE, absolute). */
  state: string;
  /** Public URL, through the proxy: http://127.0.0.1:8000 */
  url: string;
  /** The hub's REST API through the proxy: http://127.0.0.1:8000/hub/api */
  apiUrl: string;
  /** configurable-http-proxy's REST API: http://127.0.0.1:8001 */
  proxyApiUrl: string;
  /** The gameday service's API token. */
  token: string;
  /** The proxy's API token (CONFIGPROXY_AUTH_TOKEN). */
  proxyToken: string;
  tokenFile: string;
  proxyTokenFile: string;
  hubPidFile: string;
  /** argv of the command that starts the hub and returns once it is healthy (harmless when it runs). */
  startHub: string[];
  /** The hub's pid if its pid file names a live (not zombie) hub process, else undefined. */
  hubPid(): number | undefined;
  /** Starts the hub if it is not running or not healthy, and returns once /hub/health answers 200. */
  ensureHubUp(): Promise<void>;
  /** fetch(apiUrl + path) with the service token; `body` is sent as JSON. The caller reads the response. */
  api(method: string, path: string, body?: unknown): Promise<Response>;
}

const HOW = (state: string): string =>
  `bring JupyterHub up first (bash scripts/jupyterhub/up.sh ${state}) and run with GAMEDAY_JUPYTERHUB_STATE=${state}, as .ci/run does`;

function readSecret(file: string, state: string): string {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return value;
  } catch { /* reported below */ }
  throw new Error(`no token in ${file}; ${HOW(state)}`);
}

/** Runs argv; resolves with its output, rejects with the exit status and output. */
function run(argv: string[], timeoutMs: number): Promise<string> {
  const [cmd, ...args] = argv;
  return new Promise((done, fail) => {
    execFile(cmd!, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${argv.join(' ')} failed (${err.message.split('\n')[0]}): ${stderr.trim() || stdout.trim()}`, { cause: err }));
      else done(stdout + stderr);
    });
  });
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

/** The hub setup of GAMEDAY_JUPYTERHUB_STATE, its proxy checked to answer; throws (never skips) otherwise. */
export async function realJupyterHub(): Promise<RealJupyterHub> {
  const raw = process.env['GAMEDAY_JUPYTERHUB_STATE'];
  if (!raw) throw new Error(`GAMEDAY_JUPYTERHUB_STATE is not set: ${HOW('$PWD/var/jupyterhub')}`);
  const state = resolve(raw);
  const envFile = join(state, 'env');
  if (!existsSync(envFile)) throw new Error(`no ${envFile}: JupyterHub is not up at ${state}; ${HOW(state)}`);
  const env = readEnvFile(envFile);
  const need = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`${envFile} lacks ${key}; ${HOW(state)}`);
    return value;
  };
  const url = need('HUB_URL');
  const apiUrl = need('HUB_API_URL');
  const proxyApiUrl = need('PROXY_API_URL');
  const tokenFile = need('API_TOKEN_FILE');
  const proxyTokenFile = need('PROXY_TOKEN_FILE');
  const hubPidFile = need('HUB_PID_FILE');
  const startHub = need('START_HUB').split(' ').filter(Boolean);
  const token = readSecret(tokenFile, state);
  const proxyToken = readSecret(proxyTokenFile, state);

  const proxy = await status(`${proxyApiUrl}/api/routes`, { Authorization: `token ${proxyToken}` });
  if (proxy !== 200) throw new Error(`the proxy's API at ${proxyApiUrl} ${proxy ? `answers ${proxy}` : 'does not answer'}: JupyterHub is not up at ${state}; ${HOW(state)}`);

  const hubPid = (): number | undefined => {
    let pid: number;
    try {
      pid = Number(readFileSync(hubPidFile, 'utf8').trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const st = processState(pid);
    if (st === undefined || st === 'Z') return undefined;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(state, 'jupyterhub_config.py')) ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const ensureHubUp = async (): Promise<void> => {
    if (hubPid() !== undefined && (await status(`${url}/hub/health`)) === 200) return;
    await run(startHub, 90_000);
    const health = await status(`${url}/hub/health`);
    if (health !== 200) throw new Error(`${startHub.join(' ')} returned but ${url}/hub/health answers ${health || 'nothing'}`);
  };

  const api = (method: string, path: string, body?: unknown): Promise<Response> => {
    if (!path.startsWith('/')) throw new Error(`api path must start with '/': ${path}`);
    const headers: Record<string, string> = { Authorization: `token ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(`${apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  };

  return { state, url, apiUrl, proxyApiUrl, token, proxyToken, tokenFile, proxyTokenFile, hubPidFile, startHub, hubPid, ensureHubUp, api };
}
