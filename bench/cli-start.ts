/**
 * CLI start-up: `gameday --version` and `gameday validate` of the whole catalog, each run
 * as a fresh process (the built dist/, on this Node), >= 20 times. Targets (2-core machine):
 * --version <= 120 ms median, validate <= 200 ms median. Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, printStats } from './stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const main = join(root, 'dist/cli/main.js');
if (!existsSync(main)) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
const runs = Number(process.env['RUNS'] ?? 25);
const catalog = readdirSync(join(root, 'config/experiments')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'config/experiments', f));

function time(args: string[]): number[] {
  execFileSync(process.execPath, [main, ...args], { stdio: 'ignore' }); // warm the file cache once
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [main, ...args], { stdio: 'ignore' });
    out.push(performance.now() - t0);
  }
  return out;
}

console.log(`cli-start: ${runs} runs each; ${machine()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
printStats('gameday --version', time(['--version']), 'ms', 1);
printStats(`gameday validate (${catalog.length} catalog files)`, time(['validate', ...catalog]), 'ms', 1);
printStats('baseline: node -e 0', (() => {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    out.push(performance.now() - t0);
  }
  return out;
})(), 'ms', 1);
