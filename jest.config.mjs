// @ts-check
/** Jest runs the ESM tests in test/ (node --experimental-vm-modules, no transform). */
export default {
	testEnvironment: 'node',
	transform: {},
	roots: ['test'],
	testMatch: ['**/*.test.mjs'],
	testTimeout: 60_000,
};
