/**
 * The built-in lab: a simulated JupyterCloud on 127.0.0.1 that speaks the real wire
 * protocols (Kubernetes API, JupyterHub REST), so real clients work against it unchanged.
 * Rules: `startLab` either returns a lab with every server listening or cleans up and
 * throws; `close()` is idempotent and runs every cleanup step even when one fails.
 * Production code never imports the lab; only the CLI's lab/demo commands and tests do.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabServer } from './http-frame.js';
import { hubErrorAnswer, hubHandler } from './jupyterhub.js';
import { renderKubeconfig } from './kubeconfig.js';
import { kubeHandler } from './kubernetes/router.js';
import { statusForCode } from './kubernetes/status.js';
import { World } from './world.js';

export { World, type WorldChange, type WorldOptions } from './world.js';
export { ApiFaults, type ApiFault, type LabSystem } from './api-faults.js';
export { SimClock, type TimerHandle } from './clock.js';
export type { ConditionStatus, Deployment, KubeObject, Node, Pod, ReplicaSet } from './kubernetes/types.js';

/** How to start the lab. */
export interface LabOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** 0 = ephemeral (tests); defaults 16443 / 18000. */
  ports?: { kubernetes?: number; jupyterhub?: number };
  /** Time scale: 10 = ten times faster than real time. Default 1. */
  speed?: number;
  /** Worker nodes worker-001..N; default 4. */
  workers?: number;
  /** Running user pods jupyter-user-001..; default 6. */
  userPods?: number;
  /** Token accepted by /hub/api; default 'lab-hub-token'. */
  hubToken?: string;
  /** If set, `${stateDir}/kubeconfig` is written there. */
  stateDir?: string;
}

/** A running lab. */
export interface Lab {
  endpoints: { kubernetes: string; jupyterhub: string };
  kubeconfigPath: string | undefined;
  /** Kubeconfig YAML: cluster/context/user 'gameday-lab', namespace jhub, a bearer token the lab accepts. */
  kubeconfig(): string;
  world: World;
  /** Stops all servers, timers and watch streams. Idempotent. */
  close(): Promise<void>;
}

/** Default ports of the CLI's lab. */
export const DEFAULT_LAB_PORTS = { kubernetes: 16443, jupyterhub: 18000 } as const;

/** The bearer token in the lab's kubeconfig. */
export const LAB_KUBE_TOKEN = 'lab-kube-token';

/** Starts the lab: seeds the world, then listens for every system. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const host = options.host ?? '127.0.0.1';
  const world = new World({ speed: options.speed ?? 1, workers: options.workers ?? 4, userPods: options.userPods ?? 6 });
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
    handle: hubHandler({ model: world.jupyterhub, clock: world.clock, token: options.hubToken ?? 'lab-hub-token' }),
    errorAnswer: hubErrorAnswer,
    onError: report,
  });
  const closeAll = async (): Promise<void> => {
    const results = await Promise.allSettled([kube.close(), hub.close(), Promise.resolve().then(() => world.close())]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failures.length > 0) throw new AggregateError(failures, 'lab close failed');
  };
  try {
    const kubernetes = await kube.listen(host, options.ports?.kubernetes ?? DEFAULT_LAB_PORTS.kubernetes);
    kubeAddress = kubernetes.replace(/^http:\/\//, '');
    const jupyterhub = await hub.listen(host, options.ports?.jupyterhub ?? DEFAULT_LAB_PORTS.jupyterhub);
    const kubeconfig = (): string => renderKubeconfig(kubernetes, LAB_KUBE_TOKEN);
    let kubeconfigPath: string | undefined;
    if (options.stateDir) {
      await mkdir(options.stateDir, { recursive: true });
      kubeconfigPath = join(options.stateDir, 'kubeconfig');
      await writeFile(kubeconfigPath, kubeconfig(), { mode: 0o600 });
      await chmod(kubeconfigPath, 0o600);
    }
    let closing: Promise<void> | undefined;
    return {
      endpoints: { kubernetes, jupyterhub },
      kubeconfigPath,
      kubeconfig,
      world,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}
