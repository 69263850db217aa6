// Tests run as native ES modules (node --experimental-vm-modules), transformed by swc. Two
// projects: everything (SQLite is the API server's storage), and the API server's integration
// tests once more with the etcd backend (SKIFF_TEST_DATASTORE=etcd, a real three-member cluster).
const transform = {
  '^.+\\.ts$': ['@swc/jest', {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
    module: { type: 'es6' },
  }],
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  testPathIgnorePatterns: ['/node_modules/', '/.tools/'],
};

/** @type {import('jest').Config} */
export default {
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'sqlite',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/e2e/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'etcd',
      testMatch: ['<rootDir>/packages/apiserver/test/**/*.int.test.ts'],
      // The SIGKILL test is about the SQLite file; etcd's faults have their own tests.
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, 'crash\\.int\\.test\\.ts'],
      setupFiles: ['<rootDir>/packages/apiserver/test/support/use-etcd.js'],
    },
  ],
};
