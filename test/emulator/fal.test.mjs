// @ts-check
import http from 'node:http';
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

const KEY = 'fal_emulator_test_key';
const T2V = 'fal-ai/kling-video/v2.5-turbo/pro/text-to-video';
const I2V = 'fal-ai/kling-video/v2.5-turbo/pro/image-to-video';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 120, callbackRetryDelaysMs: [40, 40, 40], faults: { retryAfterSeconds: 2 } });
	base = emu.baseUrl('fal');
});
afterAll(async () => {
	await emu.close();
});

const keyAuth = (k = KEY) => ({ authorization: `Key ${k}` });
/** @param {string} endpoint @param {unknown} body @param {string} [query] @param {Record<string, string>} [headers] */
const submit = (endpoint, body, query = '', headers = keyAuth()) => call(`${base}/${endpoint}${query}`, { body, headers });
/** @param {string} id */
const status = (id) => call(`${base}/fal-ai/kling-video/requests/${id}/status`, { headers: keyAuth() });
/** @param {string} id */
const result = (id) => call(`${base}/fal-ai/kling-video/requests/${id}`, { headers: keyAuth() });
/** @param {string} id */
const waitDone = (id) => pollUntil(() => status(id), (r) => r.json?.status === 'COMPLETED');

/**
 * Independent fal webhook verification: ED25519 over request_id\nuser_id\ntimestamp\nsha256hex(body), any JWKS key.
 * @param {import('../support/emulator-helpers.mjs').Received} g @param {{ keys: any[] }} jwks
 */
function falVerifies(g, jwks) {
	const h = g.headers;
	const msg = [h['x-fal-webhook-request-id'], h['x-fal-webhook-user-id'], h['x-fal-webhook-timestamp'], crypto.createHash('sha256').update(g.raw).digest('hex')].join('\n');
	const sig = Buffer.from(String(h['x-fal-webhook-signature'] ?? ''), 'hex');
	return jwks.keys.some((k) => {
		const pub = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' });
		return crypto.verify(null, Buffer.from(msg), pub, sig);
	});
}

describe('fal.ai emulator', () => {
	test('text-to-video: queue submit → status → result → download', async () => {
		const r = await submit(T2V, { prompt: 'a lighthouse at dusk', duration: '10', aspect_ratio: '1:1', negative_prompt: 'blur', cfg_scale: 0.5 });
		expect(r.status).toBe(200);
		const id = r.json.request_id;
		expect(r.json).toMatchObject({
			request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			gateway_request_id: expect.any(String),
			status: 'IN_QUEUE',
			status_url: `${base}/fal-ai/kling-video/requests/${id}/status`,
			response_url: `${base}/fal-ai/kling-video/requests/${id}`,
		});
		const early = await result(id);
		expect(early.status).toBe(400);
		const done = await waitDone(id);
		expect(done.json).toMatchObject({ status: 'COMPLETED', request_id: id, metrics: { inference_time: expect.any(Number) } });
		expect(done.json.error).toBeUndefined();
		const res = await result(id);
		expect(res.status).toBe(200);
		expect(res.json.video).toMatchObject({ content_type: 'video/mp4', file_name: expect.stringMatching(/\.mp4$/), file_size: expect.any(Number) });
		const file = await download(res.json.video.url);
		expect(file.body.length).toBe(res.json.video.file_size);
		expect(inspectMp4(file.body)).toMatchObject({ hasFtyp: true, durationSeconds: 10, width: 240, height: 240 });
		// status/result under the full endpoint path are NOT the queue URLs
		const wrong = await call(`${base}/${T2V}/requests/${id}/status`, { headers: keyAuth() });
		expect(wrong.status).toBe(404);
		expect(wrong.json.detail).toContain('fal-ai/kling-video/requests');
	});

	test('image-to-video: uploaded start image (initiate + PUT) + data: URI tail image', async () => {
		const png = (await download(`${emu.url}/_assets/start.png`)).body;
		const rest = emu.baseUrl('fal-rest');
		const init = await call(`${rest}/storage/upload/initiate?storage_type=fal-cdn-v3`, { body: { file_name: 'start.png', content_type: 'image/png' }, headers: keyAuth() });
		expect(init.status).toBe(200);
		expect(init.json).toEqual({ upload_url: expect.any(String), file_url: expect.stringContaining('start.png') });
		expect((await download(init.json.file_url)).status).toBe(404); // not uploaded yet
		const put = await fetch(init.json.upload_url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png) });
		expect(put.status).toBe(200);
		const back = await download(init.json.file_url);
		expect(back.body.equals(png)).toBe(true);
		expect(back.headers.get('content-type')).toBe('image/png');
		const end = (await download(`${emu.url}/_assets/end.png`)).body;
		const r = await submit(I2V, { prompt: 'the flower opens', image_url: init.json.file_url, tail_image_url: `data:image/png;base64,${end.toString('base64')}`, duration: '5' });
		expect(r.status).toBe(200);
		await waitDone(r.json.request_id);
		const res = await result(r.json.request_id);
		expect(inspectMp4((await download(res.json.video.url)).body).durationSeconds).toBe(5);
		expect(emu.tasks.get(r.json.request_id)).toMatchObject({ provider: 'fal', mode: 'image-to-video', finalState: 'succeeded' });
		expect(emu.journal.entries({ provider: 'fal-rest', kind: 'upload' }).map((e) => e.status)).toEqual([200, 200]);
		const noAuth = await call(`${rest}/storage/upload/initiate`, { body: { file_name: 'a.png', content_type: 'image/png' } });
		expect(noAuth.status).toBe(401);
	});

	test('invalid requests: Key auth, missing prompt, numeric duration, unknown endpoint, extra field', async () => {
		const bearer = await submit(T2V, { prompt: 'x' }, '', { authorization: `Bearer ${KEY}` });
		expect(bearer.status).toBe(401);
		expect(bearer.json.detail).toEqual(expect.any(String));
		expect((await submit(T2V, { prompt: 'x' }, '', keyAuth('wrong'))).status).toBe(401);
		expect((await submit(T2V, { prompt: 'x' }, '', {})).status).toBe(401);
		const cases = /** @type {[string, any, string, string][]} */ ([
			[T2V, { duration: '5' }, 'prompt', 'missing'],
			[T2V, { prompt: 'x', duration: 5 }, 'duration', 'literal_error'],
			[T2V, { prompt: 'x', aspect_ratio: '4:3' }, 'aspect_ratio', 'literal_error'],
			[T2V, { prompt: 'x', cfg_scale: 3 }, 'cfg_scale', 'less_than_equal'],
			[T2V, { prompt: 'x', image_url: 'http://x/y.png' }, 'image_url', 'extra_forbidden'],
			[I2V, { prompt: 'x' }, 'image_url', 'missing'],
			[I2V, { prompt: 'x', image_url: 'nope' }, 'image_url', 'url_parsing'],
		]);
		for (const [ep, body, field, type] of cases) {
			const r = await submit(ep, body);
			expect(r.status).toBe(422);
			expect(r.json.detail[0]).toMatchObject({ loc: ['body', field], type, msg: expect.any(String) });
		}
		const unknown = await submit('fal-ai/kling-video/v9/pro/text-to-video', { prompt: 'x' });
		expect(unknown.status).toBe(404);
		expect((await status('00000000-0000-0000-0000-000000000000')).status).toBe(404);
		expect((await submit(T2V, { prompt: 'x' }, '?fal_webhook=nope')).status).toBe(400);
		const rejected = emu.journal.entries((e) => e.provider === 'fal' && e.status === 401);
		expect(rejected[0].headers.authorization).toBe('Bearer ***');
		expect(rejected[1].headers.authorization).toBe('Key ***');
	});

	test('webhook: ED25519 signature verified against the served JWKS; retried on non-2xx', async () => {
		const jwks = (await call(`${emu.baseUrl('fal-rest')}/.well-known/jwks.json`)).json;
		expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
		const rx = await startReceiver({ answers: [503] });
		try {
			const hook = `${rx.url}/hooks/fal?token=abc`;
			const r = await submit(T2V, { prompt: 'x' }, `?fal_webhook=${encodeURIComponent(hook)}`);
			const id = r.json.request_id;
			const got = await rx.waitFor(2);
			expect(got.map((g) => g.url)).toEqual(['/hooks/fal?token=abc', '/hooks/fal?token=abc']);
			const body = got[1].json;
			expect(body).toMatchObject({ request_id: id, gateway_request_id: r.json.gateway_request_id, status: 'OK', payload: { video: { url: expect.stringContaining('.mp4') } } });
			for (const g of got) {
				expect(falVerifies(g, jwks)).toBe(true);
				expect(g.headers['x-fal-webhook-request-id']).toBe(id);
				expect(Math.abs(Date.now() / 1000 - Number(g.headers['x-fal-webhook-timestamp']))).toBeLessThan(300);
			}
			const counts = await pollUntil(async () => emu.journal.countsByTask()[id], (c) => !c.callbackAnswers.includes('pending'));
			expect(counts).toMatchObject({ provider: 'fal', submits: 1, callbacks: 2, callbackAnswers: [503, 200] });
		} finally {
			await rx.close();
		}
	});

	test('webhook faults: bad-signature, tampered-body, stale-timestamp, missing-signature; ERROR webhook', async () => {
		const jwks = (await call(`${emu.baseUrl('fal-rest')}/.well-known/jwks.json`)).json;
		const rx = await startReceiver();
		try {
			const hook = (/** @type {string} */ n) => `?fal_webhook=${encodeURIComponent(`${rx.url}/${n}`)}`;
			for (const f of ['bad-signature', 'tampered-body', 'stale-timestamp', 'missing-signature']) {
				emu.planNextTask('fal', { callbackFaults: [f] });
				await submit(T2V, { prompt: 'x' }, hook(f));
			}
			emu.planNextTask('fal', { fail: true });
			await submit(T2V, { prompt: 'x' }, hook('error'));
			await rx.waitFor(5);
			const by = (/** @type {string} */ n) => /** @type {any} */ (rx.received.find((g) => g.url === `/${n}`));
			expect(falVerifies(by('bad-signature'), jwks)).toBe(false);
			expect(falVerifies(by('tampered-body'), jwks)).toBe(false);
			const stale = by('stale-timestamp');
			expect(falVerifies(stale, jwks)).toBe(true);
			expect(Date.now() / 1000 - Number(stale.headers['x-fal-webhook-timestamp'])).toBeGreaterThan(300);
			expect(by('missing-signature').headers['x-fal-webhook-signature']).toBeUndefined();
			const err = by('error');
			expect(falVerifies(err, jwks)).toBe(true);
			expect(err.json).toMatchObject({ status: 'ERROR', error: 'Invalid status code: 422', payload: { detail: [{ type: 'content_policy_violation' }] } });
		} finally {
			await rx.close();
		}
	});

	test('failed requests: COMPLETED + error/error_type; result answers 422/500 with detail', async () => {
		emu.planNextTask('fal', { fail: true });
		const a = (await submit(T2V, { prompt: 'x' })).json.request_id;
		expect((await waitDone(a)).json).toMatchObject({ status: 'COMPLETED', error: expect.any(String), error_type: 'content_policy_violation' });
		const ra = await result(a);
		expect(ra.status).toBe(422);
		expect(ra.headers.get('x-fal-retryable')).toBe('false');
		expect(ra.json.detail[0]).toMatchObject({ type: 'content_policy_violation', loc: ['body', 'prompt'] });
		const b = (await submit(I2V, { prompt: 'x', image_url: `${emu.url}/_assets/not-an-image.png` })).json.request_id;
		await waitDone(b);
		expect((await result(b)).json.detail[0]).toMatchObject({ type: 'image_load_error', loc: ['body', 'image_url'] });
		const c = (await submit(I2V, { prompt: 'x', image_url: 'data:image/png;base64,aGVsbG8=' })).json.request_id;
		await waitDone(c);
		expect((await result(c)).json.detail[0].type).toBe('image_load_error');
		emu.planNextTask('fal', { fail: { code: 'internal_server_error', message: 'boom' } });
		const d = (await submit(T2V, { prompt: 'x' })).json.request_id;
		await waitDone(d);
		const rd = await result(d);
		expect([rd.status, rd.headers.get('x-fal-retryable'), rd.json.detail[0].msg]).toEqual([500, 'true', 'boom']);
	});

	test('status faults: 429 + Retry-After, 500, 503, reset; submit rate limit; journal counts', async () => {
		emu.planNextTask('fal', { statusFaults: ['429', '500', '503', 'reset'] });
		const id = (await submit(T2V, { prompt: 'x' })).json.request_id;
		const r429 = await status(id);
		expect([r429.status, r429.headers.get('retry-after'), typeof r429.json.detail]).toEqual([429, '2', 'string']);
		expect((await status(id)).status).toBe(500);
		expect((await status(id)).status).toBe(503);
		await expect(status(id)).rejects.toThrow();
		await waitDone(id);
		await result(id);
		const entries = emu.journal.entries({ taskId: id, kind: 'status' });
		expect(entries.slice(0, 4).map((e) => [e.fault, e.status])).toEqual([['429', 429], ['500', 500], ['503', 503], ['reset', 'reset']]);
		expect(emu.journal.countsByTask()[id]).toMatchObject({ submits: 1, statusReads: entries.length, callbacks: 0 });
		emu.configure({ faults: { submitRateLimit: 1 } });
		const limited = await submit(T2V, { prompt: 'x' });
		emu.configure({ faults: { submitRateLimit: 0 } });
		expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
		emu.configure({ faults: { status5xx: 1 } });
		const r5 = await result(id);
		emu.configure({ faults: { status5xx: 0 } });
		expect([500, 503]).toContain(r5.status);
	});

	test('expired result URL → 404; truncated download', async () => {
		emu.planNextTask('fal', { downloadFault: 'expired' });
		const a = (await submit(T2V, { prompt: 'x' })).json.request_id;
		await waitDone(a);
		expect((await download((await result(a)).json.video.url)).status).toBe(404);
		emu.planNextTask('fal', { downloadFault: 'truncated' });
		const b = (await submit(T2V, { prompt: 'x' })).json.request_id;
		await waitDone(b);
		const url = (await result(b)).json.video.url;
		const got = /** @type {any} */ (await new Promise((resolve) => {
			http.get(url, (res) => {
				let n = 0;
				res.on('data', (d) => (n += d.length));
				res.on('close', () => resolve({ n, len: Number(res.headers['content-length']), complete: res.complete }));
			});
		}));
		expect(got.complete).toBe(false);
		expect(got.n).toBeLessThan(got.len);
		expect(emu.journal.countsByTask()[b].downloads).toBe(1);
	});

	test('cancel: queued request → OK (removed), completed → ALREADY_COMPLETED, unknown → 404', async () => {
		emu.planNextTask('fal', { generationMs: 5000 });
		const id = (await submit(T2V, { prompt: 'x' })).json.request_id;
		const c = await call(`${base}/fal-ai/kling-video/requests/${id}/cancel`, { method: 'PUT', headers: keyAuth() });
		expect([c.status, c.json.status]).toEqual([200, 'OK']);
		expect((await status(id)).json).toMatchObject({ status: 'COMPLETED', error_type: 'request_cancelled' });
		const again = await call(`${base}/fal-ai/kling-video/requests/${id}/cancel`, { method: 'PUT', headers: keyAuth() });
		expect([again.status, again.json.status]).toEqual([400, 'ALREADY_COMPLETED']);
		const unknown = await call(`${base}/fal-ai/kling-video/requests/no-such-id/cancel`, { method: 'PUT', headers: keyAuth() });
		expect(unknown.status).toBe(404);
	});

	test('cancel: a running request → CANCELLATION_REQUESTED, then COMPLETED with request_cancelled', async () => {
		emu.planNextTask('fal', { generationMs: 1000 });
		const id = (await submit(T2V, { prompt: 'x' })).json.request_id;
		await new Promise((r) => setTimeout(r, 300));
		expect((await status(id)).json.status).toBe('IN_PROGRESS');
		const c = await call(`${base}/fal-ai/kling-video/requests/${id}/cancel`, { method: 'PUT', headers: keyAuth() });
		expect([c.status, c.json.status]).toEqual([202, 'CANCELLATION_REQUESTED']);
		expect((await status(id)).json).toMatchObject({ status: 'COMPLETED', error_type: 'request_cancelled' });
	});

	test('account billing on the platform host: credits only with expand=credits; Key auth', async () => {
		const platform = `${emu.url}/fal-api/v1/account/billing`;
		const withCredits = await call(`${platform}?expand=credits`, { headers: keyAuth() });
		expect(withCredits.status).toBe(200);
		expect(withCredits.json).toEqual({ username: 'emulator', credits: { current_balance: 25.5, currency: 'USD' } });
		const bare = await call(platform, { headers: keyAuth() });
		expect(bare.json).toEqual({ username: 'emulator' });
		const anonymous = await call(`${platform}?expand=credits`);
		expect(anonymous.status).toBe(401);
	});
});
