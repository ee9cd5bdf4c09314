/**
 * The volume FUSE-mounted at /mnt/home on the client host, for `dd of=…`, `cat` and `rm -f`.
 * Rules: only the client host has the mount (elsewhere, and outside /mnt/home, paths do not
 * exist); DHT places a file in a replica set by the hash of its name; an operation uses the
 * set's bricks the client reaches — a write to a degraded set leaves heal entries, and with
 * no brick reachable the call fails with ENOTCONN ("Transport endpoint is not connected");
 * while a brick of the set is frozen and network.ping-timeout has not passed since the
 * SIGSTOP, the call waits for it (the client has not given up on the brick yet).
 * Directories under /mnt/home exist implicitly.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { SimClock } from '../clock.js';
import type { BrickProcess } from './bricks.js';
import type { GlusterPool } from './pool.js';
import { CLIENT_HOST, fail, MOUNT_POINT, ok, type CommandResult } from './types.js';

const ENOTCONN = 'Transport endpoint is not connected';
const ENOENT = 'No such file or directory';

/** The client's view of the volume's files. */
export class ClientMount {
  private readonly files = new Map<string, Buffer>();

  constructor(
    private readonly pool: GlusterPool,
    private readonly clock: SimClock,
  ) {}

  /** Paths of the files on the volume, sorted. */
  list(): string[] {
    return [...this.files.keys()].sort();
  }

  /** A file's content (a copy). */
  content(path: string): Buffer | undefined {
    const data = this.files.get(path);
    return data ? Buffer.from(data) : undefined;
  }

  /** The replica set DHT places `path` in. */
  replicaSetOf(path: string): number {
    const sets = this.pool.setIndexes();
    const hash = createHash('md5').update(posix.basename(path)).digest();
    return sets[(hash[0] ?? 0) % sets.length] ?? 0;
  }

  /** `dd of=PATH conv=fsync status=none` with `data` on stdin. */
  async write(host: string, path: string, data: Buffer): Promise<CommandResult> {
    if (!this.onMount(host, path)) return fail(1, `dd: failed to open '${path}': ${ENOENT}\n`);
    const set = this.replicaSetOf(path);
    const reached = await this.reachable(set);
    if (reached.length === 0) return fail(1, `dd: failed to open '${path}': ${ENOTCONN}\n`);
    this.files.set(path, Buffer.from(data));
    this.pool.recordPartialWrite(set, reached);
    return ok();
  }

  /** `cat -- PATH`. */
  async read(host: string, path: string): Promise<CommandResult> {
    if (!this.onMount(host, path)) return fail(1, `cat: ${path}: ${ENOENT}\n`);
    const reached = await this.reachable(this.replicaSetOf(path));
    if (reached.length === 0) return fail(1, `cat: ${path}: ${ENOTCONN}\n`);
    const data = this.files.get(path);
    return data ? { code: 0, stdout: data.toString('utf8'), stderr: '' } : fail(1, `cat: ${path}: ${ENOENT}\n`);
  }

  /** `rm -f -- PATH`: a missing file is no error. */
  async remove(host: string, path: string): Promise<CommandResult> {
    if (!this.onMount(host, path)) return ok();
    const set = this.replicaSetOf(path);
    const reached = await this.reachable(set);
    if (reached.length === 0) return fail(1, `rm: cannot remove '${path}': ${ENOTCONN}\n`);
    if (this.files.delete(path)) this.pool.recordPartialWrite(set, reached);
    return ok();
  }

  private onMount(host: string, path: string): boolean {
    if (host !== CLIENT_HOST || !path.startsWith(`${MOUNT_POINT}/`)) return false;
    const rest = path.slice(MOUNT_POINT.length + 1).split('/');
    return rest.every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  }

  /** The set's bricks the client reaches, after waiting out bricks it has not given up on yet. */
  private async reachable(set: number): Promise<BrickProcess[]> {
    for (;;) {
      const bricks = this.pool.brickProcesses().filter((b) => b.replicaSet === set);
      const now = this.clock.now();
      const hangUntil = Math.max(0, ...bricks.map((b) => this.givesUpAt(b)));
      if (hangUntil > now) {
        await this.clock.sleep(hangUntil - now);
        continue;
      }
      return bricks.filter((b) => this.pool.reachableFrom(CLIENT_HOST, b));
    }
  }

  /** When the client gives up on a frozen brick it can still reach (0 when it is not frozen). */
  private givesUpAt(brick: BrickProcess): number {
    if (brick.state !== 'frozen' || brick.frozenAt === undefined || !this.pool.connected(CLIENT_HOST, brick.host)) return 0;
    return brick.frozenAt + this.pool.pingTimeoutMs();
  }
}
