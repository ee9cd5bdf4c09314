/** The shipped experiment catalog: `config/experiments/*.yaml` of the installed package. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Absolute path of the catalog folder (same from `src/` under tsx and from `dist/`). */
export function catalogDir(): string {
  return fileURLToPath(new URL('../../config/experiments/', import.meta.url));
}

/** Every experiment file of the catalog, sorted by name. */
export function catalogFiles(): string[] {
  const dir = catalogDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}
