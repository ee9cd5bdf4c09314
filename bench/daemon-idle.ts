/**
 * Daemon at rest: `gameday daemon` started as its own process with no game day configured,
 * then its RSS (/proc/PID/status) and CPU time (/proc/PID/stat utime+stime) sampled every
 * 5 s for 60 s (DURATION_S to change). Runs the built dist/ when it has the daemon, else
 * src/ through tsx (whose loader adds memory; the figure says which). Targets (2-core
 * machine): RSS <= 90 MB, CPU <= 0.5 % of one core. Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startDaemonProcess } from './daemon-process.js';
import { machine } from './stats.js';

const durationS = Number(process.env['DURATION_S'] ?? 60);
const TICKS_PER_S = 100; // USER_HZ on Linux

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

const daemon = await startDaemonProcess('idle');
try {
  await sleep(2000); // start-up work (recovery, catalog) is not idle time
  const pid = daemon.pid;
  console.log(`daemon-idle: ${daemon.built ? 'dist/' : 'src/ through tsx'}, ${durationS} s at rest, NODE_OPTIONS=${JSON.stringify(process.env['NODE_OPTIONS'] ?? '')} (the image sets --max-semi-space-size=1); ${machine()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
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
  await daemon.stop();
}
