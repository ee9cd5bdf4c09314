/**
 * Nova's server actions and their state machine on the lab clock. Rules: an action is
 * checked as nova.compute.api checks it — the vm_state first, then the task_state — and a
 * refused action is a 409 naming the state that refused it; an accepted action sets its
 * task_state at once (the API answers 202) and the compute host finishes it later, step by
 * step, on simulated time; a hard reboot may interrupt the tasks Nova lets it interrupt and
 * cancels their remaining steps; nothing else runs two tasks on one server.
 */
import type { SimClock, TimerHandle } from '../clock.js';
import type { OpenStackCloud } from './cloud.js';
import { CloudError } from './errors.js';
import type { PowerState, ServerRecord, TaskState, VmState } from './types.js';

/** How long each action takes on the compute host (simulated ms). */
export const ACTION_TIMINGS = {
  stop: 3_000,
  start: 3_000,
  softReboot: 5_000,
  hardReboot: 3_000,
  pause: 1_000,
  unpause: 1_000,
  suspend: 2_000,
  resume: 2_000,
} as const;

/** The server actions the lab's Nova accepts (`POST /servers/{id}/action`). */
export type ServerAction = 'os-stop' | 'os-start' | 'reboot' | 'pause' | 'unpause' | 'suspend' | 'resume' | 'lock' | 'unlock';

interface Step {
  atMs: number;
  vmState?: VmState;
  taskState: TaskState | null;
  powerState?: PowerState;
}

interface Rule {
  /** The name Nova's conflict message uses. */
  verb: string;
  vmStates: VmState[];
  taskStates: (TaskState | null)[];
  steps: Step[];
}

const ALLOW_REBOOT: (TaskState | null)[] = [null, 'rebooting', 'reboot_pending', 'reboot_started', 'resuming', 'rebooting_hard', 'unpausing', 'pausing', 'suspending'];
const IDLE: (TaskState | null)[] = [null];
const T = ACTION_TIMINGS;

const RULES: Record<Exclude<ServerAction, 'reboot' | 'lock' | 'unlock'> | 'reboot-soft' | 'reboot-hard', Rule> = {
  'os-stop': { verb: 'stop', vmStates: ['active', 'error'], taskStates: IDLE, steps: [{ atMs: 0, taskState: 'powering-off' }, { atMs: T.stop, vmState: 'stopped', taskState: null, powerState: 4 }] },
  'os-start': { verb: 'start', vmStates: ['stopped'], taskStates: IDLE, steps: [{ atMs: 0, taskState: 'powering-on' }, { atMs: T.start, vmState: 'active', taskState: null, powerState: 1 }] },
  pause: { verb: 'pause', vmStates: ['active'], taskStates: IDLE, steps: [{ atMs: 0, taskState: 'pausing' }, { atMs: T.pause, vmState: 'paused', taskState: null, powerState: 3 }] },
  unpause: { verb: 'unpause', vmStates: ['paused'], taskStates: IDLE, steps: [{ atMs: 0, taskState: 'unpausing' }, { atMs: T.unpause, vmState: 'active', taskState: null, powerState: 1 }] },
  suspend: { verb: 'suspend', vmStates: ['active'], taskStates: IDLE, steps: [{ atMs: 0, taskState: 'suspending' }, { atMs: T.suspend, vmState: 'suspended', taskState: null, powerState: 4 }] },
  resume: { verb: 'resume', vmStates: ['suspended'], taskStates: IDLE, steps: [{ atMs: 0, taskState: 'resuming' }, { atMs: T.resume, vmState: 'active', taskState: null, powerState: 1 }] },
  'reboot-soft': {
    verb: 'reboot',
    vmStates: ['active'],
    taskStates: IDLE,
    steps: [
      { atMs: 0, taskState: 'rebooting' },
      { atMs: 500, taskState: 'reboot_pending' },
      { atMs: 1_000, taskState: 'reboot_started' },
      { atMs: T.softReboot, vmState: 'active', taskState: null, powerState: 1 },
    ],
  },
  'reboot-hard': {
    verb: 'reboot',
    vmStates: ['active', 'stopped', 'paused', 'suspended', 'error'],
    taskStates: ALLOW_REBOOT,
    steps: [
      { atMs: 0, taskState: 'rebooting_hard' },
      { atMs: 500, taskState: 'reboot_pending_hard' },
      { atMs: 1_000, taskState: 'reboot_started_hard' },
      { atMs: T.hardReboot, vmState: 'active', taskState: null, powerState: 1 },
    ],
  },
};

const REBOOT_TYPES = ['HARD', 'Soft', 'SOFT', 'hard', 'soft', 'Hard'];
const ACTIONS = new Set<string>(['os-stop', 'os-start', 'reboot', 'pause', 'unpause', 'suspend', 'resume', 'lock', 'unlock']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Picks the action out of an action request body; 400 as Nova answers a body it cannot use. */
export function parseAction(body: unknown): { action: ServerAction; params: unknown } {
  if (!isObject(body)) throw new CloudError(400, 'Malformed request body');
  const keys = Object.keys(body);
  const action = keys.find((k) => ACTIONS.has(k));
  if (!action) throw new CloudError(400, `There is no such action: ${keys[0] ?? ''}`);
  return { action: action as ServerAction, params: body[action] };
}

function rebootType(params: unknown): 'soft' | 'hard' {
  if (!isObject(params) || params['type'] === undefined) {
    throw new CloudError(400, `Invalid input for field/attribute reboot. Value: ${JSON.stringify(params)}. 'type' is a required property`);
  }
  const type = params['type'];
  if (typeof type !== 'string' || !REBOOT_TYPES.includes(type)) {
    throw new CloudError(400, `Invalid input for field/attribute type. Value: ${String(type)}. '${String(type)}' is not one of ['HARD', 'Soft', 'SOFT', 'hard', 'soft', 'Hard']`);
  }
  return type.toUpperCase() === 'HARD' ? 'hard' : 'soft';
}

/** Runs server actions: checks them, sets the task, finishes it on the clock. */
export class ComputeActions {
  private readonly pending = new Map<string, TimerHandle[]>();

  constructor(
    private readonly cloud: OpenStackCloud,
    private readonly clock: SimClock,
  ) {}

  /** Accepts (202) or refuses (400/404/409) an action on a server. */
  perform(serverId: string, action: ServerAction, params: unknown): void {
    const server = this.cloud.findServer(serverId);
    if (!server) throw new CloudError(404, `Instance ${serverId} could not be found.`);
    if (action === 'lock' || action === 'unlock') {
      this.cloud.changeServer(server.id, (s) => (s.locked = action === 'lock'));
      return;
    }
    const key = action === 'reboot' ? (`reboot-${rebootType(params)}` as const) : action;
    if (server.locked) throw new CloudError(409, `Instance ${server.id} is locked`);
    if (key === 'reboot-soft') checkState(server, RULES['reboot-hard']);
    const rule = RULES[key];
    checkState(server, rule);
    this.run(server.id, rule.steps);
  }

  /** Cancels every unfinished task (the lab is closing). Idempotent. */
  stop(): void {
    for (const timers of this.pending.values()) for (const t of timers) this.clock.clearTimeout(t);
    this.pending.clear();
  }

  private run(id: string, steps: Step[]): void {
    for (const t of this.pending.get(id) ?? []) this.clock.clearTimeout(t);
    const timers: TimerHandle[] = [];
    for (const step of steps) {
      if (step.atMs === 0) {
        this.apply(id, step);
        continue;
      }
      timers.push(this.clock.setTimeout(() => this.apply(id, step), step.atMs));
    }
    this.pending.set(id, timers);
  }

  private apply(id: string, step: Step): void {
    if (!this.cloud.findServer(id)) return;
    this.cloud.changeServer(id, (s) => {
      if (step.vmState) s.vmState = step.vmState;
      if (step.powerState !== undefined) s.powerState = step.powerState;
      s.taskState = step.taskState;
    });
    if (step.taskState === null) this.pending.delete(id);
  }
}

function checkState(server: ServerRecord, rule: Rule): void {
  if (!rule.vmStates.includes(server.vmState)) throw conflict(rule.verb, server.id, 'vm_state', server.vmState);
  if (!rule.taskStates.includes(server.taskState)) throw conflict(rule.verb, server.id, 'task_state', server.taskState ?? 'None');
}

function conflict(verb: string, id: string, attr: string, state: string): CloudError {
  return new CloudError(409, `Cannot '${verb}' instance ${id} while it is in ${attr} ${state}`);
}
