// @ts-check
/**
 * Transport and output helpers: Retry-After, retry policy, network error sentences, idempotency keys,
 * the normalized item json (DESIGN.md Contracts) and safe file names.
 */
import { describe, expect, test } from '@jest/globals';
import { PNG_BYTES, dist, fixture, thrown } from './helpers.mjs';

const { retryAfterMs, retryDelay, parseJsonText, networkError, httpOptions, readAnswer } =
	dist('shared/engine/transport');
const { idempotencyKey, readSubmitAnswer } = dist('shared/engine/submit');
const { taskItemJson, readOptions, videoFileName } = dist('shared/engine/output');
const { multipartUpload } = dist('shared/providers/multipart');
const { ProviderError } = dist('shared/util/errors');
const { kie } = dist('shared/providers/kie');
const { rivya } = dist('shared/providers/rivya');
const { wavespeed } = dist('shared/providers/wavespeed');

const KIE = fixture('kie');
const RV = fixture('rivya');

describe('retryAfterMs', () => {
	test('seconds, in either header case', () => {
		expect(retryAfterMs({ 'retry-after': '5' })).toBe(5000);
		expect(retryAfterMs({ 'Retry-After': '0.5' })).toBe(500);
		expect(retryAfterMs({ 'retry-after': 12 })).toBe(12000);
	});

	test('an HTTP date in the future → the ms until then', () => {
		const at = new Date(Date.now() + 20_000).toUTCString(); // second resolution
		const ms = retryAfterMs({ 'retry-after': at });
		expect(ms).toBeGreaterThan(18_000);
		expect(ms).toBeLessThanOrEqual(20_000);
	});

	test('a date in the past or a negative number → 0', () => {
		expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })).toBe(0);
		expect(retryAfterMs({ 'retry-after': '-3' })).toBe(0);
	});

	test('missing or unreadable → null', () => {
		expect(retryAfterMs({})).toBeNull();
		expect(retryAfterMs({ 'retry-after': null })).toBeNull();
		expect(retryAfterMs({ 'retry-after': 'soon' })).toBeNull();
	});
});

describe('retryDelay', () => {
	const err = (kind, retryAfter = null) => new ProviderError(kind, 'x', null, null, retryAfter);

	test.each(['rateLimit', 'server', 'unavailable', 'network'])('%s is retried', (kind) => {
		expect(retryDelay(err(kind), 1)).toBe(1000);
	});

	test.each([
		'auth',
		'credits',
		'validation',
		'moderation',
		'image',
		'notFound',
		'ambiguousSubmit',
		'unexpected',
	])('%s is not retried', (kind) => {
		expect(retryDelay(err(kind), 1)).toBeNull();
	});

	test('anything that is not a ProviderError is not retried', () => {
		expect(retryDelay(new Error('boom'), 1)).toBeNull();
		expect(retryDelay('boom', 1)).toBeNull();
	});

	test('backoff doubles per attempt and is capped at 10 s', () => {
		const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => retryDelay(err('server'), attempt));
		expect(delays).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000]);
	});

	test('Retry-After wins over the backoff, larger or smaller (0 included)', () => {
		expect(retryDelay(err('rateLimit', 45_000), 1)).toBe(45_000);
		expect(retryDelay(err('rateLimit', 250), 6)).toBe(250);
		expect(retryDelay(err('unavailable', 0), 3)).toBe(0);
	});

	test("readAnswer attaches the answer's Retry-After to the adapter error", () => {
		const answer = {
			statusCode: 200,
			body: KIE.bodyErrors['429'].body,
			headers: { 'retry-after': '7' },
		};
		const error = thrown(() =>
			readAnswer(answer, () => kie.readStatusResponse(answer.statusCode, answer.body, {})),
		);
		expect(error.kind).toBe('rateLimit');
		expect(error.retryAfterMs).toBe(7000);
		expect(retryDelay(error, 1)).toBe(7000);
	});
});

describe('networkError', () => {
	const URL_ = 'https://api.kie.ai/api/v1/jobs/createTask';
	const withCode = (message, code) => Object.assign(new Error(message), { code });

	test.each([
		[
			'ENOTFOUND',
			withCode('getaddrinfo ENOTFOUND api.kie.ai', 'ENOTFOUND'),
			'the host name could not be resolved',
		],
		[
			'EAI_AGAIN',
			withCode('getaddrinfo EAI_AGAIN api.kie.ai', 'EAI_AGAIN'),
			'the host name could not be resolved',
		],
		[
			'ECONNREFUSED',
			withCode('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED'),
			'the connection was refused',
		],
		['ECONNRESET', withCode('read ECONNRESET', 'ECONNRESET'), 'the connection was reset'],
		['socket hang up', new Error('socket hang up'), 'the connection was reset'],
		['ETIMEDOUT', withCode('connect ETIMEDOUT 1.2.3.4:443', 'ETIMEDOUT'), 'the request timed out'],
	])('%s', (_label, error, reason) => {
		const mapped = networkError('Kie.ai', URL_, error);
		expect(mapped).toBeInstanceOf(ProviderError);
		expect(mapped.kind).toBe('network');
		expect(mapped.message).toBe(`Could not reach Kie.ai at api.kie.ai: ${reason}`);
	});

	test('the code may sit on the cause (fetch/undici, n8n NodeApiError wrappers)', () => {
		const wrapped = new Error('fetch failed', {
			cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
		});
		expect(
			networkError('Rivya AI', 'http://127.0.0.1:4010/rivya/api/v1/generations', wrapped).message,
		).toBe('Could not reach Rivya AI at 127.0.0.1:4010: the connection was refused');
	});

	test('an unknown failure keeps its own text; an unparsable URL is shown as is', () => {
		expect(networkError('APIXO', 'not a url', 'weird').message).toBe(
			'Could not reach APIXO at not a url: weird',
		);
	});

	// BUG (shared/transport.ts:125-126 networkError, the reset test `/ECONNRESET|socket hang up|aborted/i` runs
	// before the timeout test `/ETIMEDOUT|ECONNABORTED|timeout/i`): axios — which n8n's httpRequest uses
	// — reports its own timeout as code ECONNABORTED, message "timeout of 60000ms exceeded"; "aborted"
	// matches "ECONNABORTED" case-insensitively, so a timeout is reported as "the connection was reset"
	// and the ECONNABORTED branch written for it can never be reached. Not a PROVIDERS.md topic.
	test('an axios timeout (ECONNABORTED, "timeout of 60000ms exceeded") says it timed out', () => {
		const timeout = withCode('timeout of 60000ms exceeded', 'ECONNABORTED');
		expect(networkError('Kie.ai', URL_, timeout).message).toBe(
			'Could not reach Kie.ai at api.kie.ai: the request timed out',
		);
	});
});

describe('parseJsonText and httpOptions', () => {
	test('JSON text is parsed; HTML and objects pass through', () => {
		expect(parseJsonText('{"code":200,"data":{"taskId":"t"}}')).toEqual({
			code: 200,
			data: { taskId: 't' },
		});
		expect(parseJsonText('<html>502</html>')).toBe('<html>502</html>');
		const body = { a: 1 };
		expect(parseJsonText(body)).toBe(body);
		expect(parseJsonText(undefined)).toBeUndefined();
	});

	test('API and upload hosts, JSON vs raw multipart body', () => {
		const endpoint = {
			adapter: kie,
			baseUrl: 'http://127.0.0.1:4010/kie',
			uploadBaseUrl: 'http://127.0.0.1:4010/kie-upload',
		};
		const submit = httpOptions(endpoint, {
			method: 'POST',
			path: '/api/v1/jobs/createTask',
			body: { model: 'm' },
		});
		expect(submit).toMatchObject({
			method: 'POST',
			url: 'http://127.0.0.1:4010/kie/api/v1/jobs/createTask',
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			headers: { Accept: 'application/json' },
		});
		const upload = httpOptions(
			endpoint,
			kie.buildUploadRequest({ data: PNG_BYTES, fileName: 'a.png', mimeType: 'image/png' }, 'm'),
		);
		expect(upload.url).toBe('http://127.0.0.1:4010/kie-upload/api/file-stream-upload');
		expect(upload.json).toBe(false);
		expect(upload.headers['Content-Type']).toMatch(/^multipart\/form-data; boundary=/);
		const noUploadHost = httpOptions(
			{ ...endpoint, uploadBaseUrl: null },
			{ method: 'POST', path: '/api/file-stream-upload', uploadHost: true },
		);
		expect(noUploadHost.url).toBe('http://127.0.0.1:4010/kie/api/file-stream-upload');
	});

	test('multipart: quotes and newlines in the file name cannot break the header', () => {
		const request = multipartUpload('/up', 'file', {
			data: PNG_BYTES,
			fileName: 'a"b\r\nc.png',
			mimeType: 'image/png',
		});
		const text = request.body.toString('latin1');
		expect(text).toContain('filename="a_b__c.png"');
		expect(request.uploadHost).toBe(false);
		const again = multipartUpload('/up', 'file', {
			data: PNG_BYTES,
			fileName: 'x.png',
			mimeType: 'image/png',
		});
		expect(again.headers['Content-Type']).not.toBe(request.headers['Content-Type']); // fresh boundary
	});
});

describe('readSubmitAnswer (money rules, DESIGN.md "Money")', () => {
	test('a Kie body code 501 on HTTP 200 is an ambiguous submit (a task may exist)', () => {
		const error = thrown(() =>
			readSubmitAnswer(kie, { statusCode: 200, body: KIE.bodyErrors['501'].body, headers: {} }),
		);
		expect(error.kind).toBe('ambiguousSubmit');
		expect(error.message).toContain('Generation failed');
		expect(error.message).toContain('may or may not have created a paid task on Kie.ai');
	});

	test('a refusal (Kie 455, Rivya public_api_disabled 503) keeps its own kind', () => {
		expect(
			thrown(() =>
				readSubmitAnswer(kie, { statusCode: 200, body: KIE.bodyErrors['455'].body, headers: {} }),
			).kind,
		).toBe('unavailable');
		const fx = RV.errors.public_api_disabled;
		expect(
			thrown(() => readSubmitAnswer(rivya, { statusCode: fx.http, body: fx.body, headers: {} }))
				.kind,
		).toBe('unavailable');
	});

	test('a 4xx is reported as is; a 2xx returns the task id', () => {
		expect(
			thrown(() =>
				readSubmitAnswer(kie, { statusCode: 200, body: KIE.bodyErrors['422'].body, headers: {} }),
			).kind,
		).toBe('validation');
		expect(readSubmitAnswer(kie, { statusCode: 200, body: KIE.submit.body, headers: {} })).toBe(
			'task_kling_1765184398475',
		);
	});

	test('a WaveSpeed 500 is ambiguous', () => {
		const error = thrown(() =>
			readSubmitAnswer(wavespeed, {
				statusCode: 500,
				body: { code: 500, message: 'oops' },
				headers: {},
			}),
		);
		expect(error.kind).toBe('ambiguousSubmit');
	});
});

describe('idempotencyKey', () => {
	test('stable for the same execution, node, item and run', () => {
		const key = idempotencyKey('exec-1', 'node-a', 0, 0);
		expect(key).toBe(idempotencyKey('exec-1', 'node-a', 0, 0));
		expect(key).toMatch(/^n8n-kling-[0-9a-f]{40}$/);
	});

	test('distinct per item, run, node and execution', () => {
		const keys = new Set([
			idempotencyKey('exec-1', 'node-a', 0, 0),
			idempotencyKey('exec-1', 'node-a', 1, 0),
			idempotencyKey('exec-1', 'node-a', 0, 1),
			idempotencyKey('exec-1', 'node-b', 0, 0),
			idempotencyKey('exec-2', 'node-a', 0, 0),
			idempotencyKey('exec-1', 'node-a', 10, 0),
		]);
		expect(keys.size).toBe(6);
	});
});

describe('taskItemJson', () => {
	const snapshot = {
		taskId: 't1',
		model: 'm',
		status: 'succeeded',
		videoUrls: ['https://cdn/a.mp4', 'https://cdn/b.mp4'],
		error: null,
		createdAt: '2024-01-01T00:00:00.000Z',
		completedAt: '2024-01-01T00:00:45.500Z',
		providerGenerationMs: 41000,
		credits: 42,
	};
	const { CATALOG } = dist('shared/catalog/index');
	const request = {
		entry: CATALOG.kie.entries.find(
			(e) => e.model === 'kling-3.0-pro' && e.mode === 'text-to-video',
		),
		mode: 'text-to-video',
		model: 'm',
		audio: true,
		resolution: null,
		shots: null,
		elements: null,
		prompt: 'A kite',
		negativePrompt: null,
		duration: 5,
		aspectRatio: '16:9',
		cfgScale: 0.5,
		startImageUrl: null,
		endImageUrl: null,
		additionalFields: { watermark_info: { enabled: true } },
		callbackUrl: null,
		idempotencyKey: 'n8n-kling-x',
	};
	const base = {
		provider: 'kie',
		model: 'm',
		mode: 'text-to-video',
		taskId: 't1',
		snapshot,
		request,
		includeRaw: false,
	};

	test('the Contracts shape; generationMs from the timestamps', () => {
		expect(taskItemJson(base)).toEqual({
			provider: 'kie',
			model: 'm',
			mode: 'text-to-video',
			taskId: 't1',
			status: 'succeeded',
			videoUrl: 'https://cdn/a.mp4',
			videoUrls: ['https://cdn/a.mp4', 'https://cdn/b.mp4'],
			// Kie: result URLs expire 24 h after completion (catalog resultUrlLifetime).
			videoUrlExpiresAt: '2024-01-02T00:00:45.500Z',
			error: null,
			createdAt: '2024-01-01T00:00:00.000Z',
			completedAt: '2024-01-01T00:00:45.500Z',
			generationMs: 45500,
			credits: 42,
			// Kie Kling 3.0 Pro with audio: 27 credits/s × $0.005 × 5 s.
			estimatedCost: { amount: 0.675, currency: 'USD', priceDate: expect.any(String) },
			request: {
				prompt: 'A kite',
				negativePrompt: null,
				duration: 5,
				aspectRatio: '16:9',
				cfgScale: 0.5,
				startImageUrl: null,
				endImageUrl: null,
				audio: true,
				resolution: 'pro',
				shots: null,
				additionalFields: { watermark_info: { enabled: true } },
			},
		});
	});

	test('without both timestamps, the provider figure; without either, null', () => {
		expect(
			taskItemJson({ ...base, snapshot: { ...snapshot, completedAt: null } }).generationMs,
		).toBe(41000);
		expect(
			taskItemJson({
				...base,
				snapshot: { ...snapshot, createdAt: null, providerGenerationMs: null },
			}).generationMs,
		).toBeNull();
	});

	test('raw only with includeRaw', () => {
		expect(taskItemJson({ ...base, raw: { any: 1 } })).not.toHaveProperty('raw');
		expect(taskItemJson({ ...base, raw: { any: 1 }, includeRaw: true }).raw).toEqual({ any: 1 });
		expect(taskItemJson({ ...base, includeRaw: true }).raw).toBeNull();
	});

	test("an error given keeps the task's own status: a download that failed stays succeeded, with its URL", () => {
		const error = { code: 'download_failed', message: 'The video URL answered HTTP 404' };
		const json = taskItemJson({ ...base, error });
		expect(json.status).toBe('succeeded');
		expect(json.videoUrl).toBe('https://cdn/a.mp4');
		expect(json.error).toEqual(error);
	});

	test('still running at Max Wait: the status stays processing with error.code wait_timeout', () => {
		const error = { code: 'wait_timeout', message: 'still processing after 900 s (Max Wait)' };
		const json = taskItemJson({
			...base,
			snapshot: { ...snapshot, status: 'processing', videoUrls: [] },
			error,
		});
		expect(json.status).toBe('processing');
		expect(json.error).toEqual(error);
	});

	test('nothing was created (no task ID): failed', () => {
		const error = { code: 'rate_limited', message: 'refused' };
		expect(taskItemJson({ ...base, taskId: null, snapshot: null, error }).status).toBe('failed');
	});

	test('no snapshot yet (submit only): queued, empty urls, callbackUrl when sent', () => {
		const json = taskItemJson({
			...base,
			snapshot: null,
			request: { ...request, callbackUrl: 'https://n8n/hook?c_a=1' },
		});
		expect(json).toMatchObject({
			status: 'queued',
			videoUrl: null,
			videoUrls: [],
			error: null,
			createdAt: null,
			generationMs: null,
			credits: null,
		});
		expect(json.callbackUrl).toBe('https://n8n/hook?c_a=1');
		expect(taskItemJson(base)).not.toHaveProperty('callbackUrl');
	});

	test('the request block is what was sent: additional fields and the user\'s Idempotency Key, not the derived key', () => {
		const json = taskItemJson({ ...base, request: { ...request, externalId: 'row-17' } });
		expect(json.request.additionalFields).toEqual({ watermark_info: { enabled: true } });
		expect(json.request.idempotencyKey).toBe('row-17');
		expect(JSON.stringify(json)).not.toContain('n8n-kling-x');
	});

	test('an image sent inline is shown as a short note, not its bytes', () => {
		const dataUri = `data:image/png;base64,${'A'.repeat(40_000)}`;
		const json = taskItemJson({ ...base, request: { ...request, startImageUrl: dataUri } });
		expect(json.request.startImageUrl).toBe('(sent inline: image/png, 29 kB)');
	});
});

describe('readOptions', () => {
	test('defaults (DESIGN Contracts)', () => {
		expect(readOptions({})).toEqual({
			firstCheckAfter: 0,
			pollInterval: 5,
			maxWait: 900,
			concurrency: 10,
			submitRetryBudget: 30,
			idempotencyKey: '',
			downloadVideo: true,
			binaryPropertyName: 'data',
			includeRawResponse: false,
			outputFailedTasksAsItems: false,
			refusedItemsOutput: false,
			resubmitFailedTasks: false,
			maxSpendPerRun: 0,
			allowUnknownPrices: false,
		});
		// Node version 2: Concurrency 0 = Auto.
		expect(readOptions({}, 2).concurrency).toBe(0);
	});

	test('fractions allowed, minimums enforced, concurrency an integer', () => {
		const options = readOptions({
			firstCheckAfter: -5,
			pollInterval: 0,
			maxWait: 0.2,
			concurrency: 2.7,
			downloadVideo: false,
			binaryPropertyName: '',
			includeRawResponse: true,
		});
		expect(options).toMatchObject({
			firstCheckAfter: 0,
			pollInterval: 0.1,
			maxWait: 1,
			concurrency: 2,
			downloadVideo: false,
			binaryPropertyName: 'data',
			includeRawResponse: true,
		});
		expect(readOptions({ pollInterval: 'abc' }).pollInterval).toBe(5);
		expect(readOptions({ pollInterval: 1.5 }).pollInterval).toBe(1.5);
	});
});

describe('videoFileName', () => {
	test('<provider>-<taskId>.mp4', () => {
		expect(videoFileName('wavespeed', 'pred_abc123')).toBe('wavespeed-pred_abc123.mp4');
		expect(videoFileName('kie', 'task-1.v2')).toBe('kie-task-1.v2.mp4');
	});

	test('path separators, spaces and other characters are replaced', () => {
		const name = videoFileName('rivya', '../etc/pass wd?x=1&y');
		expect(name).toBe('rivya-.._etc_pass_wd_x_1_y.mp4');
		expect(name).not.toMatch(/[/\\ ?&]/);
		expect(videoFileName('apixo', 'a\\b:c"d')).toBe('apixo-a_b_c_d.mp4');
	});
});
