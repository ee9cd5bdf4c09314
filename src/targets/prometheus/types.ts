/**
 * What Prometheus' HTTP API answers, as gameday reads it. Answers are checked against these
 * schemas before use (only the fields read are declared; others are ignored, since newer
 * Prometheus versions add fields). Sample values travel as strings on the wire (`"1.5"`,
 * `"NaN"`, `"+Inf"`) and are numbers here.
 */
import { z } from 'zod';

/** A label set: `{ __name__: "up", job: "lab" }`. */
export type Labels = Record<string, string>;

/** One series of an instant vector, or an instant query's scalar (labels `{}`). */
export interface Sample {
  labels: Labels;
  /** The sample value (NaN and ±Infinity included); NaN for a native histogram sample. */
  value: number;
  /** Unix time in seconds of the sample as Prometheus reports it (for an instant query: the evaluation time). */
  at: number;
  /** The sample is a native histogram, not a number. */
  histogram?: true;
}

/** One series of a range vector: its points in time order. */
export interface RangeSeries {
  labels: Labels;
  points: { at: number; value: number }[];
}

/** A query's result, by the `resultType` Prometheus gave. */
export type QueryResult =
  | { type: 'vector'; samples: Sample[] }
  | { type: 'scalar'; sample: Sample }
  | { type: 'matrix'; series: RangeSeries[] }
  | { type: 'string'; value: string; at: number };

/** A successful answer's data and the warnings Prometheus attached (`warnings`, and `infos` on 3.x). */
export interface Answer<T> {
  data: T;
  warnings: string[];
}

/** An alert as `/api/v1/alerts` lists it. */
export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: 'firing' | 'pending' | 'inactive';
  activeAt: string | undefined;
  value: string | undefined;
}

/** One rule of `/api/v1/rules`. */
export interface Rule {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  health: string;
  lastError: string | undefined;
  labels: Labels;
  /** Alerting rules: the alerts it holds now. */
  alerts: Alert[];
}

/** One rule group of `/api/v1/rules`. */
export interface RuleGroup {
  name: string;
  file: string;
  rules: Rule[];
}

/** Every answer's envelope: `status`, `data` or `errorType`/`error`, `warnings`, `infos`. */
export const Envelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional(),
});
export type Envelope = z.infer<typeof Envelope>;

/** `[unix seconds, "value"]`, the wire form of one sample. */
const WirePoint = z.tuple([z.number(), z.string()]);
const WireLabels = z.record(z.string(), z.string());

/** The instant-query and range-query `data` member. */
export const WireQueryData = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(
      z.union([
        z.object({ metric: WireLabels, value: WirePoint }),
        z.object({ metric: WireLabels, histogram: z.tuple([z.number(), z.unknown()]) }),
      ]),
    ),
  }),
  z.object({ resultType: z.literal('scalar'), result: WirePoint }),
  z.object({ resultType: z.literal('string'), result: WirePoint }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: WireLabels, values: z.array(WirePoint).default([]) })),
  }),
]);

const WireAlert = z.object({
  labels: WireLabels,
  annotations: WireLabels.default({}),
  state: z.enum(['firing', 'pending', 'inactive']),
  activeAt: z.string().optional(),
  value: z.string().optional(),
});

/** The `/api/v1/alerts` `data` member. */
export const WireAlertsData = z.object({ alerts: z.array(WireAlert) });

/** The `/api/v1/rules` `data` member. */
export const WireRulesData = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      file: z.string().default(''),
      rules: z.array(
        z.object({
          type: z.enum(['alerting', 'recording']),
          name: z.string(),
          query: z.string(),
          health: z.string().default('unknown'),
          lastError: z.string().optional(),
          labels: WireLabels.default({}),
          alerts: z.array(WireAlert).default([]),
        }),
      ),
    }),
  ),
});

/** A sample value as Prometheus writes it: a decimal, `NaN`, `+Inf` or `-Inf`. Anything else is NaN. */
export function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text.trim() === '') return NaN;
  return Number(text);
}

/** The typed result of a query's `data` member. */
export function toQueryResult(data: z.infer<typeof WireQueryData>): QueryResult {
  switch (data.resultType) {
    case 'scalar':
      return { type: 'scalar', sample: { labels: {}, at: data.result[0], value: sampleValue(data.result[1]) } };
    case 'string':
      return { type: 'string', at: data.result[0], value: data.result[1] };
    case 'vector':
      return {
        type: 'vector',
        samples: data.result.map((s) =>
          'value' in s
            ? { labels: s.metric, at: s.value[0], value: sampleValue(s.value[1]) }
            : { labels: s.metric, at: s.histogram[0], value: NaN, histogram: true as const },
        ),
      };
    case 'matrix':
      return {
        type: 'matrix',
        series: data.result.map((s) => ({ labels: s.metric, points: s.values.map(([at, v]) => ({ at, value: sampleValue(v) })) })),
      };
  }
}

/** The typed alerts of an `/api/v1/alerts` or a rule's `alerts` member. */
export function toAlert(a: z.infer<typeof WireAlert>): Alert {
  return { labels: a.labels, annotations: a.annotations, state: a.state, activeAt: a.activeAt, value: a.value };
}

/** A label set as PromQL writes it: `{job="lab", severity="critical"}` (`__name__` first, as a metric name). */
export function formatLabels(labels: Labels): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`)
    .join(', ');
  return `${name ?? ''}{${inner}}`;
}
