/**
 * The configuration file (YAML): where the store lives, logging, default safety rules,
 * restore backoff, and one settings section per target. Checked like an experiment: strict,
 * every problem reported with file, line and column. Relative paths resolve against the
 * config file's directory, so a config works from any working directory.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigInvalidError, GamedayError, errorMessage, type PositionedIssue } from './errors.js';
import { Duration, formatDuration } from './duration.js';
import { MaxUnavailable } from './experiments/schema.js';
import { DaemonSection, toDaemonConfig, type DaemonConfig } from './daemon/config.js';
import type { LogFormat, LogLevel } from './log.js';
import { BlackoutFile, GamedayFile, emptyGamedaysConfig, loadGamedaysSections, type GamedaysConfig } from './scheduler/config.js';
import type { TargetModule } from './targets/types.js';
import { issueAt, issueMessages, parseYaml, positionZodIssues, sortIssues, valueAt } from './yaml-file.js';

/** The config file as written: every section optional, every key strict. */
export const ConfigFile = z
  .object({
    store: z.object({ path: z.string().min(1).optional() }).strict().prefault({}),
    log: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
        format: z.enum(['auto', 'text', 'json']).default('auto'),
      })
      .strict()
      .prefault({}),
    safety: z
      .object({
        maxUnavailable: MaxUnavailable.default(1),
        allow: z.array(z.string().min(1)).default([]),
        deny: z.array(z.string().min(1)).default([]),
        oneRunAtATime: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    restore: z
      .object({
        attempts: z.int().min(1).max(1000).default(8),
        initialDelay: Duration.prefault('500ms'),
        maxDelay: Duration.prefault('30s'),
      })
      .strict()
      .prefault({}),
    targets: z.record(z.string(), z.unknown()).default({}),
    gamedays: z.array(GamedayFile).default([]),
    blackouts: z.array(BlackoutFile).default([]),
    daemon: DaemonSection,
  })
  .strict();
export type ConfigFile = z.output<typeof ConfigFile>;

/** The loaded configuration: durations in milliseconds, paths absolute, target settings parsed. */
export interface Config {
  /** Absolute path of the file it came from; absent when built-in defaults are used. */
  file?: string;
  store: { path: string };
  log: { level: LogLevel; format: 'auto' | LogFormat };
  /** Defaults for experiments that set none, and limits on every run. */
  safety: { maxUnavailable: MaxUnavailable; allow: string[]; deny: string[]; oneRunAtATime: boolean };
  /** Capped exponential backoff with jitter for restores. */
  restore: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  /** One entry per configured target (`kubernetes`, `http`…), parsed by that target's `settings` schema. */
  targets: Readonly<Record<string, unknown>>;
  /** Game days and blackouts (`gamedays:`, `blackouts:`; src/scheduler/config.ts). */
  schedule: GamedaysConfig;
  /** The long-running service: HTTP API, auth, shutdown, leader election (src/daemon/config.ts). */
  daemon: DaemonConfig;
}

/** The target modules whose settings a config may hold. */
export interface TargetRegistry {
  targets: readonly TargetModule[];
}

/** The registry of every built-in target (src/targets/registry.ts), loaded on first use. */
export async function defaultTargetRegistry(): Promise<TargetRegistry> {
  return import('./targets/registry.js');
}

/** Where the run store goes without a config: `$XDG_STATE_HOME/gameday/gameday.db`, else `~/.local/state/gameday/gameday.db`. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state');
  return join(base, 'gameday', 'gameday.db');
}

/** The configuration used when there is no config file: built-in defaults, no targets configured. */
export function defaultConfig(): Config {
  return toConfig(ConfigFile.parse({}), undefined, {});
}

/**
 * The configuration from `path`, else from $GAMEDAY_CONFIG, else from ./config/gameday.yaml
 * when it exists, else the built-in defaults. Throws ConfigInvalidError listing every issue,
 * or GamedayError when a named file cannot be read.
 */
export async function loadConfig(path?: string, registry?: TargetRegistry): Promise<Config> {
  const fromEnv = process.env.GAMEDAY_CONFIG || undefined;
  const file = path ?? fromEnv ?? (existsSync('config/gameday.yaml') ? 'config/gameday.yaml' : undefined);
  if (file === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const from = path === undefined && fromEnv !== undefined ? ' (named by GAMEDAY_CONFIG)' : '';
    throw new GamedayError(`cannot read config file ${file}${from}: ${errorMessage(err)}`, { cause: err });
  }
  return validateConfigText(text, file, registry);
}

/** Checks a config given as text (named `file`, its relative paths resolved against that file's directory). */
export async function validateConfigText(text: string, file: string, registry?: TargetRegistry): Promise<Config> {
  const check = checkConfigText(text, file, registry ?? (await defaultTargetRegistry()));
  if (!check.ok) throw new ConfigInvalidError(check.issues);
  return check.config;
}

/** The outcome of checking a config: the config, or every issue found. */
export type ConfigCheck = { ok: true; config: Config } | { ok: false; issues: PositionedIssue[] };

/** Checks a config without throwing: every issue sorted by position, or the loaded config. */
export function checkConfigText(text: string, file: string, registry: TargetRegistry): ConfigCheck {
  const parsed = parseYaml(text, file, 'a gameday configuration');
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const { source } = parsed;
  const dir = dirname(resolve(file));
  const issues: PositionedIssue[] = [];
  const base = ConfigFile.safeParse(source.data, { error: issueMessages });
  if (!base.success) issues.push(...positionZodIssues(source, base.error.issues));
  const targets: Record<string, unknown> = {};
  const rawTargets = valueAt(source.data, ['targets']);
  const raw = isRecord(rawTargets) ? rawTargets : {};
  const known = [...registry.targets].map((t) => t.name).sort();
  for (const [name, value] of Object.entries(raw)) {
    const target = registry.targets.find((t) => t.name === name);
    if (!target) {
      const list = known.length > 0 ? `known: ${known.join(', ')}` : 'no targets are registered';
      issues.push(issueAt(source, ['targets', name], `unknown target ${JSON.stringify(name)}; ${list}`, 'key'));
      continue;
    }
    const result = target.settings.safeParse(resolveSettingsPaths(value, dir), { error: issueMessages });
    if (result.success) targets[name] = result.data;
    else issues.push(...positionZodIssues(source, result.error.issues, ['targets', name]));
  }
  if (base.success && base.data.restore.initialDelay > base.data.restore.maxDelay) {
    const max = formatDuration(base.data.restore.maxDelay);
    issues.push(issueAt(source, ['restore', 'initialDelay'], `expected a delay no longer than maxDelay (${max})`));
  }
  let schedule = emptyGamedaysConfig();
  if (base.success) {
    const loaded = loadGamedaysSections(source, base.data, (p) => resolveConfigPath(p, dir));
    schedule = loaded.config;
    issues.push(...loaded.issues);
  }
  if (!base.success || issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, config: toConfig(base.data, resolve(file), targets, schedule) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function toConfig(file: ConfigFile, path: string | undefined, targets: Record<string, unknown>, schedule = emptyGamedaysConfig()): Config {
  const dir = path === undefined ? process.cwd() : dirname(path);
  return {
    ...(path !== undefined && { file: path }),
    store: { path: file.store.path ? resolveConfigPath(file.store.path, dir) : defaultStorePath() },
    log: file.log,
    safety: file.safety,
    restore: {
      attempts: file.restore.attempts,
      initialDelayMs: file.restore.initialDelay,
      maxDelayMs: file.restore.maxDelay,
    },
    targets,
    schedule,
    daemon: toDaemonConfig(file.daemon, (p) => resolveConfigPath(p, dir)),
  };
}

/** Whether a settings key holds a path: `kubeconfig`, `file`, `path`, or a name ending in `File` or `Path`. */
export function isPathKey(key: string): boolean {
  return key === 'kubeconfig' || key === 'file' || key === 'path' || /[a-z0-9](File|Path)$/.test(key);
}

/**
 * A path from the config as an absolute path: `~` and `~/…` from the home directory,
 * relative paths from `dir`. Absolute paths, URLs (`scheme://…`) and empty strings are
 * returned unchanged.
 */
export function resolveConfigPath(value: string, dir: string): string {
  if (value === '' || isAbsolute(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  if (value === '~') return homedir();
  if (value.startsWith('~/')) return join(homedir(), value.slice(2));
  return resolve(dir, value);
}

/**
 * A copy of target settings with every path made absolute (see resolveConfigPath): the
 * string value of any key for which `isPathKey` holds, at any depth — so `{ file: PATH }`
 * secret references resolve too. Other values are copied unchanged; the input is not modified.
 */
export function resolveSettingsPaths(value: unknown, dir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveSettingsPaths(v, dir));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      typeof v === 'string' && isPathKey(key) ? resolveConfigPath(v, dir) : resolveSettingsPaths(v, dir),
    ]),
  );
}
