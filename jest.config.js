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
  // A worker's heap grows with every test file it runs (~15 MB each here, 500-700 MB after a few
  // dozen): no handle is left, yet on a busy machine such a worker takes longer to exit than the
  // 500 ms jest waits, and jest reports it as "failed to exit gracefully". Past this size after a
  // file, a worker is replaced by a fresh one (docs/development.md).
  workerIdleMemoryLimit: '300MB',
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
