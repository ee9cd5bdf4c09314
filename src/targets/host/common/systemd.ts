/**
 * systemd units on a host, through systemctl. Rules: a unit's state is read with
 * `systemctl show -p …` (key=value lines, in whatever order systemctl prints them) and
 * `systemctl is-active` (prints the state; exit 0 when active, 3 when not); `start` and
 * `stop` wait for the job to finish, as systemctl does by default; a host without systemd
 * as PID 1 (or without systemctl) is a non-retryable error that says so.
 */
import { TargetError } from '../../../errors.js';
import { commandFailure, type CommandResult, type Transport } from '../../../transport/types.js';
import { checkUnit } from './identifiers.js';

/** What `systemctl show` tells about a unit. */
export interface UnitState {
  /** `loaded`, `not-found`, `masked`, … */
  load: string;
  /** `active`, `inactive`, `failed`, `activating`, … */
  active: string;
  sub: string;
  /** 0 when the unit has no main process. */
  mainPid: number;
  /** `enabled`, `disabled`, `static`, … (empty for a unit without a unit file). */
  unitFile: string;
}

const PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'UnitFileState'] as const;

/** The error for a systemctl that could not run at all, if this result is one. */
function unusable(transport: Transport, result: CommandResult): TargetError | undefined {
  if (result.code === 127) return new TargetError(`${transport.host}: systemctl is not installed`, { retryable: false });
  if (/not been booted with systemd|Failed to connect to bus/i.test(result.stderr)) {
    return new TargetError(`${transport.host}: systemd is not running there (${result.stderr.trim()})`, { retryable: false });
  }
  return undefined;
}

/** Parses `KEY=VALUE` lines. */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The unit's load, active and sub states, main pid and unit-file state. */
export async function showUnit(transport: Transport, unit: string): Promise<UnitState> {
  const result = await transport.run(['systemctl', 'show', ...PROPERTIES.flatMap((p) => ['-p', p]), checkUnit(unit)]);
  const bad = unusable(transport, result);
  if (bad) throw bad;
  if (result.code !== 0) throw new TargetError(`${transport.host}: systemctl show ${unit} failed: ${commandFailure(result)}`, { retryable: true });
  const props = parseShow(result.stdout);
  const load = props['LoadState'];
  const active = props['ActiveState'];
  if (load === undefined || active === undefined) throw new TargetError(`${transport.host}: systemctl show ${unit} printed no LoadState/ActiveState`, { retryable: false });
  const mainPid = Number(props['MainPID'] ?? '0');
  return { load, active, sub: props['SubState'] ?? '', mainPid: Number.isSafeInteger(mainPid) ? mainPid : 0, unitFile: props['UnitFileState'] ?? '' };
}

/** The unit's active state as `systemctl is-active` prints it (`active`, `inactive`, `failed`, `activating`…). */
export async function activeState(transport: Transport, unit: string): Promise<string> {
  const result = await transport.run(['systemctl', 'is-active', checkUnit(unit)]);
  const bad = unusable(transport, result);
  if (bad) throw bad;
  const state = result.stdout.trim();
  if ((result.code === 0 && state === 'active') || (result.code !== 0 && /^[a-z-]+$/.test(state))) return state;
  throw new TargetError(`${transport.host}: systemctl is-active ${unit} answered ${commandFailure(result)}`, { retryable: true });
}

/** `systemctl start|stop UNIT`; resolves when systemctl reports the job done. */
export async function unitAction(transport: Transport, verb: 'start' | 'stop', unit: string): Promise<void> {
  const result = await transport.run(['systemctl', verb, checkUnit(unit)]);
  const bad = unusable(transport, result);
  if (bad) throw bad;
  if (result.code === 0) return;
  // 5: the unit is not loaded/not found; 4: access denied — waiting does not help either
  const retryable = result.code !== 5 && result.code !== 4;
  throw new TargetError(`${transport.host}: systemctl ${verb} ${unit} failed: ${commandFailure(result)}`, { retryable });
}
