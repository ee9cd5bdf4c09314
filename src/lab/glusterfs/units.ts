/**
 * systemd on the lab's hosts: a few units per host and their main processes, as systemd 252
 * (Debian 12) runs them. Units: brick hosts have glusterd.service (Type=forking,
 * PIDFile=/run/glusterd.pid, no Restart=) and ssh.service (alias sshd.service); worker-001 has
 * ssh.service, kubelet.service (Restart=always, RestartSec=10) and containerd.service
 * (Restart=always, RestartSec=5). Rules: every enabled unit is active at boot, each start
 * gives the main process a pid never used before; a unit with a PIDFile has the file while
 * its process runs — written at start, gone once it stops, whatever stopped it (systemd
 * removes it) — derived from the unit's state, not stored;
 * the main process dying by SIGKILL is a failure (Result=signal), by SIGTERM a clean exit;
 * Restart=always starts it again after RestartSec (activating/auto-restart meanwhile),
 * Restart=no leaves it failed (KILL) or inactive (TERM); SIGSTOP freezes the process (the
 * unit stays active/running), SIGCONT resumes it; `systemctl stop` cancels a pending
 * restart. Starting or stopping a unit through systemctl, or its process dying, is reported
 * to `changed` (the pool follows glusterd); a boot is not (the pool boots the rest itself).
 */
import type { SimClock, TimerHandle } from '../clock.js';

/** A unit's definition, as its unit file gives it. */
export interface UnitSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly type: 'forking' | 'notify' | 'simple';
  /** The main process's command line (what /proc/PID/cmdline holds). */
  readonly argv: readonly string[];
  readonly pidFile?: string;
  readonly restart: 'no' | 'always';
  readonly restartSec: number;
  readonly enabled: boolean;
}

/** `ActiveState` as systemctl shows it. */
export type ActiveState = 'active' | 'inactive' | 'failed' | 'activating';

/** One unit on one host, now. */
export interface UnitView {
  name: string;
  active: ActiveState;
  sub: string;
  mainPid: number;
  frozen: boolean;
  result: 'success' | 'signal';
}

/** A unit's main process, as /proc and ps show it. */
export interface UnitProcess {
  pid: number;
  argv: readonly string[];
  state: 'S' | 'T';
  startedAt: number;
}

const SSH: UnitSpec = {
  name: 'ssh.service', aliases: ['sshd.service'], description: 'OpenBSD Secure Shell server', type: 'notify',
  argv: ['/usr/sbin/sshd', '-D'], pidFile: '/run/sshd.pid', restart: 'no', restartSec: 0, enabled: true,
};
const GLUSTERD: UnitSpec = {
  name: 'glusterd.service', aliases: [], description: 'GlusterFS, a clustered file-system server', type: 'forking',
  argv: ['/usr/sbin/glusterd', '-p', '/run/glusterd.pid', '--log-level', 'INFO'], pidFile: '/run/glusterd.pid', restart: 'no', restartSec: 0, enabled: true,
};
const KUBELET: UnitSpec = {
  name: 'kubelet.service', aliases: [], description: 'kubelet: The Kubernetes Node Agent', type: 'simple',
  argv: ['/usr/bin/kubelet', '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf', '--config=/var/lib/kubelet/config.yaml', '--container-runtime-endpoint=unix:///run/containerd/containerd.sock'],
  restart: 'always', restartSec: 10, enabled: true,
};
const CONTAINERD: UnitSpec = {
  name: 'containerd.service', aliases: [], description: 'containerd container runtime', type: 'notify',
  argv: ['/usr/bin/containerd'], restart: 'always', restartSec: 5, enabled: true,
};

/** The units of a host by its role. */
export function unitSpecs(role: 'brick' | 'client'): UnitSpec[] {
  return role === 'brick' ? [GLUSTERD, SSH] : [CONTAINERD, KUBELET, SSH];
}

interface Unit {
  readonly spec: UnitSpec;
  active: ActiveState;
  sub: string;
  mainPid: number;
  startedAt: number;
  frozen: boolean;
  result: 'success' | 'signal';
  restartTimer: TimerHandle | undefined;
}

/** How long the hosts have been up when the lab starts (simulated ms). */
const INITIAL_UPTIME_MS = 3 * 24 * 3600 * 1000;
/** From boot to the units' processes starting (simulated ms). */
const BOOT_TO_UNITS_MS = 4_000;

/** Every host's units. Construct, then `close()` (cancels pending restarts). */
export class HostUnits {
  private readonly units = new Map<string, Unit[]>();
  private readonly booted = new Map<string, number>();

  constructor(
    private readonly clock: SimClock,
    hosts: readonly { name: string; role: 'brick' | 'client' }[],
    private readonly nextPid: () => number,
    private readonly changed: (host: string, unit: string) => void,
  ) {
    for (const host of hosts) {
      this.units.set(host.name, unitSpecs(host.role).map((spec) => ({
        spec, active: 'inactive', sub: 'dead', mainPid: 0, startedAt: 0, frozen: false, result: 'success', restartTimer: undefined,
      })));
      this.boot(host.name, clock.now() - INITIAL_UPTIME_MS);
    }
  }

  /** The guest booted (at `at`, default now): every enabled unit starts, with new pids. */
  boot(host: string, at = this.clock.now()): void {
    this.booted.set(host, at);
    for (const unit of this.units.get(host) ?? []) {
      this.cancelRestart(unit);
      if (unit.spec.enabled) this.launch(unit, at + BOOT_TO_UNITS_MS);
    }
  }

  /** The guest powered off: every process is gone (its /run with it). */
  powerOff(host: string): void {
    for (const unit of this.units.get(host) ?? []) {
      this.cancelRestart(unit);
      Object.assign(unit, { active: 'inactive', sub: 'dead', mainPid: 0, frozen: false, result: 'success' });
    }
  }

  /** When the host last booted (simulated epoch ms). */
  bootedAt(host: string): number {
    return this.booted.get(host) ?? 0;
  }

  /** The unit `name` (a unit name or one of its aliases, `.service` added to a bare name), if the host has it. */
  find(host: string, name: string): UnitSpec | undefined {
    return this.unit(host, name)?.spec;
  }

  /** A unit's state now. */
  view(host: string, name: string): UnitView | undefined {
    const unit = this.unit(host, name);
    if (!unit) return undefined;
    return { name: unit.spec.name, active: unit.active, sub: unit.sub, mainPid: unit.mainPid, frozen: unit.frozen, result: unit.result };
  }

  /** Whether the unit runs and its process is not frozen. */
  serving(host: string, name: string): boolean {
    const unit = this.unit(host, name);
    return unit !== undefined && unit.active === 'active' && !unit.frozen;
  }

  /** `systemctl start`: a no-op on an active unit. */
  start(host: string, name: string): void {
    const unit = this.unit(host, name);
    if (!unit || unit.active === 'active') return;
    this.cancelRestart(unit);
    this.launch(unit, this.clock.now());
    this.changed(host, unit.spec.name);
  }

  /** `systemctl stop`: the process gets SIGTERM (and SIGCONT), the unit is inactive; a pending restart is cancelled. */
  stop(host: string, name: string): void {
    const unit = this.unit(host, name);
    if (!unit) return;
    const wasUp = unit.active !== 'inactive' && unit.active !== 'failed';
    this.cancelRestart(unit);
    this.end(unit, 'inactive', 'dead', 'success');
    if (wasUp) this.changed(host, unit.spec.name);
  }

  /** The main process with `pid` on the host, if a unit has one. */
  process(host: string, pid: number): UnitProcess | undefined {
    const unit = (this.units.get(host) ?? []).find((u) => u.mainPid === pid && u.mainPid !== 0);
    return unit ? { pid, argv: unit.spec.argv, state: unit.frozen ? 'T' : 'S', startedAt: unit.startedAt } : undefined;
  }

  /** The content of `path` when it is the PIDFile of a unit whose process runs on the host (`PID\n`). */
  pidFile(host: string, path: string): string | undefined {
    const unit = (this.units.get(host) ?? []).find((u) => u.spec.pidFile === path && u.mainPid !== 0);
    return unit ? `${unit.mainPid}\n` : undefined;
  }

  /** Every unit main process on the host. */
  processes(host: string): UnitProcess[] {
    return (this.units.get(host) ?? []).filter((u) => u.mainPid !== 0).map((u) => ({ pid: u.mainPid, argv: u.spec.argv, state: u.frozen ? 'T' : 'S', startedAt: u.startedAt }));
  }

  /** Delivers `signal` to a unit's main process; false when no unit has that pid. */
  signal(host: string, pid: number, signal: 'KILL' | 'TERM' | 'STOP' | 'CONT'): boolean {
    const unit = (this.units.get(host) ?? []).find((u) => u.mainPid === pid && u.mainPid !== 0);
    if (!unit) return false;
    if (signal === 'STOP' || signal === 'CONT') {
      unit.frozen = signal === 'STOP';
      this.changed(host, unit.spec.name);
      return true;
    }
    const result = signal === 'KILL' ? 'signal' : 'success';
    if (unit.spec.restart === 'always') {
      this.end(unit, 'activating', 'auto-restart', result);
      unit.restartTimer = this.clock.setTimeout(() => {
        unit.restartTimer = undefined;
        this.launch(unit, this.clock.now());
        this.changed(host, unit.spec.name);
      }, unit.spec.restartSec * 1000);
    } else {
      this.end(unit, result === 'signal' ? 'failed' : 'inactive', result === 'signal' ? 'failed' : 'dead', result);
    }
    this.changed(host, unit.spec.name);
    return true;
  }

  /** Cancels every pending restart. Idempotent. */
  close(): void {
    for (const list of this.units.values()) for (const unit of list) this.cancelRestart(unit);
  }

  private unit(host: string, name: string): Unit | undefined {
    const full = /\.(service|socket|timer|target|mount)$/.test(name) ? name : `${name}.service`;
    return (this.units.get(host) ?? []).find((u) => u.spec.name === full || u.spec.aliases.includes(full));
  }

  private launch(unit: Unit, at: number): void {
    Object.assign(unit, { active: 'active', sub: 'running', mainPid: this.nextPid(), startedAt: at, frozen: false, result: 'success' });
  }

  private end(unit: Unit, active: ActiveState, sub: string, result: 'success' | 'signal'): void {
    Object.assign(unit, { active, sub, mainPid: 0, frozen: false, result });
  }

  private cancelRestart(unit: Unit): void {
    if (unit.restartTimer) this.clock.clearTimeout(unit.restartTimer);
    unit.restartTimer = undefined;
  }
}
