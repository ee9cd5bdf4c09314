/**
 * `setsid -f sh -c SCRIPT NAME SECONDS TAG [ACTION ARG…]` on a lab host: a detached sleeper
 * that acts once after SECONDS of simulated time, then is gone (`ps`/`pgrep` show it
 * meanwhile; `kill -- -PID` ends it first). Rules: SCRIPT is opaque — what the sleeper does
 * is read from its arguments, as gameday's sleepers pass them: without ACTION, every
 * iptables rule of the host whose comment is TAG is removed (the partition's sleeper); with
 * one, the sleeper runs the same commands a real one runs, through the host's own commands,
 * so each step answers as the real tool does:
 * - `cont PID START`: `cat /proc/PID/stat`, then `kill -s CONT PID` only if the process is
 *   there, not a zombie, and its field 22 is START;
 * - `run-unless-pidfile FILE ARGV…`: ARGV unless `cat FILE` gives a pid whose /proc/PID/stat
 *   exists;
 * - `run-unless-command REGEX ARGV…`: ARGV unless `pgrep -f -x -- REGEX` finds one;
 * - `run ARGV…`: ARGV; any other ACTION: nothing (the real script exits 2).
 * The sleeper's output goes nowhere, as the real one's goes to /dev/null.
 */
import type { GlusterPool } from './pool.js';
import { fail, ok, type CommandResult } from './types.js';

/** How a sleeper runs one command on its host (the host's own command table). */
export type HostCommandRunner = (pool: GlusterPool, host: string, argv: readonly string[]) => Promise<CommandResult>;

/** `setsid -f sh -c SCRIPT NAME SECONDS TAG [ACTION ARG…]`. */
export function startSleeper(pool: GlusterPool, host: string, args: string[], run: HostCommandRunner): CommandResult {
  const [fork, shell, dashC, script, name, seconds, tag, ...action] = args;
  if (fork !== '-f' || shell !== 'sh' || dashC !== '-c' || script === undefined || name === undefined || tag === undefined) {
    return fail(1, 'setsid: the lab runs only: setsid -f sh -c SCRIPT NAME SECONDS TAG [ACTION ARG…]\n');
  }
  if (seconds === undefined || !/^\d+(\.\d+)?$/.test(seconds)) return fail(2, `sh: 1: sleep: Invalid time interval '${seconds ?? ''}'\n`);
  // what ps shows for `sh -c SCRIPT NAME ARGS`: the words joined by spaces
  const commandLine = ['sh', '-c', script, name, seconds, tag, ...action].join(' ');
  if (action.length === 0) {
    pool.hosts.scheduleRuleRemoval(host, Number(seconds), tag, commandLine, (removal) => pool.change(removal));
  } else {
    pool.hosts.scheduleSleeper(host, Number(seconds), commandLine, () => {
      act(pool, host, action, run).catch(() => undefined);
    });
  }
  return ok();
}

async function act(pool: GlusterPool, host: string, [kind, ...args]: string[], run: HostCommandRunner): Promise<void> {
  if (kind === 'cont') {
    const [pid = '', start = ''] = args;
    const stat = await run(pool, host, ['cat', `/proc/${pid}/stat`]);
    if (stat.code !== 0) return;
    const fields = stat.stdout.slice(stat.stdout.lastIndexOf(') ') + 2).trim().split(' ');
    if (fields[0] !== 'Z' && fields[19] === start) await run(pool, host, ['kill', '-s', 'CONT', pid]);
    return;
  }
  if (kind === 'run-unless-pidfile') {
    const [pidfile = '', ...argv] = args;
    const read = await run(pool, host, ['cat', pidfile]);
    const pid = read.stdout.trim();
    if (read.code === 0 && pid !== '' && (await run(pool, host, ['cat', `/proc/${pid}/stat`])).code === 0) return;
    await run(pool, host, argv);
    return;
  }
  if (kind === 'run-unless-command') {
    const [regex = '', ...argv] = args;
    if ((await run(pool, host, ['pgrep', '-f', '-x', '--', regex])).code === 0) return;
    await run(pool, host, argv);
    return;
  }
  if (kind === 'run') await run(pool, host, args);
}
