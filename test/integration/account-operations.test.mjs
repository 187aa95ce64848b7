// @ts-check
/**
 * Operations users expect (issue 16 item 7), run by n8n-core from dist/ against the emulator: Cancel
 * Task where the provider has a cancel endpoint, Get Balance where it has a balance endpoint, the
 * File Name option of the video binary, and `videoUrlExpiresAt` where the provider documents how long
 * result URLs live.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import { startEmulator } from '../emulator/index.mjs';
import { ALL_PROVIDERS, FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { REPO_ROOT, runKlingNode } from '../support/n8n.mjs';

const require = createRequire(import.meta.url);

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 300 });
});
afterAll(async () => await emulator.close());
beforeEach(() => {
	emulator.journal.reset();
	emulator.configure({ generationMs: 300 });
});

/** @param {import('../support/kling.mjs').Provider} provider @param {Record<string, any>} parameters @param {Partial<Parameters<typeof runKlingNode>[0]>} [extra] */
function run(provider, parameters, extra = {}) {
	return runKlingNode({
		parameters: { authentication: provider, ...parameters },
		credentials: credentialsFor(provider, emulator),
		...extra,
	});
}

/** @param {import('../support/kling.mjs').Provider} provider */
async function submitOne(provider) {
	const result = await run(provider, { operation: 'submit', prompt: 'a kite over the sea' });
	expect(result.error).toBeUndefined();
	return String(result.output[0].json.taskId);
}

/** The Operation choices the editor offers for a provider (the Operation property shown for it). */
function offeredOperations(/** @type {string} */ provider) {
	const { KlingVideo } = require(`${REPO_ROOT}/dist/nodes/KlingVideo/KlingVideo.node.js`);
	const properties = new KlingVideo().description.properties.filter(
		(/** @type {any} */ property) =>
			property.name === 'operation' &&
			property.displayOptions.show.authentication.includes(provider),
	);
	expect(properties).toHaveLength(1);
	return properties[0].options.map((/** @type {any} */ option) => option.value);
}

describe('which providers offer Cancel Task and Get Balance', () => {
	test.each(ALL_PROVIDERS)('%s', (provider) => {
		const offered = offeredOperations(provider);
		expect(offered.includes('cancelTask')).toBe(['fal', 'replicate'].includes(provider));
		expect(offered.includes('getBalance')).toBe(provider !== 'replicate');
		expect(offered).toEqual(
			expect.arrayContaining(['generate', 'submit', 'getTask', 'waitForTask']),
		);
	});

	test("n8n's node panel lists every action: the first Operation property has them all", () => {
		const { KlingVideo } = require(`${REPO_ROOT}/dist/nodes/KlingVideo/KlingVideo.node.js`);
		const first = new KlingVideo().description.properties.find(
			(/** @type {any} */ property) => property.name === 'operation',
		);
		expect(first.options.map((/** @type {any} */ option) => option.name)).toEqual([
			'Cancel Task',
			'Generate Video',
			'Get Balance',
			'Get Task',
			'Submit',
			'Wait for Task',
		]);
	});

	test('a provider without a cancel endpoint refuses Cancel Task before any request', async () => {
		const result = await run('kie', { operation: 'cancelTask', taskId: 'task_1' });
		expect(result.error?.message).toBe(
			'Kie.ai has no cancel endpoint, so its tasks cannot be cancelled from n8n',
		);
		expect(emulator.journal.entries({ provider: 'kie' })).toHaveLength(0);
	});

	test('Replicate has no balance endpoint: Get Balance is refused before any request', async () => {
		const result = await run('replicate', { operation: 'getBalance' });
		expect(result.error?.message).toMatch(/^Replicate has no balance endpoint/);
		expect(emulator.journal.entries({ provider: 'replicate' })).toHaveLength(0);
	});
});

describe('Cancel Task', () => {
	test('Replicate: a running prediction is cancelled; Get Task then reads it as canceled', async () => {
		emulator.configure({ generationMs: 60_000 });
		const taskId = await submitOne('replicate');
		const result = await run('replicate', { operation: 'cancelTask', taskId });
		expect(result.error).toBeUndefined();
		const { json } = result.output[0];
		expect(json).toMatchObject({
			provider: 'replicate',
			taskId,
			status: 'failed',
			error: { code: 'canceled' },
			videoUrl: null,
			cancellation: { outcome: 'cancelled', message: 'The task is cancelled.' },
		});
		const cancels = emulator.journal.entries({ method: 'POST', provider: 'replicate' });
		expect(cancels.map((entry) => entry.path)).toContain(
			`/replicate/v1/predictions/${taskId}/cancel`,
		);
		const after = await run('replicate', { operation: 'getTask', taskId });
		expect(after.output[0].json).toMatchObject({ status: 'failed', error: { code: 'canceled' } });
	});

	test('Replicate: a finished prediction is left as it is ("already finished")', async () => {
		const generated = await run('replicate', {
			operation: 'generate',
			prompt: 'done already',
			options: { ...FAST, downloadVideo: false },
		});
		const taskId = String(generated.output[0].json.taskId);
		const result = await run('replicate', { operation: 'cancelTask', taskId });
		expect(result.output[0].json).toMatchObject({
			taskId,
			status: 'succeeded',
			cancellation: { outcome: 'already_finished' },
		});
		expect(result.output[0].json.cancellation.message).toBe(
			'The task had already ended (succeeded); nothing was cancelled.',
		);
		expect(result.output[0].json.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/replicate\//);
	});

	test('fal.ai: a queued request is removed; its status then reads as failed (cancelled)', async () => {
		emulator.configure({ generationMs: 60_000 });
		const taskId = await submitOne('fal');
		const result = await run('fal', {
			operation: 'cancelTask',
			taskId,
			options: { includeRawResponse: true },
		});
		expect(result.error).toBeUndefined();
		const cancel = emulator.journal.entries({ method: 'PUT', provider: 'fal' });
		expect(cancel.map((entry) => entry.path)).toEqual([
			`/fal/fal-ai/kling-video/requests/${taskId}/cancel`,
		]);
		expect(result.output[0].json).toMatchObject({
			provider: 'fal',
			taskId,
			status: 'failed',
			cancellation: { outcome: 'cancelled' },
		});
		// The status was read after the cancel (fal's cancel answer carries no task).
		expect(emulator.journal.entries({ kind: 'status', taskId }).length).toBeGreaterThan(0);
	});

	test('fal.ai: a running request is signalled and reads as failed afterwards', async () => {
		emulator.configure({ generationMs: 2_000 });
		const taskId = await submitOne('fal');
		await new Promise((resolve) => setTimeout(resolve, 500));
		const result = await run('fal', { operation: 'cancelTask', taskId });
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toMatchObject({
			status: 'failed',
			cancellation: { outcome: 'cancelled' },
		});
		const answers = emulator.journal.entries({ method: 'PUT', provider: 'fal' });
		expect(answers.map((entry) => entry.status)).toEqual([202]);
	});

	test('fal.ai: a finished request answers ALREADY_COMPLETED and keeps its video', async () => {
		const generated = await run('fal', {
			operation: 'generate',
			prompt: 'done',
			options: { ...FAST, downloadVideo: false },
		});
		const taskId = String(generated.output[0].json.taskId);
		const result = await run('fal', { operation: 'cancelTask', taskId });
		expect(result.output[0].json).toMatchObject({
			status: 'succeeded',
			cancellation: { outcome: 'already_finished' },
		});
		expect(result.output[0].json.videoUrl).toBeTruthy();
	});

	test('an unknown task fails naming its ID; with Continue On Fail it is an error item', async () => {
		const failed = await run('fal', { operation: 'cancelTask', taskId: 'no-such-request' });
		expect(failed.error?.message).toMatch(
			/^Task no-such-request: fal\.ai has no request no-such-request/,
		);
		const continued = await run(
			'fal',
			{ operation: 'cancelTask', taskId: '={{ $json.id }}' },
			{
				items: [{ json: { id: 'no-such-request' } }, { json: { id: '' } }],
				nodeSettings: { onError: 'continueRegularOutput' },
			},
		);
		expect(continued.error).toBeUndefined();
		expect(continued.output.map((/** @type {any} */ item) => item.json.error.code)).toEqual([
			'notFound',
			'invalid_input',
		]);
		expect(continued.output[0].json.taskId).toBe('no-such-request');
	});
});

describe('Get Balance', () => {
	/** What the emulator's accounts hold (its documented defaults), normalized. */
	const EXPECTED = {
		wavespeed: { balance: 100, unit: 'USD', currency: 'USD' },
		apixo: { balance: 100, unit: 'USD', currency: 'USD' },
		kie: { balance: 10000, unit: 'credits', currency: null },
		rivya: { balance: 10000, unit: 'credits', currency: null },
		kling: { balance: 1000, unit: 'units', currency: null },
		fal: { balance: 25.5, unit: 'USD', currency: 'USD' },
	};
	test.each(Object.keys(EXPECTED))(
		'%s: one request, the balance on every input item',
		async (provider) => {
			const p = /** @type {keyof typeof EXPECTED} */ (provider);
			const result = await run(
				p,
				{ operation: 'getBalance' },
				{ items: [{ json: { a: 1 } }, { json: { a: 2 } }] },
			);
			expect(result.error).toBeUndefined();
			expect(result.output).toHaveLength(2);
			for (const [index, item] of result.output.entries()) {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json).toMatchObject({ provider: p, ...EXPECTED[p] });
				expect(item.json.raw).toBeTruthy();
				expect(Date.parse(item.json.checkedAt)).not.toBeNaN();
			}
			expect(emulator.journal.entries({ kind: 'credits' })).toHaveLength(1);
		},
	);

	test('the balance follows spending (Kie credits go down by what a clip took)', async () => {
		const before = await run('kie', { operation: 'getBalance' });
		const generated = await run('kie', {
			operation: 'generate',
			prompt: 'spend',
			options: { ...FAST, downloadVideo: false },
		});
		expect(generated.error).toBeUndefined();
		const after = await run('kie', { operation: 'getBalance' });
		const spent = Number(before.output[0].json.balance) - Number(after.output[0].json.balance);
		expect(spent).toBeGreaterThan(0);
		const task = /** @type {any} */ (emulator.tasks.get(String(generated.output[0].json.taskId)));
		expect(spent).toBe(task.extra.credits);
	});

	test("a rejected key fails with the provider's answer and never shows the key", async () => {
		const credentials = credentialsFor('wavespeed', emulator);
		credentials.klingWaveSpeedApi.apiKey = 'ws_wrong_key';
		const result = await runKlingNode({
			parameters: { authentication: 'wavespeed', operation: 'getBalance' },
			credentials,
		});
		expect(result.error?.message).toMatch(/WaveSpeed AI answered HTTP 401/);
		expect(JSON.stringify(result.error)).not.toContain('ws_wrong_key');
	});
});

describe('File Name option', () => {
	test('per item from an expression, sanitized, .mp4 added; empty keeps <provider>-<taskId>.mp4', async () => {
		const result = await run(
			'kie',
			{
				operation: 'generate',
				prompt: 'named',
				options: { ...FAST, fileName: '={{ $json.name }}' },
			},
			{
				items: [
					{ json: { name: 'SKU-123.mp4' } },
					{ json: { name: '../../etc/passwd' } },
					{ json: { name: 'spring sale' } },
					{ json: { name: '' } },
				],
			},
		);
		expect(result.error).toBeUndefined();
		const names = result.output.map((/** @type {any} */ item) => item.binary.data.fileName);
		expect(names.slice(0, 3)).toEqual(['SKU-123.mp4', '_.._etc_passwd.mp4', 'spring sale.mp4']);
		expect(names[3]).toBe(`kie-${result.output[3].json.taskId}.mp4`);
		for (const item of result.output) {
			expect(item.binary.data.mimeType).toBe('video/mp4');
			expect(inspectMp4(await result.binaryBuffer(item.binary.data)).hasFtyp).toBe(true);
		}
	});

	test('Wait for Task and Get Task take it too', async () => {
		const taskId = await submitOne('wavespeed');
		const waited = await run('wavespeed', {
			operation: 'waitForTask',
			taskId,
			options: { ...FAST, fileName: 'campaign/clip 1' },
		});
		expect(waited.output[0].binary.data.fileName).toBe('campaign_clip 1.mp4');
		const got = await run('wavespeed', {
			operation: 'getTask',
			taskId,
			options: { fileName: '={{ "row-" + 7 }}' },
		});
		expect(got.output[0].binary.data.fileName).toBe('row-7.mp4');
	});
});

describe('videoUrlExpiresAt', () => {
	/** Lifetime and the timestamp it counts from, per the catalog's documented sources. */
	const LIFETIMES = {
		wavespeed: { ms: 7 * 86400_000, from: 'createdAt' },
		apixo: { ms: 86400_000, from: 'completedAt' },
		kie: { ms: 86400_000, from: 'completedAt' },
		kling: { ms: 30 * 86400_000, from: 'createdAt' },
		replicate: { ms: 3600_000, from: 'completedAt' },
		rivya: null,
		fal: null,
	};
	test.each(ALL_PROVIDERS)('%s', async (provider) => {
		const result = await run(provider, {
			operation: 'generate',
			prompt: 'expiry',
			options: { ...FAST, downloadVideo: false },
		});
		expect(result.error).toBeUndefined();
		const { json } = result.output[0];
		expect(json.videoUrl).toBeTruthy();
		const lifetime = LIFETIMES[provider];
		if (!lifetime) {
			expect(json.videoUrlExpiresAt).toBeNull();
			return;
		}
		expect(json[lifetime.from]).toBeTruthy();
		expect(json.videoUrlExpiresAt).toBe(
			new Date(Date.parse(json[lifetime.from]) + lifetime.ms).toISOString(),
		);
	});

	test('null while there is no video yet (Submit)', async () => {
		const result = await run('kie', { operation: 'submit', prompt: 'later' });
		expect(result.output[0].json.videoUrlExpiresAt).toBeNull();
	});
});
