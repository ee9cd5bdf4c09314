import test from 'ava';
import { AlertRuleError, AlertRules, expandTemplate, LAB_ALERT_RULES } from '../../../src/lab/prometheus/alert-rules.js';
import { QueryEngine } from '../../../src/lab/prometheus/promql/engine.js';
import { Tsdb } from '../../../src/lab/prometheus/tsdb.js';

function setup(): { db: Tsdb; rules: AlertRules; evaluate: (seconds: number) => ReturnType<AlertRules['evaluate']> } {
  const db = new Tsdb();
  const engine = new QueryEngine(db);
  const rules = new AlertRules([]);
  return { db, rules, evaluate: (seconds) => rules.evaluate(seconds * 1000, (expr, t) => engine.instant(expr, t)) };
}

test('an alert is pending while its condition holds for less than `for`, then fires, keeping its activeAt', (t) => {
  const { db, rules, evaluate } = setup();
  rules.add({ alert: 'Hot', expr: 'temp > 50', for: '30s', labels: { severity: 'warning' }, annotations: { summary: '{{ $labels.room }} is at {{ $value }}' } });
  db.ingest('job', 0, [{ labels: { __name__: 'temp', room: 'a' }, value: 20 }]);
  evaluate(0);
  t.deepEqual(rules.alerts(), [], 'inactive while the condition is false');
  t.is(rules.list()[0]?.state, 'inactive');
  db.ingest('job', 10_000, [{ labels: { __name__: 'temp', room: 'a' }, value: 60 }]);
  evaluate(10);
  t.deepEqual(rules.alerts(), [{ labels: { alertname: 'Hot', room: 'a', severity: 'warning' }, annotations: { summary: 'a is at 60' }, state: 'pending', activeAt: 10_000, value: 60 }]);
  db.ingest('job', 39_000, [{ labels: { __name__: 'temp', room: 'a' }, value: 70 }]);
  evaluate(39);
  t.like(rules.alerts()[0], { state: 'pending', value: 70, annotations: { summary: 'a is at 70' } });
  evaluate(40);
  t.like(rules.alerts()[0], { state: 'firing', activeAt: 10_000 });
  t.is(rules.list()[0]?.state, 'firing');
  t.is(rules.list()[0]?.health, 'ok');
});

test('an alert resolves (disappears) as soon as its series leaves the result', (t) => {
  const { db, rules, evaluate } = setup();
  rules.add({ alert: 'Hot', expr: 'temp > 50' });
  db.ingest('job', 0, [{ labels: { __name__: 'temp', room: 'a' }, value: 60 }, { labels: { __name__: 'temp', room: 'b' }, value: 60 }]);
  const series = evaluate(0);
  t.deepEqual(rules.alerts().map((a) => [a.labels['room'], a.state]), [['a', 'firing'], ['b', 'firing']], 'for 0 fires at once');
  t.deepEqual(series.filter((s) => s.labels['__name__'] === 'ALERTS').map((s) => s.labels), [
    { alertname: 'Hot', room: 'a', __name__: 'ALERTS', alertstate: 'firing' },
    { alertname: 'Hot', room: 'b', __name__: 'ALERTS', alertstate: 'firing' },
  ]);
  db.ingest('job', 1000, [{ labels: { __name__: 'temp', room: 'a' }, value: 40 }, { labels: { __name__: 'temp', room: 'b' }, value: 60 }]);
  evaluate(1);
  t.deepEqual(rules.alerts().map((a) => a.labels['room']), ['b']);
});

test('a pending alert whose condition stops before `for` never fires, and starts over when it comes back', (t) => {
  const { db, rules, evaluate } = setup();
  rules.add({ alert: 'Flap', expr: 'up == 0', for: '1m' });
  db.ingest('job', 0, [{ labels: { __name__: 'up', job: 'x' }, value: 0 }]);
  evaluate(0);
  db.ingest('job', 50_000, [{ labels: { __name__: 'up', job: 'x' }, value: 1 }]);
  evaluate(50);
  t.deepEqual(rules.alerts(), []);
  db.ingest('job', 70_000, [{ labels: { __name__: 'up', job: 'x' }, value: 0 }]);
  evaluate(70);
  evaluate(100);
  t.like(rules.alerts()[0], { state: 'pending', activeAt: 70_000 });
  evaluate(130);
  t.like(rules.alerts()[0], { state: 'firing', activeAt: 70_000 });
});

test('a rule whose evaluation fails reports err and keeps its alerts', (t) => {
  const { db, rules, evaluate } = setup();
  rules.add({ alert: 'Ratio', expr: 'a / ignoring (x) b' });
  db.ingest('job', 0, [{ labels: { __name__: 'a', x: '1' }, value: 1 }, { labels: { __name__: 'b', x: '2' }, value: 1 }]);
  evaluate(0);
  t.is(rules.alerts().length, 1);
  db.ingest('job', 1000, [{ labels: { __name__: 'a', x: '1' }, value: 1 }, { labels: { __name__: 'b', x: '2' }, value: 1 }, { labels: { __name__: 'b', x: '3' }, value: 1 }]);
  evaluate(1);
  const [rule] = rules.list();
  t.is(rule?.health, 'err');
  t.regex(rule?.lastError ?? '', /many-to-many matching not allowed/);
  t.is(rules.alerts().length, 1);
});

test('a bad rule is refused when added, with what is wrong', (t) => {
  const rules = new AlertRules([]);
  t.throws(() => rules.add({ alert: '', expr: 'up' }), { instanceOf: AlertRuleError, message: /non-empty alert name/ });
  t.throws(() => rules.add({ alert: 'X', expr: 'up[' }), { instanceOf: AlertRuleError, message: /alerting rule "X": 1:4: parse error/ });
  t.throws(() => rules.add({ alert: 'X', expr: 'up[5m]' }), { instanceOf: AlertRuleError, message: /must give an instant vector or a scalar, got range vector/ });
  t.throws(() => rules.add({ alert: 'X', expr: 'up', for: 'soon' }), { instanceOf: AlertRuleError, message: /for "soon" is not a duration/ });
  t.throws(() => rules.add({ alert: 'X', expr: 'up', labels: { 'bad-name': 'x' } }), { instanceOf: AlertRuleError, message: /invalid label or annotation name "bad-name"/ });
  t.throws(() => rules.add({ alert: 'X', expr: 'topk(1, up)' }), { instanceOf: AlertRuleError, message: /unsupported PromQL: aggregation topk/ });
  t.deepEqual(rules.list(), []);
});

test('adding a rule of an existing name replaces it; remove deletes it', (t) => {
  const rules = new AlertRules([]);
  rules.add({ alert: 'X', expr: 'up == 0' });
  rules.add({ alert: 'X', expr: 'up == 1', for: '5s' });
  t.deepEqual(rules.list().map((r) => [r.spec.expr, r.forMs]), [['up == 1', 5000]]);
  t.true(rules.remove('X'));
  t.false(rules.remove('X'));
});

test('the default rules all load and cover the hub, nodes, heals, bricks and servers', (t) => {
  const rules = new AlertRules();
  t.deepEqual(rules.list().map((r) => [r.spec.alert, r.forMs, r.spec.labels?.['severity']]), [
    ['JupyterHubDown', 30_000, 'critical'],
    ['KubeNodeNotReady', 60_000, 'warning'],
    ['GlusterHealBacklog', 120_000, 'warning'],
    ['GlusterBrickDown', 60_000, 'warning'],
    ['OpenStackServerNotActive', 60_000, 'warning'],
  ]);
  t.is(LAB_ALERT_RULES.length, 5);
});

test('templates expand labels and the value, and leave other text alone', (t) => {
  t.is(expandTemplate('{{ $labels.node }} / {{.Labels.node}} = {{ $value }} {{ humanize }}', { node: 'w1' }, 0.5), 'w1 / w1 = 0.5 {{ humanize }}');
  t.is(expandTemplate('{{ $labels.missing }}!', {}, 1), '!');
});
