import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, gamedayWorkload } from './manifests.js';

/** One instruction of the Dockerfile, continuation lines joined. */
interface Instruction {
  op: string;
  args: string;
  stage: string;
}

function instructions(): Instruction[] {
  const text = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let stage = '';
  return lines.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    return { op: op.toUpperCase(), args, stage };
  });
}

const inStage = (stage: string) => instructions().filter((i) => i.stage === stage);

/** The paths .dockerignore lets into the build context: `*` excludes everything, each `!PATH` lets PATH back in. */
function letIn(): string[] {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines[0] !== '*') throw new Error('.dockerignore is expected to start with * (an allow list)');
  return lines.slice(1).map((l) => {
    if (!l.startsWith('!')) throw new Error(`.dockerignore: ${l}: only !PATH lines follow *`);
    return l.slice(1);
  });
}

test('three stages on the Node 24 bookworm-slim base: build, deps, runtime (the last)', (t) => {
  const froms = instructions().filter((i) => i.op === 'FROM');
  t.deepEqual(froms.map((f) => f.stage), ['build', 'deps', 'runtime']);
  const arg = instructions().find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
  t.is(arg?.args, 'NODE_IMAGE=node:24-bookworm-slim');
  for (const from of froms) t.regex(from.args, /^\$\{NODE_IMAGE\} AS /);
});

test('the build stage installs everything and compiles; the runtime gets production dependencies only', (t) => {
  const runs = (stage: string) => inStage(stage).filter((i) => i.op === 'RUN').map((i) => i.args);
  t.true(runs('build').some((r) => /^npm ci\b/.test(r) && !r.includes('--omit')));
  t.true(runs('build').includes('npm run build'));
  t.true(runs('deps').some((r) => /^npm ci\b.*--omit=dev/.test(r)));
  const copies = inStage('runtime').filter((i) => i.op === 'COPY').map((i) => i.args);
  t.deepEqual(copies, [
    '--from=deps /app/node_modules ./node_modules',
    '--from=build /src/dist ./dist',
    'package.json ./',
    'config/experiments ./config/experiments',
    'schema ./schema',
  ]);
  t.false(inStage('runtime').some((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args)), 'no install in the runtime stage');
});

test('the runtime runs as uid 10001, never root, the daemon by default, without a HEALTHCHECK', (t) => {
  const runtime = inStage('runtime');
  const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
  t.deepEqual(users, ['10001:10001'], 'numeric, so runAsNonRoot can verify it');
  t.true(runtime.some((i) => i.op === 'RUN' && /useradd\b.*--uid 10001/.test(i.args)));
  t.is(runtime.find((i) => i.op === 'ENTRYPOINT')?.args, '["node", "dist/cli/main.js"]');
  const cmd = JSON.parse(runtime.find((i) => i.op === 'CMD')?.args ?? '[]') as string[];
  t.deepEqual(cmd, ['daemon', '--config', '/etc/gameday/gameday.yaml']);
  const cli = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8');
  t.regex(cli, /\.command\('daemon'\)/, 'the CLI has the daemon command');
  t.regex(cli, /\.option\('-c, --config <file>'/, 'and a --config option');
  t.false(instructions().some((i) => i.op === 'HEALTHCHECK'));
  const { set, container } = gamedayWorkload();
  t.deepEqual(container.args, cmd, 'the StatefulSet passes the image\'s own command');
  t.is(set.spec.template.spec.securityContext.runAsUser, 10001);
  const exposed = runtime.find((i) => i.op === 'EXPOSE')?.args;
  t.is(Number(exposed), container.ports?.find((p) => p.name === 'http')?.containerPort ?? -1);
});

test('the entrypoint is what the build emits: dist/cli/main.js from src/cli/main.ts, the package\'s bin', (t) => {
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
  t.deepEqual([build.compilerOptions.rootDir, build.compilerOptions.outDir], ['src', 'dist']);
  t.true(existsSync(join(ROOT, 'src', 'cli', 'main.ts')));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
  t.is(pkg.bin['gameday'], 'dist/cli/main.js');
  t.is(pkg.scripts['build'], 'tsc -p tsconfig.build.json');
  // npm test builds first (pretest), so the emitted entrypoint is there when this runs
  t.true(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'dist/cli/main.js exists after npm run build');
});

test('every file the Dockerfile copies from the context exists and is let in by .dockerignore', (t) => {
  const allowed = letIn();
  const sources = instructions()
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
  t.true(sources.length >= 7);
  for (const source of sources) {
    t.true(existsSync(join(ROOT, source)), `${source} exists`);
    t.true(allowed.some((a) => source === a || source.startsWith(`${a}/`)), `${source} is let into the build context`);
  }
  for (const path of allowed) t.true(existsSync(join(ROOT, path)), `.dockerignore lets in ${path}, which exists`);
  t.false(allowed.some((a) => /^(node_modules|dist|var|\.git|test)$/.test(a)), 'no local build output, state or tests in the context');
});
