/**
 * Loading an experiment file: YAML with positions, the experiment schema, then each
 * registered fault and probe type's own schemas on their parts of the file. Every problem
 * is collected before anything is returned, so one run of the loader lists them all; an
 * experiment with any problem never reaches the runner.
 */
import { readFile } from 'node:fs/promises';
import { ExperimentInvalidError, GamedayError, errorMessage, type PositionedIssue } from '../errors.js';
import type { AnyFaultType, AnyProbeType } from '../targets/types.js';
import {
  issueAt,
  issueMessages,
  parseYaml,
  positionZodIssues,
  sortIssues,
  valueAt,
  type DataPath,
  type YamlSource,
} from '../yaml-file.js';
import type { LoadedExperiment, LoadedProbe } from './model.js';
import { ExperimentFile, probeCommonKeys } from './schema.js';

/** The fault and probe types an experiment may name. */
export interface TypeRegistry {
  faultTypes: ReadonlyMap<string, AnyFaultType>;
  probeTypes: ReadonlyMap<string, AnyProbeType>;
}

/** The registry of every built-in target (src/targets/registry.ts), loaded on first use. */
export async function defaultTypeRegistry(): Promise<TypeRegistry> {
  return import('../targets/registry.js');
}

/** The outcome of checking an experiment: the loaded experiment, or every issue found. */
export type ExperimentCheck = { ok: true; experiment: LoadedExperiment } | { ok: false; issues: PositionedIssue[] };

/**
 * Reads and checks the experiment in `file`. Throws ExperimentInvalidError listing every
 * issue (as `file:line:col path: message`), or GamedayError when the file cannot be read.
 */
export async function loadExperiment(file: string, registry?: TypeRegistry): Promise<LoadedExperiment> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GamedayError(`cannot read experiment file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return validateExperimentText(text, file, registry);
}

/** Checks an experiment given as text (named `file` in issues); throws ExperimentInvalidError with every issue. */
export async function validateExperimentText(text: string, file: string, registry?: TypeRegistry): Promise<LoadedExperiment> {
  const check = checkExperimentText(text, file, registry ?? (await defaultTypeRegistry()));
  if (!check.ok) throw new ExperimentInvalidError(check.issues);
  return check.experiment;
}

/** Checks an experiment without throwing: every issue, sorted by position, or the loaded experiment. */
export function checkExperimentText(text: string, file: string, registry: TypeRegistry): ExperimentCheck {
  const parsed = parseYaml(text, file, 'an experiment (apiVersion, kind, metadata, spec)');
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const { source } = parsed;
  const issues: PositionedIssue[] = [];
  const base = ExperimentFile.safeParse(source.data, { error: issueMessages });
  if (!base.success) issues.push(...positionZodIssues(source, base.error.issues));
  const fault = checkFault(source, registry, issues);
  const probes = checkProbes(source, registry, issues);
  if (!base.success || !fault || !probes || issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, experiment: build(file, source.data, base.data, fault, probes) };
}

const FAULT: DataPath = ['spec', 'fault'];
const PROBES: DataPath = ['spec', 'steadyState', 'probes'];

interface CheckedFault {
  fault: AnyFaultType;
  selector: unknown;
  params: unknown;
}

interface CheckedProbe {
  probe: AnyProbeType;
  params: unknown;
}

/** The fault type's checks on `spec.fault`; undefined when anything is wrong or cannot be checked. */
function checkFault(source: YamlSource, registry: TypeRegistry, issues: PositionedIssue[]): CheckedFault | undefined {
  const raw = valueAt(source.data, FAULT);
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const fault = registry.faultTypes.get(raw.type);
  if (!fault) {
    issues.push(issueAt(source, [...FAULT, 'type'], unknownType('fault', raw.type, registry.faultTypes)));
  }
  let selector: unknown;
  let ok = fault !== undefined;
  if (isRecord(raw.target)) {
    const { count, percent, ...rest } = raw.target;
    if (count !== undefined && percent !== undefined) {
      issues.push(issueAt(source, [...FAULT, 'target', 'percent'], 'use either count or percent, not both', 'key'));
      ok = false;
    }
    if (fault) {
      const result = fault.target.safeParse(rest, { error: issueMessages });
      if (result.success) selector = result.data;
      else issues.push(...positionZodIssues(source, result.error.issues, [...FAULT, 'target']));
      ok &&= result.success;
    }
  }
  let params: unknown;
  if (fault && (raw.params === undefined || isRecord(raw.params))) {
    const result = fault.params.safeParse(raw.params ?? {}, { error: issueMessages });
    if (result.success) params = result.data;
    else issues.push(...positionZodIssues(source, result.error.issues, [...FAULT, 'params']));
    ok &&= result.success;
  }
  return ok && fault ? { fault, selector, params } : undefined;
}

/** Each probe type's checks on its probe's own keys, plus unique names and phases; undefined on any problem. */
function checkProbes(source: YamlSource, registry: TypeRegistry, issues: PositionedIssue[]): CheckedProbe[] | undefined {
  const raw = valueAt(source.data, PROBES);
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return undefined;
  const firstByName = new Map<string, number>();
  const checked: CheckedProbe[] = [];
  let ok = true;
  for (const [i, item] of raw.entries()) {
    if (!isRecord(item)) {
      ok = false;
      continue;
    }
    const at: DataPath = [...PROBES, i];
    if (typeof item.name === 'string') {
      const first = firstByName.get(item.name);
      if (first === undefined) firstByName.set(item.name, i);
      else {
        issues.push(issueAt(source, [...at, 'name'], `duplicate probe name "${item.name}" (also used by probes[${first}])`));
        ok = false;
      }
    }
    ok = checkPhasesUnique(source, at, item.phases, issues) && ok;
    if (typeof item.type !== 'string') {
      ok = false;
      continue;
    }
    const probe = registry.probeTypes.get(item.type);
    if (!probe) {
      issues.push(issueAt(source, [...at, 'type'], unknownType('probe', item.type, registry.probeTypes)));
      ok = false;
      continue;
    }
    const own = Object.fromEntries(Object.entries(item).filter(([key]) => !Object.hasOwn(probeCommonKeys, key)));
    const result = probe.params.safeParse(own, { error: issueMessages });
    if (!result.success) {
      issues.push(...positionZodIssues(source, result.error.issues, at));
      ok = false;
      continue;
    }
    checked.push({ probe, params: result.data });
  }
  return ok ? checked : undefined;
}

function checkPhasesUnique(source: YamlSource, at: DataPath, phases: unknown, issues: PositionedIssue[]): boolean {
  if (!Array.isArray(phases)) return true;
  let ok = true;
  for (const [j, phase] of phases.entries()) {
    if (typeof phase === 'string' && phases.indexOf(phase) < j) {
      issues.push(issueAt(source, [...at, 'phases', j], `duplicate phase "${phase}"`));
      ok = false;
    }
  }
  return ok;
}

function unknownType(kind: 'fault' | 'probe', type: string, known: ReadonlyMap<string, unknown>): string {
  const names = [...known.keys()].sort();
  const list = names.length > 0 ? `known: ${names.join(', ')}` : `no ${kind} types are registered`;
  return `unknown ${kind} type ${JSON.stringify(type)}; ${list}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function build(file: string, data: unknown, doc: ExperimentFile, fault: CheckedFault, probes: CheckedProbe[]): LoadedExperiment {
  const spec = doc.spec;
  const steady = spec.steadyState;
  const loadedProbes: LoadedProbe[] = steady.probes.map((p, i) => ({
    name: p.name,
    type: p.type,
    probe: (probes[i] as CheckedProbe).probe,
    phases: p.phases,
    timeoutMs: p.timeout ?? steady.timeout,
    onError: p.onError,
    breachAfter: p.breachAfter,
    params: (probes[i] as CheckedProbe).params,
  }));
  const { count, percent } = spec.fault.target;
  const safety = spec.safety ?? {};
  return {
    file,
    name: doc.metadata.name,
    ...(doc.metadata.description !== undefined && { description: doc.metadata.description }),
    tags: doc.metadata.tags,
    fault: {
      type: spec.fault.type,
      fault: fault.fault,
      selector: fault.selector,
      ...(count !== undefined && { count }),
      ...(percent !== undefined && { percent }),
      durationMs: spec.fault.duration,
      params: fault.params,
    },
    steadyState: { intervalMs: steady.interval, probes: loadedProbes },
    recovery: { withinMs: spec.recovery.within },
    safety: {
      ...(safety.maxUnavailable !== undefined && { maxUnavailable: safety.maxUnavailable }),
      ...(safety.allow !== undefined && { allow: safety.allow }),
      ...(safety.deny !== undefined && { deny: safety.deny }),
    },
    source: data,
  };
}
