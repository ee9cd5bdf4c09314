/**
 * PromQL text → the lab's expression tree, through the official grammar
 * (`@prometheus-io/lezer-promql`). Rules: a syntax error is reported at its line and column,
 * as Prometheus reports it (`1:5: parse error: …`); types are checked with Prometheus's
 * messages; a construct the lab does not evaluate (subqueries, offset, @, group_left/right,
 * functions and aggregations outside the supported set…) is refused with
 * `unsupported PromQL: <construct>`, never evaluated approximately.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { LABEL_NAME_RE, METRIC_NAME } from '../labels.js';
import { makeMatcher, matchesValue, MatcherError, type Matcher, type MatchType } from '../matchers.js';
import { TYPE_NAMES, type AggregateOp, type BinaryOp, type Expr, type ValueType, type VectorMatching, type VectorSelector } from './ast.js';
import { FUNCTIONS } from './functions.js';
import { LiteralError, numberValue, rangeDurationMs, unquote } from './literals.js';
import { PromQLError } from './values.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const EXPR_NODES = new Set([
  'AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr', 'AnchoredExpr',
  'SmoothedExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr',
]);

/** Constructs the grammar knows and the lab refuses, by node name. */
const UNSUPPORTED_NODES: Record<string, string> = {
  SubqueryExpr: 'subquery',
  OffsetExpr: 'offset modifier',
  StepInvariantExpr: '@ modifier',
  AnchoredExpr: 'anchored modifier',
  SmoothedExpr: 'smoothed modifier',
  GroupLeft: 'group_left',
  GroupRight: 'group_right',
  FillModifier: 'fill modifier',
  Atan2: 'atan2 operator',
  TrimUpper: 'trim operator </',
  TrimLower: 'trim operator >/',
};

const BINARY_OPS: Record<string, BinaryOp> = {
  Pow: '^', Mul: '*', Div: '/', Mod: '%', Add: '+', Sub: '-',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const AGGREGATIONS = new Set<string>(['sum', 'avg', 'min', 'max', 'count', 'group']);
const COMPARISONS = new Set<string>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<string>(['and', 'or', 'unless']);

/** Parses and type-checks `query`; throws `PromQLError` (bad_data) when it cannot be evaluated. */
export function parsePromQL(query: string): Expr {
  return new Builder(query).build();
}

/** The value type an expression evaluates to. */
export function exprType(expr: Expr): ValueType {
  switch (expr.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector-selector':
    case 'aggregate':
      return 'vector';
    case 'matrix-selector':
      return 'matrix';
    case 'unary':
      return exprType(expr.expr);
    case 'call':
      return FUNCTIONS[expr.name]?.returns ?? 'vector';
    case 'binary':
      return exprType(expr.lhs) === 'scalar' && exprType(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

class Builder {
  constructor(private readonly query: string) {}

  build(): Expr {
    const tree = parser.parse(this.query);
    const top = tree.topNode;
    const exprs = childrenOf(top).filter((c) => EXPR_NODES.has(c.name));
    if (exprs.length === 0 && this.query.replace(/#[^\n]*/g, '').trim() === '') this.fail(0, 'no expression found in input');
    this.checkErrors(top);
    const [root] = exprs;
    if (!root) this.fail(0, 'no expression found in input');
    return this.expr(root);
  }

  private checkErrors(top: SyntaxNode): void {
    let first: SyntaxNode | undefined;
    top.cursor().iterate((ref) => {
      if (first) return false;
      if (ref.type.isError) first = ref.node;
      return undefined;
    });
    if (!first) return;
    const from = first.from;
    const before = this.query.slice(0, from);
    const rest = this.query.slice(from);
    const fn = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(before);
    if (fn && rest.trimStart().startsWith('(')) this.fail(fn.index, `unknown function with name ${JSON.stringify(fn[1])}`);
    if (rest.trim() === '') this.fail(from, 'unexpected end of input');
    const token = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*|\d[\w.]*|"[^"]*"?|'[^']*'?|\S)/.exec(rest)?.[1] ?? rest.trim();
    this.fail(from + rest.indexOf(token), `unexpected ${JSON.stringify(token)}`);
  }

  private expr(node: SyntaxNode): Expr {
    const unsupported = UNSUPPORTED_NODES[node.name];
    if (unsupported) this.unsupported(node, unsupported);
    switch (node.name) {
      case 'ParenExpr':
        return this.expr(this.exprChildren(node)[0] ?? this.missing(node));
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.literal(node, () => numberValue(this.text(node))) };
      case 'StringLiteral':
        return { kind: 'string', value: this.literal(node, () => unquote(this.text(node))) };
      case 'VectorSelector':
        return this.vectorSelector(node);
      case 'MatrixSelector':
        return this.matrixSelector(node);
      case 'UnaryExpr':
        return this.unary(node);
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'BinaryExpr':
        return this.binary(node);
      default:
        return this.unsupported(node, node.name);
    }
  }

  private vectorSelector(node: SyntaxNode): VectorSelector {
    const matchers: Matcher[] = [];
    let name: string | undefined;
    const setName = (at: SyntaxNode, value: string): void => {
      if (name !== undefined) this.fail(at.from, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(value)}`);
      name = value;
    };
    for (const child of childrenOf(node)) {
      if (child.name === 'Identifier') setName(child, this.text(child));
      if (child.name !== 'LabelMatchers') continue;
      for (const m of childrenOf(child)) {
        if (m.name === 'QuotedLabelName') {
          setName(m, this.stringOf(m));
          continue;
        }
        if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
        const parts = childrenOf(m);
        const [labelNode, opNode, valueNode] = parts;
        if (!labelNode || !opNode || !valueNode) this.missing(m);
        const label = labelNode.name === 'QuotedLabelName' ? this.stringOf(labelNode) : this.text(labelNode);
        const op = MATCH_OPS[opNode.firstChild?.name ?? ''];
        if (!op) this.fail(opNode.from, `unexpected ${JSON.stringify(this.text(opNode))} in label matching`);
        const value = this.literal(valueNode, () => unquote(this.text(valueNode)));
        if (label === METRIC_NAME && op === '=') setName(m, value);
        else matchers.push(this.matcher(m, label, op, value));
      }
    }
    if (name !== undefined) matchers.unshift(makeMatcher(METRIC_NAME, '=', name));
    if (matchers.every((m) => matchesValue(m, ''))) this.fail(node.from, 'vector selector must contain at least one non-empty matcher');
    return { kind: 'vector-selector', matchers };
  }

  private matcher(node: SyntaxNode, label: string, op: MatchType, value: string): Matcher {
    try {
      return makeMatcher(label, op, value);
    } catch (error) {
      if (error instanceof MatcherError) this.fail(node.from, error.message);
      throw error;
    }
  }

  private matrixSelector(node: SyntaxNode): Expr {
    const [inner] = this.exprChildren(node);
    const duration = node.getChild('DurationExpr');
    if (!inner || !duration) this.missing(node);
    if (inner.name !== 'VectorSelector') {
      if (UNSUPPORTED_NODES[inner.name]) this.unsupported(inner, UNSUPPORTED_NODES[inner.name] ?? inner.name);
      this.fail(node.from, 'ranges only allowed for vector selectors');
    }
    const rangeMs = this.durationOf(duration);
    return { kind: 'matrix-selector', selector: this.vectorSelector(inner), rangeMs };
  }

  private durationOf(node: SyntaxNode): number {
    const parts = childrenOf(node);
    const [only] = parts;
    if (parts.length !== 1 || only?.name !== 'NumberDurationLiteralInDurationContext') this.unsupported(node, 'duration expression');
    const ms = this.literal(only, () => rangeDurationMs(this.text(only)));
    if (!(ms > 0)) this.fail(node.from, `range duration must be greater than 0, got ${JSON.stringify(this.text(node))}`);
    return ms;
  }

  private unary(node: SyntaxNode): Expr {
    const op = this.text(node.getChild('UnaryOp') ?? this.missing(node)).trim() === '-' ? '-' : '+';
    const operand = this.expr(this.exprChildren(node)[0] ?? this.missing(node));
    const type = exprType(operand);
    if (type !== 'scalar' && type !== 'vector') {
      this.fail(node.from, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(TYPE_NAMES[type])}`);
    }
    return { kind: 'unary', op, expr: operand };
  }

  private call(node: SyntaxNode): Expr {
    const identifier = node.getChild('FunctionIdentifier') ?? this.missing(node);
    const name = this.text(identifier);
    const def = FUNCTIONS[name];
    if (!def) this.unsupported(identifier, `function ${name}`);
    const args = this.exprChildren(node.getChild('FunctionCallBody') ?? this.missing(node)).map((a) => this.expr(a));
    const min = def.args.length - def.optional;
    const max = def.args.length;
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${max}` : args.length < min ? `at least ${min}` : `at most ${max}`;
      this.fail(node.from, `expected ${expected} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`);
    }
    args.forEach((arg, i) => {
      const want = def.args[i] ?? 'vector';
      const got = exprType(arg);
      if (got !== want) this.fail(node.from, `expected type ${TYPE_NAMES[want]} in call to function ${JSON.stringify(name)}, got ${TYPE_NAMES[got]}`);
    });
    return { kind: 'call', name, args };
  }

  private aggregate(node: SyntaxNode): Expr {
    const opNode = node.getChild('AggregateOp') ?? this.missing(node);
    const op = this.text(opNode).toLowerCase();
    if (!AGGREGATIONS.has(op)) this.unsupported(opNode, `aggregation ${op}`);
    const args = this.exprChildren(node.getChild('FunctionCallBody') ?? this.missing(node)).map((a) => this.expr(a));
    if (args.length !== 1) this.fail(node.from, `wrong number of arguments for aggregate expression provided, expected 1, got ${args.length}`);
    const [arg] = args as [Expr];
    const type = exprType(arg);
    if (type !== 'vector') this.fail(node.from, `expected type instant vector in aggregation expression, got ${TYPE_NAMES[type]}`);
    const modifier = node.getChild('AggregateModifier');
    const without = Boolean(modifier?.getChild('Without'));
    const grouping = modifier ? this.groupingLabels(modifier.getChild('GroupingLabels') ?? this.missing(modifier)) : [];
    return { kind: 'aggregate', op: op as AggregateOp, expr: arg, grouping, without };
  }

  private binary(node: SyntaxNode): Expr {
    const parts = childrenOf(node);
    const exprs = parts.filter((p) => EXPR_NODES.has(p.name));
    const [lhsNode, rhsNode] = exprs;
    if (!lhsNode || !rhsNode || exprs.length !== 2) this.missing(node);
    for (const part of parts) {
      const refused = UNSUPPORTED_NODES[part.name];
      if (refused && !EXPR_NODES.has(part.name)) this.unsupported(part, refused);
    }
    const opNode = parts.find((p) => BINARY_OPS[p.name] !== undefined);
    const op = opNode ? BINARY_OPS[opNode.name] : undefined;
    if (!op || !opNode) this.missing(node);
    const clause = node.getChild('MatchingModifierClause');
    if (clause) {
      for (const part of childrenOf(clause)) {
        const refused = UNSUPPORTED_NODES[part.name];
        if (refused) this.unsupported(part, refused);
      }
    }
    const matching: VectorMatching | undefined = clause
      ? { on: clause.getChild('On') !== null, labels: this.groupingLabels(clause.getChild('GroupingLabels') ?? this.missing(clause)) }
      : undefined;
    const returnBool = node.getChild('BoolModifier') !== null;
    const sign = /^\s*([+-])/.exec(this.text(lhsNode))?.[1];
    // The grammar reads `-2 ^ 2` as (-2)^2; Prometheus's unary minus binds looser than ^: -(2^2).
    const signedBase = op === '^' && lhsNode.name === 'NumberDurationLiteral' && sign !== undefined;
    const lhs: Expr = signedBase ? { kind: 'number', value: Math.abs(this.literal(lhsNode, () => numberValue(this.text(lhsNode)))) } : this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    this.checkBinary(opNode, op, lhs, rhs, returnBool, matching);
    const expr: Expr = { kind: 'binary', op, lhs, rhs, returnBool, matching };
    return signedBase && sign === '-' ? { kind: 'unary', op: '-', expr } : expr;
  }

  private checkBinary(at: SyntaxNode, op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: boolean, matching: VectorMatching | undefined): void {
    const lt = exprType(lhs);
    const rt = exprType(rhs);
    const comparison = COMPARISONS.has(op);
    if (returnBool && !comparison) this.fail(at.from, 'bool modifier can only be used on comparison operators');
    if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
      this.fail(at.from, 'binary expression must contain only scalar and instant vector types');
    }
    if (comparison && !returnBool && lt === 'scalar' && rt === 'scalar') this.fail(at.from, 'comparisons between scalars must use BOOL modifier');
    if (SET_OPS.has(op) && (lt === 'scalar' || rt === 'scalar')) this.fail(at.from, `set operator ${JSON.stringify(op)} not allowed in binary scalar expression`);
    if (matching && (lt !== 'vector' || rt !== 'vector')) this.fail(at.from, 'vector matching only allowed between instant vectors');
  }

  private groupingLabels(node: SyntaxNode): string[] {
    return childrenOf(node)
      .filter((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName')
      .map((c) => {
        const label = c.name === 'QuotedLabelName' ? this.stringOf(c) : this.text(c);
        if (!LABEL_NAME_RE.test(label)) this.fail(c.from, `invalid label name ${JSON.stringify(label)} in grouping opts`);
        return label;
      });
  }

  private stringOf(quotedLabelName: SyntaxNode): string {
    const literal = quotedLabelName.getChild('StringLiteral') ?? this.missing(quotedLabelName);
    return this.literal(literal, () => unquote(this.text(literal)));
  }

  private exprChildren(node: SyntaxNode): SyntaxNode[] {
    return childrenOf(node).filter((c) => EXPR_NODES.has(c.name));
  }

  private literal<T>(node: SyntaxNode, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof LiteralError) this.fail(node.from, error.message);
      throw error;
    }
  }

  private text(node: SyntaxNode): string {
    return this.query.slice(node.from, node.to);
  }

  private position(offset: number): string {
    const before = this.query.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return `${line}:${column}`;
  }

  private fail(offset: number, message: string): never {
    throw new PromQLError('bad_data', `${this.position(offset)}: parse error: ${message}`);
  }

  private missing(node: SyntaxNode): never {
    return this.fail(node.from, `incomplete ${node.name}`);
  }

  private unsupported(node: SyntaxNode, what: string): never {
    throw new PromQLError('bad_data', `unsupported PromQL: ${what} (${JSON.stringify(this.text(node))} at ${this.position(node.from)})`);
  }
}
