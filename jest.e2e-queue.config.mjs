// @ts-check
/**
 * `npm run test:e2e:queue`: n8n queue mode end to end (test/e2e-queue): Redis + PostgreSQL from Debian's
 * packages, one main, two workers, one webhook process (n8n 2.8.4 host from .n8n-host/, installed on
 * first use).
 */
export default {
	testEnvironment: 'node',
	transform: {},
	roots: ['test/e2e-queue'],
	testMatch: ['**/*.e2e.test.mjs'],
	testTimeout: 10 * 60_000,
	maxWorkers: 1,
	forceExit: true,
};
