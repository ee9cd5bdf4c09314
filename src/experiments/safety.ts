/**
 * Which of the selected objects a run may hit. Deny wins over allow; an object that is
 * already unavailable is never picked; `maxUnavailable` counts what is already down in
 * each group plus what the run would take down. A refusal happens before anything is
 * written or injected.
 */
import { SafetyRefusedError } from '../errors.js';
import { globToRegExp } from '../glob.js';
import type { TargetRef } from '../targets/types.js';
import type { SafetyRules } from './model.js';

export interface Selection {
  /** Everything the fault type's selector matched. */
  candidates: TargetRef[];
  /** Objects left out, with why (deny list, not in allow list, not ready). */
  excluded: { ref: TargetRef; reason: string }[];
  /** What the run will hit. */
  chosen: TargetRef[];
}

function matchesAny(ref: TargetRef, globs: readonly string[]): string | undefined {
  return globs.find((g) => {
    const re = globToRegExp(g);
    return re.test(ref.name) || re.test(ref.id);
  });
}

/** The rules in force: the experiment's own, on top of the config's (deny lists add up). */
export function mergeRules(config: SafetyRules, experiment: SafetyRules): SafetyRules {
  const rules: SafetyRules = { deny: [...(config.deny ?? []), ...(experiment.deny ?? [])] };
  const allow = experiment.allow ?? (config.allow?.length ? config.allow : undefined);
  if (allow) rules.allow = allow;
  const max = experiment.maxUnavailable ?? config.maxUnavailable;
  if (max !== undefined) rules.maxUnavailable = max;
  return rules;
}

/** The most objects of a group of `size` that may be unavailable at once. */
export function unavailableLimit(max: number | `${number}%`, size: number): number {
  if (typeof max === 'number') return max;
  return Math.floor((Number.parseFloat(max) / 100) * size);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Picks the objects to hit: `count` of them, or `percent` of the eligible ones (rounded up),
 * or 1; at random among the eligible ready ones. Throws SafetyRefusedError when too few are
 * eligible or a group would exceed `maxUnavailable`.
 */
export function chooseTargets(
  candidates: readonly TargetRef[],
  want: { count?: number; percent?: number },
  rules: SafetyRules,
  random: () => number = Math.random,
  maxPerGroup?: number,
): Selection {
  const excluded: Selection['excluded'] = [];
  const eligible: TargetRef[] = [];
  for (const ref of candidates) {
    const denied = matchesAny(ref, rules.deny ?? []);
    if (denied) excluded.push({ ref, reason: `deny list (${denied})` });
    else if (rules.allow && !matchesAny(ref, rules.allow)) excluded.push({ ref, reason: 'not in allow list' });
    else if (!ref.ready) excluded.push({ ref, reason: 'already unavailable' });
    else eligible.push(ref);
  }
  const count = want.count ?? (want.percent !== undefined ? Math.ceil((want.percent / 100) * eligible.length) : 1);
  if (candidates.length === 0) throw new SafetyRefusedError('the selector matched no object');
  if (eligible.length < count) {
    throw new SafetyRefusedError(
      `only ${eligible.length} of ${candidates.length} matched objects may be hit, the experiment wants ${count}` +
        (excluded.length ? ` (left out: ${excluded.map((e) => `${e.ref.name}: ${e.reason}`).join(', ')})` : ''),
    );
  }
  const chosen = maxPerGroup === undefined
    ? shuffled(eligible, random).slice(0, Math.max(count, 0))
    : chooseWithinGroups(candidates, shuffled(eligible, random), count, maxPerGroup);
  if (rules.maxUnavailable !== undefined) checkUnavailable(candidates, chosen, rules.maxUnavailable);
  return { candidates: [...candidates], excluded, chosen };
}

/**
 * Picks `count` of the eligible (already shuffled) so that no group has more than
 * `maxPerGroup` unavailable, counting what is down already; refuses when that cannot be met.
 */
function chooseWithinGroups(candidates: readonly TargetRef[], eligible: readonly TargetRef[], count: number, maxPerGroup: number): TargetRef[] {
  const key = (ref: TargetRef): string => ref.group ?? '(selection)';
  const down = new Map<string, number>();
  for (const ref of candidates) if (!ref.ready) down.set(key(ref), (down.get(key(ref)) ?? 0) + 1);
  const chosen: TargetRef[] = [];
  for (const ref of eligible) {
    if (chosen.length >= count) break;
    const taken = down.get(key(ref)) ?? 0;
    if (taken >= maxPerGroup) continue;
    down.set(key(ref), taken + 1);
    chosen.push(ref);
  }
  if (chosen.length < count) {
    throw new SafetyRefusedError(
      `the experiment wants ${count} object(s) but this fault type allows at most ${maxPerGroup} unavailable per group, so only ${chosen.length} can be hit (groups: ${[...new Set(candidates.map(key))].join(', ')})`,
    );
  }
  return chosen;
}

function checkUnavailable(candidates: readonly TargetRef[], chosen: readonly TargetRef[], max: number | `${number}%`): void {
  const groups = new Map<string, TargetRef[]>();
  for (const ref of candidates) groups.set(ref.group ?? '(selection)', [...(groups.get(ref.group ?? '(selection)') ?? []), ref]);
  for (const [group, members] of groups) {
    const down = members.filter((m) => !m.ready).length;
    const taking = chosen.filter((c) => (c.group ?? '(selection)') === group).length;
    const limit = unavailableLimit(max, members.length);
    if (taking > 0 && down + taking > limit) {
      throw new SafetyRefusedError(
        `${group}: ${down} of ${members.length} already unavailable, hitting ${taking} more exceeds maxUnavailable ${String(max)} (limit ${limit})`,
      );
    }
  }
}
