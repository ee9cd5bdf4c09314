import { spawnSync } from 'node:child_process';

/** What `promtool check metrics` said of an exposition (exit 0: clean, 3: lint problems only, 1: does not parse). */
export interface PromtoolVerdict {
  code: number | null;
  output: string;
}

/** Pipes `exposition` into the real `promtool check metrics` (Debian's prometheus package), bounded to 20 s. */
export function promtoolCheckMetrics(exposition: string): PromtoolVerdict {
  const result = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
