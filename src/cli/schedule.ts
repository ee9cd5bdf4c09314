/**
 * `gameday schedule`: the next N planned game days and what each will run, or the blackout
 * or rule that skips it, so a person can check the calendar before trusting it. Read-only:
 * it never recovers, never creates the store, never starts anything.
 */
import { existsSync } from 'node:fs';
import { Journal } from '../experiments/journal.js';
import { resolveCandidates } from '../scheduler/candidates.js';
import { historyFromJournal } from '../scheduler/history.js';
import { upcoming } from '../scheduler/plan.js';
import type { PastRun, PlannedGameday } from '../scheduler/types.js';
import { formatInstant } from '../scheduler/zoned-time.js';
import { loadCatalog } from '../experiments/catalog.js';
import { commandLineError, loadCliConfig, type CliOptions } from './context.js';

export interface ScheduleOptions extends CliOptions {
  /** How many game days (default 10). */
  count?: string;
  /** ISO time to plan from (default now). */
  from?: string;
}

/** Prints the plan; bad -n or --from is an invalid-input error. */
export async function scheduleCommand(options: ScheduleOptions): Promise<void> {
  const count = readCount(options.count);
  const from = readFrom(options.from);
  const config = await loadCliConfig(options);
  const { gamedays } = config.schedule;
  // the same experiments the daemon would pick from (daemon.experiments, default the shipped catalog)
  const catalog = await loadCatalog(config.daemon.experiments);
  const candidates = resolveCandidates(config.schedule, catalog);
  const history = readHistory(config.store.path);
  const plans = upcoming({ config: config.schedule, candidates, history }, count, from.getTime());
  if (options.json) return void process.stdout.write(JSON.stringify(plans, null, 2) + '\n');
  if (gamedays.length === 0) return void process.stdout.write(`no game days configured (config: ${config.file ?? 'built-in defaults'})\n`);
  const zones = new Map(gamedays.map((g) => [g.name, g.timeZone]));
  for (const plan of plans) process.stdout.write(render(plan, zones.get(plan.name) ?? 'UTC'));
  if (plans.length < count) process.stdout.write(`(no further game day: no cron fires again)\n`);
}

function render(plan: PlannedGameday, timeZone: string): string {
  const head = `${formatInstant(plan.start.getTime(), timeZone)} → ${formatInstant(plan.end.getTime(), timeZone).slice(11)}  ${plan.name}`;
  if (plan.skipped) {
    const next = plan.skipped.nextAllowed ? ` (next allowed: ${formatInstant(plan.skipped.nextAllowed.getTime(), timeZone)})` : '';
    return `${head}\n    SKIPPED: ${plan.skipped.reason}${next}\n`;
  }
  const lines = [`${head}  [${plan.pick ?? 'all'}]`];
  plan.experiments.forEach((name, i) => {
    const weight = plan.weights?.[name] !== undefined ? `  (weight ${plan.weights[name]})` : '';
    lines.push(`    ${i + 1}. ${name}${weight}`);
  });
  const spare = (plan.candidates ?? []).filter((n) => !plan.experiments.includes(n));
  if (spare.length > 0) lines.push(`    if one is refused, next: ${spare.join(', ')}`);
  return lines.join('\n') + '\n';
}

function readHistory(storePath: string): PastRun[] {
  if (storePath !== ':memory:' && !existsSync(storePath)) return [];
  const journal = Journal.open(storePath);
  try {
    return historyFromJournal(journal);
  } finally {
    journal.close();
  }
}

function readCount(text: string | undefined): number {
  if (text === undefined) return 10;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) throw commandLineError('-n', `expected a whole number from 1 to 1000, got ${JSON.stringify(text)}`);
  return Number(text);
}

function readFrom(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text);
  const date = new Date(text);
  if (!ok || Number.isNaN(date.getTime())) throw commandLineError('--from', `expected an ISO date or time like 2025-03-01 or 2025-03-01T09:00:00+01:00, got ${JSON.stringify(text)}`);
  return date;
}
