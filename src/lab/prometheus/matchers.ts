/**
 * Label matchers (`=`, `!=`, `=~`, `!~`). Rule: regular expressions are fully anchored and
 * `.` matches a newline, as Prometheus compiles them (`^(?s:…)$`); a missing label matches
 * like an empty value, so `{a=""}` selects the series without `a`.
 */
import type { Labels } from './labels.js';

/** How a matcher compares. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** One label matcher. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  readonly regex: RegExp | undefined;
}

/** A matcher whose regular expression does not compile. */
export class MatcherError extends Error {
  override readonly name = 'MatcherError';
}

/** Builds a matcher; throws `MatcherError` for a regular expression that does not compile. */
export function makeMatcher(name: string, type: MatchType, value: string): Matcher {
  if (type === '=' || type === '!=') return { name, type, value, regex: undefined };
  try {
    return { name, type, value, regex: new RegExp(`^(?:${value})$`, 's') };
  } catch (error) {
    throw new MatcherError(`invalid regular expression ${JSON.stringify(value)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether `value` (empty for a missing label) satisfies the matcher. */
export function matchesValue(matcher: Matcher, value: string): boolean {
  switch (matcher.type) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.regex?.test(value) ?? false;
    case '!~':
      return !(matcher.regex?.test(value) ?? false);
  }
}

/** Whether a label set satisfies every matcher. */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matchesValue(m, labels[m.name] ?? ''));
}
