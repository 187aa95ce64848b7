// @ts-check
/**
 * End-to-end in REAL n8n, from the packed tarball, for every n8n version in N8N_E2E_VERSIONS
 * (default: test/e2e/host.mjs DEFAULT_E2E_VERSIONS). Per version:
 *   fresh user folder → `npm pack` tarball installed into .n8n/nodes like a community package →
 *   import examples/credentials.demo.json + every examples/*.json workflow (copies with shortened wait
 *   options; the emulator generates in ~1.5 s) → `n8n execute --id … --rawOutput` for each → assert the
 *   normalized JSON and the MP4 in n8n's filesystem binary store → `n8n start`: the REST type lists carry
 *   our node and credential types under their real names.
 * Hosts are installed once (.n8n-host/<version>/), up to two at a time, and reused by later runs.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import {
	PACKAGE_NAME,
	REPO_ROOT,
	binaryFilePath,
	buildIfNeeded,
	declaredTypes,
	e2eVersions,
	ensureN8n,
	freePort,
	freshUserFolder,
	installPackage,
	n8nCli,
	n8nCliOk,
	ownerSession,
	packPackage,
	parseRawOutput,
	portIsFree,
	prepareExamples,
	startN8n,
	tail,
} from './host.mjs';

const VERSIONS = e2eVersions();
const KEEP = process.env.N8N_E2E_KEEP === '1';
const EXEC_CONCURRENCY = Number(process.env.N8N_E2E_CONCURRENCY ?? 2);
/** Harness wait options (the example files keep the user-facing defaults). */
const FAST_WAIT = { firstCheckAfter: 1, pollInterval: 0.5, maxWait: 120 };
const EXAMPLE_FILES = readdirSync(join(REPO_ROOT, 'examples'))
	.filter((f) => f.endsWith('.json') && f !== 'credentials.demo.json')
	.sort();

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {string} */
let tgz;
/** @type {Awaited<ReturnType<typeof declaredTypes>>} */
let declared;
/** @type {Map<string, Promise<import('./host.mjs').N8nHost>>} */
const hosts = new Map();

/** Install the hosts two at a time (each install is ~4 min, mostly single-core), in list order. */
function startHostInstalls() {
	let chain = [Promise.resolve(), Promise.resolve()];
	VERSIONS.forEach((version, i) => {
		const lane = i % 2;
		const p = chain[lane].then(() => ensureN8n(version));
		chain[lane] = p.then(
			() => undefined,
			() => undefined,
		);
		p.catch(() => undefined); // awaited (and reported) by the version's own beforeAll
		hosts.set(version, p);
	});
}

beforeAll(async () => {
	startHostInstalls();
	await buildIfNeeded();
	tgz = await packPackage();
	declared = await declaredTypes();
	// the demo credentials point at 127.0.0.1:4010; use another port (rewritten in the copies) if it is taken
	const port = Number(process.env.KLING_E2E_EMULATOR_PORT ?? ((await portIsFree(4010)) ? 4010 : await freePort()));
	emulator = await startEmulator({ port, generationMs: 1500 });
}, 10 * 60_000);

afterAll(async () => {
	await emulator?.close();
	if (tgz) rmSync(join(tgz, '..'), { recursive: true, force: true });
});

/** @template T @param {T[]} items @param {number} limit @param {(item: T) => Promise<any>} fn */
async function pool(items, limit, fn) {
	const results = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				results[i] = await fn(items[i]).catch((e) => ({ error: e }));
			}
		}),
	);
	return results;
}

describe.each(VERSIONS)('n8n %s', (version) => {
	/** @type {import('./host.mjs').N8nHost} */
	let host;
	/** @type {string} */
	let userFolder;
	/** @type {ReturnType<typeof prepareExamples>} */
	let prepared;
	/** @type {Map<string, any>} */
	const runs = new Map();

	beforeAll(async () => {
		host = /** @type {any} */ (await hosts.get(version));
		userFolder = freshUserFolder(`kling-e2e-${version}-`);
		await installPackage(userFolder, tgz);
		prepared = prepareExamples(join(userFolder, 'examples'), { emulatorUrl: emulator.url, waitOptions: FAST_WAIT });
		await n8nCliOk(host, userFolder, ['import:credentials', `--input=${prepared.credentialsFile}`]);
		await n8nCliOk(host, userFolder, ['import:workflow', '--separate', `--input=${prepared.workflowsDir}`]);
		// run every example headless, a few at a time
		await pool(prepared.workflows, EXEC_CONCURRENCY, async (wf) => {
			const started = Date.now();
			const res = await n8nCli(host, userFolder, ['execute', `--id=${wf.id}`, '--rawOutput'], { timeoutMs: 240_000 });
			runs.set(wf.file, { wf, res, ms: Date.now() - started });
		});
	}, 45 * 60_000);

	afterAll(() => {
		if (userFolder && !KEEP) rmSync(userFolder, { recursive: true, force: true });
		else if (userFolder) process.stderr.write(`[e2e] kept user folder for n8n ${version}: ${userFolder}\n`);
	});

	test('the tarball is installed as a community package', () => {
		const installed = JSON.parse(
			readFileSync(join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json'), 'utf8'),
		);
		expect(installed.name).toBe(PACKAGE_NAME);
		for (const file of [...installed.n8n.nodes, ...installed.n8n.credentials]) {
			expect(existsSync(join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, file))).toBe(true);
		}
	});

	test.each(EXAMPLE_FILES)('executes examples/%s headless: normalized JSON + MP4 in the filesystem binary store', (file) => {
		const run = runs.get(file);
		expect(run).toBeDefined();
		const { wf, res } = run;
		if (res.code !== 0) throw new Error(`n8n execute --id=${wf.id} exited ${res.code}:\n${tail(res.stdout + res.stderr, 60)}`);
		const data = parseRawOutput(res.stdout);
		const item = klingOutput(data, wf.nodeName);
		const example = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8'));
		const params = example.nodes.find((/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideo`).parameters;

		expect(item.json).toEqual(
			expect.objectContaining({
				provider: wf.provider,
				mode: wf.mode,
				taskId: expect.any(String),
				status: 'succeeded',
				videoUrl: expect.stringMatching(/^https?:\/\//),
				error: null,
			}),
		);
		expect(item.json.request.prompt).toBe(params.prompt);
		if (wf.mode === 'image-to-video') expect(item.json.request.startImageUrl).toEqual(expect.any(String));
		// the task really went through the emulator
		const task = emulator.tasks.get(item.json.taskId);
		expect(task).toEqual(expect.objectContaining({ provider: wf.provider, mode: wf.mode }));

		const binary = item.binary?.data;
		expect(binary).toEqual(
			expect.objectContaining({ mimeType: 'video/mp4', fileName: `${wf.provider}-${item.json.taskId}.mp4` }),
		);
		expect(binary.id).toMatch(/^filesystem(-v2)?:/);
		expect(binary.data).not.toMatch(/^AAAA/); // not inlined base64
		const path = binaryFilePath(userFolder, binary.id);
		expect(existsSync(path)).toBe(true);
		const mp4 = inspectMp4(readFileSync(path));
		expect(mp4.hasFtyp).toBe(true);
		expect(mp4.durationSeconds).toBeCloseTo(5, 0);
		if (binary.fileSize !== undefined) expect(String(binary.fileSize)).toMatch(/\d/);
		expect(statSync(path).size).toBeGreaterThan(1000);
	});

	describe('running server', () => {
		/** @type {Awaited<ReturnType<typeof startN8n>>} */
		let server;
		/** @type {Awaited<ReturnType<typeof ownerSession>>} */
		let session;

		beforeAll(async () => {
			server = await startN8n({ host, userFolder });
			session = await ownerSession(server.url);
		}, 5 * 60_000);

		afterAll(async () => {
			await server?.stop();
		});

		test('loads every node type and credential type of the package under its real name', async () => {
			const nodes = await session.api('/types/nodes.json');
			expect(nodes.status).toBe(200);
			const nodeNames = /** @type {any[]} */ (nodes.body).map((n) => n.name);
			expect(nodeNames).toEqual(expect.arrayContaining(['n8n-nodes-base.manualTrigger', `${PACKAGE_NAME}.klingVideo`]));
			expect(nodeNames).toEqual(expect.arrayContaining(declared.nodes));

			const creds = await session.api('/types/credentials.json');
			expect(creds.status).toBe(200);
			const credNames = /** @type {any[]} */ (creds.body).map((c) => c.name);
			expect(credNames).toEqual(
				expect.arrayContaining(['klingWaveSpeedApi', 'klingApixoApi', 'klingKieApi', 'klingRivyaApi', ...declared.credentials]),
			);
			const kling = /** @type {any[]} */ (nodes.body).find((n) => n.name === `${PACKAGE_NAME}.klingVideo`);
			expect(kling.displayName).toBe('Kling Video');
		});

		test('the imported demo credentials and example workflows are in the instance', async () => {
			const creds = await session.api('/rest/credentials');
			expect(creds.status).toBe(200);
			const ids = /** @type {any[]} */ (creds.body.data).map((c) => c.id);
			expect(ids).toEqual(expect.arrayContaining(['wavespeedDemo', 'apixoDemo', 'kieDemo', 'rivyaDemo']));
			const wfs = await session.api('/rest/workflows');
			expect(wfs.status).toBe(200);
			const wfIds = /** @type {any[]} */ (wfs.body.data).map((w) => w.id);
			expect(wfIds).toEqual(expect.arrayContaining(prepared.workflows.map((w) => w.id)));
		});

		// Trigger path (issue 5): when package.json lists the klingVideoTrigger node, add here — activate the
		// trigger workflow (activateWorkflow(host, userFolder, id) before startN8n), run a "Send to trigger"
		// example with `n8n execute`, wait for emulator.journal.entries({ kind: 'callback' }) and for the
		// webhook execution (session.api('/rest/executions?filter=…')), then post a forged callback and check
		// that no execution starts.
		const hasTrigger = () => declared?.nodes.includes(`${PACKAGE_NAME}.klingVideoTrigger`);
		test('trigger node (when the package has it) is loaded', async () => {
			if (!hasTrigger()) return;
			const nodes = await session.api('/types/nodes.json');
			expect(/** @type {any[]} */ (nodes.body).map((n) => n.name)).toContain(`${PACKAGE_NAME}.klingVideoTrigger`);
		});
	});
});

/**
 * The first output item of the Kling node in `n8n execute --rawOutput` data (1.x and 2.x shapes).
 * @param {any} data @param {string} nodeName
 */
function klingOutput(data, nodeName) {
	const resultData = data?.data?.resultData ?? data?.resultData ?? data;
	const runData = resultData?.runData;
	if (resultData?.error) throw new Error(`workflow failed in n8n: ${JSON.stringify(resultData.error).slice(0, 2000)}`);
	const nodeRuns = runData?.[nodeName];
	if (!nodeRuns) throw new Error(`no run data for node "${nodeName}" in: ${JSON.stringify(data).slice(0, 2000)}`);
	const last = nodeRuns[nodeRuns.length - 1];
	if (last.error) throw new Error(`node "${nodeName}" failed in n8n: ${JSON.stringify(last.error).slice(0, 2000)}`);
	const item = last.data?.main?.[0]?.[0];
	if (!item) throw new Error(`node "${nodeName}" produced no item: ${JSON.stringify(last).slice(0, 2000)}`);
	return item;
}
