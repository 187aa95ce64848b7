// @ts-check
/**
 * Jest `testResultsProcessor`: when KLING_JEST_REPORT names a file, the run's aggregated results (the shape
 * `jest --json` writes) go there. .ci/run sets it for the `npm test` that ci.yml runs in a clean clone, so
 * that run is counted in CI's summary line instead of running the unit tests a second time.
 * @param {any} results
 */
module.exports = (results) => {
	const file = process.env.KLING_JEST_REPORT;
	if (file) require('node:fs').writeFileSync(file, JSON.stringify(results));
	return results;
};
