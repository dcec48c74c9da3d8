// `npm run test:topology`: three built instances behind HAProxy (deploy/haproxy.cfg) on one PostgreSQL database and
// Redis, restarted one by one under load. It starts processes of its own, so it is kept out of `npm test` and run by
// .ci/run on PostgreSQL.
const { projects, testTimeout } = require('./jest.config.cjs');

const common = projects[0];
module.exports = {
  testTimeout,
  maxWorkers: 1,
  projects: [{ ...common, displayName: 'topology', testMatch: ['<rootDir>/test/topology/**/*.topology-spec.ts'] }],
};
