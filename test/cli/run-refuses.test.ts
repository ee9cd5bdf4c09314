import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Journal } from '../../src/experiments/journal.js';
import { gameday } from '../helpers/cli.js';

test('gameday run refuses (exit 4) while an earlier fault could not be restored, and injects nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-refuse-'));
  const store = join(dir, 'gameday.db');
  const config = join(dir, 'gameday.yaml');
  writeFileSync(config, `store: { path: ${store} }\nrestore: { attempts: 1, initialDelay: 10ms, maxDelay: 10ms }\n`);
  // an earlier process (now gone) left a fault of a type this gameday cannot restore
  const journalModule = fileURLToPath(new URL('../../src/experiments/journal.ts', import.meta.url));
  const script = `
    const { Journal } = await import(${JSON.stringify(journalModule)});
    const j = Journal.open(${JSON.stringify(store)});
    j.createRun({ id: 'old-run', experiment: 'old', file: 'old.yaml', dryRun: false, spec: {} });
    const target = { kind: 'x', id: 'x/1', name: 'x-1', ready: true, attributes: {} };
    j.intendFault({ id: 'old-run-f1', runId: 'old-run', type: 'retired.thing.break', target, plan: { type: 'retired.thing.break', target, data: {} } });
    j.markInjected('old-run-f1');
    j.close();`;
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const journal = Journal.open(store);
  t.teardown(() => journal.close());
  const file = join(dir, 'exp.yaml');
  writeFileSync(file, `apiVersion: gameday/v1
kind: Experiment
metadata: { name: should-not-run }
spec:
  fault: { type: kubernetes.pod.delete, target: { namespace: jhub, labelSelector: "component=hub" }, duration: 1s }
  recovery: { within: 1s }
`);
  const run = gameday(['run', file, '--config', config]);
  t.is(await run.exited, 4, run.output());
  t.regex(run.output(), /refusing to run: 1 earlier fault\(s\) could not be restored \(retired\.thing\.break on x\/1\)/);
  t.deepEqual(journal.listRuns().map((r) => r.id), ['old-run'], 'no new run was even recorded');
});
