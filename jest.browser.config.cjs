// The browser test (npm run test:browser): Swagger UI at /docs in Debian's headless Chromium, apart from `npm test`
// because it needs the chromium package (.ci/run installs it).
const base = require('./jest.config.cjs');
const [e2e] = base.projects.filter((p) => p.displayName === 'e2e');

module.exports = {
  testTimeout: 120000,
  projects: [{ ...e2e, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] }],
};
