/**
 * Detached sleepers: a fault's dead man's switch on its own host. A sleeper is
 * `setsid -f sh -c SCRIPT gameday-ttl SECONDS TAG ACTION ARG…`: a new session (no
 * controlling terminal, its own process group, so it outlives the SSH session or the local
 * child that started it), its output detached, which waits SECONDS on the host and then
 * undoes the fault once, by itself, and exits. Rules: SCRIPT is a constant — every value
 * reaches it as a positional argument, checked here first; TAG (`gameday:<fault id>`) names
 * it in its argv, so it is found again by `pgrep -f` and ended with its process group
 * (`kill -TERM -- -PID`) by restore or recovery; starting a tag's sleeper ends the ones
 * already there (a repeated inject leaves one); ending none is no error. Actions:
 * - `cont PID START`: SIGCONT to PID, only if /proc/PID/stat still gives START as its start
 *   time (a reused pid is never signalled) and it is not a zombie;
 * - `run-unless-pidfile FILE ARGV…` / `run-unless-command REGEX ARGV…`: runs ARGV unless the
 *   process named by the pidfile is alive, or one runs a command line matching REGEX exactly
 *   (`pgrep -f -x`);
 * - `run ARGV…`: runs ARGV.
 */
import { TargetError } from '../errors.js';
import { commandFailure, type Transport } from './types.js';

/** `$0` of every sleeper: what `pgrep -f` looks for, before the seconds and the tag. */
export const SLEEPER_NAME = 'gameday-ttl';
/** A sleeper's tag: `gameday:` and a fault id. */
export const SLEEPER_TAG_PATTERN = /^gameday:[A-Za-z0-9._:-]{1,200}$/;
const PID = /^[1-9][0-9]{0,9}$/;
const PLAIN_WORD = /^\P{Cc}{1,4096}$/u;

/** What a sleeper does when its time comes. */
export type SleeperAction =
  | { kind: 'cont'; pid: number; startTime: number }
  | { kind: 'run'; argv: readonly string[] }
  | { kind: 'run-unless-pidfile'; pidfile: string; argv: readonly string[] }
  | { kind: 'run-unless-command'; regex: string; argv: readonly string[] };

/** The sleeper's script; $1 seconds, $2 tag, $3 action, then the action's arguments. Constant text. */
export const SLEEPER_SCRIPT = [
  'exec </dev/null >/dev/null 2>&1',
  'sleep "$1" || exit 1',
  'action=$3',
  'shift 3',
  'if [ "$action" = cont ]; then',
  '  stat=$(cat "/proc/$1/stat") || exit 0',
  '  set -- "$1" "$2" ${stat##*) }',
  '  if [ "$3" != Z ] && [ "${22}" = "$2" ]; then kill -s CONT "$1"; fi',
  '  exit 0',
  'elif [ "$action" = run-unless-pidfile ]; then',
  '  pid=$(cat "$1") && [ -n "$pid" ] && [ -e "/proc/$pid/stat" ] && exit 0',
  '  shift 1',
  'elif [ "$action" = run-unless-command ]; then',
  '  pgrep -f -x -- "$1" >/dev/null && exit 0',
  '  shift 1',
  'elif [ "$action" != run ]; then',
  '  exit 2',
  'fi',
  'exec "$@"',
].join('\n');

function checkTag(tag: string): string {
  if (!SLEEPER_TAG_PATTERN.test(tag)) throw new TargetError(`refusing sleeper tag ${JSON.stringify(tag)}: expected gameday:<fault id>`, { retryable: false });
  return tag;
}

function checkWords(argv: readonly string[]): string[] {
  if (argv.length === 0 || !argv.every((w) => PLAIN_WORD.test(w))) throw new TargetError('a sleeper command must be non-empty words without control characters', { retryable: false });
  if ((argv[0] ?? '').startsWith('-')) throw new TargetError(`a sleeper command cannot start with an option (${argv[0] ?? ''})`, { retryable: false });
  return [...argv];
}

/** The action's words after the tag. */
export function actionWords(action: SleeperAction): string[] {
  switch (action.kind) {
    case 'cont':
      if (!PID.test(String(action.pid)) || !Number.isSafeInteger(action.startTime) || action.startTime < 0) throw new TargetError(`a sleeper cannot continue pid ${action.pid} started at ${action.startTime}`, { retryable: false });
      return ['cont', String(action.pid), String(action.startTime)];
    case 'run':
      return ['run', ...checkWords(action.argv)];
    case 'run-unless-pidfile':
      if (!/^\/[A-Za-z0-9._/+@:-]{1,4095}$/.test(action.pidfile)) throw new TargetError(`refusing pidfile ${JSON.stringify(action.pidfile)} for a sleeper`, { retryable: false });
      return ['run-unless-pidfile', action.pidfile, ...checkWords(action.argv)];
    case 'run-unless-command':
      return ['run-unless-command', ...checkWords([action.regex]), ...checkWords(action.argv)];
  }
}

/** The argv that starts a sleeper (exported for the tests and the docs). */
export function sleeperArgv(seconds: number, tag: string, action: SleeperAction): string[] {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new TargetError(`a time-to-live must be a positive whole number of seconds, got ${seconds}`, { retryable: false });
  return ['setsid', '-f', 'sh', '-c', SLEEPER_SCRIPT, SLEEPER_NAME, String(seconds), checkTag(tag), ...actionWords(action)];
}

/**
 * Starts `tag`'s sleeper on the host, after ending any already there (so a repeated start
 * leaves exactly one). Returns once `setsid` has forked it; the sleeper no longer needs
 * the connection that started it.
 */
export async function startSleeper(transport: Transport, seconds: number, tag: string, action: SleeperAction): Promise<void> {
  const argv = sleeperArgv(seconds, tag, action);
  await stopSleepers(transport, tag);
  const result = await transport.run(argv);
  if (result.code === 127) throw new TargetError(`${transport.host}: setsid is not installed; no time-to-live can be set there`, { retryable: false });
  if (result.code !== 0) throw new TargetError(`${transport.host}: starting the time-to-live sleeper failed: ${commandFailure(result)}`, { retryable: true });
}

/** The `pgrep -f` pattern of `tag`'s sleepers (the partition's, which end with the tag, included). */
export function sleeperPattern(tag: string): string {
  return `${SLEEPER_NAME} [0-9]+ ${checkTag(tag).replace(/[.]/g, '\\.')}( |$)`;
}

/**
 * Ends `tag`'s sleepers on the host, each with its process group (its `sleep` too); returns
 * how many were ended. None there (never started, fired already, host rebooted) is no error.
 */
export async function stopSleepers(transport: Transport, tag: string): Promise<number> {
  const found = await transport.run(['pgrep', '-f', '--', sleeperPattern(tag)]);
  if (found.code === 1) return 0;
  if (found.code !== 0) throw new TargetError(`${transport.host}: pgrep for the time-to-live sleeper failed: ${commandFailure(found)}`, { retryable: true });
  let ended = 0;
  for (const pid of found.stdout.split(/\s+/).filter(Boolean)) {
    if (!PID.test(pid)) throw new TargetError(`${transport.host}: pgrep printed ${JSON.stringify(pid.slice(0, 40))}, not a pid`, { retryable: false });
    const result = await transport.run(['kill', '-TERM', '--', `-${pid}`]);
    if (result.code === 0) ended++;
  }
  return ended;
}

/** The start time (field 22 of /proc/PID/stat, clock ticks since boot) of `pid` on the host; undefined when it is gone. */
export async function processStartTime(transport: Transport, pid: number): Promise<number | undefined> {
  if (!PID.test(String(pid))) throw new TargetError(`refusing process id ${pid}`, { retryable: false });
  const result = await transport.run(['cat', `/proc/${pid}/stat`]);
  if (result.code !== 0) {
    if (/No such file or directory|No such process/i.test(result.stderr)) return undefined;
    throw new TargetError(`${transport.host}: reading /proc/${pid}/stat failed: ${commandFailure(result)}`, { retryable: true });
  }
  const text = result.stdout;
  const fields = text.slice(text.lastIndexOf(') ') + 2).trim().split(' ');
  const startTime = Number(fields[19]);
  if (!text.startsWith(`${pid} (`) || !Number.isSafeInteger(startTime)) throw new TargetError(`${transport.host}: /proc/${pid}/stat has an unexpected shape`, { retryable: false });
  return fields[0] === 'Z' ? undefined : startTime;
}
