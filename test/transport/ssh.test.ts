import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createConnection, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection, ParsedKey, ServerChannel } from 'ssh2';
import { TargetError } from '../../src/errors.js';
import { fingerprint } from '../../src/transport/known-hosts.js';
import { SshTransport, type SshTransportOptions } from '../../src/transport/ssh.js';
import { quoteCommand } from '../../src/transport/types.js';

const { utils } = ssh2;

/** Every file the tests write (known_hosts files, agent sockets) lives here. */
const TMP = await mkdtemp(join(tmpdir(), 'gameday-ssh-'));
test.after.always(() => rm(TMP, { recursive: true, force: true }));
let tmpFiles = 0;
const tmpPath = (name: string): string => join(TMP, `${(tmpFiles += 1)}-${name}`);

function parsed(text: string): ParsedKey {
  const key = utils.parseKey(text);
  if (key instanceof Error) throw key;
  return key;
}

/**
 * A generated key pair that parses. ssh2's ed25519 keygen drops a public key's leading zero
 * bytes, so about 1 key in 256 is malformed (mscdex/ssh2#1390): those are generated again.
 */
function keyPair(make: () => { private: string; public: string }, passphrase?: string): { private: string; public: string } {
  for (;;) {
    const pair = make();
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private, passphrase) instanceof Error)) return pair;
  }
}

const ed25519 = (): { private: string; public: string } => keyPair(() => utils.generateKeyPairSync('ed25519'));
const HOST_KEY = ed25519();
const HOST_KEY_ECDSA = keyPair(() => utils.generateKeyPairSync('ecdsa', { bits: 256 }));
const OTHER_HOST_KEY = ed25519();
const CLIENT_KEY = ed25519();
const STRANGER_KEY = ed25519();
const PASSPHRASE = 'correct horse battery staple';
const ENCRYPTED_KEY = keyPair(() => utils.generateKeyPairSync('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 2 }), PASSPHRASE);

/**
 * Signals the client sends, seen in ssh2's protocol layer: ssh2's server drops channel requests
 * that come after the client's EOF, and the transport ends stdin first, so the fake server
 * cannot see them. Tests reading this run serially.
 */
const sentSignals: string[] = [];
{
  const Protocol = createRequire(import.meta.url)('ssh2/lib/protocol/Protocol.js') as { prototype: { signal(id: number, name: string): unknown } };
  const original = Protocol.prototype.signal;
  Protocol.prototype.signal = function (this: unknown, id: number, name: string) {
    sentSignals.push(name);
    return original.call(this, id, name);
  };
}

const blob = (publicKey: string): Buffer => parsed(publicKey).getPublicSSH();
const keyField = (publicKey: string): string => `${parsed(publicKey).type} ${blob(publicKey).toString('base64')}`;

/** Splits a command line by POSIX sh quoting rules (words, '…', "…", backslash): enough to read back quoteCommand. */
function shSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i += 1;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1] as string)) i += 1;
        word += line[i];
        i += 1;
      }
      if (i >= line.length) throw new Error('unterminated double quote');
      inWord = true;
    } else if (c === '\\') {
      i += 1;
      if (i < line.length && line[i] !== '\n') word += line[i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

interface FakeServer {
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** TCP connections that ended. */
  ended: number;
  /** Command lines received, as sent. */
  commands: string[];
  /** Commands whose channel closed. */
  closedChannels: string[];
  running: number;
  maxRunning: number;
  /** Resolves once `predicate` holds (polled; at most 5 s). */
  until(predicate: () => boolean): Promise<void>;
}

/**
 * An in-process SSH server on 127.0.0.1 that accepts CLIENT_KEY only and runs a fake command set:
 * `argv ARGS…` prints its arguments as JSON; `echo ARGS…`; `fail CODE MESSAGE` (stderr, exit CODE);
 * `cat` (stdin to stdout); `sleep MS`; `hang` (never ends); `killed` (ends by SIGTERM); `drop`
 * (the server ends the connection). Anything else exits 127.
 */
async function startServer(t: ExecutionContext, hostKeys: string[] = [HOST_KEY.private]): Promise<FakeServer> {
  const clients = new Set<Connection>();
  const state: FakeServer = {
    port: 0, connections: 0, ended: 0, commands: [], closedChannels: [], running: 0, maxRunning: 0,
    async until(predicate) {
      const deadline = Date.now() + 5_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error('condition not reached within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  const allowed = parsed(CLIENT_KEY.public);
  const run = (client: Connection, line: string, stream: ServerChannel): void => {
    const [name, ...args] = shSplit(line);
    state.running += 1;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    stream.on('close', () => {
      state.running -= 1;
      state.closedChannels.push(name ?? '');
    });
    if (name !== 'cat') stream.resume(); // drain stdin, or the channel never reports 'close'
    const exit = (code: number): void => {
      stream.exit(code);
      stream.end();
    };
    switch (name) {
      case 'argv': stream.write(JSON.stringify(args)); return exit(0);
      case 'echo': stream.write(`${args.join(' ')}\n`); return exit(0);
      case 'fail': stream.stderr.write(args[1] ?? ''); return exit(Number(args[0]));
      case 'cat': {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          stream.write(Buffer.concat(chunks));
          exit(0);
        });
        return;
      }
      case 'sleep': setTimeout(() => stream.writable && exit(0), Number(args[0])); return;
      case 'hang': return;
      case 'killed': stream.exit('TERM', false, 'terminated'); stream.end(); return;
      case 'drop': client.end(); return;
      default: stream.stderr.write(`${name}: not found\n`); return exit(127);
    }
  };
  const server = new ssh2.Server({ hostKeys }, (client) => {
    state.connections += 1;
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => {
      state.ended += 1;
      clients.delete(client);
    });
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      if (ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) return ctx.reject();
      if (ctx.signature && ctx.blob && !allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.reject();
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.once('exec', (acceptExec, _reject, info) => {
          state.commands.push(info.command);
          run(client, info.command, acceptExec());
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  t.teardown(() => {
    for (const client of clients) client.end();
    server.close();
  });
  return state;
}

async function knownHostsFile(text: string): Promise<string> {
  const file = tmpPath('known_hosts');
  await writeFile(file, text);
  return file;
}

/** A known_hosts line for the fake server. */
const entry = (server: { port: number }, publicKey = HOST_KEY.public): string => `[127.0.0.1]:${server.port} ${keyField(publicKey)}\n`;

async function transport(t: ExecutionContext, server: { port: number }, options: Partial<SshTransportOptions> = {}): Promise<SshTransport> {
  const ssh = new SshTransport('brick-1', {
    address: '127.0.0.1',
    port: server.port,
    username: 'root',
    privateKey: CLIENT_KEY.private,
    knownHosts: await knownHostsFile(entry(server)),
    verifyHostKey: true,
    connectTimeoutMs: 10_000, // generous: a loaded machine is slow, and no test waits on these
    commandTimeoutMs: 10_000,
    concurrency: 4,
    ...options,
  });
  t.teardown(() => ssh.close());
  return ssh;
}

async function rejection(t: ExecutionContext, promise: Promise<unknown>): Promise<TargetError> {
  const err = await t.throwsAsync(promise, { instanceOf: TargetError });
  if (!(err instanceof TargetError)) throw new Error('expected a TargetError');
  return err;
}

test('every argument arrives as one literal word, in exactly the quoted command line', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  const args = ['plain', 'two words', "it's", '"double"', '$HOME', 'a;rm -rf /', '`id`', '$(id)', 'x|y&z', 'new\nline', '', '*', '--opt=1', 'tab\there'];
  const result = await ssh.run(['argv', ...args]);
  t.is(server.commands[0], quoteCommand(['argv', ...args]));
  t.deepEqual(shSplit(server.commands[0] ?? ''), ['argv', ...args]);
  t.deepEqual(JSON.parse(result.stdout), args);
  t.is(result.code, 0);
  t.is(result.signal, null);
  t.true(result.ms >= 0);
});

test('exit codes, stderr, exit signals and stdin come through', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  const failed = await ssh.run(['fail', '3', 'volume busy']);
  t.like(failed, { code: 3, signal: null, stdout: '', stderr: 'volume busy' });
  t.like(await ssh.run(['nope']), { code: 127, stderr: 'nope: not found\n' });
  t.like(await ssh.run(['killed']), { code: null, signal: 'SIGTERM' });
  t.like(await ssh.run(['cat'], { stdin: 'line 1\nline 2 é\n' }), { code: 0, stdout: 'line 1\nline 2 é\n' });
  t.like(await ssh.run(['cat']), { code: 0, stdout: '' });
});

test.serial('a command past its deadline is killed, its channel closed, and a retryable error thrown', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  await ssh.run(['echo']); // connected: the deadline below is the command's alone
  sentSignals.length = 0;
  const err = await rejection(t, ssh.run(['hang'], { timeoutMs: 150 }));
  t.true(err.retryable);
  t.is(err.message, 'brick-1: hang did not finish within 150 ms');
  await server.until(() => server.closedChannels.includes('hang'));
  t.deepEqual(sentSignals, ['KILL']);
  t.like(await ssh.run(['echo', 'still', 'here']), { code: 0, stdout: 'still here\n' });
  t.is(server.connections, 1, 'the connection survives a timed-out command');
});

test.serial('an aborted command is killed and fails not retryable; a queued one never starts', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server, { concurrency: 1 });
  sentSignals.length = 0;
  const controller = new AbortController();
  const running = ssh.run(['hang'], { signal: controller.signal });
  const queued = ssh.run(['echo', 'queued'], { signal: controller.signal });
  await server.until(() => server.commands.length === 1);
  controller.abort(new Error('halt'));
  const [first, second] = await Promise.all([rejection(t, running), rejection(t, queued)]);
  t.false(first.retryable);
  t.is(first.message, 'brick-1: hang aborted');
  t.is(second.message, 'brick-1: echo aborted');
  await server.until(() => server.closedChannels.includes('hang'));
  t.deepEqual(sentSignals, ['KILL']);
  t.deepEqual(server.commands, [quoteCommand(['hang'])]);
  await rejection(t, ssh.run(['echo'], { signal: controller.signal }));
});

test('an unknown host key is refused, naming its fingerprint and how to add it', async (t) => {
  const server = await startServer(t);
  const missing = tmpPath('known_hosts');
  const ssh = await transport(t, server, { knownHosts: missing });
  const err = await rejection(t, ssh.run(['echo']));
  t.false(err.retryable);
  t.is(err.message, `brick-1 (127.0.0.1:${server.port}): host key ssh-ed25519 ${fingerprint(blob(HOST_KEY.public))} is not in ${missing}; `
    + `add it (ssh-keyscan -p ${server.port} 127.0.0.1 >> ${missing}) after checking its fingerprint`);
  t.deepEqual(server.commands, []);
});

test('a changed host key is refused as a possible man-in-the-middle', async (t) => {
  const server = await startServer(t);
  const file = await knownHostsFile(`# lab\n${entry(server, OTHER_HOST_KEY.public)}`);
  const ssh = await transport(t, server, { knownHosts: file });
  const err = await rejection(t, ssh.run(['echo']));
  t.false(err.retryable);
  t.regex(err.message, /host key CHANGED/);
  t.true(err.message.includes(`${file}:2 has a different ssh-ed25519 key for [127.0.0.1]:${server.port}`));
  t.true(err.message.includes(fingerprint(blob(HOST_KEY.public))));
  t.regex(err.message, /refusing to connect \(possible man-in-the-middle\)$/);
  t.deepEqual(server.commands, []);
});

test('a @revoked host key is refused even though it is also listed', async (t) => {
  const server = await startServer(t);
  const file = await knownHostsFile(`${entry(server)}@revoked * ${keyField(HOST_KEY.public)}\n`);
  const ssh = await transport(t, server, { knownHosts: file });
  const err = await rejection(t, ssh.run(['echo']));
  t.false(err.retryable);
  t.is(err.message, `brick-1 (127.0.0.1:${server.port}): host key ssh-ed25519 ${fingerprint(blob(HOST_KEY.public))} is marked @revoked in ${file}:2; refusing to connect`);
});

test('a hashed known_hosts entry for [host]:port is accepted', async (t) => {
  const server = await startServer(t);
  const { createHmac, randomBytes } = await import('node:crypto');
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${server.port}`).digest('base64');
  const file = await knownHostsFile(`|1|${salt.toString('base64')}|${hash} ${keyField(HOST_KEY.public)}\n`);
  const ssh = await transport(t, server, { knownHosts: file });
  t.like(await ssh.run(['echo', 'ok']), { code: 0, stdout: 'ok\n' });
});

test('the key type known_hosts lists is the one negotiated', async (t) => {
  const server = await startServer(t, [HOST_KEY.private, HOST_KEY_ECDSA.private]);
  const ssh = await transport(t, server, { knownHosts: await knownHostsFile(entry(server, HOST_KEY_ECDSA.public)) });
  t.like(await ssh.run(['echo', 'ok']), { code: 0 });
});

test('with verifyHostKey off any key is accepted, with one warning per connection naming the fingerprint', async (t) => {
  const server = await startServer(t);
  const warnings: Array<{ msg: string; meta?: object }> = [];
  const ssh = await transport(t, server, {
    verifyHostKey: false,
    knownHosts: await knownHostsFile(entry(server, OTHER_HOST_KEY.public)),
    log: { warn: (msg, meta) => warnings.push({ msg, meta }) },
  });
  await ssh.run(['echo']);
  await ssh.run(['echo']);
  const fp = fingerprint(blob(HOST_KEY.public));
  t.is(warnings.length, 1);
  t.true(warnings[0]?.msg.startsWith(`brick-1 (127.0.0.1:${server.port}): host key ssh-ed25519 ${fp} accepted without checking`));
  t.like(warnings[0]?.meta, { host: 'brick-1', fingerprint: fp });
  ssh.close();
  await ssh.run(['echo']);
  t.is(warnings.length, 2, 'a new connection warns again');
});

test('a key the server does not accept is an authentication error, not retryable', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server, { privateKey: STRANGER_KEY.private, username: 'gluster' });
  const err = await rejection(t, ssh.run(['echo']));
  t.false(err.retryable);
  t.is(err.message, `brick-1: authentication failed for gluster@127.0.0.1:${server.port}`);
  t.deepEqual(server.commands, []);
});

/** An in-process ssh-agent on a unix socket holding `keys`. */
async function startAgent(t: ExecutionContext, keys: string[]): Promise<string> {
  const held = keys.map(parsed);
  const sockets = new Set<Socket>();
  const agent = createTcpServer((socket) => {
    sockets.add(socket);
    const protocol = new ssh2.AgentProtocol(false);
    protocol.on('identities', (req) => protocol.getIdentitiesReply(req, held));
    protocol.on('sign', (req, publicKey, data, options) => {
      const key = held.find((k) => k.getPublicSSH().equals(publicKey.getPublicSSH()));
      if (key) protocol.signReply(req, key.sign(data, options.hash));
      else protocol.failureReply(req);
    });
    socket.on('error', () => undefined);
    socket.pipe(protocol).pipe(socket);
  });
  const path = tmpPath('agent.sock');
  await new Promise<void>((resolve) => agent.listen(path, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    agent.close();
  });
  return path;
}

test('the SSH agent authenticates when it holds the key', async (t) => {
  const server = await startServer(t);
  const agent = await startAgent(t, [STRANGER_KEY.private, CLIENT_KEY.private]);
  const ssh = await transport(t, server, { privateKey: undefined, agent });
  t.like(await ssh.run(['echo', 'via agent']), { stdout: 'via agent\n' });
});

test('an agent that cannot be reached fails authentication, saying why', async (t) => {
  const server = await startServer(t);
  const missing = tmpPath('none.sock');
  const ssh = await transport(t, server, { privateKey: undefined, agent: missing });
  const err = await rejection(t, ssh.run(['echo']));
  t.false(err.retryable);
  t.is(err.message, `brick-1: authentication failed for root@127.0.0.1:${server.port} (agent ${missing}: Failed to connect to agent)`);
});

test('an encrypted key opens with its passphrase; a wrong passphrase never shows in the error', async (t) => {
  const server = await startServer(t);
  const wrong = await transport(t, server, { privateKey: ENCRYPTED_KEY.private, passphrase: 'wrong passphrase' });
  const err = await rejection(t, wrong.run(['echo']));
  t.false(err.retryable);
  t.regex(err.message, /^brick-1: cannot start an SSH connection: /);
  t.false(err.message.includes('wrong passphrase'));
  t.false(err.message.includes(ENCRYPTED_KEY.private.split('\n')[1] ?? 'unreachable'));
  // The right passphrase decrypts the key; the server then refuses it as a stranger.
  const right = await transport(t, server, { privateKey: ENCRYPTED_KEY.private, passphrase: PASSPHRASE });
  t.regex((await rejection(t, right.run(['echo']))).message, /authentication failed/);
});

test('a port nobody listens on is a retryable "does not answer"', async (t) => {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const ssh = await transport(t, { port });
  const err = await rejection(t, ssh.run(['echo']));
  t.true(err.retryable);
  t.is(err.message, `brick-1 (127.0.0.1:${port}) does not answer: ECONNREFUSED`);
});

test('a peer that never speaks SSH fails retryable after the connect timeout', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createTcpServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const ssh = await transport(t, { port: (silent.address() as AddressInfo).port }, { connectTimeoutMs: 200 });
  const started = Date.now();
  const err = await rejection(t, ssh.run(['echo']));
  t.true(err.retryable);
  t.regex(err.message, /does not answer: no SSH handshake within 200 ms$/);
  t.true(Date.now() - started < 5_000, 'well before the 10 s command deadline');
});

test('commands share one connection, including concurrent first commands', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  const first = await Promise.all([1, 2, 3, 4].map((n) => ssh.run(['echo', String(n)])));
  t.deepEqual(first.map((r) => r.stdout), ['1\n', '2\n', '3\n', '4\n']);
  for (let n = 0; n < 5; n += 1) await ssh.run(['echo', 'again']);
  t.is(server.commands.length, 9);
  t.is(server.connections, 1);
});

test('no more than `concurrency` commands run at once; the rest wait their turn', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server, { concurrency: 2 });
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => ssh.run(['sleep', '60'])));
  t.true(results.every((r) => r.code === 0));
  t.is(server.commands.length, 5);
  t.is(server.maxRunning, 2);
});

test('the connection closes after idleCloseMs without commands, and the next command reconnects', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server, { idleCloseMs: 100 });
  await ssh.run(['echo']);
  await ssh.run(['echo']);
  await server.until(() => server.ended === 1);
  t.is(server.connections, 1);
  t.like(await ssh.run(['echo', 'back']), { stdout: 'back\n' });
  t.is(server.connections, 2);
});

test('close() ends the connection at once, is idempotent, and a later command reconnects', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  const running = ssh.run(['hang']);
  await server.until(() => server.commands.length === 1);
  ssh.close();
  ssh.close();
  const err = await rejection(t, running);
  t.false(err.retryable);
  t.is(err.message, 'brick-1: the SSH connection was closed while hang was running');
  await server.until(() => server.ended === 1);
  t.like(await ssh.run(['echo', 'again']), { stdout: 'again\n' });
  t.is(server.connections, 2);
});

test('a connection lost mid-command fails it retryable, and the next command reconnects', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  const err = await rejection(t, ssh.run(['drop']));
  t.true(err.retryable);
  t.is(err.message, `brick-1 (127.0.0.1:${server.port}): SSH connection lost while drop was running`);
  t.like(await ssh.run(['echo', 'again']), { stdout: 'again\n' });
  t.is(server.connections, 2);
});

/** A TCP relay to `port` whose current connections can be frozen (bytes dropped both ways), like a partition. */
async function startRelay(t: ExecutionContext, port: number): Promise<{ port: number; connections: number; freeze(): void }> {
  const pairs: Array<{ frozen: boolean; sockets: Socket[] }> = [];
  const relay = createTcpServer((inbound) => {
    const outbound = createConnection(port, '127.0.0.1');
    const pair = { frozen: false, sockets: [inbound, outbound] };
    pairs.push(pair);
    state.connections += 1;
    inbound.on('data', (chunk) => pair.frozen || outbound.write(chunk));
    outbound.on('data', (chunk) => pair.frozen || inbound.write(chunk));
    for (const socket of pair.sockets) {
      socket.on('error', () => undefined);
      socket.on('close', () => pair.sockets.forEach((s) => s.destroy()));
    }
  });
  const state = { port: 0, connections: 0, freeze: () => pairs.forEach((pair) => (pair.frozen = true)) };
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  state.port = (relay.address() as AddressInfo).port;
  t.teardown(() => {
    pairs.forEach((pair) => pair.sockets.forEach((s) => s.destroy()));
    relay.close();
  });
  return state;
}

async function relayed(t: ExecutionContext): Promise<{ server: FakeServer; relay: Awaited<ReturnType<typeof startRelay>>; ssh: SshTransport }> {
  const server = await startServer(t);
  const relay = await startRelay(t, server.port);
  const ssh = await transport(t, { port: relay.port }, {
    knownHosts: await knownHostsFile(`[127.0.0.1]:${relay.port} ${keyField(HOST_KEY.public)}\n`),
    deadAfterMs: 200,
  });
  await ssh.run(['echo']);
  return { server, relay, ssh };
}

test('a connection that goes silent (a partition) under a running command is dropped, and the next command reconnects', async (t) => {
  const { server, relay, ssh } = await relayed(t);
  const running = ssh.run(['hang'], { timeoutMs: 150 });
  await server.until(() => server.commands.length === 2);
  relay.freeze(); // the KILL and the close are never acknowledged
  t.true((await rejection(t, running)).retryable);
  // A command sent meanwhile waits on the silent connection until it is dropped (deadAfterMs later).
  const lost = await rejection(t, ssh.run(['echo', 'meanwhile']));
  t.true(lost.retryable);
  t.regex(lost.message, /SSH connection lost while echo was running$/);
  t.like(await ssh.run(['echo', 'after']), { stdout: 'after\n' });
  t.is(relay.connections, 2);
});

test('a connection that goes silent before a command\'s channel opens is dropped, and the next command reconnects', async (t) => {
  const { relay, ssh } = await relayed(t);
  relay.freeze();
  t.true((await rejection(t, ssh.run(['echo'], { timeoutMs: 150 }))).retryable);
  t.true((await rejection(t, ssh.run(['echo', 'meanwhile']))).retryable);
  t.like(await ssh.run(['echo', 'after']), { stdout: 'after\n' });
  t.is(relay.connections, 2);
});

test('a host name is resolved to connect', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server, {
    address: 'localhost',
    knownHosts: await knownHostsFile(`[localhost]:${server.port} ${keyField(HOST_KEY.public)}\n`),
  });
  t.like(await ssh.run(['echo', 'hi']), { stdout: 'hi\n' });
});

test('an empty command is refused before anything is sent', async (t) => {
  const server = await startServer(t);
  const ssh = await transport(t, server);
  await t.throwsAsync(ssh.run([]), { message: 'empty command' });
  t.is(server.connections, 0);
});
