/**
 * `targets.kubernetes` in the config: which cluster gameday acts on. Nothing set means the
 * default kubeconfig ($KUBECONFIG, else ~/.kube/config) and its current context.
 */
import { z } from 'zod';

/** Where the cluster's credentials come from. `inCluster` and `kubeconfig` exclude each other. */
export const KubernetesSettings = z
  .object({
    /** Path of a kubeconfig file. */
    kubeconfig: z.string().min(1).optional(),
    /** Context to use instead of the kubeconfig's current one. */
    context: z.string().min(1).optional(),
    /** Use the pod's service account (when gameday runs inside the cluster). */
    inCluster: z.boolean().optional(),
  })
  .strict()
  .refine((s) => !(s.inCluster && s.kubeconfig), {
    message: 'inCluster and kubeconfig exclude each other',
    path: ['inCluster'],
  });
export type KubernetesSettings = z.infer<typeof KubernetesSettings>;
