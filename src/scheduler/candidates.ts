/**
 * A game day's candidates: its `experiments` entries resolved against the catalog, in the
 * order written, each experiment once. An unknown name, a tag no experiment carries, or a
 * weight for an experiment the game day cannot pick is a config error at its position.
 */
import { ConfigInvalidError, type PositionedIssue } from '../errors.js';
import type { GamedaysConfig } from './config.js';
import type { CatalogEntry } from './types.js';

/** The candidates of every game day, by game day name. Throws ConfigInvalidError listing every problem. */
export function resolveCandidates(config: GamedaysConfig, catalog: readonly CatalogEntry[]): Map<string, string[]> {
  const issues: PositionedIssue[] = [];
  const known = catalog.map((e) => e.name);
  const out = new Map<string, string[]>();
  for (const gameday of config.gamedays) {
    const names: string[] = [];
    for (const sel of gameday.experiments) {
      const found = sel.kind === 'tag' ? catalog.filter((e) => e.tags.includes(sel.value)).map((e) => e.name) : known.filter((n) => n === sel.value);
      if (found.length === 0) {
        const message =
          sel.kind === 'tag'
            ? `no experiment in the catalog has tag ${JSON.stringify(sel.value)}`
            : `unknown experiment ${JSON.stringify(sel.value)}; the catalog has: ${known.join(', ') || '(nothing)'}`;
        issues.push({ ...sel.at, message });
      }
      for (const n of found) if (!names.includes(n)) names.push(n);
    }
    for (const [name, at] of Object.entries(gameday.weightsAt)) {
      if (!names.includes(name)) issues.push({ ...at, message: `${JSON.stringify(name)} is not among this game day's experiments` });
    }
    out.set(gameday.name, names);
  }
  if (issues.length > 0) throw new ConfigInvalidError(issues);
  return out;
}
