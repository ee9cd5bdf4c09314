/**
 * /metrics scrape latency: `gameday daemon` started as its own process (dist/ when built
 * with the daemon, else src/ through tsx), then 500 sequential GET /metrics over one
 * keep-alive connection after 20 unmeasured warm-up scrapes (SCRAPES to change). Prints
 * p50/p99; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, printStats } from './stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const built = existsSync(join(root, 'dist/daemon/daemon.js'));
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
const args = built ? [join(root, 'dist/cli/main.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
const scrapes = Number(process.env['SCRAPES'] ?? 500);

const dir = mkdtempSync(join(tmpdir(), 'gameday-bench-metrics-'));
const config = join(dir, 'gameday.yaml');
writeFileSync(config, `store: { path: ${join(dir, 'gameday.db')} }\nlog: { level: warn, format: json }\n`);
const child = spawn(node, [...args, 'daemon', '--config', config, '--listen', '127.0.0.1:0', '--log-level', 'info'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
child.stderr.on('data', (d: Buffer) => (log += d.toString()));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function scrape(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(`${url}/metrics`, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}

try {
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /"url":"(http:\/\/[^"]+)"/.exec(log)?.[1];
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the daemon did not start: ${log}`);
    await sleep(50);
  }
  for (let i = 0; i < 20; i++) await scrape(url);
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) {
    const r = await scrape(url);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  console.log(`daemon-metrics: ${built ? 'dist/' : 'src/ through tsx'}, ${scrapes} sequential scrapes of ${bytes} bytes; ${machine()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  printStats('GET /metrics (keep-alive)', ms);
} finally {
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
