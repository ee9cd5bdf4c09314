/**
 * PromQL checked before it reaches Prometheus, with the official grammar
 * (`@prometheus-io/lezer-promql`, the parser of Prometheus' own web UI). Rules: a query with
 * a syntax error, a Grafana variable (`$var`, `${var}`, `[[var]]`, `$__rate_interval`, in
 * the expression or in a label matcher's value), a
 * range function given an instant vector, or a result that is a range vector or a string is
 * refused at load time, with the position inside the query. What the grammar cannot know
 * (an unknown label, a type mismatch across a binary operator) is Prometheus' to refuse at
 * the first check, as a non-retryable error in its own words.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** A node of the parsed query (lezer's SyntaxNode, named through the parser so no other package is imported). */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** One problem found in a query; `at` is the 0-based offset of its start in the query. */
export interface PromqlProblem {
  at: number;
  message: string;
}

/** Functions whose argument at the given index must be a range vector (`x[5m]` or a subquery). */
const RANGE_ARGUMENT: ReadonlyMap<string, number> = new Map([
  ['Rate', 0], ['Irate', 0], ['Increase', 0], ['Delta', 0], ['Idelta', 0], ['Deriv', 0],
  ['Changes', 0], ['Resets', 0], ['AvgOverTime', 0], ['MinOverTime', 0], ['MaxOverTime', 0],
  ['SumOverTime', 0], ['CountOverTime', 0], ['StddevOverTime', 0], ['StdvarOverTime', 0],
  ['LastOverTime', 0], ['FirstOverTime', 0], ['PresentOverTime', 0], ['AbsentOverTime', 0],
  ['MadOverTime', 0], ['QuantileOverTime', 1], ['PredictLinear', 0], ['DoubleExponentialSmoothing', 0],
]);

/** Nodes that only wrap an expression without changing its type. */
const WRAPPERS = new Set(['ParenExpr', 'OffsetExpr', 'StepInvariantExpr', 'AnchoredExpr', 'SmoothedExpr']);

/** A Grafana template variable, which Grafana substitutes and Prometheus never sees. */
const GRAFANA_VARIABLE = /\$\{[^}]*\}|\$[A-Za-z_]\w*|\[\[[A-Za-z_]\w*\]\]/g;

/** `line:col` (1-based) of `offset` in `query`, for messages about multi-line queries. */
export function positionIn(query: string, offset: number): string {
  const before = query.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function near(query: string, offset: number): string {
  const rest = query.slice(offset).replace(/\s+/g, ' ').trim();
  if (rest === '') return 'at the end of the query';
  return `near ${JSON.stringify(rest.length > 20 ? `${rest.slice(0, 20)}…` : rest)}`;
}

/** The expression a query's root holds, skipping comments. */
function rootExpression(root: SyntaxNode): SyntaxNode | null {
  for (let n = root.firstChild; n; n = n.nextSibling) if (n.name !== 'LineComment') return n;
  return null;
}

function unwrap(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (WRAPPERS.has(n.name) && n.firstChild) n = n.firstChild;
  return n;
}

function isRangeVector(node: SyntaxNode): boolean {
  const n = unwrap(node);
  return n.name === 'MatrixSelector' || n.name === 'SubqueryExpr';
}

/** Every problem of `query`, in order of position; empty when it may be sent to Prometheus. */
export function checkPromql(query: string): PromqlProblem[] {
  if (query.trim() === '') return [{ at: 0, message: 'the query is empty' }];
  const problems: PromqlProblem[] = [];
  const strings: [number, number][] = [];
  const tree = parser.parse(query);
  let syntaxAt: number | undefined;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError && syntaxAt === undefined) syntaxAt = ref.from;
      // a label matcher's value is where dashboards put `{job="$job"}`; other strings
      // (label_replace's "$1" or "$name" replacements) may hold a $ legitimately
      const inMatcher = ref.node.parent?.name.endsWith('LabelMatcher') === true;
      if (ref.name === 'StringLiteral' && !inMatcher) strings.push([ref.from, ref.to]);
      if (ref.name === 'FunctionCall') problems.push(...rangeArgumentProblems(query, ref.node));
    },
  });
  for (const match of query.matchAll(GRAFANA_VARIABLE)) {
    if (strings.some(([from, to]) => match.index >= from && match.index < to)) continue;
    problems.push({
      at: match.index,
      message: `${match[0]} is a Grafana variable, not PromQL: write its value${match[0].startsWith('$__') ? ' (e.g. 1m for $__rate_interval)' : ''}`,
    });
  }
  // one syntax error is enough: the parser's recovery makes later ones guesses
  if (syntaxAt !== undefined && !problems.some((p) => p.at <= syntaxAt!)) {
    problems.push({ at: syntaxAt, message: `PromQL syntax error ${near(query, syntaxAt)}` });
  }
  if (syntaxAt === undefined) {
    const root = rootExpression(tree.topNode);
    if (root && isRangeVector(root)) {
      problems.push({ at: root.from, message: 'the query returns a range vector: probes need one number per series (wrap it, e.g. in rate() or last_over_time())' });
    } else if (root && unwrap(root).name === 'StringLiteral') {
      problems.push({ at: root.from, message: 'the query returns a string: probes need numbers' });
    }
  }
  return problems.sort((a, b) => a.at - b.at);
}

function rangeArgumentProblems(query: string, call: SyntaxNode): PromqlProblem[] {
  const fn = call.getChild('FunctionIdentifier')?.firstChild;
  const index = fn ? RANGE_ARGUMENT.get(fn.name) : undefined;
  const body = call.getChild('FunctionCallBody');
  if (index === undefined || !fn || !body) return [];
  const args: SyntaxNode[] = [];
  for (let n = body.firstChild; n; n = n.nextSibling) if (!n.type.isError && n.name !== 'LineComment') args.push(n);
  const arg = args[index];
  if (!arg || isRangeVector(arg)) return [];
  const name = query.slice(fn.from, fn.to);
  return [{ at: arg.from, message: `${name}() needs a range vector here, like ${query.slice(arg.from, arg.to)}[5m]` }];
}

/** A vector selector the query reads, and the range it reads it over when it is in a range vector (`x[5m]`). */
export interface SelectorUse {
  /** The selector as written (`up{job="lab"}`), without range, offset or `@`. */
  selector: string;
  /** The range as written (`5m`) when the selector is read as a range vector; absent for an instant read. */
  range?: string;
}

/**
 * Every distinct use of a vector selector in the query: the series whose samples the
 * staleness guard asks about. A selector inside a subquery counts as an instant read (the
 * subquery evaluates it at each of its steps). Empty for a query made of constants only.
 */
export function selectorUses(query: string): SelectorUse[] {
  const found = new Map<string, SelectorUse>();
  parser.parse(query).iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return;
      const selector = query.slice(ref.from, ref.to).trim();
      const parent = ref.node.parent;
      const duration = parent?.name === 'MatrixSelector' ? parent.getChild('DurationExpr') : null;
      const use: SelectorUse = duration ? { selector, range: query.slice(duration.from, duration.to).trim() } : { selector };
      found.set(`${use.selector}\u0000${use.range ?? ''}`, use);
      return false;
    },
  });
  return [...found.values()];
}

/** The problems of a query as one message each: `at 1:12 of the query: PromQL syntax error near ")"`. */
export function describeProblems(query: string, problems: readonly PromqlProblem[]): string[] {
  return problems.map((p) => `at ${positionIn(query, p.at)} of the query: ${p.message}`);
}
