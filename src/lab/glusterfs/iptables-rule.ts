/**
 * One iptables rule of the filter table, parsed from the words of a rule specification and
 * written back in iptables' own normalised form (what `iptables -S` and iptables-save print).
 * Rules kept from iptables 1.8: addresses, interfaces and protocol come first, then the
 * matches in the order they were loaded; `--dport`/`--sport` after `-p tcp|udp` load the
 * protocol's match implicitly (`-m tcp` appears in the listing); the tcp match lists --sport
 * before --dport, the time match --datestart before --datestop; dates are completed to
 * YYYY-MM-DDThh:mm:ss; a comment is quoted unless it is made of [A-Za-z0-9_-] only.
 */

/** A value that may be negated with `!`. */
export interface Negatable {
  value: string;
  negated: boolean;
}

/** One option of a match (`! --dport 22`, `--comment x`). */
export interface MatchOption {
  flag: string;
  value: string | undefined;
  negated: boolean;
}

/** A loaded match module (`-m comment`) and its options. */
export interface RuleMatch {
  name: string;
  options: MatchOption[];
}

/** A parsed rule specification. */
export interface IptablesRule {
  source?: Negatable;
  destination?: Negatable;
  inInterface?: Negatable;
  outInterface?: Negatable;
  protocol?: Negatable;
  matches: RuleMatch[];
  target: string | undefined;
}

/** A parameter problem: iptables exits 2 with this message. */
export class IptablesUsageError extends Error {
  override readonly name = 'IptablesUsageError';
}

const VERSION = 'iptables v1.8.9 (legacy)';

interface OptionSpec {
  canonical: string;
  takesValue: boolean;
  normalise?: (value: string) => string;
}

const PORT_OPTIONS: Record<string, OptionSpec> = {
  '--sport': { canonical: '--sport', takesValue: true, normalise: port },
  '--source-port': { canonical: '--sport', takesValue: true, normalise: port },
  '--dport': { canonical: '--dport', takesValue: true, normalise: port },
  '--destination-port': { canonical: '--dport', takesValue: true, normalise: port },
};

const MATCHES: Record<string, { options: Record<string, OptionSpec>; order: string[] }> = {
  tcp: { options: PORT_OPTIONS, order: ['--sport', '--dport'] },
  udp: { options: PORT_OPTIONS, order: ['--sport', '--dport'] },
  comment: { options: { '--comment': { canonical: '--comment', takesValue: true } }, order: ['--comment'] },
  time: {
    options: {
      '--datestart': { canonical: '--datestart', takesValue: true, normalise: iptablesDate },
      '--datestop': { canonical: '--datestop', takesValue: true, normalise: iptablesDate },
      '--kerneltz': { canonical: '--kerneltz', takesValue: false },
    },
    order: ['--datestart', '--datestop', '--kerneltz'],
  },
};

const TARGETS = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG']);

function usage(message: string): IptablesUsageError {
  return new IptablesUsageError(`${VERSION}: ${message}\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
}

function port(value: string): string {
  if (!/^\d{1,5}(:\d{1,5})?$/.test(value) || value.split(':').some((p) => Number(p) > 65535)) throw usage(`invalid port/service \`${value}' specified`);
  return value;
}

/** `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` (UTC) completed to `YYYY-MM-DDThh:mm:ss`, as the time match stores it. */
export function iptablesDate(value: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?)?$/.exec(value);
  const invalid = (): IptablesUsageError => usage(`Invalid date "${value}" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`);
  if (!m) throw invalid();
  const [year = '', month = '01', day = '01', hour = '00', minute = '00', second = '00'] = m.slice(1);
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const text = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text) throw invalid();
  return text;
}

/** Epoch ms of a normalised iptables date (UTC). */
export function iptablesDateMs(value: string): number {
  return Date.parse(`${value}Z`);
}

const ADDRESS_FLAGS: Record<string, 'source' | 'destination' | 'inInterface' | 'outInterface' | 'protocol'> = {
  '-s': 'source', '--source': 'source', '--src': 'source',
  '-d': 'destination', '--destination': 'destination', '--dst': 'destination',
  '-i': 'inInterface', '--in-interface': 'inInterface',
  '-o': 'outInterface', '--out-interface': 'outInterface',
  '-p': 'protocol', '--protocol': 'protocol',
};

/** Parses the words of a rule specification (everything after the chain). */
export function parseRule(words: readonly string[]): IptablesRule {
  const rule: IptablesRule = { matches: [], target: undefined };
  let negate = false;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    const value = (): string => {
      const next = words[i + 1];
      if (next === undefined) throw usage(`option "${word}" requires an argument`);
      i += 1;
      return next;
    };
    if (word === '!') {
      if (negate) throw usage('multiple consecutive ! not allowed');
      negate = true;
      continue;
    }
    const field = ADDRESS_FLAGS[word];
    if (field) {
      if (rule[field]) throw usage(`multiple ${word} flags not allowed`);
      rule[field] = { value: normaliseField(field, value()), negated: negate };
    } else if (word === '-m' || word === '--match') {
      if (negate) throw usage('unexpected ! flag before --match');
      const name = value();
      if (!MATCHES[name]) throw usage(`Couldn't load match \`${name}':No such file or directory`);
      rule.matches.push({ name, options: [] });
    } else if (word === '-j' || word === '--jump') {
      if (negate) throw usage('cannot have ! before -j');
      const target = value();
      if (!TARGETS.has(target)) throw usage(`Couldn't load target \`${target}':No such file or directory`);
      rule.target = target;
    } else if (word.startsWith('--')) {
      const { match, spec } = matchFor(rule, word);
      match.options.push({ flag: spec.canonical, value: spec.takesValue ? (spec.normalise ?? String)(value()) : undefined, negated: negate });
    } else {
      throw usage(word.startsWith('-') ? `unknown option "${word}"` : `Bad argument \`${word}'`);
    }
    negate = false;
  }
  if (negate) throw usage('! not allowed at the end of a rule');
  for (const match of rule.matches) {
    const order = MATCHES[match.name]?.order ?? [];
    match.options.sort((a, b) => order.indexOf(a.flag) - order.indexOf(b.flag));
  }
  return rule;
}

function normaliseField(field: string, value: string): string {
  if (field === 'protocol') return value.toLowerCase();
  if ((field === 'source' || field === 'destination') && /^\d+\.\d+\.\d+\.\d+$/.test(value)) return `${value}/32`;
  return value;
}

/** The loaded match that takes `flag` (the latest one), loading the protocol's match implicitly for ports. */
function matchFor(rule: IptablesRule, flag: string): { match: RuleMatch; spec: OptionSpec } {
  for (const match of [...rule.matches].reverse()) {
    const spec = MATCHES[match.name]?.options[flag];
    if (spec) return { match, spec };
  }
  const protocol = rule.protocol && !rule.protocol.negated ? rule.protocol.value : undefined;
  const spec = protocol ? MATCHES[protocol]?.options[flag] : undefined;
  if (!protocol || !spec) throw usage(`unknown option "${flag}"`);
  const match: RuleMatch = { name: protocol, options: [] };
  rule.matches.push(match);
  return { match, spec };
}

/** The rule's words in iptables' order, values unquoted (what two equal rules share). */
export function ruleWords(rule: IptablesRule): string[] {
  const words: string[] = [];
  const field = (flag: string, value: Negatable | undefined): void => {
    if (!value) return;
    if (value.negated) words.push('!');
    words.push(flag, value.value);
  };
  field('-s', rule.source);
  field('-d', rule.destination);
  field('-i', rule.inInterface);
  field('-o', rule.outInterface);
  field('-p', rule.protocol);
  for (const match of rule.matches) {
    words.push('-m', match.name);
    for (const option of match.options) {
      if (option.negated) words.push('!');
      words.push(option.flag);
      if (option.value !== undefined) words.push(option.value);
    }
  }
  if (rule.target) words.push('-j', rule.target);
  return words;
}

/** The rule as `iptables -S` prints it (`-A CHAIN …`), comments quoted as iptables quotes them. */
export function ruleLine(chain: string, rule: IptablesRule): string {
  const words = ruleWords(rule);
  const shown = words.map((word, i) => (words[i - 1] === '--comment' ? saveString(word) : word));
  return ['-A', chain, ...shown].join(' ');
}

/** libxtables' xtables_save_string: bare when made of [A-Za-z0-9_-] only, else double-quoted with " \ ' escaped. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** The rule's comment, if it has one. */
export function ruleComment(rule: IptablesRule): string | undefined {
  return rule.matches.find((m) => m.name === 'comment')?.options.find((o) => o.flag === '--comment')?.value;
}

/** Whether the time match (if any) lets the rule apply at `nowMs` (the kernel's clock, UTC, second resolution). */
export function ruleInTime(rule: IptablesRule, nowMs: number): boolean {
  const seconds = Math.floor(nowMs / 1000);
  for (const match of rule.matches.filter((m) => m.name === 'time')) {
    for (const option of match.options) {
      if (option.value === undefined) continue;
      const at = iptablesDateMs(option.value) / 1000;
      if (option.flag === '--datestart' && seconds < at) return false;
      if (option.flag === '--datestop' && seconds > at) return false;
    }
  }
  return true;
}

/**
 * Whether the rule, while in time, drops a host's GlusterFS traffic as a whole: a DROP or
 * REJECT not limited to loopback, to addresses, or to a list of ports (`! --dport 22` keeps
 * SSH open and drops everything else, so it counts).
 */
export function ruleCutsGlusterTraffic(rule: IptablesRule): boolean {
  if (rule.target !== 'DROP' && rule.target !== 'REJECT') return false;
  const loopbackOnly = (i: Negatable | undefined): boolean => i !== undefined && !i.negated && i.value === 'lo';
  if (loopbackOnly(rule.inInterface) || loopbackOnly(rule.outInterface)) return false;
  if (rule.source || rule.destination) return false;
  const portLimited = rule.matches.some((m) => (m.name === 'tcp' || m.name === 'udp') && m.options.some((o) => !o.negated));
  return !portLimited;
}
