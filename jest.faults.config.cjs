// `npm run test:faults`: the fault-injection suite. It drives the built gateway (dist/) as child processes, kills and
// restarts its own PostgreSQL and Redis servers, so it is kept out of `npm test` and run by .ci/run on PostgreSQL.
const { projects, testTimeout } = require('./jest.config.cjs');

const common = projects[0];
module.exports = {
  testTimeout,
  // one file at a time: each starts gateways and servers of its own on a 2-core machine
  maxWorkers: 1,
  projects: [{ ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'] }],
};
