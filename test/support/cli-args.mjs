// @ts-check
/**
 * `--name value`, `--name=value` or a bare `--name` ("true") from the command line, for the
 * emulator, demo, start and bench scripts.
 * @param {string} name
 * @returns {string | undefined}
 */
export function arg(name) {
	const argv = process.argv.slice(2);
	const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (i < 0) return undefined;
	const a = argv[i];
	if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
	const next = argv[i + 1];
	return next === undefined || next.startsWith('--') ? 'true' : next;
}
