/**
 * The gluster CLI's `--xml` output, parsed into types. Every command's answer is a
 * `<cliOutput>` with `opRet` (0 = done), `opErrno` and `opErrstr`; the payload depends on the
 * command. Shapes follow what GlusterFS 10 prints (fixtures in test/fixtures/glusterfs).
 * Values are read as strings and converted here, so a field GlusterFS leaves out or prints
 * as `N/A` becomes null rather than a wrong number.
 */
import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { TargetError } from '../../../errors.js';

/** Elements that may repeat, always read as arrays (even when one appears). */
const LISTS = new Set(['volume', 'brick', 'node', 'peer', 'option']);

let parser: XMLParser | undefined;

/** The parser, built on first use (loading fast-xml-parser costs ~40 ms every CLI command would pay). */
function xmlParser(): XMLParser {
  if (parser) return parser;
  const { XMLParser: Parser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  return (parser = new Parser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name, jpath) => (name === 'hostname' ? String(jpath).endsWith('hostnames.hostname') : LISTS.has(name)),
  }));
}

type Node = Record<string, unknown>;

function asNode(value: unknown): Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : {};
}

function list(value: unknown): Node[] {
  return Array.isArray(value) ? value.map(asNode) : value === undefined || value === '' ? [] : [asNode(value)];
}

/** The text of a child element ('' when absent or empty). */
function text(node: Node, key: string): string {
  const value = node[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const inner = asNode(value)['#text'];
  return typeof inner === 'string' ? inner : '';
}

function int(node: Node, key: string): number | null {
  const raw = text(node, key);
  return /^-?\d+$/.test(raw) ? Number(raw) : null;
}

/** What every command answers besides its payload. */
export interface CliOutcome {
  opRet: number;
  opErrno: number;
  opErrstr: string;
}

/** The `<cliOutput>` element, or a non-retryable TargetError when the text is not gluster XML. */
export function parseCliOutput(xml: string, command: string): { outcome: CliOutcome; root: Node } {
  let doc: Node;
  try {
    doc = asNode(xmlParser().parse(xml));
  } catch (err) {
    throw new TargetError(`gluster ${command}: output is not XML (${(err as Error).message})`, { retryable: false, cause: err });
  }
  const root = doc['cliOutput'];
  if (root === undefined) throw new TargetError(`gluster ${command}: output has no <cliOutput> (got ${JSON.stringify(xml.slice(0, 120))})`, { retryable: false });
  const node = asNode(root);
  return { outcome: { opRet: int(node, 'opRet') ?? -1, opErrno: int(node, 'opErrno') ?? 0, opErrstr: text(node, 'opErrstr') }, root: node };
}

export interface VolumeBrick {
  /** `host:/path` as GlusterFS names it. */
  name: string;
  host: string;
  path: string;
  hostUuid: string;
  isArbiter: boolean;
}

export interface VolumeInfo {
  name: string;
  id: string;
  /** `Started`, `Stopped`, `Created`. */
  status: string;
  /** `Replicate`, `Distributed-Replicate`, `Disperse`, `Distribute`… */
  type: string;
  brickCount: number;
  distCount: number;
  replicaCount: number;
  arbiterCount: number;
  disperseCount: number;
  redundancyCount: number;
  bricks: VolumeBrick[];
  options: Record<string, string>;
}

function splitBrick(name: string): { host: string; path: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { host: '', path: name } : { host: name.slice(0, colon), path: name.slice(colon + 1) };
}

/** `volume info [VOL]`. */
export function parseVolumeInfo(root: Node): VolumeInfo[] {
  const volumes = asNode(asNode(root['volInfo'])['volumes']);
  return list(volumes['volume']).map((v) => {
    const options: Record<string, string> = {};
    for (const o of list(asNode(v['options'])['option'])) options[text(o, 'name')] = text(o, 'value');
    const bricks = list(asNode(v['bricks'])['brick']).map((b) => {
      const name = text(b, 'name') || text(b, '#text');
      return { name, ...splitBrick(name), hostUuid: text(b, 'hostUuid') || String(b['@uuid'] ?? ''), isArbiter: text(b, 'isArbiter') === '1' };
    });
    return {
      name: text(v, 'name'), id: text(v, 'id'), status: text(v, 'statusStr'), type: text(v, 'typeStr'),
      brickCount: int(v, 'brickCount') ?? bricks.length, distCount: int(v, 'distCount') ?? 1,
      replicaCount: int(v, 'replicaCount') ?? 1, arbiterCount: int(v, 'arbiterCount') ?? 0,
      disperseCount: int(v, 'disperseCount') ?? 0, redundancyCount: int(v, 'redundancyCount') ?? 0,
      bricks, options,
    };
  });
}

export interface BrickStatus {
  host: string;
  path: string;
  peerId: string;
  online: boolean;
  port: number | null;
  pid: number | null;
}

export interface VolumeStatus {
  volume: string;
  /** The bricks glusterd reported. A brick of a peer it cannot reach is missing, not offline. */
  bricks: BrickStatus[];
  /** Self-heal daemons, by the peer they run on. */
  selfHeal: { peerId: string; online: boolean; pid: number | null }[];
}

/** `volume status VOL [BRICK]`. */
export function parseVolumeStatus(root: Node): VolumeStatus[] {
  const volumes = asNode(asNode(root['volStatus'])['volumes']);
  return list(volumes['volume']).map((v) => {
    const bricks: BrickStatus[] = [];
    const selfHeal: VolumeStatus['selfHeal'] = [];
    for (const n of list(v['node'])) {
      const hostname = text(n, 'hostname');
      const online = text(n, 'status') === '1';
      const pid = int(n, 'pid');
      const livePid = pid !== null && pid > 0 ? pid : null;
      if (!text(n, 'path').startsWith('/')) {
        selfHeal.push({ peerId: text(n, 'peerid'), online, pid: livePid });
        continue;
      }
      bricks.push({ host: hostname, path: text(n, 'path'), peerId: text(n, 'peerid'), online, port: int(n, 'port'), pid: livePid });
    }
    return { volume: text(v, 'volName'), bricks, selfHeal };
  });
}

export interface BrickHeal {
  name: string;
  host: string;
  path: string;
  /** Whether the heal info could read this brick (`Connected`). */
  connected: boolean;
  /** GlusterFS's status text, e.g. `Transport endpoint is not connected`. */
  status: string;
  /** Entries needing heal on this brick; null when the brick could not be read. */
  total: number | null;
  pending: number | null;
  splitBrain: number | null;
  possiblyHealing: number | null;
}

/** `volume heal VOL info summary` (also reads plain `heal info`, whose count is `numberOfEntries`). */
export function parseHealInfo(root: Node): BrickHeal[] {
  const bricks = asNode(asNode(root['healInfo'])['bricks']);
  return list(bricks['brick']).map((b) => {
    const name = text(b, 'name');
    const status = text(b, 'status');
    const connected = status === 'Connected';
    const count = (key: string): number | null => (connected ? int(b, key) : null);
    return {
      name, ...splitBrick(name), connected, status: status.replace(/totalNumberOfEntries.*$/, '').trim(),
      total: count('totalNumberOfEntries') ?? count('numberOfEntries'),
      pending: count('numberOfEntriesInHealPending'), splitBrain: count('numberOfEntriesInSplitBrain'),
      possiblyHealing: count('numberOfEntriesPossiblyHealing'),
    };
  });
}

export interface Peer {
  uuid: string;
  hostname: string;
  hostnames: string[];
  connected: boolean;
  /** `Peer in Cluster`, `Peer Rejected`… */
  state: string;
}

/** `peer status` (the peers other than the host asked). */
export function parsePeerStatus(root: Node): Peer[] {
  return list(asNode(root['peerStatus'])['peer']).map((p) => {
    const names = asNode(p['hostnames'])['hostname'];
    const hostnames = (Array.isArray(names) ? names : names === undefined ? [] : [names]).map((h) => (typeof h === 'string' ? h : text(asNode(h), '#text')));
    return { uuid: text(p, 'uuid'), hostname: text(p, 'hostname'), hostnames, connected: text(p, 'connected') === '1', state: text(p, 'stateStr') };
  });
}
