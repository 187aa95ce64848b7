// @ts-check
/**
 * The published tarball holds what n8n loads and nothing else. `npm pack --dry-run --json` (on the built
 * dist/, so `npm run build` first) must list exactly the files derived from the sources below — no
 * build info, no source maps, no declarations, no tests — and everything n8n resolves at load time
 * (package.json `n8n.nodes` / `n8n.credentials`, relative `require`s, `file:` icons) must be inside it.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * package.json `files`, each with why it is there. What is left out, and why:
 * - dist/tsconfig.tsbuildinfo (tsc's incremental state, 230 kB): a build artifact n8n never reads;
 * - *.js.map source maps: n8n does not run with --enable-source-maps, so stack traces in n8n's log
 *   point at the compiled .js either way (the compiled code is plain tsc output, readable as it is);
 *   they stay in dist/ for debugging a local `n8n-node dev`;
 * - *.d.ts declarations: nothing imports this package as a library (no `main`/`types`); n8n loads
 *   the files listed in `n8n.nodes` / `n8n.credentials` by path;
 * - dist/package.json (tsc copies it because tsconfig includes package.json for JSON imports): nothing
 *   in dist/ requires it (checked below); n8n reads the package root's package.json.
 * npm adds package.json, README.md and a LICENSE file by itself.
 */
const FILES = {
	'dist/nodes/**/*.js': 'the compiled nodes and every module they require (n8n.nodes entries)',
	'dist/nodes/**/*.json':
		'codex files (<Node>.node.json: categories and documentation links in the editor) and any JSON a node requires',
	'dist/credentials/**/*.js': 'the compiled credentials (n8n.credentials entries)',
	'dist/**/*.{png,svg}':
		'the icons that node and credential descriptions reference with `file:` paths',
};

/** @param {string} dir relative to ROOT @returns {string[]} posix paths relative to ROOT */
function walk(dir) {
	const abs = join(ROOT, dir);
	if (!existsSync(abs)) return [];
	return readdirSync(abs, { recursive: true, encoding: 'utf8' })
		.filter((rel) => statSync(join(abs, rel)).isFile())
		.map((rel) => posix.join(dir, rel.split(sep).join('/')));
}

/** The tarball's file list as it must be, derived from the sources. */
function expectedFiles() {
	const out = new Set(['package.json', 'README.md']);
	for (const f of readdirSync(ROOT)) if (/^(licen[cs]e)(\.|$)/i.test(f)) out.add(f);
	for (const src of [...walk('nodes'), ...walk('credentials')]) {
		// every TypeScript module compiles to a .js that n8n may load
		if (src.endsWith('.ts') && !src.endsWith('.d.ts'))
			out.add(`dist/${src.replace(/\.ts$/, '.js')}`);
		// tsc emits the JSON files under nodes/ (codex), the build copies the icons
		else if (/^nodes\/.*\.json$/.test(src) || /\.(png|svg)$/.test(src)) out.add(`dist/${src}`);
	}
	for (const icon of walk('icons')) if (/\.(png|svg)$/.test(icon)) out.add(`dist/${icon}`);
	return [...out].sort();
}

/** @type {{ path: string, size: number }[]} */
let packed;
/** @type {{ size: number, unpackedSize: number, entryCount: number }} */
let summary;

beforeAll(() => {
	if (!existsSync(join(ROOT, 'dist', 'nodes')))
		throw new Error('dist/ is missing: run `npm run build` before the package tests');
	const res = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
	});
	if (res.status !== 0) throw new Error(`npm pack --dry-run failed:\n${res.stderr}`);
	const [info] = JSON.parse(res.stdout.slice(res.stdout.indexOf('[')));
	packed = info.files;
	summary = info;
});

describe('npm pack', () => {
	test('package.json `files` is exactly the documented patterns', () => {
		expect(pkg.files).toEqual(Object.keys(FILES));
	});

	test('the tarball lists exactly the compiled nodes, credentials, codex files, icons, package.json and README', () => {
		const paths = packed.map((f) => f.path).sort();
		expect(paths).toEqual(expectedFiles());
		console.log(
			`npm pack: ${summary.entryCount} files, ${summary.size} bytes packed, ${summary.unpackedSize} bytes unpacked`,
		);
	});

	test('no build info, source maps, declarations, tests, sources or examples', () => {
		const bad = packed
			.map((f) => f.path)
			.filter(
				(p) =>
					/\.(tsbuildinfo|map|ts)$/.test(p) ||
					/(^|\/)(test|tests|__tests__|examples|bench|scripts|docs)\//.test(p) ||
					/\.test\.m?js$/.test(p) ||
					p === 'dist/package.json',
			);
		expect(bad).toEqual([]);
	});

	test('every node and credential n8n loads from package.json is in the tarball', () => {
		const paths = new Set(packed.map((f) => f.path));
		const declared = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(declared.length).toBeGreaterThan(0);
		expect(declared.filter((/** @type {string} */ f) => !paths.has(f))).toEqual([]);
	});

	test('every relative require() and every file: icon in the shipped JavaScript resolves inside the tarball', () => {
		const paths = new Set(packed.map((f) => f.path));
		const missing = [];
		let requires = 0;
		let icons = 0;
		for (const file of packed.map((f) => f.path).filter((p) => p.endsWith('.js'))) {
			const code = readFileSync(join(ROOT, file), 'utf8');
			for (const [, spec] of code.matchAll(/require\(["'](\.{1,2}\/[^"']+)["']\)/g)) {
				requires++;
				const base = posix.join(posix.dirname(file), spec);
				if (![base, `${base}.js`, `${base}.json`, `${base}/index.js`].some((p) => paths.has(p)))
					missing.push(`${file}: require('${spec}')`);
			}
			for (const [, icon] of code.matchAll(/["']file:([^"']+\.(?:svg|png))["']/g)) {
				icons++;
				if (!paths.has(posix.join(posix.dirname(file), icon)))
					missing.push(`${file}: file:${icon}`);
			}
		}
		expect(missing).toEqual([]);
		expect(requires).toBeGreaterThan(10);
		expect(icons).toBeGreaterThan(2);
	});

	// Budget raised from 400 kB for issue 17 (motion control, lip-sync, avatar, reference, edit, extend:
	// ~75 kB of catalog data, input checks and editor fields); 473 kB unpacked, 113 kB packed when raised.
	test('the tarball stays small (it was 146 kB packed with the build info and source maps)', () => {
		// 402 kB unpacked (97 kB packed) once Cancel Task / Get Balance / File Name were added (2026-12);
		// the capabilities (issue 17) add about 75 kB unpacked.
		expect(summary.size).toBeLessThan(180_000);
		expect(summary.unpackedSize).toBeLessThan(560_000);
	});
});
