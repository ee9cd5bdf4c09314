/**
 * Crash drills on a real Nova: `gameday run` killed with SIGKILL while its stop is being
 * injected (the journal row `intended`, calls in flight) or once it is `injected`; then
 * `gameday recover` alone must leave the server ACTIVE and unmarked and close the run.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../../src/experiments/journal.js';
import { openstackClient } from '../../../src/targets/openstack/client.js';
import { gameday } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/lab-env.js';
import { cloudsFile, realCtx } from './real-cloud.js';

const experiment = `apiVersion: gameday/v1
kind: Experiment
metadata: { name: crash-real-stop }
spec:
  fault:
    type: openstack.server.stop
    target: { name: worker-002 }
    duration: 10m
  steadyState: { interval: 1s, probes: [] }
  recovery: { within: 2m }
`;

for (const killWhen of ['intended', 'injected'] as const) {
  test.serial(`a run SIGKILLed once its stop is ${killWhen} is put back by gameday recover alone`, async (t) => {
    const ctx = realCtx();
    const dir = mkdtempSync(join(tmpdir(), 'gameday-it-crash-'));
    const store = join(dir, 'gameday.db');
    const config = join(dir, 'gameday.yaml');
    writeFileSync(config, `store: { path: ${store} }\nlog: { format: json }\nrestore: { attempts: 6, initialDelay: 500ms, maxDelay: 5s }\ntargets:\n  openstack: { cloud: gameday-it, cloudsFile: ${cloudsFile} }\n`);
    const file = join(dir, 'crash.yaml');
    writeFileSync(file, experiment);

    const run = gameday(['run', file, '--config', config]);
    const journal = Journal.open(store);
    t.teardown(() => journal.close());
    // 'intended' is caught while the inject's calls are in flight; a fast cloud may already be past it
    const caught = await waitFor(() => {
      const rows = journal.unrestoredFaults();
      return rows.find((f) => f.status === killWhen)?.status ?? (killWhen === 'intended' ? rows[0]?.status : undefined);
    }, 120_000, `a fault row ${killWhen}: ${run.output()}`);
    run.child.kill('SIGKILL');
    t.is(await run.exited, null);
    t.log(`killed with the fault row ${caught}`);

    const recover = gameday(['recover', '--config', config]);
    t.is(await recover.exited, 0, recover.output());
    const { nova } = openstackClient(ctx);
    const [server] = await nova.listServers({ nameRegex: '^worker-002$' });
    t.is(server?.status, 'ACTIVE');
    t.deepEqual(Object.keys(server?.metadata ?? {}).filter((k) => k.startsWith('gameday:')), []);
    t.deepEqual(journal.unrestoredFaults(), []);
    const [record] = journal.listRuns();
    t.is(record?.outcome, 'aborted');
    t.regex(record?.reason ?? '', /closed by recovery/);
  });
}
