/**
 * PromQL's literals: strings (Go's quoting: double or single quotes with escapes, backticks
 * raw), numbers (decimal, hex, Inf, NaN, underscores between digits, durations as seconds)
 * and durations (`1h30m`, `500ms`; y = 365 d). Rule: what Prometheus refuses is refused here
 * with a message naming the literal, never read as something else.
 */

/** A literal that does not read. */
export class LiteralError extends Error {
  override readonly name = 'LiteralError';
}

const UNIT_MS: Record<string, number> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/** A Prometheus duration (`5m`, `1h30m`, `250ms`) in ms, or undefined when `text` is not one. */
export function durationMs(text: string): number | undefined {
  if (text === '') return undefined;
  const match = DURATION_RE.exec(text);
  if (!match) return undefined;
  let total = 0;
  DURATION_UNITS.forEach((unit, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) total += Number(amount) * (UNIT_MS[unit] ?? 0);
  });
  return total;
}

/** A number literal's value (a duration reads as seconds). */
export function numberValue(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  const lower = body.toLowerCase();
  if (lower === 'inf') return sign * Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const duration = durationMs(body);
  if (duration !== undefined && /[a-z]$/i.test(body)) return (sign * duration) / 1000;
  const digits = body.replace(/(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])/g, '');
  const value = /^0x[0-9a-f]+$/i.test(digits) ? Number.parseInt(digits.slice(2), 16) : Number(digits);
  if (digits === '' || Number.isNaN(value)) throw new LiteralError(`bad number or duration syntax: ${JSON.stringify(text)}`);
  return sign * value;
}

/** A range or offset duration: a duration literal, or a number of seconds. */
export function rangeDurationMs(text: string): number {
  const duration = durationMs(text);
  if (duration !== undefined) return duration;
  const seconds = Number(text.replace(/(?<=\d)_(?=\d)/g, ''));
  if (text === '' || !Number.isFinite(seconds)) throw new LiteralError(`bad duration syntax: ${JSON.stringify(text)}`);
  return Math.round(seconds * 1000);
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** The value of a string literal as written (quotes included). */
export function unquote(text: string): string {
  const quote = text[0];
  if (text.length < 2 || text[text.length - 1] !== quote) throw new LiteralError(`unterminated quoted string ${text}`);
  const body = text.slice(1, -1);
  if (quote === '`') return body;
  if (quote !== '"' && quote !== "'") throw new LiteralError(`not a string literal: ${text}`);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === '\n') throw new LiteralError(`newline in quoted string ${text}`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined && (e !== "'" || quote === "'") && (e !== '"' || quote === '"')) {
      out += simple;
      i++;
      continue;
    }
    const escaped = numericEscape(body, i, text);
    out += escaped.value;
    i += escaped.length - 1;
  }
  return out;
}

function numericEscape(body: string, at: number, text: string): { value: string; length: number } {
  const e = body[at + 1] ?? '';
  const widths: Record<string, number> = { x: 2, u: 4, U: 8 };
  const width = widths[e];
  if (width !== undefined) {
    const hex = body.slice(at + 2, at + 2 + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new LiteralError(`invalid escape sequence in ${text}`);
    const code = Number.parseInt(hex, 16);
    if (e !== 'x' && (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))) throw new LiteralError(`invalid Unicode code point in ${text}`);
    return { value: e === 'x' ? String.fromCharCode(code) : String.fromCodePoint(code), length: 2 + width };
  }
  const octal = body.slice(at + 1, at + 4);
  if (/^[0-7]{3}$/.test(octal) && Number.parseInt(octal, 8) <= 255) return { value: String.fromCharCode(Number.parseInt(octal, 8)), length: 4 };
  throw new LiteralError(`unknown escape sequence \\${e} in ${text}`);
}
