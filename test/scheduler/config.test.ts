import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigText, type Config } from '../../src/config.js';
import { ConfigInvalidError, formatIssue } from '../../src/errors.js';
import { blackoutAt } from '../../src/scheduler/blackouts.js';
import { resolveCandidates } from '../../src/scheduler/candidates.js';
import type { CatalogEntry } from '../../src/scheduler/types.js';

const registry = { targets: [] };
const catalog: CatalogEntry[] = [
  { name: 'kill-worker-vm', tags: ['openstack', 'compute'], file: 'a.yaml' },
  { name: 'delete-hub-pod', tags: ['kubernetes', 'jupyterhub'], file: 'b.yaml' },
  { name: 'reboot-worker-vm', tags: ['openstack', 'compute'], file: 'c.yaml' },
];

function load(text: string, file = '/etc/gameday/gameday.yaml'): Config {
  const check = checkConfigText(text, file, registry);
  if (!check.ok) throw new Error(check.issues.map(formatIssue).join('\n'));
  return check.config;
}

function issues(text: string, file = '/etc/gameday/gameday.yaml'): string[] {
  const check = checkConfigText(text, file, registry);
  if (check.ok) throw new Error('expected issues');
  return check.issues.map(formatIssue);
}

const GOOD = `gamedays:
  - name: tuesday
    cron: "0 10 * * tue"
    timezone: Europe/Paris
    window: 4h
    experiments: [delete-hub-pod, "tag:compute"]
    pick: round-robin
    maxRuns: 2
    spacing: 15m
    minInterval: 336h
blackouts:
  - { from: 2025-12-22, to: 2026-01-02, reason: winter holidays }
  - { from: "2025-06-10T08:00", to: "2025-06-10T18:00+02:00", reason: open day }
`;

test('a config without game days loads an empty schedule', (t) => {
  t.deepEqual(load('log: { level: info }\n').schedule, { gamedays: [], blackouts: [] });
});

test('game days load with durations in ms, the cron parsed and positions kept for the catalog check', (t) => {
  const config = load(GOOD.replace('minInterval: 336h', 'minInterval: 336h'));
  const [g] = config.schedule.gamedays;
  t.is(g?.name, 'tuesday');
  t.is(g?.windowMs, 4 * 3_600_000);
  t.is(g?.spacingMs, 15 * 60_000);
  t.is(g?.minIntervalMs, 336 * 3_600_000);
  t.is(g?.maxRuns, 2);
  t.is(g?.pick, 'round-robin');
  t.is(g?.cron.source, '0 10 * * tue');
  t.deepEqual(g?.experiments.map((e) => [e.kind, e.value, e.at.line, e.at.col]), [
    ['name', 'delete-hub-pod', 6, 19],
    ['tag', 'compute', 6, 35],
  ]);
  t.deepEqual([...resolveCandidates(config.schedule, catalog)], [['tuesday', ['delete-hub-pod', 'kill-worker-vm', 'reboot-worker-vm']]]);
});

test('blackout dates are read in the game days\' timezone, a date "to" includes the whole day', (t) => {
  const { blackouts } = load(GOOD.replace('minInterval: 336h', 'minInterval: 1h')).schedule;
  t.is(blackouts[0]?.reason, 'winter holidays');
  t.truthy(blackoutAt(blackouts, Date.parse('2025-12-21T23:00:00Z')), '00:00 Paris on the 22nd');
  t.is(blackoutAt(blackouts, Date.parse('2025-12-21T22:59:00Z')), undefined);
  t.is(blackoutAt(blackouts, Date.parse('2026-01-02T12:00:00Z'))?.until, Date.parse('2026-01-02T23:00:00Z'));
  // from is local (08:00 CEST = 06:00Z), to carries its own offset (18:00+02:00 = 16:00Z)
  t.truthy(blackoutAt(blackouts, Date.parse('2025-06-10T06:00:00Z')));
  t.is(blackoutAt(blackouts, Date.parse('2025-06-10T05:59:00Z')), undefined);
  t.is(blackoutAt(blackouts, Date.parse('2025-06-10T12:00:00Z'))?.until, Date.parse('2025-06-10T16:00:00Z'));
});

test('every problem in the sections is reported at its file, line and column', (t) => {
  const text = `gamedays:
  - name: a
    cron: "0 25 * * *"
    timezone: Europe/Pariss
    window: 4
    experiments: []
    pick: sometimes
    colour: red
  - name: b
    cron: "0 10 * * *"
    timezone: UTC
    window: 30s
    experiments: [x]
    weights: { x: 2 }
  - name: b
    cron: "0 11 * * *"
    timezone: Europe/Paris
    window: 1h
    experiments: [x]
blackouts:
  - { from: 2025-13-01, to: 2025-12-01, reason: r }
  - { from: 2025-12-02, reason: r }
  - { from: 2025-12-05, to: 2025-12-01, reason: backwards, timezone: UTC }
  - { from: 2025-12-05, to: 2025-12-06, reason: floating }
`;
  t.deepEqual(issues(text, 'g.yaml'), [
    'g.yaml:3:11 gamedays[0].cron: invalid cron expression: hour: 25 is out of range 0-23',
    'g.yaml:4:15 gamedays[0].timezone: expected an IANA timezone like Europe/Paris, got "Europe/Pariss"',
    'g.yaml:5:13 gamedays[0].window: expected a duration like 30s or 5m, got 4 (add a unit: ms, s, m or h)',
    'g.yaml:6:18 gamedays[0].experiments: expected at least 1 item',
    'g.yaml:7:11 gamedays[0].pick: expected one of "all", "random", "round-robin", got "sometimes"',
    'g.yaml:8:5 gamedays[0].colour: unknown key "colour"',
  ]);
  t.deepEqual(issues(text.replace(/^ {2}- name: a[\s\S]*?(?=^ {2}- name: b)/m, ''), 'g.yaml'), [
    'g.yaml:5:13 gamedays[0].window: expected a window of at least 1m',
    'g.yaml:7:5 gamedays[0].weights: weights apply only with pick: random',
    'g.yaml:8:11 gamedays[1].name: another game day is already named "b"',
    'g.yaml:14:13 blackouts[0].from: not a valid date or time: "2025-13-01"',
    'g.yaml:15:5 blackouts[1]: missing required key "to" (or give ics: file.ics)',
    'g.yaml:16:29 blackouts[2].to: expected a time after from (2025-12-05)',
    'g.yaml:17:5 blackouts[3]: set timezone (or write the times with an offset): the game days do not share one',
  ]);
});

test('an .ics blackout file is read relative to the config, and its problems point into it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-sched-'));
  writeFileSync(join(dir, 'ok.ics'), 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:exam week\r\nDTSTART;VALUE=DATE:20260112\r\nDTEND;VALUE=DATE:20260117\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
  writeFileSync(join(dir, 'bad.ics'), 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260112T090000Z\r\nDTEND:20260112T100000Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
  const base = GOOD.replace(/blackouts:[\s\S]*/, 'blackouts:\n  - ics: ok.ics\n');
  const config = load(base, join(dir, 'gameday.yaml'));
  t.is(blackoutAt(config.schedule.blackouts, Date.parse('2026-01-14T09:00:00Z'))?.blackout.reason, 'exam week');
  t.deepEqual(issues(base.replace('ok.ics', 'bad.ics'), join(dir, 'gameday.yaml')), [
    `${join(dir, 'bad.ics')}:5:1 RRULE: FREQ=HOURLY is not supported; use DAILY, WEEKLY or YEARLY`,
  ]);
  const missing = issues(base.replace('ok.ics', 'none.ics'), join(dir, 'gameday.yaml'));
  t.is(missing.length, 1);
  t.regex(missing[0] ?? '', new RegExp(`gameday\\.yaml:12:10 blackouts\\[0\\]\\.ics: cannot read ${join(dir, 'none.ics').replace(/[.\\/]/g, '\\$&')}`));
});

test('names and tags the catalog lacks, and weights for experiments not picked, are config errors at their position', (t) => {
  const config = load(`gamedays:
  - name: g
    cron: "0 10 * * tue"
    timezone: UTC
    window: 1h
    experiments: [kill-worker-vm, kill-wroker-vm, "tag:gpu"]
    pick: random
    weights: { kill-worker-vm: 3, delete-hub-pod: 1 }
`, 'c.yaml');
  const err = t.throws(() => resolveCandidates(config.schedule, catalog), { instanceOf: ConfigInvalidError });
  t.deepEqual(err?.issues.map(formatIssue), [
    'c.yaml:6:35 gamedays[0].experiments[1]: unknown experiment "kill-wroker-vm"; the catalog has: kill-worker-vm, delete-hub-pod, reboot-worker-vm',
    'c.yaml:6:51 gamedays[0].experiments[2]: no experiment in the catalog has tag "gpu"',
    'c.yaml:8:35 gamedays[0].weights.delete-hub-pod: "delete-hub-pod" is not among this game day\'s experiments',
  ]);
});
