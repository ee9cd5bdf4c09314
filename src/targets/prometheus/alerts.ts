/**
 * `prometheus.alerts`: no alert firing that matches the probe's labels and severities,
 * except the ones the experiment expects (the alert its own fault should raise). Rules:
 * Prometheus not answering is a probe error, never a breach; a breach names every offending
 * alert by name and labels. Pending alerts count only with `includePending`. Read-only.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { prometheusClient } from './client.js';
import { formatLabels, type Alert, type Labels } from './types.js';

/** Most alerts named in a detail; the rest are counted. */
const LISTED = 8;

/** A map of label names to exact values; a key that is not a Prometheus label name is reported at that key. */
const LabelMap = z.record(z.string(), z.string()).superRefine((map, ctx) => {
  for (const key of Object.keys(map)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      ctx.addIssue({ code: 'custom', message: `expected a label name (letters, digits, _), got ${JSON.stringify(key)}`, path: [key] });
    }
  }
});

/** The probe's keys; none is required (no key: any firing alert is a breach). */
export const AlertsProbeParams = z
  .object({
    /** Only alerts carrying every one of these labels with exactly these values count. */
    labels: LabelMap.optional(),
    /** Only alerts whose `severity` label is one of these count. */
    severity: z.array(z.string().min(1)).min(1, { error: 'list at least one severity' }).optional(),
    /** Alerts the experiment expects: an alert carrying every label of any one of these maps is ignored. */
    except: z
      .array(LabelMap.refine((m) => Object.keys(m).length > 0, 'an empty map would match every alert'))
      .default([]),
    /** Count pending alerts too (their `for` has not elapsed yet). Default false: firing only. */
    includePending: z.boolean().default(false),
  })
  .strict();
export type AlertsProbeParams = z.output<typeof AlertsProbeParams>;

function carries(alert: Alert, labels: Labels): boolean {
  return Object.entries(labels).every(([k, v]) => alert.labels[k] === v);
}

/** Whether `alert` is one the probe looks at (state, labels, severity), before exceptions. */
export function inScope(alert: Alert, p: AlertsProbeParams): boolean {
  if (alert.state !== 'firing' && !(p.includePending && alert.state === 'pending')) return false;
  if (p.labels && !carries(alert, p.labels)) return false;
  return p.severity === undefined || p.severity.includes(alert.labels['severity'] ?? '');
}

/** `LabTestAlert{instance="…", severity="critical"} firing`: an alert's name, labels and state. */
export function describeAlert(alert: Alert): string {
  const { alertname, ...rest } = alert.labels;
  return `${alertname ?? '(no alertname)'}${formatLabels(rest)} ${alert.state}`;
}

function listed(alerts: Alert[]): string {
  const shown = alerts.slice(0, LISTED).map(describeAlert);
  return shown.join(', ') + (alerts.length > LISTED ? `, and ${alerts.length - LISTED} more` : '');
}

/** One read of /api/v1/alerts per check. `value` is the number of offending alerts. */
export const alertsProbe = defineProbe<AlertsProbeParams>({
  type: 'prometheus.alerts',
  description: 'No alert firing (or pending, with includePending) that matches the given labels and severities, except the expected ones.',
  params: AlertsProbeParams,
  async check(ctx, p, signal) {
    const answer = await prometheusClient(ctx).alerts({ signal });
    const scoped = answer.data.filter((a) => inScope(a, p));
    const expected = scoped.filter((a) => p.except.some((m) => carries(a, m)));
    const offending = scoped.filter((a) => !expected.includes(a));
    const states = p.includePending ? 'firing or pending' : 'firing';
    const head = offending.length === 0 ? `no alert ${states}` : `${offending.length} alert${offending.length === 1 ? '' : 's'} ${states}: ${listed(offending)}`;
    const ignored = expected.length > 0 ? `; expected, ignored: ${listed(expected)}` : '';
    const note = answer.warnings.length > 0 ? `; warnings: ${answer.warnings.join('; ')}` : '';
    if (answer.warnings.length > 0) ctx.log.warn('prometheus answered with warnings', { call: 'alerts', warnings: answer.warnings });
    return { ok: offending.length === 0, value: offending.length, detail: head + ignored + note };
  },
});
