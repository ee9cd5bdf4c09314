/**
 * A run record as it may be shown (CLI `--json`, reports): restore plans keep what was on
 * the objects so they can be put back (a bare pod's manifest, with its env), which is for
 * the journal only. Environment values and anything under a secret-looking key are masked;
 * the journal itself is never changed.
 */
import { redact } from '../log.js';
import type { RunDetail } from '../experiments/journal.js';

const MASK = '[redacted]';

function maskEnv(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => (key === 'env' && v && typeof v === 'object' && 'value' in v ? { ...(v as object), value: MASK } : maskEnv(v)));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskEnv(v, k)]));
  }
  return value;
}

/** The record with environment values and secrets masked. */
export function publicRunDetail(detail: RunDetail): unknown {
  return redact(maskEnv(detail), 0);
}
