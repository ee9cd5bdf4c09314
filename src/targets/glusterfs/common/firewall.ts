/**
 * The iptables partition of a brick host: four DROP rules that cut every packet in and out
 * except loopback and the SSH port gameday manages the host through. Each rule carries the
 * comment `gameday:<fault id>` (so it is found again by comment, never by position) and
 * `-m time --datestop` on the host's own clock (so it stops matching when its time-to-live
 * ends even if gameday never comes back). A detached sleeper on the host deletes the rules
 * at the same time; its script is a constant, the values reach it as positional arguments.
 */
import { TargetError } from '../../../errors.js';
import type { Transport } from '../../../transport/types.js';
import { checkRuleComment } from './identifiers.js';

export const CHAINS = ['INPUT', 'OUTPUT'] as const;

/** The rule specs (without comment, time and target) that cut a host off, keeping `sshPort` reachable. */
export function partitionSpecs(sshPort: number): { chain: (typeof CHAINS)[number]; spec: string[] }[] {
  const port = String(sshPort);
  return [
    { chain: 'INPUT', spec: ['!', '-i', 'lo', '-p', 'tcp', '!', '--dport', port] },
    { chain: 'INPUT', spec: ['!', '-i', 'lo', '!', '-p', 'tcp'] },
    { chain: 'OUTPUT', spec: ['!', '-o', 'lo', '-p', 'tcp', '!', '--sport', port] },
    { chain: 'OUTPUT', spec: ['!', '-o', 'lo', '!', '-p', 'tcp'] },
  ];
}

/** `YYYY-MM-DDThh:mm:ss` (UTC) as `-m time --datestop` reads it. */
export function datestop(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19);
}

/** The host's clock (UTC seconds), so the rule's time-to-live is measured where it runs. */
export async function hostNow(transport: Transport): Promise<number> {
  const result = await transport.run(['date', '-u', '+%s']);
  const seconds = Number(result.stdout.trim());
  if (result.code !== 0 || !Number.isSafeInteger(seconds)) throw new TargetError(`${transport.host}: cannot read the clock (date -u +%s: ${result.stderr.trim() || result.stdout.trim()})`, { retryable: true });
  return seconds;
}

/** Splits one line of `iptables -S` into arguments (iptables double-quotes values with spaces or quotes). */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return out;
}

export interface ListedRule {
  chain: string;
  /** The rule as `iptables -S` prints it, without `-A CHAIN`. */
  args: string[];
  comment: string | undefined;
}

async function iptables(transport: Transport, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await transport.run(['iptables', '-w', ...args]);
  if (result.code === 127) throw new TargetError(`${transport.host}: iptables is not installed`, { retryable: false });
  return result;
}

/** Every rule of INPUT and OUTPUT whose comment starts with `prefix`. */
export async function listRules(transport: Transport, prefix = 'gameday:'): Promise<ListedRule[]> {
  const rules: ListedRule[] = [];
  for (const chain of CHAINS) {
    const result = await iptables(transport, ['-S', chain]);
    if (result.code !== 0) throw new TargetError(`${transport.host}: iptables -S ${chain} failed: ${result.stderr.trim()}`, { retryable: true });
    for (const line of result.stdout.split('\n')) {
      const args = splitRuleLine(line.trim());
      if (args[0] !== '-A' || args[1] !== chain) continue;
      const at = args.indexOf('--comment');
      const comment = at >= 0 ? args[at + 1] : undefined;
      if (comment?.startsWith(prefix)) rules.push({ chain, args: args.slice(2), comment });
    }
  }
  return rules;
}

/** Inserts the partition rules that are not there yet (idempotent: rules already carrying the comment are kept). */
export async function insertRules(transport: Transport, comment: string, sshPort: number, stopAt: string): Promise<void> {
  checkRuleComment(comment);
  const present = (await listRules(transport, comment)).filter((r) => r.comment === comment);
  if (present.length >= partitionSpecs(sshPort).length) return;
  for (const { chain, spec } of partitionSpecs(sshPort)) {
    const args = ['-I', chain, ...spec, '-m', 'comment', '--comment', comment, '-m', 'time', '--datestop', stopAt, '-j', 'DROP'];
    const result = await iptables(transport, args);
    if (result.code !== 0) throw new TargetError(`${transport.host}: iptables ${args.join(' ')} failed: ${result.stderr.trim()}`, { retryable: true });
  }
}

/** Deletes every rule carrying exactly `comment`; returns how many were deleted. Idempotent. */
export async function deleteRules(transport: Transport, comment: string): Promise<number> {
  checkRuleComment(comment);
  let deleted = 0;
  for (const rule of (await listRules(transport, comment)).filter((r) => r.comment === comment)) {
    const result = await iptables(transport, ['-D', rule.chain, ...rule.args]);
    if (result.code === 0) deleted++;
    else if (!/does a matching rule exist|bad rule/i.test(result.stderr)) {
      throw new TargetError(`${transport.host}: deleting a gameday rule failed: ${result.stderr.trim()}`, { retryable: true });
    }
  }
  return deleted;
}

/**
 * The sleeper's script: detach from the caller's output, wait, then delete every rule of
 * INPUT/OUTPUT whose comment is $2. Constant text; $1 (seconds) and $2 (comment) are the
 * checked values, passed as arguments.
 */
export const TTL_SCRIPT = [
  'exec </dev/null >/dev/null 2>&1',
  'sleep "$1"',
  'for chain in INPUT OUTPUT; do',
  '  iptables -w -S "$chain" | grep -F -e "--comment \\"$2\\"" | sed "s/^-A /-D /" | while read -r rule; do eval "iptables -w $rule"; done',
  'done',
].join('\n');

/** Starts the detached sleeper that removes the rules after `seconds` on the host. */
export async function startTtl(transport: Transport, seconds: number, comment: string): Promise<void> {
  checkRuleComment(comment);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new TargetError(`rule time-to-live must be a positive number of seconds, got ${seconds}`, { retryable: false });
  const result = await transport.run(['setsid', '-f', 'sh', '-c', TTL_SCRIPT, 'gameday-ttl', String(seconds), comment]);
  if (result.code !== 0) throw new TargetError(`${transport.host}: starting the rule time-to-live failed: ${result.stderr.trim()}`, { retryable: true });
}

