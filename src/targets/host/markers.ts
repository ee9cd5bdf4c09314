/**
 * How gameday marks what it changed on a host, so a restarted gameday finds it without the
 * journal. A process or a stopped unit has no metadata to write on, so the mark is a file
 * on the host, `<markerDir>/<fault id>` (default /run/gameday/host), holding one JSON line:
 * who made the change and the plan's data to undo it. It is written before the change and
 * removed after the restore; a reboot clears /run, and the process or unit restarts with the
 * machine anyway.
 */
import { z } from 'zod';
import { TargetError } from '../../errors.js';
import { commandFailure, type Transport } from '../../transport/types.js';
import type { Marker } from '../types.js';
import { checkFaultId, checkPath } from './common/identifiers.js';

/** What a marker file holds: who made the change, and the plan's data to undo it. */
export const MarkerRecord = z
  .object({
    runId: z.string(),
    faultId: z.string(),
    experiment: z.string(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
export type MarkerRecord = z.infer<typeof MarkerRecord>;

async function expectOk(transport: Transport, argv: string[], what: string, stdin?: string): Promise<void> {
  const result = await transport.run(argv, stdin === undefined ? {} : { stdin });
  if (result.code !== 0) throw new TargetError(`${transport.host}: ${what} failed: ${commandFailure(result)}`, { retryable: true });
}

/** Writes the marker file, synced to disk (idempotent: the same fault rewrites the same file). */
export async function writeMarker(transport: Transport, dir: string, marker: Marker, type: string, data: Record<string, unknown>): Promise<void> {
  const record: MarkerRecord = { runId: marker.runId, faultId: checkFaultId(marker.faultId), experiment: marker.experiment, type, data };
  await expectOk(transport, ['mkdir', '-p', '-m', '0700', checkPath(dir)], `mkdir ${dir}`);
  await expectOk(transport, ['dd', `of=${dir}/${marker.faultId}`, 'conv=fsync', 'status=none'], 'writing the marker file', `${JSON.stringify(record)}\n`);
}

/** Whether the fault's marker file is on the host. */
export async function hasMarker(transport: Transport, dir: string, faultId: string): Promise<boolean> {
  const result = await transport.run(['cat', '--', `${checkPath(dir)}/${checkFaultId(faultId)}`]);
  return result.code === 0;
}

/** Removes the marker file; a missing file is fine. */
export async function removeMarker(transport: Transport, dir: string, faultId: string): Promise<void> {
  await expectOk(transport, ['rm', '-f', '--', `${checkPath(dir)}/${checkFaultId(faultId)}`], 'removing the marker file');
}

/** Every marker file in `dir` on the host, parsed; a file that is not a gameday marker is skipped with a warning. */
export async function readMarkers(transport: Transport, dir: string, warn: (message: string) => void): Promise<MarkerRecord[]> {
  // grep -r prints "path:line" for every line of every file; -s: a missing directory is no error
  const result = await transport.run(['grep', '-r', '-s', '-H', '--', '', checkPath(dir)]);
  if (result.code !== 0 && result.code !== 1 && result.code !== 2) throw new TargetError(`${transport.host}: listing ${dir} failed: ${commandFailure(result)}`, { retryable: true });
  const records: MarkerRecord[] = [];
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf(':{');
    if (at < 0) continue;
    const parsed = MarkerRecord.safeParse(parseJson(line.slice(at + 1)));
    if (parsed.success) records.push(parsed.data);
    else warn(`${transport.host}: ${line.slice(0, at)} is not a gameday marker; left alone`);
  }
  return records;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
