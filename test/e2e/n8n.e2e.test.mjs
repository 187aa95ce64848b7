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
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import {
	PACKAGE_NAME,
	REPO_ROOT,
	activateWorkflow,
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
const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples'))
	.filter((f) => f.endsWith('.json') && f !== 'credentials.demo.json')
	.sort()
	.map((file) => ({
		file,
		wf: JSON.parse(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8')),
	}));
const kling = (/** @type {any} */ wf) =>
	wf.nodes.find((/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideo`);
const hasTriggerNode = (/** @type {any} */ wf) =>
	wf.nodes.some((/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideoTrigger`);
/** Manual Trigger → Kling Video (Generate): run headless, expect the MP4. */
const GENERATE_FILES = EXAMPLES.filter(
	({ wf }) => !hasTriggerNode(wf) && (kling(wf)?.parameters.operation ?? 'generate') === 'generate',
).map((e) => e.file);
/**
 * Every example runs on the first version of the list; the others run the first set (Kling 2.5 Turbo
 * Pro on each provider) and one example per capability of the second set, to keep CI inside its time.
 */
const CAPABILITY_SAMPLES = [
	'wavespeed-kling-3-text-to-video.json',
	'kie-kling-3-image-to-video.json',
	'kling-kling-3-multi-shot.json',
	'replicate-kling-2-6-text-to-video.json',
	'fal-kling-4-text-to-video.json',
];
/**
 * Motion control, lip-sync, avatar, reference, edit and extend (issue 17): every
 * `<provider>-<capability>.json` on the first version, one per capability on the others.
 */
const CAPABILITY_RE = /-(motion-control|lip-sync|avatar|reference-to-video|edit-video|extend-video)\.json$/;
const CAPABILITY_EXAMPLE_SAMPLES = [
	'wavespeed-motion-control.json',
	'fal-lip-sync.json',
	'kie-avatar.json',
	'replicate-reference-to-video.json',
	'fal-edit-video.json',
	'wavespeed-extend-video.json',
];
/** @param {string} version */
function generateFilesFor(version) {
	if (version === VERSIONS[0]) return GENERATE_FILES;
	return GENERATE_FILES.filter((file) =>
		CAPABILITY_RE.test(file)
			? CAPABILITY_EXAMPLE_SAMPLES.includes(file)
			: !/-kling-\d/.test(file) || CAPABILITY_SAMPLES.includes(file),
	);
}
/** The emulator's names for two capabilities. @param {string} mode */
const emulatorMode = (mode) => ({ 'edit-video': 'video-edit', 'extend-video': 'video-extend' })[mode] ?? mode;
/**
 * The length the example's video must have. Inputs in the examples are URLs off the emulator, which it
 * measures as 5 s (its `remoteVideoSeconds` / `remoteAudioSeconds`): input-decided lengths are 5 s, an
 * extension is 5 s + the new segment. @param {string} mode @param {any} params
 */
function expectedSeconds(mode, params) {
	if (['motion-control', 'lip-sync', 'avatar', 'edit-video'].includes(mode)) return 5;
	if (mode === 'extend-video') return 5 + (params.duration ?? 5);
	return params.duration ?? 5;
}
/** Send to trigger: a Submit workflow with a callback URL plus the trigger workflow it calls. */
const TRIGGER_PAIRS = EXAMPLES.filter(
	({ wf }) => kling(wf)?.parameters.operation === 'submit' && kling(wf)?.parameters.callbackUrl,
)
	.map(({ file, wf }) => {
		const path = new URL(kling(wf).parameters.callbackUrl).pathname;
		const target = EXAMPLES.find(({ wf: t }) =>
			t.nodes.some(
				(/** @type {any} */ n) =>
					n.type === `${PACKAGE_NAME}.klingVideoTrigger` && path.includes(`/${n.parameters.token}`),
			),
		);
		return target ? { submitFile: file, triggerFile: target.file } : null;
	})
	.filter((x) => x !== null);

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
	const port = Number(
		process.env.KLING_E2E_EMULATOR_PORT ?? ((await portIsFree(4010)) ? 4010 : await freePort()),
	);
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
	/** @type {number} */
	let serverPort;

	beforeAll(async () => {
		host = /** @type {any} */ (await hosts.get(version));
		userFolder = freshUserFolder(`kling-e2e-${version}-`);
		await installPackage(userFolder, tgz);
		serverPort = await freePort();
		mkdirSync(join(userFolder, 'videos'), { recursive: true });
		prepared = prepareExamples(join(userFolder, 'examples'), {
			emulatorUrl: emulator.url,
			waitOptions: FAST_WAIT,
			replace: [
				['http://127.0.0.1:5678', `http://127.0.0.1:${serverPort}`], // Send to trigger → this test's server
				['/tmp/kling-videos/', `${join(userFolder, 'videos')}/`], // the trigger example's "Save video" node
			],
		});
		await n8nCliOk(host, userFolder, ['import:credentials', `--input=${prepared.credentialsFile}`]);
		await n8nCliOk(host, userFolder, [
			'import:workflow',
			'--separate',
			`--input=${prepared.workflowsDir}`,
		]);
		// run every Generate example headless, a few at a time
		await pool(
			prepared.workflows.filter((w) => generateFilesFor(version).includes(w.file)),
			EXEC_CONCURRENCY,
			async (wf) => {
				const started = Date.now();
				const res = await n8nCli(host, userFolder, ['execute', `--id=${wf.id}`, '--rawOutput'], {
					timeoutMs: 240_000,
				});
				runs.set(wf.file, { wf, res, ms: Date.now() - started });
			},
		);
	}, 45 * 60_000);

	afterAll(() => {
		if (userFolder && !KEEP) rmSync(userFolder, { recursive: true, force: true });
		else if (userFolder)
			process.stderr.write(`[e2e] kept user folder for n8n ${version}: ${userFolder}\n`);
	});

	test('the tarball is installed as a community package', () => {
		const installed = JSON.parse(
			readFileSync(
				join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json'),
				'utf8',
			),
		);
		expect(installed.name).toBe(PACKAGE_NAME);
		for (const file of [...installed.n8n.nodes, ...installed.n8n.credentials]) {
			expect(
				existsSync(join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, file)),
			).toBe(true);
		}
	});

	test.each(generateFilesFor(version))(
		'executes examples/%s headless: normalized JSON + MP4 in the filesystem binary store',
		(file) => {
			const run = runs.get(file);
			expect(run).toBeDefined();
			const { wf, res } = run;
			if (res.code !== 0)
				throw new Error(
					`n8n execute --id=${wf.id} exited ${res.code}:\n${tail(res.stdout + res.stderr, 60)}`,
				);
			let data;
			try {
				data = parseRawOutput(res.stdout);
			} catch {
				throw new Error(
					`n8n execute --id=${wf.id} printed no JSON (rc ${res.code}):\n${tail(res.stdout + res.stderr, 60)}`,
				);
			}
			const item = klingOutput(data, wf.nodeName);
			const example = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8'));
			const params = example.nodes.find(
				(/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideo`,
			).parameters;

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
			// With shots the prompt is null and the shot list is what the provider received; capabilities
			// write references the provider's way (@Image1 → <<<image_1>>>), lip-sync has no prompt.
			if (CAPABILITY_RE.test(file)) {
				if (params.prompt && wf.mode !== 'lip-sync') expect(item.json.request.prompt).toEqual(expect.any(String));
				expect(item.json.outputDurationS).toBe(expectedSeconds(wf.mode, params));
			} else {
				expect(item.json.request.prompt).toBe(params.multiShot ? null : params.prompt);
			}
			if (params.multiShot) expect(item.json.request.shots).toEqual(params.shots.shot);
			if (wf.mode === 'image-to-video')
				expect(item.json.request.startImageUrl).toEqual(expect.any(String));
			// the task really went through the emulator
			const task = emulator.tasks.get(item.json.taskId);
			expect(task).toEqual(expect.objectContaining({ provider: wf.provider }));
			// A capability served by a generation model (Replicate's Omni) records it under `media`.
			expect(task.media?.capability ?? task.mode).toBe(emulatorMode(wf.mode));

			const binary = item.binary?.data;
			expect(binary).toEqual(
				expect.objectContaining({
					mimeType: 'video/mp4',
					fileName: `${wf.provider}-${item.json.taskId}.mp4`,
				}),
			);
			expect(binary.id).toMatch(/^filesystem(-v2)?:/);
			expect(binary.data).not.toMatch(/^AAAA/); // not inlined base64
			const path = binaryFilePath(userFolder, binary.id);
			expect(existsSync(path)).toBe(true);
			const mp4 = inspectMp4(readFileSync(path));
			expect(mp4.hasFtyp).toBe(true);
			const seconds = expectedSeconds(wf.mode, params);
			expect(mp4.durationSeconds).toBeCloseTo(seconds, 0);
			// Sound: an audio track exactly when the item says the provider made sound (null: the provider decides).
			if (item.json.request.audio !== null) expect(mp4.hasAudio).toBe(item.json.request.audio === true);
			if (mp4.audio) expect(mp4.audio.durationSeconds).toBeCloseTo(seconds, 0);
			expect(statSync(path).size).toBeGreaterThan(1000);
		},
	);

	(version === VERSIONS[0] ? test : test.skip)(
		'examples/kie-fallback-wavespeed.json with Kie.ai out of credit: the WaveSpeed node makes the video, one paid task',
		async () => {
			const wf = /** @type {any} */ (prepared.workflows.find((w) => w.file === 'kie-fallback-wavespeed.json'));
			const since = Date.now();
			emulator.planSubmits('kie', ['credit']);
			const res = await n8nCli(host, userFolder, ['execute', `--id=${wf.id}`, '--rawOutput'], {
				timeoutMs: 240_000,
			});
			if (res.code !== 0)
				throw new Error(`n8n execute --id=${wf.id} exited ${res.code}:\n${tail(res.stdout + res.stderr, 60)}`);
			const data = parseRawOutput(res.stdout);
			const made = klingOutput(data, 'Kling Video (fallback: WaveSpeed)');
			expect(made.json).toEqual(
				expect.objectContaining({
					provider: 'wavespeed',
					status: 'succeeded',
					fallback: expect.objectContaining({ from: 'kie', reason: 'insufficient_credits' }),
				}),
			);
			expect(made.json.request.prompt).toMatch(/white sneakers/);
			const created = emulator.journal.entries(
				(e) => e.kind === 'submit' && e.at >= since && e.taskId && !e.replay,
			);
			expect(created.map((e) => e.provider)).toEqual(['wavespeed']);
			const mp4 = inspectMp4(readFileSync(binaryFilePath(userFolder, made.binary.data.id)));
			expect(mp4.hasAudio).toBe(true);
		},
	);

	describe('running server', () => {
		/** @type {Awaited<ReturnType<typeof startN8n>>} */
		let server;
		/** @type {Awaited<ReturnType<typeof ownerSession>>} */
		let session;

		beforeAll(async () => {
			for (const { triggerFile } of TRIGGER_PAIRS) {
				await activateWorkflow(
					host,
					userFolder,
					/** @type {any} */ (prepared.workflows.find((w) => w.file === triggerFile)).id,
				);
			}
			server = await startN8n({
				host,
				userFolder,
				port: serverPort,
				env: { N8N_RESTRICT_FILE_ACCESS_TO: join(userFolder, 'videos') },
			});
			session = await ownerSession(server.url);
		}, 5 * 60_000);

		afterAll(async () => {
			await server?.stop();
		});

		test('loads every node type and credential type of the package under its real name', async () => {
			const nodes = await session.api('/types/nodes.json');
			expect(nodes.status).toBe(200);
			const nodeNames = /** @type {any[]} */ (nodes.body).map((n) => n.name);
			expect(nodeNames).toEqual(
				expect.arrayContaining(['n8n-nodes-base.manualTrigger', `${PACKAGE_NAME}.klingVideo`]),
			);
			expect(nodeNames).toEqual(expect.arrayContaining(declared.nodes));

			const creds = await session.api('/types/credentials.json');
			expect(creds.status).toBe(200);
			const credNames = /** @type {any[]} */ (creds.body).map((c) => c.name);
			expect(credNames).toEqual(
				expect.arrayContaining([
					'klingWaveSpeedApi',
					'klingApixoApi',
					'klingKieApi',
					'klingRivyaApi',
					...declared.credentials,
				]),
			);
			const kling = /** @type {any[]} */ (nodes.body).find(
				(n) => n.name === `${PACKAGE_NAME}.klingVideo`,
			);
			expect(kling.displayName).toBe('Kling Video');
		});

		test('the imported demo credentials and example workflows are in the instance', async () => {
			const creds = await session.api('/rest/credentials');
			expect(creds.status).toBe(200);
			const ids = /** @type {any[]} */ (creds.body.data).map((c) => c.id);
			expect(ids).toEqual(
				expect.arrayContaining(['wavespeedDemo', 'apixoDemo', 'kieDemo', 'rivyaDemo']),
			);
			const wfs = await session.api('/rest/workflows');
			expect(wfs.status).toBe(200);
			const wfIds = /** @type {any[]} */ (wfs.body.data).map((w) => w.id);
			expect(wfIds).toEqual(expect.arrayContaining(prepared.workflows.map((w) => w.id)));
		});

		test('behaviour 8: the credential test passes with the demo key and fails on a wrong key, for all seven providers', async () => {
			/** @type {Array<{ id: string, name: string, type: string, data: Record<string, string> }>} */
			const demos = JSON.parse(readFileSync(prepared.credentialsFile, 'utf8'));
			/** @type {Record<string, [string, string]>} */
			const answers = {};
			for (const demo of demos) {
				const test = async (/** @type {Record<string, string>} */ data) => {
					const res = await session.api('/rest/credentials/test', {
						method: 'POST',
						body: JSON.stringify({ credentials: { ...demo, data } }),
					});
					expect(res.status).toBe(200);
					const { status, message } = /** @type {any} */ (res.body).data;
					return `${status}: ${message}`;
				};
				const wrong = Object.fromEntries(
					Object.entries(demo.data).map(([key, value]) => [
						key,
						/^(apiKey|accessKey|secretKey|apiToken)$/.test(key) ? `${value}-wrong` : value,
					]),
				);
				answers[demo.type] = [await test(demo.data), await test(wrong)];
			}
			expect(Object.keys(answers)).toHaveLength(7);
			for (const [type, [right, wrong]] of Object.entries(answers)) {
				expect(`${type} ${right}`).toMatch(new RegExp(`^${type} OK`));
				expect(`${type} ${wrong}`).toMatch(new RegExp(`^${type} Error`));
			}
		});

		test('behaviour 15: a mistyped host never says a paid task may have been created (real n8n wording)', async () => {
			const credential = await session.api('/rest/credentials', {
				method: 'POST',
				body: JSON.stringify({
					name: 'Kie mistyped host',
					type: 'klingKieApi',
					data: { apiKey: 'kie_emulator_test_key', baseUrl: 'https://api.kie-typo.invalid' },
				}),
			});
			expect(credential.status).toBe(200);
			const credentialId = /** @type {any} */ (credential.body).data.id;
			const workflow = await session.api('/rest/workflows', {
				method: 'POST',
				body: JSON.stringify({
					name: 'Kling Video: mistyped host',
					// n8n 1.123 stores workflow_entity.active NOT NULL and does not default it
					active: false,
					nodes: [
						{ id: 'm1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
						{
							id: 'k1',
							name: 'Kling Video',
							type: `${PACKAGE_NAME}.klingVideo`,
							typeVersion: 2,
							position: [200, 0],
							parameters: { authentication: 'kie', operation: 'submit', prompt: 'a typo' },
							credentials: { klingKieApi: { id: credentialId, name: 'Kie mistyped host' } },
						},
					],
					connections: { Start: { main: [[{ node: 'Kling Video', type: 'main', index: 0 }]] } },
					settings: { executionOrder: 'v1' },
				}),
			});
			expect(workflow.status).toBe(200);
			const workflowId = /** @type {any} */ (workflow.body).data.id;
			const res = await n8nCli(host, userFolder, ['execute', `--id=${workflowId}`, '--rawOutput'], {
				timeoutMs: 120_000,
			});
			const text = res.stdout + res.stderr;
			expect(text).toMatch(/Could not reach Kie\.ai at api\.kie-typo\.invalid: the host name could not be resolved/);
			expect(text).not.toMatch(/may or may not have created a paid task/);
			expect(emulator.journal.entries({ kind: 'submit', provider: 'kie' }).filter((e) => /a typo/.test(JSON.stringify(e.body)))).toHaveLength(0);
		});

		/** Executions of a workflow, newest first (REST, owner session). @param {string} workflowId */
		async function executionsOf(workflowId) {
			const res = await session.api(
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`,
			);
			expect(res.status).toBe(200);
			const body = /** @type {any} */ (res.body);
			return /** @type {any[]} */ (body.data?.results ?? body.data ?? []);
		}

		/** @type {Map<string, { items: any[], byTask: Map<string, any> }>} */
		const triggerRuns = new Map();

		/**
		 * The trigger node's first output item (and the workflow error, if any) of an execution; n8n stores
		 * execution data with `flatted`, read with n8n's own copy.
		 * @param {string} id @param {string} nodeName
		 */
		async function triggerOutput(id, nodeName) {
			const res = await session.api(`/rest/executions/${id}`);
			const raw = /** @type {any} */ (res.body).data?.data;
			if (typeof raw !== 'string') return null;
			const flatted = createRequire(join(host.dir, 'node_modules', 'n8n', 'package.json'))(
				'flatted',
			);
			const data = flatted.parse(raw);
			const item = data.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0]?.[0];
			if (!item) return null;
			const err = data.resultData?.error;
			return {
				json: item.json,
				binary: item.binary,
				error: err ? `${err.node?.name ?? ''}: ${err.message}` : null,
			};
		}

		test.each(TRIGGER_PAIRS.map((p) => [p.submitFile, p.triggerFile]))(
			'Send to trigger (%s → %s): the emulator calls the production webhook; each execution carries the video and the correlation data',
			async (submitFile, triggerFile) => {
				const submit = /** @type {any} */ (prepared.workflows.find((w) => w.file === submitFile));
				const trigger = /** @type {any} */ (prepared.workflows.find((w) => w.file === triggerFile));
				// Finish the tasks 1.5 s apart so the callbacks' executions do not overlap: n8n <= 2.8.x (filesystem
				// binary mode) has a race of its own — FileSystemManager.rename() moves one webhook execution's
				// binary out of workflows/<id>/executions/temp/ and then rm -rf's that whole temp dir, deleting the
				// binaries of other executions of the same workflow still running ("Failed to restore binary data ID
				// - No such file or dir", next node: "File not found"). n8n 2.33's blob manager no longer does this.
				const wfJson = JSON.parse(readFileSync(join(prepared.workflowsDir, submitFile), 'utf8'));
				const rows = wfJson.nodes
					.map(
						(/** @type {any} */ n) =>
							(String(n.parameters?.jsCode ?? '').match(/json:/g) ?? []).length,
					)
					.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0);
				for (let k = 0; k < Math.max(rows, 1); k++)
					emulator.planNextTask(submit.provider, { generationMs: 1500 * (k + 1) });
				const res = await n8nCli(
					host,
					userFolder,
					['execute', `--id=${submit.id}`, '--rawOutput'],
					{ timeoutMs: 240_000 },
				);
				if (res.code !== 0)
					throw new Error(
						`n8n execute --id=${submit.id} exited ${res.code}:\n${tail(res.stdout + res.stderr, 60)}`,
					);
				const data = parseRawOutput(res.stdout);
				const items = klingItems(data, submit.nodeName);
				expect(items.length).toBeGreaterThan(0);
				for (const item of items) {
					expect(item.json).toEqual(
						expect.objectContaining({
							provider: submit.provider,
							taskId: expect.any(String),
							status: expect.stringMatching(/^(queued|processing)$/),
						}),
					);
					expect(item.json.callbackUrl).toContain(`127.0.0.1:${serverPort}/webhook/`);
				}
				// the input rows of the Kling node (the example's Code node outputs { row, prompt } items)
				const runData = data.data.resultData.runData;
				const inputNode = Object.keys(runData).find(
					(n) => n !== submit.nodeName && runData[n][0]?.data?.main?.[0]?.[0]?.json?.row,
				);
				/** @type {any[]} */
				const submitted = inputNode ? runData[inputNode][0].data.main[0] : [];
				// one trigger execution per submitted task, each carrying the MP4 and the correlation data
				const byTask = new Map();
				const seen = new Set();
				const deadline = Date.now() + 90_000;
				while (Date.now() < deadline && byTask.size < items.length) {
					for (const e of await executionsOf(trigger.id)) {
						if (seen.has(e.id) || !['success', 'error'].includes(e.status)) continue;
						seen.add(e.id);
						const out = await triggerOutput(e.id, trigger.nodeName);
						if (out) byTask.set(out.json.taskId, { execution: e, out });
					}
					if (byTask.size < items.length) await new Promise((r) => setTimeout(r, 1000));
				}
				expect([...byTask.keys()].sort()).toEqual(
					items.map((/** @type {any} */ i) => i.json.taskId).sort(),
				);
				for (const [i, item] of items.entries()) {
					const { out } = byTask.get(item.json.taskId);
					// the correlation value is the input row's `row` (the example's Code node outputs { row, prompt })
					expect(out.json).toEqual(
						expect.objectContaining({
							provider: submit.provider,
							status: 'succeeded',
							taskId: item.json.taskId,
						}),
					);
					expect(out.json.correlation).toEqual(
						expect.objectContaining({ row: submitted[i]?.json?.row ?? `row-${i + 1}` }),
					);
					expect(out.binary?.data).toEqual(expect.objectContaining({ mimeType: 'video/mp4' }));
				}
				triggerRuns.set(triggerFile, { items, byTask });
			},
			180_000,
		);

		test.each(TRIGGER_PAIRS.map((p) => [p.triggerFile]))(
			'%s: the next node reads the MP4 the trigger stored (Save video wrote every file)',
			(triggerFile) => {
				const run = triggerRuns.get(triggerFile);
				if (!run) throw new Error('the Send to trigger test did not get this far');
				const { items, byTask } = run;
				// and the next node could use that binary: "Save video" wrote <correlation.row>-<taskId>.mp4
				const problems = [];
				for (const item of items) {
					const { execution, out } = byTask.get(item.json.taskId);
					const file = join(
						userFolder,
						'videos',
						`${out.json.correlation.row}-${item.json.taskId}.mp4`,
					);
					if (execution.status !== 'success' || !existsSync(file)) {
						problems.push(
							`execution ${execution.id} (${execution.status}) for ${item.json.taskId}: ${out.error ?? 'no file'}`,
						);
						continue;
					}
					const mp4 = inspectMp4(readFileSync(file));
					expect(mp4.hasFtyp).toBe(true);
					expect(mp4.durationSeconds).toBeCloseTo(5, 0);
				}
				if (problems.length) {
					throw new Error(
						`the trigger's MP4 could not be read by the next node:\n${problems.join('\n')}\nn8n log:\n${tail(server.logs(), 12)}`,
					);
				}
			},
		);

		test.each(TRIGGER_PAIRS.map((p) => [p.triggerFile]))(
			'a forged callback to %s starts no execution',
			async (triggerFile) => {
				const trigger = /** @type {any} */ (prepared.workflows.find((w) => w.file === triggerFile));
				const wf = JSON.parse(readFileSync(join(prepared.workflowsDir, triggerFile), 'utf8'));
				const node = wf.nodes.find(
					(/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideoTrigger`,
				);
				const url = `${server.url}/webhook/${node.webhookId}/${node.parameters.token}`;
				// let callbacks still in flight from the previous test settle first
				let before = -1;
				for (let i = 0; i < 20; i++) {
					const n = (await executionsOf(trigger.id)).length;
					if (n === before) break;
					before = n;
					await new Promise((r) => setTimeout(r, 1000));
				}
				const now = Math.floor(Date.now() / 1000);
				const body = JSON.stringify({
					code: 200,
					msg: 'Playground task completed successfully.',
					data: {
						taskId: 'task_forged_0001',
						state: 'success',
						resultJson: JSON.stringify({ resultUrls: ['http://127.0.0.1:9/evil.mp4'] }),
					},
				});
				// right URL, forged body with a bad signature
				const forged = await fetch(url, {
					method: 'POST',
					headers: {
						'content-type': 'application/json',
						'x-webhook-timestamp': String(now),
						'x-webhook-signature': 'Zm9yZ2Vk',
					},
					body,
				});
				expect(forged.status).toBeGreaterThanOrEqual(400);
				expect(forged.status).toBeLessThan(500);
				// wrong token
				const wrong = await fetch(`${server.url}/webhook/${node.webhookId}/not-the-token`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body,
				});
				expect(wrong.status).toBeGreaterThanOrEqual(400);
				await new Promise((r) => setTimeout(r, 3000));
				expect((await executionsOf(trigger.id)).length).toBe(before);
			},
		);
	});
});

/**
 * All output items of a node in `n8n execute --rawOutput` data.
 * @param {any} data @param {string} nodeName
 */
function klingItems(data, nodeName) {
	const runData = (data?.data?.resultData ?? data?.resultData)?.runData;
	const nodeRuns = runData?.[nodeName];
	if (!nodeRuns) throw new Error(`no run data for node "${nodeName}"`);
	return nodeRuns[nodeRuns.length - 1].data?.main?.[0] ?? [];
}

/**
 * The first output item of the Kling node in `n8n execute --rawOutput` data (1.x and 2.x shapes).
 * @param {any} data @param {string} nodeName
 */
function klingOutput(data, nodeName) {
	const resultData = data?.data?.resultData ?? data?.resultData ?? data;
	const runData = resultData?.runData;
	if (resultData?.error)
		throw new Error(`workflow failed in n8n: ${JSON.stringify(resultData.error).slice(0, 2000)}`);
	const nodeRuns = runData?.[nodeName];
	if (!nodeRuns)
		throw new Error(
			`no run data for node "${nodeName}" in: ${JSON.stringify(data).slice(0, 2000)}`,
		);
	const last = nodeRuns[nodeRuns.length - 1];
	if (last.error)
		throw new Error(
			`node "${nodeName}" failed in n8n: ${JSON.stringify(last.error).slice(0, 2000)}`,
		);
	const item = last.data?.main?.[0]?.[0];
	if (!item)
		throw new Error(`node "${nodeName}" produced no item: ${JSON.stringify(last).slice(0, 2000)}`);
	return item;
}
