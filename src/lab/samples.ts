/**
 * One sample of a lab series, as each part of the lab reports its state to the lab's
 * Prometheus-compatible API and its `/metrics` exposition. Counters and histogram buckets
 * are cumulative, as Prometheus expects them.
 */
export interface LabSample {
  /** Metric name with its suffix for histograms: `jupyterhub_server_spawn_duration_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** How a metric family is declared in the exposition (`# TYPE`). */
export type LabMetricType = 'counter' | 'gauge' | 'histogram';

/** A metric family: its samples and what `# HELP`/`# TYPE` say of it. */
export interface LabFamily {
  name: string;
  type: LabMetricType;
  help: string;
  samples: LabSample[];
}
