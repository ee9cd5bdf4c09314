/**
 * How gameday marks what it changed on a GlusterFS host, so a restarted gameday finds it
 * without the journal. A process or a firewall has no metadata to write on (and GlusterFS
 * cannot remove a `user.*` volume option once set), so the mark is a small file on the
 * brick's host, `/run/gameday/glusterfs/<fault id>`, holding the plan as one JSON line —
 * written before the change, removed after the restore. /run is cleared at boot, as are
 * the faults themselves (a reboot restarts the brick and drops the firewall rules).
 * Firewall rules also carry the comment `gameday:<fault id>`, so they are found by comment.
 */
import { z } from 'zod';
import { TargetError } from '../../errors.js';
import type { Marker } from '../types.js';
import { RULE_COMMENT_PATTERN } from './common/identifiers.js';
import type { Transport } from '../../transport/types.js';

export const MARKER_DIR = '/run/gameday/glusterfs';
/** Characters of a fault id as it appears in a marker file name and a rule comment. */
const FAULT_ID = /^[A-Za-z0-9._-]{1,180}$/;

/** What a marker file holds: who made the change, and the plan's data to undo it. */
export const MarkerRecord = z.object({
  runId: z.string(),
  faultId: z.string().regex(FAULT_ID),
  experiment: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
}).strict();
export type MarkerRecord = z.infer<typeof MarkerRecord>;

function checkFaultId(faultId: string): string {
  if (!FAULT_ID.test(faultId)) throw new TargetError(`refusing fault id ${JSON.stringify(faultId)} in a marker: unexpected characters`, { retryable: false });
  return faultId;
}

/** The firewall-rule comment of a fault. */
export function ruleComment(faultId: string): string {
  const comment = `gameday:${checkFaultId(faultId)}`;
  if (!RULE_COMMENT_PATTERN.test(comment)) throw new TargetError(`rule comment ${comment} has an unexpected shape`, { retryable: false });
  return comment;
}

async function expectOk(promise: ReturnType<Transport['run']>, what: string, host: string): Promise<void> {
  const result = await promise;
  if (result.code !== 0) throw new TargetError(`${host}: ${what} failed: ${(result.stderr || result.stdout).trim() || `exit ${result.code ?? result.signal}`}`, { retryable: true });
}

/** Writes the marker file (idempotent: the same fault rewrites the same file). */
export async function writeMarker(transport: Transport, marker: Marker, type: string, data: Record<string, unknown>): Promise<void> {
  const record: MarkerRecord = { runId: marker.runId, faultId: checkFaultId(marker.faultId), experiment: marker.experiment, type, data };
  await expectOk(transport.run(['mkdir', '-p', '-m', '0700', MARKER_DIR]), `mkdir ${MARKER_DIR}`, transport.host);
  await expectOk(transport.run(['dd', `of=${MARKER_DIR}/${marker.faultId}`, 'conv=fsync', 'status=none'], { stdin: `${JSON.stringify(record)}\n` }), 'writing the marker file', transport.host);
}

/** Removes the marker file; a missing file is fine. */
export async function removeMarker(transport: Transport, faultId: string): Promise<void> {
  await expectOk(transport.run(['rm', '-f', '--', `${MARKER_DIR}/${checkFaultId(faultId)}`]), 'removing the marker file', transport.host);
}

/** Every marker file on the host, parsed; files that are not gameday markers are skipped with a warning. */
export async function readMarkers(transport: Transport, warn: (message: string) => void): Promise<MarkerRecord[]> {
  // grep -r prints "path:line" for every line of every file; -s: a missing directory is no error
  const result = await transport.run(['grep', '-r', '-s', '-H', '--', '', MARKER_DIR]);
  if (result.code !== 0 && result.code !== 1 && result.code !== 2) throw new TargetError(`${transport.host}: listing ${MARKER_DIR} failed: ${result.stderr.trim()}`, { retryable: true });
  const records: MarkerRecord[] = [];
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf(':{');
    if (at < 0) continue;
    try {
      records.push(MarkerRecord.parse(JSON.parse(line.slice(at + 1))));
    } catch {
      warn(`${transport.host}: ${line.slice(0, at)} is not a gameday marker; left alone`);
    }
  }
  return records;
}
