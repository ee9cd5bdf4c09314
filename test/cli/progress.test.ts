import test from 'ava';
import { PassThrough } from 'node:stream';
import { progressPrinter } from '../../src/cli/progress.js';

function capture(): { out: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { out: stream as unknown as NodeJS.WriteStream, text: () => text };
}

test('plain progress prints each step, a probe line only when its status changes, and the verdict', (t) => {
  const { out, text } = capture();
  const print = progressPrinter(out);
  print({ kind: 'run', runId: 'r1', experiment: 'delete-hub-pod', dryRun: false, at: Date.now() });
  print({ kind: 'state', state: 'preflight', at: Date.now() });
  print({ kind: 'step', step: 'preflight', status: 'ok', durationMs: 3, detail: 'chosen: jhub/hub-1' });
  for (const status of ['breach', 'breach', 'breach', 'ok'] as const) {
    print({ kind: 'probe', phase: 'after', probe: 'hub-health', type: 'http', status, value: 503, detail: status === 'ok' ? '200 in 3 ms' : '503 in 2 ms', ms: 3 });
  }
  print({ kind: 'verdict', outcome: 'passed', reason: 'recovered in 1.2s', recoveryMs: 1200 });
  const lines = text().trim().split('\n');
  t.false(text().includes('\u001b['), 'no escape codes when not a terminal');
  t.is(lines.filter((l) => l.includes('hub-health')).length, 2);
  t.regex(lines.at(-1) ?? '', /verdict: PASSED — recovered in 1\.2s$/);
  t.regex(text(), /✔ preflight \(3 ms\) — chosen: jhub\/hub-1/);
  t.regex(text(), /▶ preflight/);
});
