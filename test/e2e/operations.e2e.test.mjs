// @ts-check
/**
 * Cancel Task, Get Balance, the File Name option and `videoUrlExpiresAt` in a REAL n8n (first version of
 * N8N_E2E_VERSIONS, default 2.8.4), from the packed tarball against the emulator: `n8n import:credentials`
 * (the demo credentials, plus a fal credential saved without the newer Platform API Base URL field) →
 * `n8n import:workflow` → `n8n execute --rawOutput`.
 *   N8N_E2E_VERSIONS=2.8.4 node --experimental-vm-modules node_modules/jest/bin/jest.js \
 *     -c jest.e2e.config.mjs test/e2e/operations.e2e.test.mjs
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import {
	PACKAGE_NAME,
	binaryFilePath,
	buildIfNeeded,
	e2eVersions,
	ensureN8n,
	freePort,
	freshUserFolder,
	installPackage,
	n8nCli,
	n8nCliOk,
	packPackage,
	parseRawOutput,
	prepareExamples,
	tail,
} from './host.mjs';

const [VERSION] = e2eVersions();
const KLING = `${PACKAGE_NAME}.klingVideo`;
const CREDENTIALS = {
	fal: { klingFalApi: { id: 'falDemo', name: 'fal.ai (demo)' } },
	falOld: { klingFalApi: { id: 'falNoPlatformUrl', name: 'fal.ai (saved before Get Balance)' } },
	kie: { klingKieApi: { id: 'kieDemo', name: 'Kie.ai (demo)' } },
	replicate: { klingReplicateApi: { id: 'replicateDemo', name: 'Replicate (demo)' } },
};

/**
 * Manual Trigger → the given Kling Video nodes in a chain.
 * @param {string} id @param {Array<{ name: string, parameters: Record<string, any>, credentials: any }>} steps
 */
function workflow(id, steps) {
	const nodes = [
		{
			parameters: {},
			id: `${id}-trigger`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
		},
		...steps.map((step, i) => ({
			parameters: { resource: 'video', ...step.parameters },
			id: `${id}-${i}`,
			name: step.name,
			type: KLING,
			typeVersion: 2,
			position: [260 * (i + 1), 0],
			credentials: step.credentials,
		})),
	];
	/** @type {Record<string, any>} */
	const connections = {};
	nodes.slice(0, -1).forEach((node, i) => {
		connections[node.name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	});
	return { id, name: id, active: false, nodes, connections, settings: {} };
}

const WORKFLOWS = [
	workflow('opsCancelFal', [
		{
			name: 'Submit',
			parameters: {
				authentication: 'fal',
				operation: 'submit',
				mode: 'text-to-video',
				prompt: 'a kite',
			},
			credentials: CREDENTIALS.fal,
		},
		{
			name: 'Cancel',
			parameters: { authentication: 'fal', operation: 'cancelTask', taskId: '={{ $json.taskId }}' },
			credentials: CREDENTIALS.fal,
		},
	]),
	workflow('opsCancelReplicate', [
		{
			name: 'Submit',
			parameters: { authentication: 'replicate', operation: 'submit', prompt: 'a kite' },
			credentials: CREDENTIALS.replicate,
		},
		{
			name: 'Cancel',
			parameters: {
				authentication: 'replicate',
				operation: 'cancelTask',
				taskId: '={{ $json.taskId }}',
			},
			credentials: CREDENTIALS.replicate,
		},
	]),
	workflow('opsBalance', [
		{
			name: 'Kie balance',
			parameters: { authentication: 'kie', operation: 'getBalance' },
			credentials: CREDENTIALS.kie,
		},
		{
			name: 'fal balance',
			parameters: { authentication: 'fal', operation: 'getBalance' },
			credentials: CREDENTIALS.fal,
		},
	]),
	workflow('opsBalanceOldCred', [
		{
			name: 'fal balance',
			parameters: { authentication: 'fal', operation: 'getBalance' },
			credentials: CREDENTIALS.falOld,
		},
	]),
	workflow('opsFileName', [
		{
			name: 'Generate',
			parameters: {
				authentication: 'kie',
				operation: 'generate',
				prompt: 'named file',
				options: {
					fileName: '={{ "spring/sale " + (40 + 2) }}',
					firstCheckAfter: 1,
					pollInterval: 0.5,
					maxWait: 120,
				},
			},
			credentials: CREDENTIALS.kie,
		},
	]),
];

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {import('./host.mjs').N8nHost} */
let host;
/** @type {string} */
let userFolder;
/** @type {string} */
let tgz;
/** @type {Map<string, { code: number, stdout: string, stderr: string }>} */
const runs = new Map();

beforeAll(async () => {
	const hostReady = ensureN8n(VERSION);
	await buildIfNeeded();
	tgz = await packPackage();
	host = await hostReady;
	emulator = await startEmulator({ port: await freePort(), generationMs: 60_000 });
	userFolder = freshUserFolder(`kling-ops-e2e-${VERSION}-`);
	await installPackage(userFolder, tgz);
	const prepared = prepareExamples(join(userFolder, 'examples'), {
		emulatorUrl: emulator.url,
		only: () => false,
	});
	const credentials = JSON.parse(readFileSync(prepared.credentialsFile, 'utf8'));
	const fal = credentials.find((/** @type {any} */ c) => c.id === 'falDemo');
	const { platformBaseUrl: _dropped, ...older } = fal.data;
	credentials.push({
		...fal,
		id: 'falNoPlatformUrl',
		name: CREDENTIALS.falOld.klingFalApi.name,
		data: older,
	});
	writeFileSync(prepared.credentialsFile, JSON.stringify(credentials, null, 2));
	const dir = join(userFolder, 'ops-workflows');
	mkdirSync(dir, { recursive: true });
	for (const wf of WORKFLOWS)
		writeFileSync(join(dir, `${wf.id}.json`), JSON.stringify(wf, null, 2));
	await n8nCliOk(host, userFolder, ['import:credentials', `--input=${prepared.credentialsFile}`]);
	await n8nCliOk(host, userFolder, ['import:workflow', '--separate', `--input=${dir}`]);
	for (const wf of WORKFLOWS) {
		// The File Name workflow generates: the emulator's 60 s would outlast it.
		emulator.configure({ generationMs: wf.id === 'opsFileName' ? 1500 : 60_000 });
		runs.set(
			wf.id,
			await n8nCli(host, userFolder, ['execute', `--id=${wf.id}`, '--rawOutput'], {
				timeoutMs: 240_000,
			}),
		);
	}
}, 30 * 60_000);

afterAll(async () => {
	await emulator?.close();
	if (userFolder && process.env.N8N_E2E_KEEP !== '1')
		rmSync(userFolder, { recursive: true, force: true });
	if (tgz) rmSync(join(tgz, '..'), { recursive: true, force: true });
});

/** The items a node output in the run, or its error. @param {string} wfId @param {string} nodeName */
function nodeResult(wfId, nodeName) {
	const res = runs.get(wfId);
	if (!res) throw new Error(`${wfId} did not run`);
	let data;
	try {
		data = parseRawOutput(res.stdout);
	} catch {
		throw new Error(
			`n8n execute --id=${wfId} printed no JSON (rc ${res.code}):\n${tail(res.stdout + res.stderr, 60)}`,
		);
	}
	const resultData = data?.data?.resultData ?? data?.resultData ?? data;
	const last = resultData.runData?.[nodeName]?.at(-1);
	return {
		items: last?.data?.main?.[0] ?? [],
		error: last?.error ?? resultData.error ?? null,
		code: res.code,
	};
}

describe(`n8n ${VERSION}: operations users expect`, () => {
	test('fal.ai: Submit → Cancel Task removes the queued request', () => {
		const submitted = nodeResult('opsCancelFal', 'Submit');
		const cancelled = nodeResult('opsCancelFal', 'Cancel');
		expect(cancelled.error).toBeNull();
		expect(cancelled.items[0].json).toMatchObject({
			provider: 'fal',
			taskId: submitted.items[0].json.taskId,
			status: 'failed',
			cancellation: { outcome: 'cancelled' },
		});
		const put = emulator.journal.entries({ method: 'PUT', provider: 'fal' });
		expect(put.map((entry) => entry.status)).toEqual([200]);
	});

	test('Replicate: Submit → Cancel Task cancels the prediction', () => {
		const cancelled = nodeResult('opsCancelReplicate', 'Cancel');
		expect(cancelled.error).toBeNull();
		expect(cancelled.items[0].json).toMatchObject({
			provider: 'replicate',
			status: 'failed',
			error: { code: 'canceled' },
			cancellation: { outcome: 'cancelled' },
		});
	});

	test('Get Balance: Kie credits and fal dollars, normalized', () => {
		const kie = nodeResult('opsBalance', 'Kie balance');
		expect(kie.error).toBeNull();
		expect(kie.items[0].json).toMatchObject({ provider: 'kie', unit: 'credits', currency: null });
		expect(typeof kie.items[0].json.balance).toBe('number');
		const fal = nodeResult('opsBalance', 'fal balance');
		expect(fal.items[0].json).toMatchObject({
			provider: 'fal',
			balance: 25.5,
			unit: 'USD',
			currency: 'USD',
			raw: { credits: { current_balance: 25.5 } },
		});
	});

	test('a fal credential saved without Platform API Base URL gets its default (api.fal.ai)', () => {
		const old = nodeResult('opsBalanceOldCred', 'fal balance');
		expect(old.items).toHaveLength(0);
		expect(JSON.stringify(old.error)).toMatch(/Could not reach fal\.ai at api\.fal\.ai/);
		expect(emulator.journal.entries({ provider: 'fal-api' })).toHaveLength(1);
	});

	test('File Name from an expression, sanitized; videoUrlExpiresAt 24 h after completion (Kie)', () => {
		const generated = nodeResult('opsFileName', 'Generate');
		expect(generated.error).toBeNull();
		const [item] = generated.items;
		expect(item.binary.data.fileName).toBe('spring_sale 42.mp4');
		expect(item.json.videoUrlExpiresAt).toBe(
			new Date(Date.parse(item.json.completedAt) + 86400_000).toISOString(),
		);
		const bytes = readFileSync(binaryFilePath(userFolder, item.binary.data.id));
		expect(inspectMp4(bytes).hasFtyp).toBe(true);
	});
});
