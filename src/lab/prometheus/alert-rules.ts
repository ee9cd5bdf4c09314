/**
 * The lab Prometheus's alerting rules and their alerts. Rules: each evaluation runs every
 * rule's expression at the evaluation time; a result series that was not active becomes a
 * *pending* alert (activeAt = that time) and turns *firing* once it has stayed active for the
 * rule's `for` (at once when `for` is 0); a series absent from a result resolves its alert,
 * which disappears; a rule whose evaluation fails keeps its alerts and reports `health:
 * "err"`; labels and annotations expand `{{ $labels.x }}` and `{{ $value }}`. A rule is
 * checked when added (expression, `for`, label names) and a bad one is refused.
 */
import { LABEL_NAME_RE, labelsKey, withoutName, type Labels } from './labels.js';
import { durationMs } from './promql/literals.js';
import { exprType, parsePromQL } from './promql/parse.js';
import { TYPE_NAMES } from './promql/ast.js';
import type { Value } from './promql/values.js';

/** An alerting rule, in the shape of a Prometheus rule file's entry. */
export interface AlertRuleSpec {
  alert: string;
  expr: string;
  /** How long a series must stay active before its alert fires (`30s`, `1m`); 0 when omitted. */
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** An active alert. */
export interface LabAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  /** Simulated ms when the series first appeared in the rule's result. */
  activeAt: number;
  value: number;
}

/** A rule as the rules API shows it. */
export interface RuleStatus {
  spec: AlertRuleSpec;
  forMs: number;
  state: 'inactive' | 'pending' | 'firing';
  health: 'unknown' | 'ok' | 'err';
  lastError: string | undefined;
  /** Simulated ms of the last evaluation, undefined before the first. */
  lastEvaluation: number | undefined;
  /** Real seconds the last evaluation took. */
  evaluationTime: number;
  alerts: LabAlert[];
}

/** The lab's default rules: what an operator of such a platform would page or warn on. */
export const LAB_ALERT_RULES: readonly AlertRuleSpec[] = [
  {
    alert: 'JupyterHubDown',
    expr: 'up{job="jupyterhub"} == 0',
    for: '30s',
    labels: { severity: 'critical' },
    annotations: { summary: 'JupyterHub is down', description: 'The hub at {{ $labels.instance }} has not answered its metrics scrape for 30 seconds.' },
  },
  {
    alert: 'KubeNodeNotReady',
    expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
    for: '1m',
    labels: { severity: 'warning' },
    annotations: { summary: 'Node {{ $labels.node }} is not ready', description: 'Kubernetes node {{ $labels.node }} has not been Ready for more than a minute.' },
  },
  {
    alert: 'GlusterHealBacklog',
    expr: 'gluster_heal_info_files_count > 0',
    for: '2m',
    labels: { severity: 'warning' },
    annotations: { summary: 'Brick {{ $labels.brick }} has entries pending heal', description: '{{ $value }} entries of volume {{ $labels.volume }} have been waiting for heal on {{ $labels.brick }} for 2 minutes.' },
  },
  {
    alert: 'GlusterBrickDown',
    expr: 'gluster_brick_up == 0',
    for: '1m',
    labels: { severity: 'warning' },
    annotations: { summary: 'Brick {{ $labels.hostname }}:{{ $labels.path }} is down', description: 'Brick {{ $labels.hostname }}:{{ $labels.path }} of volume {{ $labels.volume }} has been offline for a minute.' },
  },
  {
    alert: 'OpenStackServerNotActive',
    expr: 'openstack_nova_server_status{status!="ACTIVE"} == 1',
    for: '1m',
    labels: { severity: 'warning' },
    annotations: { summary: 'Server {{ $labels.name }} is {{ $labels.status }}', description: 'Nova server {{ $labels.name }} ({{ $labels.id }}) has not been ACTIVE for a minute.' },
  },
];

/** A rule that cannot be loaded. */
export class AlertRuleError extends Error {
  override readonly name = 'AlertRuleError';
}

interface RuleState {
  spec: AlertRuleSpec;
  forMs: number;
  active: Map<string, LabAlert>;
  health: RuleStatus['health'];
  lastError: string | undefined;
  lastEvaluation: number | undefined;
  evaluationTime: number;
}

/** Runs an instant query at a simulated time. */
export type RuleQuery = (expr: string, t: number) => Value;

/** The rule set of the lab's one rule group. */
export class AlertRules {
  private readonly rules = new Map<string, RuleState>();

  constructor(initial: readonly AlertRuleSpec[] = LAB_ALERT_RULES) {
    for (const spec of initial) this.add(spec);
  }

  /** Adds a rule, or replaces the rule of that name (its alerts start over). Throws `AlertRuleError` for a bad rule. */
  add(spec: AlertRuleSpec): void {
    const checked = checkRule(spec);
    this.rules.set(spec.alert, { spec: checked.spec, forMs: checked.forMs, active: new Map(), health: 'unknown', lastError: undefined, lastEvaluation: undefined, evaluationTime: 0 });
  }

  /** Removes a rule and its alerts; false when there was none of that name. */
  remove(name: string): boolean {
    return this.rules.delete(name);
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.clear();
  }

  /** Every rule with its state (copies), in the order added. */
  list(): RuleStatus[] {
    return [...this.rules.values()].map((r) => ({
      spec: structuredClone(r.spec),
      forMs: r.forMs,
      state: ruleState(r),
      health: r.health,
      lastError: r.lastError,
      lastEvaluation: r.lastEvaluation,
      evaluationTime: r.evaluationTime,
      alerts: [...r.active.values()].map((a) => structuredClone(a)),
    }));
  }

  /** Every pending or firing alert (copies). */
  alerts(): LabAlert[] {
    return this.list().flatMap((r) => r.alerts);
  }

  /** Evaluates every rule at `t`; returns the `ALERTS` / `ALERTS_FOR_STATE` series to record. */
  evaluate(t: number, query: RuleQuery): { labels: Labels; value: number }[] {
    const series: { labels: Labels; value: number }[] = [];
    for (const rule of this.rules.values()) {
      evaluateRule(rule, t, query);
      for (const alert of rule.active.values()) {
        series.push({ labels: { ...alert.labels, __name__: 'ALERTS', alertstate: alert.state }, value: 1 });
        series.push({ labels: { ...alert.labels, __name__: 'ALERTS_FOR_STATE' }, value: alert.activeAt / 1000 });
      }
    }
    return series;
  }
}

function evaluateRule(rule: RuleState, t: number, query: RuleQuery): void {
  const started = performance.now();
  rule.lastEvaluation = t;
  try {
    const value = query(rule.spec.expr, t);
    const samples = value.type === 'scalar' ? [{ labels: {}, value: value.value }] : value.type === 'vector' ? value.samples : undefined;
    if (!samples) throw new AlertRuleError(`rule result is not a vector or scalar`);
    const next = new Map<string, LabAlert>();
    for (const sample of samples) {
      const base = withoutName(sample.labels);
      const expand = (text: string): string => expandTemplate(text, base, sample.value);
      const labels: Record<string, string> = { ...base };
      for (const [name, text] of Object.entries(rule.spec.labels ?? {})) labels[name] = expand(text);
      labels['alertname'] = rule.spec.alert;
      const key = labelsKey(labels);
      if (next.has(key)) throw new AlertRuleError('vector contains metrics with the same labelset after applying alert labels');
      const annotations = Object.fromEntries(Object.entries(rule.spec.annotations ?? {}).map(([name, text]) => [name, expand(text)]));
      const previous = rule.active.get(key);
      next.set(key, { labels, annotations, state: previous?.state ?? 'pending', activeAt: previous?.activeAt ?? t, value: sample.value });
    }
    for (const alert of next.values()) if (alert.state === 'pending' && t - alert.activeAt >= rule.forMs) alert.state = 'firing';
    rule.active = next;
    rule.health = 'ok';
    rule.lastError = undefined;
  } catch (error) {
    rule.health = 'err';
    rule.lastError = error instanceof Error ? error.message : String(error);
  } finally {
    rule.evaluationTime = (performance.now() - started) / 1000;
  }
}

function ruleState(rule: RuleState): RuleStatus['state'] {
  const states = [...rule.active.values()].map((a) => a.state);
  return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : 'inactive';
}

/** Expands `{{ $labels.name }}`, `{{ .Labels.name }}`, `{{ $value }}` and `{{ .Value }}`; other text is kept. */
export function expandTemplate(text: string, labels: Labels, value: number): string {
  return text.replace(/\{\{\s*(?:\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)|\.Labels\.([a-zA-Z_][a-zA-Z0-9_]*)|(\$value|\.Value))\s*\}\}/g, (_m, a?: string, b?: string, v?: string) => {
    if (v) return String(value);
    return labels[a ?? b ?? ''] ?? '';
  });
}

function checkRule(spec: AlertRuleSpec): { spec: AlertRuleSpec; forMs: number } {
  const where = `alerting rule ${JSON.stringify(spec.alert)}`;
  if (typeof spec.alert !== 'string' || spec.alert.trim() === '') throw new AlertRuleError('an alerting rule needs a non-empty alert name');
  if (typeof spec.expr !== 'string' || spec.expr.trim() === '') throw new AlertRuleError(`${where}: expr is empty`);
  let type;
  try {
    type = exprType(parsePromQL(spec.expr));
  } catch (error) {
    throw new AlertRuleError(`${where}: ${(error as Error).message}`, { cause: error });
  }
  if (type !== 'vector' && type !== 'scalar') throw new AlertRuleError(`${where}: expr must give an instant vector or a scalar, got ${TYPE_NAMES[type]}`);
  const forMs = spec.for === undefined ? 0 : durationMs(spec.for);
  if (forMs === undefined) throw new AlertRuleError(`${where}: for ${JSON.stringify(spec.for)} is not a duration (like 30s, 1m, 1h30m)`);
  for (const name of [...Object.keys(spec.labels ?? {}), ...Object.keys(spec.annotations ?? {})]) {
    if (!LABEL_NAME_RE.test(name)) throw new AlertRuleError(`${where}: invalid label or annotation name ${JSON.stringify(name)}`);
  }
  if (spec.labels && 'alertname' in spec.labels) throw new AlertRuleError(`${where}: the alertname label is set by the rule itself`);
  return { spec: structuredClone(spec), forMs };
}
