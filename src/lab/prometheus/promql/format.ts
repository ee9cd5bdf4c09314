/**
 * Numbers and times as Prometheus prints them. Rules: sample values use Go's shortest
 * decimal form without exponent (`strconv.FormatFloat(v, 'f', -1, 64)`), NaN as `NaN`,
 * infinities as `+Inf`/`-Inf`; alert values use Go's shortest exponent form (`1e+00`);
 * times are unix seconds with millisecond precision.
 */

/** A sample value as the HTTP API prints it. */
export function formatSampleValue(v: number): string {
  const special = specialValue(v);
  if (special !== undefined) return special;
  if (Object.is(v, -0)) return '-0';
  const text = String(v);
  return text.includes('e') ? expandExponent(text) : text;
}

/** A value in Go's `%e` shortest form, as alerts print theirs (`1e+00`, `2.5e-07`). */
export function formatExponent(v: number): string {
  const special = specialValue(v);
  if (special !== undefined) return special;
  const [mantissa = '0', exponent = '0'] = v.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}

/** A value as the text exposition format writes it. */
export function formatExpositionValue(v: number): string {
  return specialValue(v) ?? String(v);
}

/** Unix seconds (float) of a ms timestamp, for JSON. */
export function unixSeconds(ms: number): number {
  return ms / 1000;
}

function specialValue(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
}

function expandExponent(text: string): string {
  const negative = text.startsWith('-');
  const [mantissa = '', exponentText = '0'] = text.replace(/^-/, '').split('e');
  const exponent = Number(exponentText);
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot === -1 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}
