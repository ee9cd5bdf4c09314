import test from 'ava';
import type { ExecutionContext } from 'ava';
import { ACTION_TIMINGS, type Lab } from '../../src/lab/index.js';
import { eventually, labFor } from './helpers.js';
import { osCall, osToken, path, recordServer, type NovaServer, type Observed } from './openstack-helpers.js';

interface Actor {
  lab: Lab;
  act(name: string, body: unknown): Promise<{ status: number; body: unknown }>;
  show(name: string): Promise<NovaServer>;
}

async function actorFor(t: ExecutionContext, speed = 20): Promise<Actor> {
  const lab = await labFor(t, { speed });
  const token = await osToken(lab);
  const id = (name: string): string => lab.world.openstack.server(name)?.id ?? name;
  return {
    lab,
    act: (name, body) => osCall(lab, `/compute/v2.1/servers/${id(name)}/action`, { method: 'POST', token, json: body }),
    show: async (name) => (await osCall<{ server: NovaServer }>(lab, `/compute/v2.1/servers/${id(name)}`, { token })).body.server,
  };
}

/** Runs one action and waits until the server settles in `final`; returns what was observed. */
async function runAction(a: Actor, name: string, body: unknown, final: string): Promise<Observed[]> {
  const seen = recordServer(a.lab, name);
  const answer = await a.act(name, body);
  if (answer.status !== 202) throw new Error(`action answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  await eventually(() => {
    const s = a.lab.world.openstack.server(name);
    return s?.status === final && s.taskState === null;
  }, `${name} ${final}`);
  return seen;
}

function lasted(seen: Observed[]): number {
  return (seen.at(-1)?.at ?? 0) - (seen[0]?.at ?? 0);
}

/** Not sooner than `expected` simulated ms, and late by at most 200 ms of real time (timers under load). */
function about(t: ExecutionContext, lab: Lab, ms: number, expected: number): void {
  const slack = 200 * lab.world.clock.speed;
  t.true(ms >= expected - 100 && ms <= expected + slack, `took ${ms} ms simulated, expected about ${expected}`);
}

test('os-stop answers 202, powers off for ~3 s (still ACTIVE), then SHUTOFF with power state 4', async (t) => {
  const a = await actorFor(t, 5);
  const seen = recordServer(a.lab, 'worker-001');
  const answer = await a.act('worker-001', { 'os-stop': null });
  t.is(answer.status, 202);
  t.like(await a.show('worker-001'), { status: 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off', 'OS-EXT-STS:power_state': 1 });
  await eventually(() => a.lab.world.openstack.server('worker-001')?.status === 'SHUTOFF', 'SHUTOFF');
  t.like(await a.show('worker-001'), { status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped', 'OS-EXT-STS:task_state': null, 'OS-EXT-STS:power_state': 4 });
  t.deepEqual(path(seen), ['ACTIVE/powering-off', 'SHUTOFF/-']);
  about(t, a.lab, lasted(seen), ACTION_TIMINGS.stop);
});

test('os-start powers on a SHUTOFF server: SHUTOFF/powering-on, then ACTIVE', async (t) => {
  const a = await actorFor(t);
  await runAction(a, 'worker-002', { 'os-stop': null }, 'SHUTOFF');
  const seen = await runAction(a, 'worker-002', { 'os-start': null }, 'ACTIVE');
  t.deepEqual(path(seen), ['SHUTOFF/powering-on', 'ACTIVE/-']);
  about(t, a.lab, lasted(seen), ACTION_TIMINGS.start);
  t.is(a.lab.world.openstack.server('worker-002')?.powerState, 1);
});

test('a soft reboot shows REBOOT through its task states for ~5 s, a hard one HARD_REBOOT for ~3 s', async (t) => {
  const a = await actorFor(t);
  const soft = await runAction(a, 'master', { reboot: { type: 'SOFT' } }, 'ACTIVE');
  t.deepEqual(path(soft), ['REBOOT/rebooting', 'REBOOT/reboot_pending', 'REBOOT/reboot_started', 'ACTIVE/-']);
  about(t, a.lab, lasted(soft), ACTION_TIMINGS.softReboot);
  const hard = await runAction(a, 'master', { reboot: { type: 'HARD' } }, 'ACTIVE');
  t.deepEqual(path(hard), ['HARD_REBOOT/rebooting_hard', 'HARD_REBOOT/reboot_pending_hard', 'HARD_REBOOT/reboot_started_hard', 'ACTIVE/-']);
  about(t, a.lab, lasted(hard), ACTION_TIMINGS.hardReboot);
});

test('pause and unpause go through pausing/unpausing to PAUSED and back', async (t) => {
  const a = await actorFor(t);
  const pause = await runAction(a, 'brick-001', { pause: null }, 'PAUSED');
  t.deepEqual(path(pause), ['ACTIVE/pausing', 'PAUSED/-']);
  t.is(a.lab.world.openstack.server('brick-001')?.powerState, 3);
  about(t, a.lab, lasted(pause), ACTION_TIMINGS.pause);
  const unpause = await runAction(a, 'brick-001', { unpause: null }, 'ACTIVE');
  t.deepEqual(path(unpause), ['PAUSED/unpausing', 'ACTIVE/-']);
});

test('suspend and resume go through suspending (~2 s) to SUSPENDED and back', async (t) => {
  const a = await actorFor(t);
  const suspend = await runAction(a, 'bastion', { suspend: null }, 'SUSPENDED');
  t.deepEqual(path(suspend), ['ACTIVE/suspending', 'SUSPENDED/-']);
  about(t, a.lab, lasted(suspend), ACTION_TIMINGS.suspend);
  const resume = await runAction(a, 'bastion', { resume: null }, 'ACTIVE');
  t.deepEqual(path(resume), ['SUSPENDED/resuming', 'ACTIVE/-']);
  about(t, a.lab, lasted(resume), ACTION_TIMINGS.resume);
});

test('an action the state does not allow is a 409 conflictingRequest naming the state', async (t) => {
  const a = await actorFor(t, 5);
  const id = a.lab.world.openstack.server('worker-003')?.id ?? '';
  const start = await a.act('worker-003', { 'os-start': null });
  t.is(start.status, 409);
  t.deepEqual(start.body, { conflictingRequest: { code: 409, message: `Cannot 'start' instance ${id} while it is in vm_state active` } });
  t.like((await a.act('worker-003', { unpause: null })).body, { conflictingRequest: { message: `Cannot 'unpause' instance ${id} while it is in vm_state active` } });
  t.like((await a.act('worker-003', { resume: null })).body, { conflictingRequest: { message: `Cannot 'resume' instance ${id} while it is in vm_state active` } });
  t.is((await a.act('worker-003', { 'os-stop': null })).status, 202);
  const again = await a.act('worker-003', { 'os-stop': null });
  t.is(again.status, 409);
  t.like(again.body, { conflictingRequest: { message: `Cannot 'stop' instance ${id} while it is in task_state powering-off` } });
  await eventually(() => a.lab.world.openstack.server('worker-003')?.status === 'SHUTOFF', 'SHUTOFF');
  t.like((await a.act('worker-003', { 'os-stop': null })).body, { conflictingRequest: { message: `Cannot 'stop' instance ${id} while it is in vm_state stopped` } });
  t.like((await a.act('worker-003', { reboot: { type: 'SOFT' } })).body, { conflictingRequest: { message: `Cannot 'reboot' instance ${id} while it is in vm_state stopped` } });
  t.like((await a.act('worker-003', { pause: null })).body, { conflictingRequest: { message: `Cannot 'pause' instance ${id} while it is in vm_state stopped` } });
  t.like(await a.show('worker-003'), { status: 'SHUTOFF', 'OS-EXT-STS:task_state': null }, 'refused actions change nothing');
});

test('a hard reboot brings a SHUTOFF server back and may interrupt a pause; a soft one may not interrupt a reboot', async (t) => {
  const a = await actorFor(t, 5);
  await runAction(a, 'ns-001', { 'os-stop': null }, 'SHUTOFF');
  const hard = await runAction(a, 'ns-001', { reboot: { type: 'HARD' } }, 'ACTIVE');
  t.is(path(hard)[0], 'SHUTOFF/rebooting_hard', 'a stopped server keeps status SHUTOFF while it hard-reboots');
  t.is((await a.act('ns-001', { pause: null })).status, 202);
  t.is((await a.act('ns-001', { reboot: { type: 'HARD' } })).status, 202);
  const soft = await a.act('ns-001', { reboot: { type: 'SOFT' } });
  t.is(soft.status, 409);
  t.regex(JSON.stringify(soft.body), /while it is in task_state rebooting_hard/);
  await eventually(() => a.lab.world.openstack.server('ns-001')?.taskState === null, 'the hard reboot done');
  await new Promise((resolve) => setTimeout(resolve, (ACTION_TIMINGS.pause / 5) * 2));
  t.is(a.lab.world.openstack.server('ns-001')?.status, 'ACTIVE', 'the interrupted pause never finished');
});

test('a locked server refuses actions until unlocked; unknown actions and reboot types are 400', async (t) => {
  const a = await actorFor(t);
  const id = a.lab.world.openstack.server('ns-002')?.id ?? '';
  t.is((await a.act('ns-002', { lock: null })).status, 202);
  const locked = await a.act('ns-002', { 'os-stop': null });
  t.is(locked.status, 409);
  t.deepEqual(locked.body, { conflictingRequest: { code: 409, message: `Instance ${id} is locked` } });
  t.is((await a.act('ns-002', { unlock: null })).status, 202);
  t.is((await a.act('ns-002', { 'os-stop': null })).status, 202);
  const unknown = await a.act('ns-002', { 'os-explode': null });
  t.is(unknown.status, 400);
  t.deepEqual(unknown.body, { badRequest: { code: 400, message: 'There is no such action: os-explode' } });
  t.is((await a.act('ns-002', { reboot: { type: 'GENTLE' } })).status, 400);
  t.is((await a.act('ns-002', { reboot: {} })).status, 400);
  const missing = await osCall(a.lab, '/compute/v2.1/servers/00000000-0000-0000-0000-000000000000/action', { method: 'POST', token: await osToken(a.lab), json: { 'os-stop': null } });
  t.is(missing.status, 404);
});

test('world.openstack.act steers servers like the API and refuses what Nova refuses', async (t) => {
  const a = await actorFor(t);
  a.lab.world.openstack.act('brick-002', 'os-stop');
  t.is(a.lab.world.openstack.server('brick-002')?.taskState, 'powering-off');
  t.throws(() => a.lab.world.openstack.act('brick-002', 'os-start'), { message: /Cannot 'start' instance .* while it is in vm_state active/ });
  t.throws(() => a.lab.world.openstack.act('nope', 'os-start'), { message: /could not be found/ });
  await eventually(() => a.lab.world.openstack.server('brick-002')?.status === 'SHUTOFF', 'SHUTOFF');
  t.is(a.lab.world.openstack.ports().find((p) => p.deviceId === a.lab.world.openstack.server('brick-002')?.id)?.status, 'DOWN', 'a stopped VM\'s port is DOWN');
});
