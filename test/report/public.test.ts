import test from 'ava';
import type { RunDetail } from '../../src/experiments/journal.js';
import { publicRunDetail } from '../../src/report/public.js';

test('a shown run record masks env values and secret keys of restore plans, and leaves the record itself unchanged', (t) => {
  const manifest = { spec: { containers: [{ name: 'notebook', env: [{ name: 'JUPYTERHUB_API_TOKEN', value: 'abc123secret' }, { name: 'MEM', value: '2G' }] }] } };
  const target = { kind: 'kubernetes.pod', id: 'jhub/jupyter-alice', name: 'jupyter-alice', ready: true, attributes: {} };
  const detail = {
    run: { id: 'r1' },
    steps: [],
    probes: [],
    faults: [{ id: 'r1-f1', plan: { type: 'kubernetes.pod.delete', target, data: { manifest, token: 'tok-1' } } }],
  } as unknown as RunDetail;
  const shown = JSON.stringify(publicRunDetail(detail));
  t.false(shown.includes('abc123secret'));
  t.false(shown.includes('2G'));
  t.false(shown.includes('tok-1'));
  t.true(shown.includes('JUPYTERHUB_API_TOKEN'), 'names stay, values go');
  t.true(JSON.stringify(detail).includes('abc123secret'), 'the journal record is not changed');
});
