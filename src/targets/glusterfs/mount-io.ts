/**
 * `glusterfs.mount.io`: what users feel. On a client host that has the volume mounted,
 * writes a small file (synced), reads it back, compares, and deletes it, within a latency
 * bound. A failed write/read or a mismatch is a breach; a host that does not answer is an
 * error. The file name carries the run id, so concurrent probes never collide.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { defineProbe } from '../types.js';
import { glusterfsClient } from './client.js';
import { CLIENT_PATH_PATTERN, HOST_PATTERN } from './common/identifiers.js';

export const MountIoKeys = z
  .object({
    /** A host of targets.glusterfs.hosts (usually role client) with the volume mounted. */
    host: z.string().regex(HOST_PATTERN, 'expected a host of targets.glusterfs.hosts'),
    /** A directory inside the mount, where the probe may create its file. */
    path: z.string().regex(CLIENT_PATH_PATTERN, 'expected an absolute path of plain characters'),
    /** Longest the write + read + delete may take. */
    maxLatency: z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) }).default('5s'),
    /** Size of the file written, in bytes. */
    bytes: z.number().int().min(1).max(1_048_576).default(4096),
  })
  .strict();
export type MountIoKeys = z.infer<typeof MountIoKeys>;

export const mountIo = defineProbe<MountIoKeys>({
  type: 'glusterfs.mount.io',
  description: 'Write, read back and delete a small file through a client mount within `maxLatency`.',
  params: MountIoKeys,
  async check(ctx, params, signal) {
    const transport = glusterfsClient(ctx).transport(params.host);
    const limitMs = parseDuration(params.maxLatency) ?? 5000;
    const runPart = ctx.runId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
    const file = `${params.path.replace(/\/$/, '')}/.gameday-probe-${runPart}-${randomBytes(4).toString('hex')}`;
    const content = randomBytes(Math.ceil(params.bytes / 2)).toString('hex').slice(0, params.bytes);
    const deadline = { timeoutMs: limitMs * 4 + 10_000, signal };
    const started = performance.now();
    let removed = false;
    try {
      const write = await transport.run(['dd', `of=${file}`, 'conv=fsync', 'status=none'], { ...deadline, stdin: content });
      if (write.code !== 0) return { ok: false, value: null, detail: `write failed on ${params.host}: ${write.stderr.trim() || `exit ${write.code ?? write.signal}`}` };
      const read = await transport.run(['cat', '--', file], deadline);
      const rm = await transport.run(['rm', '-f', '--', file], deadline);
      removed = rm.code === 0;
      const ms = Math.round(performance.now() - started);
      if (read.code !== 0) return { ok: false, value: ms, detail: `read failed on ${params.host}: ${read.stderr.trim() || `exit ${read.code ?? read.signal}`}` };
      if (read.stdout !== content) return { ok: false, value: ms, detail: `read back ${read.stdout.length} bytes that differ from the ${content.length} written` };
      if (!removed) return { ok: false, value: ms, detail: `delete failed on ${params.host}: ${rm.stderr.trim()}` };
      return { ok: ms <= limitMs, value: ms, detail: `write+read+delete of ${params.bytes} bytes in ${ms} ms (max ${limitMs} ms)` };
    } finally {
      // a failed or interrupted check must not leave its file in users' home volume
      if (!removed) await transport.run(['rm', '-f', '--', file], { timeoutMs: 10_000 }).catch(() => undefined);
    }
  },
});
