/**
 * Faults injected into the lab's own APIs, per system. Rule: a fault stays until cleared;
 * setting one replaces the previous fault of that system; listeners hear every change so a
 * server can drop its open connections the moment `refuse` is set.
 */

/** The lab's API systems that accept faults. */
export type LabSystem = 'kubernetes' | 'jupyterhub' | 'openstack' | 'prometheus' | 'proxy-api';

/** What an API does wrong while the fault is set. `latencyMs` is wall-clock time, not simulated. */
export interface ApiFault {
  latencyMs?: number;
  errorStatus?: number;
  /** Share of requests (0..1) answered with `errorStatus`; 1 when omitted. */
  errorRate?: number;
  /** Close connections without answering. */
  refuse?: boolean;
}

/** The per-system fault table of one lab. */
export class ApiFaults {
  private readonly faults = new Map<LabSystem, ApiFault>();
  private readonly listeners = new Set<(system: LabSystem) => void>();

  /** Sets (replaces) the fault of `system`; validates it first. */
  set(system: LabSystem, fault: ApiFault): void {
    if (fault.latencyMs !== undefined && !(fault.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
    if (fault.errorRate !== undefined && !(fault.errorRate >= 0 && fault.errorRate <= 1)) {
      throw new RangeError('errorRate must be within 0..1');
    }
    if (fault.errorStatus !== undefined && !(Number.isInteger(fault.errorStatus) && fault.errorStatus >= 400 && fault.errorStatus <= 599)) {
      throw new RangeError('errorStatus must be an HTTP error status (400..599)');
    }
    this.faults.set(system, { ...fault });
    this.notify(system);
  }

  /** Clears the fault of one system, or of all when none is given. Harmless when nothing is set. */
  clear(system?: LabSystem): void {
    const systems = system ? [system] : [...this.faults.keys()];
    for (const s of systems) {
      if (this.faults.delete(s)) this.notify(s);
    }
  }

  /** The current fault of `system`, if any (a copy). */
  get(system: LabSystem): ApiFault | undefined {
    const fault = this.faults.get(system);
    return fault ? { ...fault } : undefined;
  }

  /** Listens to changes; returns the function that stops listening. */
  onChange(listener: (system: LabSystem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(system: LabSystem): void {
    for (const listener of this.listeners) listener(system);
  }
}
