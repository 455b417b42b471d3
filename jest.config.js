/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  setupFiles: [
    '<rootDir>/test/support/fast-check-seed.ts',
    '<rootDir>/test/support/test-database-env.ts',
  ],
  testTimeout: 20000,
};
