/**
 * The host-side time-to-live of a partition on the real pool: injected with `ttl: 1m` and
 * never restored (as if gameday died for good), the rules stay for the minute, then the
 * sleeper on the host deletes them and the peer connects again. A restore made afterwards
 * still finds nothing to delete, removes the marker and heals. The same for a frozen brick
 * (`glusterfs.brick.kill` STOP with `ttl`): the host's sleeper continues it at the TTL.
 */
import test from 'ava';
import { makeCtx } from '../../../src/experiments/ctx.js';
import { glusterfsClient } from '../../../src/targets/glusterfs/client.js';
import { faultTypes } from '../../../src/targets/registry.js';
import { memoryLogger } from '../../helpers/ctx.js';
import {
  HOSTS, brickName, cluster, connectedPeers, gamedayRules, healedToZero, markers, repair, targetSettings, ttlSleepers, until, type Host,
} from './real-gluster.js';
import { processState } from '../../helpers/service-state.js';

test.serial('glusterfs.brick.partition ttl 1m: left alone, the host deletes its rules after the minute and the peer connects again', async (t) => {
  const c = await cluster();
  t.teardown(() => repair(c));
  const host: Host = '10.231.0.13';
  const runId = `it-ttl-${Date.now()}`;
  const ctx = makeCtx(runId, memoryLogger().log, new AbortController().signal, { glusterfs: targetSettings(c) });
  t.teardown(() => glusterfsClient(ctx).close());
  const fault = faultTypes.get('glusterfs.brick.partition')!;
  const params = fault.params.parse({ method: 'iptables', ttl: '1m' });
  const refs = await fault.select(ctx, fault.target.parse({ volume: 'home', brick: brickName(host) }), params);
  t.deepEqual(refs.map((r) => r.name), [brickName(host)]);
  const ref = refs[0]!;
  const plan = await fault.plan(ctx, ref, params);
  const faultId = `${runId}-f1`;

  const injectedAt = Date.now();
  await fault.inject(ctx, ref, params, { runId, faultId, experiment: 'integration' });
  const rules = await gamedayRules(c, host);
  t.is(rules.length, 4, rules.join('\n'));
  t.true(markers(c, host).includes(faultId));
  await until(`${HOSTS[0]} to see ${host} disconnected`, 30_000, async () => !(await connectedPeers(c, HOSTS[0])).includes(host), 1000);

  // never restored: the rules must stay for the minute, then go by themselves
  let seenAt = injectedAt;
  const goneAt = await until('the host to delete the rules after the ttl', 85_000, async () => {
    const left = await gamedayRules(c, host);
    if (left.length) {
      seenAt = Date.now();
      return undefined;
    }
    return Date.now();
  }, 1000);
  const gone = (goneAt - injectedAt) / 1000;
  t.log(`rules last seen ${((seenAt - injectedAt) / 1000).toFixed(1)} s after inject, gone at ${gone.toFixed(1)} s`);
  t.true(seenAt - injectedAt >= 50_000, `the rules stayed until close to the ttl (last seen at ${((seenAt - injectedAt) / 1000).toFixed(1)} s)`);
  t.true(gone <= 80, `gone within 80 s (${gone.toFixed(1)} s)`);
  for (const h of HOSTS) t.deepEqual(await gamedayRules(c, h), [], `no gameday rule on ${h}`);
  const reconnected = await until(`${host} connected again`, 30_000, async () => (await connectedPeers(c, HOSTS[0])).includes(host) ? Date.now() : undefined, 1000);
  t.log(`peer ${host} connected again ${((reconnected - injectedAt) / 1000).toFixed(1)} s after inject`);

  // the marker outlives the rules (the sleeper only deletes rules); a late restore finishes the job
  t.true(markers(c, host).includes(faultId), 'the marker is still there');
  await fault.restore(ctx, { ...plan, data: { ...(plan.data as Record<string, unknown>), faultId } });
  t.deepEqual(markers(c, host), []);
  await healedToZero(c);
});

test.serial('glusterfs.brick.kill STOP ttl 20s: left alone, the host continues the frozen brick at the ttl; a late restore finds it running', async (t) => {
  const c = await cluster();
  t.teardown(() => repair(c));
  const host: Host = '10.231.0.12';
  const runId = `it-ttl-stop-${Date.now()}`;
  const ctx = makeCtx(runId, memoryLogger().log, new AbortController().signal, { glusterfs: targetSettings(c) });
  t.teardown(() => glusterfsClient(ctx).close());
  const fault = faultTypes.get('glusterfs.brick.kill')!;
  const params = fault.params.parse({ signal: 'STOP', ttl: '20s' });
  const refs = await fault.select(ctx, fault.target.parse({ volume: 'home', brick: brickName(host) }), params);
  const ref = refs[0]!;
  const plan = await fault.plan(ctx, ref, params);
  const pid = (plan.data as { pid: number }).pid;
  const faultId = `${runId}-f1`;

  const injectedAt = Date.now();
  await fault.inject(ctx, ref, params, { runId, faultId, experiment: 'integration' });
  t.is(processState(pid), 'T', `brick process ${pid} is frozen`);
  t.is((await ttlSleepers(c, host)).length, 1, 'one sleeper waits on the host');

  // never restored: frozen until close to the ttl, then continued by the host itself
  let frozenSeenAt = injectedAt;
  const continuedAt = await until('the host to continue the brick after the ttl', 45_000, () => {
    if (processState(pid) === 'T') {
      frozenSeenAt = Date.now();
      return undefined;
    }
    return Date.now();
  }, 250);
  t.log(`frozen last seen ${((frozenSeenAt - injectedAt) / 1000).toFixed(1)} s after inject, running at ${((continuedAt - injectedAt) / 1000).toFixed(1)} s`);
  t.true(frozenSeenAt - injectedAt >= 15_000, 'frozen until close to the ttl');
  t.true(continuedAt - injectedAt <= 35_000, 'continued soon after the ttl');
  t.not(processState(pid), undefined, 'the same process, continued, not replaced');
  t.deepEqual(await ttlSleepers(c, host), [], 'the sleeper exited after acting');

  t.true(markers(c, host).includes(faultId), 'the marker is still there');
  await fault.restore(ctx, { ...plan, data: { ...(plan.data as Record<string, unknown>), faultId } });
  t.deepEqual(markers(c, host), []);
  await healedToZero(c);
});
