// @ts-check
/**
 * `npm run scan`: the checks of n8n's community-package scanner (@n8n/scan-community-package, the gate
 * n8n runs before it lists or verifies a package) on this package as it would be published. Needs
 * `npm run build` first.
 *
 * The scanner's CLI (`npx @n8n/scan-community-package <name>`) only scans a published package: it
 * checks the npm provenance attestation, downloads the source repository at the attested commit and the
 * tarball from the registry, then lints both with its exported `analyzePackage(dir, patterns)`. This
 * script runs those two lint legs on local inputs, with the same file patterns as the CLI:
 *   - tarball: `npm pack` into a temp dir, unpacked (tar --strip-components=1, as the scanner does),
 *     linted with `['**\/*.js', 'package.json']`;
 *   - source: this checkout, linted with the scanner's `SOURCE_FILE_PATTERNS`
 *     (`package.json`, `{nodes,credentials}/**\/*.{js,ts,json}`).
 * Not run here: the provenance check (it needs the published version's attestation; publish.yml
 * publishes with provenance).
 *
 * `analyzePackage` fails on errors only and returns no warnings, so the warnings are counted with a
 * second ESLint run over the same files with the scanner's own config (`buildScanConfig`) and ESLint.
 * Exit 1 when a leg fails. Prints per leg: files, errors, warnings (each warning listed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(REPO_ROOT, 'package.json'));
const SCANNER = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

/** @param {string} cmd @param {string[]} args @param {string} cwd */
function sh(cmd, args, cwd) {
	const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (res.status !== 0)
		throw new Error(`${cmd} ${args.join(' ')} failed (rc ${res.status}):\n${res.stderr}`);
	return res.stdout;
}

/**
 * `npm pack` the built package and unpack it.
 * @returns {{ dir: string, tgz: string, cleanup: () => void }}
 */
export function packAndUnpack() {
	if (!existsSync(join(REPO_ROOT, 'dist')))
		throw new Error('dist/ is missing: run `npm run build` first');
	const work = mkdtempSync(join(tmpdir(), 'kling-scan-'));
	const out = sh('npm', ['pack', '--json', '--pack-destination', work], REPO_ROOT);
	const [{ filename }] = JSON.parse(out.slice(out.indexOf('[')));
	const dir = join(work, 'package');
	mkdirSync(dir);
	sh('tar', ['-xzf', join(work, filename), '-C', dir, '--strip-components=1'], work);
	return {
		dir,
		tgz: join(work, filename),
		cleanup: () => rmSync(work, { recursive: true, force: true }),
	};
}

/**
 * One scanner leg: the scanner's verdict (`analyzePackage`) plus error/warning counts from its config.
 * @param {string} dir @param {string[]} patterns
 */
export async function scanLeg(dir, patterns) {
	const scanner = await import(pathToFileURL(SCANNER).href);
	const verdict = await scanner.analyzePackage(dir, patterns);
	// the scanner's own ESLint (it pins one), configured exactly as analyzePackage does
	const scannerRequire = createRequire(SCANNER);
	const { ESLint } = await import(pathToFileURL(scannerRequire.resolve('eslint')).href);
	const glob = (await import(pathToFileURL(scannerRequire.resolve('fast-glob')).href)).default;
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	const results = files.length ? await eslint.lintFiles(files) : [];
	/** @type {{ file: string, line: number, rule: string, message: string, severity: number }[]} */
	const messages = [];
	for (const r of results)
		for (const m of r.messages)
			messages.push({
				file: relative(dir, r.filePath),
				line: m.line,
				rule: m.ruleId ?? '(parser)',
				message: m.message,
				severity: m.severity,
			});
	return {
		passed: Boolean(verdict.passed),
		message: verdict.message,
		details: verdict.details,
		files: files.length,
		errors: messages.filter((m) => m.severity === 2),
		warnings: messages.filter((m) => m.severity === 1),
	};
}

/** Both legs, as the scanner runs them on a published package. */
export async function scanPackage() {
	const packed = packAndUnpack();
	try {
		const scanner = await import(pathToFileURL(SCANNER).href);
		const tarball = await scanLeg(packed.dir, TARBALL_PATTERNS);
		const source = await scanLeg(REPO_ROOT, scanner.SOURCE_FILE_PATTERNS);
		return { tarball, source, tarballFiles: readdirSync(packed.dir, { recursive: true }).length };
	} finally {
		packed.cleanup();
	}
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const { version } = require('@n8n/scan-community-package/package.json');
	const started = Date.now();
	const { tarball, source } = await scanPackage();
	let failed = false;
	for (const [name, leg] of /** @type {const} */ ([
		['tarball (npm pack, **/*.js + package.json)', tarball],
		['source ({nodes,credentials}/**, package.json)', source],
	])) {
		console.log(
			`scan ${name}: ${leg.files} files, ${leg.errors.length} errors, ${leg.warnings.length} warnings — ${leg.passed ? 'passed' : `FAILED: ${leg.message}`}`,
		);
		for (const m of [...leg.errors, ...leg.warnings])
			console.log(
				`  ${m.severity === 2 ? 'error  ' : 'warning'} ${m.file}:${m.line} ${m.rule}: ${m.message}`,
			);
		if (!leg.passed) {
			failed = true;
			if (leg.details) console.log(leg.details);
		}
	}
	const warnings = tarball.warnings.length + source.warnings.length;
	const errors = tarball.errors.length + source.errors.length;
	console.log(
		`@n8n/scan-community-package ${version}: ${failed ? 'FAILED' : 'passed'} — ${errors} errors, ${warnings} warnings (${((Date.now() - started) / 1000).toFixed(1)} s)`,
	);
	process.exit(failed ? 1 : 0);
}
