export default {
  extensions: ['ts'],
  nodeArguments: ['--import=tsx'],
  files: ['test/**/*.test.ts'],
  timeout: '60s',
  workerThreads: false,
  concurrency: 2,
};
