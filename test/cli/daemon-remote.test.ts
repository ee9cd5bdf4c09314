/**
 * `gameday status`, `halt`, `resume` and `run --remote` against a running daemon (started
 * in-process, no platform configured), as child processes: what they print and their exit
 * codes, which match the local commands'.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gameday } from '../helpers/cli.js';
import { OPERATOR, VIEWER, testDaemon, type TestDaemon } from '../daemon/helpers.js';

let d: TestDaemon;
let config: string;
let operatorFile: string;
let viewerFile: string;

test.before(async () => {
  // Kubernetes points at a closed port: the daemon's runs can never reach a real cluster or a local lab
  const dir = mkdtempSync(join(tmpdir(), 'gameday-remote-'));
  const kubeconfig = join(dir, 'closed-kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: closed',
    'clusters: [{ name: closed, cluster: { server: "https://127.0.0.1:9" } }]',
    'users: [{ name: nobody, user: { token: not-a-real-token-000000 } }]',
    'contexts: [{ name: closed, context: { cluster: closed, user: nobody } }]', '',
  ].join('\n'));
  d = await testDaemon({ dir, configLines: ['targets:', `  kubernetes: { kubeconfig: ${kubeconfig} }`] });
  // the CLI's own config: a different store, so anything it did locally would not show on the daemon
  config = join(d.dir, 'cli.yaml');
  writeFileSync(config, `store: { path: ${join(d.dir, 'cli-local.db')} }\nlog: { format: json }\n`);
  operatorFile = join(d.dir, 'operator.token');
  writeFileSync(operatorFile, `${OPERATOR}\n`);
  viewerFile = join(d.dir, 'viewer.token');
  writeFileSync(viewerFile, VIEWER);
});
test.after.always(async () => {
  await d?.daemon.close();
});

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = gameday([...args, '--config', config]);
  const code = await child.exited;
  return { code, out: child.output() };
}

test.serial('halt, status and resume go through the daemon with an operator token', async (t) => {
  const halt = await cli(['halt', '--reason', 'maintenance', '--daemon', d.daemon.url, '--token-file', operatorFile]);
  t.is(halt.code, 0, halt.out);
  t.regex(halt.out, /halted; new runs are refused/);
  const status = await cli(['status', '--daemon', d.daemon.url, '--token-file', viewerFile]);
  t.is(status.code, 0, status.out);
  t.regex(status.out, /halted: maintenance \(by bob@api\)/);
  t.regex(status.out, /no run in progress/);
  t.regex(status.out, /next game day: none planned/);
  const refused = await cli(['run', 'delete-user-pods', '--remote', '--daemon', d.daemon.url, '--token-file', operatorFile]);
  t.is(refused.code, 4, refused.out);
  t.regex(refused.out, /refused by the daemon: halted: maintenance/);
  const resume = await cli(['resume', '--daemon', d.daemon.url, '--token-file', operatorFile]);
  t.is(resume.code, 0, resume.out);
  const json = await cli(['status', '--json', '--daemon', d.daemon.url, '--token-file', viewerFile]);
  t.is(JSON.parse(json.out.slice(json.out.indexOf('{'))).halted, false);
  t.false(json.out.includes(VIEWER), 'the token is not printed');
});

test.serial('a viewer token cannot halt: the command fails with the daemon\'s reason and no token in the output', async (t) => {
  const res = await cli(['halt', '--daemon', d.daemon.url, '--token-file', viewerFile]);
  t.is(res.code, 5, res.out);
  t.regex(res.out, /this needs the operator role/);
  t.false(res.out.includes(VIEWER));
  const none = await cli(['status', '--daemon', d.daemon.url]);
  t.is(none.code, 5, none.out);
  t.regex(none.out, /a valid bearer token is required .*--token-file or \$GAMEDAY_TOKEN/);
});

test.serial('run --remote follows the run to its verdict and exits like a local run; an unknown name exits 2', async (t) => {
  // no platform is configured: the daemon's run ends aborted at preflight, exit 1 as locally
  const res = await cli(['run', 'delete-user-pods', '--remote', '--daemon', d.daemon.url, '--token-file', operatorFile]);
  t.is(res.code, 1, res.out);
  t.regex(res.out, /started \S+delete-user-pods\S+ on http:\/\/127\.0\.0\.1/);
  t.regex(res.out, /aborted: preflight failed/);
  const unknown = await cli(['run', 'no-such', '--remote', '--daemon', d.daemon.url, '--token-file', operatorFile]);
  t.is(unknown.code, 2, unknown.out);
  t.regex(unknown.out, /unknown experiment "no-such"/);
  const noDaemon = await cli(['run', 'delete-user-pods', '--remote']);
  t.is(noDaemon.code, 5, noDaemon.out);
  t.regex(noDaemon.out, /--remote needs a daemon/);
});

test.serial('a daemon that is not there is reported clearly', async (t) => {
  const res = await cli(['status', '--daemon', 'http://127.0.0.1:9', '--token-file', viewerFile]);
  t.is(res.code, 5, res.out);
  t.regex(res.out, /cannot reach the daemon at http:\/\/127\.0\.0\.1:9/);
});
