// @ts-check
/**
 * Operations and promises that are the same for every provider: batches in flight together, Stop,
 * Submit / Get Task / Wait for Task, money rules on submit, downloads, errors a user can act on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, SECRETS, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { runKlingNode } from '../support/n8n.mjs';

const require = createRequire(import.meta.url);

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 400 });
});
afterAll(async () => await emulator.close());
beforeEach(() => {
	emulator.journal.reset();
	emulator.configure({
		generationMs: 400,
		faults: { submitRateLimit: 0, submit5xx: 0, submitReset: 0 },
	});
});

/** @param {Record<string, any>} parameters @param {Partial<Parameters<typeof runKlingNode>[0]>} [extra] */
function run(parameters, extra = {}) {
	const provider = parameters.authentication ?? 'kie';
	return runKlingNode({
		parameters: { authentication: provider, ...parameters },
		credentials: credentialsFor(provider, emulator),
		...extra,
	});
}

const items = (/** @type {number} */ count) =>
	Array.from({ length: count }, (_, i) => ({ json: { row: i } }));

describe('Generate Video batches', () => {
	test('10 items are in flight together and come out in order with their videos', async () => {
		const started = Date.now();
		const result = await run(
			{ operation: 'generate', prompt: '={{ "clip " + $json.row }}', options: FAST },
			{ items: items(10) },
		);
		const elapsed = Date.now() - started;
		expect(result.error).toBeUndefined();
		const submits = emulator.journal.entries({ kind: 'submit' });
		expect(submits).toHaveLength(10);
		const firstCompletion = Math.min(
			...emulator.tasks.list().map((task) => Number(task.completesAt)),
		);
		expect(Math.max(...submits.map((entry) => entry.at))).toBeLessThan(firstCompletion);
		expect(elapsed).toBeLessThan(10 * 400);
		expect(result.output.map((/** @type {any} */ item) => item.pairedItem.item)).toEqual([
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		]);
		expect(result.output.map((/** @type {any} */ item) => item.json.request.prompt)).toEqual(
			items(10).map((item) => `clip ${item.json.row}`),
		);
		for (const item of result.output) {
			expect(inspectMp4(await result.binaryBuffer(item.binary.data)).hasFtyp).toBe(true);
		}
		for (const counts of Object.values(emulator.journal.countsByTask()))
			expect(counts.submits).toBe(1);
	});

	test('Concurrency bounds how many tasks are in flight', async () => {
		const result = await run(
			{ operation: 'generate', prompt: 'bounded', options: { ...FAST, concurrency: 2 } },
			{ items: items(5) },
		);
		expect(result.error).toBeUndefined();
		const entries = emulator.journal.entries();
		let inFlight = 0;
		let peak = 0;
		for (const entry of entries) {
			if (entry.kind === 'submit') peak = Math.max(peak, ++inFlight);
			if (entry.kind === 'download') inFlight--;
		}
		expect(peak).toBe(2);
	});

	test('one failed task does not hide the others: every task ID is listed', async () => {
		emulator.planNextTask('kie', { fail: true });
		const result = await run(
			{ operation: 'generate', prompt: 'mixed', options: FAST },
			{ items: items(3) },
		);
		const ids = emulator.journal.entries({ kind: 'submit' }).map((entry) => entry.taskId);
		expect(result.error?.message).toMatch(/^1 of 3 items failed\. Task .+ failed/);
		for (const id of ids) expect(result.error?.description).toContain(`task ${id}`);
		expect(result.error?.description).toMatch(
			/succeeded: http:\/\/127\.0\.0\.1:\d+\/kie\/_results\/.+\.mp4/,
		);
	});

	test('Continue On Fail keeps bad items as error items and still generates the good ones', async () => {
		const result = await run(
			{ operation: 'generate', prompt: '={{ $json.row === 1 ? "" : "ok" }}', options: FAST },
			{ items: items(3), nodeSettings: { onError: 'continueRegularOutput' } },
		);
		expect(result.error).toBeUndefined();
		expect(result.output.map((/** @type {any} */ item) => item.json.status)).toEqual([
			'succeeded',
			'failed',
			'succeeded',
		]);
		expect(result.output[1].json.error.message).toMatch(/Prompt is empty/);
		expect(emulator.journal.entries({ kind: 'submit' })).toHaveLength(2);
	});
});

describe('Stop execution', () => {
	test('stopping during the wait ends polling at once: no status read after the stop', async () => {
		emulator.configure({ generationMs: 60_000 });
		/** @type {number} */
		let stoppedAt = 0;
		const result = await run(
			{
				operation: 'generate',
				prompt: 'stop me',
				options: { firstCheckAfter: 0.05, pollInterval: 0.2 },
			},
			{
				items: items(3),
				onStarted: (execution) => {
					const waitForReads = async () => {
						while (emulator.journal.entries({ kind: 'status' }).length < 3)
							await new Promise((r) => setImmediate(r));
						stoppedAt = Date.now();
						execution.cancel();
					};
					void waitForReads();
				},
			},
		);
		expect(result.status).toBe('canceled');
		await new Promise((resolve) => setImmediate(resolve));
		const quietUntil = Date.now() + 800;
		while (Date.now() < quietUntil) await new Promise((r) => setImmediate(r));
		const late = emulator.journal
			.entries({ kind: 'status' })
			.filter((entry) => entry.at > stoppedAt);
		expect(late).toEqual([]);
		expect(emulator.journal.entries({ kind: 'submit' })).toHaveLength(3);
	});
});

describe('Submit, Get Task and Wait for Task', () => {
	test('Submit returns at once with the task ID; Get Task and Wait for Task pick it up later', async () => {
		const submitted = await run({ operation: 'submit', prompt: 'later', duration: 10 });
		expect(submitted.error).toBeUndefined();
		const queued = submitted.output[0].json;
		expect(queued).toMatchObject({
			provider: 'kie',
			status: 'queued',
			videoUrl: null,
			request: { prompt: 'later', duration: 10 },
		});
		expect(emulator.journal.entries({ kind: 'status' })).toHaveLength(0);

		const early = await run({ operation: 'getTask', taskId: queued.taskId });
		expect(early.output[0].json).toMatchObject({
			taskId: queued.taskId,
			status: expect.stringMatching(/queued|processing/),
		});
		expect(early.output[0].binary).toBeUndefined();

		const waited = await run(
			{ operation: 'waitForTask', taskId: '={{ $json.taskId }}', options: FAST },
			{ items: [{ json: queued }] },
		);
		expect(waited.error).toBeUndefined();
		expect(waited.output[0].json).toMatchObject({ taskId: queued.taskId, status: 'succeeded' });
		expect(
			inspectMp4(await waited.binaryBuffer(waited.output[0].binary.data)).durationSeconds,
		).toBeCloseTo(10, 0);

		const done = await run({ operation: 'getTask', taskId: queued.taskId });
		expect(done.output[0].json.status).toBe('succeeded');
		expect(done.output[0].binary.data.fileName).toBe(`kie-${queued.taskId}.mp4`);
		expect(emulator.journal.countsByTask()[queued.taskId].submits).toBe(1);
	});

	test('Submit checks every item first; with Continue On Fail only the bad item fails', async () => {
		const parameters = { operation: 'submit', prompt: '={{ $json.row === 1 ? "" : "ok" }}' };
		const strict = await run(parameters, { items: items(3) });
		expect(strict.error?.message).toBe('Prompt is empty. Describe the video to generate (item 2)');
		expect(emulator.journal.entries({ kind: 'submit' })).toHaveLength(0);

		const lenient = await run(parameters, {
			items: items(3),
			nodeSettings: { onError: 'continueRegularOutput' },
		});
		expect(lenient.output.map((/** @type {any} */ item) => item.json.status)).toEqual([
			'queued',
			'failed',
			'queued',
		]);
		expect(emulator.journal.entries({ kind: 'submit' })).toHaveLength(2);
	});

	test('APIXO Get Task sends the model in the status path', async () => {
		const submitted = await run({ authentication: 'apixo', operation: 'submit', prompt: 'path' });
		const taskId = submitted.output[0].json.taskId;
		await run({ authentication: 'apixo', operation: 'getTask', taskId });
		const [status] = emulator.journal.entries({ kind: 'status' });
		expect(status.path).toBe('/apixo/api/v1/statusTask/kling-2-5-turbo-pro');
		expect(status.query).toEqual({ taskId });
	});

	test('Get Task with an unknown task ID says the task was not found', async () => {
		const result = await run({ operation: 'getTask', taskId: 'task_does_not_exist' });
		expect(result.error?.message).toMatch(/Task task_does_not_exist: .*404|not found/i);
		expect(result.error?.description).toMatch(/Check the task ID/);
	});

	test.each([
		['wavespeed', (/** @type {any} */ entry) => entry.query.webhook],
		['kie', (/** @type {any} */ entry) => entry.body.callBackUrl],
		[
			'apixo',
			(/** @type {any} */ entry) =>
				entry.body.request_type === 'callback' && entry.body.callback_url,
		],
	])(
		'Submit with a callback URL sends it the %s way, with the correlation data',
		async (provider, sentUrl) => {
			const callbackUrl = 'http://127.0.0.1:9/webhook/kling?token=abc';
			const result = await run({
				authentication: provider,
				operation: 'submit',
				prompt: 'callback',
				callbackUrl,
				correlation: { values: [{ key: 'row', value: '42' }] },
			});
			expect(result.error).toBeUndefined();
			const sent = new URL(sentUrl(emulator.journal.entries({ kind: 'submit' })[0]));
			expect(`${sent.origin}${sent.pathname}`).toBe('http://127.0.0.1:9/webhook/kling');
			expect(Object.fromEntries(sent.searchParams)).toEqual({
				token: 'abc',
				c_row: '42',
				kling_model: expect.stringMatching(/kling/),
				kling_mode: 'text-to-video',
			});
			expect(result.output[0].json.callbackUrl).toBe(sent.toString());
		},
	);

	test('Rivya has no per-task callback URL: the editor offers none, and a saved one is never sent', async () => {
		const { KlingVideo } = require('../../dist/nodes/KlingVideo/KlingVideo.node.js');
		const properties = new KlingVideo().description.properties;
		const shownForRivya = (name) =>
			properties.some(
				(p) => p.name === name && !(p.displayOptions?.hide?.authentication ?? []).includes('rivya'),
			);
		expect(shownForRivya('callbackUrl')).toBe(false);
		expect(shownForRivya('correlation')).toBe(false);
		expect(
			properties.find((p) => p.name === 'rivyaCallbackNotice').displayName,
		).toMatch(/Rivya AI has no per-task callback URL/);
		const result = await run({
			authentication: 'rivya',
			operation: 'submit',
			prompt: 'x',
			callbackUrl: 'http://127.0.0.1:9/hook',
		});
		expect(result.error).toBeUndefined();
		const [submit] = emulator.journal.entries({ kind: 'submit' });
		expect(JSON.stringify(submit.body)).not.toContain('127.0.0.1:9');
		expect(result.output[0].json.callbackUrl).toBeUndefined();
	});
});

describe('money: submits are never repeated blindly', () => {
	test('a 5xx on submit is reported as ambiguous and not sent again', async () => {
		emulator.configure({ faults: { submit5xx: 1 } });
		const result = await run({ operation: 'generate', prompt: 'ambiguous', options: FAST });
		expect(emulator.journal.entries({ kind: 'submit' })).toHaveLength(1);
		expect(result.error?.message).toMatch(
			/may or may not have created a paid task on Kie\.ai, so it was not sent again/,
		);
		expect(result.error?.message).toMatch(
			/on Kie\.ai.*Look for a new task in the provider's dashboard/,
		);
	});

	test('a connection reset on submit is reported as ambiguous and not sent again', async () => {
		emulator.configure({ faults: { submitReset: 1 } });
		const result = await run({ operation: 'generate', prompt: 'reset', options: FAST });
		expect(emulator.journal.entries({ kind: 'submit' })).toHaveLength(1);
		expect(result.error?.message).toMatch(
			/connection was reset.*may or may not have created a paid task/,
		);
	});

	test.each(['kie', 'rivya', 'wavespeed'])(
		'a 429 refusal on submit (%s) is retried after Retry-After and creates one task',
		async (provider) => {
			emulator.configure({ faults: { submitRateLimit: 1 } });
			const pending = run({
				authentication: provider,
				operation: 'generate',
				prompt: 'later please',
				options: FAST,
			});
			while (emulator.journal.entries({ kind: 'submit' }).length < 1)
				await new Promise((r) => setImmediate(r));
			emulator.configure({ faults: { submitRateLimit: 0 } });
			const result = await pending;
			expect(result.error).toBeUndefined();
			const submits = emulator.journal.entries({ kind: 'submit' });
			expect(submits.map((entry) => entry.status)).toEqual([provider === 'kie' ? 200 : 429, 200]);
			const created = submits.filter((entry) => entry.taskId).map((entry) => entry.taskId);
			expect(created).toEqual([result.output[0].json.taskId]);
		},
	);

	test('Rivya submits carry an Idempotency-Key derived from the execution, node and item', async () => {
		await run(
			{ authentication: 'rivya', operation: 'submit', prompt: 'once' },
			{ items: items(2) },
		);
		const keys = emulator.journal
			.entries({ kind: 'submit' })
			.map((entry) => entry.headers['idempotency-key']);
		expect(keys[0]).toMatch(/^n8n-kling-[0-9a-f]{40}$/);
		expect(new Set(keys).size).toBe(2);
	});
});

describe('downloads', () => {
	test('a truncated download is retried and never emitted as a video', async () => {
		emulator.planNextTask('kie', { downloadFault: 'truncated' });
		const result = await run(
			{ operation: 'generate', prompt: 'cut', options: FAST },
			{ binaryMode: 'filesystem' },
		);
		expect(result.error).toBeUndefined();
		const downloads = emulator.journal.entries({ kind: 'download' });
		expect(downloads.map((entry) => entry.fault ?? null)).toEqual(['truncated', null]);
		const buffer = await result.binaryBuffer(result.output[0].binary.data);
		expect(inspectMp4(buffer).durationSeconds).toBeCloseTo(5, 0);
	});

	test('an expired result URL fails with the task ID and the URL', async () => {
		emulator.planNextTask('kie', { downloadFault: 'expired' });
		const result = await run({ operation: 'generate', prompt: 'gone', options: FAST });
		const taskId = emulator.journal.entries({ kind: 'submit' })[0].taskId;
		expect(result.error?.message).toContain(
			`Task ${taskId} succeeded but its video could not be downloaded`,
		);
		expect(result.error?.message).toMatch(/expired.*Video URL: http/);
	});

	test('Download Video off returns the URL without binary data', async () => {
		const result = await run({
			operation: 'generate',
			prompt: 'url only',
			options: { ...FAST, downloadVideo: false },
		});
		expect(result.output[0].json.videoUrl).toMatch(/\.mp4$/);
		expect(result.output[0].binary).toBeUndefined();
		expect(emulator.journal.entries({ kind: 'download' })).toHaveLength(0);
	});
});

describe('errors a user can act on', () => {
	test('a wrong API key says to check the key, and no secret appears anywhere', async () => {
		const credentials = credentialsFor('rivya', emulator);
		credentials.klingRivyaApi.apiKey = 'rvya_sk_wrong_key_value';
		const result = await runKlingNode({
			parameters: { authentication: 'rivya', operation: 'generate', prompt: 'x', options: FAST },
			credentials,
		});
		expect(result.error?.message).toMatch(/HTTP 401 api_key_invalid/);
		expect(result.error?.message).toMatch(/Check the API key in the credential/);
		const text = JSON.stringify({
			message: result.error?.message,
			description: result.error?.description,
			output: result.output,
		});
		for (const secret of [...SECRETS, 'rvya_sk_wrong_key_value'])
			expect(text).not.toContain(secret);
	});

	test.each([
		['ftp://api.kie.ai', /is not an http\(s\) URL/],
		['api.kie.ai', /is not an http\(s\) URL/],
		['https://api.kie.ai/api/v1', /already ends in "\/api\/v1"\. Remove "\/api\/v1"/],
	])('Base URL %s is rejected before any request', async (baseUrl, message) => {
		const credentials = credentialsFor('kie', emulator);
		credentials.klingKieApi.baseUrl = baseUrl;
		const result = await runKlingNode({
			parameters: { authentication: 'kie', operation: 'generate', prompt: 'x' },
			credentials,
		});
		expect(result.error?.message).toMatch(message);
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('an unreachable host says it could not be reached', async () => {
		const credentials = credentialsFor('kie', emulator);
		credentials.klingKieApi.baseUrl = 'http://127.0.0.1:1';
		const waited = await runKlingNode({
			parameters: {
				authentication: 'kie',
				operation: 'waitForTask',
				taskId: 't1',
				options: { ...FAST, maxWait: 3 },
			},
			credentials,
		});
		// Status reads are retried until Max Wait; the error is the last one seen, not a timeout.
		expect(waited.error?.message).toMatch(
			/Task t1: Could not reach Kie\.ai at 127\.0\.0\.1:1: the connection was refused/,
		);
		// Get Task goes through n8n's routing, which words it its own way.
		const got = await runKlingNode({
			parameters: { authentication: 'kie', operation: 'getTask', taskId: 't1' },
			credentials,
		});
		expect(got.error?.message).toMatch(/refused the connection/);
	});

	test('missing credentials fail clearly', async () => {
		const result = await runKlingNode({
			parameters: { authentication: 'kie', operation: 'generate', prompt: 'x' },
			credentials: {},
		});
		expect(result.error?.message).toMatch(/credentials/i);
		expect(emulator.journal.entries()).toHaveLength(0);
	});
});
