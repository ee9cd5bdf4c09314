/**
 * `kubernetes.pods.ready`: how many pods matching a selector are Ready. A pod being
 * deleted never counts as ready. Fewer than `min` is a breach; an API that cannot be
 * reached is an error.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { kubeClients } from './client.js';
import { kube } from './errors.js';
import { isPodReady } from './types.js';

/** The probe's keys: the pods to count and the least number that must be ready (default 1). */
export const PodsReadyParams = z
  .object({
    namespace: z.string().min(1),
    labelSelector: z.string().min(1),
    fieldSelector: z.string().min(1).optional(),
    min: z.number().int().min(0).default(1),
  })
  .strict();
export type PodsReadyParams = z.infer<typeof PodsReadyParams>;

/** Read-only: lists the pods once and counts the Ready, non-terminating ones. */
export const podsReady = defineProbe<PodsReadyParams>({
  type: 'kubernetes.pods.ready',
  description: 'At least `min` pods matching the selector are Ready (and not terminating).',
  params: PodsReadyParams,
  async check(ctx, params, signal) {
    const clients = await kubeClients(ctx);
    const { namespace, labelSelector, fieldSelector, min } = params;
    const list = await kube(
      `list pods in ${namespace}`,
      () => clients.core.listNamespacedPod({ namespace, labelSelector, fieldSelector }, clients.options(signal)),
      signal,
    );
    const ready = list.items.filter(isPodReady).length;
    return { ok: ready >= min, value: ready, detail: `${ready}/${list.items.length} ready (min ${min})` };
  },
});
