// @ts-check
/**
 * .github/workflows/ci.yml works: every `run:` step of it, in order, in a fresh `git clone` of this
 * checkout's HEAD (committed state only: uncommitted changes are not in the clone), each with GitHub's
 * default shell (`bash --noprofile --norc -eo pipefail`), CI=true and none of the npm_* / JEST_* /
 * NODE_ENV variables the outer `npm run` and jest set; each must exit 0.
 *
 * node_modules: the clone installs its own with the workflow's own step (`npm ci`), from the npm cache
 * (`npm_config_prefer_offline`). Reusing this checkout's node_modules through a symlink is not safe:
 * `npm ci` deletes node_modules first, through the link. Measured here on 2 cores: npm ci 55-80 s, build
 * ~9 s, lint ~10 s, npm test 2.5-4 min, so 4-5 min in all — too long for `npm test` (and the clone runs
 * `npm test` itself), so this file runs through `npm run test:ci-workflow` (.ci/run has it as a step).
 * CI_WORKFLOW_KEEP=1 keeps the clone and its step logs.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KEEP = process.env.CI_WORKFLOW_KEEP === '1';
const workflow = YAML.parse(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8'));
/** @type {{ name: string, run: string }[]} */
const STEPS = Object.values(workflow.jobs)
	.flatMap((/** @type {any} */ job) => job.steps)
	.filter((/** @type {any} */ s) => s.run)
	.map((/** @type {any} */ s) => ({ name: s.name ?? s.run, run: String(s.run) }));

/** @param {string[]} args @param {string} [cwd] */
function git(args, cwd = ROOT) {
	const res = spawnSync('git', args, { cwd, encoding: 'utf8' });
	if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed:\n${res.stderr}`);
	return res.stdout.trim();
}

/** The environment a GitHub runner step would see, as far as it matters here. */
function stepEnv() {
	/** @type {Record<string, string>} */
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v === undefined || /^npm_/i.test(k) || /^JEST_/.test(k) || k === 'NODE_ENV') continue;
		env[k] = v;
	}
	return { ...env, CI: 'true', npm_config_prefer_offline: 'true' };
}

/**
 * @param {string} script @param {string} cwd @param {string} logFile
 * @returns {Promise<{ code: number | null, ms: number, output: string }>}
 */
function runStep(script, cwd, logFile) {
	const started = Date.now();
	return new Promise((resolvePromise, reject) => {
		const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
			cwd,
			env: stepEnv(),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const log = createWriteStream(logFile);
		let output = '';
		const onData = (/** @type {Buffer} */ d) => {
			output = (output + d).slice(-20_000);
			log.write(d);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		const timer = setTimeout(() => {
			output += '\n[step killed after 20 min]';
			try {
				process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
			} catch {
				/* gone */
			}
		}, 20 * 60_000);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			log.end();
			resolvePromise({ code, ms: Date.now() - started, output });
		});
	});
}

/** @type {string} */
let work;
/** @type {string} */
let clone;
/** @type {string} */
let head;
/** @type {{ name: string, run: string, code: number | null, ms: number }[]} */
const results = [];

beforeAll(() => {
	work = mkdtempSync(join(tmpdir(), 'kling-ci-workflow-'));
	clone = join(work, 'repo');
	head = git(['rev-parse', 'HEAD']);
	const dirty = git(['status', '--porcelain', '--untracked-files=no']);
	if (dirty) console.log(`uncommitted changes are not part of the clone:\n${dirty}`);
	const started = Date.now();
	git(['clone', '--quiet', ROOT, clone], work);
	// the checkout's own HEAD (a worktree's branch, a detached commit), not the source repository's default
	git(['fetch', '--quiet', ROOT, 'HEAD'], clone);
	git(['checkout', '--quiet', '--detach', 'FETCH_HEAD'], clone);
	results.push({
		name: `git clone of HEAD ${head.slice(0, 10)}`,
		run: '',
		code: 0,
		ms: Date.now() - started,
	});
});

afterAll(() => {
	const rows = results.map(
		(r) =>
			`| ${r.name} | \`${r.run.trim().split('\n')[0]}\` | ${r.code} | ${(r.ms / 1000).toFixed(1)} s |`,
	);
	console.log(
		[
			`ci.yml in a clean clone (${KEEP ? `kept: ${work}` : 'removed afterwards'})`,
			'| step | run | exit | time |',
			'|---|---|---:|---:|',
			...rows,
			`total ${(results.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(1)} s`,
		].join('\n'),
	);
	if (!KEEP && work) rmSync(work, { recursive: true, force: true });
});

describe('ci.yml in a clean clone', () => {
	test('the workflow has run steps: install, build, lint, test', () => {
		expect(STEPS.length).toBeGreaterThanOrEqual(4);
		expect(git(['rev-parse', 'HEAD'], clone)).toBe(head);
	});

	STEPS.forEach((step, i) => {
		test(`step ${i + 1}: ${step.name} (${step.run.trim()}) exits 0`, async () => {
			const failed = results.find((r) => r.code !== 0);
			if (failed) throw new Error(`not run: the earlier step "${failed.name}" failed`);
			const res = await runStep(step.run, clone, join(work, `step-${i + 1}.log`));
			results.push({ ...step, code: res.code, ms: res.ms });
			if (res.code !== 0)
				throw new Error(`"${step.run.trim()}" exited ${res.code}:\n${res.output.slice(-6000)}`);
		});
	});
});
