/**
 * The runtime Scheduler on real (short) timers with a fake gate. The clock is shifted so
 * that a minute boundary — when `* * * * *` fires — comes 300 ms after the test starts.
 */
import test from 'ava';
import { Writable } from 'node:stream';
import winston from 'winston';
import { ConfigInvalidError } from '../../src/errors.js';
import type { Gameday, GamedaysConfig } from '../../src/scheduler/config.js';
import { parseCron } from '../../src/scheduler/cron.js';
import type { GamedayOutcome } from '../../src/scheduler/run-gameday.js';
import { MAX_TIMEOUT_MS, Scheduler } from '../../src/scheduler/scheduler.js';
import type { CatalogEntry, RunAnswer, RunGate, RunRequest } from '../../src/scheduler/types.js';

const catalog: CatalogEntry[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, tags: [], file: `${name}.yaml` }));
const at = { file: 't.yaml', line: 1, col: 1, path: '' };

function gameday(overrides: Partial<Gameday> = {}): Gameday {
  return {
    name: 'every-minute',
    cron: parseCron('* * * * *'),
    timeZone: 'UTC',
    windowMs: 5_000,
    experiments: ['a', 'b', 'c'].map((value) => ({ kind: 'name' as const, value, at })),
    pick: 'all',
    weights: {},
    weightsAt: {},
    spacingMs: 0,
    minIntervalMs: 0,
    ...overrides,
  };
}

function logCapture(): { log: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }), lines };
}

/** A clock 300 ms before the next minute boundary, moving with real time. */
function shiftedClock(): { now: () => Date; boundary: number } {
  const real = Date.now();
  const boundary = (Math.floor(real / 60_000) + 1) * 60_000;
  const offset = boundary - 300 - real;
  return { now: () => new Date(Date.now() + offset), boundary };
}

interface Call {
  request: RunRequest;
  start: number;
  end?: number;
  aborted?: boolean;
}

function fakeGate(now: () => Date, options: { runMs: number; refuse?: (r: RunRequest) => string | undefined }): { gate: RunGate; calls: Call[] } {
  const calls: Call[] = [];
  const gate: RunGate = {
    run(request, signal): Promise<RunAnswer> {
      const reason = options.refuse?.(request);
      if (reason) return Promise.resolve({ refused: reason });
      const call: Call = { request, start: now().getTime() };
      calls.push(call);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          call.end = now().getTime();
          resolve({ runId: `run-${calls.length}`, outcome: 'passed' });
        }, options.runMs);
        signal.addEventListener('abort', () => {
          if (call.end !== undefined) return;
          clearTimeout(timer);
          call.aborted = true;
          call.end = now().getTime();
          resolve({ runId: `run-${calls.length}`, outcome: 'aborted' });
        }, { once: true });
      });
    },
  };
  return { gate, calls };
}

function firstGameday(scheduler: Scheduler, outcomes: GamedayOutcome[]): Promise<GamedayOutcome> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (outcomes[0]) {
        clearInterval(timer);
        resolve(outcomes[0]);
      }
    }, 20);
  }).finally(() => scheduler.stop()) as Promise<GamedayOutcome>;
}

const config = (g: Gameday): GamedaysConfig => ({ gamedays: [g], blackouts: [] });

test('at the start time the game day runs its experiments in order, one at a time, with the spacing between', async (t) => {
  const { now, boundary } = shiftedClock();
  const { gate, calls } = fakeGate(now, { runMs: 150 });
  const outcomes: GamedayOutcome[] = [];
  const scheduler = new Scheduler({ config: config(gameday({ spacingMs: 400 })), catalog, gate, log: logCapture().log, now, onGameday: (o) => outcomes.push(o) });
  scheduler.start();
  const outcome = await firstGameday(scheduler, outcomes);
  t.deepEqual(calls.map((c) => c.request), ['a', 'b', 'c'].map((experiment) => ({ experiment, gameday: 'every-minute' })));
  t.true(calls[0]!.start >= boundary && calls[0]!.start < boundary + 200, 'starts on time');
  for (let i = 1; i < calls.length; i++) t.true(calls[i]!.start - calls[i - 1]!.end! >= 400, 'spacing held');
  t.is(outcome.stopped, 'done');
  t.is(outcome.runs.length, 3);
});

test('nothing starts after the window closes', async (t) => {
  const { now, boundary } = shiftedClock();
  const { gate, calls } = fakeGate(now, { runMs: 400 });
  const outcomes: GamedayOutcome[] = [];
  const scheduler = new Scheduler({ config: config(gameday({ windowMs: 1_000, spacingMs: 100 })), catalog, gate, log: logCapture().log, now, onGameday: (o) => outcomes.push(o) });
  scheduler.start();
  const outcome = await firstGameday(scheduler, outcomes);
  t.deepEqual(calls.map((c) => c.request.experiment), ['a', 'b']);
  t.true(calls.every((c) => c.start < boundary + 1_000));
  t.is(outcome.stopped, 'window closed');
});

test('refused runs are logged with the reason and skipped; maxRuns counts only runs that started', async (t) => {
  const { now } = shiftedClock();
  const { gate, calls } = fakeGate(now, { runMs: 50, refuse: (r) => (r.experiment === 'a' ? 'halted: maintenance' : undefined) });
  const { log, lines } = logCapture();
  const outcomes: GamedayOutcome[] = [];
  const g = gameday({ maxRuns: 2, experiments: ['a', 'b', 'c', 'd'].map((value) => ({ kind: 'name' as const, value, at })) });
  const scheduler = new Scheduler({ config: config(g), catalog, gate, log, now, onGameday: (o) => outcomes.push(o) });
  scheduler.start();
  const outcome = await firstGameday(scheduler, outcomes);
  t.deepEqual(calls.map((c) => c.request.experiment), ['b', 'c']);
  t.deepEqual(outcome.refused.map((r) => [r.experiment, r.reason]), [['a', 'halted: maintenance']]);
  t.is(outcome.stopped, 'maxRuns reached');
  t.truthy(lines.find((l) => l.message === 'run refused' && l.experiment === 'a' && l.reason === 'halted: maintenance' && l.level === 'warn'));
});

test('stop() in the middle of a game day returns at once, aborts the run\'s signal and starts nothing more', async (t) => {
  const { now } = shiftedClock();
  const { gate, calls } = fakeGate(now, { runMs: 10_000 });
  const scheduler = new Scheduler({ config: config(gameday()), catalog, gate, log: logCapture().log, now });
  scheduler.start();
  while (calls.length === 0) await new Promise((r) => setTimeout(r, 20));
  const before = Date.now();
  await scheduler.stop();
  t.true(Date.now() - before < 200, 'stop() waits for no run');
  t.true(calls[0]?.aborted);
  await new Promise((r) => setTimeout(r, 300));
  t.is(calls.length, 1);
  await scheduler.stop();
  t.pass('stop() twice is harmless');
});

test('stop() before a game day starts clears the timer; start() twice schedules once', async (t) => {
  const { now } = shiftedClock();
  const { gate, calls } = fakeGate(now, { runMs: 10 });
  const scheduler = new Scheduler({ config: config(gameday()), catalog, gate, log: logCapture().log, now });
  await scheduler.stop();
  scheduler.start();
  scheduler.start();
  await scheduler.stop();
  await new Promise((r) => setTimeout(r, 600));
  t.is(calls.length, 0);
});

test('after stop(), start() schedules again (leadership lost, then won back)', async (t) => {
  const { now } = shiftedClock();
  const { gate, calls } = fakeGate(now, { runMs: 20 });
  const outcomes: GamedayOutcome[] = [];
  const scheduler = new Scheduler({ config: config(gameday()), catalog, gate, log: logCapture().log, now, onGameday: (o) => outcomes.push(o) });
  scheduler.start();
  await scheduler.stop();
  scheduler.start();
  const outcome = await firstGameday(scheduler, outcomes);
  t.is(outcome.runs.length, 3);
  t.is(calls.length, 3);
});

test('a game day a year away is waited for in timeouts Node can hold', async (t) => {
  const sleeps: number[] = [];
  const start = Date.parse('2025-01-01T00:00:00Z');
  const g = gameday({ cron: parseCron('0 0 1 1 *') });
  const scheduler = new Scheduler({
    config: config(g),
    catalog,
    gate: fakeGate(() => new Date(start), { runMs: 1 }).gate,
    log: logCapture().log,
    now: () => new Date(start),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  });
  scheduler.start();
  await new Promise((r) => setTimeout(r, 50));
  await scheduler.stop();
  t.deepEqual(sleeps, [MAX_TIMEOUT_MS]);
  t.is(scheduler.nextStart()?.toISOString(), '2026-01-01T00:00:00.000Z');
  t.is(scheduler.upcoming(2).map((p) => p.start.toISOString()).join(), '2025-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z', 'upcoming includes a game day starting at `from`');
});

test('an experiment the catalog lacks makes the constructor throw a positioned config error', (t) => {
  const g = gameday({ experiments: [{ kind: 'name', value: 'nope', at: { file: 'g.yaml', line: 7, col: 20, path: 'gamedays[0].experiments[0]' } }] });
  const err = t.throws(() => new Scheduler({ config: config(g), catalog, gate: fakeGate(() => new Date(), { runMs: 1 }).gate, log: logCapture().log }), { instanceOf: ConfigInvalidError });
  t.regex(err?.message ?? '', /^g\.yaml:7:20 gamedays\[0\]\.experiments\[0\]: unknown experiment "nope"/);
});
