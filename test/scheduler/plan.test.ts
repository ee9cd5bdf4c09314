import test from 'ava';
import { checkConfigText } from '../../src/config.js';
import { formatIssue } from '../../src/errors.js';
import { resolveCandidates } from '../../src/scheduler/candidates.js';
import type { GamedaysConfig } from '../../src/scheduler/config.js';
import { pickOrder, planGameday, upcoming, type PlanInput } from '../../src/scheduler/plan.js';
import type { CatalogEntry, PastRun } from '../../src/scheduler/types.js';

const catalog: CatalogEntry[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, tags: name === 'd' ? ['slow'] : ['quick'], file: `${name}.yaml` }));

function schedule(yaml: string): GamedaysConfig {
  const check = checkConfigText(yaml, 'g.yaml', { targets: [] });
  if (!check.ok) throw new Error(check.issues.map(formatIssue).join('\n'));
  return check.config.schedule;
}

function input(yaml: string, history: PastRun[] = []): PlanInput {
  const config = schedule(yaml);
  return { config, candidates: resolveCandidates(config, catalog), history };
}

const tuesday = (extra: string, blackouts = ''): string => `gamedays:
  - name: tuesday
    cron: "0 10 * * tue"
    timezone: Europe/Paris
    window: 3h
    experiments: ["tag:quick", d]
${extra}${blackouts ? `blackouts:\n${blackouts}` : ''}`;

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

test('the next game days come with start, end and what they run in order, cut at maxRuns', (t) => {
  const plans = upcoming(input(tuesday('    maxRuns: 3\n')), 2, Date.parse('2025-03-20T00:00:00Z'));
  t.deepEqual(plans.map((p) => [p.name, iso(p.start), iso(p.end), p.experiments, p.candidates]), [
    ['tuesday', '2025-03-25T09:00:00.000Z', '2025-03-25T12:00:00.000Z', ['a', 'b', 'c'], ['a', 'b', 'c', 'd']],
    ['tuesday', '2025-04-01T08:00:00.000Z', '2025-04-01T11:00:00.000Z', ['a', 'b', 'c'], ['a', 'b', 'c', 'd']],
  ]);
});

test('a game day starting in a blackout is skipped with its reason and the time starting is allowed again', (t) => {
  const blackouts = '  - { from: 2025-03-24, to: 2025-03-28, reason: teaching week }\n  - { from: "2025-03-30T00:00", to: "2025-04-01T12:00", reason: migration }\n';
  const plans = upcoming(input(tuesday('', blackouts)), 3, Date.parse('2025-03-20T00:00:00Z'));
  t.deepEqual(plans[0]?.skipped, { reason: 'in blackout "teaching week" until 2025-03-29 00:00 Europe/Paris', nextAllowed: new Date('2025-03-28T23:00:00Z') });
  t.is(plans[1]?.skipped?.reason, 'in blackout "migration" until 2025-04-01 12:00 Europe/Paris');
  t.deepEqual(plans[0]?.experiments, []);
  t.is(plans[2]?.skipped, undefined);
  t.deepEqual(plans[2]?.experiments, ['a', 'b', 'c', 'd']);
});

test('touching blackouts are shown as one, allowed again where the last ends', (t) => {
  const blackouts = '  - { from: 2025-03-24, to: 2025-03-25, reason: first }\n  - { from: 2025-03-26, to: 2025-03-27, reason: second }\n';
  const [plan] = upcoming(input(tuesday('', blackouts)), 1, Date.parse('2025-03-20T00:00:00Z'));
  t.is(plan?.skipped?.reason, 'in blackout "first" until 2025-03-28 00:00 Europe/Paris');
});

test('minInterval holds across game days, to the hour: across the spring DST change a week is an hour short', (t) => {
  const history: PastRun[] = [
    { experiment: 'a', startedAt: Date.parse('2025-03-18T09:00:00Z') },
    { experiment: 'b', startedAt: Date.parse('2025-03-10T09:00:00Z') },
  ];
  const plans = upcoming(input(tuesday('    maxRuns: 2\n    minInterval: 336h\n'), history), 4, Date.parse('2025-03-20T00:00:00Z'));
  // 25 Mar: a ran 7 days ago. 1 Apr (10:00 CEST = 08:00Z): a ran 14 days minus an hour ago, so only d.
  // 8 Apr: b and c ran 14 days minus an hour ago, d a week ago: only a. 15 Apr: b, c (d is allowed too, maxRuns is 2).
  t.deepEqual(plans.map((p) => p.experiments), [['b', 'c'], ['d'], ['a'], ['b', 'c']]);
});

test('a game day where every candidate ran within minInterval is skipped, saying when the first is allowed again', (t) => {
  const history: PastRun[] = ['a', 'b', 'c', 'd'].map((experiment, i) => ({ experiment, startedAt: Date.parse('2025-05-13T08:00:00Z') + i * 3_600_000 }));
  const plans = upcoming(input(tuesday('    maxRuns: 2\n    minInterval: 336h\n'), history), 2, Date.parse('2025-05-15T00:00:00Z'));
  t.deepEqual(plans[0]?.skipped, {
    reason: 'every candidate ran within minInterval (336h); the first is allowed again at 2025-05-27 10:00 Europe/Paris',
    nextAllowed: new Date('2025-05-27T08:00:00Z'),
  });
  t.deepEqual(plans[1]?.experiments, ['a'], 'at 10:00 only a is allowed again; b at 11:00, after the plan is made');
});

test('round-robin continues after the candidate that ran last, from history and from the game days planned before', (t) => {
  const history: PastRun[] = [{ experiment: 'b', startedAt: Date.parse('2025-03-18T09:00:00Z') }, { experiment: 'zzz-not-a-candidate', startedAt: Date.parse('2025-03-19T09:00:00Z') }];
  const plans = upcoming(input(tuesday('    pick: round-robin\n    maxRuns: 3\n'), history), 3, Date.parse('2025-03-20T00:00:00Z'));
  t.deepEqual(plans.map((p) => p.experiments), [['c', 'd', 'a'], ['b', 'c', 'd'], ['a', 'b', 'c']]);
  t.deepEqual(plans[0]?.candidates, ['c', 'd', 'a', 'b']);
});

test('random picks are drawn with the weights from a seed of game day and start, so the plan is what runs', (t) => {
  const yaml = tuesday('    pick: random\n    maxRuns: 1\n    weights: { d: 8 }\n');
  const plans = upcoming(input(yaml), 200, Date.parse('2025-01-01T00:00:00Z'));
  t.deepEqual(upcoming(input(yaml), 200, Date.parse('2025-01-01T00:00:00Z')), plans, 'the same plan every time');
  t.deepEqual(plans[0]?.weights, { a: 1, b: 1, c: 1, d: 8 });
  const firsts = plans.map((p) => p.experiments[0]);
  const share = firsts.filter((x) => x === 'd').length / firsts.length;
  t.true(share > 0.6 && share < 0.85, `d drawn first ${share * 100}% of the time, weight 8 of 11 (73%)`);
  for (const name of ['a', 'b', 'c']) t.true(firsts.includes(name), `${name} is drawn sometimes`);
  t.true(plans.every((p) => [...(p.candidates ?? [])].sort().join() === 'a,b,c,d'), 'every candidate is in each draw once');
});

test('planned after its window closed, a game day is skipped as such; planned late inside it, it still runs', (t) => {
  const i = input(tuesday(''));
  const gameday = i.config.gamedays[0]!;
  const start = Date.parse('2025-03-25T09:00:00Z');
  t.deepEqual(planGameday(i, gameday, start, start + 3 * 3_600_000).skipped, { reason: 'window already closed at 2025-03-25 13:00 Europe/Paris' });
  t.deepEqual(planGameday(i, gameday, start, start + 3_600_000).experiments, ['a', 'b', 'c', 'd']);
  t.deepEqual(pickOrder(i, gameday, start), ['a', 'b', 'c', 'd']);
});

test('several game days interleave in start order', (t) => {
  const yaml = `${tuesday('    maxRuns: 1\n')}  - name: thursday
    cron: "30 14 * * thu"
    timezone: Europe/Paris
    window: 1h
    experiments: [d]
`;
  const plans = upcoming(input(yaml), 4, Date.parse('2025-03-20T00:00:00Z'));
  t.deepEqual(plans.map((p) => `${p.name} ${iso(p.start)}`), [
    'thursday 2025-03-20T13:30:00.000Z',
    'tuesday 2025-03-25T09:00:00.000Z',
    'thursday 2025-03-27T13:30:00.000Z',
    'tuesday 2025-04-01T08:00:00.000Z',
  ]);
});
