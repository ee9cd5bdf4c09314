/**
 * Helpers for the lab's GlusterFS tests: a fast lab, commands over a real SSH connection
 * (the ssh2 client, checking the host key against the lab's known_hosts), arguments quoted
 * the way gameday's transport quotes them, and XML read back with fast-xml-parser or as the
 * set of its element paths (to compare shapes with the captured fixtures).
 */
import type { ExecutionContext } from 'ava';
import { XMLParser } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { Lab, LabOptions } from '../../src/lab/index.js';
import { labFor } from './helpers.js';

const { Client } = ssh2;

/** Simulated time runs this many times faster in these tests (ping-timeout 5 s = 50 ms). */
export const GLUSTER_SPEED = 100;

/** A lab at GLUSTER_SPEED on ephemeral ports, closed when the test ends; users' writes off unless `writeRate` is given. */
export async function glusterLab(t: ExecutionContext, options: LabOptions & { writeRate?: number } = {}): Promise<Lab> {
  const { writeRate = 0, ...labOptions } = options;
  const lab = await labFor(t, { speed: GLUSTER_SPEED, ...labOptions });
  lab.world.glusterfs.setWriteRate(writeRate);
  t.teardown(() => {
    if (lab.world.internalErrors.length > 0) throw new AggregateError(lab.world.internalErrors, 'the lab reported internal errors');
  });
  return lab;
}

/** Quotes each argument for POSIX sh: plain words bare, others in single quotes. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** What a command answered. */
export interface Ran {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** How to log in; defaults to the lab's key as root. */
export interface Login {
  username?: string;
  privateKey?: string;
}

/** Runs a command line (or argv, quoted) on a lab host over SSH, with `stdin` sent and closed when given. */
export function sshRun(lab: Lab, host: string, command: string | readonly string[], stdin?: string, login: Login = {}): Promise<Ran> {
  const endpoint = lab.endpoints.glusterfs[host];
  if (!endpoint) throw new Error(`no SSH endpoint for ${host}`);
  const line = typeof command === 'string' ? command : shellQuote(command);
  const known = knownKey(lab, endpoint.port);
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(line, (error, stream) => {
        if (error) {
          client.end();
          reject(error);
          return;
        }
        const ran: Ran = { code: undefined, stdout: '', stderr: '' };
        stream.on('data', (d: Buffer) => (ran.stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (ran.stderr += d.toString('utf8')));
        stream.on('exit', (code: number | null) => (ran.code = code ?? undefined));
        stream.on('close', () => {
          client.end();
          resolve(ran);
        });
        if (stdin !== undefined) stream.end(stdin);
      });
    });
    client.connect({
      host: endpoint.host, port: endpoint.port, username: login.username ?? 'root', privateKey: login.privateKey ?? lab.sshClientKey, readyTimeout: 2000,
      hostVerifier: (key: Buffer) => key.toString('base64') === known,
    });
    client.setNoDelay(true);
  });
}

/** `gluster --mode=script --xml ARGS` on a host. */
export function gluster(lab: Lab, host: string, ...args: string[]): Promise<Ran> {
  return sshRun(lab, host, ['gluster', '--mode=script', '--xml', ...args]);
}

/** The base64 host key known_hosts lists for a port. */
function knownKey(lab: Lab, port: number): string | undefined {
  const line = lab.knownHosts().split('\n').find((l) => l.startsWith(`[127.0.0.1]:${port} `));
  return line?.split(' ')[2];
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['volume', 'node', 'brick', 'peer', 'option'].includes(name) });

/** A `<node>` of `volume status`, values as text. */
export interface StatusNodeXml {
  hostname: string;
  path: string;
  peerid: string;
  status: string;
  port: string;
  ports: { tcp: string; rdma: string };
  pid: string;
}

/** A `<brick>` of `volume heal VOL info summary`, values as text. */
export interface HealBrickXml {
  '@hostUuid': string;
  name: string;
  status: string;
  totalNumberOfEntries?: string;
}

/** A `<peer>` of `peer status`, values as text. */
export interface PeerXml {
  uuid: string;
  hostname: string;
  connected: string;
}

/** The parts of a `<cliOutput>` document the tests read. */
export interface CliOutputXml {
  opRet: string;
  opErrno: string;
  opErrstr: string;
  cliOp?: string;
  output?: string;
  volStatus?: { volumes: { volume: { volName: string; nodeCount: string; node?: StatusNodeXml[] }[] } };
  healInfo?: { bricks: { brick?: HealBrickXml[] } | '' };
  peerStatus?: { peer?: PeerXml[] };
  volInfo?: { volumes: { count: string; volume?: { name: string; options: { option?: { name: string; value: string }[] } }[] } };
}

/** A `<cliOutput>` document (values as text; volume, node, brick, peer and option always lists). */
export function cliOutput(xml: string): CliOutputXml {
  const parsed = parser.parse(xml) as { cliOutput?: CliOutputXml };
  if (!parsed.cliOutput) throw new Error(`not a cliOutput document: ${xml.slice(0, 200)}`);
  return parsed.cliOutput;
}

/** The nodes of a `volume status` answer. */
export function statusNodes(xml: string): StatusNodeXml[] {
  return cliOutput(xml).volStatus?.volumes.volume[0]?.node ?? [];
}

/** The bricks of a `heal info` answer. */
export function healBricks(xml: string): HealBrickXml[] {
  const bricks = cliOutput(xml).healInfo?.bricks;
  return typeof bricks === 'object' ? (bricks.brick ?? []) : [];
}

/** The peers of a `peer status` answer. */
export function peers(xml: string): PeerXml[] {
  return cliOutput(xml).peerStatus?.peer ?? [];
}

/** The options `volume info` lists for the first volume, in order. */
export function volumeOptions(xml: string): [string, string][] {
  return (cliOutput(xml).volInfo?.volumes.volume?.[0]?.options.option ?? []).map((o) => [o.name, o.value]);
}

/** The distinct element paths of a document (`cliOutput/volStatus/volumes/volume/node/pid`, …), sorted. */
export function elementPaths(xml: string): string[] {
  const paths = new Set<string>();
  const stack: string[] = [];
  for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name = '', selfClosing] = m;
    if (closing) {
      stack.pop();
      continue;
    }
    paths.add([...stack, name].join('/'));
    if (!selfClosing) stack.push(name);
  }
  return [...paths].sort();
}

/** A captured GlusterFS 10.3 answer from test/fixtures/glusterfs. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/glusterfs/${name}`, import.meta.url), 'utf8');
}

/** Pending heal entries of the lab's bricks by host. */
export function pendingByHost(lab: Lab): Record<string, number> {
  return Object.fromEntries(lab.world.glusterfs.bricks().map((b) => [b.host, b.pendingHeal]));
}

/** Waits `simMs` of the lab's simulated time. */
export function simSleep(lab: Lab, simMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, lab.world.clock.toRealMs(simMs)));
}

/** The four rules gameday's partition inserts (chain, then the match words). */
export const PARTITION_RULES: readonly (readonly string[])[] = [
  ['INPUT', '!', '-i', 'lo', '-p', 'tcp', '!', '--dport', '22'],
  ['INPUT', '!', '-i', 'lo', '!', '-p', 'tcp'],
  ['OUTPUT', '!', '-o', 'lo', '-p', 'tcp', '!', '--sport', '22'],
  ['OUTPUT', '!', '-o', 'lo', '!', '-p', 'tcp'],
];

/** `iptables -w VERB CHAIN MATCH… -m comment --comment COMMENT [-m time --datestop …] -j DROP`. */
export function partitionRule(verb: '-I' | '-D' | '-C', rule: readonly string[], comment: string, datestop?: string): string[] {
  const [chain = '', ...match] = rule;
  return ['iptables', '-w', verb, chain, ...match, '-m', 'comment', '--comment', comment, ...(datestop ? ['-m', 'time', '--datestop', datestop] : []), '-j', 'DROP'];
}

/** Cuts `host` off as gameday does: the four DROP rules, SSH left open. */
export async function partition(lab: Lab, host: string, comment: string, datestop?: string): Promise<void> {
  for (const rule of PARTITION_RULES) {
    const ran = await sshRun(lab, host, partitionRule('-I', rule, comment, datestop));
    if (ran.code !== 0) throw new Error(`iptables -I failed on ${host}: ${ran.stderr}`);
  }
}

/** A simulated instant as the time match writes it (UTC, `YYYY-MM-DDThh:mm:ss`). */
export function iptablesTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** The pid `volume status` (run on `viewer`) shows for the brick on `host`. */
export async function statusPid(lab: Lab, viewer: string, host: string): Promise<string | undefined> {
  const status = await gluster(lab, viewer, 'volume', 'status', 'home');
  return statusNodes(status.stdout).find((n) => n.hostname === host)?.pid;
}

/** Simulated ms the last command run on `host` took inside the host (SSH overhead excluded). */
export function lastTookMs(lab: Lab, host: string): number {
  const last = lab.world.glusterfs.commands(host).at(-1);
  if (!last) throw new Error(`no command ran on ${host}`);
  return last.finishedAt - last.startedAt;
}
