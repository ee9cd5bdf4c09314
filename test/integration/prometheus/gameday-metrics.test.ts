/**
 * gameday's own /metrics through the real Prometheus: `gameday daemon` (a real CLI process)
 * listens on 127.0.0.1:9464, the port the `gameday` job of scripts/prometheus/up.sh scrapes
 * every second; a halt through the daemon's API must show in Prometheus, and a
 * `prometheus.query` probe on gameday's own series must see it as a breach.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeTypes } from '../../../src/targets/registry.js';
import { gameday } from '../../helpers/cli.js';
import { testCtx } from '../../helpers/ctx.js';
import { OPERATOR, writeTokens } from '../../daemon/helpers.js';
import { realPrometheus } from './real-prometheus.js';

const LISTEN = '127.0.0.1:9464';

test('the real Prometheus scrapes the daemon, and a probe on gameday_halted sees a halt made through the API', async (t) => {
  const prom = await realPrometheus();
  const dir = mkdtempSync(join(tmpdir(), 'gameday-own-metrics-'));
  const config = join(dir, 'gameday.yaml');
  writeFileSync(config, [`store: { path: ${join(dir, 'gameday.db')} }`, `daemon: { tokensFile: ${writeTokens(dir)} }`, ''].join('\n'));
  const daemon = gameday(['daemon', '--config', config, '--listen', LISTEN, '--log-format', 'json']);
  t.teardown(() => {
    if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  });
  const api = (path: string, body: object): Promise<Response> =>
    fetch(`http://${LISTEN}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  await prom.waitFor('up{job="gameday"}', (r) => r[0]?.value[1] === '1', 30_000);
  const halted = await prom.waitFor('gameday_halted{job="gameday"}', (r) => r[0]?.value[1] === '0', 10_000);
  t.is(halted.length, 1);

  const probe = probeTypes.get('prometheus.query')!;
  const params = probe.params.parse({ query: 'max(gameday_halted{job="gameday"})', expect: '== 0', maxAge: '5s' });
  const ctx = testCtx({ prometheus: { url: prom.url } });
  const before = await probe.check(ctx, params, new AbortController().signal);
  t.true(before.ok, before.detail);

  t.is((await api('/api/halt', { reason: 'integration: own metrics' })).status, 200);
  const haltedAt = Date.now();
  let seen = await probe.check(ctx, params, new AbortController().signal);
  while (seen.ok && Date.now() - haltedAt < 10_000) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await probe.check(ctx, params, new AbortController().signal);
  }
  const delay = Date.now() - haltedAt;
  t.false(seen.ok, 'the halt shows as a breach of gameday_halted == 0');
  t.is(seen.value, 1);
  t.log(`halt → breach seen through the real Prometheus in ${delay} ms`);

  t.is((await api('/api/resume', {})).status, 200);
  daemon.child.kill('SIGTERM');
  t.is(await daemon.exited, 0, daemon.output());
});
