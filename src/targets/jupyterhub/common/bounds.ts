/**
 * Bounds on a count compared with its value before the fault (the engine's baseline):
 * `maxDrop` (at most this many fewer) and `within` (at most this far either way), each a
 * number or a percentage of the baseline (`"10%"`). Without a baseline (the `before` phase,
 * or no passing check then) a bound holds trivially: only absolute bounds can be judged.
 */
import { z } from 'zod';

/** A whole number, or a percentage of the baseline: `2`, `"10%"`. */
export const Amount = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+(\.\d+)?%$/, 'expected a whole number or a percentage like "10%"'),
]);
export type Amount = z.infer<typeof Amount>;

/** How far a count may move from its baseline. At least one key. */
export const BaselineBound = z
  .object({
    /** At most this many (or this percentage) fewer than before. */
    maxDrop: Amount.optional(),
    /** At most this many (or this percentage) away from before, either way. */
    within: Amount.optional(),
  })
  .strict()
  .refine((b) => b.maxDrop !== undefined || b.within !== undefined, 'give maxDrop and/or within');
export type BaselineBound = z.infer<typeof BaselineBound>;

/** The amount in counts for this baseline (`"10%"` of 30 is 3). */
export function amountOf(amount: Amount, baseline: number): number {
  return typeof amount === 'number' ? amount : (baseline * Number(amount.slice(0, -1))) / 100;
}

/** Why `count` breaks the bound against `baseline`, or undefined when it holds. */
export function boundBreach(bound: BaselineBound, count: number, baseline: number): string | undefined {
  if (bound.maxDrop !== undefined) {
    const allowed = amountOf(bound.maxDrop, baseline);
    if (baseline - count > allowed) return `dropped by ${baseline - count} from ${baseline} (maxDrop ${bound.maxDrop})`;
  }
  if (bound.within !== undefined) {
    const allowed = amountOf(bound.within, baseline);
    if (Math.abs(count - baseline) > allowed) return `moved by ${count - baseline} from ${baseline} (within ${bound.within})`;
  }
  return undefined;
}
