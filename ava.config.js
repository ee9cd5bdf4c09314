// Unit, e2e (lab) and crash tests: `npm test`. Integration suites against real services
// (test/integration) have their own config: `npm run test:integration`.
export default {
  extensions: ['ts'],
  nodeArguments: ['--import=tsx'],
  files: ['test/**/*.test.ts', '!test/integration/**'],
  timeout: '60s',
  workerThreads: false,
  concurrency: 2,
};
