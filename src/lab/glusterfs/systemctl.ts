/**
 * `systemctl` on a lab host, answering as systemd 252 does for the verbs gameday and an
 * operator use: `is-active` (prints each unit's ActiveState; exit 0 when one is active, 3
 * otherwise; an unknown unit is `inactive`), `is-enabled` (enabled/disabled/alias; exit 0 /
 * 1; an unknown unit fails with exit 1), `show [-p PROP]… [--property=A,B] [--value] UNIT…`
 * (KEY=VALUE lines in systemd's own property order, a blank line between units; an unknown
 * unit is LoadState=not-found, exit 0), `start|stop|restart UNIT…` (silent, exit 0; an
 * unknown unit: exit 5 with systemd's message). Options: `--no-pager`, `-q/--quiet`,
 * `--no-block` (ignored: jobs finish at once here). Anything else is refused as the real
 * tool refuses it.
 */
import type { GlusterPool } from './pool.js';
import { fail, ok, type CommandResult } from './types.js';
import type { UnitSpec, UnitView } from './units.js';

/** The properties the lab knows, in the order `systemctl show` prints them (service interface first, then unit). */
const PROPERTY_ORDER = ['Type', 'Restart', 'PIDFile', 'MainPID', 'Result', 'Id', 'Names', 'Description', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState'] as const;
type Property = (typeof PROPERTY_ORDER)[number];

interface Options {
  quiet: boolean;
  value: boolean;
  properties: string[];
  words: string[];
}

/** The unit name systemctl uses for `name`: `.service` added when it has no unit suffix. */
function fullName(name: string): string {
  return /\.(service|socket|timer|target|mount|path|slice|scope|swap|device|automount)$/.test(name) ? name : `${name}.service`;
}

function parseOptions(args: readonly string[]): Options | CommandResult {
  const options: Options = { quiet: false, value: false, properties: [], words: [] };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      options.words.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-q' || arg === '--quiet') options.quiet = true;
    else if (arg === '--value') options.value = true;
    else if (arg === '--no-pager' || arg === '--no-block') continue;
    else if (arg === '-p' || arg === '--property') {
      const next = args[i + 1];
      if (next === undefined) return fail(1, `systemctl: option requires an argument -- '${arg === '-p' ? 'p' : 'property'}'\n`);
      options.properties.push(...next.split(','));
      i += 1;
    } else if (arg.startsWith('--property=')) options.properties.push(...arg.slice('--property='.length).split(','));
    else if (arg.startsWith('-p') && arg.length > 2) options.properties.push(...arg.slice(2).split(','));
    else if (arg.startsWith('--')) return fail(1, `systemctl: unrecognized option '${arg}'\n`);
    else if (arg.startsWith('-') && arg !== '-') return fail(1, `systemctl: invalid option -- '${arg.slice(1, 2)}'\n`);
    else options.words.push(arg);
  }
  return options;
}

/** Runs `systemctl ARGS` on `host`. */
export function runSystemctl(pool: GlusterPool, host: string, args: readonly string[]): CommandResult {
  const parsed = parseOptions(args);
  if ('code' in parsed) return parsed;
  const [verb, ...units] = parsed.words;
  if (verb === undefined) return fail(1, 'the lab\'s systemctl needs a verb: is-active, is-enabled, show, start, stop, restart\n');
  const known = ['is-active', 'is-enabled', 'show', 'start', 'stop', 'restart'];
  if (!known.includes(verb)) return fail(1, `Unknown command verb ${verb}.\n`);
  if (units.length === 0) return fail(1, 'Too few arguments.\n');
  if (verb === 'is-active') return isActive(pool, host, units, parsed.quiet);
  if (verb === 'is-enabled') return isEnabled(pool, host, units, parsed.quiet);
  if (verb === 'show') return show(pool, host, units, parsed);
  return act(pool, host, verb as 'start' | 'stop' | 'restart', units);
}

function isActive(pool: GlusterPool, host: string, units: string[], quiet: boolean): CommandResult {
  const states = units.map((u) => pool.units.view(host, u)?.active ?? 'inactive');
  return { code: states.includes('active') ? 0 : 3, stdout: quiet ? '' : states.map((s) => `${s}\n`).join(''), stderr: '' };
}

function isEnabled(pool: GlusterPool, host: string, units: string[], quiet: boolean): CommandResult {
  let stdout = '';
  let stderr = '';
  let anyEnabled = false;
  for (const name of units) {
    const spec = pool.units.find(host, name);
    if (!spec) {
      stderr += `Failed to get unit file state for ${fullName(name)}: No such file or directory\n`;
      continue;
    }
    const state = spec.aliases.includes(fullName(name)) ? 'alias' : spec.enabled ? 'enabled' : 'disabled';
    if (state !== 'disabled') anyEnabled = true;
    stdout += `${state}\n`;
  }
  return { code: anyEnabled && stderr === '' ? 0 : 1, stdout: quiet ? '' : stdout, stderr };
}

function properties(name: string, spec: UnitSpec | undefined, view: UnitView | undefined): Record<Property, string> {
  if (!spec || !view) {
    const id = fullName(name);
    return {
      Type: 'simple', Restart: 'no', PIDFile: '', MainPID: '0', Result: 'success', Id: id, Names: id, Description: id,
      LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead', UnitFileState: '',
    };
  }
  return {
    Type: spec.type, Restart: spec.restart, PIDFile: spec.pidFile ?? '', MainPID: String(view.mainPid), Result: view.result,
    Id: spec.name, Names: [spec.name, ...spec.aliases].join(' '), Description: spec.description,
    LoadState: 'loaded', ActiveState: view.active, SubState: view.sub, UnitFileState: spec.enabled ? 'enabled' : 'disabled',
  };
}

function show(pool: GlusterPool, host: string, units: string[], options: Options): CommandResult {
  const wanted = options.properties.length > 0 ? new Set(options.properties) : undefined;
  const blocks = units.map((name) => {
    const props = properties(name, pool.units.find(host, name), pool.units.view(host, name));
    return PROPERTY_ORDER.filter((p) => !wanted || wanted.has(p))
      .map((p) => (options.value ? `${props[p]}\n` : `${p}=${props[p]}\n`))
      .join('');
  });
  return ok(blocks.join('\n'));
}

function act(pool: GlusterPool, host: string, verb: 'start' | 'stop' | 'restart', units: string[]): CommandResult {
  let stderr = '';
  for (const name of units) {
    const full = fullName(name);
    if (!pool.units.find(host, name)) {
      stderr += verb === 'stop' ? `Failed to stop ${full}: Unit ${full} not loaded.\n` : `Failed to ${verb} ${full}: Unit ${full} not found.\n`;
      continue;
    }
    if (verb !== 'start') pool.units.stop(host, name);
    if (verb !== 'stop') pool.units.start(host, name);
  }
  return stderr ? fail(5, stderr) : ok();
}
