/**
 * The `ssh` transport: every command runs in its own exec channel over one reused SSH
 * connection per host (ssh2), with the host key checked against known_hosts.
 *
 * - Connection: opened by the first command (concurrent first commands share the attempt),
 *   reused while it lives, reopened after it closed or failed, closed after `idleCloseMs`
 *   without commands. While idle its socket is unref'd, so it never holds the process open.
 *   `close()` ends it at once (a running command fails, not retryable); a later command opens
 *   a new one.
 * - Concurrency: at most `concurrency` commands at once, the rest wait in order. Keep it at or
 *   below the server's MaxSessions (OpenSSH default 10): channels beyond it are refused.
 * - Host keys: checked by default (known-hosts.ts); an unknown, changed or revoked key refuses
 *   the connection with a TargetError saying what to do. With `verifyHostKey: false` any key is
 *   accepted and a warning names its fingerprint, once per connection. Key types listed in
 *   known_hosts for the host are preferred in the handshake, as `ssh` does.
 * - Deadlines: `connectTimeoutMs` covers TCP connect, handshake and authentication. A command's
 *   deadline runs from when it gets its slot (connecting included); on expiry the channel gets
 *   SIGKILL and is closed. A connection that then does not acknowledge the close (or answer the
 *   channel open) within `deadAfterMs` is dropped as dead (a partition): commands still on it
 *   fail retryable and the next command reconnects instead of waiting on it.
 * - Errors: an unreachable host, a lost connection and timeouts are retryable; host-key,
 *   authentication and key-file problems are not. The private key and passphrase never appear
 *   in a message.
 */
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Client, ClientChannel, ServerHostKeyAlgorithm } from 'ssh2';
import { createRequire } from 'node:module';
import { TargetError, errorMessage } from '../errors.js';
import { checkHostKey, fingerprint, hostEntryName, keyType, knownKeyTypes, type HostKeyCheck } from './known-hosts.js';
import { quoteCommand, type CommandResult, type RunOptions, type Transport } from './types.js';

/** How to reach one host; the host's config name is the constructor's first argument. */
export interface SshTransportOptions {
  /** Where to connect: a host name or IP address. */
  address: string;
  port: number;
  username: string;
  /** Private key text (OpenSSH or PEM). */
  privateKey?: string;
  passphrase?: string;
  /** ssh-agent socket path. */
  agent?: string;
  /** known_hosts file; default ~/.ssh/known_hosts. A leading `~/` is the home directory. */
  knownHosts?: string;
  verifyHostKey: boolean;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  concurrency: number;
  /** Idle time after which the connection is closed; default 10 s. */
  idleCloseMs?: number;
  /**
   * How long the host may leave a killed command's close (or a channel open) unanswered before
   * the connection counts as dead and is dropped; default min(5 s, connectTimeoutMs).
   */
  deadAfterMs?: number;
  log?: { warn(msg: string, meta?: object): void };
}

/** ssh2, loaded on the first connection: it costs ~60 ms, which every other CLI command would pay. */
const loadSsh2 = (): typeof import('ssh2') => createRequire(import.meta.url)('ssh2') as typeof import('ssh2');

/** ssh2's errors carry where they came from in `level`. */
type SshError = Error & { level?: string; code?: unknown };

/** Levels after which ssh2 gives the connection up (others, like agent errors, let authentication go on). */
const FATAL_LEVELS = new Set(['client-socket', 'client-timeout', 'client-dns', 'handshake', 'protocol']);
/** SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE: a server giving up on authentication. */
const NO_MORE_AUTH_METHODS = 14;
/** ssh2's default host-key algorithms, in its order. */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];
const TCP_KEEPALIVE_MS = 15_000;

interface Connection {
  readonly client: Client;
  socket: Socket | undefined;
  ready: Promise<void>;
  handshaking: boolean;
  alive: boolean;
  closedByUs: boolean;
  hostKeyFailure: TargetError | undefined;
  warned: boolean;
}

/** A FIFO counting semaphore. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** Resolves true once a slot is taken, false if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<boolean> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const take = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(take);
        if (index >= 0) this.#waiting.splice(index, 1);
        resolve(false);
      };
      this.#waiting.push(take);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

/** The host-key algorithms to offer: those of the key types known_hosts lists first, then the rest. */
function hostKeyAlgorithms(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = knownTypes
    .flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
    .filter((algorithm): algorithm is ServerHostKeyAlgorithm => (HOST_KEY_ALGORITHMS as string[]).includes(algorithm));
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

/**
 * Sends SIGKILL to a channel's command. ssh2's `signal()` does nothing once stdin is ending (it
 * checks `writable`), and stdin is always ended at once; its protocol layer sends the request
 * for any channel still open on our side, so that is used when reachable.
 */
function sendKill(channel: ClientChannel): void {
  const internal = channel as unknown as {
    outgoing?: { id?: unknown; state?: unknown };
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  };
  const id = internal.outgoing?.id;
  const state = internal.outgoing?.state;
  const protocol = internal._client?._protocol;
  try {
    if ((state === 'open' || state === 'eof') && typeof id === 'number' && typeof protocol?.signal === 'function') protocol.signal(id, 'KILL');
    else channel.signal('KILL');
  } catch {
    // best effort: closing the channel follows
  }
}

export class SshTransport implements Transport {
  readonly #address: string;
  readonly #port: number;
  readonly #username: string;
  readonly #privateKey: string | undefined;
  readonly #passphrase: string | undefined;
  readonly #agent: string | undefined;
  readonly #knownHostsFile: string;
  readonly #verifyHostKey: boolean;
  readonly #connectTimeoutMs: number;
  readonly #commandTimeoutMs: number;
  readonly #idleCloseMs: number;
  readonly #deadAfterMs: number;
  readonly #log: SshTransportOptions['log'];
  readonly #slots: Slots;
  #active = 0;
  #conn: Connection | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly host: string, options: SshTransportOptions) {
    this.#address = options.address;
    this.#port = options.port;
    this.#username = options.username;
    this.#privateKey = options.privateKey;
    this.#passphrase = options.passphrase;
    this.#agent = options.agent;
    const file = options.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
    this.#knownHostsFile = file.startsWith('~/') ? join(homedir(), file.slice(2)) : file;
    this.#verifyHostKey = options.verifyHostKey;
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.#commandTimeoutMs = options.commandTimeoutMs;
    this.#idleCloseMs = options.idleCloseMs ?? 10_000;
    this.#deadAfterMs = options.deadAfterMs ?? Math.min(5_000, options.connectTimeoutMs);
    this.#log = options.log;
    this.#slots = new Slots(Math.max(1, options.concurrency));
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const command = quoteCommand(argv);
    const name = argv[0] ?? '';
    const { signal } = options;
    if (signal?.aborted || !(await this.#slots.acquire(signal))) throw this.#aborted(name, signal);
    this.#active += 1;
    clearTimeout(this.#idleTimer);
    this.#conn?.socket?.ref();
    try {
      return await this.#exec(command, name, options.timeoutMs ?? this.#commandTimeoutMs, options);
    } finally {
      this.#active -= 1;
      this.#slots.release();
      if (this.#active === 0 && this.#slots.queued === 0) this.#idle();
    }
  }

  close(): void {
    clearTimeout(this.#idleTimer);
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) this.#end(conn);
  }

  get #where(): string {
    return `${this.#address}:${this.#port}`;
  }

  #idle(): void {
    this.#conn?.socket?.unref();
    this.#idleTimer = setTimeout(() => this.close(), this.#idleCloseMs);
    this.#idleTimer.unref();
  }

  /** Ends a connection on purpose: commands still on it fail as closed. */
  #end(conn: Connection): void {
    conn.alive = false;
    conn.closedByUs = true;
    const socket = conn.socket;
    if (!socket) return;
    if (conn.handshaking) {
      socket.destroy();
      return;
    }
    conn.client.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
  }

  /** Drops a connection that failed or stopped answering; commands still on it fail as lost (retryable). */
  #drop(conn: Connection): void {
    conn.alive = false;
    if (this.#conn === conn) this.#conn = undefined;
    conn.socket?.destroy();
  }

  async #connection(): Promise<Connection> {
    let conn = this.#conn;
    if (!conn || !conn.alive) {
      conn = this.#open();
      this.#conn = conn;
    }
    await conn.ready;
    if (!conn.alive) throw this.#closed(conn);
    return conn;
  }

  #open(): Connection {
    const conn: Connection = {
      client: new (loadSsh2().Client)(),
      socket: undefined,
      ready: Promise.resolve(),
      handshaking: true,
      alive: true,
      closedByUs: false,
      hostKeyFailure: undefined,
      warned: false,
    };
    conn.ready = this.#handshake(conn);
    conn.ready.catch(() => undefined);
    return conn;
  }

  async #handshake(conn: Connection): Promise<void> {
    const knownHosts = this.#verifyHostKey ? await this.#readKnownHosts() : '';
    if (!conn.alive) throw this.#closed(conn);
    const { client } = conn;
    const socket = new Socket();
    conn.socket = socket;
    socket.on('error', () => undefined); // ssh2 reports socket errors as client errors
    socket.setNoDelay(true); // small request/answer packets: Nagle would add delayed-ACK waits
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    socket.connect(this.#port, this.#address);
    const knownTypes = this.#verifyHostKey ? knownKeyTypes(knownHosts, this.#address, this.#port) : [];
    return new Promise<void>((resolve, reject) => {
      const errors: SshError[] = [];
      let settled = false;
      const fail = (): void => {
        if (settled) return;
        settled = true;
        conn.handshaking = false;
        conn.alive = false;
        socket.destroy();
        reject(conn.closedByUs ? this.#closed(conn) : this.#connectError(conn, errors));
      };
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        conn.handshaking = false;
        resolve();
      });
      client.on('error', (err: SshError) => {
        if (settled) return this.#drop(conn);
        errors.push(err);
        if (FATAL_LEVELS.has(err.level ?? '')) fail();
      });
      client.on('close', () => {
        if (this.#conn === conn) this.#conn = undefined;
        conn.alive = false;
        fail();
      });
      try {
        client.connect({
          sock: socket,
          username: this.#username,
          privateKey: this.#privateKey,
          passphrase: this.#passphrase,
          agent: this.#agent,
          readyTimeout: this.#connectTimeoutMs,
          hostVerifier: (key: Buffer): boolean => this.#checkHostKey(conn, knownHosts, key),
          ...(knownTypes.length > 0 ? { algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) } } : {}),
        });
      } catch (err) {
        settled = true;
        conn.handshaking = false;
        conn.alive = false;
        socket.destroy();
        reject(new TargetError(`${this.host}: cannot start an SSH connection: ${this.#scrub(errorMessage(err))}`, { retryable: false }));
      }
    });
  }

  async #readKnownHosts(): Promise<string> {
    try {
      return await readFile(this.#knownHostsFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new TargetError(`${this.host}: cannot read known_hosts ${this.#knownHostsFile}: ${errorMessage(err)}`, { retryable: false, cause: err });
    }
  }

  #checkHostKey(conn: Connection, knownHosts: string, key: Buffer): boolean {
    const fp = fingerprint(key);
    const type = keyType(key) ?? 'unknown-type';
    if (!this.#verifyHostKey) {
      if (!conn.warned) {
        conn.warned = true;
        this.#log?.warn(`${this.host} (${this.#where}): host key ${type} ${fp} accepted without checking (verifyHostKey is off)`, {
          host: this.host, address: this.#address, port: this.#port, fingerprint: fp,
        });
      }
      return true;
    }
    const result = checkHostKey(knownHosts, this.#address, this.#port, key);
    if (result.ok) return true;
    conn.hostKeyFailure = this.#hostKeyError(result, type, fp);
    return false;
  }

  #hostKeyError(result: Exclude<HostKeyCheck, { ok: true }>, type: string, fp: string): TargetError {
    const who = `${this.host} (${this.#where})`;
    const file = this.#knownHostsFile;
    const at = result.line === undefined ? file : `${file}:${result.line}`;
    const name = hostEntryName(this.#address, this.#port);
    const message = {
      unknown: `${who}: host key ${type} ${fp} is not in ${file}; add it (ssh-keyscan -p ${this.#port} ${this.#address} >> ${file}) after checking its fingerprint`,
      changed: `${who}: host key CHANGED: ${at} has a different ${type} key for ${name} (the host offers ${fp}); refusing to connect (possible man-in-the-middle)`,
      revoked: `${who}: host key ${type} ${fp} is marked @revoked in ${at}; refusing to connect`,
    }[result.reason];
    return new TargetError(message, { retryable: false });
  }

  #connectError(conn: Connection, errors: readonly SshError[]): TargetError {
    if (conn.hostKeyFailure) return conn.hostKeyFailure;
    const auth = errors.find((e) => e.level === 'client-authentication' || e.code === NO_MORE_AUTH_METHODS);
    if (auth) {
      const agent = errors.filter((e) => e.level === 'agent').map((e) => this.#scrub(e.message));
      const note = agent.length > 0 ? ` (agent ${this.#agent ?? ''}: ${agent.join('; ')})` : '';
      return new TargetError(`${this.host}: authentication failed for ${this.#username}@${this.#where}${note}`, { retryable: false });
    }
    const handshake = errors.find((e) => e.level === 'handshake');
    if (handshake) {
      return new TargetError(`${this.host} (${this.#where}): SSH handshake failed: ${this.#scrub(handshake.message)}`, { retryable: false });
    }
    const first = errors.find((e) => FATAL_LEVELS.has(e.level ?? '')) ?? errors[0];
    let reason = 'connection closed during the handshake';
    if (first?.level === 'client-timeout') reason = `no SSH handshake within ${this.#connectTimeoutMs} ms`;
    else if (typeof first?.code === 'string') reason = first.code;
    else if (first) reason = this.#scrub(first.message);
    return new TargetError(`${this.host} (${this.#where}) does not answer: ${reason}`, { retryable: true });
  }

  #closed(conn: Connection): TargetError {
    return conn.closedByUs
      ? new TargetError(`${this.host}: the SSH connection was closed`, { retryable: false })
      : new TargetError(`${this.host} (${this.#where}): SSH connection lost`, { retryable: true });
  }

  #aborted(name: string, signal: AbortSignal | undefined): TargetError {
    return new TargetError(`${this.host}: ${name} aborted`, { retryable: false, cause: signal?.reason });
  }

  /** ssh2's messages never hold key material as far as we know; this makes sure. */
  #scrub(text: string): string {
    let out = text;
    for (const secret of [this.#privateKey, this.#passphrase]) {
      if (secret) out = out.split(secret).join('[redacted]');
    }
    return out;
  }

  /** Ends a command that timed out or was aborted; drops the connection if the host does not acknowledge the close. */
  #kill(conn: Connection, channel: ClientChannel): void {
    sendKill(channel);
    const watchdog = this.#watchdog(conn);
    channel.once('close', () => clearTimeout(watchdog));
    channel.close();
  }

  /** Drops `conn` unless the timer is cleared first (by the host's answer). */
  #watchdog(conn: Connection): NodeJS.Timeout {
    const timer = setTimeout(() => this.#drop(conn), this.#deadAfterMs);
    timer.unref();
    return timer;
  }

  #exec(command: string, name: string, timeoutMs: number, options: RunOptions): Promise<CommandResult> {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      let settled = false;
      let running: { conn: Connection; channel: ClientChannel } | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      let opening: { conn: Connection; watchdog?: NodeJS.Timeout } | undefined;
      const stop = (): void => {
        if (running) this.#kill(running.conn, running.channel);
        else if (opening) opening.watchdog = this.#watchdog(opening.conn);
      };
      const timer = setTimeout(() => {
        stop();
        finish(() => reject(new TargetError(`${this.host}: ${name} did not finish within ${timeoutMs} ms`, { retryable: true })));
      }, timeoutMs);
      const onAbort = (): void => {
        stop();
        finish(() => reject(this.#aborted(name, signal)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      const start = (conn: Connection): void => {
        if (settled) return;
        const started = performance.now();
        const onChannel = (err: Error | undefined, channel: ClientChannel): void => {
          clearTimeout(opening?.watchdog);
          opening = undefined;
          if (err) {
            finish(() => reject(this.#execError(conn, name, err)));
            return;
          }
          if (settled) {
            this.#kill(conn, channel);
            return;
          }
          running = { conn, channel };
          const out: Buffer[] = [];
          const errOut: Buffer[] = [];
          let exit: { code: number | null; signal: string | null } | undefined;
          let closed = false;
          let stderrEnded = false;
          const done = (): void => {
            if (!closed || !stderrEnded) return;
            if (!exit) {
              finish(() => reject(conn.alive
                ? new TargetError(`${this.host}: ${name} ended without an exit status`, { retryable: true })
                : this.#lostWhile(conn, name)));
              return;
            }
            const result: CommandResult = {
              code: exit.code,
              signal: exit.signal,
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(errOut).toString('utf8'),
              ms: performance.now() - started,
            };
            finish(() => resolve(result));
          };
          channel.on('data', (chunk: Buffer) => out.push(chunk));
          channel.stderr.on('data', (chunk: Buffer) => errOut.push(chunk));
          channel.stderr.on('end', () => {
            stderrEnded = true;
            done();
          });
          channel.on('exit', (code: number | null, sig?: string) => {
            exit = { code, signal: code === null ? (sig ?? null) : null };
          });
          channel.on('close', () => {
            closed = true;
            done();
          });
          channel.on('error', () => undefined);
          channel.end(options.stdin ?? '');
        };
        opening = { conn };
        try {
          conn.client.exec(command, onChannel);
        } catch (err) {
          finish(() => reject(this.#execError(conn, name, err as Error)));
        }
      };
      this.#connection().then(start, (err: unknown) => finish(() => reject(err)));
    });
  }

  #lostWhile(conn: Connection, name: string): TargetError {
    return conn.closedByUs
      ? new TargetError(`${this.host}: the SSH connection was closed while ${name} was running`, { retryable: false })
      : new TargetError(`${this.host} (${this.#where}): SSH connection lost while ${name} was running`, { retryable: true });
  }

  #execError(conn: Connection, name: string, err: Error): TargetError {
    if (!conn.alive) return this.#lostWhile(conn, name);
    const message = this.#scrub(err.message);
    const hint = /open failure/i.test(message) ? ` (more sessions than the server allows? OpenSSH's MaxSessions defaults to 10; lower concurrency)` : '';
    return new TargetError(`${this.host}: cannot start ${name}: ${message}${hint}`, { retryable: true, cause: err });
  }
}
