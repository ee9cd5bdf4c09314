/**
 * What the `targets` section of a gameday config holds to act on a running lab: one entry
 * per target system, in the shapes the targets' settings schemas accept. Plain data built
 * from the lab's endpoints and the files it wrote to its state dir; nothing of gameday's
 * code is imported (the lab stays independent of the clients it is tested with).
 */
import { CLIENT_HOST, SSH_HOSTS, VOLUME_NAME } from './glusterfs/types.js';
import type { SshEndpoint } from './glusterfs/ssh-hosts.js';

/** The files `startLab` wrote to its state dir that settings point at. */
export interface LabFiles {
  kubeconfig: string;
  cloudsYaml: string;
  sshKey: string;
  knownHosts: string;
  hubToken: string;
  proxyToken: string;
}

/** The lab's endpoints, as `Lab.endpoints` has them. */
export interface LabEndpoints {
  jupyterhub: string;
  prometheus: string;
  proxyApi: string;
  glusterfs: Record<string, SshEndpoint>;
}

/** Every target section for this lab (kubernetes, openstack, http, glusterfs, host, jupyterhub, prometheus). */
export function labTargetSettings(endpoints: LabEndpoints, files: LabFiles, bindHost: string): Record<string, Record<string, unknown>> {
  const sshHosts = SSH_HOSTS.map((name) => ({ name, address: endpoints.glusterfs[name]?.host ?? bindHost, port: endpoints.glusterfs[name]?.port ?? 22 }));
  const ssh = { privateKey: { file: files.sshKey }, knownHostsFile: files.knownHosts, connectTimeout: '5s' };
  return {
    kubernetes: { kubeconfig: files.kubeconfig },
    openstack: { cloud: 'gameday-lab', cloudsFile: files.cloudsYaml, timeout: '5s' },
    http: { endpoints: { jupyterhub: endpoints.jupyterhub } },
    glusterfs: {
      hosts: sshHosts.map((h) => (h.name === CLIENT_HOST ? { ...h, role: 'client' } : h)),
      ssh,
      volumes: [VOLUME_NAME],
      commandTimeout: '30s',
    },
    host: { hosts: sshHosts, ssh, commandTimeout: '30s' },
    jupyterhub: {
      url: endpoints.jupyterhub,
      token: { file: files.hubToken },
      proxyApiUrl: endpoints.proxyApi,
      proxyToken: { file: files.proxyToken },
    },
    prometheus: { url: endpoints.prometheus },
  };
}
