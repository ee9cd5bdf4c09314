/**
 * The daemon's own gauges, in gameday's one registry (src/metrics.ts) so /metrics serves
 * them with the engine's: when the next game day starts, and whether this replica leads.
 */
import { Gauge } from 'prom-client';
import { registry } from '../metrics.js';

function gauge(name: string, help: string): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, registers: [registry] });
}

/** Epoch seconds of the next planned game day's start; 0 when none is planned. */
export const nextGamedayTimestampSeconds = gauge('gameday_next_gameday_timestamp_seconds', 'Start of the next planned game day (Unix seconds); 0 when none is planned.');

/** 1 while this replica schedules and runs (always 1 without leader election). */
export const leader = gauge('gameday_leader', '1 while this replica is the leader (schedules and runs); always 1 without leader election.');
