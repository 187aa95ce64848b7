// @ts-check
/**
 * Imported FIRST by the reliability suite (before test/support/n8n.mjs): turns n8n's logger up to
 * debug and records every line written to stdout/stderr and every console.* call, so the suite can
 * scan them for secrets. n8n's own log lines (stdout) are kept, not echoed, so the run stays quiet;
 * stderr and console output are recorded and passed through.
 */
import { createRequire } from 'node:module';

process.env.N8N_LOG_LEVEL = 'debug';

/** @type {Array<{ source: string, text: string }>} */
export const captured = [];

const original = {
	stdout: process.stdout.write.bind(process.stdout),
	stderr: process.stderr.write.bind(process.stderr),
};

/** @param {unknown} chunk */
const asText = (chunk) =>
	Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : String(chunk);

process.stdout.write = /** @type {any} */ (
	(/** @type {unknown} */ chunk, /** @type {any[]} */ ..._rest) => {
		captured.push({ source: 'stdout', text: asText(chunk) });
		const callback = _rest.find((arg) => typeof arg === 'function');
		if (callback) callback();
		return true;
	}
);
process.stderr.write = /** @type {any} */ (
	(/** @type {unknown} */ chunk, /** @type {any[]} */ ...rest) => {
		captured.push({ source: 'stderr', text: asText(chunk) });
		return original.stderr(/** @type {any} */ (chunk), ...rest);
	}
);
for (const method of /** @type {const} */ (['log', 'info', 'warn', 'error', 'debug'])) {
	const passThrough = console[method].bind(console);
	console[method] = (/** @type {unknown[]} */ ...args) => {
		captured.push({
			source: `console.${method}`,
			text: args.map((arg) => (typeof arg === 'string' ? arg : safeJson(arg))).join(' '),
		});
		passThrough(...args);
	};
}

// n8n's logger (winston's Console transport) writes to `console._stdout` / `console._stderr` when the
// console has them (jest in band: the real streams, patched above) and otherwise to console.log/warn/
// error bound when the logger is created. Jest's worker console has neither stream, so give it ours:
// winston checks for them on every line.
const jestConsole = /** @type {any} */ (console);
if (!jestConsole._stdout) {
	jestConsole._stdout = {
		write: (/** @type {unknown} */ chunk) => {
			captured.push({ source: 'stdout', text: asText(chunk) });
			return true;
		},
	};
}
if (!jestConsole._stderr) {
	jestConsole._stderr = {
		write: (/** @type {unknown} */ chunk) => {
			captured.push({ source: 'stderr', text: asText(chunk) });
			return original.stderr(/** @type {any} */ (chunk));
		},
	};
}

/** @param {unknown} value */
function safeJson(value) {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

/** Write to the real stdout (the summary table). */
export function printToStdout(/** @type {string} */ text) {
	original.stdout(text);
}

/**
 * Also record every record of n8n's own logger with its metadata (which the console lines leave
 * out): a transport on the singleton Logger that n8n-core uses, resolved from n8n-core's location.
 * Child (scoped) loggers write through their parent's transports.
 */
export function captureN8nLogger() {
	const fromRoot = createRequire(import.meta.url);
	const fromCore = createRequire(fromRoot.resolve('n8n-core'));
	const { Container } = fromRoot('@n8n/di');
	const { Logger } = fromCore('@n8n/backend-common');
	const fromWinston = createRequire(fromCore.resolve('winston'));
	const Transport = fromWinston('winston-transport');
	class Capture extends Transport {
		/** @param {any} info @param {() => void} next */
		log(info, next) {
			captured.push({ source: `n8n logger (${info.level})`, text: safeJson(info) });
			next();
		}
	}
	const logger = Container.get(Logger);
	// Recorded here; n8n's own console output at debug level would only flood the test log.
	for (const transport of logger.internalLogger.transports) transport.silent = true;
	logger.internalLogger.add(new Capture({ level: 'debug' }));
	return logger;
}
