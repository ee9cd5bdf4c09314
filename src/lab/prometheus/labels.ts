/**
 * Label sets as the lab's Prometheus keeps them. Rule: a label set is a plain object whose
 * empty values mean "absent" (as in Prometheus, `{a=""}` and `{}` are the same series); its
 * key is built from the sorted pairs, so two sets with the same pairs always share one key.
 */

/** A series' labels, metric name included as `__name__`. */
export type Labels = Readonly<Record<string, string>>;

/** The label that holds the metric name. */
export const METRIC_NAME = '__name__';

/** Valid metric names and label names, as the exposition format and PromQL accept them. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A stable key of a label set: equal keys ⇔ equal sets (empty values ignored). */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .filter((name) => labels[name] !== '')
    .sort()
    .map((name) => `${name}\u0000${labels[name] ?? ''}`)
    .join('\u0001');
}

/** The set without empty values, names sorted (what results show). */
export function normalized(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** The set without its metric name. */
export function withoutName(labels: Labels): Record<string, string> {
  const { [METRIC_NAME]: _name, ...rest } = labels;
  return rest;
}

/** Only the named labels. */
export function keepOnly(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Every label but the named ones. */
export function dropNames(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const name of names) delete out[name];
  return out;
}

/** Orders label sets the way Prometheus sorts a matrix: by their pairs, names ascending. */
export function compareLabels(a: Labels, b: Labels): number {
  const ka = labelsKey(a);
  const kb = labelsKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** `{a="x", b="y"}` (for error messages). */
export function formatLabels(labels: Labels): string {
  const pairs = Object.entries(normalized(labels)).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `{${pairs.join(', ')}}`;
}
