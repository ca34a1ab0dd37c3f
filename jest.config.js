/**
 * One jest run for the whole workspace, in ESM mode (node --experimental-vm-modules) with @swc/jest.
 * Packages resolve each other through the "@pipeline/source" export condition, so tests run against
 * sibling sources without a build.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  // globalsCleanup off: tfjs keeps its engine on a global, which jest 30 would soft-delete between files.
  testEnvironmentOptions: { customExportConditions: ['@pipeline/source', 'node', 'node-addons'], globalsCleanup: 'off' },
  roots: ['<rootDir>/packages', '<rootDir>/apps'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/examples/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 120000,
};
