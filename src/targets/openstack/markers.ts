/**
 * How gameday marks what it changed on OpenStack, so that a restarted gameday finds it
 * without the journal. Server metadata carries who changed the server and with which
 * fault type; a port whose security groups or admin state were changed carries its prior
 * state as tags (`gameday-sg:<id>`, `gameday-up:<bool>`), since it must be restorable from
 * the port alone. Marks are written before the change and removed after the restore.
 */
import type { Marker } from '../types.js';

export const MARK_RUN = 'gameday:run';
export const MARK_FAULT = 'gameday:fault';
export const MARK_TYPE = 'gameday:type';
export const MARK_EXPERIMENT = 'gameday:experiment';
/** Every metadata key gameday sets on a server. */
export const SERVER_MARK_KEYS = [MARK_RUN, MARK_FAULT, MARK_TYPE, MARK_EXPERIMENT] as const;

/** The metadata to set on a server before changing it. Values fit Nova's 255-character limit. */
export function serverMarks(marker: Marker, faultType: string): Record<string, string> {
  return {
    [MARK_RUN]: marker.runId.slice(0, 255),
    [MARK_FAULT]: marker.faultId.slice(0, 255),
    [MARK_TYPE]: faultType,
    [MARK_EXPERIMENT]: marker.experiment.slice(0, 255),
  };
}

const SG_TAG = 'gameday-sg:';
const UP_TAG = 'gameday-up:';
/** Tag on the quarantine security group gameday creates for isolation. */
export const QUARANTINE_TAG = 'gameday';
export const QUARANTINE_GROUP = 'gameday-quarantine';

/** The tags recording a port's prior security groups and admin state. */
export function portStateTags(securityGroups: readonly string[], adminStateUp: boolean): string[] {
  return [...securityGroups.map((id) => `${SG_TAG}${id}`), `${UP_TAG}${String(adminStateUp)}`];
}

/** The prior state recorded in a port's tags, or undefined when the port carries none. */
export function portStateFromTags(tags: readonly string[]): { securityGroups: string[]; adminStateUp: boolean } | undefined {
  const up = tags.find((t) => t.startsWith(UP_TAG));
  if (!up) return undefined;
  return {
    securityGroups: tags.filter((t) => t.startsWith(SG_TAG)).map((t) => t.slice(SG_TAG.length)),
    adminStateUp: up.slice(UP_TAG.length) === 'true',
  };
}

/** Whether a tag is one of gameday's port-state tags. */
export function isStateTag(tag: string): boolean {
  return tag.startsWith(SG_TAG) || tag.startsWith(UP_TAG);
}
