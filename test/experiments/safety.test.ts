import test from 'ava';
import { SafetyRefusedError } from '../../src/errors.js';
import { chooseTargets } from '../../src/experiments/safety.js';
import type { TargetRef } from '../../src/targets/types.js';

const brick = (name: string, set: number, ready = true): TargetRef => ({
  kind: 'glusterfs.brick', id: `home/${name}`, name, group: `home/replica-set-${set}`, ready, attributes: {},
});
const bricks = [brick('b1', 1), brick('b2', 1), brick('b3', 2), brick('b4', 2)];
const seq = (...values: number[]) => () => values.shift() ?? 0;

test('a per-group cap picks across groups instead of refusing a lucky draw', (t) => {
  for (let i = 0; i < 20; i++) {
    const { chosen } = chooseTargets(bricks, { count: 2 }, {}, Math.random, 1);
    t.is(new Set(chosen.map((c) => c.group)).size, 2);
  }
});

test('a per-group cap counts objects already down: their group is never hit', (t) => {
  const degraded = [brick('b1', 1, false), brick('b2', 1), brick('b3', 2), brick('b4', 2)];
  for (let i = 0; i < 10; i++) t.not(chooseTargets(degraded, { count: 1 }, {}, Math.random, 1).chosen[0]?.group, 'home/replica-set-1');
  t.throws(() => chooseTargets(degraded, { count: 2 }, {}, seq(0.1, 0.2, 0.3), 1), { instanceOf: SafetyRefusedError, message: /at most 1 unavailable per group, so only 1 can be hit/ });
});

test('more objects than groups is refused before anything happens', (t) => {
  t.throws(() => chooseTargets(bricks, { count: 3 }, {}, Math.random, 1), { instanceOf: SafetyRefusedError });
});

test('without a cap the choice is the plain random pick', (t) => {
  const { chosen } = chooseTargets(bricks, { count: 3 }, {}, Math.random);
  t.is(chosen.length, 3);
});
