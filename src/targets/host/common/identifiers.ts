/**
 * The strict shapes of every value that reaches a command on a host: paths (pidfiles, the
 * marker directory), systemd unit names, command lines matched against running processes,
 * the words of a restart command, pids and fault ids. Experiment and config schemas use the
 * patterns; code checks again right before building a command (`check*`), so a value read
 * back from a host or a journal gets the same scrutiny. A command is always an argument
 * array; the transport quotes each word, and these checks keep out what quoting cannot make
 * harmless (options where a path is expected, control characters, `..` segments).
 */
import { TargetError } from '../../../errors.js';

/** An absolute path of plain characters, without `.` or `..` segments; never starts with `-`. */
export const PATH_PATTERN = /^(?!.*\/\.\.?(?:\/|$))\/[A-Za-z0-9._+@:-][A-Za-z0-9._/+@:-]{0,4094}$/;
export const PATH_MESSAGE = 'expected an absolute path of letters, digits and . _ / + @ : - (no . or .. segments)';
export const MARKER_DIR_PATTERN = PATH_PATTERN;
export const MARKER_DIR_MESSAGE = PATH_MESSAGE;

/** A unit as written in an experiment: `name` (a service) or `name.service|socket|timer`. */
export const UNIT_INPUT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,246}$/;
export const UNIT_MESSAGE = 'expected a systemd unit name (letters, digits and : _ . @ -), bare or ending in .service, .socket or .timer';
/** A unit name as gameday sends it to systemctl. */
export const UNIT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,246}\.(?:service|socket|timer)$/;
/** Unit types faults never stop: stopping them is not a service failing. */
const OTHER_UNIT_TYPES = /\.(?:target|mount|automount|swap|device|path|slice|scope)$/;

/** A command line matched exactly against running processes: no control characters, no space at either end. */
export const COMMAND_PATTERN = /^(?! )(?!.* $)\P{Cc}{1,4096}$/u;
export const COMMAND_MESSAGE = 'expected a command line as ps shows it (arguments joined by single spaces; no control characters, no space at either end)';
/** One word of a command gameday runs on a host (a restart command). */
export const WORD_PATTERN = /^\P{Cc}{1,4096}$/u;
export const WORD_MESSAGE = 'expected a non-empty argument without control characters';

/** A process id. */
export const PID_PATTERN = /^[1-9][0-9]{0,9}$/;
/** A fault id, as it names a marker file. */
export const FAULT_ID_PATTERN = /^[A-Za-z0-9._-]{1,180}$/;

function check(kind: string, pattern: RegExp, value: string): string {
  if (!pattern.test(value)) throw new TargetError(`refusing to use ${JSON.stringify(value)} as a ${kind}: it does not have the expected shape`, { retryable: false });
  return value;
}

export const checkPath = (value: string): string => check('path', PATH_PATTERN, value);
export const checkCommandLine = (value: string): string => check('command line', COMMAND_PATTERN, value);
export const checkWord = (value: string): string => check('command argument', WORD_PATTERN, value);
export const checkPid = (value: string | number): string => check('process id', PID_PATTERN, String(value));
export const checkFaultId = (value: string): string => check('fault id', FAULT_ID_PATTERN, value);
export const checkUnit = (value: string): string => check('unit name', UNIT_PATTERN, value);

/** Whether `value` names a unit type the service fault refuses (a target, a mount…). */
export function isOtherUnitType(value: string): boolean {
  return OTHER_UNIT_TYPES.test(value);
}

/**
 * The unit name systemctl gets for `value`: as it is when it ends in .service, .socket or
 * .timer, else with `.service` added (systemctl's own rule for bare names). Refuses other
 * unit types and malformed names.
 */
export function unitName(value: string): string {
  check('unit name', UNIT_INPUT_PATTERN, value);
  if (isOtherUnitType(value)) throw new TargetError(`refusing unit ${value}: only .service, .socket and .timer units are stopped by this fault`, { retryable: false });
  return checkUnit(UNIT_PATTERN.test(value) ? value : `${value}.service`);
}

/** `text` as a POSIX extended regular expression that matches exactly `text` (for `pgrep -x`). */
export function exactRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
