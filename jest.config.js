/** @type {import('jest').Config['projects'][number]} */
const project = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...project,
      displayName: 'tixport',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
    },
    {
      // Scheduling must not depend on the host's TZ (rrule.js and luxon both have traps there): the
      // scheduled-exports files run a second time under a zone far from UTC with DST.
      ...project,
      displayName: 'host TZ America/Los_Angeles',
      testMatch: ['<rootDir>/test/scheduled-exports/**/*.test.ts'],
      // The race and the CLI listing compute no wall times; they run once, in the project above.
      testPathIgnorePatterns: ['/node_modules/', '/test/scheduled-exports/(race|cli)\\.test\\.ts$'],
      testEnvironment: '<rootDir>/test/support/host-timezone-environment.ts',
      testEnvironmentOptions: { timezone: 'America/Los_Angeles' },
    },
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Two cores: two test files at a time, each with its own Postgres data, Redis prefix and workers.
  maxWorkers: 2,
  testTimeout: 30000,
};
