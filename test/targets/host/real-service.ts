/**
 * A real service on this machine for the host target's tests: test/fixtures/host/server.mjs
 * (GET /health → 200) started by start.sh, which daemonizes it with setsid and writes a
 * pidfile, as a real init script would. Everything it needs lives in a fresh temp dir; every
 * process it started is killed by pid in `close()`. Facts are read straight from /proc and
 * the files, never through gameday's code.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const START_SCRIPT = fileURLToPath(new URL('../../fixtures/host/start.sh', import.meta.url));
export const SERVER_SCRIPT = fileURLToPath(new URL('../../fixtures/host/server.mjs', import.meta.url));

export interface RealService {
  dir: string;
  port: number;
  pidfile: string;
  url: string;
  markerDir: string;
  /** The restart command gameday gets: `start.sh NODE PIDFILE PORT LOG`. */
  start: string[];
  /** The service's command line as ps shows it. */
  command: string;
  /** `targets.host` for a local host named `localhost`. */
  settings: Record<string, unknown>;
  /** The pid in the pidfile (undefined when there is none). */
  pid(): number | undefined;
  /** Runs the start command now (as an operator would). */
  startNow(): Promise<void>;
  /** Resolves once /health answers 200 (throws after `ms`). */
  healthy(ms?: number): Promise<void>;
  /** Marker files in the marker directory. */
  markers(): string[];
  /** Remembers a pid to kill in close(). */
  track(pid: number): void;
  close(): Promise<void>;
}

/** A process's state letter and start time from /proc/PID/stat; undefined when it does not exist. */
export function procState(pid: number): { state: string; startTime: number; argv: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).trim().split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
    return { state: fields[0] ?? '?', startTime: Number(fields[19]), argv };
  } catch {
    return undefined;
  }
}

/** Whether the process runs (exists and is not a zombie). */
export function alive(pid: number): boolean {
  const state = procState(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Status of GET url, or 0 when nothing answers. */
export async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`${file} failed: ${stderr || err.message}`)) : resolve()));
  });
}

/** Starts the service and waits until it answers. */
export async function realService(): Promise<RealService> {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-host-'));
  const port = await freePort();
  const pidfile = join(dir, 'service.pid');
  const log = join(dir, 'service.log');
  const markerDir = join(dir, 'markers');
  const url = `http://127.0.0.1:${port}/health`;
  const start = [START_SCRIPT, process.execPath, pidfile, String(port), log];
  // pid → start time: a pid is killed in close() only while it is still that process
  const tracked = new Map<number, number>();
  const track = (pid: number): void => {
    const startTime = procState(pid)?.startTime;
    if (startTime !== undefined && !tracked.has(pid)) tracked.set(pid, startTime);
  };
  const readPid = (): number | undefined => {
    try {
      const text = readFileSync(pidfile, 'utf8').trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  };
  const service: RealService = {
    dir, port, pidfile, url, markerDir, start,
    command: [process.execPath, SERVER_SCRIPT, String(port)].join(' '),
    settings: { transport: 'local', hosts: [{ name: 'localhost' }], markerDir, commandTimeout: '20s' },
    pid: readPid,
    async startNow() {
      const [file = '', ...args] = start;
      await run(file, args);
      const pid = readPid();
      if (pid) track(pid);
    },
    async healthy(ms = 10_000) {
      const deadline = Date.now() + ms;
      while ((await statusOf(url)) !== 200) {
        if (Date.now() > deadline) throw new Error(`${url} does not answer 200 after ${ms} ms (log: ${existsSync(log) ? readFileSync(log, 'utf8') : 'none'})`);
        await sleep(50);
      }
      const pid = readPid();
      if (pid) track(pid);
    },
    markers: () => (existsSync(markerDir) ? readdirSync(markerDir) : []),
    track,
    async close() {
      const pid = readPid();
      if (pid) track(pid);
      for (const [p, startTime] of tracked) {
        if (!alive(p) || procState(p)?.startTime !== startTime) continue;
        try {
          process.kill(p, 'SIGCONT');
          process.kill(p, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await service.startNow();
  await service.healthy();
  return service;
}

/** Starts `argv` detached from this process (its own session), returns its pid; kill it by pid. */
export function spawnDetached(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', 'setsid "$@" >/dev/null 2>&1 </dev/null & echo $!', 'sh', ...argv], (err, stdout) => (err ? reject(err) : resolve(Number(stdout.trim()))));
  });
}

/**
 * A front for the service, like a proxy or load balancer: GET on its URL asks the service's
 * /health and answers what it answered, or 503 when the service does not answer (so a probe
 * through it sees a breach, not an error). In this process; `close()` ends it.
 */
export async function front(service: RealService): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((_req, res) => {
    fetch(service.url, { signal: AbortSignal.timeout(1000) })
      .then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(await answer.text());
      })
      .catch(() => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('no backend\n');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
