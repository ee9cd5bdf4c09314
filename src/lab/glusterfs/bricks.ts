/**
 * The brick processes (glusterfsd) of the volume and the pids and ports glusterd hands out.
 * Rules: every process gets a pid never used before in this lab (from 4100 up) and a port
 * in 49152..60999 no running brick holds; a respawned brick gets a new pid and a new port
 * but keeps its socket path (glusterd derives it from the brick); a frozen (SIGSTOPped)
 * process still exists — glusterd and `ps` see it — it just answers nobody.
 */
import { createHash } from 'node:crypto';
import { VOLUME_NAME } from './types.js';

/** What a brick process is doing. */
export type BrickState = 'running' | 'killed' | 'frozen';

/** One brick of the volume and its glusterfsd process. */
export interface BrickProcess {
  readonly host: string;
  readonly path: string;
  /** Index of the replica set the brick belongs to (0 for the first two bricks, …). */
  readonly replicaSet: number;
  /** The socket glusterd talks to the brick on (`/var/run/gluster/<hex>.socket`). */
  readonly socket: string;
  state: BrickState;
  /** The pid of the current (or last) process. */
  pid: number;
  /** The TCP port of the current (or last) process. */
  port: number;
  /** Simulated ms when the process was stopped (SIGSTOP), while frozen. */
  frozenAt: number | undefined;
  /** Simulated ms when the current (or last) process started. */
  startedAt: number;
}

/** `HOST:PATH`, the name gluster gives a brick. */
export function brickName(brick: Pick<BrickProcess, 'host' | 'path'>): string {
  return `${brick.host}:${brick.path}`;
}

/** The lowest and highest port glusterd gives bricks (base-port / max-port of glusterd.vol). */
export const BRICK_PORTS = { min: 49152, max: 60999 } as const;

/** Hands out pids and brick ports the way one machine's kernel and glusterd would. */
export class ProcessNumbers {
  private nextPid = 4100;

  /** A pid never handed out before in this lab. */
  pid(): number {
    const pid = this.nextPid;
    this.nextPid += 1 + Math.floor(Math.random() * 24);
    return pid;
  }

  /** A free brick port (random, as glusterd's portmap picks one in recent releases). */
  port(taken: ReadonlySet<number>): number {
    for (;;) {
      const port = BRICK_PORTS.min + Math.floor(Math.random() * (BRICK_PORTS.max - BRICK_PORTS.min + 1));
      if (!taken.has(port)) return port;
    }
  }
}

/** The socket path of a brick: stable per host and brick. */
export function brickSocket(host: string, path: string): string {
  return `/var/run/gluster/${createHash('sha256').update(`${host}:${path}`).digest('hex').slice(0, 16)}.socket`;
}

/** The command line of a brick process, as `ps -o args=` shows it. */
export function brickCommandLine(brick: BrickProcess, hostUuid: string): string {
  const dashed = brick.path.replace(/^\//, '').replace(/\//g, '-');
  return [
    '/usr/sbin/glusterfsd',
    `-s ${brick.host}`,
    `--volfile-id ${VOLUME_NAME}.${brick.host}.${dashed}`,
    `-p /var/run/gluster/vols/${VOLUME_NAME}/${brick.host}-${dashed}.pid`,
    `-S ${brick.socket}`,
    `--brick-name ${brick.path}`,
    `-l /var/log/glusterfs/bricks/${dashed}.log`,
    `--xlator-option *-posix.glusterd-uuid=${hostUuid}`,
    '--process-name brick',
    `--brick-port ${brick.port}`,
    `--xlator-option ${VOLUME_NAME}-server.listen-port=${brick.port}`,
  ].join(' ');
}
