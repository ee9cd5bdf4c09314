import test from 'ava';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ExperimentInvalidError, GamedayError, formatIssue, type PositionedIssue } from '../../src/errors.js';
import { checkExperimentText, loadExperiment, validateExperimentText } from '../../src/experiments/load.js';
import { check, flag, testRegistry, thingBreak } from '../fixtures/test-registry.js';

const VALID = `apiVersion: gameday/v1
kind: Experiment
metadata:
  name: break-thing
  description: Breaks a thing and checks it comes back.
  tags: [test, thing]
spec:
  fault:
    type: test.thing.break
    target: { name: "thing-*", percent: 50 }
    duration: 1m30s
    params: { level: 3 }
  steadyState:
    interval: 1s
    probes:
      - name: value-ok
        type: test.check
        value: 42
      - name: flag-up
        type: test.flag
        phases: [during, after]
        timeout: 3s
  recovery: { within: 2m }
  safety: { maxUnavailable: "25%", allow: ["thing-*"], deny: [master] }
`;

const MINIMAL = `apiVersion: gameday/v1
kind: Experiment
metadata: { name: minimal }
spec:
  fault: { type: test.thing.break, target: { name: a }, duration: 10s }
  recovery: { within: 1m }
`;

function issueLine(issue: PositionedIssue): string {
  return `${issue.line}:${issue.col} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

test('a valid experiment loads with every field parsed and durations in milliseconds', async (t) => {
  const exp = await validateExperimentText(VALID, 'valid.yaml', testRegistry);
  t.is(exp.file, 'valid.yaml');
  t.is(exp.name, 'break-thing');
  t.is(exp.description, 'Breaks a thing and checks it comes back.');
  t.deepEqual(exp.tags, ['test', 'thing']);
  t.is(exp.fault.type, 'test.thing.break');
  t.is(exp.fault.fault, thingBreak);
  t.deepEqual(exp.fault.selector, { name: 'thing-*' });
  t.is(exp.fault.percent, 50);
  t.is(exp.fault.count, undefined);
  t.is(exp.fault.durationMs, 90_000);
  t.deepEqual(exp.fault.params, { level: 3 });
  t.is(exp.steadyState.intervalMs, 1_000);
  t.deepEqual(exp.recovery, { withinMs: 120_000 });
  t.deepEqual(exp.safety, { maxUnavailable: '25%', allow: ['thing-*'], deny: ['master'] });
});

test('probes keep their own keys as params, parsed by their type, and take the default timeout unless they set one', async (t) => {
  const exp = await validateExperimentText(VALID, 'valid.yaml', testRegistry);
  const [value, up] = exp.steadyState.probes;
  t.like(value, { name: 'value-ok', type: 'test.check', phases: ['before', 'during', 'after'], timeoutMs: 5_000, params: { value: 42 } });
  t.is(value?.probe, check);
  t.like(up, { name: 'flag-up', type: 'test.flag', phases: ['during', 'after'], timeoutMs: 3_000, params: {} });
  t.is(up?.probe, flag);
});

test('a minimal experiment gets the documented defaults', async (t) => {
  const exp = await validateExperimentText(MINIMAL, 'minimal.yaml', testRegistry);
  t.is(exp.description, undefined);
  t.deepEqual(exp.tags, []);
  t.deepEqual(exp.fault.params, { level: 1 });
  t.is(exp.fault.count, undefined);
  t.is(exp.fault.percent, undefined);
  t.deepEqual(exp.steadyState, { intervalMs: 2_000, probes: [] });
  t.deepEqual(exp.safety, {});
});

test('count stays apart from the selector the fault type parses', async (t) => {
  const text = MINIMAL.replace('target: { name: a }', 'target: { name: a, count: 2 }');
  const exp = await validateExperimentText(text, 'count.yaml', testRegistry);
  t.is(exp.fault.count, 2);
  t.deepEqual(exp.fault.selector, { name: 'a' });
});

test('the source is the document as written, durations as strings', async (t) => {
  const exp = await validateExperimentText(MINIMAL, 'minimal.yaml', testRegistry);
  t.deepEqual(exp.source, {
    apiVersion: 'gameday/v1',
    kind: 'Experiment',
    metadata: { name: 'minimal' },
    spec: { fault: { type: 'test.thing.break', target: { name: 'a' }, duration: '10s' }, recovery: { within: '1m' } },
  });
});

test('an invalid experiment throws ExperimentInvalidError listing every issue as file:line:col path: message', async (t) => {
  const text = MINIMAL.replace('duration: 10s', 'duration: 10').replace('name: minimal', 'name: Minimal');
  const err = await t.throwsAsync(validateExperimentText(text, 'exp.yaml', testRegistry), { instanceOf: ExperimentInvalidError });
  t.is(err?.issues.length, 2);
  t.is(
    err?.message,
    [
      'exp.yaml:3:19 metadata.name: expected a name of lowercase letters, digits and \'-\' (at most 63, like delete-hub-pod), got "Minimal"',
      'exp.yaml:5:67 spec.fault.duration: expected a duration like 30s or 5m, got 10 (add a unit: ms, s, m or h)',
    ].join('\n'),
  );
});

test('loadExperiment reads the file and names it in every issue', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-load-'));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, MINIMAL.replace('within: 1m', 'within: soon'));
  const err = await t.throwsAsync(loadExperiment(file, testRegistry), { instanceOf: ExperimentInvalidError });
  t.deepEqual(err?.issues, [
    { file, line: 6, col: 23, path: 'spec.recovery.within', message: 'expected a duration like 30s or 5m, got "soon"' },
  ]);
});

test('loadExperiment loads a valid file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-load-'));
  const file = join(dir, 'ok.yaml');
  await writeFile(file, VALID);
  const exp = await loadExperiment(file, testRegistry);
  t.is(exp.file, file);
  t.is(exp.name, 'break-thing');
});

test('a file that cannot be read is a GamedayError naming the file, not an invalid experiment', async (t) => {
  const file = join(tmpdir(), 'gameday-no-such-experiment.yaml');
  const err = await t.throwsAsync(loadExperiment(file, testRegistry), { instanceOf: GamedayError });
  t.false(err instanceof ExperimentInvalidError);
  t.true(err?.message.includes(file));
});

test('issues come sorted by position in the file', (t) => {
  const text = MINIMAL.replace('kind: Experiment', 'kind: Job').replace('within: 1m', 'within: 1').replace('apiVersion: gameday/v1', 'apiVersion: v2');
  const result = checkExperimentText(text, 'x.yaml', testRegistry);
  t.false(result.ok);
  const lines = result.ok ? [] : result.issues.map((i) => i.line);
  t.deepEqual(lines, [1, 2, 6]);
});

const INVALID_DIR = 'test/fixtures/invalid';
const fixtures = readdirSync(INVALID_DIR).filter((f) => f.endsWith('.yaml')).sort();

test('there are at least 15 invalid fixtures, each listing at least one expected issue', async (t) => {
  t.true(fixtures.length >= 15);
  for (const name of fixtures) {
    const text = await readFile(join(INVALID_DIR, name), 'utf8');
    t.true(expectations(text).length > 0, name);
  }
});

function expectations(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('# expect: '))
    .map((line) => line.slice('# expect: '.length));
}

for (const name of fixtures) {
  test(`the invalid fixture ${basename(name, '.yaml')} reports exactly the issues it lists`, async (t) => {
    const file = join(INVALID_DIR, name);
    const err = await t.throwsAsync(loadExperiment(file, testRegistry), { instanceOf: ExperimentInvalidError });
    const issues = err?.issues ?? [];
    t.deepEqual(issues.map(issueLine).sort(), expectations(await readFile(file, 'utf8')).sort());
    t.true(issues.every((i) => i.file === file && formatIssue(i).startsWith(`${file}:`)));
  });
}

test('every shipped experiment in config/experiments loads with the real registry', async (t) => {
  const dir = 'config/experiments';
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  t.true(files.length > 0, 'no experiments shipped');
  for (const f of files) {
    const exp = await loadExperiment(join(dir, f));
    t.is(`${exp.name}.yaml`, f, 'an experiment file is named after its experiment');
  }
});
