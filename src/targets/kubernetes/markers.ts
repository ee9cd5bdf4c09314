/**
 * The marks gameday writes on the Kubernetes objects it changes, so a restarted daemon (or
 * another replica) finds them without the journal: one label to select by, three
 * annotations saying which run, fault and experiment made the change. Marks are written
 * before the change and removed by restore.
 */
import type { Marker } from '../types.js';

/** Label on every object gameday changed; its value is always `true`. */
export const INJECTED_LABEL = 'gameday.io/injected';
/** Label selector matching every marked object. */
export const INJECTED_SELECTOR = `${INJECTED_LABEL}=true`;
/** Annotation holding the run id. */
export const RUN_ANNOTATION = 'gameday.io/run';
/** Annotation holding the fault id (the journal row). */
export const FAULT_ANNOTATION = 'gameday.io/fault';
/** Annotation holding the experiment name. */
export const EXPERIMENT_ANNOTATION = 'gameday.io/experiment';

const ANNOTATIONS = [RUN_ANNOTATION, FAULT_ANNOTATION, EXPERIMENT_ANNOTATION] as const;

interface Meta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A JSON merge patch that marks an object. Applying it twice is harmless. */
export function markPatch(marker: Marker): { metadata: Required<Meta> } {
  return {
    metadata: {
      labels: { [INJECTED_LABEL]: 'true' },
      annotations: {
        [RUN_ANNOTATION]: marker.runId,
        [FAULT_ANNOTATION]: marker.faultId,
        [EXPERIMENT_ANNOTATION]: marker.experiment,
      },
    },
  };
}

/** A JSON merge patch that removes every mark and touches nothing else. */
export function unmarkPatch(): { metadata: { labels: Record<string, null>; annotations: Record<string, null> } } {
  return {
    metadata: {
      labels: { [INJECTED_LABEL]: null },
      annotations: Object.fromEntries(ANNOTATIONS.map((a) => [a, null])),
    },
  };
}

/** Whether the object carries any gameday mark. */
export function isMarked(meta: Meta | undefined): boolean {
  if (!meta) return false;
  return meta.labels?.[INJECTED_LABEL] !== undefined || ANNOTATIONS.some((a) => meta.annotations?.[a] !== undefined);
}

/** The marker written on an object, when it has the run annotation. */
export function readMarker(meta: Meta | undefined): Marker | undefined {
  const a = meta?.annotations;
  const runId = a?.[RUN_ANNOTATION];
  if (!a || !runId) return undefined;
  return { runId, faultId: a[FAULT_ANNOTATION] ?? '', experiment: a[EXPERIMENT_ANNOTATION] ?? '' };
}

/** A copy of the labels and annotations without gameday's marks; never mutates its input. */
export function withoutMarks<T extends Meta>(meta: T): T {
  const copy: T = { ...meta };
  if (meta.labels) {
    const { [INJECTED_LABEL]: _label, ...labels } = meta.labels;
    copy.labels = labels;
  }
  if (meta.annotations) {
    const annotations = { ...meta.annotations };
    for (const a of ANNOTATIONS) delete annotations[a];
    copy.annotations = annotations;
  }
  return copy;
}
