// Integration suites against real services started by .ci/run (Debian packages on 127.0.0.1).
export default {
  extensions: ['ts'],
  nodeArguments: ['--import=tsx'],
  files: ['test/integration/**/*.test.ts'],
  timeout: '5m',
  workerThreads: false,
  concurrency: 1,
  serial: true,
};
