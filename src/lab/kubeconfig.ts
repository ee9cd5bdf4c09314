/**
 * The kubeconfig that points real clients at the lab. Rule: one cluster, user and context,
 * all named `gameday-lab`, default namespace `jhub`, plain HTTP with a bearer token — nothing
 * in it refers to anything outside the lab. `insecure-skip-tls-verify` is set because
 * @kubernetes/client-node refuses plain-HTTP servers without it (kubectl ignores it for HTTP).
 */
import { stringify } from 'yaml';

/** The lab's cluster/context/user name. */
export const LAB_CONTEXT = 'gameday-lab';

/** Renders the kubeconfig YAML for a server URL and token. */
export function renderKubeconfig(server: string, token: string, namespace = 'jhub'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: LAB_CONTEXT, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: LAB_CONTEXT, user: { token } }],
    contexts: [{ name: LAB_CONTEXT, context: { cluster: LAB_CONTEXT, user: LAB_CONTEXT, namespace } }],
    'current-context': LAB_CONTEXT,
    preferences: {},
  });
}
