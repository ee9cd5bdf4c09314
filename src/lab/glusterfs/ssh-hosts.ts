/**
 * One SSH server per lab host (brick-001..004, worker-001), so gameday's SSH transport runs
 * the pool's commands exactly as on real hosts. Rules: a fresh ed25519 host key per host and
 * a fresh client key pair per lab start; only user `root` with the lab's client key gets in
 * (publickey only); "exec" requests run through the lab's shell (simple commands only) and
 * answer stdout, stderr and the exit status; a host whose VM does not run or is isolated by
 * Neutron answers nothing — new connections are dropped and open ones are cut — while
 * iptables rules leave SSH alone (gameday's rules keep port 22 open). The host's
 * ssh.service (units.ts) decides about new connections only, as sshd's per-connection
 * processes outlive `systemctl stop ssh`: stopped or dead, new connections are dropped;
 * frozen (SIGSTOP), they are accepted and never answered. Errors inside a handler go to
 * `onError` and the command answers exit 1.
 */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type AuthContext, type Connection, type ParsedKey, type ServerChannel } from 'ssh2';
import type { OpenStackCloud } from '../openstack/cloud.js';
import { readsStdin, runHostCommand } from './host-commands.js';
import type { GlusterPool } from './pool.js';
import { splitShellWords } from './shell-words.js';
import { SSH_HOSTS, type CommandResult } from './types.js';

const { Server: SshServer, utils } = ssh2;

/** Where one host's SSH server listens. */
export interface SshEndpoint {
  host: string;
  port: number;
}

/** An OpenSSH key pair: the private key in OpenSSH format, the public key as `ssh-ed25519 AAAA… comment`. */
export interface SshKeyPair {
  private: string;
  public: string;
}

interface HostServer {
  readonly name: string;
  readonly hostKey: SshKeyPair;
  readonly listener: NetServer;
  readonly sockets: Set<Socket>;
  port: number;
}

/** The SSH servers of the pool's hosts. Construct, `listen()`, then `close()` (idempotent). */
export class GlusterSshHosts {
  /** The key gameday logs in with (user root). */
  readonly clientKey: SshKeyPair;
  private readonly clientPublic: ParsedKey;
  private readonly servers: HostServer[];
  private address = '127.0.0.1';
  private closing: Promise<void> | undefined;
  private readonly cutUnreachable = (): void => {
    for (const server of this.servers) if (!this.answers(server.name)) for (const socket of server.sockets) socket.destroy();
  };

  constructor(
    private readonly pool: GlusterPool,
    private readonly cloud: OpenStackCloud,
    private readonly onError: (error: unknown) => void,
  ) {
    const client = ed25519KeyPair('gameday-lab');
    this.clientKey = client.pair;
    this.clientPublic = client.publicKey;
    this.servers = SSH_HOSTS.map((name) => this.makeServer(name));
    this.cloud.on('change', this.cutUnreachable);
  }

  /** Listens on `address`, host i on `basePort + i` (every host on its own ephemeral port when 0). */
  async listen(address: string, basePort: number): Promise<Record<string, SshEndpoint>> {
    this.address = address;
    const endpoints: Record<string, SshEndpoint> = {};
    for (const [i, server] of this.servers.entries()) {
      server.port = await listenOn(server.listener, address, basePort === 0 ? 0 : basePort + i);
      endpoints[server.name] = { host: address, port: server.port };
    }
    return endpoints;
  }

  /** known_hosts lines for every host (`[address]:port ssh-ed25519 AAAA…`). */
  knownHosts(): string {
    return this.servers.map((s) => `${s.port === 22 ? this.address : `[${this.address}]:${s.port}`} ${s.hostKey.public.split(' ').slice(0, 2).join(' ')}\n`).join('');
  }

  /** Stops listening and cuts every connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.cloud.off('change', this.cutUnreachable);
      for (const server of this.servers) for (const socket of server.sockets) socket.destroy();
      await Promise.all(this.servers.map((s) => new Promise<void>((done) => (s.listener.listening ? s.listener.close(() => done()) : done()))));
    })();
    return this.closing;
  }

  /** Whether the host answers on the network at all (its VM runs and Neutron lets it talk). */
  private answers(name: string): boolean {
    return this.pool.hosts.vmReachable(name);
  }

  private makeServer(name: string): HostServer {
    const hostKey = ed25519KeyPair(`root@${name}`).pair;
    const ssh = new SshServer({ hostKeys: [hostKey.private] }, (client) => this.onClient(name, client));
    const sockets = new Set<Socket>();
    const listener = createServer({ noDelay: true }, (socket) => {
      const sshd = this.pool.units.view(name, 'ssh.service');
      if (this.closing || !this.answers(name) || sshd?.active !== 'active') {
        socket.destroy();
        return;
      }
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // a reset of a held (frozen-sshd) socket is the client's business
      if (!sshd.frozen) ssh.injectSocket(socket);
    });
    return { name, hostKey, listener, sockets, port: 0 };
  }

  private onClient(name: string, client: Connection): void {
    client.on('error', () => undefined); // resets and aborted handshakes are the client's business
    client.on('authentication', (ctx) => this.authenticate(ctx));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          void this.exec(name, info.command, acceptExec());
        });
      });
    });
  }

  private authenticate(ctx: AuthContext): void {
    if (ctx.method !== 'publickey' || ctx.username !== 'root') return ctx.reject(['publickey']);
    const key = this.clientPublic;
    if (ctx.key.algo !== key.type || !ctx.key.data.equals(key.getPublicSSH())) return ctx.reject(['publickey']);
    if (ctx.signature && (!ctx.blob || !key.verify(ctx.blob, ctx.signature, ctx.hashAlgo))) return ctx.reject(['publickey']);
    ctx.accept();
  }

  private async exec(name: string, line: string, channel: ServerChannel): Promise<void> {
    let result: CommandResult;
    let argv: string[] = ['sh', '-c', line];
    let startedAt = this.pool.now();
    try {
      const words = splitShellWords(line);
      if (words.ok) {
        argv = words.argv;
        const stdin = readsStdin(argv) ? await readAll(channel) : Buffer.alloc(0);
        startedAt = this.pool.now();
        result = await runHostCommand(this.pool, name, argv, stdin);
      } else {
        result = { code: words.code, stdout: '', stderr: words.message };
      }
    } catch (error) {
      this.onError(error);
      result = { code: 1, stdout: '', stderr: `lab: internal error running ${argv[0] ?? 'the command'}\n` };
    }
    this.pool.record(name, argv, result.code, startedAt);
    if (channel.destroyed || !channel.writable) return;
    if (result.stdout) channel.write(result.stdout);
    if (result.stderr) channel.stderr.write(result.stderr);
    channel.exit(result.code);
    channel.end();
  }
}

/**
 * A fresh ed25519 key pair that ssh2 itself can read back. ssh2 1.17's generator drops the
 * leading zero byte of a public key that starts with one (about 1 key in 256), which its
 * own parser then rejects (mscdex/ssh2#1390, #1513); such a pair is thrown away.
 */
function ed25519KeyPair(comment: string): { pair: SshKeyPair; publicKey: ParsedKey } {
  for (let attempt = 0; attempt < 64; attempt += 1) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    const publicKey = utils.parseKey(pair.public);
    if (!(publicKey instanceof Error) && !(utils.parseKey(pair.private) instanceof Error)) return { pair, publicKey };
  }
  throw new Error('could not generate a readable ed25519 key pair');
}

function listenOn(server: NetServer, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : port);
    });
  });
}

/** Everything the client sends on the channel until it closes its side. */
function readAll(channel: ServerChannel): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = (): void => resolve(Buffer.concat(chunks));
    channel.on('data', (chunk: Buffer) => chunks.push(chunk));
    channel.once('end', done);
    channel.once('close', done);
  });
}
