/**
 * A run record as a markdown report a person reads after a game day: verdict first, then
 * the timeline of steps, the faults with their restore status, and every probe check.
 * It is built from the journal alone, so a report can be made for any past run.
 */
import type { RunDetail } from '../experiments/journal.js';

const iso = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());
const cell = (s: unknown): string => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown for one run. */
export function runMarkdown(d: RunDetail): string {
  const { run } = d;
  const took = run.endedAt ? `${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s` : 'still running';
  const out: string[] = [
    `# ${run.experiment} — ${(run.outcome ?? run.state).toUpperCase()}`,
    '',
    `- run: \`${run.id}\`${run.dryRun ? ' (dry run)' : ''}`,
    `- file: \`${run.file}\``,
    `- started: ${iso(run.startedAt)}, ended: ${iso(run.endedAt)} (${took})`,
    `- reason: ${run.reason ?? '—'}`,
    `- time to recover: ${run.recoveryMs === null ? '—' : `${(run.recoveryMs / 1000).toFixed(1)} s`}`,
    '',
    '## Steps',
    '',
    '| step | status | duration | detail |',
    '|---|---|---|---|',
    ...d.steps.map((s) => `| ${s.step} | ${s.status} | ${s.durationMs} ms | ${cell(s.error ?? s.detail)} |`),
    '',
    '## Faults',
    '',
  ];
  if (!d.faults.length) out.push('No fault was injected.', '');
  else {
    out.push('| fault | target | status | restore attempts | last error |', '|---|---|---|---|---|');
    for (const f of d.faults) out.push(`| ${f.type} | ${cell(f.target.id)} | ${f.status} | ${f.attempts} | ${cell(f.lastError ?? '')} |`);
    out.push('');
  }
  out.push('## Probe checks', '');
  const byProbe = new Map<string, { ok: number; breach: number; error: number; last: string }>();
  for (const p of d.probes) {
    const key = `${p.phase} · ${p.probe}`;
    const row = byProbe.get(key) ?? { ok: 0, breach: 0, error: 0, last: '' };
    row[p.status]++;
    row.last = p.detail;
    byProbe.set(key, row);
  }
  if (!byProbe.size) out.push('No probe was checked.', '');
  else {
    out.push('| phase · probe | ok | breach | error | last result |', '|---|---|---|---|---|');
    for (const [k, r] of byProbe) out.push(`| ${cell(k)} | ${r.ok} | ${r.breach} | ${r.error} | ${cell(r.last)} |`);
    out.push('', '_breach: the probe reached its system and saw the hypothesis violated; error: the probe could not reach its system._', '');
  }
  return out.join('\n') + '\n';
}
