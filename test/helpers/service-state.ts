/** Reading what the service scripts (scripts/<service>/up.sh) leave behind, and /proc, for integration tests. */
import { readFileSync } from 'node:fs';

/** KEY=VALUE lines of a state dir's `env` file (values optionally in double quotes) → record. */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(?:"(.*)"|(.*))$/.exec(line.trim());
    if (m) out[m[1]!] = m[2] ?? m[3] ?? '';
  }
  return out;
}

/** A process's state letter from /proc (R, S, T for stopped, Z…), or undefined when there is none. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
