/**
 * The built-in lab: a simulated JupyterCloud on 127.0.0.1 that speaks the real wire
 * protocols (OpenStack Keystone/Nova/Neutron/Glance, Kubernetes API, JupyterHub REST, SSH to
 * the GlusterFS hosts), so real clients work against it unchanged.
 * Rules: `startLab` either returns a lab with every server listening or cleans up and
 * throws; `close()` is idempotent and runs every cleanup step even when one fails.
 * Production code never imports the lab; only the CLI's lab/demo commands and tests do.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GlusterSshHosts, type SshEndpoint } from './glusterfs/ssh-hosts.js';
import { LabServer } from './http-frame.js';
import { hubErrorAnswer, hubHandler, proxyApiErrorAnswer, proxyApiHandler, type HubSettings } from './jupyterhub.js';
import { renderKubeconfig } from './kubeconfig.js';
import { kubeHandler } from './kubernetes/router.js';
import { statusForCode } from './kubernetes/status.js';
import { renderCloudsYaml } from './openstack/clouds-yaml.js';
import { openstackErrorAnswer, openstackHandler } from './openstack/router.js';
import { prometheusErrorAnswer, prometheusHandler } from './prometheus/api.js';
import type { LabPrometheusOptions } from './prometheus/lab-prometheus.js';
import { labTargetSettings, type LabFiles } from './target-settings.js';
import { World } from './world.js';

export { World, type WorldChange, type WorldOptions } from './world.js';
export { ApiFaults, type ApiFault, type LabSystem } from './api-faults.js';
export { SimClock, type TimerHandle } from './clock.js';
export type { ConditionStatus, Deployment, KubeObject, Node, Pod, ReplicaSet } from './kubernetes/types.js';
export { ACTION_TIMINGS, type ServerAction } from './openstack/compute-actions.js';
export { LAB_CLOUDS } from './openstack/clouds-yaml.js';
export { LAB_OPENSTACK } from './openstack/identity.js';
export { KUBELET_REGISTER_MS, NODE_MONITOR_GRACE_MS } from './openstack/node-coupling.js';
export { CloudError } from './openstack/errors.js';
export type { OpenStackChange, OpenStackCloud, PortInfo, ServerInfo } from './openstack/cloud.js';
export type { PortRecord, SecurityGroupRecord, ServerRecord } from './openstack/types.js';
export type { BrickSight, BrickSignal, BrickView, CommandRecord, GlusterPool, WriteStats } from './glusterfs/pool.js';
export type { BrickState } from './glusterfs/bricks.js';
export type { HealMode } from './glusterfs/heal-ledger.js';
export type { SshEndpoint } from './glusterfs/ssh-hosts.js';
export { BRICK_HOSTS, CLIENT_HOST, MOUNT_POINT, SSH_HOSTS, VOLUME_NAME } from './glusterfs/types.js';
export { DEFAULT_HEALS_PER_SECOND, DEFAULT_WRITES_PER_SECOND } from './glusterfs/pool.js';
export type { LabFamily, LabMetricType, LabSample } from './samples.js';
export { AlertRuleError, AlertRules, LAB_ALERT_RULES, type AlertRuleSpec, type LabAlert, type RuleStatus } from './prometheus/alert-rules.js';
export type { ExporterMetrics } from './prometheus/exporter-metrics.js';
export type { LabPrometheus, LabPrometheusOptions } from './prometheus/lab-prometheus.js';

/** How to start the lab. */
export interface LabOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /**
   * 0 = ephemeral (tests); defaults 16443 / 18000 / 15000 / 12201 / 19090 / 18001. A port left out is
   * ephemeral too when every port given is 0, so callers that ask for ephemeral ports get
   * them for every system, including systems added after they were written. `glusterfs` is
   * the first of five SSH ports: brick-001..004 on base+0..3, worker-001 on base+4 (with 0,
   * each host gets its own ephemeral port).
   */
  ports?: { kubernetes?: number; jupyterhub?: number; openstack?: number; glusterfs?: number; prometheus?: number; proxyApi?: number };
  /** The lab Prometheus's scrape/evaluation intervals, retention and alerting rules (simulated ms). */
  prometheus?: LabPrometheusOptions;
  /** Time scale: 10 = ten times faster than real time. Default 1. */
  speed?: number;
  /** Worker nodes worker-001..N; default 4. */
  workers?: number;
  /** Running user pods jupyter-user-001..; default 6. */
  userPods?: number;
  /** Token accepted by /hub/api; default 'lab-hub-token'. */
  hubToken?: string;
  /** Token of the proxy's REST API (CONFIGPROXY_AUTH_TOKEN); default 'lab-proxy-token'. */
  proxyToken?: string;
  /** JupyterHub's start timeout, last-activity and poll intervals (simulated seconds; z2jh's defaults 300 / 300 / 30). */
  jupyterhub?: HubSettings;
  /**
   * If set, `${stateDir}/kubeconfig`, `${stateDir}/clouds.yaml`, `${stateDir}/ssh/id_ed25519`,
   * `${stateDir}/ssh/known_hosts` and the hub's and proxy's tokens
   * (`${stateDir}/jupyterhub/api-token`, `…/proxy-token`) are written there.
   */
  stateDir?: string;
}

/** A running lab. */
export interface Lab {
  /**
   * Base URLs; `openstack` is Keystone's auth URL (`http://127.0.0.1:PORT/identity/v3`);
   * `glusterfs` maps each GlusterFS host (brick-001..004, worker-001) to its SSH server;
   * `prometheus` is the lab Prometheus's base URL (`/api/v1/query`, `/metrics`);
   * `proxyApi` is configurable-http-proxy's REST API (`/api/routes`, token `proxyToken`).
   */
  endpoints: { kubernetes: string; jupyterhub: string; openstack: string; glusterfs: Record<string, SshEndpoint>; prometheus: string; proxyApi: string };
  kubeconfigPath: string | undefined;
  cloudsYamlPath: string | undefined;
  /** `${stateDir}/ssh/id_ed25519` (the client key) and `${stateDir}/ssh/known_hosts`, when written. */
  sshKeyPath: string | undefined;
  knownHostsPath: string | undefined;
  /** The private key (OpenSSH format) the GlusterFS hosts accept for user root. */
  sshClientKey: string;
  /** known_hosts lines for the GlusterFS hosts' SSH servers (`[127.0.0.1]:PORT ssh-ed25519 AAAA…`). */
  knownHosts(): string;
  /**
   * What `targets.glusterfs` of a gameday config holds to act on this lab: the brick hosts
   * and the client over SSH with the lab's key and known_hosts, volume `home` allowed.
   * Needs `stateDir` (the key and known_hosts are files there).
   */
  glusterfsSettings(): Record<string, unknown>;
  /**
   * Every section of a gameday config's `targets` for this lab (kubernetes, openstack, http,
   * glusterfs, host, jupyterhub, prometheus), pointing at the files written to `stateDir`
   * (kubeconfig, clouds.yaml, SSH key and known_hosts, `jupyterhub/api-token` and
   * `jupyterhub/proxy-token`). Needs `stateDir`.
   */
  targetSettings(): Record<string, Record<string, unknown>>;
  /** Kubeconfig YAML: cluster/context/user 'gameday-lab', namespace jhub, a bearer token the lab accepts. */
  kubeconfig(): string;
  /** clouds.yaml: clouds 'gameday-lab' (password) and 'gameday-lab-appcred' (application credential). */
  cloudsYaml(): string;
  world: World;
  /** Stops all servers, timers and watch streams. Idempotent. */
  close(): Promise<void>;
}

/** Default ports of the CLI's lab. */
export const DEFAULT_LAB_PORTS = { kubernetes: 16443, jupyterhub: 18000, openstack: 15000, glusterfs: 12201, prometheus: 19090, proxyApi: 18001 } as const;

/** The bearer token in the lab's kubeconfig. */
export const LAB_KUBE_TOKEN = 'lab-kube-token';

type LabPorts = Record<keyof typeof DEFAULT_LAB_PORTS, number>;

function labPorts(given: LabOptions['ports']): LabPorts {
  const values = Object.values(given ?? {}).filter((p): p is number => p !== undefined);
  const ephemeral = values.length > 0 && values.every((p) => p === 0);
  const pick = (system: keyof LabPorts): number => given?.[system] ?? (ephemeral ? 0 : DEFAULT_LAB_PORTS[system]);
  return { kubernetes: pick('kubernetes'), jupyterhub: pick('jupyterhub'), openstack: pick('openstack'), glusterfs: pick('glusterfs'), prometheus: pick('prometheus'), proxyApi: pick('proxyApi') };
}

/** Starts the lab: seeds the world, then listens for every system. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const host = options.host ?? '127.0.0.1';
  const ports = labPorts(options.ports);
  const hubToken = options.hubToken ?? 'lab-hub-token';
  const proxyToken = options.proxyToken ?? 'lab-proxy-token';
  const world = new World({ speed: options.speed ?? 1, workers: options.workers ?? 4, userPods: options.userPods ?? 6, prometheus: options.prometheus, jupyterhub: options.jupyterhub });
  world.start();
  const report = (error: unknown): void => {
    world.internalErrors.push(error);
  };
  let kubeAddress = '';
  const kube = new LabServer({
    system: 'kubernetes',
    faults: world.apiFaults,
    handle: kubeHandler({ cluster: world.cluster, token: LAB_KUBE_TOKEN, allowAnonymous: true, serverAddress: () => kubeAddress }),
    errorAnswer: (status, message) => ({ contentType: 'application/json', body: JSON.stringify(statusForCode(status, message)) }),
    onError: report,
  });
  const hub = new LabServer({
    system: 'jupyterhub',
    faults: world.apiFaults,
    handle: hubHandler({ model: world.jupyterhub, clock: world.clock, token: hubToken }),
    errorAnswer: hubErrorAnswer,
    onError: report,
  });
  const proxyApiServer = new LabServer({
    system: 'proxy-api',
    faults: world.apiFaults,
    handle: proxyApiHandler({ model: world.jupyterhub, token: proxyToken }),
    errorAnswer: proxyApiErrorAnswer,
    onError: report,
  });
  let openstackBase = '';
  const openstack = new LabServer({
    system: 'openstack',
    faults: world.apiFaults,
    handle: openstackHandler({ cloud: world.openstack, identity: world.keystone, baseUrl: () => openstackBase }),
    errorAnswer: openstackErrorAnswer,
    onError: report,
  });
  const prom = new LabServer({
    system: 'prometheus',
    faults: world.apiFaults,
    handle: prometheusHandler({ prometheus: world.prometheus, clock: world.clock }),
    errorAnswer: prometheusErrorAnswer,
    onError: report,
  });
  let sshHosts: GlusterSshHosts | undefined;
  const closeAll = async (): Promise<void> => {
    const servers = [kube.close(), hub.close(), proxyApiServer.close(), openstack.close(), prom.close(), sshHosts?.close()];
    const results = await Promise.allSettled([...servers, Promise.resolve().then(() => world.close())]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failures.length > 0) throw new AggregateError(failures, 'lab close failed');
  };
  try {
    const kubernetes = await kube.listen(host, ports.kubernetes);
    kubeAddress = kubernetes.replace(/^http:\/\//, '');
    const jupyterhub = await hub.listen(host, ports.jupyterhub);
    const proxyApi = await proxyApiServer.listen(host, ports.proxyApi);
    openstackBase = await openstack.listen(host, ports.openstack);
    const ssh = new GlusterSshHosts(world.glusterfs, world.openstack, report);
    sshHosts = ssh;
    const glusterfs = await ssh.listen(host, ports.glusterfs);
    const prometheus = await prom.listen(host, ports.prometheus);
    const address = (base: string): string => base.replace(/^http:\/\//, '');
    world.prometheus.start({ kubernetes: kubeAddress, jupyterhub: address(jupyterhub), openstack: address(openstackBase), prometheus: address(prometheus) });
    const knownHosts = (): string => ssh.knownHosts();
    const authUrl = `${openstackBase}/identity/v3`;
    const kubeconfig = (): string => renderKubeconfig(kubernetes, LAB_KUBE_TOKEN);
    const cloudsYaml = (): string => renderCloudsYaml(authUrl, world.keystone);
    let kubeconfigPath: string | undefined;
    let cloudsYamlPath: string | undefined;
    let sshKeyPath: string | undefined;
    let knownHostsPath: string | undefined;
    let files: LabFiles | undefined;
    if (options.stateDir) {
      await mkdir(options.stateDir, { recursive: true });
      await mkdir(join(options.stateDir, 'ssh'), { recursive: true, mode: 0o700 });
      kubeconfigPath = join(options.stateDir, 'kubeconfig');
      cloudsYamlPath = join(options.stateDir, 'clouds.yaml');
      sshKeyPath = join(options.stateDir, 'ssh', 'id_ed25519');
      knownHostsPath = join(options.stateDir, 'ssh', 'known_hosts');
      await writePrivate(kubeconfigPath, kubeconfig());
      await writePrivate(cloudsYamlPath, cloudsYaml());
      await writePrivate(sshKeyPath, ssh.clientKey.private);
      await writeFile(knownHostsPath, knownHosts());
      await mkdir(join(options.stateDir, 'jupyterhub'), { recursive: true, mode: 0o700 });
      files = {
        kubeconfig: kubeconfigPath, cloudsYaml: cloudsYamlPath, sshKey: sshKeyPath, knownHosts: knownHostsPath,
        hubToken: join(options.stateDir, 'jupyterhub', 'api-token'), proxyToken: join(options.stateDir, 'jupyterhub', 'proxy-token'),
      };
      await writePrivate(files.hubToken, hubToken);
      await writePrivate(files.proxyToken, proxyToken);
    }
    const targetSettings = (): Record<string, Record<string, unknown>> => {
      if (!files) throw new Error('targetSettings() needs a lab started with stateDir');
      return labTargetSettings({ jupyterhub, prometheus, proxyApi, glusterfs }, files, host);
    };
    let closing: Promise<void> | undefined;
    return {
      endpoints: { kubernetes, jupyterhub, openstack: authUrl, glusterfs, prometheus, proxyApi },
      kubeconfigPath,
      cloudsYamlPath,
      sshKeyPath,
      knownHostsPath,
      sshClientKey: ssh.clientKey.private,
      knownHosts,
      glusterfsSettings: () => targetSettings()['glusterfs'] ?? {},
      targetSettings,
      kubeconfig,
      cloudsYaml,
      world,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

/** Writes a file readable by its owner only (also when it already existed with wider rights). */
async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
