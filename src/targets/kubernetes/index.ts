/**
 * The Kubernetes target: faults and probes on pods and nodes, through @kubernetes/client-node
 * (loaded only when a fault or probe first runs). One line per fault or probe.
 */
import type { TargetModule } from '../types.js';
import { podDelete } from './pod-delete.js';
import { nodesReady } from './nodes-ready.js';
import { podsReady } from './pods-ready.js';
import { KubernetesSettings } from './settings.js';

/** The kubernetes target as the registry holds it; its faults and probes in id order. */
export const kubernetes: TargetModule = {
  name: 'kubernetes',
  settings: KubernetesSettings,
  faults: [podDelete],
  probes: [nodesReady, podsReady],
};
