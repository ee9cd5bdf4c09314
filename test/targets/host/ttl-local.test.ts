/**
 * `host.process.kill` with `ttl` through the LOCAL transport against a real service of this
 * machine (real-service.ts): a real SIGSTOPped process is continued at the TTL by the
 * detached sleeper with gameday gone, a killed one is restarted by it, and a restore ends
 * the sleeper so it never fires later. Facts are read from /proc, the pidfile and over
 * HTTP, never through gameday's own reads.
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { hostClient } from '../../../src/targets/host/client.js';
import { ProcessKillParams, processKill } from '../../../src/targets/host/process-kill.js';
import type { Ctx, Marker } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';
import { alive, procState, realService, statusOf, type RealService } from './real-service.js';

const marker = (faultId: string): Marker => ({ runId: 'test-run', faultId, experiment: 'kill-test-service' });

/** The pids of this fault's sleepers, found with pgrep (none: []). */
function sleepers(faultId: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `gameday-ttl [0-9]+ gameday:${faultId} `], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function setup(t: { teardown(fn: () => Promise<void> | void): void }, faultId: string): Promise<{ s: RealService; ctx: Ctx }> {
  const s = await realService();
  t.teardown(async () => {
    for (const pid of sleepers(faultId)) process.kill(-pid, 'SIGTERM'); // a failed test leaves no sleeper behind
    await s.close();
  });
  return { s, ctx: testCtx({ host: s.settings }) };
}

test('STOP with ttl: a real frozen process is continued at the TTL by the sleeper, with gameday gone', async (t) => {
  const { s, ctx } = await setup(t, 'test-run-f11');
  const pid = s.pid()!;
  const params = ProcessKillParams.parse({ signal: 'STOP', ttl: '3s' });
  const [ref] = await processKill.select(ctx, { host: 'localhost', pidfile: s.pidfile }, params);
  await processKill.inject(ctx, ref!, params, marker('test-run-f11'));
  t.is(procState(pid)?.state, 'T');
  t.is(sleepers('test-run-f11').length, 1);
  hostClient(ctx).close(); // gameday is gone: no restore will come
  await sleep(1500);
  t.is(procState(pid)?.state, 'T', 'still frozen before the TTL');
  for (let i = 0; i < 60 && procState(pid)?.state === 'T'; i++) await sleep(100);
  t.not(procState(pid)?.state, 'T', 'continued at the TTL');
  t.is(s.pid(), pid, 'the same process, never a new one');
  await s.healthy(5000);
  t.deepEqual(sleepers('test-run-f11'), [], 'the sleeper exited after acting');
});

test('KILL with a restart command and ttl: the sleeper restarts the killed process at the TTL', async (t) => {
  const { s, ctx } = await setup(t, 'test-run-f12');
  const pid = s.pid()!;
  const params = ProcessKillParams.parse({ signal: 'KILL', restart: { command: s.start }, ttl: '2s' });
  const [ref] = await processKill.select(ctx, { host: 'localhost', pidfile: s.pidfile }, params);
  await processKill.inject(ctx, ref!, params, marker('test-run-f12'));
  hostClient(ctx).close();
  await s.healthy(8000);
  const restarted = s.pid()!;
  s.track(restarted);
  t.not(restarted, pid);
  t.true(alive(restarted));
  t.deepEqual(sleepers('test-run-f12'), []);
});

test('STOP with ttl: restore ends the sleeper first, so it never continues the process later', async (t) => {
  const { s, ctx } = await setup(t, 'test-run-f13');
  const pid = s.pid()!;
  const params = ProcessKillParams.parse({ signal: 'STOP', ttl: '2s' });
  const [ref] = await processKill.select(ctx, { host: 'localhost', pidfile: s.pidfile }, params);
  const plan = await processKill.plan(ctx, ref!, params);
  await processKill.inject(ctx, ref!, params, marker('test-run-f13'));
  t.is(sleepers('test-run-f13').length, 1);
  await processKill.restore(ctx, plan);
  t.deepEqual(sleepers('test-run-f13'), []);
  t.is(await statusOf(s.url), 200);
  process.kill(pid, 'SIGSTOP'); // frozen again by someone else: a late sleeper would continue it
  await sleep(3000);
  t.is(procState(pid)?.state, 'T', 'nothing continued it after the restore');
  process.kill(pid, 'SIGCONT');
});
