/**
 * One host's iptables filter table and the `iptables` command that edits it. Rules: chains
 * INPUT, FORWARD and OUTPUT with policy ACCEPT; `-I` inserts (at 1 unless a position is
 * given), `-A` appends, `-D` deletes the first rule equal to the given specification (in
 * the inserted form or the `-S` form — both normalise to the same rule) or the numbered
 * one, `-C` checks, `-S` lists, `-F` flushes; `-w [SECONDS]` is accepted and ignored. A rule
 * that does not exist answers exit 1 "Bad rule"; a parameter problem exits 2.
 */
import { IptablesUsageError, parseRule, ruleComment, ruleLine, ruleWords, type IptablesRule } from './iptables-rule.js';
import { fail, ok, type CommandResult } from './types.js';

const CHAINS = ['INPUT', 'FORWARD', 'OUTPUT'] as const;

const BAD_RULE = 'iptables: Bad rule (does a matching rule exist in that chain?).\n';
const NO_CHAIN = 'iptables: No chain/target/match by that name.\n';
const NO_INDEX = 'iptables: Index of deletion too big.\n';

/** A rule and the chain it sits in. */
export interface ChainRule {
  chain: string;
  rule: IptablesRule;
}

/** A parsed command: the verb, its chain (optional for -S and -F), and a rule number. */
interface Command {
  verb: 'insert' | 'append' | 'delete' | 'check' | 'list' | 'flush';
  chain: string | undefined;
  /** -I position (default 1) or -D rule number. */
  index?: number;
}

const COMMAND_FLAGS: Record<string, Command['verb']> = {
  '-I': 'insert', '--insert': 'insert', '-A': 'append', '--append': 'append', '-D': 'delete', '--delete': 'delete',
  '-C': 'check', '--check': 'check', '-S': 'list', '--list-rules': 'list', '-F': 'flush', '--flush': 'flush',
};

/** A host's filter table. */
export class IptablesTable {
  private readonly chains = new Map<string, IptablesRule[]>(CHAINS.map((c) => [c, []]));

  /** Runs `iptables ARGS` (the words after `iptables`). */
  run(args: readonly string[]): CommandResult {
    try {
      const { command, spec } = parseCommand(args);
      return this.execute(command, spec);
    } catch (error) {
      if (error instanceof IptablesUsageError) return fail(2, error.message);
      throw error;
    }
  }

  /** Every rule, chain by chain, in order. */
  rules(): ChainRule[] {
    return [...this.chains].flatMap(([chain, rules]) => rules.map((rule) => ({ chain, rule: structuredClone(rule) })));
  }

  /** The rules of one chain (the stored ones; do not change them). */
  chain(name: string): readonly IptablesRule[] {
    return this.chains.get(name) ?? [];
  }

  /** Removes every rule whose comment is `comment`; returns how many went. */
  removeByComment(comment: string): number {
    let removed = 0;
    for (const [chain, rules] of this.chains) {
      const kept = rules.filter((rule) => ruleComment(rule) !== comment);
      removed += rules.length - kept.length;
      this.chains.set(chain, kept);
    }
    return removed;
  }

  /** Empties every chain (what a reboot does to rules nobody saved). */
  flush(): void {
    for (const chain of this.chains.keys()) this.chains.set(chain, []);
  }

  /** `iptables -S [CHAIN]`: policies, then rules, in iptables' own form. */
  listing(chain?: string): string {
    const chains = chain ? [chain] : [...this.chains.keys()];
    const policies = chains.map((c) => `-P ${c} ACCEPT`);
    const rules = chains.flatMap((c) => (this.chains.get(c) ?? []).map((rule) => ruleLine(c, rule)));
    return [...policies, ...rules].map((line) => `${line}\n`).join('');
  }

  private execute(command: Command, spec: string[]): CommandResult {
    if (command.verb === 'list' || command.verb === 'flush') {
      if (spec.length > 0) throw new IptablesUsageError(`iptables v1.8.9 (legacy): Illegal option \`${spec[0] ?? ''}' with this command\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
      const only = command.chain;
      if (only !== undefined && !this.chains.has(only)) return fail(1, NO_CHAIN);
      if (command.verb === 'list') return ok(this.listing(only));
      for (const chain of only !== undefined ? [only] : [...this.chains.keys()]) this.chains.set(chain, []);
      return ok();
    }
    const rules = this.chains.get(command.chain ?? '');
    if (!rules) return fail(1, NO_CHAIN);
    if (command.verb === 'delete' && command.index !== undefined) {
      if (command.index < 1 || command.index > rules.length) return fail(1, NO_INDEX);
      rules.splice(command.index - 1, 1);
      return ok();
    }
    const rule = parseRule(spec);
    if (command.verb === 'insert') {
      const at = command.index ?? 1;
      if (at < 1 || at > rules.length + 1) return fail(1, 'iptables: Index of insertion too big.\n');
      rules.splice(at - 1, 0, rule);
      return ok();
    }
    if (command.verb === 'append') {
      rules.push(rule);
      return ok();
    }
    const key = JSON.stringify(ruleWords(rule));
    const index = rules.findIndex((r) => JSON.stringify(ruleWords(r)) === key);
    if (index < 0) return fail(1, BAD_RULE);
    if (command.verb === 'delete') rules.splice(index, 1);
    return ok();
  }
}

/** Splits `iptables` arguments into the command (with its chain) and the rule specification. */
function parseCommand(args: readonly string[]): { command: Command; spec: string[] } {
  let command: Command | undefined;
  const spec: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const word = args[i] ?? '';
    const next = args[i + 1];
    if (word === '-w' || word === '--wait') {
      if (next !== undefined && /^\d+$/.test(next)) i += 1;
      continue;
    }
    if (word === '-t' || word === '--table') {
      if (next !== 'filter') throw new IptablesUsageError(`iptables v1.8.9 (legacy): can't initialize iptables table \`${next ?? ''}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n`);
      i += 1;
      continue;
    }
    const verb = COMMAND_FLAGS[word];
    if (!verb) {
      spec.push(word);
      continue;
    }
    if (command) throw new IptablesUsageError(`iptables v1.8.9 (legacy): Cannot use ${word} with another command\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
    const hasChain = next !== undefined && !next.startsWith('-') && next !== '!';
    if (verb === 'list' || verb === 'flush') {
      command = { verb, chain: hasChain ? next : undefined };
      if (hasChain) i += 1;
      continue;
    }
    if (!hasChain) throw new IptablesUsageError(`iptables v1.8.9 (legacy): option "${word}" requires an argument\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
    i += 1;
    const position = args[i + 1];
    const numbered = position !== undefined && /^\d+$/.test(position);
    if (numbered && (verb === 'insert' || verb === 'delete')) i += 1;
    command = numbered && (verb === 'insert' || verb === 'delete') ? { verb, chain: next, index: Number(position) } : { verb, chain: next };
  }
  if (!command) throw new IptablesUsageError("iptables v1.8.9 (legacy): no command specified\nTry `iptables -h' or 'iptables --help' for more information.\n");
  return { command, spec };
}
