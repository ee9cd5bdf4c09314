/**
 * `targets.host` in the config: the machines whose processes and services faults may act on
 * (a hub on plain VMs, run by docker-compose or systemd), how gameday reaches each one (SSH
 * by default, or a local command on the machine gameday runs on), and where the fault
 * markers live on them. Hosts are an allow list: a fault acts only on a host named here.
 * Durations stay strings (settings are parsed more than once) and are read with
 * `parseDuration` where they are used.
 */
import { z } from 'zod';
import { HostTransportFields, SettingDuration, SshSettings, TransportKind, checkHostTransports } from '../../transport/settings.js';
import { MARKER_DIR_MESSAGE, MARKER_DIR_PATTERN } from './common/identifiers.js';

/** One machine: where and how to reach it. */
export const HostEntry = z.object({ ...HostTransportFields }).strict();
export type HostEntry = z.infer<typeof HostEntry>;

export const HostSettings = z
  .object({
    /** Every host faults may act on, by name (experiments select them with a glob on the name). */
    hosts: z.array(HostEntry).min(1),
    /** Default transport of every host. */
    transport: TransportKind.default('ssh'),
    ssh: SshSettings.optional(),
    /** Deadline of one command on a host (a restart command included, unless the fault gives its own). */
    commandTimeout: SettingDuration.default('1m'),
    /** Most commands in flight per host. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Directory on each host holding gameday's marker files (one per fault in place). Cleared at boot when under /run. */
    markerDir: z.string().regex(MARKER_DIR_PATTERN, MARKER_DIR_MESSAGE).default('/run/gameday/host'),
  })
  .strict()
  .superRefine((s, ctx) => checkHostTransports(s, ctx, 'targets.host'));
export type HostSettings = z.infer<typeof HostSettings>;
