// @ts-check
/**
 * Provider adapters against the documented shapes of PROVIDERS.md §1–§4 (fixtures in ./fixtures,
 * each with its § in `_source`). The requests are checked field by field, with types, because a
 * wrong name or a "5" where 5 is expected is silently ignored or refused by the real APIs.
 */
import { describe, expect, test } from '@jest/globals';
import { PNG_BYTES, dist, fixture, generation, i2v, thrown } from './helpers.mjs';

const { wavespeed, normalizeWaveSpeedPrediction } = dist('shared/providers/wavespeed');
const { apixo, normalizeApixoTask } = dist('shared/providers/apixo');
const { kie, normalizeKieTask } = dist('shared/providers/kie');
const { rivya, normalizeRivyaGeneration } = dist('shared/providers/rivya');
const { PROVIDERS } = dist('shared/providers/index');
const { ProviderError } = dist('shared/util/errors');
const { classifyRefusal } = dist('shared/engine/refusals');

const WS = fixture('wavespeed');
const AX = fixture('apixo');
const KIE = fixture('kie');
const RV = fixture('rivya');

/** The parts of a multipart body, as text (the file bytes are ASCII-safe in these tests). */
function multipartText(request) {
	expect(Buffer.isBuffer(request.body)).toBe(true);
	const type = request.headers['Content-Type'];
	const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)?.[1];
	expect(boundary).toBeTruthy();
	return { text: request.body.toString('latin1'), boundary };
}

function expectProviderError(error, kind, ...fragments) {
	expect(error).toBeInstanceOf(ProviderError);
	expect(error.kind).toBe(kind);
	for (const fragment of fragments) expect(error.message).toContain(fragment);
}

const UPLOAD_FILE = { data: PNG_BYTES, fileName: 'frame.png', mimeType: 'image/png' };

describe('registry', () => {
	test('every provider id maps to its adapter with the contract methods', () => {
		expect(Object.keys(PROVIDERS).sort()).toEqual([
			'apixo',
			'fal',
			'kie',
			'kling',
			'replicate',
			'rivya',
			'wavespeed',
		]);
		for (const [id, adapter] of Object.entries(PROVIDERS)) {
			expect(adapter.id).toBe(id);
			for (const method of [
				'buildSubmitRequest',
				'readSubmitResponse',
				'buildStatusRequest',
				'readStatusResponse',
				'refusalCode',
			]) {
				expect(typeof adapter[method]).toBe('function');
			}
		}
		// APIXO documents no files API (§2.5); the others have one (§1.9, §3.5, §4.3).
		expect(apixo.buildUploadRequest).toBeUndefined();
		expect(apixo.readUploadResponse).toBeUndefined();
		for (const adapter of [wavespeed, kie, rivya]) {
			expect(typeof adapter.buildUploadRequest).toBe('function');
			expect(typeof adapter.readUploadResponse).toBe('function');
		}
	});

	test('credential types and API path prefixes (DESIGN Contracts, §0)', () => {
		expect(wavespeed.credentialType).toBe('klingWaveSpeedApi');
		expect(apixo.credentialType).toBe('klingApixoApi');
		expect(kie.credentialType).toBe('klingKieApi');
		expect(rivya.credentialType).toBe('klingRivyaApi');
		expect(wavespeed.apiPathPrefix).toBe('/api/v3');
		expect(apixo.apiPathPrefix).toBe('/api/v1');
		expect(kie.apiPathPrefix).toBe('/api/v1');
		expect(rivya.apiPathPrefix).toBe('/api/v1');
	});

	test('typical generation time of Kling 2.5 Turbo Pro follows the seed advice (~30 s for 5 s, ~45 s for 10 s)', () => {
		const { CATALOG, typicalSeconds } = dist('shared/catalog/index');
		for (const catalog of Object.values(CATALOG)) {
			const turbo = catalog.entries.find((entry) => entry.kling === 'kling-2.5-turbo-pro');
			expect(typicalSeconds(turbo, 5)[0]).toBe(30);
			expect(typicalSeconds(turbo, 10)[0]).toBe(45);
		}
	});
});

// ---------------------------------------------------------------------------------------------
describe('WaveSpeed AI (§1)', () => {
	const T2V = 'kwaivgi/kling-v2.5-turbo-pro/text-to-video';
	const I2V = 'kwaivgi/kling-v2.5-turbo-pro/image-to-video';

	test('model ids are the URL paths after /api/v3/ (§1.2)', () => {
		const { CATALOG } = dist('shared/catalog/index');
		const entries = CATALOG.wavespeed.entries;
		const ids = entries.map((entry) => entry.id);
		expect(ids).toEqual(
			expect.arrayContaining([
				T2V,
				I2V,
				'kwaivgi/kling-v2.0-t2v-master',
				'kwaivgi/kling-v2.0-i2v-master',
				'kwaivgi/kling-v2.1-t2v-master',
				'kwaivgi/kling-v2.1-i2v-master',
				'kwaivgi/kling-v2.1-i2v-pro/start-end-frame',
			]),
		);
		const v20 = entries.find((e) => e.model === 'kling-v2.0-master' && e.mode === 'text-to-video');
		expect(v20.cfgScale).toBe(false); // seed 004: no guidance_scale in the table
		expect(wavespeed.imageMimeTypes).toEqual(['image/jpeg', 'image/png']); // jpg/jpeg/png only
	});

	test('t2v: POST /api/v3/{model-id}, integer duration, guidance_scale, no envelope', () => {
		const request = wavespeed.buildSubmitRequest(generation({ model: T2V }));
		expect(request.method).toBe('POST');
		expect(request.path).toBe(`/api/v3/${T2V}`);
		expect(request.qs).toBeUndefined();
		expect(request.body).toEqual({
			prompt: 'A red kite over the sea',
			negative_prompt: 'blur',
			aspect_ratio: '9:16',
			duration: 10,
			guidance_scale: 0.7,
		});
		expect(typeof request.body.duration).toBe('number');
		expect(request.body).not.toHaveProperty('cfg_scale');
	});

	test('t2v without optional fields sends only prompt and duration', () => {
		const request = wavespeed.buildSubmitRequest(
			generation({
				model: 'kwaivgi/kling-v2.0-t2v-master',
				negativePrompt: null,
				cfgScale: null,
				aspectRatio: '16:9',
				duration: 5,
			}),
		);
		expect(request.body).toEqual({
			prompt: 'A red kite over the sea',
			aspect_ratio: '16:9',
			duration: 5,
		});
	});

	test('guidance 0 is sent (0 is a value, not "unset")', () => {
		const request = wavespeed.buildSubmitRequest(generation({ model: T2V, cfgScale: 0 }));
		expect(request.body.guidance_scale).toBe(0);
	});

	test('i2v 2.5 turbo: image + last_image (newer docs, §1.2)', () => {
		const request = wavespeed.buildSubmitRequest(
			i2v({ model: I2V, endImageUrl: 'https://img.example.com/end.png' }),
		);
		expect(request.path).toBe(`/api/v3/${I2V}`);
		expect(request.body).toEqual({
			prompt: 'A red kite over the sea',
			negative_prompt: 'blur',
			duration: 10,
			guidance_scale: 0.7,
			image: 'https://img.example.com/start.png',
			last_image: 'https://img.example.com/end.png',
		});
		expect(request.body).not.toHaveProperty('aspect_ratio');
		expect(request.body).not.toHaveProperty('end_image');
	});

	test.each([['kwaivgi/kling-v2.0-i2v-master'], ['kwaivgi/kling-v2.1-i2v-pro/start-end-frame']])(
		'i2v %s: end frame goes in end_image (§1.2)',
		(model) => {
			const request = wavespeed.buildSubmitRequest(
				i2v({ model, endImageUrl: 'https://img.example.com/end.png' }),
			);
			expect(request.path).toBe(`/api/v3/${model}`);
			expect(request.body.image).toBe('https://img.example.com/start.png');
			expect(request.body.end_image).toBe('https://img.example.com/end.png');
			expect(request.body).not.toHaveProperty('last_image');
		},
	);

	test('i2v without end frame sends neither end field', () => {
		const request = wavespeed.buildSubmitRequest(i2v({ model: I2V }));
		expect(request.body).not.toHaveProperty('last_image');
		expect(request.body).not.toHaveProperty('end_image');
	});

	test('callback goes in the ?webhook= query parameter, not the body (§1.7)', () => {
		const hook = 'https://n8n.example.com/webhook/abc?token=t&c_order=42';
		const request = wavespeed.buildSubmitRequest(generation({ model: T2V, callbackUrl: hook }));
		expect(request.qs).toEqual({ webhook: hook });
		expect(request.body).not.toHaveProperty('webhook');
		expect(request.body).not.toHaveProperty('webhook_url');
	});

	test('additional fields are merged last and may override mapped fields', () => {
		const request = wavespeed.buildSubmitRequest(
			generation({ model: T2V, additionalFields: { duration: 15, enable_safety_checker: true } }),
		);
		expect(request.body.duration).toBe(15);
		expect(request.body.enable_safety_checker).toBe(true);
	});

	test('readSubmitResponse returns data.id (§1.3)', () => {
		expect(wavespeed.readSubmitResponse(WS.submit.http, WS.submit.body)).toBe('pred_abc123');
	});

	test('status request: GET /api/v3/predictions/{id}/result, id encoded (§1.4)', () => {
		const task = { taskId: 'pred_abc123', model: T2V, mode: 'text-to-video' };
		expect(wavespeed.buildStatusRequest(task)).toEqual({
			method: 'GET',
			path: '/api/v3/predictions/pred_abc123/result',
		});
		const odd = wavespeed.buildStatusRequest({ ...task, taskId: 'a/b c' });
		expect(odd.path).toBe('/api/v3/predictions/a%2Fb%20c/result');
	});

	const TASK = { taskId: 'pred_abc123', model: T2V, mode: 'text-to-video' };
	const read = (fx) => wavespeed.readStatusResponse(fx.http, fx.body, TASK);

	test('created → queued, processing → processing, no URLs or error', () => {
		const created = read(WS.status.created);
		expect(created).toMatchObject({
			taskId: 'pred_abc123',
			status: 'queued',
			videoUrls: [],
			error: null,
		});
		expect(created.model).toBe(T2V);
		expect(created.createdAt).toBe('2025-09-25T10:25:28.123Z');
		expect(read(WS.status.processing).status).toBe('processing');
	});

	test('completed → succeeded with the outputs strings and inference ms', () => {
		const snap = read(WS.status.completed);
		expect(snap.status).toBe('succeeded');
		expect(snap.videoUrls).toEqual([
			'https://d1q70pf5vjeyhc.cloudfront.net/predictions/pred_abc123/1.mp4',
		]);
		expect(snap.error).toBeNull();
		expect(snap.providerGenerationMs).toBe(41230);
		expect(snap.credits).toBeNull();
	});

	test('completed with {url} outputs → the urls (§1.4 "Object-valued outputs are real")', () => {
		const snap = read(WS.status.completedObjectOutputs);
		expect(snap.videoUrls).toEqual([
			'https://cdn.wavespeed.ai/pred_obj456/a.mp4',
			'https://cdn.wavespeed.ai/pred_obj456/b.mp4',
		]);
	});

	test('failed → failed with the numeric task code as a string and the error text (§1.5)', () => {
		const snap = read(WS.status.failed);
		expect(snap.status).toBe('failed');
		expect(snap.error).toEqual({
			code: '1402',
			message: 'Failed to download image from the provided URL.',
		});
		expect(snap.videoUrls).toEqual([]);
	});

	test.each(['cancelled', 'timeout', 'deleted'])(
		'%s → failed with that word as error.code (DESIGN Contracts)',
		(word) => {
			const snap = read(WS.status[word]);
			expect(snap.status).toBe('failed');
			expect(snap.error.code).toBe(word);
			expect(snap.error.message).toContain(word);
		},
	);

	test('the bare webhook prediction normalizes without an envelope (§1.7)', () => {
		const snap = normalizeWaveSpeedPrediction(WS.webhookCompleted.body);
		expect(snap).toMatchObject({
			taskId: '45b392b22c3b449fa935bd4dc',
			model: 'kwaivgi/kling-v2.5-turbo-pro/text-to-video',
			status: 'succeeded',
			videoUrls: [
				'https://d1q70pf5vjeyhc.cloudfront.net/predictions/45b392b22c3b449fa935bd4dc/1.mp4',
			],
			error: null,
			createdAt: '2025-09-25T11:05:28.000Z',
		});
		// timings.inference is preferred to executionTime
		expect(snap.providerGenerationMs).toBe(37500);
		const failed = normalizeWaveSpeedPrediction(WS.webhookFailed.body);
		expect(failed.status).toBe('failed');
		expect(failed.error).toEqual({ code: '1200', message: 'Content moderation failed' });
	});

	test('the webhook body is not an envelope: giving the envelope to the normalizer is an error', () => {
		const error = thrown(() => normalizeWaveSpeedPrediction(WS.status.completed.body));
		expectProviderError(error, 'unexpected', 'WaveSpeed AI');
	});

	test('HTTP 401 {code,message} → auth with the provider message', () => {
		const error = thrown(() => wavespeed.readSubmitResponse(WS.error401.http, WS.error401.body));
		expectProviderError(error, 'auth', 'WaveSpeed AI', 'HTTP 401', 'Unauthorized: invalid API key');
		expect(error.httpStatus).toBe(401);
	});

	test('HTTP 400 {error} (base64 + webhook) → validation with the provider message (§1.6)', () => {
		const error = thrown(() =>
			wavespeed.readSubmitResponse(WS.error400Base64Webhook.http, WS.error400Base64Webhook.body),
		);
		expectProviderError(error, 'validation', 'webhook callback does not support base64 output');
	});

	test('HTTP 200 with an envelope code other than 200 is an error of that code (§1.3)', () => {
		const error = thrown(() =>
			wavespeed.readStatusResponse(200, { code: 500, message: 'internal error', data: null }, TASK),
		);
		expectProviderError(error, 'server', 'HTTP 500', 'internal error');
		expect(error.httpStatus).toBe(500);
	});

	test.each([
		[402, 'credits'],
		[404, 'notFound'],
		[429, 'rateLimit'],
		[500, 'server'],
		[502, 'server'],
		[503, 'unavailable'],
	])('HTTP %i → %s', (status, kind) => {
		const error = thrown(() =>
			wavespeed.readStatusResponse(
				status,
				{ code: status, message: `provider says ${status}` },
				TASK,
			),
		);
		expectProviderError(error, kind, `provider says ${status}`);
	});

	test('a 502 HTML page from a proxy still maps to server (retried)', () => {
		const error = thrown(() =>
			wavespeed.readStatusResponse(502, '<html><body>Bad Gateway</body></html>', TASK),
		);
		expectProviderError(error, 'server', 'HTTP 502');
	});

	test('refusals: 429 is a rate limit, 402 no credit; other answers are not refusals (the SDK never retries a submit, §1.4)', () => {
		expect(classifyRefusal(wavespeed, 429, { code: 429, message: 'Too many requests' })).toBe(
			'rate_limited',
		);
		expect(classifyRefusal(wavespeed, 402, { code: 402, message: 'Insufficient balance' })).toBe(
			'insufficient_credits',
		);
		expect(classifyRefusal(wavespeed, 500, { code: 500, message: 'x' })).toBeNull();
		expect(classifyRefusal(wavespeed, 502, '<html>')).toBeNull();
		expect(classifyRefusal(wavespeed, 400, WS.error400Base64Webhook.body)).toBeNull();
	});

	test('upload: multipart POST /api/v3/media/upload/binary, field "file" with the bytes (§1.9)', () => {
		const request = wavespeed.buildUploadRequest(UPLOAD_FILE, I2V);
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/v3/media/upload/binary');
		expect(request.uploadHost).toBe(false);
		const { text, boundary } = multipartText(request);
		expect(text).toContain(
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="frame.png"\r\nContent-Type: image/png\r\n\r\n`,
		);
		expect(request.body.includes(PNG_BYTES)).toBe(true);
		expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
	});

	test('upload answer: data.download_url (§1.9)', () => {
		expect(wavespeed.readUploadResponse(WS.upload.http, WS.upload.body)).toBe(
			'https://d1q70pf5vjeyhc.cloudfront.net/media/images/frame.png',
		);
		const error = thrown(() => wavespeed.readUploadResponse(401, WS.error401.body));
		expectProviderError(error, 'auth', 'Unauthorized: invalid API key');
	});
});

// ---------------------------------------------------------------------------------------------
describe('APIXO (§2)', () => {
	const MODEL = 'kling-2-5-turbo-pro';

	test('t2v: POST /api/v1/generateTask/{model}, request_type async, integer duration in input', () => {
		const request = apixo.buildSubmitRequest(generation({ model: MODEL }));
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/v1/generateTask/kling-2-5-turbo-pro');
		expect(request.qs).toBeUndefined();
		expect(request.body).toEqual({
			request_type: 'async',
			input: {
				mode: 'text-to-video',
				prompt: 'A red kite over the sea',
				duration: 10,
				aspect_ratio: '9:16',
				negative_prompt: 'blur',
				cfg_scale: 0.7,
			},
		});
		expect(typeof request.body.input.duration).toBe('number');
		expect(request.body).not.toHaveProperty('callback_url');
	});

	test('i2v: image_urls = [start, end] in that order, mode image-to-video, no aspect_ratio', () => {
		const request = apixo.buildSubmitRequest(
			i2v({ model: MODEL, endImageUrl: 'https://img.example.com/end.png' }),
		);
		expect(request.body.input.mode).toBe('image-to-video');
		expect(request.body.input.image_urls).toEqual([
			'https://img.example.com/start.png',
			'https://img.example.com/end.png',
		]);
		expect(request.body.input).not.toHaveProperty('aspect_ratio');
		expect(request.body.input).not.toHaveProperty('image_url');
		const single = apixo.buildSubmitRequest(i2v({ model: MODEL }));
		expect(single.body.input.image_urls).toEqual(['https://img.example.com/start.png']);
	});

	test('callback: request_type "callback" + top-level callback_url (§2.2)', () => {
		const hook = 'https://n8n.example.com/webhook/abc?token=t';
		const request = apixo.buildSubmitRequest(generation({ model: MODEL, callbackUrl: hook }));
		expect(request.body.request_type).toBe('callback');
		expect(request.body.callback_url).toBe(hook);
		expect(request.body.input).not.toHaveProperty('callback_url');
		expect(request.body).not.toHaveProperty('webhook');
		expect(request.qs).toBeUndefined();
	});

	test('additional fields are merged into input, last', () => {
		const request = apixo.buildSubmitRequest(
			generation({ model: MODEL, additionalFields: { cfg_scale: 0.2, extra: 'x' } }),
		);
		expect(request.body.input.cfg_scale).toBe(0.2);
		expect(request.body.input.extra).toBe('x');
		expect(request.body.request_type).toBe('async');
	});

	test('readSubmitResponse returns data.taskId (§2.2)', () => {
		expect(apixo.readSubmitResponse(AX.submit.http, AX.submit.body)).toBe('task_12345678');
	});

	test('status request: model in the path, taskId as query parameter (§2.3)', () => {
		expect(
			apixo.buildStatusRequest({
				taskId: 'task_abc123xyz789',
				model: MODEL,
				mode: 'text-to-video',
			}),
		).toEqual({
			method: 'GET',
			path: '/api/v1/statusTask/kling-2-5-turbo-pro',
			qs: { taskId: 'task_abc123xyz789' },
		});
	});

	const TASK = { taskId: 'task_abc123xyz789', model: MODEL, mode: 'text-to-video' };
	const read = (fx) => apixo.readStatusResponse(fx.http, fx.body, TASK);

	test('pending → queued, processing → processing; createTime (ms) → ISO', () => {
		const pending = read(AX.status.pending);
		expect(pending).toMatchObject({
			taskId: 'task_abc123xyz789',
			model: MODEL,
			status: 'queued',
			videoUrls: [],
			error: null,
			createdAt: '2024-01-01T00:00:00.000Z',
			completedAt: null,
		});
		expect(read(AX.status.processing).status).toBe('processing');
	});

	test('success → succeeded with resultJson.resultUrls parsed from the string, costTime in ms', () => {
		const snap = read(AX.status.success);
		expect(snap.status).toBe('succeeded');
		expect(snap.videoUrls).toEqual(['https://cdn.apixo.ai/results/task_abc123xyz789.mp4']);
		expect(snap.completedAt).toBe('2024-01-01T00:00:45.000Z');
		expect(snap.providerGenerationMs).toBe(45000);
		expect(snap.error).toBeNull();
	});

	test('failed → failed with failCode/failMsg', () => {
		const snap = read(AX.status.failed);
		expect(snap.status).toBe('failed');
		expect(snap.error).toEqual({
			code: 'CONTENT_VIOLATION',
			message: 'Content violates usage policy',
		});
		expect(snap.videoUrls).toEqual([]);
	});

	test('callback bodies: normalizeApixoTask reads body.data (§2.4)', () => {
		const ok = normalizeApixoTask(AX.callbackSuccess.body.data, MODEL);
		expect(ok).toMatchObject({
			taskId: 'task_cb_1',
			model: MODEL,
			status: 'succeeded',
			videoUrls: ['https://cdn.apixo.ai/results/task_cb_1.mp4'],
			createdAt: '2024-01-01T00:00:00.000Z',
			completedAt: '2024-01-01T00:00:41.000Z',
			providerGenerationMs: 41000,
		});
		const failed = normalizeApixoTask(AX.callbackFailed.body.data, null);
		expect(failed.status).toBe('failed');
		expect(failed.model).toBeNull();
		expect(failed.error).toEqual({
			code: 'CONTENT_VIOLATION',
			message: 'Content violates usage policy',
		});
	});

	test('400 → validation carrying both message and data.error (§2.5)', () => {
		const error = thrown(() => apixo.readSubmitResponse(AX.error400.http, AX.error400.body));
		expectProviderError(
			error,
			'validation',
			'APIXO',
			'Invalid request',
			'Missing required field: input.prompt',
		);
		expect(error.httpStatus).toBe(400);
	});

	test('401 → auth with "Invalid or missing API key" (§2.1)', () => {
		const error = thrown(() => apixo.readStatusResponse(AX.error401.http, AX.error401.body, TASK));
		expectProviderError(error, 'auth', 'Invalid or missing API key');
	});

	test.each([
		[402, 'credits'],
		[403, 'auth'],
		[404, 'notFound'],
		[429, 'rateLimit'],
		[500, 'server'],
		[503, 'unavailable'],
	])('HTTP %i → %s (§2.5)', (status, kind) => {
		const error = thrown(() =>
			apixo.readStatusResponse(status, { code: status, message: `apixo says ${status}` }, TASK),
		);
		expectProviderError(error, kind, `apixo says ${status}`);
	});

	test('HTTP 200 with body code 402 is a credits error', () => {
		const error = thrown(() =>
			apixo.readSubmitResponse(200, { code: 402, message: 'Insufficient balance' }),
		);
		expectProviderError(error, 'credits', 'Insufficient balance');
	});

	test('refusals: 429 rate limit, 402 no credit; 500 and 400 are not refusals', () => {
		expect(classifyRefusal(apixo, 429, { code: 429, message: 'Rate limit' })).toBe('rate_limited');
		expect(classifyRefusal(apixo, 402, { code: 402, message: 'Insufficient balance' })).toBe(
			'insufficient_credits',
		);
		expect(classifyRefusal(apixo, 500, { code: 500, message: 'x' })).toBeNull();
		expect(classifyRefusal(apixo, 400, AX.error400.body)).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------------
describe('Kie.ai (§3)', () => {
	const T2V = 'kling/v2-5-turbo-text-to-video-pro';
	const I2V = 'kling/v2-5-turbo-image-to-video-pro';

	test('model ids and i2v negative prompt limit 2496 (§3.2)', () => {
		const { CATALOG } = dist('shared/catalog/index');
		const turbo = CATALOG.kie.entries.filter((entry) => entry.model === 'kling-v2.5-turbo-pro');
		const t2v = turbo.find((entry) => entry.mode === 'text-to-video');
		const i2v = turbo.find((entry) => entry.mode === 'image-to-video');
		expect(t2v.id).toBe(T2V);
		expect(i2v.id).toBe(I2V);
		expect(i2v.negativePromptMaxLength).toBe(2496);
		expect(t2v.negativePromptMaxLength).toBeUndefined(); // Kling's 2500
	});

	test('t2v: POST /api/v1/jobs/createTask {model, input}, duration as a STRING', () => {
		const request = kie.buildSubmitRequest(generation({ model: T2V }));
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/v1/jobs/createTask');
		expect(request.body).toEqual({
			model: T2V,
			input: {
				prompt: 'A red kite over the sea',
				duration: '10',
				aspect_ratio: '9:16',
				negative_prompt: 'blur',
				cfg_scale: 0.7,
			},
		});
		expect(typeof request.body.input.duration).toBe('string');
		expect(request.body).not.toHaveProperty('callBackUrl');
	});

	test('i2v: image_url + tail_image_url, no aspect_ratio (§3.2)', () => {
		const request = kie.buildSubmitRequest(
			i2v({ model: I2V, duration: 5, endImageUrl: 'https://img.example.com/end.png' }),
		);
		expect(request.body.model).toBe(I2V);
		expect(request.body.input).toEqual({
			prompt: 'A red kite over the sea',
			duration: '5',
			negative_prompt: 'blur',
			cfg_scale: 0.7,
			image_url: 'https://img.example.com/start.png',
			tail_image_url: 'https://img.example.com/end.png',
		});
		expect(request.body.input).not.toHaveProperty('image_urls');
	});

	test('callback: top-level callBackUrl (camel case with capital B) (§3.2)', () => {
		const hook = 'https://n8n.example.com/webhook/abc?token=t';
		const request = kie.buildSubmitRequest(generation({ model: T2V, callbackUrl: hook }));
		expect(request.body.callBackUrl).toBe(hook);
		expect(request.body).not.toHaveProperty('callbackUrl');
		expect(request.body).not.toHaveProperty('callback_url');
		expect(request.body.input).not.toHaveProperty('callBackUrl');
	});

	test('additional fields are merged into input last', () => {
		const request = kie.buildSubmitRequest(
			generation({ model: T2V, additionalFields: { duration: '15', watermark: false } }),
		);
		expect(request.body.input.duration).toBe('15');
		expect(request.body.input.watermark).toBe(false);
		expect(request.body.model).toBe(T2V);
	});

	test('readSubmitResponse: data.taskId from a {code,msg,data} answer (§3.2)', () => {
		expect(kie.readSubmitResponse(KIE.submit.http, KIE.submit.body)).toBe(
			'task_kling_1765184398475',
		);
	});

	test('status request: GET /api/v1/jobs/recordInfo?taskId= (§3.3)', () => {
		expect(kie.buildStatusRequest({ taskId: 'task_1', model: T2V, mode: 'text-to-video' })).toEqual(
			{
				method: 'GET',
				path: '/api/v1/jobs/recordInfo',
				qs: { taskId: 'task_1' },
			},
		);
	});

	const TASK = { taskId: 'task_kling_1765184398475', model: T2V, mode: 'text-to-video' };
	const read = (fx) => kie.readStatusResponse(fx.http, fx.body, TASK);

	test.each([
		['waiting', 'queued'],
		['queuing', 'queued'],
		['generating', 'processing'],
		['success', 'succeeded'],
		['fail', 'failed'],
	])('state %s → %s (§3.3)', (state, status) => {
		const snap = read(KIE.record[state]);
		expect(snap.status).toBe(status);
		expect(snap.taskId).toBe('task_kling_1765184398475');
		expect(snap.model).toBe(T2V);
		expect(snap.createdAt).toBe('2025-12-08T08:59:58.475Z');
	});

	test('non-terminal records: no URLs, no error, no credits, no completedAt', () => {
		for (const state of ['waiting', 'queuing', 'generating']) {
			const snap = read(KIE.record[state]);
			expect(snap.videoUrls).toEqual([]);
			expect(snap.error).toBeNull();
			expect(snap.credits).toBeNull();
			expect(snap.completedAt).toBeNull();
		}
	});

	test('success: resultJson string parsed; completeTime → ISO', () => {
		const snap = read(KIE.record.success);
		expect(snap.videoUrls).toEqual([
			'https://tempfile.aiquickdraw.com/kling/task_kling_1765184398475.mp4',
		]);
		expect(snap.completedAt).toBe('2025-12-08T09:00:43.475Z');
	});

	test('fail: error {code: failCode, message: failMsg}', () => {
		expect(read(KIE.record.fail).error).toEqual({
			code: '422',
			message: 'The prompt violates content policy',
		});
	});

	test('callback success: body.data read; consumeCredits → credits; costTime seconds → ms (§3.4)', () => {
		const snap = normalizeKieTask(KIE.callbackSuccess.body.data);
		expect(snap).toMatchObject({
			taskId: 'e989621f54392584b05867f87b160672',
			model: 'kling/v2-5-turbo-text-to-video-pro',
			status: 'succeeded',
			videoUrls: ['https://tempfile.aiquickdraw.com/kling/e989621f.mp4'],
			error: null,
			createdAt: '2025-08-19T10:33:54.000Z',
			completedAt: '2025-08-19T10:34:04.000Z',
			credits: 100,
			providerGenerationMs: 8000,
		});
	});

	test('callback failure (body code 501): state fail with failCode/failMsg, credits 0', () => {
		const snap = normalizeKieTask(KIE.callbackFailure.body.data);
		expect(snap.status).toBe('failed');
		expect(snap.error).toEqual({ code: '500', message: 'Internal server error' });
		expect(snap.credits).toBe(0);
		expect(snap.taskId).toBe('e989621f54392584b05867f87b160673');
	});

	test('callback with data.task_id (snake case, docs example) is read (§3.4)', () => {
		const snap = normalizeKieTask(KIE.callbackSnakeCaseTaskId.body.data);
		expect(snap.taskId).toBe('snake_case_task_1');
		expect(snap.status).toBe('succeeded');
	});

	test('numeric failCode and string epoch times are accepted', () => {
		const snap = normalizeKieTask({
			taskId: 't1',
			state: 'fail',
			failCode: 501,
			failMsg: 'Generation failed',
			createTime: '1755599634000',
		});
		expect(snap.error).toEqual({ code: '501', message: 'Generation failed' });
		expect(snap.createdAt).toBe('2025-08-19T10:33:54.000Z');
	});

	test.each([
		['401', 'auth', 'You do not have access permissions'],
		['402', 'credits', 'Credits insufficient'],
		['404', 'notFound', 'Task not found'],
		['422', 'validation', 'input.duration must be one of 5, 10'],
		['429', 'rateLimit', 'Rate limited'],
		['455', 'unavailable', 'Service unavailable: maintenance'],
		['500', 'server', 'Server error'],
		['501', 'server', 'Generation failed'],
	])('HTTP 200 + body code %s → %s with the msg (§3.2)', (code, kind, msg) => {
		const fx = KIE.bodyErrors[code];
		const error = thrown(() => kie.readSubmitResponse(fx.http, fx.body));
		expectProviderError(error, kind, 'Kie.ai', `HTTP ${code}`, msg);
		expect(error.httpStatus).toBe(Number(code));
	});

	test('real HTTP error status with a {code,msg} body', () => {
		const error = thrown(() =>
			kie.readStatusResponse(401, { code: 401, msg: 'You do not have access permissions' }, TASK),
		);
		expectProviderError(error, 'auth', 'You do not have access permissions');
	});

	test('recordInfo errors carry "message" instead of "msg" and are still quoted', () => {
		const error = thrown(() =>
			kie.readStatusResponse(200, { code: 404, message: 'recordInfo is null' }, TASK),
		);
		expectProviderError(error, 'notFound', 'recordInfo is null');
	});

	test('refusals: body or HTTP 429 rate limit, 455 maintenance, 402 no credit; 500/501/422 are not (§3.2)', () => {
		expect(classifyRefusal(kie, 200, KIE.bodyErrors['429'].body)).toBe('rate_limited');
		expect(classifyRefusal(kie, 200, KIE.bodyErrors['455'].body)).toBe('maintenance');
		expect(classifyRefusal(kie, 429, '<html>Too Many Requests</html>')).toBe('rate_limited');
		expect(classifyRefusal(kie, 455, { code: 455, msg: 'maintenance' })).toBe('maintenance');
		expect(classifyRefusal(kie, 200, { code: 402, msg: 'Credits insufficient' })).toBe(
			'insufficient_credits',
		);
		expect(classifyRefusal(kie, 200, KIE.bodyErrors['500'].body)).toBeNull();
		expect(classifyRefusal(kie, 200, KIE.bodyErrors['501'].body)).toBeNull();
		expect(classifyRefusal(kie, 500, { code: 500, msg: 'Server error' })).toBeNull();
		expect(classifyRefusal(kie, 200, KIE.bodyErrors['422'].body)).toBeNull();
	});

	test('upload: multipart to the upload host /api/file-stream-upload with file, uploadPath, fileName (§3.5)', () => {
		const request = kie.buildUploadRequest(UPLOAD_FILE, I2V);
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/file-stream-upload');
		expect(request.uploadHost).toBe(true);
		const { text, boundary } = multipartText(request);
		expect(text).toContain(
			`--${boundary}\r\nContent-Disposition: form-data; name="uploadPath"\r\n\r\nn8n-kling-video\r\n`,
		);
		expect(text).toContain(
			`--${boundary}\r\nContent-Disposition: form-data; name="fileName"\r\n\r\nframe.png\r\n`,
		);
		expect(text).toContain('name="file"; filename="frame.png"\r\nContent-Type: image/png\r\n\r\n');
		expect(request.body.includes(PNG_BYTES)).toBe(true);
	});

	test('upload answer: data.downloadUrl, falling back to data.fileUrl (§3.5)', () => {
		expect(kie.readUploadResponse(KIE.upload.http, KIE.upload.body)).toBe(
			'https://tempfile.redpandaai.co/n8n-kling-video/frame.png',
		);
		expect(kie.readUploadResponse(KIE.uploadFileUrlOnly.http, KIE.uploadFileUrlOnly.body)).toBe(
			'https://tempfile.redpandaai.co/n8n-kling-video/f_1.png',
		);
		const error = thrown(() =>
			kie.readUploadResponse(200, { success: true, code: 200, msg: 'ok', data: { fileName: 'x' } }),
		);
		expectProviderError(error, 'unexpected', 'Kie.ai', 'without a file URL');
	});
});

// ---------------------------------------------------------------------------------------------
describe('Rivya AI (§4)', () => {
	const MODEL = 'kling-v2-5-turbo-pro';

	test('t2v: POST /api/v1/generations {model, prompt, params}; duration string; Idempotency-Key header', () => {
		const request = rivya.buildSubmitRequest(
			generation({ model: MODEL, idempotencyKey: 'n8n-kling-abc' }),
		);
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/v1/generations');
		expect(request.headers).toEqual({ 'Idempotency-Key': 'n8n-kling-abc' });
		expect(request.body).toEqual({
			model: MODEL,
			prompt: 'A red kite over the sea',
			params: { duration: '10', aspect_ratio: '9:16', negative_prompt: 'blur', cfg_scale: 0.7 },
		});
		expect(typeof request.body.params.duration).toBe('string');
		// client_request_id is not an idempotency key (§4.1), and there is no top-level files field
		expect(request.body).not.toHaveProperty('files');
		expect(request.body.params).not.toHaveProperty('referenceMediaItems');
	});

	test('no idempotency key → no Idempotency-Key header', () => {
		const request = rivya.buildSubmitRequest(generation({ model: MODEL }));
		expect(request.headers?.['Idempotency-Key']).toBeUndefined();
	});

	test('i2v: referenceMediaItems [{url, kind:"image"}] start then end (§4.1)', () => {
		const request = rivya.buildSubmitRequest(
			i2v({ model: MODEL, duration: 5, endImageUrl: 'https://img.example.com/end.png' }),
		);
		expect(request.body.params).toEqual({
			duration: '5',
			negative_prompt: 'blur',
			cfg_scale: 0.7,
			referenceMediaItems: [
				{ url: 'https://img.example.com/start.png', kind: 'image' },
				{ url: 'https://img.example.com/end.png', kind: 'image' },
			],
		});
		const single = rivya.buildSubmitRequest(i2v({ model: MODEL }));
		expect(single.body.params.referenceMediaItems).toEqual([
			{ url: 'https://img.example.com/start.png', kind: 'image' },
		]);
	});

	test('additional fields are merged into params last', () => {
		const request = rivya.buildSubmitRequest(
			generation({ model: MODEL, additionalFields: { aspect_ratio: '1:1', seed: 7 } }),
		);
		expect(request.body.params.aspect_ratio).toBe('1:1');
		expect(request.body.params.seed).toBe(7);
	});

	test('a per-task callback URL is refused: webhooks are account-level (§4.5)', () => {
		const error = thrown(() =>
			rivya.buildSubmitRequest(
				generation({ model: MODEL, callbackUrl: 'https://n8n.example.com/hook' }),
			),
		);
		expectProviderError(error, 'validation', 'Rivya AI', 'Callback URL');
	});

	test('readSubmitResponse: the bare object id (no data envelope) (§4.1)', () => {
		expect(rivya.readSubmitResponse(RV.create.http, RV.create.body)).toBe(
			'task_kling_v2_5_turbo_pro_example',
		);
	});

	test('status request: GET /api/v1/generations/{id} (encoded) (§4.2)', () => {
		expect(
			rivya.buildStatusRequest({ taskId: 'task_1', model: MODEL, mode: 'text-to-video' }),
		).toEqual({
			method: 'GET',
			path: '/api/v1/generations/task_1',
		});
		expect(
			rivya.buildStatusRequest({ taskId: 'a/b', model: MODEL, mode: 'text-to-video' }).path,
		).toBe('/api/v1/generations/a%2Fb');
	});

	const TASK = { taskId: 'task_kling_v2_5_turbo_pro_example', model: MODEL, mode: 'text-to-video' };
	const read = (fx) => rivya.readStatusResponse(fx.http, fx.body, TASK);

	test('queued/processing: statuses as is; credits and completedAt null while running (§4.4)', () => {
		for (const word of ['queued', 'processing']) {
			const snap = read(RV.status[word]);
			expect(snap.status).toBe(word);
			expect(snap.credits).toBeNull();
			expect(snap.completedAt).toBeNull();
			expect(snap.videoUrls).toEqual([]);
			expect(snap.createdAt).toBe('2026-05-11T10:00:00.000Z');
		}
	});

	test('succeeded: result.urls, final_credits, updated_at as completedAt', () => {
		const snap = read(RV.status.succeeded);
		expect(snap).toMatchObject({
			taskId: 'task_kling_v2_5_turbo_pro_example',
			model: MODEL,
			status: 'succeeded',
			videoUrls: [
				'https://cdn.rivya.ai/generations/a.mp4',
				'https://cdn.rivya.ai/generations/b.mp4',
			],
			error: null,
			completedAt: '2026-05-11T10:00:44.000Z',
			credits: 42,
		});
	});

	test('succeeded with only result.primary_url', () => {
		expect(read(RV.status.succeededPrimaryOnly).videoUrls).toEqual([
			'https://cdn.rivya.ai/generations/only.mp4',
		]);
	});

	test('failed with an error object and with an error string', () => {
		const obj = read(RV.status.failedErrorObject);
		expect(obj.status).toBe('failed');
		expect(obj.error).toEqual({
			code: 'content_policy',
			message: 'The prompt was rejected by moderation',
		});
		expect(obj.credits).toBe(0);
		const str = read(RV.status.failedErrorString);
		expect(str.error).toEqual({ code: 'failed', message: 'Upstream generation failed' });
	});

	test('normalizeRivyaGeneration reads a webhook generation object (same serializer, §4.5)', () => {
		const snap = normalizeRivyaGeneration(RV.status.succeeded.body);
		expect(snap.status).toBe('succeeded');
		expect(snap.videoUrls[0]).toBe('https://cdn.rivya.ai/generations/a.mp4');
	});

	test.each(Object.entries(RV.errors).filter(([key]) => key !== '_source'))(
		'error envelope %s → its kind, with code, message and requestId in the text (§4.6)',
		(code, fx) => {
			const error = thrown(() => rivya.readStatusResponse(fx.http, fx.body, TASK));
			expectProviderError(
				error,
				fx.kind,
				'Rivya AI',
				code,
				fx.body.error.message,
				fx.body.error.requestId,
			);
			expect(error.providerCode).toBe(code);
			expect(error.httpStatus).toBe(fx.http);
		},
	);

	test('insufficient_credits maps to credits whatever the HTTP status (§4.6 status unknown)', () => {
		const body = RV.errors.insufficient_credits.body;
		for (const status of [400, 402, 403]) {
			expect(thrown(() => rivya.readSubmitResponse(status, body)).kind).toBe('credits');
		}
	});

	test('unknown error code on a 5xx → server', () => {
		const error = thrown(() =>
			rivya.readStatusResponse(500, { error: { code: 'internal_error', message: 'boom' } }, TASK),
		);
		expectProviderError(error, 'server', 'internal_error', 'boom');
	});

	test('refusals: public_api_disabled maintenance, rate_limited, insufficient_credits; 500/409/400 are not (§4.6)', () => {
		expect(classifyRefusal(rivya, 503, RV.errors.public_api_disabled.body)).toBe('maintenance');
		expect(classifyRefusal(rivya, 429, RV.errors.rate_limited.body)).toBe('rate_limited');
		expect(classifyRefusal(rivya, 429, 'Too Many Requests')).toBe('rate_limited');
		expect(
			classifyRefusal(rivya, 402, { error: { code: 'insufficient_credits', message: 'x' } }),
		).toBe('insufficient_credits');
		expect(
			classifyRefusal(rivya, 500, { error: { code: 'internal_error', message: 'x' } }),
		).toBeNull();
		expect(classifyRefusal(rivya, 409, RV.errors.idempotency_conflict.body)).toBeNull();
		expect(classifyRefusal(rivya, 400, RV.errors.validation_failed.body)).toBeNull();
	});

	test('upload: multipart POST /api/v1/files with file, kind=image and model (§4.3)', () => {
		const request = rivya.buildUploadRequest(UPLOAD_FILE, MODEL);
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/v1/files');
		expect(request.uploadHost).toBe(false);
		const { text, boundary } = multipartText(request);
		expect(text).toContain(
			`--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nimage\r\n`,
		);
		expect(text).toContain(
			`--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${MODEL}\r\n`,
		);
		expect(text).toContain('name="file"; filename="frame.png"\r\nContent-Type: image/png\r\n\r\n');
		expect(request.body.includes(PNG_BYTES)).toBe(true);
	});

	test('upload answer: url (§4.3); an error envelope maps like the other calls', () => {
		expect(rivya.readUploadResponse(RV.file.http, RV.file.body)).toBe(
			'https://cdn.rivya.ai/files/file_01.png',
		);
		const error = thrown(() => rivya.readUploadResponse(401, RV.errors.api_key_invalid.body));
		expectProviderError(error, 'auth', 'api_key_invalid');
	});
});

// ---------------------------------------------------------------------------------------------
describe('error answers without the provider envelope (proxy/CDN pages)', () => {
	const gateway = '<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>';
	const tasks = {
		wavespeed: {
			taskId: 'p1',
			model: 'kwaivgi/kling-v2.5-turbo-pro/text-to-video',
			mode: 'text-to-video',
		},
		apixo: { taskId: 't1', model: 'kling-2-5-turbo-pro', mode: 'text-to-video' },
		kie: { taskId: 't1', model: 'kling/v2-5-turbo-text-to-video-pro', mode: 'text-to-video' },
	};

	test.each(Object.entries(tasks))('%s: HTML 502 → server, plain 429 → rateLimit', (id, task) => {
		const adapter = PROVIDERS[id];
		expect(thrown(() => adapter.readStatusResponse(502, gateway, task)).kind).toBe('server');
		expect(thrown(() => adapter.readStatusResponse(429, 'Too Many Requests', task)).kind).toBe(
			'rateLimit',
		);
	});

	// BUG (nodes/shared/providers/rivya.ts readBody, line 160; PROVIDERS.md §4.6): a non-2xx answer without the
	// {error:{code,...}} envelope (a gateway's HTML 502, a bare 429) becomes kind "unexpected",
	// which retryDelay() never retries, so one proxy hiccup ends a Wait for Rivya while the other
	// three adapters map the same answer by HTTP status (server / rateLimit) and retry it, as
	// DESIGN.md "Money" promises ("Status GETs and downloads retry 429/5xx/network errors").
	test('rivya: HTML 502 → server, plain 429 → rateLimit, like the other adapters', () => {
		const task = { taskId: 't1', model: 'kling-v2-5-turbo-pro', mode: 'text-to-video' };
		expect(thrown(() => rivya.readStatusResponse(502, gateway, task)).kind).toBe('server');
		expect(thrown(() => rivya.readStatusResponse(429, 'Too Many Requests', task)).kind).toBe(
			'rateLimit',
		);
	});
});

describe('request paths: every value is encoded segment by segment', () => {
	const { CATALOG } = dist('shared/catalog/index');
	const { pathSegments } = dist('shared/util/paths');
	const ODD_MODEL = 'own er/mo?del#x%';
	const ENCODED_MODEL = 'own%20er/mo%3Fdel%23x%25';

	test('catalog model ids are unchanged by the encoding, so catalog requests stay as they were', () => {
		for (const catalog of Object.values(CATALOG)) {
			for (const entry of catalog.entries) expect(pathSegments(entry.id)).toBe(entry.id);
		}
		expect(pathSegments('kwaivgi/kling-v2.5-turbo-pro')).toBe('kwaivgi/kling-v2.5-turbo-pro');
		expect(pathSegments(ODD_MODEL)).toBe(ENCODED_MODEL);
	});

	test('status and result requests of every adapter carry no raw model or task ID characters', () => {
		for (const adapter of Object.values(PROVIDERS)) {
			for (const api of [undefined, 'v1', 'new']) {
				const task = { taskId: 'id 1?x#y', model: ODD_MODEL, mode: 'text-to-video', api };
				const requests = [adapter.buildStatusRequest(task)];
				if (adapter.buildResultRequest) requests.push(adapter.buildResultRequest(task));
				for (const request of requests) {
					expect(request.path).not.toMatch(/[ ?#]|%(?![0-9A-F]{2})/);
					expect(request.path).not.toContain('id 1');
				}
			}
		}
		const task = { taskId: 'id 1', model: ODD_MODEL, mode: 'text-to-video' };
		expect(apixo.buildStatusRequest(task).path).toBe(`/api/v1/statusTask/${ENCODED_MODEL}`);
		const { fal } = dist('shared/providers/fal');
		expect(fal.buildStatusRequest(task).path).toBe(`/${ENCODED_MODEL}/requests/id%201/status`);
		expect(fal.buildResultRequest(task).path).toBe(`/${ENCODED_MODEL}/requests/id%201`);
	});

	test('submit requests encode a Custom Model ID per segment (a model with "/" stays several segments)', () => {
		const entryOf = (/** @type {string} */ provider, filter = (/** @type {any} */ _e) => true) =>
			CATALOG[provider].entries.find(
				(/** @type {any} */ e) => e.mode === 'text-to-video' && filter(e),
			);
		const cases = [
			['wavespeed', `/api/v3/${ENCODED_MODEL}`],
			['apixo', `/api/v1/generateTask/${ENCODED_MODEL}`],
			['fal', `/${ENCODED_MODEL}`],
			['replicate', `/v1/models/${ENCODED_MODEL}/predictions`],
		];
		for (const [provider, path] of cases) {
			const request = { ...generation({ model: entryOf(provider).id }), model: ODD_MODEL };
			expect(PROVIDERS[provider].buildSubmitRequest(request).path).toBe(path);
		}
		const newApi = entryOf('kling', (e) => e.api === 'new');
		const kling = { ...generation({ model: newApi.id }), model: ODD_MODEL };
		expect(PROVIDERS.kling.buildSubmitRequest(kling).path).toBe(`/text-to-video/${ENCODED_MODEL}`);
		const replicate = {
			...generation({ model: entryOf('replicate').id }),
			model: 'kwaivgi/kling-v2.5-turbo-pro',
		};
		expect(PROVIDERS.replicate.buildSubmitRequest(replicate).path).toBe(
			'/v1/models/kwaivgi/kling-v2.5-turbo-pro/predictions',
		);
	});
});
