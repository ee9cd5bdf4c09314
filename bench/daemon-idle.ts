/**
 * Daemon at rest: `gameday daemon` started as its own process with no game day configured,
 * then its RSS (/proc/PID/status) and CPU time (/proc/PID/stat utime+stime) sampled every
 * 5 s for 60 s (DURATION_S to change). Runs the built dist/ when it has the daemon, else
 * src/ through tsx (whose loader adds memory; the figure says which). Targets (2-core
 * machine): RSS <= 90 MB, CPU <= 0.5 % of one core. Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const built = existsSync(join(root, 'dist/daemon/daemon.js'));
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
const args = built ? [join(root, 'dist/cli/main.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
const durationS = Number(process.env['DURATION_S'] ?? 60);
const TICKS_PER_S = 100; // USER_HZ on Linux

const dir = mkdtempSync(join(tmpdir(), 'gameday-bench-idle-'));
const config = join(dir, 'gameday.yaml');
writeFileSync(config, `store: { path: ${join(dir, 'gameday.db')} }\nlog: { level: warn, format: json }\n`);
const child = spawn(node, [...args, 'daemon', '--config', config, '--listen', '127.0.0.1:0', '--log-level', 'info'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
child.stderr.on('data', (d: Buffer) => (log += d.toString()));

function cpuTicks(pid: number): number {
  // fields after the command name (which may hold spaces) start at field 3; utime, stime are 14, 15
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

try {
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /"url":"(http:\/\/[^"]+)"/.exec(log)?.[1];
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the daemon did not start: ${log}`);
    await sleep(50);
  }
  await sleep(2000); // start-up work (recovery, catalog) is not idle time
  const pid = child.pid!;
  console.log(`daemon-idle: ${built ? 'dist/' : 'src/ through tsx'}, ${durationS} s at rest, NODE_OPTIONS=${JSON.stringify(process.env['NODE_OPTIONS'] ?? '')} (the image sets --max-semi-space-size=1); ${machine()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  const t0 = performance.now();
  const c0 = cpuTicks(pid);
  const rss: number[] = [rssMb(pid)];
  for (let s = 5; s <= durationS; s += 5) {
    await sleep(5000);
    rss.push(rssMb(pid));
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = (cpuTicks(pid) - c0) / TICKS_PER_S;
  console.log(`RSS MB: first ${rss[0]!.toFixed(1)}  last ${rss[rss.length - 1]!.toFixed(1)}  max ${Math.max(...rss).toFixed(1)}   (target <= 90)`);
  console.log(`CPU: ${cpuS.toFixed(2)} s over ${wallS.toFixed(1)} s = ${((100 * cpuS) / wallS).toFixed(3)} % of one core   (target <= 0.5 %)`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
