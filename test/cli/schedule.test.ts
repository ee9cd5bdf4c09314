import test from 'ava';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../src/experiments/journal.js';
import { gameday } from '../helpers/cli.js';

function setup(gamedays: string, blackouts = ''): { dir: string; config: string; store: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-schedule-'));
  const store = join(dir, 'gameday.db');
  const config = join(dir, 'gameday.yaml');
  writeFileSync(config, `store: { path: ${store} }\ngamedays:\n${gamedays}${blackouts ? `blackouts:\n${blackouts}` : ''}`);
  return { dir, config, store };
}

const TUESDAY = `  - name: tuesday
    cron: "0 10 * * tue"
    timezone: Europe/Paris
    window: 3h
    experiments: [kill-worker-vm, delete-hub-pod, "tag:storage"]
    maxRuns: 2
    spacing: 15m
    minInterval: 400h
`;

test('gameday schedule prints the next game days, what they run, and the blackout that skips one', async (t) => {
  const { config, store } = setup(TUESDAY, '  - { from: 2025-04-07, to: 2025-04-11, reason: teaching week }\n');
  const cli = gameday(['schedule', '--config', config, '-n', '3', '--from', '2025-03-30T00:00:00Z']);
  t.is(await cli.exited, 0, cli.output());
  t.is(cli.output(), [
    '2025-04-01 10:00 Europe/Paris → 13:00 Europe/Paris  tuesday  [all]',
    '    1. kill-worker-vm',
    '    2. delete-hub-pod',
    '    if one is refused, next: kill-gluster-brick, partition-gluster-brick, stop-glusterd',
    '2025-04-08 10:00 Europe/Paris → 13:00 Europe/Paris  tuesday',
    '    SKIPPED: in blackout "teaching week" until 2025-04-12 00:00 Europe/Paris (next allowed: 2025-04-12 00:00 Europe/Paris)',
    '2025-04-15 10:00 Europe/Paris → 13:00 Europe/Paris  tuesday  [all]',
    '    1. kill-gluster-brick',
    '    2. partition-gluster-brick',
    '    if one is refused, next: stop-glusterd',
    '',
  ].join('\n'));
  t.false(existsSync(store), 'a missing store is not created');
});

test('gameday schedule --json takes the store\'s history into account (minInterval)', async (t) => {
  const { config, store } = setup(TUESDAY);
  const journal = Journal.open(store);
  journal.createRun({ id: 'r1', experiment: 'kill-worker-vm', file: 'x.yaml', dryRun: false, spec: {}, startedAt: Date.parse('2025-03-25T09:00:00Z') });
  journal.createRun({ id: 'r2', experiment: 'delete-hub-pod', file: 'x.yaml', dryRun: true, spec: {}, startedAt: Date.parse('2025-03-25T09:10:00Z') });
  journal.close();
  const cli = gameday(['schedule', '--config', config, '-n', '1', '--from', '2025-03-30', '--json']);
  t.is(await cli.exited, 0, cli.output());
  const [plan] = JSON.parse(cli.output()) as { name: string; start: string; experiments: string[] }[];
  t.is(plan?.start, '2025-04-01T08:00:00.000Z');
  t.deepEqual(plan?.experiments, ['delete-hub-pod', 'kill-gluster-brick'], 'kill-worker-vm ran a week ago; a dry run does not count');
});

test('gameday schedule refuses bad arguments and an unknown experiment with exit 2 and the position', async (t) => {
  const { config } = setup(TUESDAY.replace('delete-hub-pod', 'delete-hub-pdo'));
  const unknown = gameday(['schedule', '--config', config]);
  t.is(await unknown.exited, 2);
  t.regex(unknown.output(), /gameday\.yaml:7:35 gamedays\[0\]\.experiments\[1\]: unknown experiment "delete-hub-pdo"; the catalog has: /);
  const badN = gameday(['schedule', '--config', config, '-n', 'lots']);
  t.is(await badN.exited, 2);
  t.regex(badN.output(), /-n: expected a whole number from 1 to 1000, got "lots"/);
  const badFrom = gameday(['schedule', '--config', config, '--from', 'tuesday']);
  t.is(await badFrom.exited, 2);
  t.regex(badFrom.output(), /--from: expected an ISO date or time/);
});
