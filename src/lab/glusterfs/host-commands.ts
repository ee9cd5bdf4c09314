/**
 * The commands a lab host runs for gameday's glusterfs and host targets: gluster, ps, kill,
 * date, iptables, systemctl, the detached TTL sleepers (`setsid -f sh -c SCRIPT gameday-ttl
 * SECONDS TAG [ACTION ARG…]`, sleepers.ts) with pgrep and process-group kills,
 * mkdir/dd/cat/rm/grep on the host's /run (markers, pidfiles), cat of /proc/PID/stat and /proc/PID/cmdline and, on the client,
 * dd/cat/rm on the mount. Rules: each answers with the real tool's exit code and messages
 * for the argument shapes gameday sends; a sleeper's SCRIPT is opaque — what it does after
 * SECONDS of simulated time is read from its arguments (sleepers.ts); any other program is
 * "command not found" (127).
 */
import { runGluster } from './gluster-cli.js';
import { procCmdline, procPath, procStat } from './proc.js';
import { inRunDir } from './run-dir.js';
import type { BrickSignal, GlusterPool } from './pool.js';
import { startSleeper } from './sleepers.js';
import { runSystemctl } from './systemctl.js';
import { fail, ok, type CommandResult } from './types.js';

type Command = (pool: GlusterPool, host: string, args: string[], stdin: Buffer) => CommandResult | Promise<CommandResult>;

const COMMANDS: Record<string, Command> = {
  gluster: (pool, host, args) => runGluster(pool, host, args),
  ps,
  kill,
  date,
  iptables,
  setsid: (pool, host, args) => startSleeper(pool, host, args, runHostCommand),
  pgrep,
  systemctl: (pool, host, args) => runSystemctl(pool, host, args),
  dd: (pool, host, args, stdin) => dd(pool, host, args, stdin),
  cat,
  rm: (pool, host, args) => {
    const path = operand(args, ['-f']);
    if (path === undefined) return fail(1, 'rm: the lab removes one file: rm -f -- PATH\n');
    return inRunDir(path) ? pool.runDirs.remove(host, path) : pool.mount.remove(host, path);
  },
  mkdir: (pool, host, args) => {
    const rest = args[0] === '-p' ? args.slice(1) : args;
    const dirs = rest[0] === '-m' ? rest.slice(2) : rest;
    const [dir, ...extra] = dirs;
    if (args[0] !== '-p' || dir === undefined || extra.length) return fail(1, 'mkdir: the lab creates one directory: mkdir -p [-m MODE] DIR\n');
    return pool.runDirs.mkdir(host, dir);
  },
  grep: (pool, host, args) => {
    const [r, s, h, dashes, pattern, dir, ...extra] = args;
    if (r !== '-r' || s !== '-s' || h !== '-H' || dashes !== '--' || pattern !== '' || dir === undefined || extra.length) {
      return fail(2, "grep: the lab lists files only: grep -r -s -H -- '' DIR\n");
    }
    return pool.runDirs.grep(host, dir);
  },
};

/** Whether the command reads its standard input (the SSH layer collects it first). */
export function readsStdin(argv: readonly string[]): boolean {
  return argv[0] === 'dd';
}

/** Runs `argv` on `host`. */
export async function runHostCommand(pool: GlusterPool, host: string, argv: readonly string[], stdin: Buffer = Buffer.alloc(0)): Promise<CommandResult> {
  const [program, ...args] = argv;
  if (program === undefined) return ok();
  const command = Object.hasOwn(COMMANDS, program) ? COMMANDS[program] : undefined;
  if (!command) return fail(127, `bash: ${program}: command not found\n`);
  return command(pool, host, args, stdin);
}

/** The single operand after the allowed flags and an optional `--`. */
function operand(args: string[], flags: string[]): string | undefined {
  let i = 0;
  while (i < args.length && flags.includes(args[i] ?? '')) i += 1;
  if (args[i] === '--') i += 1;
  return args.length === i + 1 ? args[i] : undefined;
}

/** `ps -o args= -p PID`: the process's command line (a brick or a unit's main process), or exit 1 and nothing. */
function ps(pool: GlusterPool, host: string, args: string[]): CommandResult {
  let format: string | undefined;
  let pid: string | undefined;
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '-o') format = args[i + 1];
    else if (args[i] === '-p') pid = args[i + 1];
    else return fail(1, `error: unsupported option ${args[i] ?? ''} (the lab's ps answers -o args= -p PID)\n`);
  }
  if ((format !== 'args=' && format !== 'args') || pid === undefined || !/^\d+$/.test(pid)) return fail(1, 'error: the lab\'s ps answers -o args= -p PID\n');
  const header = format === 'args' ? 'COMMAND\n' : '';
  const process = pool.processInfo(host, Number(pid));
  return process ? ok(`${header}${process.argv.join(' ')}\n`) : fail(1, '', header);
}

const SIGNALS: Record<string, BrickSignal> = {
  KILL: 'KILL', SIGKILL: 'KILL', '9': 'KILL', TERM: 'TERM', SIGTERM: 'TERM', '15': 'TERM',
  STOP: 'STOP', SIGSTOP: 'STOP', '19': 'STOP', CONT: 'CONT', SIGCONT: 'CONT', '18': 'CONT',
};

/** `kill [-SIG|-s SIG] PID…`: bricks, units' main processes, and (`-PID`) the sleepers' process groups. */
function kill(pool: GlusterPool, host: string, args: string[]): CommandResult {
  let signal: BrickSignal = 'TERM';
  let rest = args;
  if (rest[0] === '-s' && rest[1] !== undefined) {
    const named = SIGNALS[rest[1].toUpperCase()];
    if (!named) return fail(1, `kill: unknown signal: ${rest[1]}\n`);
    signal = named;
    rest = rest.slice(2);
  } else if (rest[0]?.startsWith('-') && rest[0] !== '--') {
    const named = SIGNALS[rest[0].slice(1).toUpperCase()];
    if (!named) return fail(1, `kill: unknown signal: ${rest[0].slice(1)}\n`);
    signal = named;
    rest = rest.slice(1);
  }
  if (rest[0] === '--') rest = rest.slice(1);
  if (rest.length === 0) return fail(1, 'kill: usage: kill [-s sigspec | -signum | -sigspec] pid\n');
  let stderr = '';
  for (const pid of rest) {
    if (/^-\d+$/.test(pid)) {
      // a process group: only the detached sleepers lead groups of their own here
      if (!pool.hosts.killSleeper(host, Number(pid.slice(1)))) stderr += `kill: (${pid}) - No such process\n`;
      continue;
    }
    if (!/^\d+$/.test(pid)) stderr += `kill: ${pid}: arguments must be process or job IDs\n`;
    else if (!pool.signal(host, Number(pid), signal) && !pool.units.signal(host, Number(pid), signal)) stderr += `kill: (${pid}) - No such process\n`;
  }
  return stderr ? fail(1, stderr) : ok();
}

/** `date -u +%s`: simulated epoch seconds. */
function date(pool: GlusterPool, _host: string, args: string[]): CommandResult {
  const format = args.filter((a) => a !== '-u');
  if (format.length !== 1 || format[0] !== '+%s') return fail(1, 'date: the lab\'s date answers +%s only\n');
  return ok(`${Math.floor(pool.now() / 1000)}\n`);
}

/** `iptables -w …` on the host's own table. */
function iptables(pool: GlusterPool, host: string, args: string[]): CommandResult {
  const table = pool.hosts.get(host)?.iptables;
  if (!table) return fail(127, 'bash: iptables: command not found\n');
  return pool.change(() => table.run(args));
}

/**
 * `pgrep -f [-x] [--] PATTERN`: pids (ascending) of the host's processes whose command line
 * (words joined by spaces) matches the extended regular expression — anywhere, or the whole
 * line with -x; exit 1 when none, 2 for bad usage or a bad expression.
 */
function pgrep(pool: GlusterPool, host: string, args: string[]): CommandResult {
  let full = false;
  let exact = false;
  let i = 0;
  for (; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      i += 1;
      break;
    }
    if (!/^-[fx]+$/.test(arg)) break;
    full ||= arg.includes('f');
    exact ||= arg.includes('x');
  }
  const [pattern, ...extra] = args.slice(i);
  if (!full || pattern === undefined || pattern.startsWith('-') || extra.length) return fail(2, 'pgrep: the lab answers pgrep -f [-x] [--] PATTERN\n');
  let re: RegExp;
  try {
    re = new RegExp(exact ? `^(?:${pattern})$` : pattern);
  } catch {
    return fail(2, `pgrep: invalid regular expression: ${pattern}\n`);
  }
  const lines = new Map<number, string>(pool.processList(host).map((p) => [p.pid, p.argv.join(' ')]));
  for (const [pid, sleeper] of pool.hosts.get(host)?.sleepers ?? new Map<number, { commandLine: string }>()) lines.set(pid, sleeper.commandLine);
  const pids = [...lines].filter(([, line]) => re.test(line)).map(([pid]) => pid).sort((a, b) => a - b);
  return pids.length ? ok(`${pids.join('\n')}\n`) : fail(1, '');
}

/**
 * `cat [--] FILE…`: each file in turn — /proc/PID/stat and /proc/PID/cmdline of the host's
 * processes, the running units' pidfiles, files under /run, files on the mount (client
 * host); a missing one is reported
 * on stderr and makes the exit status 1, the others are still printed.
 */
async function cat(pool: GlusterPool, host: string, args: string[]): Promise<CommandResult> {
  const paths = args[0] === '--' ? args.slice(1) : args;
  if (paths.length === 0 || paths.some((p) => p.startsWith('-'))) return fail(1, 'cat: the lab reads files: cat [--] FILE…\n');
  let stdout = '';
  let stderr = '';
  for (const path of paths) {
    const proc = procPath(path);
    let result: CommandResult;
    if (proc) {
      const process = pool.processInfo(host, proc.pid);
      const text = process && (proc.file === 'stat' ? procStat(process, pool.units.bootedAt(host)) : procCmdline(process));
      result = text === undefined ? fail(1, `cat: ${path}: No such file or directory\n`) : ok(text);
    } else {
      const pidFile = pool.units.pidFile(host, path);
      if (pidFile !== undefined) result = ok(pidFile);
      else result = inRunDir(path) ? pool.runDirs.read(host, path) : await pool.mount.read(host, path);
    }
    stdout += result.stdout;
    stderr += result.stderr;
  }
  return { code: stderr ? 1 : 0, stdout, stderr };
}

const DD_OPERANDS = new Set(['of', 'conv', 'status', 'bs', 'oflag']);

/** `dd of=PATH conv=fsync status=none` with the content on stdin. */
function dd(pool: GlusterPool, host: string, args: string[], stdin: Buffer): Promise<CommandResult> | CommandResult {
  let path: string | undefined;
  for (const arg of args) {
    const [key = '', value] = arg.split(/=(.*)/s);
    if (value === undefined || !DD_OPERANDS.has(key)) return fail(1, `dd: unrecognized operand '${arg}'\nTry 'dd --help' for more information.\n`);
    if (key === 'of') path = value;
  }
  if (path === undefined) return fail(1, 'dd: the lab writes files only: dd of=PATH\n');
  return inRunDir(path) ? pool.runDirs.write(host, path, stdin) : pool.mount.write(host, path, stdin);
}
