/** `gameday lab`: the simulated JupyterCloud on 127.0.0.1, until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { startLab } from '../lab/index.js';

function port(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number, got ${String(value)}`);
  return n;
}

/** Starts the lab, prints how to reach it, and keeps it up until interrupted. */
export async function labCommand(options: {
  speed?: string; kubernetesPort?: string; jupyterhubPort?: string; openstackPort?: string; glusterfsPort?: string;
  prometheusPort?: string; proxyApiPort?: string; stateDir?: string;
}): Promise<void> {
  const speed = Number(options.speed ?? '1');
  if (!(speed > 0)) throw new Error(`--speed must be a positive number, got ${String(options.speed)}`);
  const stateDir = resolve(options.stateDir ?? 'var/lab');
  const lab = await startLab({
    speed,
    ports: {
      kubernetes: port(options.kubernetesPort ?? 16443, 'kubernetes-port'),
      jupyterhub: port(options.jupyterhubPort ?? 18000, 'jupyterhub-port'),
      openstack: port(options.openstackPort ?? 15000, 'openstack-port'),
      glusterfs: port(options.glusterfsPort ?? 12201, 'glusterfs-port'),
      prometheus: port(options.prometheusPort ?? 19090, 'prometheus-port'),
      proxyApi: port(options.proxyApiPort ?? 18001, 'proxy-api-port'),
    },
    stateDir,
  });
  process.stdout.write(
    [
      `gameday lab is up (speed ×${speed})`,
      `  Kubernetes API  ${lab.endpoints.kubernetes}`,
      `  JupyterHub      ${lab.endpoints.jupyterhub}  (/hub/health, /hub/api, /hub/metrics; /user/NAME/ through the proxy)`,
      `  proxy API       ${lab.endpoints.proxyApi}  (configurable-http-proxy /api/routes)`,
      `  Prometheus      ${lab.endpoints.prometheus}  (/api/v1/query, /query_range, /alerts, /rules; /metrics to scrape)`,
      `  OpenStack       ${lab.endpoints.openstack}  (Keystone v3; Nova and Neutron in its catalog)`,
      `  GlusterFS SSH   ${Object.entries(lab.endpoints.glusterfs).map(([name, e]) => `${name} ${e.host}:${e.port}`).join(', ')}  (volume home, mounted on worker-001 at /mnt/home)`,
      `  kubeconfig      ${lab.kubeconfigPath ?? '(not written)'}`,
      `  ssh key         ${lab.sshKeyPath ?? '(not written)'}  (user root; known_hosts ${lab.knownHostsPath ?? '(not written)'})`,
      `  clouds.yaml     ${lab.cloudsYamlPath ?? '(not written)'}  (clouds gameday-lab, gameday-lab-appcred)`,
      `  hub tokens      ${stateDir}/jupyterhub/{api-token,proxy-token}  (what config/gameday.yaml reads)`,
      `try: kubectl --kubeconfig ${lab.kubeconfigPath ?? 'KUBECONFIG'} get pods -n jhub`,
      `     ssh -i ${lab.sshKeyPath ?? 'KEY'} -o UserKnownHostsFile=${lab.knownHostsPath ?? 'KNOWN_HOSTS'} -p ${lab.endpoints.glusterfs['brick-001']?.port ?? 12201} root@127.0.0.1 gluster --mode=script --xml volume status home`,
      `     curl -g '${lab.endpoints.prometheus}/api/v1/query?query=sum by (condition, status) (kube_node_status_condition)'`,
      `     OS_CLIENT_CONFIG_FILE=${lab.cloudsYamlPath ?? 'clouds.yaml'} openstack --os-cloud gameday-lab server list`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = (): void => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await lab.close();
}
