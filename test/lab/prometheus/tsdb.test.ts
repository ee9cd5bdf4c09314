import test from 'ava';
import { makeMatcher } from '../../../src/lab/prometheus/matchers.js';
import { Tsdb } from '../../../src/lab/prometheus/tsdb.js';

const named = (name: string) => [makeMatcher('__name__', '=', name)];

test('a series absent from its group\'s next scrape gets a stale marker and vanishes from instant reads at once', (t) => {
  const db = new Tsdb();
  db.ingest('job', 1000, [{ labels: { __name__: 'a', x: '1' }, value: 1 }, { labels: { __name__: 'a', x: '2' }, value: 2 }]);
  const result = db.ingest('job', 2000, [{ labels: { __name__: 'a', x: '1' }, value: 3 }]);
  t.deepEqual(result, { appended: 1, refused: 0, staleMarked: 1 });
  const [one, two] = db.select(named('a')).sort((p, q) => (p.labels['x'] ?? '').localeCompare(q.labels['x'] ?? ''));
  t.deepEqual(one?.latest(2500, 300_000), { t: 2000, v: 3 });
  t.is(two?.latest(1500, 300_000)?.v, 2, 'still there before the stale marker');
  t.is(two?.latest(2000, 300_000), undefined, 'gone from the stale marker on');
  t.deepEqual(two?.points(0, 10_000), { t: [1000], v: [2] }, 'range reads keep the samples before the marker and skip the marker');
});

test('a series that comes back after going stale is read again', (t) => {
  const db = new Tsdb();
  db.ingest('job', 1000, [{ labels: { __name__: 'a' }, value: 1 }]);
  db.ingest('job', 2000, []);
  db.ingest('job', 3000, [{ labels: { __name__: 'a' }, value: 5 }]);
  t.deepEqual(db.select(named('a'))[0]?.latest(3000, 300_000), { t: 3000, v: 5 });
  t.deepEqual(db.select(named('a'))[0]?.points(0, 3000), { t: [1000, 3000], v: [1, 5] });
});

test('an instant read looks back at most the lookback delta, left-open like Prometheus', (t) => {
  const db = new Tsdb();
  db.append({ __name__: 'g' }, 0, 7);
  const [series] = db.select(named('g'));
  t.is(series?.latest(299_999, 300_000)?.v, 7);
  t.is(series?.latest(300_000, 300_000), undefined);
  t.is(series?.latest(-1, 300_000), undefined, 'nothing before the first sample');
});

test('out-of-order and duplicate timestamps are refused and counted', (t) => {
  const db = new Tsdb();
  t.true(db.append({ __name__: 'g' }, 2000, 1));
  t.false(db.append({ __name__: 'g' }, 2000, 2));
  t.false(db.append({ __name__: 'g' }, 1000, 3));
  const result = db.ingest('job', 3000, [{ labels: { __name__: 'g' }, value: 4 }, { labels: { __name__: 'g' }, value: 5 }]);
  t.deepEqual(result, { appended: 1, refused: 1, staleMarked: 0 });
  t.is(db.refusedTotal, 3);
  t.deepEqual(db.select(named('g'))[0]?.points(0, 5000), { t: [2000, 3000], v: [1, 4] });
});

test('samples older than the retention are dropped and a series with none left is forgotten', (t) => {
  const db = new Tsdb({ retentionMs: 10_000 });
  for (let i = 0; i <= 20; i++) db.ingest('job', i * 1000, [{ labels: { __name__: 'kept' }, value: i }]);
  db.append({ __name__: 'old' }, 0, 1);
  db.ingest('job', 21_000, [{ labels: { __name__: 'kept' }, value: 21 }]);
  t.deepEqual(db.select(named('kept'))[0]?.points(-1, 30_000).t, [12_000, 13_000, 14_000, 15_000, 16_000, 17_000, 18_000, 19_000, 20_000, 21_000]);
  t.is(db.select(named('old')).length, 0);
  t.is(db.seriesCount(), 1);
});

test('memory stays bounded over a long run: samples beyond the retention are compacted away', (t) => {
  const db = new Tsdb({ retentionMs: 60_000 });
  for (let i = 0; i < 20_000; i++) db.ingest('job', i * 1000, [{ labels: { __name__: 'a' }, value: i }, { labels: { __name__: 'b' }, value: -i }]);
  t.true(db.sampleCount() <= 2 * 61, `${db.sampleCount()} samples held`);
  t.deepEqual(db.select(named('a'))[0]?.latest(19_999_000, 300_000), { t: 19_999_000, v: 19_999 });
});

test('new series beyond the cap are refused, existing ones keep taking samples', (t) => {
  const db = new Tsdb({ maxSeries: 2 });
  const result = db.ingest('job', 1000, [1, 2, 3].map((i) => ({ labels: { __name__: 's', i: String(i) }, value: i })));
  t.deepEqual(result, { appended: 2, refused: 1, staleMarked: 0 });
  t.is(db.seriesCount(), 2);
  t.is(db.ingest('job', 2000, [{ labels: { __name__: 's', i: '1' }, value: 9 }]).appended, 1);
});

test('selection applies every matcher, a missing label matching the empty string', (t) => {
  const db = new Tsdb();
  db.append({ __name__: 'm', code: '500' }, 1, 1);
  db.append({ __name__: 'm', code: '200' }, 1, 1);
  db.append({ __name__: 'm' }, 1, 1);
  db.append({ __name__: 'other', code: '503' }, 1, 1);
  const codes = (matchers: ReturnType<typeof makeMatcher>[]): string[] => db.select(matchers).map((s) => `${s.labels['__name__']}/${s.labels['code'] ?? ''}`).sort();
  t.deepEqual(codes([...named('m'), makeMatcher('code', '=~', '5..')]), ['m/500']);
  t.deepEqual(codes([makeMatcher('code', '=~', '5.*')]), ['m/500', 'other/503']);
  t.deepEqual(codes([...named('m'), makeMatcher('code', '=', '')]), ['m/']);
  t.deepEqual(codes([...named('m'), makeMatcher('code', '!~', '2..|')]), ['m/500']);
  t.deepEqual(codes([makeMatcher('code', '=~', '00')]), [], 'regular expressions are anchored at both ends');
});

test('a label value that is empty is the same series as no label', (t) => {
  const db = new Tsdb();
  db.append({ __name__: 'm', a: '' }, 1, 1);
  t.true(db.append({ __name__: 'm' }, 2, 2));
  t.is(db.seriesCount(), 1);
  t.deepEqual(db.select(named('m'))[0]?.labels, { __name__: 'm' });
});
