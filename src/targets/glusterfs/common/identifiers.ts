/**
 * The strict shapes of every identifier that reaches a command on a brick host. Anything
 * read from a config, an experiment or a command's output passes through one of these
 * checks before it becomes an argument, so no value can carry shell syntax or an option.
 */
import { TargetError } from '../../../errors.js';
import { checkHost } from '../../../transport/identifiers.js';

/** Host names and addresses have the transport's shape (shared with every target that runs commands on hosts). */
export { HOST_MESSAGE, HOST_PATTERN, checkHost } from '../../../transport/identifiers.js';

/** A volume name as glusterd accepts it. */
export const VOLUME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
/** An absolute brick path of plain path characters, without `..` segments. */
export const BRICK_PATH_PATTERN = /^(?!.*\/\.\.?(?:\/|$))\/[A-Za-z0-9._/-]{0,4095}$/;
/** A process id. */
export const PID_PATTERN = /^[1-9][0-9]{0,9}$/;
/** A comment gameday writes on its firewall rules: `gameday:<fault id>`. */
export const RULE_COMMENT_PATTERN = /^gameday:[A-Za-z0-9._:-]{1,200}$/;
/** A path on a client host for mount probes: absolute, plain characters. */
export const CLIENT_PATH_PATTERN = BRICK_PATH_PATTERN;

function check(kind: string, pattern: RegExp, value: string): string {
  if (!pattern.test(value)) throw new TargetError(`refusing to use ${JSON.stringify(value)} as a ${kind}: it does not have the expected shape`, { retryable: false });
  return value;
}

export const checkVolume = (value: string): string => check('volume name', VOLUME_PATTERN, value);
export const checkBrickPath = (value: string): string => check('brick path', BRICK_PATH_PATTERN, value);
export const checkPid = (value: string | number): string => check('process id', PID_PATTERN, String(value));
export const checkRuleComment = (value: string): string => check('rule comment', RULE_COMMENT_PATTERN, value);
export const checkClientPath = (value: string): string => check('client path', CLIENT_PATH_PATTERN, value);

/** A brick `host:/path`, split and checked. */
export interface BrickName {
  host: string;
  path: string;
}

/** Splits and checks `host:/path` (the form of `volume info` and of experiment files). */
export function parseBrickName(name: string): BrickName {
  const colon = name.indexOf(':');
  if (colon < 1) throw new TargetError(`refusing brick ${JSON.stringify(name)}: expected host:/path`, { retryable: false });
  return { host: checkHost(name.slice(0, colon)), path: checkBrickPath(name.slice(colon + 1)) };
}

export const brickName = (brick: BrickName): string => `${brick.host}:${brick.path}`;
