import test from 'ava';
import { jsonPatch, mergePatch, PatchError, patchFunction, strategicMergePatch, type Json } from '../../src/lab/kubernetes/patch.js';

const doc: Json = { metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { list: [1, 2, 3] } };

test('a merge patch merges objects, replaces lists and deletes keys set to null', (t) => {
  const out = mergePatch(doc, { metadata: { labels: { a: null, c: '3' } }, spec: { list: [9] } });
  t.deepEqual(out, { metadata: { name: 'p', labels: { b: '2', c: '3' } }, spec: { list: [9] } });
  t.deepEqual((doc as { metadata: { labels: unknown } }).metadata.labels, { a: '1', b: '2' }, 'input untouched');
});

test('a strategic merge patch drops $-directives and merges like a merge patch', (t) => {
  const out = strategicMergePatch(doc, { metadata: { labels: { c: '3' } }, $patch: 'merge', spec: { $retainKeys: ['list'], list: [4] } });
  t.deepEqual(out, { metadata: { name: 'p', labels: { a: '1', b: '2', c: '3' } }, spec: { list: [4] } });
});

test('a JSON patch applies add, remove, replace, move, copy and test with escaped keys', (t) => {
  const out = jsonPatch(doc, [
    { op: 'add', path: '/metadata/annotations', value: {} },
    { op: 'add', path: '/metadata/annotations/gameday.io~1run', value: 'r1' },
    { op: 'remove', path: '/metadata/labels/a' },
    { op: 'replace', path: '/spec/list/0', value: 7 },
    { op: 'add', path: '/spec/list/-', value: 4 },
    { op: 'copy', from: '/metadata/labels/b', path: '/metadata/labels/c' },
    { op: 'move', from: '/metadata/labels/b', path: '/metadata/labels/d' },
    { op: 'test', path: '/metadata/name', value: 'p' },
  ]);
  t.deepEqual(out, { metadata: { name: 'p', labels: { c: '2', d: '2' }, annotations: { 'gameday.io/run': 'r1' } }, spec: { list: [7, 2, 3, 4] } });
});

test('a JSON patch that fails part-way changes nothing and says why', (t) => {
  const error = t.throws(() => jsonPatch(doc, [{ op: 'add', path: '/metadata/labels/x', value: '1' }, { op: 'test', path: '/metadata/name', value: 'other' }]), { instanceOf: PatchError });
  t.is(error?.kind, 'test-failed');
  t.false('x' in ((doc as { metadata: { labels: object } }).metadata.labels));
  t.is(t.throws(() => jsonPatch(doc, [{ op: 'add', path: '/metadata/annotations/x', value: '1' }]), { instanceOf: PatchError })?.kind, 'inapplicable');
  t.is(t.throws(() => jsonPatch(doc, { op: 'add' }), { instanceOf: PatchError })?.kind, 'malformed');
  t.is(t.throws(() => jsonPatch(doc, [{ op: 'frobnicate', path: '/a' }]), { instanceOf: PatchError })?.kind, 'malformed');
});

test('the patch type is chosen by Content-Type and unknown types have none', (t) => {
  t.is(patchFunction('application/json-patch+json'), jsonPatch);
  t.is(patchFunction('application/merge-patch+json; charset=utf-8'), mergePatch);
  t.is(patchFunction('application/strategic-merge-patch+json'), strategicMergePatch);
  t.is(patchFunction('application/apply-patch+yaml'), undefined);
  t.is(patchFunction(undefined), undefined);
});
