// Integration suites against real services started by .ci/run (Debian packages on 127.0.0.1).
// Outside CI, the suites of a service whose Debian package is not installed here are left
// out (one line on stderr says how to install it); with CI set nothing is left out, so a
// missing service fails its tests. Never a skip inside a test.
import { existsSync } from 'node:fs';
import process from 'node:process';

/** Suites that need a Debian package's binary on this machine: folder → binary, package. */
const needs = [
  { folder: 'test/integration/prometheus', binary: '/usr/bin/prometheus', pkg: 'prometheus' },
  { folder: 'test/integration/jupyterhub', binary: '/usr/bin/jupyterhub', pkg: 'jupyterhub' },
];

const missing = process.env.CI ? [] : needs.filter((n) => !existsSync(n.binary));
if (missing.length) {
  process.stderr.write(
    `ava.integration.config.js: leaving out ${missing.map((n) => `${n.folder} (no ${n.binary})`).join(' and ')}; ` +
      `install with: apt-get install --no-install-recommends ${missing.map((n) => n.pkg).join(' ')}\n`,
  );
}

export default {
  extensions: ['ts'],
  nodeArguments: ['--import=tsx'],
  files: ['test/integration/**/*.test.ts', ...missing.map((n) => `!${n.folder}/**`)],
  timeout: '5m',
  workerThreads: false,
  concurrency: 1,
  serial: true,
};
