/**
 * Selection over a large cloud: the lab seeded with 2,000 worker VMs; a server fault's
 * select (every page of /servers/detail, filtered by name glob) and the raw listing in pages
 * of 100 (20 pages, following servers_links). Prints time (median, p99, min, max) and the
 * process RSS. Figures only, nothing asserted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { startLab } from '../src/lab/index.js';
import { makeCtx } from '../src/experiments/ctx.js';
import { openstackClient } from '../src/targets/openstack/client.js';
import { faultTypes } from '../src/targets/registry.js';
import { machine, printStats } from './stats.js';

const SERVERS = Number(process.env['SERVERS'] ?? 2000);
const RUNS = Number(process.env['RUNS'] ?? 20);
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

const rssStart = process.memoryUsage().rss;
const lab = await startLab({ workers: SERVERS, userPods: 6, ports: { kubernetes: 0, jupyterhub: 0, openstack: 0 } });
const dir = mkdtempSync(join(tmpdir(), 'gameday-bench-os-'));
const cloudsFile = join(dir, 'clouds.yaml');
writeFileSync(cloudsFile, lab.cloudsYaml());
const settings = { openstack: { cloud: 'gameday-lab', cloudsFile, timeout: '60s' } };
const log = winston.createLogger({ silent: true });
const rssLab = process.memoryUsage().rss;

const stop = faultTypes.get('openstack.server.stop')!;
const target = stop.target.parse({ name: 'worker-*' });
const selectTimes: number[] = [];
const pagedTimes: number[] = [];
let selected = 0;
let peak = 0;
for (let i = 0; i < RUNS; i++) {
  const ctx = makeCtx('bench', log, new AbortController().signal, settings);
  await openstackClient(ctx).auth.session(); // the token is not what is measured
  const t0 = performance.now();
  selected = (await stop.select(ctx, target, {})).length;
  selectTimes.push(performance.now() - t0);
  const t1 = performance.now();
  const paged = await openstackClient(ctx).nova.listServers({ limit: 100 });
  pagedTimes.push(performance.now() - t1);
  if (paged.length < SERVERS) throw new Error(`paged listing returned ${paged.length}`);
  peak = Math.max(peak, process.memoryUsage().rss);
}
console.log(`openstack-select: ${SERVERS} worker VMs in the lab (same process), ${RUNS} runs; ${machine()}`);
printStats(`select worker-* (${selected} refs, Nova's pages of <= 1000)`, selectTimes, 'ms', 1);
printStats('listServers in pages of 100', pagedTimes, 'ms', 1);
console.log(`RSS: start ${mb(rssStart)}, lab seeded ${mb(rssLab)}, peak while selecting ${mb(peak)} (lab and client share the process)`);
await lab.close();
