/**
 * Each lab host's `/run`: a tmpfs, so files there vanish when the guest powers off. gameday
 * keeps its fault markers in `/run/gameday/…`; the lab answers the commands that manage
 * them the way coreutils and grep do: `mkdir -p [-m MODE] DIR`, `dd of=FILE …` (stdin),
 * `cat [--] FILE`, `rm -f [--] FILE`, `grep -r -s -H -- '' DIR` (every line as `path:line`;
 * exit 0 when something matched, 1 when nothing, 2 when DIR is missing).
 */
import { fail, ok, type CommandResult } from './types.js';

export const RUN_DIR = '/run';

/** Whether `path` is inside /run (after normalising `//` and refusing `..`). */
export function inRunDir(path: string): boolean {
  return path.startsWith(`${RUN_DIR}/`) && !path.split('/').includes('..');
}

export class RunDirs {
  private readonly files = new Map<string, Map<string, Buffer>>();
  private readonly dirs = new Map<string, Set<string>>();

  private of(host: string): { files: Map<string, Buffer>; dirs: Set<string> } {
    if (!this.files.has(host)) this.files.set(host, new Map());
    if (!this.dirs.has(host)) this.dirs.set(host, new Set([RUN_DIR]));
    return { files: this.files.get(host) as Map<string, Buffer>, dirs: this.dirs.get(host) as Set<string> };
  }

  mkdir(host: string, path: string): CommandResult {
    if (!inRunDir(path) && path !== RUN_DIR) return fail(1, `mkdir: cannot create directory '${path}': Read-only file system\n`);
    const { dirs } = this.of(host);
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
    return ok();
  }

  write(host: string, path: string, content: Buffer): CommandResult {
    const { files, dirs } = this.of(host);
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!dirs.has(parent)) return fail(1, `dd: failed to open '${path}': No such file or directory\n`);
    files.set(path, Buffer.from(content));
    return ok();
  }

  read(host: string, path: string): CommandResult {
    const content = this.of(host).files.get(path);
    return content ? ok(content.toString('utf8')) : fail(1, `cat: ${path}: No such file or directory\n`);
  }

  remove(host: string, path: string): CommandResult {
    this.of(host).files.delete(path);
    return ok();
  }

  grep(host: string, dir: string): CommandResult {
    const { files, dirs } = this.of(host);
    if (!dirs.has(dir)) return fail(2, '');
    const lines: string[] = [];
    for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      if (!path.startsWith(`${dir}/`)) continue;
      for (const line of content.toString('utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)) lines.push(`${path}:${line}`);
    }
    return lines.length ? ok(`${lines.join('\n')}\n`) : fail(1, '');
  }

  /** A guest that powers off loses its /run. */
  clear(host: string): void {
    this.files.delete(host);
    this.dirs.delete(host);
  }

  /** Files under /run of a host, for tests. */
  list(host: string): string[] {
    return [...this.of(host).files.keys()];
  }
}
