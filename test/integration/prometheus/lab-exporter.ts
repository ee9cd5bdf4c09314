/**
 * The lab, started with its Prometheus exposition on the port the real Prometheus scrapes
 * (127.0.0.1:19090), every other system on an ephemeral port: the exporter whose gauges the
 * prometheus integration tests and benches set. Other suites may hold that port for a while
 * (they run in their own processes): binding is retried for up to `waitMs`, then it fails,
 * saying who must let go of it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startLab, type Lab } from '../../../src/lab/index.js';
import type { RealPrometheus } from './real-prometheus.js';

/** Starts the lab on `prom.labPort` and waits until the real Prometheus scrapes it (`up{job="lab"} == 1`). */
export async function labExporter(prom: RealPrometheus, waitMs = 90_000): Promise<Lab> {
  const deadline = Date.now() + waitMs;
  let lab: Lab | undefined;
  for (;;) {
    try {
      lab = await startLab({ speed: 1, ports: { prometheus: prom.labPort, kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0 } });
      break;
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(String(err));
      if (!inUse || Date.now() > deadline) {
        throw new Error(`cannot start the lab's exporter on 127.0.0.1:${prom.labPort} (${String(err)}); another process holds the port the real Prometheus scrapes`, { cause: err });
      }
      await sleep(1000);
    }
  }
  try {
    await prom.waitFor('up{job="lab"}', (r) => r.length === 1 && r[0]?.value[1] === '1', 15_000);
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}
