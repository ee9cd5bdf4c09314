import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { Counter, Gauge, Registry } from 'prom-client';
import { startLab } from '../../../src/lab/index.js';
import { ExpositionError, parseExposition } from '../../../src/lab/prometheus/exposition-parse.js';
import { promCall, promLab, until, vectorOf } from './lab-helpers.js';
import { promtoolCheckMetrics } from './promtool.js';

/** The one lint promtool has for the lab: the GlusterFS exporter's own metric name. */
const KNOWN_LINT = 'gluster_heal_info_files_count non-histogram and non-summary metrics should not have "_count" suffix';

function withoutFamily(exposition: string, name: string): string {
  return exposition
    .split('\n')
    .filter((line) => !line.startsWith(`${name}{`) && !line.startsWith(`${name} `) && !line.startsWith(`# HELP ${name} `) && !line.startsWith(`# TYPE ${name} `))
    .join('\n');
}

test('/metrics is a valid text exposition that the real promtool parses, lint-clean but for the GlusterFS exporter\'s own name', async (t) => {
  const lab = await promLab(t);
  await fetch(`${lab.endpoints.jupyterhub}/hub/health`);
  const answer = await promCall(lab, '/metrics');
  t.is(answer.status, 200);
  t.is(answer.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  const verdict = promtoolCheckMetrics(answer.text);
  t.is(verdict.code, 3, verdict.output);
  t.is(verdict.output, KNOWN_LINT);
  const clean = promtoolCheckMetrics(withoutFamily(answer.text, 'gluster_heal_info_files_count'));
  t.is(clean.code, 0, clean.output);
  for (const family of ['kube_node_status_condition', 'jupyterhub_total_users', 'openstack_nova_server_status', 'gluster_brick_up']) {
    t.true(answer.text.includes(`# TYPE ${family} gauge\n`), family);
  }
  t.false(/^up[{ ]/m.test(answer.text), 'no up: a scraping Prometheus makes its own');
  t.false(/[{,](job|instance)="/.test(answer.text), 'no target labels: a scraping Prometheus adds its own');
});

test('/metrics shows what a scrape reaches now: a failing system\'s families are left out', async (t) => {
  const lab = await promLab(t);
  lab.world.metrics.set('lab_test_alert', { severity: 'critical' }, 1);
  t.regex((await promCall(lab, '/metrics')).text, /^lab_test_alert\{severity="critical"\} 1$/m);
  lab.world.apiFaults.set('openstack', { errorStatus: 500 });
  const text = (await promCall(lab, '/metrics')).text;
  t.false(text.includes('openstack_nova_server_status'));
  t.true(text.includes('kube_node_status_condition'));
});

test('the exposition reader takes what prom-client writes and refuses a malformed line with its number', (t) => {
  const samples = parseExposition('# HELP a x\n# TYPE a gauge\na{b="q\\"uo\\\\te\\n",c="d",} 1.5 1700000000000\nb_total +Inf\nc NaN\n\nd -2e-3\n');
  t.deepEqual(samples, [
    { labels: { __name__: 'a', b: 'q"uo\\te\n', c: 'd' }, value: 1.5 },
    { labels: { __name__: 'b_total' }, value: Number.POSITIVE_INFINITY },
    { labels: { __name__: 'c' }, value: Number.NaN },
    { labels: { __name__: 'd' }, value: -0.002 },
  ]);
  t.throws(() => parseExposition('ok 1\nbad{a="b} 1\n'), { instanceOf: ExpositionError, message: /^line 2: unterminated value of label a/ });
  t.throws(() => parseExposition('x one\n'), { instanceOf: ExpositionError, message: /^line 1: invalid value "one"/ });
  t.throws(() => parseExposition('x{a="1",a="2"} 1\n'), { instanceOf: ExpositionError, message: /label a given twice/ });
});

async function serveRegistry(registry: Registry): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };
}

test('an external /metrics endpoint is scraped over HTTP into the TSDB, and its failure sets up to 0', async (t) => {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'gameday_fault_active', help: 'test gauge', labelNames: ['experiment'], registers: [registry] });
  const counter = new Counter({ name: 'gameday_runs_total', help: 'test counter', registers: [registry] });
  gauge.set({ experiment: 'kill-worker-vm' }, 1);
  counter.inc(3);
  const { server, url } = await serveRegistry(registry);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const lab = await promLab(t, { prometheus: { scrape: [{ url, job: 'gameday' }] } });
  const instance = new URL(url).host;
  const [active] = await until(async () => {
    const found = await vectorOf(lab, 'gameday_fault_active');
    return found.length > 0 ? found : undefined;
  }, 'the external gauge');
  t.deepEqual(active?.metric, { __name__: 'gameday_fault_active', experiment: 'kill-worker-vm', instance, job: 'gameday' });
  t.is(active?.value[1], '1');
  t.deepEqual((await vectorOf(lab, 'gameday_runs_total')).map((e) => e.value[1]), ['3']);
  gauge.set({ experiment: 'kill-worker-vm' }, 0);
  await until(async () => (await vectorOf(lab, 'gameday_fault_active'))[0]?.value[1] === '0', 'the gauge change');
  t.deepEqual((await vectorOf(lab, 'up{job="gameday"}')).map((e) => e.value[1]), ['1']);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await until(async () => (await vectorOf(lab, 'up{job="gameday"}'))[0]?.value[1] === '0', 'up 0 once the endpoint is gone');
  t.deepEqual(await vectorOf(lab, 'gameday_fault_active'), [], 'its series are stale');
  t.regex(lab.world.prometheus.externalTargets()[0]?.lastError ?? '', /fetch failed|ECONNREFUSED/);
});

test('a scrape target that is not an http(s) URL is refused when the lab starts', async (t) => {
  await t.throwsAsync(startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0, prometheus: 0 }, prometheus: { scrape: ['ftp://127.0.0.1/metrics'] } }), {
    instanceOf: RangeError,
    message: 'scrape target ftp://127.0.0.1/metrics must be http or https',
  });
});
