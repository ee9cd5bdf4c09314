import test from 'ava';
import { nodesReady } from '../../../src/targets/kubernetes/nodes-ready.js';
import { eventually, withLab } from './lab.js';

const signal = new AbortController().signal;
const params = (p: Record<string, unknown>) => nodesReady.params.parse(p);

test('every matched node Ready is ok, with the Ready count as value', async (t) => {
  const { ctx } = await withLab(t);
  const r = await nodesReady.check(ctx, params({ nodeName: 'worker-*' }), signal);
  t.deepEqual(r, { ok: true, value: 4, detail: '4/4 nodes Ready (min 4)' });
  const control = await nodesReady.check(ctx, params({ labelSelector: 'node-role.kubernetes.io/control-plane' }), signal);
  t.is(control.value, 1);
});

test('a NotReady node is a breach that names it, unless min allows it', async (t) => {
  const { ctx, lab } = await withLab(t);
  lab.world.setNodeReady('worker-002', false);
  t.true(await eventually(async () => !(await nodesReady.check(ctx, params({ nodeName: 'worker-*' }), signal)).ok));
  const r = await nodesReady.check(ctx, params({ nodeName: 'worker-*' }), signal);
  t.false(r.ok);
  t.is(r.value, 3);
  t.regex(r.detail, /not Ready: worker-002$/);
  t.true((await nodesReady.check(ctx, params({ nodeName: 'worker-*', min: 3 }), signal)).ok);
  lab.world.setNodeReady('worker-002', true);
  t.true(await eventually(async () => (await nodesReady.check(ctx, params({ nodeName: 'worker-*' }), signal)).ok), 'Ready again');
});

test('a selector that matches no node is a breach, not a pass', async (t) => {
  const { ctx } = await withLab(t);
  t.deepEqual(await nodesReady.check(ctx, params({ nodeName: 'gpu-*' }), signal), { ok: false, value: 0, detail: 'no node matched' });
});

test('unknown keys are refused', (t) => {
  t.false(nodesReady.params.safeParse({ nodeName: 'worker-*', labelSelectr: 'x' }).success);
});
