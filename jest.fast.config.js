// `npm run test:fast`: the whole jest suite except the slow parts, for the edit-test loop.
// Left out: the browser suite, the property-based fuzzers, the authorization matrix, the
// quick start (it builds and starts the server), the multi-process reliability tests and the
// package tests (they build, pack and install the package).
// `npm test` still runs everything, with the type check and lint.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/browser/',
    '<rootDir>/test/security/fuzz\\.test\\.ts$',
    '<rootDir>/test/core/management-fuzz\\.test\\.ts$',
    '<rootDir>/test/security/authorization-matrix\\.test\\.ts$',
    '<rootDir>/test/quick-start\\.test\\.ts$',
    '<rootDir>/test/reliability/',
    '<rootDir>/test/package/',
  ],
};
