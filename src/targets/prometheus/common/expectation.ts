/**
 * The `expect` key of `prometheus.query`: a small grammar read once, at load time, into a
 * structured expectation, then applied to each number a check sees. Rules: a malformed
 * expectation is a load error that lists every accepted form; NaN meets no expectation (not
 * even `!=`); baseline forms compare with the probe's value before the fault and say so
 * when there is none.
 */

/** A comparison operator, as PromQL writes them. */
export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** What a number must satisfy. `within` and `baseline` compare with the value before the fault. */
export type Expectation =
  | { kind: 'compare'; op: Op; bound: number }
  | { kind: 'between'; low: number; high: number }
  | { kind: 'within'; amount: number; percent: boolean }
  | { kind: 'baseline'; op: Op; adjust: { by: '*' | '+' | '-'; amount: number } | undefined };

/** The accepted forms, as the error for a malformed expectation lists them. */
export const EXPECTATION_FORMS = [
  '"< 0.5" (any of < <= > >= == != and a number)',
  '"between 1 and 5" (both ends included)',
  '"within 10% of before" or "within 0.5 of before"',
  '"<= before", "<= before * 1.2", ">= before - 3" (an operator, before, and optionally * + or - a number)',
] as const;

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const OP = String.raw`<=|>=|==|!=|<|>`;
const COMPARE = new RegExp(String.raw`^(${OP})\s*(${NUMBER})$`);
const BETWEEN = new RegExp(String.raw`^between\s+(${NUMBER})\s+and\s+(${NUMBER})$`, 'i');
const WITHIN = new RegExp(String.raw`^within\s+(${NUMBER})\s*(%?)\s+of\s+before$`, 'i');
const BASELINE = new RegExp(String.raw`^(${OP})\s*before(?:\s*([*+-])\s*(${NUMBER}))?$`, 'i');

/** The expectation `text` states, or a message saying why it is not one (naming every accepted form). */
export function parseExpectation(text: string): Expectation | { error: string } {
  const t = text.trim().replace(/\s+/g, ' ');
  const bad = (why: string): { error: string } => ({ error: `${why}; expected one of: ${EXPECTATION_FORMS.join('; ')}` });
  let m = COMPARE.exec(t);
  if (m) return { kind: 'compare', op: m[1] as Op, bound: Number(m[2]) };
  m = BETWEEN.exec(t);
  if (m) {
    const low = Number(m[1]);
    const high = Number(m[2]);
    if (low > high) return bad(`"${t}": the lower end comes first`);
    return { kind: 'between', low, high };
  }
  m = WITHIN.exec(t);
  if (m) {
    const amount = Number(m[1]);
    if (amount < 0) return bad(`"${t}": a tolerance cannot be negative`);
    return { kind: 'within', amount, percent: m[2] === '%' };
  }
  m = BASELINE.exec(t);
  if (m) {
    const by = m[2] as '*' | '+' | '-' | undefined;
    return { kind: 'baseline', op: m[1] as Op, adjust: by === undefined ? undefined : { by, amount: Number(m[3]) } };
  }
  return bad(t === '' ? 'the expectation is empty' : `cannot read "${t}"`);
}

/** Whether the expectation compares with the value before the fault. */
export function needsBaseline(e: Expectation): boolean {
  return e.kind === 'within' || e.kind === 'baseline';
}

/** A number as details show it: 6 significant digits, `NaN`, `+Inf`, `-Inf`. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(Number(n.toPrecision(6)));
}

/** How one number fares: whether it meets the expectation, by how much (negative: how far it misses), and the bound in words. */
export interface Judgement {
  ok: boolean;
  /** Slack before failing (>= 0 when met); the smallest margin marks the worst series. NaN values get -Infinity. */
  margin: number;
  /** The rule with the baseline filled in: `< 0.5`, `within 10% of before (12 ± 1.2)`, `<= 14.4 (before 12 * 1.2)`. */
  rule: string;
}

/**
 * `value OP bound`. With `fuzzy`, numbers a few units in the last place apart count as equal:
 * a computed bound (`before * 1.2` of 12 is 14.399999999999999) must not fail 14.4.
 */
function compare(value: number, op: Op, exact: number, fuzzy = false): { ok: boolean; margin: number } {
  const close = fuzzy && Math.abs(value - exact) <= 4 * Number.EPSILON * Math.max(Math.abs(value), Math.abs(exact));
  const bound = close ? value : exact;
  switch (op) {
    case '<':
      return { ok: value < bound, margin: bound - value };
    case '<=':
      return { ok: value <= bound, margin: bound - value };
    case '>':
      return { ok: value > bound, margin: value - bound };
    case '>=':
      return { ok: value >= bound, margin: value - bound };
    case '==':
      return { ok: value === bound, margin: -Math.abs(value - bound) };
    case '!=':
      return { ok: value !== bound, margin: Math.abs(value - bound) };
  }
}

/** The baseline-adjusted bound of `OP before [* + -] N`. */
function adjusted(baseline: number, adjust: { by: '*' | '+' | '-'; amount: number } | undefined): number {
  if (!adjust) return baseline;
  if (adjust.by === '*') return baseline * adjust.amount;
  return adjust.by === '+' ? baseline + adjust.amount : baseline - adjust.amount;
}

/** The expectation as canonical text (what `expect` said, normalised). */
export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'compare':
      return `${e.op} ${formatNumber(e.bound)}`;
    case 'between':
      return `between ${formatNumber(e.low)} and ${formatNumber(e.high)}`;
    case 'within':
      return `within ${formatNumber(e.amount)}${e.percent ? '%' : ''} of before`;
    case 'baseline':
      return `${e.op} before${e.adjust ? ` ${e.adjust.by} ${formatNumber(e.adjust.amount)}` : ''}`;
  }
}

/**
 * How `value` fares against `e`. Baseline forms need `baseline` (the caller decides what a
 * missing one means); it is ignored by the other forms.
 */
export function judge(e: Expectation, value: number, baseline: number | undefined): Judgement {
  const rule = ruleText(e, baseline);
  if (Number.isNaN(value)) return { ok: false, margin: -Infinity, rule };
  switch (e.kind) {
    case 'compare':
      return { ...compare(value, e.op, e.bound), rule };
    case 'between': {
      const margin = Math.min(value - e.low, e.high - value);
      return { ok: margin >= 0, margin, rule };
    }
    case 'within': {
      const b = requireBaseline(baseline);
      const tolerance = e.percent ? (Math.abs(b) * e.amount) / 100 : e.amount;
      // a relative epsilon keeps "within 10% of 10" true for 11 despite binary fractions
      const slack = tolerance - Math.abs(value - b) + Number.EPSILON * Math.max(Math.abs(value), Math.abs(b));
      return { ok: slack >= 0, margin: slack, rule };
    }
    case 'baseline':
      return { ...compare(value, e.op, adjusted(requireBaseline(baseline), e.adjust), true), rule };
  }
}

function requireBaseline(baseline: number | undefined): number {
  if (baseline === undefined) throw new RangeError('a baseline expectation was judged without a baseline');
  return baseline;
}

function ruleText(e: Expectation, baseline: number | undefined): string {
  const text = describeExpectation(e);
  if (baseline === undefined || !needsBaseline(e)) return text;
  if (e.kind === 'within') {
    const tolerance = e.percent ? (Math.abs(baseline) * e.amount) / 100 : e.amount;
    return `${text} (${formatNumber(baseline)} ± ${formatNumber(tolerance)})`;
  }
  if (e.kind === 'baseline') {
    const bound = adjusted(baseline, e.adjust);
    const how = e.adjust ? ` ${e.adjust.by} ${formatNumber(e.adjust.amount)}` : '';
    return `${e.op} ${formatNumber(bound)} (before ${formatNumber(baseline)}${how})`;
  }
  return text;
}
