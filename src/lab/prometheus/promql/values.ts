/**
 * PromQL values during evaluation, and the errors evaluation raises. Rule: a vector never
 * holds two samples with the same label set — an operation that would produce one fails
 * with an execution error, as Prometheus does.
 */
import type { Labels } from '../labels.js';
import type { Points } from '../tsdb.js';

/** One element of an instant vector. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** One element of a range vector. */
export interface RangeSeries {
  labels: Labels;
  points: Points;
}

/** A PromQL value. */
export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: RangeSeries[] };

/** What a query that cannot be answered is, in the Prometheus API's words. */
export type QueryErrorType = 'bad_data' | 'execution' | 'timeout';

/**
 * A query that cannot be answered. `bad_data`: it does not parse, does not type-check, or
 * uses something the lab does not support; `execution`: it failed while evaluating;
 * `timeout`: it ran past its deadline.
 */
export class PromQLError extends Error {
  override readonly name = 'PromQLError';
  constructor(
    readonly type: QueryErrorType,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
