// @ts-check
/**
 * What the node promises about money and waiting (issue 13), one test per behaviour, each named after
 * it: the Kling Video node through n8n-core's WorkflowExecute (from dist/) against the emulator.
 * The trigger's behaviours (9, 10) are in trigger.test.mjs, the credential tests (8) and the binary
 * store race (17) run in a real n8n (test/e2e).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createServer } from 'node:http';
import { makePng } from '../emulator/core/media.mjs';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { runKlingNode } from '../support/n8n.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 300 });
});
afterAll(async () => await emulator.close());
beforeEach(() => {
	emulator.journal.reset();
	emulator.clearPlans();
	emulator.configure({ generationMs: 300, outages: [] });
});

/** @param {Record<string, any>} parameters @param {Partial<Parameters<typeof runKlingNode>[0]>} [extra] */
function run(parameters, extra = {}) {
	const provider = parameters.authentication ?? 'kie';
	return runKlingNode({
		parameters: { authentication: provider, ...parameters },
		credentials: credentialsFor(provider, emulator),
		typeVersion: 2,
		...extra,
	});
}

const items = (/** @type {number} */ count) =>
	Array.from({ length: count }, (_, row) => ({ json: { row } }));
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const submits = (/** @type {string} */ provider = 'kie') =>
	emulator.journal.entries({ kind: 'submit', provider });
const created = (/** @type {string} */ provider = 'kie') =>
	submits(provider)
		.filter((entry) => entry.taskId)
		.map((entry) => String(entry.taskId));
/** Task IDs named in a node error's description, by item. @param {any} error */
const describedTasks = (error) =>
	String(error?.description ?? '')
		.split('\n')
		.map((line) => /task (\S+),/.exec(line)?.[1] ?? null);

/** Run, and call `stop` once `ready(journal)` holds; returns the result and when it stopped. */
async function runAndStopWhen(
	/** @type {Record<string, any>} */ parameters,
	/** @type {(entries: any[]) => boolean} */ ready,
	/** @type {Partial<Parameters<typeof runKlingNode>[0]>} */ extra = {},
) {
	let stoppedAt = 0;
	const result = await run(parameters, {
		...extra,
		onStarted: (execution) => {
			void (async () => {
				while (!ready(emulator.journal.entries())) await sleep(5);
				stoppedAt = Date.now();
				execution.cancel();
			})();
		},
	});
	return { result, stoppedAt, endedAt: Date.now() };
}

describe('behaviour 1: Submit never loses paid task IDs', () => {
	test('a refusal for good in the middle of a batch: every created task is listed with its item', async () => {
		emulator.planSubmits('kie', ['ok', 'ok', 'credit', 'ok', 'ok']);
		const result = await run(
			{ operation: 'submit', prompt: '={{ "row " + $json.row }}', options: { concurrency: 1 } },
			{ items: items(5) },
		);
		const ids = created();
		expect(ids).toHaveLength(4);
		expect(result.error?.message).toMatch(/^1 of 5 items failed\./);
		expect(result.error?.message).toMatch(/insufficient_credits|credit/i);
		expect(describedTasks(result.error)).toEqual([ids[0], ids[1], null, ids[2], ids[3]]);
		// Out of credit fails at once: the refused item was not sent again.
		expect(submits()).toHaveLength(5);
	});

	test('with Continue On Fail the created tasks are output items and the refused one says why', async () => {
		emulator.planSubmits('kie', ['ok', 'credit', 'ok']);
		const result = await run(
			{ operation: 'submit', prompt: 'ok', options: { concurrency: 1 } },
			{ items: items(3), nodeSettings: { onError: 'continueRegularOutput' } },
		);
		expect(result.error).toBeUndefined();
		const ids = created();
		expect(result.output.map((/** @type {any} */ item) => item.json.taskId)).toEqual([
			ids[0],
			null,
			ids[1],
		]);
		expect(result.output[1].json).toMatchObject({
			status: 'failed',
			error: { code: 'insufficient_credits' },
		});
	});

	test('a rate-limit refusal is retried within the Submit Retry Budget: one task per item', async () => {
		emulator.planSubmits('kie', ['ok', 'rate-limit', 'ok']);
		const result = await run(
			{ operation: 'submit', prompt: 'ok', options: { concurrency: 1 } },
			{ items: items(3) },
		);
		expect(result.error).toBeUndefined();
		expect(submits()).toHaveLength(4);
		const taskIds = result.output.map((/** @type {any} */ item) => item.json.taskId);
		expect([...taskIds].sort()).toEqual(created().sort());
	});

	test('refusals past the Submit Retry Budget fail with the refusal code, the others keep their tasks', async () => {
		emulator.planSubmits('kie', ['ok', ...Array(20).fill('rate-limit')]);
		const started = Date.now();
		const result = await run(
			{ operation: 'submit', prompt: 'ok', options: { concurrency: 1, submitRetryBudget: 3 } },
			{ items: items(2) },
		);
		expect(Date.now() - started).toBeLessThan(8000);
		const [first] = created();
		expect(result.error?.message).toMatch(/rate_limited|rate limit/i);
		expect(describedTasks(result.error)).toEqual([first, null]);
	});
});

describe('behaviour 2: Retry On Fail never pays twice', () => {
	test('3 tries of a 3-item Submit create 3 tasks', async () => {
		emulator.planSubmits('kie', ['ok', 'ok', 'credit']);
		const result = await run(
			{ operation: 'submit', prompt: 'retry', options: { concurrency: 1 } },
			{ items: items(3), nodeSettings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } },
		);
		// Try 1: two tasks and a refusal; tries 2 and 3 pick up the two and submit only the third.
		expect(result.error).toBeUndefined();
		expect(created()).toHaveLength(3);
		expect(result.output.map((/** @type {any} */ item) => item.json.taskId)).toEqual(created());
	});

	test('a failed task fails every try, and only 3 tasks were paid for 3 items', async () => {
		emulator.planNextTask('kie', { fail: true });
		const result = await run(
			{ operation: 'generate', prompt: 'retry', options: FAST },
			{ items: items(3), nodeSettings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } },
		);
		expect(result.error?.message).toMatch(/^1 of 3 items failed\. Task .+ failed/);
		expect(submits()).toHaveLength(3);
		expect(emulator.journal.entries({ kind: 'status' }).length).toBeGreaterThan(3);
		expect(describedTasks(result.error).sort()).toEqual(created().sort());
	});

	test('a retry after Max Wait picks up the same task and gets its video', async () => {
		emulator.configure({ generationMs: 1800 });
		const result = await run(
			{ operation: 'generate', prompt: 'slow', options: { ...FAST, maxWait: 1 } },
			{ nodeSettings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } },
		);
		expect(result.error).toBeUndefined();
		expect(submits()).toHaveLength(1);
		expect(result.output[0].json).toMatchObject({ taskId: created()[0], status: 'succeeded' });
		expect(result.hints.map((/** @type {any} */ hint) => hint.message).join(' ')).toMatch(
			/picked up the tasks the earlier try created \(not paid again\)/,
		);
	});
});

describe('behaviour 3: Max Wait is a hard bound', () => {
	test('a status read answered Retry-After: 3600 with Max Wait 3 s ends within a few seconds, naming the task', async () => {
		emulator.planNextTask('kie', { generationMs: 60_000, statusFaults: ['429:3600'] });
		const started = Date.now();
		const result = await run({
			operation: 'generate',
			prompt: 'long retry-after',
			options: { ...FAST, maxWait: 3, outputFailedTasksAsItems: true },
		});
		const elapsed = Date.now() - started;
		expect(elapsed).toBeLessThan(5000);
		expect(elapsed).toBeGreaterThanOrEqual(2900);
		const [taskId] = created();
		expect(result.output[0].json).toMatchObject({
			taskId,
			status: 'queued',
			error: { code: 'wait_timeout' },
		});
		expect(result.output[0].json.error.message).toContain(taskId);
		// One read was answered 429; the node did not sleep the hour away, nor read again in a loop.
		expect(emulator.journal.entries({ kind: 'status' }).length).toBeLessThanOrEqual(2);
	});
});

describe('behaviour 4: outages shorter than Max Wait are survived', () => {
	test('40 s of 503 on every status read inside a 900 s Max Wait: the item succeeds with its video', async () => {
		emulator.configure({ generationMs: 200 });
		const started = Date.now();
		const window = emulator.outage({ provider: 'kie', ms: 40_000, answer: '503' });
		const result = await run({
			operation: 'generate',
			prompt: 'outage',
			options: { ...FAST, maxWait: 900 },
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.status).toBe('succeeded');
		expect(inspectMp4(await result.binaryBuffer(result.output[0].binary.data)).hasFtyp).toBe(true);
		const reads = emulator.journal.entries({ kind: 'status' });
		const faulted = reads.filter((entry) => entry.fault === 'outage-503');
		// Retried through the outage with capped backoff (1, 2, 4, 8, 10, 10 … s): no hammering.
		expect(faulted.length).toBeGreaterThanOrEqual(5);
		expect(faulted.length).toBeLessThanOrEqual(10);
		expect(Date.now()).toBeGreaterThanOrEqual(window.until);
		expect(Date.now() - started).toBeLessThan(55_000);
	}, 70_000);
});

describe('behaviour 5: "Continue (using error output)" sends failed items to the error output', () => {
	const errorOutput = { onError: 'continueErrorOutput' };

	test('Generate: the failed task on the error output, the others on the main output', async () => {
		emulator.planNextTask('kie', {});
		emulator.planNextTask('kie', { fail: true });
		const result = await run(
			{ operation: 'generate', prompt: 'split', options: { ...FAST, concurrency: 1 } },
			{ items: items(3), nodeSettings: errorOutput },
		);
		expect(result.error).toBeUndefined();
		expect(result.output.map((/** @type {any} */ item) => item.pairedItem.item)).toEqual([0, 2]);
		expect(result.errorOutput).toHaveLength(1);
		expect(result.errorOutput[0].pairedItem.item).toBe(1);
		// The task ID, status and the failure travel with the item (n8n's `{message, error}` form).
		expect(result.errorOutput[0].json).toMatchObject({
			message: expect.stringMatching(/^Task .+ failed/),
			error: { taskId: created()[1], status: 'failed', code: expect.any(String) },
		});
	});

	test('Submit: the refused item on the error output', async () => {
		emulator.planSubmits('kie', ['ok', 'credit']);
		const result = await run(
			{ operation: 'submit', prompt: 'split', options: { concurrency: 1 } },
			{ items: items(2), nodeSettings: errorOutput },
		);
		expect(result.output.map((/** @type {any} */ item) => item.json.taskId)).toEqual(created());
		expect(result.errorOutput.map((/** @type {any} */ item) => item.pairedItem.item)).toEqual([1]);
		expect(result.errorOutput[0].json).toMatchObject({
			message: expect.stringMatching(/credit/i),
			error: { code: 'insufficient_credits', taskId: null },
		});
	});

	test('Get Task and Wait for Task: an unknown task ID on the error output', async () => {
		const good = await run({ operation: 'submit', prompt: 'known' });
		const taskId = good.output[0].json.taskId;
		const ids = [{ json: { id: taskId } }, { json: { id: 'no-such-task' } }];
		for (const operation of ['getTask', 'waitForTask']) {
			const result = await run(
				{ operation, taskId: '={{ $json.id }}', options: FAST },
				{ items: ids, nodeSettings: errorOutput },
			);
			expect(result.error).toBeUndefined();
			expect(result.output.map((/** @type {any} */ item) => item.json.taskId)).toEqual([taskId]);
			expect(result.errorOutput).toHaveLength(1);
			expect(JSON.stringify(result.errorOutput[0].json)).toMatch(/no-such-task|not found/i);
		}
	});
});

describe('behaviour 6: Stop ends downloads too', () => {
	test('Stop during a slow download: the download is cut at once and nothing is emitted', async () => {
		emulator.planNextTask('kie', { generationMs: 100, downloadFault: 'slow', downloadBytesPerSecond: 20_000 });
		const { result, stoppedAt, endedAt } = await runAndStopWhen(
			{ operation: 'generate', prompt: 'stop the download', options: FAST },
			(entries) => entries.some((entry) => entry.kind === 'download'),
		);
		expect(result.status).toBe('canceled');
		expect(result.output).toEqual([]);
		expect(endedAt - stoppedAt).toBeLessThan(1500);
		await sleep(100);
		const [download] = emulator.journal.entries({ kind: 'download' });
		expect(download.status).toBe('error'); // the emulator saw the client hang up mid-file
		expect(emulator.journal.entries({ kind: 'download' })).toHaveLength(1);
	});
});

describe("behaviour 7: status is the provider's task state", () => {
	test('a task still running at Max Wait keeps its status with error.code wait_timeout', async () => {
		emulator.planNextTask('kie', { generationMs: 60_000 });
		const result = await run({
			operation: 'generate',
			prompt: 'still running',
			options: { ...FAST, maxWait: 1.5, outputFailedTasksAsItems: true },
		});
		expect(['queued', 'processing']).toContain(result.output[0].json.status);
		expect(result.output[0].json.error.code).toBe('wait_timeout');
		expect(result.output[0].json.error.message).toMatch(/may still finish at the provider/);
	});

	test('a succeeded task whose download failed keeps succeeded, its URL and download_failed', async () => {
		emulator.planNextTask('kie', { downloadFault: 'expired' });
		const result = await run({
			operation: 'generate',
			prompt: 'expired url',
			options: { ...FAST, outputFailedTasksAsItems: true },
		});
		const { json, binary } = result.output[0];
		expect(json).toMatchObject({ status: 'succeeded', error: { code: 'download_failed' } });
		expect(json.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/kie\/_results\//);
		expect(binary).toBeUndefined();
	});

	test('an unknown status word is taken as still running, not as a failure', async () => {
		emulator.planNextTask('kie', { generationMs: 400, unknownStatus: { word: 'paused', reads: 2 } });
		const result = await run({ operation: 'generate', prompt: 'odd word', options: FAST });
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.status).toBe('succeeded');
		const reads = emulator.journal.entries({ kind: 'status' });
		expect(reads.filter((entry) => entry.fault === 'unknown-status')).toHaveLength(2);
	});
});

describe('behaviour 11: Additional Fields (JSON) cannot override validated fields', () => {
	test.each([
		['prompt', '{"prompt": "something else"}'],
		['duration', '{"duration": "25"}'],
		['image', '{"image_url": "http://127.0.0.1:9/other.png"}'],
	])('a %s key is rejected before any request', async (_field, json) => {
		const result = await run({
			operation: 'generate',
			prompt: 'validated',
			generationSettings: { additionalFields: json },
			options: FAST,
		});
		expect(result.error?.message).toMatch(/Additional Fields/);
		expect(result.error?.message).toMatch(/set by the node|use the node's own field/i);
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('json.request is what was sent, additional fields included', async () => {
		// A field the node does not model: Kling's watermark switch.
		const watermark = { watermark_info: { enabled: true } };
		const result = await run({
			authentication: 'kling',
			operation: 'submit',
			prompt: 'exact',
			generationSettings: { additionalFields: JSON.stringify(watermark) },
		});
		expect(result.error).toBeUndefined();
		const [sent] = submits('kling');
		expect(sent.body.watermark_info).toEqual(watermark.watermark_info);
		expect(result.output[0].json.request.additionalFields).toEqual(watermark);
		expect(sent.body.prompt).toBe(result.output[0].json.request.prompt);
	});
});

describe('behaviour 12: memory does not grow with the batch', () => {
	test('12 binary images with Concurrency 12: at most 4 are read and uploaded at once', async () => {
		const png = makePng(64, 64, [200, 40, 40]);
		let inFlight = 0;
		let peak = 0;
		let uploads = 0;
		// Kie's upload host, played by a slow stand-in that answers Kie's documented shape.
		const host = createServer((req, res) => {
			inFlight++;
			uploads++;
			peak = Math.max(peak, inFlight);
			req.resume();
			req.on('end', () => {
				setTimeout(() => {
					inFlight--;
					res.setHeader('content-type', 'application/json');
					res.end(
						JSON.stringify({
							success: true,
							code: 200,
							msg: 'File uploaded successfully',
							data: { downloadUrl: `${emulator.url}/_assets/start.png`, fileName: 'x.png' },
						}),
					);
				}, 150);
			});
		});
		await new Promise((resolve) => host.listen(0, '127.0.0.1', () => resolve(null)));
		try {
			const port = /** @type {import('node:net').AddressInfo} */ (host.address()).port;
			const credentials = credentialsFor('kie', emulator);
			credentials.klingKieApi.uploadBaseUrl = `http://127.0.0.1:${port}`;
			const result = await runKlingNode({
				parameters: {
					authentication: 'kie',
					operation: 'submit',
					mode: 'image-to-video',
					prompt: 'from a file',
					startImageSource: 'binary',
					startImageBinaryProperty: 'photo',
					options: { concurrency: 12 },
				},
				credentials,
				typeVersion: 2,
				items: Array.from({ length: 12 }, (_, row) => ({
					json: { row },
					binary: {
						photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: `r${row}.png` },
					},
				})),
			});
			expect(result.error).toBeUndefined();
			expect(uploads).toBe(12);
			expect(peak).toBe(4);
			expect(created()).toHaveLength(12);
		} finally {
			host.close();
		}
	});
});

describe('behaviour 13: images above 1 MB go through the files API (Replicate) and storage (fal)', () => {
	/** A real PNG of about `bytes` (an ancillary chunk pads it). @param {number} bytes */
	const pngOf = (bytes) => makePng(32, 32, [20, 90, 200], bytes);
	/** @param {string} provider @param {Buffer} png */
	const generateFrom = (provider, png) =>
		runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'submit',
				mode: 'image-to-video',
				prompt: 'from a big file',
				startImageSource: 'binary',
				startImageBinaryProperty: 'photo',
			},
			credentials: credentialsFor(provider, emulator),
			typeVersion: 2,
			items: [
				{
					json: {},
					binary: { photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'big.png' } },
				},
			],
		});

	test('Replicate: 1.5 MB goes to POST /v1/files and the prediction gets its urls.get', async () => {
		const png = pngOf(1_500_000);
		const result = await generateFrom('replicate', png);
		expect(result.error).toBeUndefined();
		const [upload] = emulator.journal.entries({ kind: 'upload', provider: 'replicate' });
		expect(upload.path).toMatch(/\/v1\/files$/);
		const [sent] = submits('replicate');
		const image = Object.values(sent.body.input).find(
			(value) => typeof value === 'string' && /\/v1\/files\//.test(value),
		);
		expect(image).toBeDefined();
		expect(JSON.stringify(sent.body)).not.toContain('data:image');
		expect(sent.warning).toBeUndefined();
	});

	test('Replicate: 200 kB still goes inline as a data URI', async () => {
		const result = await generateFrom('replicate', pngOf(200_000));
		expect(result.error).toBeUndefined();
		expect(emulator.journal.entries({ kind: 'upload' })).toHaveLength(0);
		expect(JSON.stringify(submits('replicate')[0].body)).toContain('data:image/png;base64,');
	});

	test('fal: 1.5 MB goes through storage (initiate, then PUT without the key) and image_url is the file URL', async () => {
		const png = pngOf(1_500_000);
		const result = await generateFrom('fal', png);
		expect(result.error).toBeUndefined();
		const uploads = emulator.journal.entries({ provider: 'fal-rest', kind: 'upload' });
		expect(uploads.map((entry) => entry.method)).toEqual(['POST', 'PUT']);
		expect(uploads[1].headers.authorization).toBeUndefined();
		const [sent] = submits('fal');
		expect(sent.body.image_url ?? sent.body.start_image_url).toMatch(/\/fal-rest\/_files\//);
		expect(JSON.stringify(sent.body)).not.toContain('data:image');
	});
});

describe('behaviour 14: Correlation Data is never dropped silently', () => {
	test('Rivya (no per-task callback) hides the field and says why; Kie carries it in the callback URL', async () => {
		const { KlingVideo } = await import('../../dist/nodes/KlingVideo/KlingVideo.node.js');
		const properties = new KlingVideo().description.properties;
		const correlation = properties.find((/** @type {any} */ p) => p.name === 'correlation');
		expect(correlation.displayOptions.hide.authentication).toContain('rivya');
		const notice = properties.find((/** @type {any} */ p) => p.name === 'rivyaCallbackNotice');
		expect(notice.displayName).toMatch(/Rivya AI has no per-task callback URL/);
		const result = await run({
			operation: 'submit',
			prompt: 'carried',
			callbackUrl: 'http://127.0.0.1:9/webhook/kling',
			correlation: { values: [{ key: 'row', value: '7' }] },
		});
		const sent = new URL(String(submits()[0].body.callBackUrl));
		expect(sent.searchParams.get('c_row')).toBe('7');
		expect(result.output[0].json.callbackUrl).toBe(sent.toString());
	});
});

describe('behaviour 15: no false alarm about money', () => {
	test.each([
		['a host that does not resolve', 'http://kling-provider.invalid', /the host name could not be resolved/],
		['a refused connection', 'http://127.0.0.1:1', /the connection was refused/],
	])('Submit to %s says nothing was sent and never mentions a paid task', async (_case, baseUrl, reason) => {
		const credentials = credentialsFor('kie', emulator);
		credentials.klingKieApi.baseUrl = baseUrl;
		const result = await runKlingNode({
			parameters: { authentication: 'kie', operation: 'submit', prompt: 'x' },
			credentials,
			typeVersion: 2,
		});
		expect(result.error?.message).toMatch(reason);
		expect(result.error?.message).not.toMatch(/may or may not|paid task/);
		expect(result.error?.message).toMatch(/nothing was (sent|created|paid)/i);
	});
});

describe('behaviour 16: task IDs stay within reach after Stop', () => {
	test("after Stop during the wait, the execution's custom data holds every task ID and the count", async () => {
		emulator.configure({ generationMs: 60_000 });
		const { result } = await runAndStopWhen(
			{ operation: 'generate', prompt: 'stop me', options: FAST },
			(entries) => entries.filter((entry) => entry.kind === 'status').length >= 3,
			{ items: items(3) },
		);
		expect(result.status).toBe('canceled');
		const ids = created();
		expect(ids).toHaveLength(3);
		expect(result.customData.kling_Kling_Video_task_count).toBe('3');
		const recorded = String(result.customData.kling_Kling_Video_tasks_1).split(' ');
		expect(recorded.map((entry) => entry.split('=')[1]).sort()).toEqual([...ids].sort());
		expect(recorded.map((entry) => entry.split('=')[0]).sort()).toEqual(['1', '2', '3']);
	});
});

describe('behaviour 18: re-running a sheet does not pay again where the provider allows it', () => {
	/** @param {Record<string, any>} parameters */
	const runKling = (parameters) => {
		const credentials = credentialsFor('kling', emulator);
		credentials.klingOfficialApi.apiKey = 'kling_emulator_api_key';
		return runKlingNode({
			parameters: { authentication: 'kling', ...parameters },
			credentials,
			typeVersion: 2,
			items: [{ json: { rowId: 'sheet-row-17' } }],
		});
	};

	test('Kling: the Idempotency Key is sent as external_task_id and a re-run returns the same task', async () => {
		const parameters = {
			operation: 'generate',
			prompt: 'once only',
			options: { ...FAST, idempotencyKey: '={{ $json.rowId }}' },
		};
		const first = await runKling(parameters);
		expect(first.error).toBeUndefined();
		const [sent] = submits('kling');
		expect(JSON.stringify(sent.body)).toContain('"external_task_id":"sheet-row-17"');
		const second = await runKling(parameters);
		expect(second.error).toBeUndefined();
		expect(submits('kling')).toHaveLength(1);
		expect(second.output[0].json.taskId).toBe(first.output[0].json.taskId);
		expect(inspectMp4(await second.binaryBuffer(second.output[0].binary.data)).hasFtyp).toBe(true);
	});

	test('Rivya: the Idempotency Key is the Idempotency-Key header, so a re-run replays the same task', async () => {
		const runRivya = () =>
			run(
				{ authentication: 'rivya', operation: 'submit', prompt: 'once', options: { idempotencyKey: '={{ $json.rowId }}' } },
				{ items: [{ json: { rowId: 'sheet-row-17' } }] },
			);
		const first = await runRivya();
		const second = await runRivya();
		const sent = submits('rivya');
		expect(sent.map((entry) => entry.headers['idempotency-key'])).toEqual(['sheet-row-17', 'sheet-row-17']);
		expect(second.output[0].json.taskId).toBe(first.output[0].json.taskId);
		expect(new Set(sent.map((entry) => entry.taskId)).size).toBe(1);
	});
});
