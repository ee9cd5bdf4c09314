/**
 * The PromQL expressions the lab evaluates, built from the official grammar's syntax tree.
 * Rule: a tree of this shape is already type-checked — every node's operands have the types
 * its operation accepts — so evaluation never meets a type error.
 */
import type { Matcher } from '../matchers.js';

/** The four PromQL value types. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Printed as Prometheus names them in messages. */
export const TYPE_NAMES: Record<ValueType, string> = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };

/** Aggregation operators the lab supports. */
export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'group';

/** Arithmetic operators. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';

/** Comparison operators. */
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';

/** Set operators (vector/vector only). */
export type SetOp = 'and' | 'or' | 'unless';

/** Every binary operator the lab supports. */
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** A number literal. */
export interface NumberLiteral {
  kind: 'number';
  value: number;
}

/** A string literal. */
export interface StringLiteral {
  kind: 'string';
  value: string;
}

/** An instant vector selector; `matchers` include the metric name as `__name__`. */
export interface VectorSelector {
  kind: 'vector-selector';
  matchers: Matcher[];
}

/** A range vector selector: `selector[rangeMs]`. */
export interface MatrixSelector {
  kind: 'matrix-selector';
  selector: VectorSelector;
  rangeMs: number;
}

/** Unary minus or plus. */
export interface UnaryExpr {
  kind: 'unary';
  op: '-' | '+';
  expr: Expr;
}

/** A function call; `name` is a key of the function table. */
export interface CallExpr {
  kind: 'call';
  name: string;
  args: Expr[];
}

/** An aggregation with its grouping. */
export interface AggregateExpr {
  kind: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  /** `by (…)` keeps only these labels; `without (…)` drops them (and the metric name). */
  grouping: string[];
  without: boolean;
}

/** How two vectors' samples are paired: on(…) some labels, or ignoring(…) some. */
export interface VectorMatching {
  on: boolean;
  labels: string[];
}

/** A binary operation. */
export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** `bool`: comparisons return 0/1 instead of filtering. */
  returnBool: boolean;
  /** Present when `on`/`ignoring` was written. */
  matching: VectorMatching | undefined;
}

/** Any expression. */
export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | UnaryExpr | CallExpr | AggregateExpr | BinaryExpr;
