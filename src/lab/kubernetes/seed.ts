/**
 * The seed platform: a kubeadm-style cluster (master + worker-001..N) running JupyterHub as
 * zero-to-jupyterhub deploys it in namespace `jhub` (hub, proxy, user-scheduler Deployments;
 * user pods `jupyter-user-NNN` owned by no controller), plus kube-system's CoreDNS. Rule: the
 * seed is a settled state — every pod Running and Ready, every status consistent — so the
 * controllers find nothing to do until something changes.
 */
import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../clock.js';
import { replicaSetFor } from './deployment-controller.js';
import { markReady, runningContainer } from './kubelet.js';
import { setPodCondition, singleUserPod } from './pods.js';
import { podFromTemplate } from './replicaset-controller.js';
import type { Cluster } from './cluster.js';
import type { Container, Deployment, KubeObject, Node, Pod, ReplicaSet, Toleration } from './types.js';

/** How big the seeded platform is. */
export interface SeedOptions {
  workers: number;
  userPods: number;
}

const DAY = 86_400_000;
const Z2JH = { app: 'jupyterhub', release: 'jhub', chart: 'jupyterhub-2.0.0', heritage: 'Helm' };

/** `worker-001`-style names. */
export function workerName(index: number): string {
  return `worker-${String(index).padStart(3, '0')}`;
}

/** `user-001`-style user names. */
export function userName(index: number): string {
  return `user-${String(index).padStart(3, '0')}`;
}

function node(name: string, index: number, created: number, controlPlane: boolean): Node {
  const ip = `10.0.0.${10 + index}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: rfc3339(created),
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': controlPlane ? 'm1.medium' : 'm1.xlarge', 'topology.kubernetes.io/region': 'RegionOne', 'topology.kubernetes.io/zone': 'nova',
        ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : { 'hub.jupyter.org/node-purpose': 'user' }),
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      providerID: `openstack:///${randomUUID()}`,
      ...(controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const }] } : {}),
    },
    status: {
      conditions: [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ].map(([type, status, reason, message]) => ({
        type: type ?? '', status: status === 'True' ? 'True' : 'False', lastHeartbeatTime: rfc3339(created + 60_000), lastTransitionTime: rfc3339(created + 60_000), reason: reason ?? '', message: message ?? '',
      })),
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
      capacity: controlPlane ? { cpu: '2', memory: '4026532Ki', pods: '110', 'ephemeral-storage': '40470732Ki' } : { cpu: '8', memory: '16393220Ki', pods: '110', 'ephemeral-storage': '81000000Ki' },
      allocatable: controlPlane ? { cpu: '2', memory: '3924132Ki', pods: '110', 'ephemeral-storage': '37297826550' } : { cpu: '8', memory: '16290820Ki', pods: '110', 'ephemeral-storage': '74650000000' },
      nodeInfo: {
        architecture: 'amd64', bootID: randomUUID(), containerRuntimeVersion: 'containerd://1.7.24', kernelVersion: '6.8.0-57-generic', kubeProxyVersion: 'v1.32.4',
        kubeletVersion: 'v1.32.4', machineID: randomUUID().replace(/-/g, ''), operatingSystem: 'linux', osImage: 'Ubuntu 24.04.2 LTS', systemUUID: randomUUID(),
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

interface WorkloadSpec {
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  selector: Record<string, string>;
  containers: Container[];
  extra?: Partial<Pod['spec']>;
}

function deployment(w: WorkloadSpec, created: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, creationTimestamp: rfc3339(created), labels: w.labels, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: w.selector },
      template: { metadata: { labels: { ...w.selector, ...w.labels } }, spec: { containers: w.containers, ...w.extra } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

/** Brings a freshly built pod to Running and Ready on a node, as if it started long ago. */
function settle(cluster: Cluster, pod: Pod, nodeName: string, created: number): Pod {
  const hostIP = cluster.node(nodeName)?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
  const podIP = cluster.allocatePodIp(nodeName);
  pod.metadata.creationTimestamp = rfc3339(created);
  pod.spec.nodeName = nodeName;
  pod.status = { phase: 'Running', hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }], startTime: rfc3339(created), qosClass: 'Burstable' };
  for (const type of ['PodReadyToStartContainers', 'Initialized', 'PodScheduled']) setPodCondition(pod, type, 'True', created + 1000);
  pod.status.containerStatuses = pod.spec.containers.map((c) => runningContainer(c.name, c.image, rfc3339(created + 3000), false));
  markReady(pod, created + 10_000);
  return pod;
}

const CONTROL_PLANE_TOLERATION: Toleration = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };

function workloads(): WorkloadSpec[] {
  const z2jh = (component: string): Record<string, string> => ({ ...Z2JH, component });
  const selector = (component: string): Record<string, string> => ({ app: 'jupyterhub', component, release: 'jhub' });
  return [
    { namespace: 'kube-system', name: 'coredns', replicas: 2, labels: { 'k8s-app': 'kube-dns' }, selector: { 'k8s-app': 'kube-dns' }, containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }] }], extra: { tolerations: [CONTROL_PLANE_TOLERATION], priorityClassName: 'system-cluster-critical' } },
    { namespace: 'jhub', name: 'hub', replicas: 1, labels: z2jh('hub'), selector: selector('hub'), containers: [{ name: 'hub', image: 'quay.io/jupyterhub/k8s-hub:2.0.0', ports: [{ containerPort: 8081, name: 'http', protocol: 'TCP' }] }], extra: { serviceAccountName: 'hub' } },
    { namespace: 'jhub', name: 'proxy', replicas: 1, labels: z2jh('proxy'), selector: selector('proxy'), containers: [{ name: 'chp', image: 'quay.io/jupyterhub/configurable-http-proxy:4.5.3', ports: [{ containerPort: 8000, name: 'http', protocol: 'TCP' }, { containerPort: 8001, name: 'api', protocol: 'TCP' }] }], extra: { terminationGracePeriodSeconds: 60 } },
    { namespace: 'jhub', name: 'user-scheduler', replicas: 2, labels: z2jh('user-scheduler'), selector: selector('user-scheduler'), containers: [{ name: 'kube-scheduler', image: 'registry.k8s.io/kube-scheduler:v1.25.9' }], extra: { serviceAccountName: 'user-scheduler' } },
  ];
}

function userPod(index: number): Pod {
  return singleUserPod(userName(index));
}

function simple(kind: string, apiVersion: string, name: string, namespace: string | undefined, created: number, rest: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), creationTimestamp: rfc3339(created) }, ...rest };
}

/** Fills the store with the seed platform. */
export function seedCluster(cluster: Cluster, options: SeedOptions): void {
  const { store, clock } = cluster;
  const now = clock.now();
  const born = now - 30 * DAY;
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'jhub']) {
    store.create('namespaces', simple('Namespace', 'v1', ns, undefined, ns === 'jhub' ? now - 7 * DAY : born, { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }));
  }
  store.create('nodes', node('master', 0, born, true));
  for (let i = 1; i <= options.workers; i++) store.create('nodes', node(workerName(i), i, born + 600_000, false));
  const workers = Array.from({ length: options.workers }, (_, i) => workerName(i + 1));
  let next = 0;
  const nextWorker = (): string => workers[next++ % Math.max(1, workers.length)] ?? 'master';
  for (const w of workloads()) {
    const created = w.namespace === 'jhub' ? now - 7 * DAY : born;
    const d = store.create('deployments.apps', deployment(w, created)) as Deployment;
    const rs = store.create('replicasets.apps', { ...replicaSetFor(d, 1), metadata: { ...replicaSetFor(d, 1).metadata, creationTimestamp: rfc3339(created) } }) as ReplicaSet;
    for (let i = 0; i < w.replicas; i++) {
      const target = w.namespace === 'kube-system' ? (i === 0 ? 'master' : nextWorker()) : nextWorker();
      store.create('pods', settle(cluster, podFromTemplate(rs), target, created + 5000));
    }
  }
  for (let i = 1; i <= options.userPods; i++) store.create('pods', settle(cluster, userPod(i), nextWorker(), now - (2 + i) * 3_600_000));
  seedServices(cluster, now - 7 * DAY, born);
  store.create('poddisruptionbudgets.policy', simple('PodDisruptionBudget', 'policy/v1', 'user-scheduler', 'jhub', now - 7 * DAY, {
    metadata: { name: 'user-scheduler', namespace: 'jhub', creationTimestamp: rfc3339(now - 7 * DAY), labels: { ...Z2JH, component: 'user-scheduler' } },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'jupyterhub', component: 'user-scheduler', release: 'jhub' } } },
  }));
}

function service(name: string, namespace: string, created: number, selector: Record<string, string>, ports: { name: string; port: number; targetPort: number | string }[], type = 'ClusterIP', clusterIP = '10.96.0.1'): KubeObject {
  return simple('Service', 'v1', name, namespace, created, {
    spec: { type, clusterIP, clusterIPs: [clusterIP], selector, ports: ports.map((p) => ({ ...p, protocol: 'TCP' })), sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: type === 'LoadBalancer' ? { ingress: [{ ip: '192.0.2.10' }] } : {} },
  });
}

function seedServices(cluster: Cluster, jhubBorn: number, born: number): void {
  const { store } = cluster;
  const sel = (component: string): Record<string, string> => ({ app: 'jupyterhub', component, release: 'jhub' });
  const kubernetes = service('kubernetes', 'default', born, {}, [{ name: 'https', port: 443, targetPort: 6443 }], 'ClusterIP', '10.96.0.1');
  delete (kubernetes['spec'] as Record<string, unknown>)['selector'];
  store.create('services', kubernetes);
  store.create('services', service('kube-dns', 'kube-system', born, { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, targetPort: 53 }], 'ClusterIP', '10.96.0.10'));
  store.create('services', service('hub', 'jhub', jhubBorn, sel('hub'), [{ name: 'hub', port: 8081, targetPort: 'http' }], 'ClusterIP', '10.96.12.20'));
  store.create('services', service('proxy-api', 'jhub', jhubBorn, sel('proxy'), [{ name: 'http-api', port: 8001, targetPort: 'api' }], 'ClusterIP', '10.96.12.21'));
  store.create('services', service('proxy-public', 'jhub', jhubBorn, sel('proxy'), [{ name: 'http', port: 80, targetPort: 'http' }], 'LoadBalancer', '10.96.12.22'));
}
