/**
 * `glusterfs.brick.kill` with `ttl` against the lab's brick hosts over gameday's real SSH
 * transport: a sleeper started on the brick's host before the signal brings the brick back
 * at the TTL with gameday gone (SIGCONT to the same process for STOP, `volume start VOL
 * force` for KILL); a restore ends it first, so it never fires later. The lab's world is
 * read directly to check every effect.
 */
import test from 'ava';
import { BrickKillParams, brickKill } from '../../../src/targets/glusterfs/brick-kill.js';
import { glusterfsClient } from '../../../src/targets/glusterfs/client.js';
import type { Ctx } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';
import { labEnv, type LabEnv } from '../../helpers/lab-env.js';

/** Simulated time runs 20 times faster: a TTL of 20 s (simulated) is 1 s real, so the fault is in place before it. */
const SPEED = 20;
const BRICK = 'brick-002:/bricks/home';

async function setup(t: { teardown(fn: () => Promise<void>): void }): Promise<{ env: LabEnv; ctx: Ctx }> {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  return { env, ctx: testCtx(env.targets) };
}

const sleepersOn = (env: LabEnv, host: string): string[] => [...(env.lab.world.glusterfs.hosts.get(host)?.sleepers.values() ?? [])].map((s) => s.commandLine);

test('STOP with ttl: the sleeper continues the frozen brick (same pid) at the TTL with gameday gone', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const params = BrickKillParams.parse({ signal: 'STOP', ttl: '20s' });
  const [ref] = await brickKill.select(ctx, { volume: 'home', brick: BRICK }, params);
  const plan = await brickKill.plan(ctx, ref!, params);
  t.like(plan.data, { ttlSeconds: 20 });
  const pid = pool.brick('brick-002')!.pid!;
  await brickKill.inject(ctx, ref!, params, { runId: 'test-run', faultId: 'test-run-f21', experiment: 'x' });
  t.is(pool.brick('brick-002')?.state, 'frozen');
  t.regex(sleepersOn(env, 'brick-002')[0] ?? '', new RegExp(` gameday-ttl 20 gameday:test-run-f21 cont ${pid} \\d+$`));
  const sent = pool.commands('brick-002').map((c) => c.argv.join(' '));
  t.true(sent.findIndex((c) => c.startsWith('setsid -f')) < sent.findIndex((c) => /^kill .*STOP/.test(c)), 'the sleeper is started before the signal');

  glusterfsClient(ctx).close(); // gameday is gone: no restore will come
  await pool.sleep(5000);
  t.is(pool.brick('brick-002')?.state, 'frozen', 'still frozen before the TTL');
  await pool.sleep(17_000);
  t.like(pool.brick('brick-002'), { state: 'running', pid });
  t.deepEqual(sleepersOn(env, 'brick-002'), []);
});

test('KILL with ttl: the sleeper runs volume start force at the TTL and the brick is online again', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const params = BrickKillParams.parse({ signal: 'KILL', ttl: '20s' });
  const [ref] = await brickKill.select(ctx, { volume: 'home', brick: BRICK }, params);
  await brickKill.inject(ctx, ref!, params, { runId: 'test-run', faultId: 'test-run-f22', experiment: 'x' });
  t.is(pool.brick('brick-002')?.state, 'killed');
  t.regex(sleepersOn(env, 'brick-002')[0] ?? '', / gameday-ttl 20 gameday:test-run-f22 run gluster --mode=script --xml volume start home force$/);
  glusterfsClient(ctx).close();
  await pool.sleep(22_000);
  t.like(pool.brick('brick-002'), { state: 'running', availableToClients: true });
});

test('restore ends the sleeper first: it never fires later; a ttl under 1s is refused', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  t.false(BrickKillParams.safeParse({ signal: 'STOP', ttl: '200ms' }).success);
  const params = BrickKillParams.parse({ signal: 'STOP', ttl: '20s' });
  const [ref] = await brickKill.select(ctx, { volume: 'home', brick: BRICK }, params);
  const plan = await brickKill.plan(ctx, ref!, params);
  await brickKill.inject(ctx, ref!, params, { runId: 'test-run', faultId: 'test-run-f23', experiment: 'x' });
  t.is(sleepersOn(env, 'brick-002').length, 1);
  await brickKill.restore(ctx, plan); // a plan from the journal: its fault id is found in the marker
  t.deepEqual(sleepersOn(env, 'brick-002'), []);
  t.is(pool.brick('brick-002')?.state, 'running');
  pool.signalBrick('brick-002', 'STOP'); // frozen again by someone else: a late sleeper would continue it
  await pool.sleep(25_000);
  t.is(pool.brick('brick-002')?.state, 'frozen', 'no sleeper fired after the restore');
  pool.signalBrick('brick-002', 'CONT');
});
