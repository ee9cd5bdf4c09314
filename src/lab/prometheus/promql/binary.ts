/**
 * Binary operators, as Prometheus applies them. Rules: arithmetic drops the metric name;
 * a comparison filters (keeping the vector's own value) unless `bool` asks for 0/1, which
 * drops the name; two vectors pair one-to-one on their labels — all but the name, or only
 * `on (…)`, or all but `ignoring (…)` — and a side with two series for one match group is an
 * execution error; `and`/`or`/`unless` compare match groups only.
 */
import { dropNames, formatLabels, keepOnly, labelsKey, METRIC_NAME, withoutName, type Labels } from '../labels.js';
import type { BinaryExpr, BinaryOp, VectorMatching } from './ast.js';
import { PromQLError, type Sample, type Value } from './values.js';

const COMPARISONS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Applies `expr`'s operator to its evaluated operands. */
export function binaryOp(expr: BinaryExpr, lhs: Value, rhs: Value): Value {
  const { op, returnBool } = expr;
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const { value, keep } = elementOp(op, lhs.value, rhs.value);
    return { type: 'scalar', value: returnBool ? Number(keep) : value };
  }
  if (lhs.type === 'vector' && rhs.type === 'scalar') return { type: 'vector', samples: vectorScalar(op, returnBool, lhs.samples, rhs.value, false) };
  if (lhs.type === 'scalar' && rhs.type === 'vector') return { type: 'vector', samples: vectorScalar(op, returnBool, rhs.samples, lhs.value, true) };
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    if (op === 'and' || op === 'or' || op === 'unless') return { type: 'vector', samples: setOp(op, lhs.samples, rhs.samples, expr.matching) };
    return { type: 'vector', samples: vectorVector(op, returnBool, lhs.samples, rhs.samples, expr.matching) };
  }
  throw new PromQLError('execution', `operator ${op} cannot apply to ${lhs.type} and ${rhs.type}`);
}

/** One pair of values: the result and, for comparisons, whether it holds. */
function elementOp(op: BinaryOp, l: number, r: number): { value: number; keep: boolean } {
  switch (op) {
    case '+':
      return { value: l + r, keep: true };
    case '-':
      return { value: l - r, keep: true };
    case '*':
      return { value: l * r, keep: true };
    case '/':
      return { value: l / r, keep: true };
    case '%':
      return { value: l % r, keep: true };
    case '^':
      return { value: power(l, r), keep: true };
    case '==':
      return { value: l, keep: l === r };
    case '!=':
      return { value: l, keep: l !== r };
    case '>':
      return { value: l, keep: l > r };
    case '<':
      return { value: l, keep: l < r };
    case '>=':
      return { value: l, keep: l >= r };
    case '<=':
      return { value: l, keep: l <= r };
    default:
      throw new PromQLError('execution', `operator ${op} is not defined between numbers`);
  }
}

/** Go's math.Pow where it differs from JavaScript's: x^0 = 1, 1^y = 1, (-1)^±Inf = 1. */
function power(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) return 1;
  return x ** y;
}

function vectorScalar(op: BinaryOp, returnBool: boolean, samples: readonly Sample[], scalar: number, scalarFirst: boolean): Sample[] {
  const comparison = COMPARISONS.has(op);
  const out: Sample[] = [];
  for (const sample of samples) {
    const [l, r] = scalarFirst ? [scalar, sample.value] : [sample.value, scalar];
    const { value, keep } = elementOp(op, l, r);
    if (comparison && !returnBool) {
      if (keep) out.push({ labels: sample.labels, value: sample.value });
      continue;
    }
    out.push({ labels: withoutName(sample.labels), value: comparison ? Number(keep) : value });
  }
  return out;
}

function signature(labels: Labels, matching: VectorMatching | undefined): Record<string, string> {
  if (matching?.on) return keepOnly(labels, matching.labels);
  return dropNames(labels, [METRIC_NAME, ...(matching?.labels ?? [])]);
}

function vectorVector(op: BinaryOp, returnBool: boolean, lhs: readonly Sample[], rhs: readonly Sample[], matching: VectorMatching | undefined): Sample[] {
  const right = new Map<string, Sample>();
  for (const sample of rhs) {
    const sig = signature(sample.labels, matching);
    const key = labelsKey(sig);
    const other = right.get(key);
    if (other) {
      throw new PromQLError(
        'execution',
        `found duplicate series for the match group ${formatLabels(sig)} on the right hand-side of the operation: [${formatLabels(other.labels)}, ${formatLabels(sample.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(key, sample);
  }
  const comparison = COMPARISONS.has(op);
  const matched = new Set<string>();
  const results = new Map<string, Sample>();
  for (const sample of lhs) {
    const key = labelsKey(signature(sample.labels, matching));
    const other = right.get(key);
    if (!other) continue;
    if (matched.has(key)) throw new PromQLError('execution', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    matched.add(key);
    const { value, keep } = elementOp(op, sample.value, other.value);
    if (comparison && !returnBool && !keep) continue;
    const labels = resultLabels(sample.labels, matching, !comparison || returnBool);
    const resultKey = labelsKey(labels);
    if (results.has(resultKey)) throw new PromQLError('execution', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    results.set(resultKey, { labels, value: comparison && returnBool ? Number(keep) : value });
  }
  return [...results.values()];
}

function resultLabels(labels: Labels, matching: VectorMatching | undefined, dropName: boolean): Record<string, string> {
  const base = dropName ? withoutName(labels) : { ...labels };
  if (!matching) return base;
  return matching.on ? keepOnly(base, matching.labels) : dropNames(base, matching.labels);
}

function setOp(op: 'and' | 'or' | 'unless', lhs: readonly Sample[], rhs: readonly Sample[], matching: VectorMatching | undefined): Sample[] {
  const key = (s: Sample): string => labelsKey(signature(s.labels, matching));
  const rightKeys = new Set(rhs.map(key));
  if (op === 'and') return lhs.filter((s) => rightKeys.has(key(s)));
  if (op === 'unless') return lhs.filter((s) => !rightKeys.has(key(s)));
  const leftKeys = new Set(lhs.map(key));
  return [...lhs, ...rhs.filter((s) => !leftKeys.has(key(s)))];
}
