/**
 * `/proc/PID/stat` and `/proc/PID/cmdline` of a lab host's processes, as Linux writes them.
 * Rules: stat is one line of 52 fields — `pid (comm) state …`, comm the first 15 bytes of
 * the program's base name, field 22 the start time in clock ticks (USER_HZ 100) since the
 * host booted; a frozen process is in state `T`, others `S`; cmdline is the argument words,
 * each ended by a NUL. Other /proc files and other fields' meanings are not modelled (they
 * hold plausible constants).
 */

/** A process as /proc shows it. */
export interface ProcView {
  pid: number;
  argv: readonly string[];
  state: 'S' | 'T';
  /** Simulated epoch ms when it started. */
  startedAt: number;
}

const USER_HZ = 100;

/** The text of `/proc/PID/stat`. */
export function procStat(p: ProcView, bootedAt: number): string {
  const comm = (p.argv[0] ?? '').split('/').pop()?.slice(0, 15) ?? '';
  const start = Math.max(0, Math.floor(((p.startedAt - bootedAt) * USER_HZ) / 1000));
  // fields 4..21: ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue
  const head = [1, p.pid, p.pid, 0, -1, 4194560, 1843, 0, 12, 0, 41, 17, 0, 0, 20, 0, 1, 0];
  // fields 23..52: vsize rss rsslim … exit_code
  const tail = [123_715_584, 2_894, '18446744073709551615', 1, 1, 0, 0, 0, 0, 0, 4096, 16_384, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return `${p.pid} (${comm}) ${p.state} ${head.join(' ')} ${start} ${tail.join(' ')}\n`;
}

/** The text of `/proc/PID/cmdline`. */
export function procCmdline(p: ProcView): string {
  return p.argv.map((word) => `${word}\0`).join('');
}

/** `/proc/PID/stat` or `/proc/PID/cmdline`: which file of which pid, or undefined for another path. */
export function procPath(path: string): { pid: number; file: 'stat' | 'cmdline' } | undefined {
  const match = /^\/proc\/([1-9][0-9]*)\/(stat|cmdline)$/.exec(path);
  return match ? { pid: Number(match[1]), file: match[2] as 'stat' | 'cmdline' } : undefined;
}
