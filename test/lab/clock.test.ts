import test from 'ava';
import { rfc3339, SimClock } from '../../src/lab/clock.js';

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('simulated time runs speed times faster than real time', async (t) => {
  const clock = new SimClock(100);
  const start = clock.now();
  await realSleep(50);
  const elapsed = clock.now() - start;
  t.true(elapsed >= 4000, `elapsed ${elapsed}`);
  t.true(elapsed < 50_000, `elapsed ${elapsed}`);
  clock.close();
});

test('a simulated timer fires after its simulated delay divided by the speed', async (t) => {
  const clock = new SimClock(100);
  const realStart = Date.now();
  await new Promise<void>((resolve) => clock.setTimeout(resolve, 1000));
  const real = Date.now() - realStart;
  t.true(real >= 5 && real < 500, `took ${real} ms`);
  clock.close();
});

test('closing the clock cancels every pending timer and makes later timers inert', async (t) => {
  const clock = new SimClock(100);
  let fired = 0;
  clock.setTimeout(() => fired++, 100);
  clock.setTimeout(() => fired++, 200);
  t.is(clock.pendingTimers(), 2);
  clock.close();
  clock.setTimeout(() => fired++, 1);
  await realSleep(30);
  t.is(fired, 0);
  t.is(clock.pendingTimers(), 0);
});

test('a cleared timer never fires', async (t) => {
  const clock = new SimClock(100);
  let fired = false;
  const handle = clock.setTimeout(() => (fired = true), 100);
  clock.clearTimeout(handle);
  clock.clearTimeout(handle);
  await realSleep(20);
  t.false(fired);
  clock.close();
});

test('a timer callback that throws is reported instead of crashing the process', async (t) => {
  const errors: unknown[] = [];
  const clock = new SimClock(100, (error) => errors.push(error));
  clock.setTimeout(() => {
    throw new Error('boom');
  }, 10);
  await realSleep(20);
  t.is((errors[0] as Error).message, 'boom');
  clock.close();
});

test('timers fire in the order they are due, even when the event loop runs late', async (t) => {
  const clock = new SimClock(20);
  const fired: number[] = [];
  const delays = [1000, 500, 20, 5000, 500, 0, 900, 1100, 20]; // equal delays: the order they were set
  for (const [i, ms] of delays.entries()) clock.setTimeout(() => fired.push(i), ms);
  const busyUntil = performance.now() + 400; // far past every timer (5000 simulated ms = 250 ms)
  while (performance.now() < busyUntil) { /* block the loop, as a loaded machine would */ }
  await realSleep(20);
  const expected = delays.map((ms, i) => ({ ms, i })).sort((a, b) => a.ms - b.ms || a.i - b.i).map((x) => x.i);
  t.deepEqual(fired, expected);
  clock.close();
});

test('cleared timers do not pile up when timers are re-armed again and again', (t) => {
  const clock = new SimClock(1);
  let handle = clock.setTimeout(() => undefined, 3_600_000);
  for (let i = 0; i < 100_000; i++) {
    clock.clearTimeout(handle);
    handle = clock.setTimeout(() => undefined, 3_600_000);
  }
  t.is(clock.pendingTimers(), 1);
  t.true((clock as unknown as { heap: unknown[] }).heap.length <= 1100);
  clock.close();
});

test('a non-positive speed is refused', (t) => {
  t.throws(() => new SimClock(0), { instanceOf: RangeError });
  t.throws(() => new SimClock(-1), { instanceOf: RangeError });
});

test('Kubernetes timestamps have second precision in UTC', (t) => {
  t.is(rfc3339(Date.UTC(2025, 0, 2, 3, 4, 5, 678)), '2025-01-02T03:04:05Z');
});
