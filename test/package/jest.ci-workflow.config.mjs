// @ts-check
/**
 * `npm run test:ci-workflow`: runs every `run:` step of .github/workflows/ci.yml in a fresh clone
 * (test/package/ci-workflow.clone-test.mjs). Not part of `npm test` — it takes 4-5 min, and the clone runs
 * `npm test` itself — so its file name does not match the default `*.test.mjs`; .ci/run runs it as a
 * step of its own.
 */
export default {
	rootDir: '../..',
	testEnvironment: 'node',
	transform: {},
	roots: ['<rootDir>/test/package'],
	testMatch: ['**/*.clone-test.mjs'],
	testTimeout: 30 * 60_000,
	maxWorkers: 1,
};
