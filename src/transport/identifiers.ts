/**
 * The strict shape of what the transports put on the wire besides the command: the host to
 * reach. A value that fails the check is refused before any connection is made, so no
 * config value can smuggle an option (`-oProxyCommand=…`) or shell syntax into an address.
 */
import { TargetError } from '../errors.js';

/** A host name or IPv4 address, as SSH and the pool's tools use them. Never starts with `-`. */
export const HOST_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
export const HOST_MESSAGE = 'expected a host name or IPv4 address (letters, digits, dots, dashes)';

/** `value` when it is a host name or IPv4 address; else a non-retryable TargetError naming it. */
export function checkHost(value: string): string {
  if (!HOST_PATTERN.test(value)) throw new TargetError(`refusing to use ${JSON.stringify(value)} as a host: it does not have the expected shape`, { retryable: false });
  return value;
}
