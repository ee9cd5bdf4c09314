/** Summary figures for a list of samples, printed by every benchmark the same way. */
export interface Stats { n: number; median: number; p99: number; min: number; max: number; mean: number }

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, median: at(0.5), p99: at(0.99), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

export function printStats(label: string, samples: readonly number[], unit = 'ms', digits = 2): void {
  const r = stats(samples);
  const f = (v: number): string => v.toFixed(digits);
  console.log(`${label.padEnd(46)} n=${r.n}  median ${f(r.median)} ${unit}  p99 ${f(r.p99)}  min ${f(r.min)}  max ${f(r.max)}`);
}

export function machine(): string {
  return `node ${process.version}, ${process.platform}/${process.arch}`;
}
