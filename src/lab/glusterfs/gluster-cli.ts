/**
 * The `gluster` CLI of one lab host, answering `--mode=script --xml` as GlusterFS 10.3 does.
 * Rules measured on the real thing: an operation that fails prints `opRet -1` and exits 0
 * (`volume heal VOL info summary` of a missing volume exits 254); `volume heal VOL` answers
 * plain text even with --xml — success on stdout, failure on stderr with exit 1; commands
 * that take the cluster lock (status, start, set, reset, heal) answer "Another transaction
 * is in progress" while the pool is busy, the others (info, heal info, peer status) do not;
 * glusterd only knows bricks and self-heal daemons of itself and the peers it is connected
 * to; a heal info that cannot reach a hung brick waits network.ping-timeout before it
 * answers. The client host runs no glusterd, and neither does a brick host whose glusterd unit
 * is stopped or dead ("Connection failed"); a frozen glusterd (SIGSTOP) leaves the CLI
 * waiting its 120 s timeout ("Request timed out"); peers see a host whose glusterd does not
 * serve as Disconnected.
 */
import { brickName } from './bricks.js';
import {
  cliOpXml, healInfoMissingXml, healInfoXml, OP_ERRNO, opErrorXml, peerStatusXml, volumeInfoXml, volumeStartXml, volumeStatusXml,
  type HealBrick, type StatusNode,
} from './gluster-xml.js';
import { REPLICA, type GlusterPool } from './pool.js';
import { BRICK_HOSTS, fail, ok, type CommandResult } from './types.js';

/** The CLI's default --timeout: how long it waits for glusterd. */
const CLI_TIMEOUT_MS = 120_000;

const USAGE = '\n Usage: gluster [options] <help> <peer> <pool> <volume>\n Options:\n --help  Shows the help information\n --version  Shows the version\n --print-logdir  Shows the log directory\n --print-statedumpdir Shows the state dump directory\n\n';

/** Runs `gluster ARGS` (the words after `gluster`) on `host`. */
export async function runGluster(pool: GlusterPool, host: string, args: readonly string[]): Promise<CommandResult> {
  let xml = false;
  let timeoutMs = CLI_TIMEOUT_MS;
  let i = 0;
  for (; i < args.length && (args[i] ?? '').startsWith('--'); i += 1) {
    const option = args[i] ?? '';
    if (option === '--xml') xml = true;
    else if (/^--timeout=\d+$/.test(option)) timeoutMs = Number(option.slice('--timeout='.length)) * 1000;
    else if (option !== '--mode=script') return fail(1, `${option}: unrecognized option\n`);
  }
  const words = args.slice(i);
  const glusterd = pool.units.view(host, 'glusterd.service');
  if (pool.hosts.get(host)?.role !== 'brick' || glusterd?.active !== 'active') return fail(1, '', 'Connection failed. Please check if gluster daemon is operational.\n');
  if (glusterd.frozen) {
    await pool.sleep(timeoutMs);
    return fail(1, 'Error : Request timed out\n');
  }
  const [group, verb, volume, ...rest] = words;
  if (group === 'volume' && verb === 'heal' && volume !== undefined && rest.length === 0) return launchHeal(pool, volume);
  if (!xml) return fail(1, 'the lab\'s gluster answers --xml only (and `volume heal VOL`)\n');
  const cli = new HostCli(pool, host);
  if (group === 'peer' && verb === 'status' && volume === undefined) return ok(cli.peerStatus());
  if (group === 'volume') {
    if (verb === 'info' && rest.length === 0) return ok(cli.volumeInfo(volume));
    if (verb === 'status' && volume !== undefined && rest.length <= 1) return ok(cli.volumeStatus(volume, rest[0]));
    if (verb === 'heal' && volume !== undefined && rest[0] === 'info' && rest.length <= 2 && (rest[1] === undefined || rest[1] === 'summary')) {
      return cli.healInfo(volume, rest[1] === 'summary');
    }
    if (verb === 'start' && volume !== undefined && rest.length <= 1 && (rest[0] === undefined || rest[0] === 'force')) return ok(cli.volumeStart(volume, rest[0] === 'force'));
    if (verb === 'set' && volume !== undefined && rest.length === 2) return ok(cli.volumeSet(volume, rest[0] ?? '', rest[1] ?? ''));
    if (verb === 'reset' && volume !== undefined && rest.length === 1) return ok(cli.volumeReset(volume, rest[0] ?? ''));
  }
  const known = group === 'volume' || group === 'peer' ? (verb === undefined ? 1 : 2) : 0;
  return fail(1, '', `unrecognized word: ${words[known] ?? ''} (position ${known})\n${USAGE}`);
}

function busyMessage(volume: string): string {
  return `Another transaction is in progress for ${volume}. Please try again after some time.`;
}

/** `volume heal VOL`: plain text, never XML. */
function launchHeal(pool: GlusterPool, volume: string): CommandResult {
  const launching = `Launching heal operation to perform index self heal on volume ${volume} has been`;
  const unsuccessful = (why: string): CommandResult => fail(1, `${launching} unsuccessful:\n${why}\n`);
  if (volume !== pool.volumeName) return unsuccessful(`Volume ${volume} does not exist`);
  if (pool.isBusy()) return unsuccessful(busyMessage(volume));
  if (!pool.triggerHeal()) return unsuccessful("Glusterd Syncop Mgmt brick op 'Heal' failed. Please check glustershd log file for details.");
  return ok(`${launching} successful \nUse heal info commands to check status.\n`);
}

/** The XML commands, as glusterd on `host` answers them. */
class HostCli {
  constructor(
    private readonly pool: GlusterPool,
    private readonly host: string,
  ) {}

  private uuid(host: string): string {
    return this.pool.hosts.get(host)?.uuid ?? '-';
  }

  peerStatus(): string {
    return peerStatusXml(BRICK_HOSTS.filter((h) => h !== this.host).map((h) => ({ uuid: this.uuid(h), hostname: h, connected: this.pool.peersConnected(this.host, h) })));
  }

  volumeInfo(volume: string | undefined): string {
    if (volume !== undefined && volume !== 'all' && volume !== this.pool.volumeName) return volumeInfoXml([], true);
    const bricks = this.pool.brickProcesses().map((b) => ({ name: brickName(b), uuid: this.uuid(b.host) }));
    return volumeInfoXml([{ name: this.pool.volumeName, id: this.pool.volumeId, replica: REPLICA, bricks, options: this.pool.options.list() }]);
  }

  volumeStatus(volume: string, brick: string | undefined): string {
    const fault = this.lockedOrMissing(volume);
    if (fault) return cliOpXml('volStatus', -1, fault.errno, fault.message, fault.message);
    const bricks = this.pool.brickProcesses();
    if (brick !== undefined && !bricks.some((b) => brickName(b) === brick)) {
      const message = `No brick ${brick} in volume ${volume}`;
      return cliOpXml('volStatus', -1, OP_ERRNO.failed, message, message);
    }
    const nodes: StatusNode[] = [];
    for (const b of bricks) {
      const sight = this.pool.sight(this.host, b);
      if (sight === 'absent' || (brick !== undefined && brickName(b) !== brick)) continue;
      nodes.push({ hostname: b.host, path: b.path, peerid: this.uuid(b.host), online: sight === 'online', port: b.port, pid: b.pid });
    }
    if (brick !== undefined) return volumeStatusXml(volume, nodes, false);
    const daemons = [this.host, ...BRICK_HOSTS.filter((h) => h !== this.host && this.pool.peersConnected(this.host, h))];
    for (const h of daemons) {
      nodes.push({ hostname: 'Self-heal Daemon', path: h === this.host ? 'localhost' : h, peerid: this.uuid(h), online: true, port: undefined, pid: this.pool.hosts.get(h)?.shdPid ?? -1 });
    }
    return volumeStatusXml(volume, nodes, true);
  }

  async healInfo(volume: string, summary: boolean): Promise<CommandResult> {
    if (volume !== this.pool.volumeName) return { code: 254, stdout: healInfoMissingXml(volume), stderr: '' };
    const hung = this.pool.brickProcesses().some((b) => !this.pool.reachableFrom(this.host, b) && !(b.state === 'killed' && this.pool.connected(this.host, b.host)));
    if (hung) await this.pool.sleep(this.pool.pingTimeoutMs());
    const pending = this.pool.pendingHeal();
    const bricks: HealBrick[] = this.pool.brickProcesses().map((b) => ({
      name: brickName(b), hostUuid: this.uuid(b.host), reached: this.pool.reachableFrom(this.host, b), entries: pending[brickName(b)] ?? 0,
    }));
    return ok(healInfoXml(bricks, summary));
  }

  volumeStart(volume: string, force: boolean): string {
    const fault = this.lockedOrMissing(volume);
    if (fault) return opErrorXml(fault.errno, fault.message);
    if (!force) return opErrorXml(OP_ERRNO.failed, `Volume ${volume} already started`);
    this.pool.startForce(this.host);
    return volumeStartXml(volume, this.pool.volumeId);
  }

  volumeSet(volume: string, key: string, value: string): string {
    const fault = this.lockedOrMissing(volume);
    if (fault) return cliOpXml('volSet', -1, fault.errno, fault.message, 'Set volume unsuccessful');
    const error = this.pool.options.set(key, value);
    return error ? cliOpXml('volSet', -1, OP_ERRNO.failed, error, 'Set volume unsuccessful') : cliOpXml('volSet', 0, 0, '', 'Set volume successful');
  }

  volumeReset(volume: string, key: string): string {
    const fault = this.lockedOrMissing(volume);
    if (fault) return cliOpXml('volReset', -1, fault.errno, fault.message, fault.message);
    const error = this.pool.options.reset(key);
    return error ? cliOpXml('volReset', -1, OP_ERRNO.failed, error, error) : cliOpXml('volReset', 0, 0, '', 'reset volume successful');
  }

  /** Why a lock-taking command on `volume` fails before it starts, if it does. */
  private lockedOrMissing(volume: string): { errno: number; message: string } | undefined {
    if (volume !== this.pool.volumeName) return { errno: OP_ERRNO.failed, message: `Volume ${volume} does not exist` };
    if (this.pool.isBusy()) return { errno: OP_ERRNO.lockHeld, message: busyMessage(volume) };
    return undefined;
  }
}
