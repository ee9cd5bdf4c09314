/**
 * Catalog experiments for tests on the in-process lab: times compressed like the demo's,
 * and latency bounds of http and hub health probes relaxed — the lab shares the test's CPU,
 * and on a busy 2-core machine a lab answer can take seconds; the verdict logic is what
 * these tests check.
 */
import { fileURLToPath } from 'node:url';
import { compressTime } from '../../src/cli/demo.js';
import { loadExperiment } from '../../src/experiments/load.js';
import type { LoadedExperiment } from '../../src/experiments/model.js';

/** Probe types with a `maxLatency` parameter. */
const LATENCY_BOUND = new Set(['http', 'jupyterhub.health']);

export async function labCatalog(name: string, speed: number): Promise<LoadedExperiment> {
  const exp = compressTime(await loadExperiment(fileURLToPath(new URL(`../../config/experiments/${name}.yaml`, import.meta.url))), speed);
  const probes = exp.steadyState.probes.map((p) =>
    LATENCY_BOUND.has(p.type) ? { ...p, timeoutMs: 30_000, params: { ...(p.params as Record<string, unknown>), maxLatency: '30s' } } : p,
  );
  return { ...exp, steadyState: { ...exp.steadyState, probes } };
}
