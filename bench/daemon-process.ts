/**
 * A `gameday daemon` started as its own process for the daemon benches: the built dist/ when
 * it has the daemon, else src/ through tsx (whose loader adds memory; `built` says which),
 * with a fresh store, no game day and an ephemeral port. `stop()` sends SIGTERM, waits for
 * the exit and removes the temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  built: boolean;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts the daemon and waits (up to 60 s) until it logs the URL it listens on. */
export async function startDaemonProcess(name: string): Promise<DaemonProcess> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const built = existsSync(join(root, 'dist/daemon/daemon.js'));
  const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
  const args = built ? [join(root, 'dist/cli/main.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  const dir = mkdtempSync(join(tmpdir(), `gameday-bench-${name}-`));
  const config = join(dir, 'gameday.yaml');
  writeFileSync(config, `store: { path: ${join(dir, 'gameday.db')} }\nlog: { level: warn, format: json }\n`);
  const child = spawn(node, [...args, 'daemon', '--config', config, '--listen', '127.0.0.1:0', '--log-level', 'info'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /"url":"(http:\/\/[^"]+)"/.exec(log)?.[1];
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the daemon did not start: ${log}`);
    }
    await sleep(50);
  }
  return { child, pid: child.pid!, url, built, stop };
}
