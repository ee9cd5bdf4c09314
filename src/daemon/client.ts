/**
 * The CLI's side of the daemon's API. A command goes remote when a daemon URL is given
 * (`--daemon URL`, else $GAMEDAY_DAEMON_URL, else `daemon.url` in the config); the token
 * comes from `--token-file`, else $GAMEDAY_TOKEN. The token is sent only in the
 * Authorization header and never appears in a message.
 */
import { readFileSync } from 'node:fs';
import { GamedayError, errorMessage } from '../errors.js';
import { registerSecret } from '../log.js';
import type { Config } from '../config.js';

/** Where a running daemon is and how to authenticate to it. */
export interface Remote {
  url: string;
  token?: string;
}

export interface RemoteFlags {
  daemon?: string;
  tokenFile?: string;
}

/** The API's answer: status and parsed JSON body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The daemon to talk to, or undefined when the command should act locally. */
export function remoteFrom(flags: RemoteFlags, config: Pick<Config, 'daemon'>, env: NodeJS.ProcessEnv = process.env): Remote | undefined {
  const url = flags.daemon ?? (env.GAMEDAY_DAEMON_URL || undefined) ?? config.daemon.url;
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^/]+/.test(url)) throw new GamedayError(`daemon URL must be http(s)://HOST:PORT, got ${JSON.stringify(url)}`);
  const token = readToken(flags.tokenFile, env);
  return { url: url.replace(/\/+$/, ''), ...(token !== undefined && { token }) };
}

function readToken(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  let token: string | undefined;
  if (file !== undefined) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new GamedayError(`cannot read token file ${file}: ${errorMessage(err)}`, { cause: err });
    }
    if (!token) throw new GamedayError(`token file ${file} is empty`);
  } else token = env.GAMEDAY_TOKEN || undefined;
  registerSecret(token);
  return token;
}

/** One API call. Throws GamedayError when the daemon cannot be reached or does not answer JSON. */
export async function callDaemon(remote: Remote, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(`${remote.url}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        ...(remote.token !== undefined && { Authorization: `Bearer ${remote.token}` }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    throw new GamedayError(`cannot reach the daemon at ${remote.url}: ${errorMessage(cause ?? err)}`, { cause: err });
  }
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : {} };
  } catch {
    throw new GamedayError(`the daemon at ${remote.url} answered ${method} ${path} with ${res.status} and a body that is not JSON`);
  }
}

/** The `{ error: { message } }` of an API error answer. */
export function apiError(answer: ApiAnswer): string {
  const e = (answer.body as { error?: { code?: string; message?: string } } | null)?.error;
  return e?.message ? `${e.message} (${answer.status}${e.code ? ` ${e.code}` : ''})` : `HTTP ${answer.status}`;
}

/** Throws GamedayError for 401/403/5xx and other unexpected answers; returns the body of a 2xx. */
export function expectOk(answer: ApiAnswer, what: string): unknown {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const hint = answer.status === 401 ? ' — give a token with --token-file or $GAMEDAY_TOKEN' : '';
  throw new GamedayError(`${what}: the daemon refused: ${apiError(answer)}${hint}`);
}
