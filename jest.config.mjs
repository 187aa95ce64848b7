// @ts-check
/** Jest runs the ESM tests in test/ (node --experimental-vm-modules, no transform). The real-n8n suite in
 * test/e2e has its own config (jest.e2e.config.mjs, `npm run test:e2e`). */
export default {
	testEnvironment: 'node',
	transform: {},
	roots: ['test'],
	testMatch: ['**/*.test.mjs'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/e2e-queue/'],
	testTimeout: 60_000,
	// writes the results to $KLING_JEST_REPORT when set (.ci/run's clean-clone run); otherwise nothing
	testResultsProcessor: '<rootDir>/test/support/jest-report.cjs',
};
