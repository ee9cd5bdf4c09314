/**
 * /metrics scrape latency: `gameday daemon` started as its own process (dist/ when built
 * with the daemon, else src/ through tsx), then 500 sequential GET /metrics over one
 * keep-alive connection after 20 unmeasured warm-up scrapes (SCRAPES to change). Prints
 * p50/p99; asserts nothing.
 */
import { Agent, get } from 'node:http';
import { cpus } from 'node:os';
import { startDaemonProcess } from './daemon-process.js';
import { machine, printStats } from './stats.js';

const scrapes = Number(process.env['SCRAPES'] ?? 500);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

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

const daemon = await startDaemonProcess('metrics');
const { url } = daemon;
try {
  for (let i = 0; i < 20; i++) await scrape(url);
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) {
    const r = await scrape(url);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  console.log(`daemon-metrics: ${daemon.built ? 'dist/' : 'src/ through tsx'}, ${scrapes} sequential scrapes of ${bytes} bytes; ${machine()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  printStats('GET /metrics (keep-alive)', ms);
} finally {
  agent.destroy();
  await daemon.stop();
}
