#!/usr/bin/env node
/**
 * The `gameday` command. Only commander is loaded up front; each command's module (and
 * with it the store, the Kubernetes client, the lab) is imported when that command runs,
 * so `gameday --version` and `gameday validate` start fast.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT } from './exit-codes.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('gameday')
  .description('Rehearse failures of JupyterHub on Kubernetes on OpenStack, safely: inject, watch, always restore, report.')
  .version(pkg.version, '-V, --version')
  .option('-c, --config <file>', 'config file (default: $GAMEDAY_CONFIG, else ./config/gameday.yaml, else built-in defaults)')
  .option('--store <file>', 'run store (SQLite) to use instead of the config\'s store.path')
  .addOption(new Option('--log-level <level>', 'log level').choices(['error', 'warn', 'info', 'debug']))
  .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']))
  .showHelpAfterError()
  .addHelpText('after', `
Exit codes: ${EXIT.ok} passed (or dry run) · ${EXIT.failed} hypothesis failed, aborted or not steady · ${EXIT.invalid} invalid input · ${EXIT.restoreFailed} restore failed · ${EXIT.refused} refused (halted, another run holds the lock) · ${EXIT.error} unexpected error`);

type Opts = Record<string, unknown>;
const global = (): Opts => program.opts();

program
  .command('validate')
  .description('check experiment files; every problem is printed as file:line:col path: message')
  .argument('<files...>', 'experiment files')
  .option('--json', 'print the result as JSON')
  .action(async (files: string[], opts: Opts) => (await import('./validate.js')).validateCommand(files, { ...global(), ...opts }));

program
  .command('run')
  .description('run one experiment: steady state, inject, hold, restore, verify recovery')
  .argument('<file>', 'experiment file (with --remote: the name of a catalog experiment)')
  .option('--dry-run', 'select targets and check the steady state, print what would be done, change nothing')
  .option('--json', 'print the run record as JSON instead of progress')
  .option('--remote', 'have a running daemon run it (--daemon URL, $GAMEDAY_DAEMON_URL or daemon.url)')
  .option('--daemon <url>', 'the daemon to use with --remote')
  .option('--token-file <file>', 'file holding the daemon API token (default: $GAMEDAY_TOKEN)')
  .action(async (file: string, opts: Opts) => (await import('./run.js')).runCommand(file, { ...global(), ...opts }));

program
  .command('list')
  .description('the shipped experiment catalog')
  .option('--json', 'print as JSON')
  .action(async (opts: Opts) => (await import('./list.js')).listCommand({ ...global(), ...opts }));

program
  .command('history')
  .description('past runs, newest first')
  .option('-n, --limit <n>', 'how many', '20')
  .option('--experiment <name>', 'only this experiment')
  .option('--json', 'print as JSON')
  .action(async (opts: Opts) => (await import('./history.js')).historyCommand({ ...global(), ...opts }));

program
  .command('schedule')
  .description('the next planned game days and what they will run, or the blackout or rule that skips them')
  .option('-n, --count <n>', 'how many game days', '10')
  .option('--from <iso>', 'plan from this time (ISO 8601; default now)')
  .option('--json', 'print as JSON')
  .action(async (opts: Opts) => (await import('./schedule.js')).scheduleCommand({ ...global(), ...opts }));

program
  .command('show')
  .description('one run: steps, probe results, faults (id or unique prefix)')
  .argument('<run>', 'run id or a unique prefix of it')
  .option('--json', 'print as JSON')
  .option('--markdown', 'print the markdown report')
  .action(async (run: string, opts: Opts) => (await import('./show.js')).showCommand(run, { ...global(), ...opts }));

program
  .command('recover')
  .description('restore every fault left behind by a crashed run, and close such runs')
  .option('--json', 'print as JSON')
  .action(async (opts: Opts) => (await import('./recover.js')).recoverCommand({ ...global(), ...opts }));

program
  .command('halt')
  .description('stop the current run (it restores) and refuse new runs until resume')
  .option('--reason <text>', 'why, kept with the switch')
  .option('--daemon <url>', 'set it through this daemon (default: $GAMEDAY_DAEMON_URL, daemon.url; else in the local store)')
  .option('--token-file <file>', 'file holding the daemon API token (default: $GAMEDAY_TOKEN)')
  .action(async (opts: Opts) => (await import('./halt.js')).haltCommand(true, { ...global(), ...opts }));

program
  .command('resume')
  .description('allow runs again after a halt')
  .option('--daemon <url>', 'clear it through this daemon (default: $GAMEDAY_DAEMON_URL, daemon.url; else in the local store)')
  .option('--token-file <file>', 'file holding the daemon API token (default: $GAMEDAY_TOKEN)')
  .action(async (opts: Opts) => (await import('./halt.js')).haltCommand(false, { ...global(), ...opts }));

program
  .command('status')
  .description('halt switch, run in progress and (from a daemon) the next game day')
  .option('--daemon <url>', 'ask this daemon (default: $GAMEDAY_DAEMON_URL, daemon.url; else read the local store)')
  .option('--token-file <file>', 'file holding the daemon API token (default: $GAMEDAY_TOKEN)')
  .option('--json', 'print as JSON')
  .action(async (opts: Opts) => (await import('./status.js')).statusCommand({ ...global(), ...opts }));

program
  .command('daemon')
  .description('run as a service: restore leftovers, schedule game days, serve the HTTP API and /metrics until SIGTERM')
  .option('--listen <host:port>', 'override daemon.listen (default 127.0.0.1:9464)')
  .action(async (opts: Opts) => (await import('./daemon.js')).daemonCommand({ ...global(), ...opts }));

program
  .command('lab')
  .description('start the built-in simulated JupyterCloud on 127.0.0.1 until interrupted')
  .option('--speed <x>', 'time scale (10 = ten times faster than real time)', '1')
  .option('--kubernetes-port <port>', 'Kubernetes API port', '16443')
  .option('--jupyterhub-port <port>', 'JupyterHub port', '18000')
  .option('--openstack-port <port>', 'OpenStack (Keystone, Nova, Neutron) port', '15000')
  .option('--glusterfs-port <port>', 'first of five SSH ports of the GlusterFS hosts (brick-001..004, worker-001)', '12201')
  .option('--prometheus-port <port>', 'Prometheus-compatible API and /metrics port', '19090')
  .option('--proxy-api-port <port>', 'configurable-http-proxy routes API port', '18001')
  .option('--state-dir <dir>', 'where to write the kubeconfig, clouds.yaml, SSH key and hub tokens', 'var/lab')
  .action(async (opts: Opts) => (await import('./lab.js')).labCommand({ ...global(), ...opts }));

program
  .command('demo')
  .description('start the lab and run a short game day against it with the shipped catalog')
  .option('--speed <x>', 'lab time scale', '10')
  .action(async (opts: Opts) => (await import('./demo.js')).demoCommand({ ...global(), ...opts }));

program
  .command('schema')
  .description('print the JSON Schema of experiment files (for editors)')
  .action(async () => (await import('./schema.js')).schemaCommand());

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.invalid);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const { reportFatal } = await import('./fatal.js');
  process.exitCode = reportFatal(err);
}
