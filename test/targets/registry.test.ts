import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { faultTypes, probeTypes, targets } from '../../src/targets/registry.js';
import type { AnyFaultType, AnyProbeType, TargetModule } from '../../src/targets/types.js';

const TARGETS_DIR = fileURLToPath(new URL('../../src/targets/', import.meta.url));
/** Files of a target folder that hold shared code, not a fault or probe. */
const HELPER_FILES = new Set(['index.ts', 'client.ts', 'errors.ts', 'markers.ts', 'settings.ts', 'types.ts']);

async function targetFolders(): Promise<string[]> {
  const entries = await readdir(TARGETS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function moduleOf(folder: string): TargetModule {
  const found = targets.find((t) => t.name === folder);
  if (!found) throw new Error(`no target named ${folder} in registry.ts`);
  return found;
}

/** A fault or probe definition: `type`, `params` and its methods (zod schemas, which also have `type` and `check`, are not). */
function isDefinition(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !('_zod' in value) && 'params' in value && typeof (value as { type?: unknown }).type === 'string';
}

function isFault(value: unknown): value is AnyFaultType {
  return isDefinition(value) && typeof value['inject'] === 'function' && typeof value['restore'] === 'function';
}

function isProbe(value: unknown): value is AnyProbeType {
  return isDefinition(value) && typeof value['check'] === 'function';
}

/** `<target>.<object>.<verb>`, the object possibly in two parts (`jupyterhub.proxy.routes.delete`). */
const FAULT_ID = (folder: string) => new RegExp(`^${folder}(\\.[a-z][a-z0-9-]*){2,3}$`);
/** The bare target name, `<target>.<check>` (`prometheus.query`) or `<target>.<object>.<check>`. */
const PROBE_ID = (folder: string) => new RegExp(`^${folder}(\\.[a-z][a-z0-9-]*){0,3}$`);

test('the registry lists exactly the target folders, in alphabetical order', async (t) => {
  const names = targets.map((m) => m.name);
  t.deepEqual(names, [...names].sort());
  t.deepEqual(names, await targetFolders());
});

test('every fault or probe file of a target folder is registered in that target index', async (t) => {
  for (const folder of await targetFolders()) {
    const mod = moduleOf(folder);
    const registered = new Set<unknown>([...mod.faults, ...mod.probes]);
    const files = (await readdir(join(TARGETS_DIR, folder))).filter((f) => f.endsWith('.ts') && !HELPER_FILES.has(f));
    for (const file of files) {
      const exports = Object.values((await import(join(TARGETS_DIR, folder, file))) as Record<string, unknown>);
      const defined = exports.filter((v) => isFault(v) || isProbe(v));
      t.true(defined.length > 0, `${folder}/${file} exports no fault or probe (shared code belongs in ${[...HELPER_FILES].join(', ')})`);
      for (const item of defined) t.true(registered.has(item), `${folder}/${file}: ${(item as { type: string }).type} is not in ${folder}/index.ts`);
    }
  }
});

test('fault ids read <target>.<object>.<verb> and probe ids start with their target name', (t) => {
  for (const mod of targets) {
    for (const f of mod.faults) t.regex(f.type, FAULT_ID(mod.name), `fault ${f.type} in ${mod.name}`);
    for (const p of mod.probes) t.regex(p.type, PROBE_ID(mod.name), `probe ${p.type} in ${mod.name}`);
  }
});

test('fault and probe ids are unique across every target', (t) => {
  const faults = targets.flatMap((m) => m.faults.map((f) => f.type));
  const probes = targets.flatMap((m) => m.probes.map((p) => p.type));
  t.is(new Set(faults).size, faults.length);
  t.is(new Set(probes).size, probes.length);
  t.is(faultTypes.size, faults.length);
  t.is(probeTypes.size, probes.length);
});

test('every fault and probe has a description and a row in its target readme', async (t) => {
  for (const mod of targets) {
    const readme = await readFile(join(TARGETS_DIR, mod.name, 'README.md'), 'utf8');
    for (const item of [...mod.faults, ...mod.probes]) {
      t.true(item.description.length > 0, `${item.type} has no description`);
      t.true(readme.includes(`| \`${item.type}\``), `${mod.name}/README.md has no row for ${item.type}`);
    }
  }
});

test('the kubernetes and http targets register the ids the experiments use', (t) => {
  t.true(faultTypes.has('kubernetes.pod.delete'));
  t.true(probeTypes.has('kubernetes.pods.ready'));
  t.true(probeTypes.has('http'));
});
