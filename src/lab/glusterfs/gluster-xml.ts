/**
 * The `<cliOutput>` documents of `gluster --xml`, in the shapes captured from GlusterFS 10.3
 * (test/fixtures/glusterfs): element names, order and value formats (`N/A` ports, pid -1 of
 * a dead brick, hostUuid "-" and the run-together status text of a brick heal info cannot
 * reach, `<healInfo>` before the op fields, `<cliOp>`/`<output>` on set/reset/status errors).
 */
import { el, escapeXml, parent, xmlDocument, type XmlNode } from './xml.js';

/** glusterd's errno for a failed operation, and for a cluster lock held by another transaction. */
export const OP_ERRNO = { failed: 30800, lockHeld: 30802, noVolume: 30806 } as const;

/** The volume as `volume info` shows it. */
export interface VolumeInfoData {
  name: string;
  id: string;
  replica: number;
  bricks: { name: string; uuid: string }[];
  options: [string, string][];
}

/** One `<node>` of `volume status`. */
export interface StatusNode {
  hostname: string;
  path: string;
  peerid: string;
  online: boolean;
  port: number | undefined;
  pid: number;
}

/** One brick of `volume heal VOL info [summary]`. */
export interface HealBrick {
  name: string;
  hostUuid: string;
  reached: boolean;
  entries: number;
}

/** One peer of `peer status`. */
export interface PeerData {
  uuid: string;
  hostname: string;
  connected: boolean;
}

function opFields(ret: number, errno: number, errstr: string): XmlNode[] {
  return [el('opRet', ret), el('opErrno', errno), el('opErrstr', errstr)];
}

function cliOutput(children: XmlNode[]): string {
  return xmlDocument(parent('cliOutput', children));
}

/** `volume info`: the volumes given (none and `missing` → "Volume does not exist"). */
export function volumeInfoXml(volumes: VolumeInfoData[], missing = false): string {
  const op = missing ? opFields(-1, OP_ERRNO.noVolume, 'Volume does not exist') : opFields(0, 0, '');
  return cliOutput([...op, parent('volInfo', [parent('volumes', [...volumes.map(volumeNode), el('count', volumes.length)])])]);
}

function volumeNode(v: VolumeInfoData): XmlNode {
  const distributed = v.bricks.length > v.replica;
  return parent('volume', [
    el('name', v.name), el('id', v.id), el('status', 1), el('statusStr', 'Started'), el('snapshotCount', 0),
    el('brickCount', v.bricks.length), el('distCount', v.bricks.length / v.replica), el('replicaCount', v.replica),
    el('arbiterCount', 0), el('disperseCount', 0), el('redundancyCount', 0),
    el('type', distributed ? 7 : 2), el('typeStr', distributed ? 'Distributed-Replicate' : 'Replicate'), el('transport', 0),
    parent('bricks', v.bricks.map((b) => {
      const name = escapeXml(b.name);
      return { tag: 'brick', attrs: { uuid: b.uuid }, inline: `${name}<name>${name}</name><hostUuid>${b.uuid}</hostUuid><isArbiter>0</isArbiter>` };
    })),
    el('optCount', v.options.length),
    parent('options', v.options.map(([name, value]) => parent('option', [el('name', name), el('value', value)]))),
  ]);
}

/** `volume status VOL [BRICK]`: the nodes given; `tasks` adds the empty task list of a whole-volume status. */
export function volumeStatusXml(volume: string, nodes: StatusNode[], tasks: boolean): string {
  const nodeXml = nodes.map((n) => {
    const port = n.online && n.port !== undefined ? String(n.port) : 'N/A';
    return parent('node', [
      el('hostname', n.hostname), el('path', n.path), el('peerid', n.peerid), el('status', n.online ? 1 : 0), el('port', port),
      parent('ports', [el('tcp', port), el('rdma', 'N/A')]), el('pid', n.online ? n.pid : -1),
    ]);
  });
  const volumeChildren = [el('volName', volume), el('nodeCount', nodes.length), ...nodeXml, ...(tasks ? [parent('tasks', [])] : [])];
  return cliOutput([...opFields(0, 0, ''), parent('volStatus', [parent('volumes', [parent('volume', volumeChildren)])])]);
}

/** `volume heal VOL info summary` (or plain `info` when `summary` is false). */
export function healInfoXml(bricks: HealBrick[], summary: boolean): string {
  const brickXml = bricks.map((b): XmlNode => {
    if (!b.reached) {
      const status = summary ? 'Failed to process entries completely. (Transport endpoint is not connected)totalNumberOfEntries0' : 'Transport endpoint is not connected';
      return parent('brick', [el('name', b.name), el('status', status), ...(summary ? [] : [el('numberOfEntries', '-')])], { hostUuid: '-' });
    }
    const counts = summary
      ? [el('totalNumberOfEntries', b.entries), el('numberOfEntriesInHealPending', b.entries), el('numberOfEntriesInSplitBrain', 0), el('numberOfEntriesPossiblyHealing', 0)]
      : [el('numberOfEntries', b.entries)];
    return parent('brick', [el('name', b.name), el('status', 'Connected'), ...counts], { hostUuid: b.hostUuid });
  });
  return cliOutput([parent('healInfo', [parent('bricks', brickXml)]), ...opFields(0, 0, '')]);
}

/** `volume heal VOL info summary` of a volume that does not exist. */
export function healInfoMissingXml(volume: string): string {
  return cliOutput([parent('healInfo', [parent('bricks', [])]), ...opFields(-1, 2, `Volume ${volume} does not exist`)]);
}

/** `peer status`: every other peer of the pool. */
export function peerStatusXml(peers: PeerData[]): string {
  const peerXml = peers.map((p) => parent('peer', [
    el('uuid', p.uuid), el('hostname', p.hostname), parent('hostnames', [el('hostname', p.hostname)]),
    el('connected', p.connected ? 1 : 0), el('state', 3), el('stateStr', 'Peer in Cluster'),
  ]));
  return cliOutput([...opFields(0, 0, ''), parent('peerStatus', peerXml)]);
}

/** `volume start VOL force` that succeeded. */
export function volumeStartXml(volume: string, id: string): string {
  return cliOutput([...opFields(0, 0, ''), parent('volStart', [parent('volume', [el('name', volume), el('id', id)])])]);
}

/** The set/reset/status answer: op fields, then `<cliOp>` and `<output>`. */
export function cliOpXml(op: string, ret: number, errno: number, errstr: string, output: string): string {
  return cliOutput([...opFields(ret, errno, errstr), el('cliOp', op), el('output', output)]);
}

/** A failure with the op fields only (`volume start` of a missing volume, …). */
export function opErrorXml(errno: number, errstr: string): string {
  return cliOutput(opFields(-1, errno, errstr));
}
