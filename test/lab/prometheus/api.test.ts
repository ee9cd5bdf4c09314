import test from 'ava';
import { hostPort, promCall, promLab } from './lab-helpers.js';

test('an instant query answers Prometheus\'s vector shape at the given time, ordered by labels', async (t) => {
  const lab = await promLab(t);
  lab.world.prometheus.scrapeNow();
  const now = lab.world.clock.now();
  const time = Math.floor(now / 1000) + 0.25;
  const answer = await promCall(lab, '/api/v1/query', { query: 'up{job=~"kubernetes|openstack"}', time: String(time) });
  t.is(answer.status, 200);
  t.is(answer.contentType, 'application/json');
  t.deepEqual(answer.body, {
    status: 'success',
    data: {
      resultType: 'vector',
      result: [
        { metric: { __name__: 'up', instance: hostPort(lab.endpoints.kubernetes), job: 'kubernetes' }, value: [time, '1'] },
        { metric: { __name__: 'up', instance: hostPort(lab.endpoints.openstack), job: 'openstack' }, value: [time, '1'] },
      ].sort((a, b) => (a.metric.instance < b.metric.instance ? -1 : 1)),
    },
  });
});

test('a form-encoded POST is answered like the GET, and RFC 3339 times are read', async (t) => {
  const lab = await promLab(t);
  lab.world.prometheus.scrapeNow();
  const at = new Date(lab.world.clock.now() + 500);
  const rfc = at.toISOString();
  const get = await promCall(lab, '/api/v1/query', { query: 'count(kube_node_status_condition{condition="Ready",status="true"} == 1)', time: rfc });
  const post = await promCall(lab, '/api/v1/query', { query: 'count(kube_node_status_condition{condition="Ready",status="true"} == 1)', time: rfc }, 'POST');
  t.deepEqual(get.body, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [at.getTime() / 1000, '5'] }] } });
  t.deepEqual(post.body, get.body);
});

test('scalars, strings, NaN and infinities come back as [time, "text"]', async (t) => {
  const lab = await promLab(t);
  const query = async (q: string): Promise<unknown> => (await promCall(lab, '/api/v1/query', { query: q, time: '1700000000' })).body;
  t.deepEqual(await query('1 + 1'), { status: 'success', data: { resultType: 'scalar', result: [1700000000, '2'] } });
  t.deepEqual(await query('"gameday"'), { status: 'success', data: { resultType: 'string', result: [1700000000, 'gameday'] } });
  t.deepEqual(await query('0 / 0'), { status: 'success', data: { resultType: 'scalar', result: [1700000000, 'NaN'] } });
  t.deepEqual(await query('-1 / 0'), { status: 'success', data: { resultType: 'scalar', result: [1700000000, '-Inf'] } });
  t.deepEqual(await query('vector(1 / 0)'), { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '+Inf'] }] } });
});

test('a range query answers a matrix at every step from start to end', async (t) => {
  const lab = await promLab(t);
  const answer = await promCall(lab, '/api/v1/query_range', { query: 'time() * 2', start: '1000', end: '1002.5', step: '1s' });
  t.deepEqual(answer.body, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1000, '2000'], [1001, '2002'], [1002, '2004']] }] } });
  const float = await promCall(lab, '/api/v1/query_range', { query: 'vector(time())', start: '10', end: '11', step: '0.5' }, 'POST');
  t.deepEqual(float.body, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[10, '10'], [10.5, '10.5'], [11, '11']] }] } });
});

test('the range query of a lab series shows its samples over simulated time', async (t) => {
  const lab = await promLab(t);
  lab.world.metrics.set('lab_probe_gauge', { probe: 'a' }, 1);
  lab.world.prometheus.scrapeNow();
  const start = lab.world.clock.now();
  await new Promise((resolve) => setTimeout(resolve, 200));
  lab.world.metrics.set('lab_probe_gauge', { probe: 'a' }, 2);
  lab.world.prometheus.scrapeNow();
  const end = lab.world.clock.now();
  const answer = await promCall(lab, '/api/v1/query_range', { query: 'lab_probe_gauge', start: String(start / 1000), end: String(end / 1000), step: String((end - start) / 1000) });
  const body = answer.body as { data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } };
  t.is(body.data.resultType, 'matrix');
  t.deepEqual(body.data.result.map((s) => s.metric), [{ __name__: 'lab_probe_gauge', instance: 'lab-exporter:9100', job: 'exporter', probe: 'a' }]);
  t.deepEqual(body.data.result[0]?.values.map(([, v]) => v), ['1', '2']);
});

const badData: [string, Record<string, string>, string][] = [
  ['/api/v1/query', { query: 'foo bar' }, 'invalid parameter "query": 1:5: parse error: unexpected "bar"'],
  ['/api/v1/query', {}, 'invalid parameter "query": 1:1: parse error: no expression found in input'],
  ['/api/v1/query', { query: 'rate(up[5m:1m])' }, 'invalid parameter "query": unsupported PromQL: subquery ("up[5m:1m]" at 1:6)'],
  ['/api/v1/query', { query: 'up offset 1m' }, 'invalid parameter "query": unsupported PromQL: offset modifier ("up offset 1m" at 1:1)'],
  ['/api/v1/query', { query: 'topk(1, up)' }, 'invalid parameter "query": unsupported PromQL: aggregation topk ("topk" at 1:1)'],
  ['/api/v1/query', { query: 'up', time: 'yesterday' }, 'invalid parameter "time": cannot parse "yesterday" to a valid timestamp'],
  ['/api/v1/query', { query: 'up', timeout: 'soon' }, 'invalid parameter "timeout": cannot parse "soon" to a valid duration'],
  ['/api/v1/query_range', { query: 'up', start: '10', end: '20' }, 'invalid parameter "step": cannot parse "" to a valid duration'],
  ['/api/v1/query_range', { query: 'up', start: '10', end: '20', step: '0' }, 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer'],
  ['/api/v1/query_range', { query: 'up', start: '20', end: '10', step: '1' }, 'invalid parameter "end": end timestamp must not be before start time'],
  ['/api/v1/query_range', { query: 'up', start: '0', end: '100000', step: '1' }, 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'],
  ['/api/v1/query_range', { query: 'up[5m]', start: '0', end: '10', step: '1' }, 'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
  ['/api/v1/rules', { type: 'everything' }, 'invalid parameter "type": not supported value "everything"'],
];

test('bad requests and queries answer 400 bad_data in Prometheus\'s error envelope', async (t) => {
  const lab = await promLab(t);
  for (const [path, params, error] of badData) {
    const answer = await promCall(lab, path, params);
    t.is(answer.status, 400, `${path} ${JSON.stringify(params)}`);
    t.deepEqual(answer.body, { status: 'error', errorType: 'bad_data', error });
  }
});

test('a query that fails while evaluating answers 422 execution', async (t) => {
  const lab = await promLab(t);
  lab.world.metrics.set('lab_pair', { side: 'a' }, 1);
  lab.world.metrics.set('lab_pair', { side: 'b' }, 1);
  lab.world.prometheus.scrapeNow();
  const answer = await promCall(lab, '/api/v1/query', { query: 'vector(1) + ignoring (side) lab_pair' });
  t.is(answer.status, 422);
  t.like(answer.body, { status: 'error', errorType: 'execution' });
  t.regex((answer.body as { error: string }).error, /found duplicate series for the match group .* on the right hand-side of the operation/);
});

test('readiness, health, unknown paths and wrong methods answer like Prometheus', async (t) => {
  const lab = await promLab(t);
  t.like(await promCall(lab, '/-/ready'), { status: 200, text: 'Prometheus Server is Ready.\n' });
  t.like(await promCall(lab, '/-/healthy'), { status: 200, text: 'Prometheus Server is Healthy.\n' });
  t.like(await promCall(lab, '/api/v1/nothing'), { status: 404, text: '404 page not found\n' });
  t.like(await promCall(lab, '/api/v1/alerts', {}, 'POST'), { status: 405 });
});

test('the lab\'s API faults apply to its Prometheus too', async (t) => {
  const lab = await promLab(t);
  lab.world.apiFaults.set('prometheus', { errorStatus: 503 });
  const api = await promCall(lab, '/api/v1/query', { query: 'up' });
  t.is(api.status, 503);
  t.deepEqual(api.body, { status: 'error', errorType: 'unavailable', error: 'injected fault' });
  t.like(await promCall(lab, '/metrics'), { status: 503, text: 'injected fault\n' });
  lab.world.apiFaults.set('prometheus', { refuse: true });
  await t.throwsAsync(promCall(lab, '/-/ready'));
  lab.world.apiFaults.clear('prometheus');
  t.is((await promCall(lab, '/-/ready')).status, 200);
});

test('the rules API lists the lab\'s alerting rules in Prometheus\'s shape', async (t) => {
  const lab = await promLab(t);
  lab.world.prometheus.evaluateNow();
  const answer = await promCall(lab, '/api/v1/rules');
  const body = answer.body as { status: string; data: { groups: Record<string, unknown>[] } };
  t.is(body.status, 'success');
  const [group] = body.data.groups;
  t.like(group, { name: 'lab', file: 'lab-rules.yml', interval: 1, limit: 0 });
  t.regex(String(group?.['lastEvaluation']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const rules = group?.['rules'] as Record<string, unknown>[];
  t.deepEqual(rules.map((r) => r['name']), ['JupyterHubDown', 'KubeNodeNotReady', 'GlusterHealBacklog', 'GlusterBrickDown', 'OpenStackServerNotActive']);
  const [hub] = rules;
  t.deepEqual(Object.keys(hub ?? {}).sort(), ['alerts', 'annotations', 'duration', 'evaluationTime', 'health', 'keepFiringFor', 'labels', 'lastEvaluation', 'name', 'query', 'state', 'type'].sort());
  t.like(hub, { state: 'inactive', query: 'up{job="jupyterhub"} == 0', duration: 30, labels: { severity: 'critical' }, alerts: [], health: 'ok', type: 'alerting' });
  t.deepEqual((await promCall(lab, '/api/v1/rules', { type: 'record' })).body, { status: 'success', data: { groups: [] } });
  t.deepEqual((await promCall(lab, '/api/v1/alerts')).body, { status: 'success', data: { alerts: [] } });
});
