/**
 * Durations as people write them in experiment and config files: `500ms`, `2s`, `5m`,
 * `1h`, `1m30s`. Units go from the largest to the smallest, each at most once; a bare
 * number is never a duration (its unit would be a guess).
 */
import { z } from 'zod';
import { describeValue } from './yaml-file.js';

/** The accepted form, also used as the JSON Schema `pattern`. */
export const DURATION_PATTERN = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const UNIT_MS = [3_600_000, 60_000, 1_000, 1] as const;

/** Milliseconds in `text`, or undefined when it is not a duration of the accepted form. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  let ms = 0;
  for (const [i, unit] of UNIT_MS.entries()) {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * unit;
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Renders milliseconds in the same form `parseDuration` reads (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in ms: ${ms}`);
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, suffix] of [[3_600_000, 'h'], [60_000, 'm'], [1_000, 's'], [1, 'ms']] as const) {
    const n = Math.floor(rest / unit);
    if (n > 0) parts.push(`${n}${suffix}`);
    rest -= n * unit;
  }
  return parts.join('');
}

/** The message every bad duration gets: the expected form, then what was written. */
export function durationMessage(input: unknown): string {
  const got = describeValue(input);
  const hint = typeof input === 'number' ? ' (add a unit: ms, s, m or h)' : '';
  return `expected a duration like 30s or 5m, got ${got}${hint}`;
}

/** A duration string, parsed to milliseconds. Numbers and junk are rejected with the expected form. */
export const Duration = z
  .string({ error: (issue) => durationMessage(issue.input) })
  .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms !== undefined) return ms;
    ctx.issues.push({ code: 'custom', message: durationMessage(text), input: text });
    return z.NEVER;
  })
  .meta({ description: 'A duration: 500ms, 2s, 5m, 1h, 1m30s' });
/** A duration in milliseconds. */
export type Duration = z.output<typeof Duration>;
