/**
 * The catalog of experiments: the shipped folder (`config/experiments` of the installed
 * package) or another one, its files, and loading it whole — every file checked, names
 * unique, every problem of every file reported at once (a daemon never starts with a file it
 * could not run).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExperimentInvalidError, GamedayError, errorMessage, type PositionedIssue } from '../errors.js';
import { loadExperiment } from './load.js';

/** One experiment of a catalog: its name (metadata.name), tags and file. */
export interface CatalogEntry {
  name: string;
  tags: string[];
  file: string;
}

/** Absolute path of the shipped catalog folder (same from `src/` under tsx and from `dist/`). */
export function catalogDir(): string {
  return fileURLToPath(new URL('../../config/experiments/', import.meta.url));
}

/** Every experiment file of the shipped catalog, sorted by name. */
export function catalogFiles(): string[] {
  const dir = catalogDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads and checks every `.yaml`/`.yml` file of `dir` (default: the shipped catalog), sorted by file name. Names must be unique. */
export async function loadCatalog(dir: string = catalogDir()): Promise<CatalogEntry[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch (err) {
    throw new GamedayError(`cannot read the experiments folder ${dir}: ${errorMessage(err)}`, { cause: err });
  }
  const entries: CatalogEntry[] = [];
  const problems: PositionedIssue[] = [];
  for (const name of files) {
    const file = join(dir, name);
    try {
      const e = await loadExperiment(file);
      const twin = entries.find((x) => x.name === e.name);
      if (twin) problems.push({ file, line: 1, col: 1, path: 'metadata.name', message: `${JSON.stringify(e.name)} is already the name of ${twin.file}` });
      else entries.push({ name: e.name, tags: e.tags, file });
    } catch (err) {
      if (err instanceof ExperimentInvalidError) problems.push(...err.issues);
      else throw err;
    }
  }
  if (problems.length) throw new ExperimentInvalidError(problems);
  return entries;
}
