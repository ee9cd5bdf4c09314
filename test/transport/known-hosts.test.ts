import test from 'ava';
import { checkHostKey, fingerprint, hostEntryName, keyType, knownKeyTypes } from '../../src/transport/known-hosts.js';

// Keys, fingerprints and hashed lines below were made by OpenSSH (ssh-keygen -t / -lf / -H).
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAIHHI+knm62rrfBnqR8JLt7TMfsvkVas4+rvtBnKlbGP7';
const K1_FP = 'SHA256:FfewYQdYH4OrGASiziWtPWPqHEtSAtyuCR2J+dCRDT4';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAID1TWbO1wKK9M5/k1v+WndXIcYxRISYzyxP35+4Sh4Bd';
const K3 = 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGgMAe6cAumWOy1vmeMMnPn2YvRpcsLdqBwNELHo1N0dkL5jRIuxetv0GyfNl1p+e2JcIrejLCiH30zhKOLHe+k=';
const K3_FP = 'SHA256:NN4LMdE1047t2mHm84rgu3G5rp/HmziEH+Td3hWv65o';
/** `brick-1.example.org` (port 22) with K1, hashed. */
const HASHED_22 = `|1|nv3vjgL+a/jo1sKXo6kbAe/+SQ4=|CPyamCp6tKUAS+hshkQL9nH9cXE= ssh-ed25519 ${K1}`;
/** `[brick-2.example.org]:2222` with K1, hashed. */
const HASHED_2222 = `|1|DqMVk5TtaQLwQJUdW2zES5rqqMk=|Fv4GuBTQXi1XXLYF4mWstMiDqa4= ssh-ed25519 ${K1}`;

const k1 = Buffer.from(K1, 'base64');
const k2 = Buffer.from(K2, 'base64');
const k3 = Buffer.from(K3, 'base64');

test('fingerprints read like OpenSSH prints them', (t) => {
  t.is(fingerprint(k1), K1_FP);
  t.is(fingerprint(k3), K3_FP);
  t.is(keyType(k1), 'ssh-ed25519');
  t.is(keyType(k3), 'ecdsa-sha2-nistp256');
  t.is(keyType(Buffer.from([0, 0, 0, 9, 1])), undefined);
});

test('a plain entry matches its host on port 22 only; other ports need [host]:port', (t) => {
  const text = `brick-1 ssh-ed25519 ${K1}\n[brick-2]:2222 ssh-ed25519 ${K1}\n`;
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k1), { ok: true });
  t.deepEqual(checkHostKey(text, 'brick-1', 2222, k1), { ok: false, reason: 'unknown' });
  t.deepEqual(checkHostKey(text, 'brick-2', 2222, k1), { ok: true });
  t.deepEqual(checkHostKey(text, 'brick-2', 22, k1), { ok: false, reason: 'unknown' });
  t.is(hostEntryName('Brick-2', 22), 'brick-2');
  t.is(hostEntryName('brick-2', 2222), '[brick-2]:2222');
});

test('comma lists, wildcards and negation match as in OpenSSH', (t) => {
  const text = [
    `10.0.0.11,brick-1 ssh-ed25519 ${K1}`,
    `!bad.example.org,*.example.org ssh-ed25519 ${K1}`,
    `web?.lab ssh-ed25519 ${K1}`,
    `[*.ports.lab]:2222 ssh-ed25519 ${K1}`,
  ].join('\n');
  const ok = (host: string, port = 22): boolean => checkHostKey(text, host, port, k1).ok;
  t.true(ok('10.0.0.11'));
  t.true(ok('brick-1'));
  t.false(ok('10.0.0.1'), 'no prefix match');
  t.true(ok('good.example.org'));
  t.true(ok('GOOD.Example.ORG'), 'case-insensitive');
  t.false(ok('bad.example.org'), 'negation wins');
  t.false(ok('example.org'));
  t.true(ok('web1.lab'));
  t.false(ok('web12.lab'), '? is one character');
  t.true(ok('a.ports.lab', 2222));
  t.false(ok('a.ports.lab', 2223));
  t.false(ok('axexample.org'), 'dots are literal');
});

test('hashed entries match the host name or [host]:port they were hashed from', (t) => {
  t.deepEqual(checkHostKey(HASHED_22, 'brick-1.example.org', 22, k1), { ok: true });
  t.deepEqual(checkHostKey(HASHED_22, 'brick-1.example.org', 2222, k1), { ok: false, reason: 'unknown' });
  t.deepEqual(checkHostKey(HASHED_22, 'brick-2.example.org', 22, k1), { ok: false, reason: 'unknown' });
  t.deepEqual(checkHostKey(HASHED_2222, 'brick-2.example.org', 2222, k1), { ok: true });
  t.deepEqual(checkHostKey(HASHED_2222, 'brick-2.example.org', 22, k1), { ok: false, reason: 'unknown' });
  t.deepEqual(checkHostKey(HASHED_22, 'brick-1.example.org', 22, k2), { ok: false, reason: 'changed', line: 1 });
  t.deepEqual(checkHostKey('|1|bm9wZQ==|broken ssh-ed25519 ' + K1, 'brick-1.example.org', 22, k1), { ok: false, reason: 'unknown' });
});

test('a different key of the same type is changed, with the line that has it', (t) => {
  const text = `# pool\n\nbrick-9 ssh-ed25519 ${K2}\nbrick-1 ssh-ed25519 ${K2} old key\n`;
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k1), { ok: false, reason: 'changed', line: 4 });
});

test('a listed key of another type only leaves the offered key unknown', (t) => {
  const text = `brick-1 ecdsa-sha2-nistp256 ${K3}\n`;
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k1), { ok: false, reason: 'unknown' });
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k3), { ok: true });
});

test('the same key listed twice with another key is still known', (t) => {
  const text = `brick-1 ssh-ed25519 ${K2}\nbrick-1 ssh-ed25519 ${K1}\n`;
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k1), { ok: true });
});

test('@revoked refuses the key even when another line lists it, for the hosts the line names', (t) => {
  const text = `brick-1 ssh-ed25519 ${K1}\n@revoked * ssh-ed25519 ${K1}\n`;
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k1), { ok: false, reason: 'revoked', line: 2 });
  const scoped = `brick-1,brick-2 ssh-ed25519 ${K1}\n@revoked brick-2 ssh-ed25519 ${K1}\n`;
  t.deepEqual(checkHostKey(scoped, 'brick-1', 22, k1), { ok: true });
  t.deepEqual(checkHostKey(scoped, 'brick-2', 22, k1), { ok: false, reason: 'revoked', line: 2 });
  // A revoked line is no evidence of the host's key: another key is unknown, not changed.
  t.deepEqual(checkHostKey(`@revoked brick-1 ssh-ed25519 ${K2}\n`, 'brick-1', 22, k1), { ok: false, reason: 'unknown' });
});

test('@cert-authority lines, unknown markers, comments and malformed lines are skipped', (t) => {
  const text = [
    '# comment',
    '   ',
    `@cert-authority * ssh-ed25519 ${K2}`,
    `@future brick-1 ssh-ed25519 ${K2}`,
    'brick-1 ssh-ed25519 not-base64!!',
    `brick-1 ecdsa-sha2-nistp256 ${K2}`,
    'brick-1 ssh-ed25519',
    `\tbrick-1\tssh-ed25519\t${K1}\tcomment`,
  ].join('\r\n');
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k1), { ok: true });
  t.deepEqual(checkHostKey(text, 'brick-1', 22, k3), { ok: false, reason: 'unknown' });
  t.deepEqual(checkHostKey('', 'brick-1', 22, k1), { ok: false, reason: 'unknown' });
});

test('knownKeyTypes lists the non-revoked key types for a host, in file order', (t) => {
  const text = [
    `brick-1 ecdsa-sha2-nistp256 ${K3}`,
    `brick-1 ssh-ed25519 ${K1}`,
    `* ssh-ed25519 ${K2}`,
    `@revoked brick-2 ssh-ed25519 ${K1}`,
    `[brick-3]:2222 ecdsa-sha2-nistp256 ${K3}`,
  ].join('\n');
  t.deepEqual(knownKeyTypes(text, 'brick-1', 22), ['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  t.deepEqual(knownKeyTypes(text, 'brick-2', 22), ['ssh-ed25519']);
  t.deepEqual(knownKeyTypes(text, 'brick-3', 2222), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
});
