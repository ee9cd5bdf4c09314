/**
 * `kubernetes.nodes.ready`: how many nodes matching a selector are Ready. This is the
 * coupling the platform has between its layers: a stopped, paused or isolated worker VM
 * shows up here as a NotReady node once the node-monitor grace period has passed. Fewer
 * than `min` (default: every matched node) is a breach; an API that cannot be reached is
 * an error.
 */
import type { V1Node } from '@kubernetes/client-node';
import { z } from 'zod';
import { globToRegExp } from '../../glob.js';
import { defineProbe } from '../types.js';
import { kubeClients } from './client.js';
import { kube } from './errors.js';

/** The probe's keys: which nodes (label selector and/or a name glob) and how many must be Ready. */
export const NodesReadyParams = z
  .object({
    labelSelector: z.string().min(1).optional(),
    /** A glob on node names: `worker-*` (not `name`, which names the probe itself). */
    nodeName: z.string().min(1).optional(),
    /** The least number of Ready nodes; absent, every matched node must be Ready. */
    min: z.number().int().min(0).optional(),
  })
  .strict();
export type NodesReadyParams = z.infer<typeof NodesReadyParams>;

/** Whether a node's Ready condition is True. */
export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Read-only: lists the nodes once and counts the Ready ones. */
export const nodesReady = defineProbe<NodesReadyParams>({
  type: 'kubernetes.nodes.ready',
  description: 'At least `min` (default: all) nodes matching the selector and name glob are Ready.',
  params: NodesReadyParams,
  async check(ctx, params, signal) {
    const clients = await kubeClients(ctx);
    const list = await kube(
      'list nodes',
      () => clients.core.listNode({ labelSelector: params.labelSelector }, clients.options(signal)),
      signal,
    );
    const pattern = params.nodeName ? globToRegExp(params.nodeName) : undefined;
    const nodes = list.items.filter((n) => !pattern || pattern.test(n.metadata?.name ?? ''));
    const notReady = nodes.filter((n) => !isNodeReady(n)).map((n) => n.metadata?.name ?? '?');
    const ready = nodes.length - notReady.length;
    const min = params.min ?? nodes.length;
    const detail = `${ready}/${nodes.length} nodes Ready (min ${min})${notReady.length ? `; not Ready: ${notReady.join(', ')}` : ''}`;
    return { ok: nodes.length > 0 && ready >= min, value: ready, detail: nodes.length ? detail : 'no node matched' };
  },
});
