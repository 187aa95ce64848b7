// @ts-check
/**
 * templates/*.json in REAL n8n (issue 16 item 6), on the first version of N8N_E2E_VERSIONS (default 2.8.4; checked by
 * hand on 2.41.1 with N8N_E2E_VERSIONS=2.41.1); TEMPLATES_E2E_ALL_VERSIONS=1 runs every version of the list. The files
 * themselves (complete set, no unrendered {{ }}, no pinned data or test credentials) are test/unit/templates.test.mjs.
 *
 * 1. Valid: each template is saved through the REST API as a user's import is (owner session, POST /rest/workflows),
 *    and checked against what THIS n8n knows (GET /types/nodes.json): every node type exists in the template's
 *    typeVersion, every parameter the template sets (and every option inside its collections) is a parameter of that
 *    type, every credential slot is one the type accepts; every connection starts at an existing node, on an output
 *    that node has and of that output's type, and ends at an existing node.
 * 2. Runs, as manual executions (n8n uses pinned data only in manual runs): the Google Sheets and Google Drive nodes
 *    stay in the workflow and are pinned (pinData saved with the workflow), the Kling nodes run against the
 *    emulator with the Kie.ai demo credential (wait options shortened as every harness here does).
 *    `POST /rest/workflows/:id/run` with `{ workflowData, triggerToStartFrom: { name } }`: n8n 2.8.4 runs the
 *    `workflowData` of the body (workflows.controller.js runManually → executeManually(req.body)); n8n 2.41.1 runs
 *    the saved workflow and validates the body with ManualRunDto (triggerToStartFrom; other keys are ignored), so
 *    the one body works for both. The execution is then read back (GET /rest/executions/:id, flatted data).
 *    (a) Generate: two new rows and one already done → two paid tasks with the rows' prompts, both MP4s (in n8n's
 *        filesystem binary store) reach the Drive node's input, and the sheet update gets each row's Drive link,
 *        task ID and status.
 *    (d) Retry unfinished rows: a `wait_timeout` row whose task exists (and has finished) on the emulator, a row
 *        without a task ID, a finished row and a failed row → exactly one status read of the existing task and no
 *        new submit for it, exactly one submit (the row without a task ID), nothing for the other two.
 *    (b) Submit: one paid task per new row, its callback URL = the receive template's production URL with the row
 *        number as correlation data, and the task ID written back at once; receive: the trigger's output (pinned: a
 *        finished and a failed task) reaches Drive / the "not ready" branch and names the right rows.
 * 3. With TEMPLATES_E2E_SCREENSHOT=1 (needs Debian's Chromium; playwright-core, test/e2e/editor.mjs): (a) opened in
 *    the editor as the owner, "Execute workflow" clicked, screenshot after the run → test-results/templates/ and, for
 *    2.8.4 (TEMPLATES_E2E_SCREENSHOT_VERSION), docs/screenshots/template-sheets-drive.png (the README's).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import {
	DEFAULT_E2E_VERSIONS,
	PACKAGE_NAME,
	REPO_ROOT,
	binaryFilePath,
	e2eVersions,
	ensureN8n,
	freshUserFolder,
	installPackage,
	n8nCliOk,
	ownerSession,
	prepareExamples,
	startN8n,
	tail,
} from './host.mjs';
import { closePackageAndEmulator, packAndStartEmulator } from './demo-setup.mjs';

// the first version of the matrix (CI time); TEMPLATES_E2E_ALL_VERSIONS=1: every version of N8N_E2E_VERSIONS
const VERSIONS =
	process.env.TEMPLATES_E2E_ALL_VERSIONS === '1' ? e2eVersions() : e2eVersions().slice(0, 1);
const KEEP = process.env.N8N_E2E_KEEP === '1';
const TEMPLATES_DIR = join(REPO_ROOT, 'templates');
const TEMPLATES = readdirSync(TEMPLATES_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort();
const FAST_WAIT = { firstCheckAfter: 1, pollInterval: 0.5, maxWait: 120 };
const KIE_DEMO = { id: 'kieDemo', name: 'Kie.ai (demo)' };
const MANUAL = "When clicking 'Execute workflow'";
const SCREENSHOT = process.env.TEMPLATES_E2E_SCREENSHOT === '1';

/** Template (a)'s campaign sheet rows that have no video yet: rows 2 and 3. */
const NEW_ROWS = [
	{
		row_number: 2,
		prompt: 'A red sneaker splashes through a neon puddle, slow motion',
		status: '',
		task_id: '',
		video_link: '',
		error: '',
	},
	{
		row_number: 3,
		prompt: 'Latte art heart forms in a white cup, top-down, morning light',
		status: '',
		task_id: '',
		video_link: '',
		error: '',
	},
];
/** What template (a)'s pinned Google nodes output for NEW_ROWS: one Drive file and one sheet update each. */
const PINNED_GOOGLE_OUTPUTS = {
	'Upload to Google Drive': NEW_ROWS.map(({ row_number }) => ({
		json: {
			kind: 'drive#file',
			id: `driveFileRow${row_number}`,
			name: `row-${row_number}.mp4`,
			mimeType: 'video/mp4',
		},
	})),
	'Write back to the sheet': NEW_ROWS.map(({ row_number }) => ({ json: { row_number } })),
};
/** @param {string} file */
const readTemplate = (file) => JSON.parse(readFileSync(join(TEMPLATES_DIR, file), 'utf8'));

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {string} */
let tgz;

beforeAll(async () => {
	({ tgz, emulator } = await packAndStartEmulator());
}, 10 * 60_000);

afterAll(async () => await closePackageAndEmulator({ tgz, emulator }));

/**
 * Everything /types/nodes.json says about one node type at one version.
 * @typedef {{ descriptions: any[], params: Map<string, Set<string> | null>, credentials: Set<string>,
 *   outputs: any[] | string | undefined }} TypeInfo
 */

/**
 * @param {any[]} nodeTypes /types/nodes.json @param {string} type @param {number} version
 * @returns {TypeInfo | null}
 */
function typeInfo(nodeTypes, type, version) {
	const descriptions = nodeTypes.filter(
		(d) => d.name === type && [d.version].flat().map(Number).includes(Number(version)),
	);
	if (!descriptions.length) return null;
	/** @type {Map<string, Set<string> | null>} */
	const params = new Map();
	const credentials = new Set();
	for (const d of descriptions) {
		for (const p of d.properties ?? []) {
			const children = ['collection', 'fixedCollection'].includes(p.type)
				? (p.options ?? []).map((/** @type {any} */ o) => o.name)
				: null;
			if (!params.has(p.name)) params.set(p.name, children ? new Set() : null);
			const known = params.get(p.name);
			if (children && known) children.forEach((/** @type {string} */ c) => known.add(c));
		}
		for (const c of d.credentials ?? []) credentials.add(c.name);
	}
	return { descriptions, params, credentials, outputs: descriptions[0].outputs };
}

/**
 * How many outputs a node has, and of which connection type each is (null: n8n computes them from parameters).
 * @param {TypeInfo} info @param {any} node
 * @returns {string[] | null}
 */
function outputsOf(info, node) {
	if (Array.isArray(info.outputs))
		return info.outputs.map((/** @type {any} */ o) => (typeof o === 'string' ? o : o.type));
	// expression outputs of the nodes the templates use
	if (node.type === 'n8n-nodes-base.switch') {
		const rules = node.parameters.rules?.values ?? [];
		return Array(rules.length + (node.parameters.options?.fallbackOutput === 'extra' ? 1 : 0)).fill(
			'main',
		);
	}
	// the Kling Video node: a second output ("Refused – nothing paid") with Refused Items Output on Generate/Submit
	if (node.type === `${PACKAGE_NAME}.klingVideo`)
		return ['generate', 'submit'].includes(node.parameters.operation ?? 'generate') &&
			node.parameters.options?.refusedItemsOutput === true
			? ['main', 'main']
			: ['main'];
	if (node.type === 'n8n-nodes-base.filter')
		return node.parameters.options?.allowDiscarded ? ['main', 'main'] : ['main'];
	return null;
}

/** Problems of one template against this n8n's node types. @param {any} wf @param {any[]} nodeTypes */
function validate(wf, nodeTypes) {
	/** @type {string[]} */
	const problems = [];
	const byName = new Map(wf.nodes.map((/** @type {any} */ n) => [n.name, n]));
	if (byName.size !== wf.nodes.length) problems.push('two nodes share a name');
	/** @type {Map<string, TypeInfo>} */
	const infos = new Map();
	for (const node of wf.nodes) {
		const info = typeInfo(nodeTypes, node.type, node.typeVersion);
		if (!info) {
			problems.push(
				`${node.name}: node type ${node.type} v${node.typeVersion} is unknown to this n8n`,
			);
			continue;
		}
		infos.set(node.name, info);
		for (const [key, value] of Object.entries(node.parameters ?? {})) {
			if (!info.params.has(key)) {
				problems.push(
					`${node.name}: parameter "${key}" is not a parameter of ${node.type} v${node.typeVersion}`,
				);
				continue;
			}
			const children = info.params.get(key);
			if (children && value && typeof value === 'object' && !Array.isArray(value)) {
				for (const child of Object.keys(value)) {
					if (!children.has(child))
						problems.push(
							`${node.name}: "${key}.${child}" is not an option of ${node.type} v${node.typeVersion}`,
						);
				}
			}
		}
		for (const slot of Object.keys(node.credentials ?? {})) {
			if (!info.credentials.has(slot))
				problems.push(`${node.name}: ${node.type} takes no credential of type ${slot}`);
		}
	}
	for (const [from, byType] of Object.entries(wf.connections ?? {})) {
		const source = byName.get(from);
		if (!source) {
			problems.push(`connection from "${from}", which is not a node`);
			continue;
		}
		const info = infos.get(from);
		const outputs = info ? outputsOf(info, source) : null;
		for (const [type, branches] of Object.entries(
			/** @type {Record<string, any[][]>} */ (byType),
		)) {
			branches.forEach((targets, outputIndex) => {
				if (outputs && (outputIndex >= outputs.length || outputs[outputIndex] !== type))
					problems.push(
						`"${from}" has no ${type} output #${outputIndex} (it has: ${outputs.join(', ')})`,
					);
				for (const target of targets ?? []) {
					if (!byName.has(target.node))
						problems.push(`"${from}" → "${target.node}", which is not a node`);
					if (target.type !== type)
						problems.push(
							`"${from}" → "${target.node}": ${type} output into a ${target.type} input`,
						);
				}
			});
		}
	}
	return problems;
}

/**
 * The execution's run data (n8n stores it with `flatted`; parsed with n8n's own copy).
 * @param {import('./host.mjs').N8nHost} host @param {any} execution
 */
function runDataOf(host, execution) {
	const raw = execution.data;
	const flatted = createRequire(join(host.dir, 'node_modules', 'n8n', 'package.json'))('flatted');
	const data = typeof raw === 'string' ? flatted.parse(raw) : raw;
	return data.resultData;
}

/** All items a node output on `output` over all its runs. @param {any} resultData @param {string} name */
function itemsOf(resultData, name, output = 0) {
	return (resultData.runData[name] ?? []).flatMap(
		(/** @type {any} */ r) => r.data?.main?.[output] ?? [],
	);
}

/** @param {string} userFolder @param {any} binary */
function mp4Of(userFolder, binary) {
	const path = binaryFilePath(userFolder, binary.id);
	expect(existsSync(path)).toBe(true);
	return inspectMp4(readFileSync(path));
}

describe.each(VERSIONS)('n8n %s: templates', (version) => {
	/** @type {import('./host.mjs').N8nHost} */
	let host;
	/** @type {string} */
	let userFolder;
	/** @type {Awaited<ReturnType<typeof startN8n>>} */
	let server;
	/** @type {Awaited<ReturnType<typeof ownerSession>>} */
	let session;
	/** @type {any[]} */
	let nodeTypes;

	beforeAll(async () => {
		host = await ensureN8n(version);
		userFolder = freshUserFolder(`kling-templates-${version}-`);
		await installPackage(userFolder, tgz);
		const { credentialsFile } = prepareExamples(join(userFolder, 'examples'), {
			emulatorUrl: emulator.url,
			only: () => false,
		});
		await n8nCliOk(host, userFolder, ['import:credentials', `--input=${credentialsFile}`]);
		server = await startN8n({ host, userFolder });
		session = await ownerSession(server.url);
		const types = await session.api('/types/nodes.json');
		expect(types.status).toBe(200);
		nodeTypes = /** @type {any[]} */ (types.body);
	}, 8 * 60_000);

	afterAll(async () => {
		await server?.stop();
		if (userFolder && !KEEP) rmSync(userFolder, { recursive: true, force: true });
		else if (userFolder) process.stderr.write(`[templates e2e] kept user folder: ${userFolder}\n`);
	});

	/** Save a workflow as the owner (what "Import from file" + Save does); returns n8n's copy. @param {any} wf */
	async function save(wf) {
		// as the editor sends it: no id (n8n assigns one), `active: false` (1.x requires the field)
		const { id: _id, ...body } = { ...wf, active: false };
		const res = await session.api('/rest/workflows', {
			method: 'POST',
			body: JSON.stringify(body),
		});
		if (res.status !== 200)
			throw new Error(
				`saving "${wf.name}" failed (${res.status}): ${JSON.stringify(res.body).slice(0, 800)}`,
			);
		return /** @type {any} */ (res.body).data;
	}

	/**
	 * Run a saved workflow manually from its Manual Trigger and wait for the execution to finish.
	 * @param {any} saved
	 */
	async function runManually(saved) {
		return runManuallyFrom(saved, MANUAL);
	}

	/** @param {any} saved @param {string} triggerName */
	async function runManuallyFrom(saved, triggerName) {
		const res = await session.api(`/rest/workflows/${saved.id}/run`, {
			method: 'POST',
			body: JSON.stringify({ workflowData: saved, triggerToStartFrom: { name: triggerName } }),
		});
		const executionId = /** @type {any} */ (res.body)?.data?.executionId;
		if (res.status !== 200 || !executionId)
			throw new Error(
				`manual run of "${saved.name}" not started (${res.status}): ${JSON.stringify(res.body).slice(0, 800)}`,
			);
		const deadline = Date.now() + 150_000;
		for (;;) {
			const got = await session.api(`/rest/executions/${executionId}`);
			const execution = /** @type {any} */ (got.body)?.data;
			if (
				execution &&
				execution.status !== 'running' &&
				execution.status !== 'new' &&
				execution.data
			) {
				const resultData = runDataOf(host, execution);
				if (execution.status !== 'success')
					throw new Error(
						`manual run of "${saved.name}" ended ${execution.status}: ${JSON.stringify(resultData.error ?? null).slice(0, 1500)}\n${tail(server.logs(), 15)}`,
					);
				return resultData;
			}
			if (Date.now() > deadline)
				throw new Error(`manual run ${executionId} still ${execution?.status} after 150 s`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}

	/** A template with the Kling credentials on the demo (emulator) and short waits. @param {string} file */
	function forEmulator(file) {
		const wf = readTemplate(file);
		for (const node of wf.nodes) {
			if (node.credentials?.klingKieApi) node.credentials.klingKieApi = KIE_DEMO;
			if (
				node.type === `${PACKAGE_NAME}.klingVideo` &&
				['generate', 'waitForTask'].includes(node.parameters.operation)
			)
				node.parameters.options = { ...(node.parameters.options ?? {}), ...FAST_WAIT };
		}
		return wf;
	}

	test('the package and the tool variant of the node are loaded', () => {
		const names = new Set(nodeTypes.map((d) => d.name));
		expect([...names]).toEqual(
			expect.arrayContaining([
				`${PACKAGE_NAME}.klingVideo`,
				`${PACKAGE_NAME}.klingVideoTool`,
				`${PACKAGE_NAME}.klingVideoTrigger`,
			]),
		);
	});

	test.each(TEMPLATES)(
		'%s: node types, parameters, credential slots and connections are valid; n8n saves it',
		async (file) => {
			const wf = readTemplate(file);
			expect(validate(wf, nodeTypes)).toEqual([]);
			const saved = await save(wf);
			expect(saved.nodes.map((/** @type {any} */ n) => n.name).sort()).toEqual(
				wf.nodes.map((/** @type {any} */ n) => n.name).sort(),
			);
			expect(saved.connections).toEqual(wf.connections);
		},
	);

	test('the validity check itself finds a wrong type, parameter, option, credential and connection', () => {
		const wf = readTemplate('sheets-kling-drive-generate.json');
		const kling = wf.nodes.find((/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideo`);
		kling.parameters.promt = 'typo';
		kling.parameters.options.maxWaitSeconds = 5;
		kling.credentials = { klingKieAPI: KIE_DEMO };
		wf.nodes.find((/** @type {any} */ n) => n.name === 'Rows without a task').type =
			'n8n-nodes-base.filterr';
		wf.connections['Video ready?'].main.push([{ node: 'Row: not ready', type: 'main', index: 0 }]);
		// the refused output exists only with Refused Items Output on
		wf.connections['Kling Video'].main.push([{ node: 'Row: not ready', type: 'main', index: 0 }]);
		wf.connections['Row: video link'].main[0].push({ node: 'Write back', type: 'main', index: 0 });
		const problems = validate(wf, nodeTypes).join('\n');
		expect(problems).toMatch(
			/Rows without a task: node type n8n-nodes-base\.filterr v2\.2 is unknown/,
		);
		expect(problems).toMatch(/Kling Video: parameter "promt"/);
		expect(problems).toMatch(/"options\.maxWaitSeconds" is not an option/);
		expect(problems).toMatch(/takes no credential of type klingKieAPI/);
		expect(problems).toMatch(/"Video ready\?" has no main output #2/);
		expect(problems).toMatch(/"Kling Video" has no main output #1/);
		kling.parameters.options.refusedItemsOutput = true;
		expect(validate(wf, nodeTypes).join('\n')).not.toMatch(/"Kling Video" has no main output/);
		expect(problems).toMatch(/"Row: video link" → "Write back", which is not a node/);
	});

	test('(a) Generate, as a manual run with Sheets and Drive pinned: the videos reach Drive, the sheet gets link and task ID', async () => {
		const wf = forEmulator('sheets-kling-drive-generate.json');
		const rows = [
			...NEW_ROWS,
			{
				row_number: 4,
				prompt: 'Already made, must not be paid again',
				status: 'succeeded',
				task_id: 'task_done_earlier',
				video_link: 'https://drive.google.com/file/d/old/view',
				error: '',
			},
		];
		wf.pinData = {
			'Read campaign rows': rows.map((json) => ({ json })),
			...PINNED_GOOGLE_OUTPUTS,
		};
		const saved = await save(wf);
		expect(Object.keys(saved.pinData ?? {}).sort()).toEqual(Object.keys(wf.pinData).sort());
		const startedAt = Date.now();
		const result = await runManually(saved);

		// two paid tasks, the new rows' prompts; row 4 (has a task ID) not paid again
		const submits = emulator.journal.entries((e) => e.kind === 'submit' && e.at >= startedAt);
		expect(submits).toHaveLength(2);
		const kling = itemsOf(result, 'Kling Video');
		expect(kling.map((i) => i.json.request.prompt)).toEqual([rows[0].prompt, rows[1].prompt]);
		for (const item of kling) {
			expect(item.json).toEqual(
				expect.objectContaining({ provider: 'kie', status: 'succeeded', error: null }),
			);
			expect(item.json.request).toEqual(
				expect.objectContaining({ aspectRatio: '9:16', audio: true, duration: 5 }),
			);
			expect(submits.map((e) => e.taskId)).toContain(item.json.taskId);
		}
		// what the (pinned) Drive node received: the IF's true branch, each item an MP4 in the binary store
		expect(result.runData['Upload to Google Drive']).toHaveLength(1);
		expect(result.runData['Upload to Google Drive'][0].source[0].previousNode).toBe('Video ready?');
		const toDrive = itemsOf(result, 'Video ready?', 0);
		expect(toDrive.map((i) => i.json.taskId)).toEqual(kling.map((i) => i.json.taskId));
		for (const item of toDrive) {
			expect(item.binary.data).toEqual(
				expect.objectContaining({ mimeType: 'video/mp4', fileName: `kie-${item.json.taskId}.mp4` }),
			);
			const mp4 = mp4Of(userFolder, item.binary.data);
			expect(mp4.hasFtyp).toBe(true);
			expect(mp4.durationSeconds).toBeCloseTo(5, 0);
			expect(mp4.hasAudio).toBe(true);
		}
		expect(itemsOf(result, 'Video ready?', 1)).toEqual([]);
		// what the (pinned) sheet update received: row number, Drive link, task ID, status
		expect(result.runData['Write back to the sheet'][0].source[0].previousNode).toBe(
			'Row: video link',
		);
		expect(itemsOf(result, 'Row: video link').map((i) => i.json)).toEqual([
			{
				row_number: 2,
				status: 'succeeded',
				task_id: kling[0].json.taskId,
				video_link: 'https://drive.google.com/file/d/driveFileRow2/view',
				error: '',
			},
			{
				row_number: 3,
				status: 'succeeded',
				task_id: kling[1].json.taskId,
				video_link: 'https://drive.google.com/file/d/driveFileRow3/view',
				error: '',
			},
		]);
		expect(result.runData['Row: not ready']).toBeUndefined();
	});

	// Docs screenshot (TEMPLATES_E2E_SCREENSHOT=1, Debian's Chromium): template (a) in the editor after the user clicks
	// "Execute workflow" (Sheets and Drive pinned, Kling on the emulator) → docs/screenshots/template-sheets-drive.png
	(SCREENSHOT ? test : test.skip)(
		'(a) in the editor: "Execute workflow" runs it; screenshot for the README',
		async () => {
			const wf = forEmulator('sheets-kling-drive-generate.json');
			wf.name = readTemplate('sheets-kling-drive-generate.json').name;
			wf.pinData = {
				'Read campaign rows': NEW_ROWS.map((json) => ({ json })),
				...PINNED_GOOGLE_OUTPUTS,
			};
			// saved before loading playwright-core: that import can take seconds, long enough for n8n to close
			// the idle keep-alive socket the next request would reuse ("other side closed")
			const saved = await save(wf);
			const { launchChromium, until } = await import('./editor.mjs');
			const browser = await launchChromium({ viewport: { width: 1600, height: 800 } });
			try {
				const { page, context } = browser;
				const eq = session.cookie.indexOf('=');
				await context.addCookies([
					{
						name: session.cookie.slice(0, eq),
						value: session.cookie.slice(eq + 1),
						url: server.url,
					},
				]);
				await page.goto(`${server.url}/workflow/${saved.id}`);
				const nodes = page.locator('[data-test-id="canvas-node"]');
				await nodes.first().waitFor({ timeout: 30_000 });
				const visibleNodes = wf.nodes.filter(
					(/** @type {any} */ n) => n.type !== 'n8n-nodes-base.stickyNote',
				);
				await until(
					() => nodes.count(),
					(n) => n === visibleNodes.length,
					{ what: 'the canvas nodes', timeout: 15_000 },
				);
				await page.getByTestId('execute-workflow-button').first().click();
				const kling = page.locator(
					`[data-test-id="canvas-node"][data-node-type="${PACKAGE_NAME}.klingVideo"]`,
				);
				await kling.getByTestId('canvas-node-status-success').waitFor({ timeout: 60_000 });
				// the last node that runs (not pinned): the row with the Drive link
				const rowSet = nodes.filter({ hasText: 'Row: video link' });
				await rowSet.getByTestId('canvas-node-status-success').waitFor({ timeout: 30_000 });
				// let the "Workflow executed successfully" toast fade out (it covers a node otherwise)
				await page
					.getByText(/Workflow executed successfully/)
					.first()
					.waitFor({ state: 'hidden', timeout: 15_000 })
					.catch(() => undefined);
				const fit = page.getByTestId('zoom-to-fit');
				if (await fit.count()) await fit.first().click();
				await page.waitForTimeout(800); // the fit-view transition
				mkdirSync(join(REPO_ROOT, 'test-results', 'templates'), { recursive: true });
				const file = join(
					REPO_ROOT,
					'test-results',
					'templates',
					`sheets-kling-drive-generate-${version}.png`,
				);
				await page.screenshot({ path: file, animations: 'disabled' });
				if (version === (process.env.TEMPLATES_E2E_SCREENSHOT_VERSION ?? DEFAULT_E2E_VERSIONS[0]))
					copyFileSync(file, join(REPO_ROOT, 'docs', 'screenshots', 'template-sheets-drive.png'));
			} catch (error) {
				mkdirSync(join(REPO_ROOT, 'test-results', 'templates'), { recursive: true });
				await browser.page
					.screenshot({
						path: join(REPO_ROOT, 'test-results', 'templates', `FAILED-${version}.png`),
					})
					.catch(() => undefined);
				throw error;
			} finally {
				await browser.close();
			}
		},
		180_000,
	);

	test('(b) Submit + Trigger pair, as manual runs with Sheets and Drive pinned: task IDs go back at once; the trigger output (pinned) reaches Drive and the row it names', async () => {
		// Submit half: the rows are submitted (not waited for); the callback URL and the row number travel with each task
		const submitWf = forEmulator('sheets-kling-submit.json');
		const rows = [
			{
				row_number: 7,
				prompt: 'A bicycle bell rings on a sunny canal bridge, handheld',
				status: '',
				task_id: '',
				video_link: '',
				error: '',
			},
			{
				row_number: 8,
				prompt: 'Old, must not be paid again',
				status: 'queued',
				task_id: 'task_submitted_earlier',
				video_link: '',
				error: '',
			},
		];
		submitWf.pinData = {
			'Read campaign rows': rows.map((json) => ({ json })),
			'Write back to the sheet': [{ json: { row_number: 7 } }],
		};
		const startedAt = Date.now();
		const submitted = await runManually(await save(submitWf));
		const submits = emulator.journal.entries((e) => e.kind === 'submit' && e.at >= startedAt);
		expect(submits).toHaveLength(1);
		expect(JSON.stringify(submits[0].body)).toContain(rows[0].prompt);
		const task = /** @type {any} */ (emulator.tasks.get(/** @type {string} */ (submits[0].taskId)));
		const trigger = readTemplate('sheets-kling-receive.json').nodes.find(
			(/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideoTrigger`,
		);
		expect(task.callbackUrl).toContain(`/webhook/${trigger.webhookId}/${trigger.parameters.token}`);
		expect(new URL(task.callbackUrl).searchParams.get('c_row')).toBe('7');
		expect(itemsOf(submitted, 'Row: submitted').map((i) => i.json)).toEqual([
			{
				row_number: 7,
				status: expect.stringMatching(/^(queued|processing)$/),
				task_id: submits[0].taskId,
				video_link: '',
				error: '',
			},
		]);

		// Receive half: what the Kling Video Trigger emits for that task (pinned: a manual run starts from it)
		const receiveWf = forEmulator('sheets-kling-receive.json');
		const base = {
			provider: 'kie',
			model: 'kling-3.0/video',
			mode: 'text-to-video',
			videoUrls: [],
			createdAt: null,
			completedAt: null,
		};
		receiveWf.pinData = {
			'Kling Video Trigger': [
				{
					json: {
						...base,
						taskId: submits[0].taskId,
						status: 'succeeded',
						videoUrl: 'https://cdn.example.com/v.mp4',
						error: null,
						correlation: { row: '7' },
					},
				},
				{
					json: {
						...base,
						taskId: 'task_failed_0001',
						status: 'failed',
						videoUrl: null,
						error: { code: '400', message: 'content blocked' },
						correlation: { row: '9' },
					},
				},
			],
			'Upload to Google Drive': [
				{
					json: {
						kind: 'drive#file',
						id: 'driveFileRow7',
						name: 'row-7.mp4',
						mimeType: 'video/mp4',
					},
				},
			],
			'Write back to the sheet': [{ json: { row_number: 7 } }],
		};
		const received = await runManuallyFrom(await save(receiveWf), 'Kling Video Trigger');
		expect(itemsOf(received, 'Row: video link').map((i) => i.json)).toEqual([
			{
				row_number: 7,
				status: 'succeeded',
				task_id: submits[0].taskId,
				video_link: 'https://drive.google.com/file/d/driveFileRow7/view',
				error: '',
			},
		]);
		expect(itemsOf(received, 'Row: not ready').map((i) => i.json)).toEqual([
			{
				row_number: 9,
				status: 'failed',
				task_id: 'task_failed_0001',
				video_link: '',
				error: '400: content blocked',
			},
		]);
	});

	test('(d) Retry unfinished rows: Get Task (one status read, no new submit) for the wait_timeout row, one Generate for the row without a task ID', async () => {
		// a task that exists at the provider: submitted earlier, it outlived Max Wait (wait_timeout) and has finished since
		const created = await fetch(`${emulator.url}/kie/api/v1/jobs/createTask`, {
			method: 'POST',
			headers: {
				authorization: 'Bearer kie_emulator_test_key',
				'content-type': 'application/json',
			},
			body: JSON.stringify({
				model: 'kling-3.0/video',
				input: {
					prompt: 'A kite over a windy beach, drone shot',
					sound: true,
					duration: '5',
					mode: 'pro',
					aspect_ratio: '9:16',
					multi_shots: false,
					multi_prompt: [],
				},
			}),
		}).then((r) => r.json());
		const existing = created?.data?.taskId;
		expect(existing).toEqual(expect.any(String));
		const task = /** @type {any} */ (emulator.tasks.get(existing));
		expect(task.finalState).toBe('succeeded');
		await new Promise((r) => setTimeout(r, Math.max(0, task.completesAt - Date.now() + 100)));

		const wf = forEmulator('sheets-kling-retry-unfinished.json');
		const rows = [
			{
				row_number: 2,
				prompt: 'A kite over a windy beach, drone shot',
				status: 'processing',
				task_id: existing,
				video_link: '',
				error: `wait_timeout: Task ${existing} is still processing after 900 s`,
			},
			{
				row_number: 3,
				prompt: 'A paper boat sails down a rainy street gutter, macro',
				status: '',
				task_id: '',
				video_link: '',
				error: '',
			},
			{
				row_number: 4,
				prompt: 'Done already',
				status: 'succeeded',
				task_id: 'task_done_earlier',
				video_link: 'https://drive.google.com/file/d/old/view',
				error: '',
			},
			{
				row_number: 5,
				prompt: 'Failed at the provider',
				status: 'failed',
				task_id: 'task_failed_earlier',
				video_link: '',
				error: 'content_policy: blocked',
			},
		];
		wf.pinData = {
			'Read campaign rows': rows.map((json) => ({ json })),
			// the Drive node runs once per branch that reaches it (Get Task, then Generate Video), one video each
			'Upload to Google Drive': [
				{
					json: {
						kind: 'drive#file',
						id: 'driveFileRetry',
						name: 'row.mp4',
						mimeType: 'video/mp4',
					},
				},
			],
			'Write back to the sheet': [{ json: { row_number: 2 } }],
		};
		const saved = await save(wf);
		const startedAt = Date.now();
		const result = await runManually(saved);
		const since = emulator.journal.entries((e) => e.at >= startedAt);

		// the wait_timeout row: one status read, no submit; the task was not paid again
		expect(since.filter((e) => e.kind === 'status' && e.taskId === existing)).toHaveLength(1);
		const submits = since.filter((e) => e.kind === 'submit');
		expect(submits).toHaveLength(1);
		expect(JSON.stringify(submits[0].body)).toContain(rows[1].prompt);
		// nothing asked about the finished or the failed row
		expect(JSON.stringify(since)).not.toMatch(/task_done_earlier|task_failed_earlier/);

		const got = itemsOf(result, 'Get Task');
		expect(got).toHaveLength(1);
		expect(got[0].json).toEqual(expect.objectContaining({ taskId: existing, status: 'succeeded' }));
		const generated = itemsOf(result, 'Generate Video');
		expect(generated).toHaveLength(1);
		expect(generated[0].json).toEqual(
			expect.objectContaining({ taskId: submits[0].taskId, status: 'succeeded' }),
		);
		// both videos went to Drive as MP4s, and both rows get their link and task ID
		const toDrive = itemsOf(result, 'Video ready?', 0);
		expect(toDrive.map((i) => i.json.taskId).sort()).toEqual([existing, submits[0].taskId].sort());
		for (const item of toDrive) expect(mp4Of(userFolder, item.binary.data).hasFtyp).toBe(true);
		const written = itemsOf(result, 'Row: video link').map((i) => i.json);
		expect(written.sort((x, y) => x.row_number - y.row_number)).toEqual([
			{
				row_number: 2,
				status: 'succeeded',
				task_id: existing,
				video_link: 'https://drive.google.com/file/d/driveFileRetry/view',
				error: '',
			},
			{
				row_number: 3,
				status: 'succeeded',
				task_id: submits[0].taskId,
				video_link: 'https://drive.google.com/file/d/driveFileRetry/view',
				error: '',
			},
		]);
	});
});
