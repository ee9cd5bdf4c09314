/**
 * A process the crash tests start and kill. Modes:
 * - `intend <path> <runId>`: creates a run, takes the lock, intends one fault, prints
 *   `intended <faultId>`, then waits as if the injection were under way.
 * - `lock <path> <runId>`: tries to take the lock, prints `acquired` or `held`, then waits.
 * Either way it only exits when killed, so it holds what it took like a live run would.
 */
import { LockHeldError } from '../../src/errors.js';
import { faultId, Journal } from '../../src/experiments/journal.js';

const [mode, path, runId] = process.argv.slice(2);
if (!path || !runId) throw new Error('usage: journal-crash-child.ts intend|lock <path> <runId>');
const journal = Journal.open(path);

if (mode === 'intend') {
  journal.createRun({ id: runId, experiment: 'delete-hub-pod', file: 'delete-hub-pod.yaml', dryRun: false, spec: { crash: true } });
  journal.setRunState(runId, 'injecting');
  journal.acquireLock({ runId });
  const ref = { kind: 'kubernetes.pod', id: 'jhub/hub-7c9f8', name: 'hub-7c9f8', ready: true, attributes: { namespace: 'jhub' } };
  const row = journal.intendFault({
    id: faultId(runId, 1),
    runId,
    type: 'kubernetes.pod.delete',
    target: ref,
    plan: { type: 'kubernetes.pod.delete', target: ref, data: { replicas: 1, uid: 'c0ffee' } },
  });
  process.stdout.write(`intended ${row.id}\n`);
} else if (mode === 'lock') {
  try {
    journal.acquireLock({ runId });
    process.stdout.write('acquired\n');
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    process.stdout.write('held\n');
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
setInterval(() => undefined, 60_000);
