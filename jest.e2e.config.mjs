// @ts-check
/**
 * `npm run test:e2e`: the real-n8n end-to-end suite in test/e2e (installs n8n hosts into .n8n-host/ on
 * first use, ~4-5 min per version; reused afterwards). Versions: env N8N_E2E_VERSIONS (comma separated).
 */
export default {
	testEnvironment: 'node',
	transform: {},
	roots: ['test/e2e'],
	testMatch: ['**/*.e2e.test.mjs'],
	testTimeout: 10 * 60_000,
	maxWorkers: 1,
	// undici keep-alive sockets to the stopped n8n servers can hold the loop open for a few seconds
	forceExit: true,
};
