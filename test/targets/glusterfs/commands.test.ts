import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { GlusterCli, isBusyAnswer } from '../../../src/targets/glusterfs/cli/gluster.js';
import { datestop, partitionSpecs, splitRuleLine } from '../../../src/targets/glusterfs/common/firewall.js';
import { checkHost, checkPid, checkVolume, parseBrickName } from '../../../src/targets/glusterfs/common/identifiers.js';
import { ruleComment } from '../../../src/targets/glusterfs/markers.js';
import { quoteCommand } from '../../../src/transport/types.js';
import type { CommandResult, Transport } from '../../../src/transport/types.js';

/** A transport answering from a script of results, recording every argv. */
function scripted(answers: Partial<CommandResult>[]): Transport & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    host: 'brick-001',
    calls,
    run(argv) {
      calls.push([...argv]);
      const next = answers.shift() ?? { code: 0, stdout: '' };
      return Promise.resolve({ code: 0, signal: null, stdout: '', stderr: '', ms: 1, ...next });
    },
    close() {},
  };
}

const ok = '<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/></cliOutput>';
const busy = '<cliOutput><opRet>-1</opRet><opErrno>30800</opErrno><opErrstr>Another transaction is in progress for home. Please try again after some time.</opErrstr></cliOutput>';

test('identifiers with shell syntax, options or path tricks are refused before any command', (t) => {
  for (const bad of ['-rf', 'a;b', 'x y', '$(id)', '']) t.throws(() => checkHost(bad), { instanceOf: TargetError });
  for (const bad of ['home;rm', '-v', 'a b']) t.throws(() => checkVolume(bad), { instanceOf: TargetError });
  for (const bad of ['0', '12a', '-1']) t.throws(() => checkPid(bad));
  t.throws(() => parseBrickName('brick-001:/bricks/../etc'));
  t.throws(() => parseBrickName('brick-001:relative'));
  t.deepEqual(parseBrickName('brick-001:/bricks/home'), { host: 'brick-001', path: '/bricks/home' });
  t.throws(() => ruleComment('run;id'));
  t.is(ruleComment('20261122-010203-x-f1'), 'gameday:20261122-010203-x-f1');
});

test('a command line quotes every argument that is not a plain word', (t) => {
  t.is(quoteCommand(['iptables', '-w', '-I', 'INPUT', '!', '-i', 'lo', '--comment', 'gameday:r-f1']), "iptables -w -I INPUT '!' -i lo --comment gameday:r-f1");
  t.is(quoteCommand(['sh', '-c', "echo 'a' $1", 'x;y']), "sh -c 'echo '\\''a'\\'' $1' 'x;y'");
  t.is(quoteCommand(['']), "''");
});

test('iptables -S lines split back into the arguments that delete them', (t) => {
  t.deepEqual(
    splitRuleLine('-A INPUT ! -i lo -p tcp -m tcp ! --dport 22 -m comment --comment "gameday:r-f1" -m time --datestop 2026-11-22T01:00:00 -j DROP'),
    ['-A', 'INPUT', '!', '-i', 'lo', '-p', 'tcp', '-m', 'tcp', '!', '--dport', '22', '-m', 'comment', '--comment', 'gameday:r-f1', '-m', 'time', '--datestop', '2026-11-22T01:00:00', '-j', 'DROP'],
  );
  t.deepEqual(splitRuleLine('-A INPUT -m comment --comment "two words" -j ACCEPT').slice(5, 6), ['two words']);
});

test('the partition keeps loopback and the SSH port open, in and out', (t) => {
  const specs = partitionSpecs(2222);
  t.is(specs.length, 4);
  t.deepEqual(specs.map((s) => s.chain), ['INPUT', 'INPUT', 'OUTPUT', 'OUTPUT']);
  t.true(specs.every((s) => s.spec.includes('lo')));
  t.deepEqual(specs.filter((s) => s.spec.includes('2222')).map((s) => s.spec.at(-2)), ['--dport', '--sport']);
  t.is(datestop(Date.UTC(2026, 10, 22, 1, 2, 3) / 1000), '2026-11-22T01:02:03');
});

test('busy answers are retried with backoff until the cluster answers', async (t) => {
  const transport = scripted([{ stdout: busy }, { stdout: busy }, { stdout: ok }]);
  const cli = new GlusterCli(transport, { busyRetryForMs: 5000, busyDelayMs: 5 });
  await cli.xml(['volume', 'start', 'home', 'force']);
  t.is(transport.calls.length, 3);
  t.deepEqual(transport.calls[0], ['gluster', '--mode=script', '--xml', 'volume', 'start', 'home', 'force']);
  t.true(isBusyAnswer('Locking failed on 10.0.0.3. Please check log file for details.'));
  t.true(isBusyAnswer('Error : Request timed out'));
  t.false(isBusyAnswer('Volume nope does not exist'));
});

test('a busy cluster past the retry window is a retryable error; other failures are not retryable', async (t) => {
  const stuck = new GlusterCli(scripted(Array.from({ length: 20 }, () => ({ stdout: busy }))), { busyRetryForMs: 30, busyDelayMs: 10 });
  const err = await t.throwsAsync(stuck.xml(['volume', 'status', 'home']), { instanceOf: TargetError });
  t.true((err as TargetError).retryable);
  t.regex(err.message, /brick-001: gluster volume status home failed: Another transaction/);
  const missing = new GlusterCli(scripted([{ stdout: '<cliOutput><opRet>-1</opRet><opErrno>2</opErrno><opErrstr>Volume nope does not exist</opErrstr></cliOutput>', code: 1 }]), { busyRetryForMs: 1000 });
  const gone = await t.throwsAsync(missing.volumeInfo('nope'), { instanceOf: TargetError });
  t.false((gone as TargetError).retryable);
  const absent = new GlusterCli(scripted([{ code: 127, stderr: 'sh: 1: gluster: not found' }]), { busyRetryForMs: 1000 });
  t.regex((await t.throwsAsync(absent.peerStatus()))!.message, /not installed/);
});

test('heal launch: plain-text success passes, an unsuccessful launch is retryable', async (t) => {
  const good = new GlusterCli(scripted([{ stdout: 'Launching heal operation to perform index self heal on volume home has been successful \nUse heal info commands to check status.\n' }]), { busyRetryForMs: 100 });
  await t.notThrowsAsync(good.triggerHeal('home'));
  const bad = new GlusterCli(scripted([{ code: 1, stdout: "Launching heal operation to perform index self heal on volume home has been unsuccessful:\nGlusterd Syncop Mgmt brick op 'Heal' failed." }]), { busyRetryForMs: 100 });
  const err = await t.throwsAsync(bad.triggerHeal('home'), { instanceOf: TargetError });
  t.true((err as TargetError).retryable);
});
