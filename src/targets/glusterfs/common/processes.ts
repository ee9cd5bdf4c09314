/**
 * The brick process on its host: found by pid from `volume status`, confirmed by its command
 * line before any signal is sent (a pid can be reused by another process between two
 * commands), and signalled with kill(1).
 */
import { TargetError } from '../../../errors.js';
import type { Transport } from '../../../transport/types.js';
import { checkBrickPath, checkPid } from './identifiers.js';

export type BrickSignal = 'KILL' | 'STOP' | 'CONT';

/** Whether `pid` on the host is the glusterfsd serving `path` (false when no such process). */
export async function isBrickProcess(transport: Transport, pid: number, path: string): Promise<boolean> {
  const result = await transport.run(['ps', '-o', 'args=', '-p', checkPid(pid)]);
  if (result.code !== 0) return false;
  const args = result.stdout.trim().split(/\s+/);
  const at = args.indexOf('--brick-name');
  return /(^|\/)glusterfsd$/.test(args[0] ?? '') && at >= 0 && args[at + 1] === checkBrickPath(path);
}

/** Sends `signal` to the brick process, after confirming it is one. Returns false when the process is gone. */
export async function signalBrick(transport: Transport, pid: number, path: string, signal: BrickSignal): Promise<boolean> {
  if (!(await isBrickProcess(transport, pid, path))) return false;
  const result = await transport.run(['kill', `-${signal}`, checkPid(pid)]);
  if (result.code === 0) return true;
  if (/no such process/i.test(result.stderr)) return false;
  throw new TargetError(`${transport.host}: kill -${signal} ${pid} failed: ${result.stderr.trim() || `exit ${result.code ?? result.signal}`}`, { retryable: true });
}
