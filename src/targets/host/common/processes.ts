/**
 * Processes on a host, seen through /proc and signalled with kill(1). A process is known by
 * its pid *and* its start time (field 22 of /proc/PID/stat, clock ticks since boot): a pid
 * alone may be reused by another process between two commands, the pair may not. Rules:
 * a process is found by a pidfile (the pid it holds, if that process is alive) or by its
 * exact command line (`pgrep -f -x` with the line escaped, then each candidate's
 * /proc/PID/cmdline compared word for word — never a substring); a signal is sent only after
 * the start time read right before it equals the expected one; zombies count as gone.
 */
import { TargetError } from '../../../errors.js';
import { commandFailure, type Transport } from '../../../transport/types.js';
import { PID_PATTERN, checkCommandLine, checkPath, checkPid, exactRegex } from './identifiers.js';

/** Which process: the one a pidfile names, or the one running exactly this command line. */
export type ProcessSelector = { pidfile: string; command?: undefined } | { command: string; pidfile?: undefined };

/** A process as /proc shows it. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/PID/stat: when it started, in clock ticks since boot. */
  startTime: number;
  /** /proc/PID/stat's state letter (R, S, D, T, t, Z…). */
  state: string;
  /** The argument words of /proc/PID/cmdline. */
  argv: string[];
}

/** Signals the faults send and restores use. */
export type ProcessSignal = 'KILL' | 'TERM' | 'STOP' | 'CONT';

/** The command line as ps and pgrep -f show it: the words joined by single spaces. */
export const commandLine = (argv: readonly string[]): string => argv.join(' ');

/** What `sel` names, for messages. */
export const describeSelector = (sel: ProcessSelector): string => (sel.pidfile !== undefined ? `pidfile ${sel.pidfile}` : `command ${JSON.stringify(sel.command)}`);

/** Parses `cat /proc/PID/stat /proc/PID/cmdline`; undefined when the output is not that. */
export function parseProcFiles(pid: number, text: string): ProcessIdentity | undefined {
  const close = text.lastIndexOf(') ');
  const end = text.indexOf('\n', close);
  if (!text.startsWith(`${pid} (`) || close < 0 || end < 0) return undefined;
  const fields = text.slice(close + 2, end).split(' ');
  const state = fields[0] ?? '';
  const startTime = Number(fields[19]);
  if (!/^[A-Za-z]$/.test(state) || !Number.isSafeInteger(startTime) || startTime < 0) return undefined;
  const raw = text.slice(end + 1);
  const argv = raw === '' ? [] : raw.replace(/\0$/, '').split('\0');
  return { pid, startTime, state, argv };
}

/** The process with `pid` on the host, or undefined when there is none (or only its zombie). */
export async function readProcess(transport: Transport, pid: number): Promise<ProcessIdentity | undefined> {
  const p = checkPid(pid);
  const result = await transport.run(['cat', `/proc/${p}/stat`, `/proc/${p}/cmdline`]);
  if (result.code !== 0) {
    if (/No such file or directory|No such process/i.test(result.stderr)) return undefined;
    throw new TargetError(`${transport.host}: reading /proc/${p} failed: ${commandFailure(result)}`, { retryable: true });
  }
  const identity = parseProcFiles(pid, result.stdout);
  if (!identity) throw new TargetError(`${transport.host}: /proc/${p}/stat has an unexpected shape`, { retryable: false });
  return identity.state === 'Z' || identity.state === 'X' ? undefined : identity;
}

/** The pid a pidfile holds, or undefined when the file is missing or empty. Throws when it holds something else. */
export async function readPidfile(transport: Transport, path: string): Promise<number | undefined> {
  const result = await transport.run(['cat', '--', checkPath(path)]);
  if (result.code !== 0) {
    if (/No such file or directory/i.test(result.stderr)) return undefined;
    throw new TargetError(`${transport.host}: reading ${path} failed: ${commandFailure(result)}`, { retryable: true });
  }
  const text = result.stdout.trim();
  if (text === '') return undefined;
  if (!PID_PATTERN.test(text)) throw new TargetError(`${transport.host}: ${path} does not hold a process id (${JSON.stringify(text.slice(0, 40))})`, { retryable: false });
  return Number(text);
}

/**
 * The live processes `sel` names on the host: none or one for a pidfile; for a command line,
 * every process whose cmdline words, joined by spaces, equal it exactly.
 */
export async function findProcesses(transport: Transport, sel: ProcessSelector): Promise<ProcessIdentity[]> {
  if (sel.pidfile !== undefined) {
    const pid = await readPidfile(transport, sel.pidfile);
    const identity = pid === undefined ? undefined : await readProcess(transport, pid);
    return identity ? [identity] : [];
  }
  const command = checkCommandLine(sel.command);
  const result = await transport.run(['pgrep', '-f', '-x', '--', exactRegex(command)]);
  if (result.code === 1) return [];
  if (result.code !== 0) throw new TargetError(`${transport.host}: pgrep failed: ${commandFailure(result)}`, { retryable: result.code !== 2 });
  const found: ProcessIdentity[] = [];
  for (const line of result.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (!PID_PATTERN.test(line)) throw new TargetError(`${transport.host}: pgrep printed ${JSON.stringify(line.slice(0, 40))}, not a pid`, { retryable: false });
    const identity = await readProcess(transport, Number(line));
    if (identity && commandLine(identity.argv) === command) found.push(identity);
  }
  return found;
}

/** What became of a signal: sent, or not sent because the process is gone or is not the expected one. */
export type SignalOutcome = 'sent' | 'gone' | 'changed';

/**
 * Sends `signal` to `expected.pid` only if the process with that pid started at
 * `expected.startTime` (read right before); a process that started at another time has
 * reused the pid and is left alone.
 */
export async function signalProcess(transport: Transport, expected: { pid: number; startTime: number }, signal: ProcessSignal): Promise<SignalOutcome> {
  const now = await readProcess(transport, expected.pid);
  if (!now) return 'gone';
  if (now.startTime !== expected.startTime) return 'changed';
  const result = await transport.run(['kill', '-s', signal, checkPid(expected.pid)]);
  if (result.code === 0) return 'sent';
  if (/no such process/i.test(result.stderr)) return 'gone';
  throw new TargetError(`${transport.host}: kill -s ${signal} ${expected.pid} failed: ${commandFailure(result)}`, { retryable: true });
}
