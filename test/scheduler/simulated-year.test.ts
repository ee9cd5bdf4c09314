/**
 * A year of game days on a fake clock, through the real Scheduler loop and a fake gate:
 * weekly Tuesday 10:00 Paris game days (all in order, maxRuns, spacing, minInterval), a
 * Sunday 02:30 round-robin game day that meets both DST changes, two blackouts and an .ics
 * with a weekly teaching block. Runs take 20–70 minutes; every 7th request is refused.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import winston from 'winston';
import { checkConfigText } from '../../src/config.js';
import { formatIssue } from '../../src/errors.js';
import { blackoutAt } from '../../src/scheduler/blackouts.js';
import { seededRandom } from '../../src/scheduler/plan.js';
import type { GamedayOutcome } from '../../src/scheduler/run-gameday.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { CatalogEntry, RunGate } from '../../src/scheduler/types.js';
import { wallAt } from '../../src/scheduler/zoned-time.js';

const ics = fileURLToPath(new URL('../fixtures/scheduler/teaching.ics', import.meta.url));
const YAML = `gamedays:
  - name: tuesday
    cron: "0 10 * * tue"
    timezone: Europe/Paris
    window: 3h
    experiments: [kill-worker-vm, delete-hub-pod, "tag:storage", spawn-under-worker-loss]
    maxRuns: 3
    spacing: 20m
    minInterval: 300h
  - name: night
    cron: "30 2 * * sun"
    timezone: Europe/Paris
    window: 2h
    experiments: [delete-user-pods, delete-proxy-routes]
    pick: round-robin
    maxRuns: 1
blackouts:
  - { from: 2025-12-20, to: 2026-01-04, reason: winter holidays }
  - { from: "2025-06-10T10:30", to: "2025-06-10T18:00", reason: open day }
  - ics: ${ics}
`;
const catalog: CatalogEntry[] = [
  { name: 'kill-worker-vm', tags: ['openstack'], file: '1.yaml' },
  { name: 'delete-hub-pod', tags: ['kubernetes'], file: '2.yaml' },
  { name: 'kill-gluster-brick', tags: ['storage'], file: '3.yaml' },
  { name: 'partition-gluster-brick', tags: ['storage'], file: '4.yaml' },
  { name: 'spawn-under-worker-loss', tags: ['openstack'], file: '5.yaml' },
  { name: 'delete-user-pods', tags: ['kubernetes'], file: '6.yaml' },
  { name: 'delete-proxy-routes', tags: ['jupyterhub'], file: '7.yaml' },
];

interface Ran {
  experiment: string;
  gameday: string;
  start: number;
  end: number;
}

async function simulateYear(): Promise<{ runs: Ran[]; refused: string[]; days: GamedayOutcome[]; config: ReturnType<typeof load> }> {
  const config = load();
  const yearStart = Date.parse('2025-01-01T00:00:00Z');
  const yearEnd = Date.parse('2026-01-01T00:00:00Z');
  let now = yearStart;
  const random = seededRandom('a year of game days');
  const runs: Ran[] = [];
  const refused: string[] = [];
  const days: GamedayOutcome[] = [];
  let requests = 0;
  let running = false;
  const gate: RunGate = {
    async run(request) {
      if (++requests % 7 === 0) return { refused: 'the store lock is held by another run' };
      if (running) throw new Error('overlap');
      running = true;
      const start = now;
      now += (20 + Math.floor(random() * 51)) * 60_000;
      runs.push({ ...request, start, end: now });
      running = false;
      return { runId: `run-${runs.length}`, outcome: 'passed' };
    },
  };
  let reachedEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (reachedEnd = resolve));
  const scheduler = new Scheduler({
    config,
    catalog,
    gate,
    log: winston.createLogger({ silent: true }),
    now: () => new Date(now),
    sleep: (ms, signal) => {
      if (now + ms >= yearEnd) {
        reachedEnd();
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      }
      now += ms;
      return Promise.resolve();
    },
    onGameday: (outcome) => {
      days.push(outcome);
      refused.push(...outcome.refused.map((r) => `${r.experiment}: ${r.reason}`));
    },
  });
  scheduler.start();
  await ended;
  await scheduler.stop();
  return { runs, refused, days, config };
}

function load() {
  const check = checkConfigText(YAML, '/etc/gameday/gameday.yaml', { targets: [] });
  if (!check.ok) throw new Error(check.issues.map(formatIssue).join('\n'));
  return check.config.schedule;
}

const year = simulateYear();
const HOUR = 3_600_000;

test('a year of game days runs, with refused runs skipped and replaced by the next candidate', async (t) => {
  const { runs, refused, days } = await year;
  t.is(days.filter((d) => d.gameday === 'tuesday').length, 52);
  t.true(runs.length > 100, `${runs.length} runs`);
  t.true(refused.length > 10);
  t.true(refused.every((r) => r.endsWith('the store lock is held by another run')));
  const withRefusal = days.find((d) => d.refused.length > 0 && d.gameday === 'tuesday' && d.runs.length > 0 && d.refused[0]!.at <= d.runs.at(-1)!.startedAt);
  t.truthy(withRefusal, 'a game day went on after a refusal');
});

test('no run starts inside a blackout, and the game days starting in one are skipped with its reason', async (t) => {
  const { runs, days, config } = await year;
  for (const r of runs) t.is(blackoutAt(config.blackouts, r.start), undefined, `${r.experiment} at ${new Date(r.start).toISOString()}`);
  const skipped = days.filter((d) => d.skipped);
  const teaching = skipped.filter((d) => d.skipped?.includes('"Teaching block, autumn term"'));
  // 16 Sep – 16 Dec: 14 Tuesdays, less 28 Oct (EXDATE)
  t.is(teaching.length, 13);
  t.false(days.some((d) => d.skipped && new Date(d.start).toISOString().startsWith('2025-10-28')));
  t.false(skipped.some((d) => d.skipped?.includes('"Bastille Day"')), '14 July 2025 is a Monday: no game day');
  t.is(skipped.filter((d) => d.skipped?.includes('"winter holidays"')).length, 4, 'Tuesdays 23 and 30 Dec, Sundays 21 and 28 Dec');
});

test('a blackout beginning during a game day stops it: nothing more starts once it is in force', async (t) => {
  const { days } = await year;
  const openDay = days.find((d) => new Date(d.start).toISOString() === '2025-06-10T08:00:00.000Z');
  t.is(openDay?.stopped, 'blackout');
  t.true((openDay?.runs.length ?? 0) >= 1);
  t.true(openDay!.runs.every((r) => r.startedAt < Date.parse('2025-06-10T08:30:00Z')));
});

test('every run starts inside its game day\'s window, at most maxRuns per game day, spaced by at least spacing', async (t) => {
  const { runs, days, config } = await year;
  for (const day of days) {
    const g = config.gamedays.find((x) => x.name === day.gameday)!;
    t.true(day.runs.length <= (g.maxRuns ?? Infinity));
    for (const r of day.runs) t.true(r.startedAt >= day.start && r.startedAt < day.start + g.windowMs);
  }
  const tuesdays = runs.filter((r) => r.gameday === 'tuesday');
  for (let i = 1; i < tuesdays.length; i++) {
    const [a, b] = [tuesdays[i - 1]!, tuesdays[i]!];
    if (b.start - a.start < 24 * HOUR) t.true(b.start - a.end >= 20 * 60_000, `spacing before ${b.experiment} at ${new Date(b.start).toISOString()}`);
  }
  for (let i = 1; i < runs.length; i++) t.true(runs[i]!.start >= runs[i - 1]!.end, 'never two runs at once');
});

test('minInterval holds across game days for every experiment', async (t) => {
  const { runs } = await year;
  const last = new Map<string, number>();
  for (const r of runs.filter((x) => x.gameday === 'tuesday')) {
    const before = last.get(r.experiment);
    if (before !== undefined) t.true(r.start - before >= 300 * HOUR, `${r.experiment} again after ${(r.start - before) / HOUR}h`);
    last.set(r.experiment, r.start);
  }
  t.true(last.size >= 5, 'every candidate ran at some point');
});

test('Tuesday game days start at 10:00 Paris all year, and the 02:30 Sunday one meets both DST changes once', async (t) => {
  const { days } = await year;
  for (const d of days.filter((x) => x.gameday === 'tuesday')) {
    const w = wallAt(d.start, 'Europe/Paris');
    t.deepEqual([w.hour, w.minute], [10, 0]);
  }
  const sundays = days.filter((d) => d.gameday === 'night').map((d) => new Date(d.start).toISOString());
  t.is(sundays.length, 52);
  t.is(new Set(sundays.map((s) => s.slice(0, 10))).size, 52, 'one per Sunday, never twice');
  t.true(sundays.includes('2025-03-30T01:00:00.000Z'), 'spring forward: 02:30 does not exist, runs at 03:00 CEST');
  t.true(sundays.includes('2025-10-26T00:30:00.000Z'), 'fall back: the first 02:30 (CEST), once');
  t.true(sundays.includes('2025-03-23T01:30:00.000Z') && sundays.includes('2025-04-06T00:30:00.000Z'));
});

test('round-robin alternates across the Sunday game days', async (t) => {
  const { runs } = await year;
  const night = runs.filter((r) => r.gameday === 'night').map((r) => r.experiment);
  t.true(night.length > 40);
  let alternations = 0;
  for (let i = 1; i < night.length; i++) if (night[i] !== night[i - 1]) alternations++;
  t.true(alternations / (night.length - 1) > 0.7, `${alternations} changes in ${night.length} runs (a refusal repeats the next one)`);
});
