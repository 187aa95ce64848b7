// @ts-check
import http from 'node:http';
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

const TOKEN = 'r8_emulator_test_key';
const SECRET = 'whsec_s6UTQ9Pww6dRwWve+DDelVhM0gAMe/FC0bTckjk+EU0=';
const MODEL = 'kwaivgi/kling-v2.5-turbo-pro';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 150, callbackRetryDelaysMs: [40, 40, 40], faults: { retryAfterSeconds: 2 } });
	base = emu.baseUrl('replicate');
});
afterAll(async () => {
	await emu.close();
});

/** @param {unknown} body @param {string | null} [key] @param {string} [model] @param {Record<string, string>} [headers] */
const create = (body, key = TOKEN, model = MODEL, headers = {}) => call(`${base}/v1/models/${model}/predictions`, { key, body, headers });
/** @param {string} id */
const get = (id) => call(`${base}/v1/predictions/${id}`, { key: TOKEN });
const TERMINAL = ['succeeded', 'failed', 'canceled', 'aborted'];
/** @param {string} id */
const waitDone = (id) => pollUntil(() => get(id), (r) => TERMINAL.includes(r.json?.status));

/**
 * Standard Webhooks verification, written here from the spec (not the emulator's helper).
 * @param {import('../support/emulator-helpers.mjs').Received} g @param {string} [secret]
 */
function verifies(g, secret = SECRET) {
	const id = String(g.headers['webhook-id'] ?? '');
	const ts = String(g.headers['webhook-timestamp'] ?? '');
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	const expected = crypto.createHmac('sha256', key).update(`${id}.${ts}.${g.raw}`).digest();
	return String(g.headers['webhook-signature'] ?? '')
		.split(' ')
		.some((part) => {
			const [v, sig] = part.split(',');
			const b = Buffer.from(sig ?? '', 'base64');
			return v === 'v1' && b.length === expected.length && crypto.timingSafeEqual(b, expected);
		});
}

describe('Replicate emulator', () => {
	test('text-to-video: create (201, starting) → poll → single URI output → MP4', async () => {
		const r = await create({ input: { prompt: 'a lighthouse at dusk', negative_prompt: 'blur', aspect_ratio: '9:16', duration: 10 } });
		expect(r.status).toBe(201);
		const id = r.json.id;
		expect(r.json).toMatchObject({
			id: expect.any(String),
			model: MODEL,
			version: expect.stringMatching(/^[0-9a-f]{64}$/),
			input: { prompt: 'a lighthouse at dusk', negative_prompt: 'blur', aspect_ratio: '9:16', duration: 10 },
			status: 'starting',
			output: null,
			error: null,
			logs: expect.any(String),
			urls: { get: `${base}/v1/predictions/${id}`, cancel: `${base}/v1/predictions/${id}/cancel` },
		});
		expect(new Date(r.json.created_at).toISOString()).toBe(r.json.created_at);
		const done = await waitDone(id);
		expect(done.json).toMatchObject({ status: 'succeeded', error: null, metrics: { predict_time: expect.any(Number) }, completed_at: expect.any(String) });
		expect(typeof done.json.output).toBe('string');
		const file = await download(done.json.output);
		expect(inspectMp4(file.body)).toMatchObject({ hasFtyp: true, durationSeconds: 10, width: 180, height: 320 });
		expect(emu.tasks.get(id)).toMatchObject({ provider: 'replicate', mode: 'text-to-video', finalState: 'succeeded' });
	});

	test('image-to-video: start_image + end_image (URL and data: URI); Prefer: wait', async () => {
		const end = (await download(`${emu.url}/_assets/end.png`)).body;
		const r = await create(
			{ input: { prompt: 'the flower opens', start_image: `${emu.url}/_assets/start.png`, end_image: `data:image/png;base64,${end.toString('base64')}`, duration: 5 } },
			TOKEN,
			MODEL,
			{ prefer: 'wait=5' },
		);
		expect(r.status).toBe(201);
		expect(r.json.status).toBe('succeeded'); // held until terminal
		expect(inspectMp4((await download(r.json.output)).body).durationSeconds).toBe(5);
		expect(emu.tasks.get(r.json.id)).toMatchObject({ mode: 'image-to-video' });
	});

	test('invalid requests in problem-details shape: 401, 422 (missing prompt, string duration, extra field), 404', async () => {
		const wrong = await create({ input: { prompt: 'x' } }, 'r8_wrong');
		expect(wrong.status).toBe(401);
		expect(wrong.headers.get('content-type')).toContain('application/problem+json');
		expect(wrong.json).toMatchObject({ title: expect.any(String), detail: expect.any(String), status: 401 });
		expect((await create({ input: { prompt: 'x' } }, null)).status).toBe(401);
		const cases = /** @type {[any, string][]} */ ([
			[{ input: { duration: 5 } }, 'prompt'],
			[{ input: { prompt: 'x', duration: '5' } }, 'input.duration'],
			[{ input: { prompt: 'x', duration: 7 } }, 'input.duration'],
			[{ input: { prompt: 'x', aspect_ratio: '4:3' } }, 'input.aspect_ratio'],
			[{ input: { prompt: 'x', cfg_scale: 0.5 } }, 'cfg_scale'],
			[{ input: { prompt: 'x', start_image: 'not a uri' } }, 'input.start_image'],
			[{ input: { prompt: 'x' }, webhook_events_filter: ['done'] }, 'webhook_events_filter'],
			[{ input: { prompt: 'x' }, webhook: 'nope' }, 'webhook'],
			[{ prompt: 'x' }, 'input'],
		]);
		for (const [body, needle] of cases) {
			const r = await create(body);
			expect(r.status).toBe(422);
			expect(r.json).toMatchObject({ title: 'Input validation failed', status: 422, invalid_fields: expect.any(Array) });
			expect(r.json.detail).toContain(needle);
		}
		const dur = await create({ input: { prompt: 'x', duration: '5' } });
		expect(dur.json.detail).toContain('Expected: integer, given: string');
		const unknown = await create({ input: { prompt: 'x' } }, TOKEN, 'kwaivgi/kling-v9');
		expect(unknown.status).toBe(404);
		expect(unknown.json.status).toBe(404);
		expect((await get('nope')).status).toBe(404);
	});

	test('webhook: only "completed" when filtered, Standard-Webhooks signature verified, retried with the same id', async () => {
		const rx = await startReceiver({ answers: [500] });
		try {
			const hook = `${rx.url}/hooks/replicate?token=abc`;
			const r = await create({ input: { prompt: 'x' }, webhook: hook, webhook_events_filter: ['completed'] });
			const id = r.json.id;
			const got = await rx.waitFor(2);
			await new Promise((res) => setTimeout(res, 100));
			expect(rx.received.length).toBe(2);
			expect(got.map((g) => g.url)).toEqual(['/hooks/replicate?token=abc', '/hooks/replicate?token=abc']);
			expect(got[1].json).toMatchObject({ id, status: 'succeeded', output: expect.stringContaining('.mp4') });
			for (const g of got) {
				expect(verifies(g)).toBe(true);
				expect(String(g.headers['webhook-signature'])).toMatch(/^v1,/);
				expect(Math.abs(Date.now() / 1000 - Number(g.headers['webhook-timestamp']))).toBeLessThan(300);
			}
			expect(got[0].headers['webhook-id']).toBe(got[1].headers['webhook-id']);
			const counts = await pollUntil(async () => emu.journal.countsByTask()[id], (c) => !c.callbackAnswers.includes('pending'));
			expect(counts).toMatchObject({ provider: 'replicate', submits: 1, callbacks: 2, callbackAnswers: [500, 200] });
			const secret = await call(`${base}/v1/webhooks/default/secret`, { key: TOKEN });
			expect(secret.json).toEqual({ key: SECRET });
		} finally {
			await rx.close();
		}
	});

	test('webhook without a filter sends start, logs, output, completed; signature faults', async () => {
		const rx = await startReceiver();
		try {
			emu.planNextTask('replicate', { generationMs: 400 });
			const r = await create({ input: { prompt: 'x' }, webhook: `${rx.url}/all` });
			const id = r.json.id;
			await pollUntil(async () => rx.received.filter((g) => g.url === '/all'), (l) => l.length === 4);
			const all = rx.received.filter((g) => g.url === '/all');
			expect(all.map((g) => g.json.status).sort()).toEqual(['processing', 'starting', 'succeeded', 'succeeded']); // separate connections: arrival order may vary
			expect(emu.journal.entries({ kind: 'callback', taskId: id }).map((e) => e.target)).toEqual(['start', 'logs', 'output', 'completed']);
			expect(all.every((g) => verifies(g))).toBe(true);
			for (const f of ['bad-signature', 'tampered-body', 'stale-timestamp', 'missing-signature']) {
				emu.planNextTask('replicate', { callbackFaults: [f] });
				await create({ input: { prompt: 'x' }, webhook: `${rx.url}/${f}`, webhook_events_filter: ['completed'] });
			}
			await rx.waitFor(8);
			const by = (/** @type {string} */ n) => /** @type {any} */ (rx.received.find((g) => g.url === `/${n}`));
			expect(verifies(by('bad-signature'))).toBe(false);
			expect(verifies(by('tampered-body'))).toBe(false);
			expect(verifies(by('stale-timestamp'))).toBe(true);
			expect(Date.now() / 1000 - Number(by('stale-timestamp').headers['webhook-timestamp'])).toBeGreaterThan(300);
			expect(by('missing-signature').headers['webhook-signature']).toBeUndefined();
		} finally {
			await rx.close();
		}
	});

	test('failed / canceled / aborted predictions', async () => {
		emu.planNextTask('replicate', { fail: true });
		const a = await waitDone((await create({ input: { prompt: 'x' } })).json.id);
		expect(a.status).toBe(200);
		expect(a.json).toMatchObject({ status: 'failed', output: null, error: expect.stringContaining('E005') });
		const b = await waitDone((await create({ input: { prompt: 'x', start_image: `${emu.url}/_assets/missing.png` } })).json.id);
		expect(b.json).toMatchObject({ status: 'failed', error: expect.stringContaining('start_image') });
		emu.planNextTask('replicate', { fail: { code: 'aborted', message: 'aborted' } });
		expect((await waitDone((await create({ input: { prompt: 'x' } })).json.id)).json.status).toBe('aborted');
		emu.planNextTask('replicate', { generationMs: 5000 });
		const c = (await create({ input: { prompt: 'x' } })).json.id;
		const cancel = await call(`${base}/v1/predictions/${c}/cancel`, { key: TOKEN, method: 'POST' });
		expect([cancel.status, cancel.json.status, cancel.json.error]).toEqual([200, 'canceled', null]);
		emu.configure({ faults: { taskFailure: 1 } });
		try {
			expect((await waitDone((await create({ input: { prompt: 'x' } })).json.id)).json.status).toBe('failed');
		} finally {
			emu.configure({ faults: { taskFailure: 0 } });
		}
	});

	test('faults: status 429 + Retry-After, 500, 503, reset; submit 429; journal counts', async () => {
		emu.planNextTask('replicate', { statusFaults: ['429', '500', '503', 'reset'] });
		const id = (await create({ input: { prompt: 'x' } })).json.id;
		const r429 = await get(id);
		expect([r429.status, r429.json.status, r429.json.title, r429.headers.get('retry-after')]).toEqual([429, 429, 'Too Many Requests', '2']);
		const r500 = await get(id);
		expect([r500.status, r500.json.status]).toEqual([500, 500]);
		const r503 = await get(id);
		expect([r503.status, r503.json.status]).toEqual([503, 503]);
		await expect(get(id)).rejects.toThrow();
		await waitDone(id);
		const entries = emu.journal.entries({ taskId: id, kind: 'status' });
		expect(entries.slice(0, 4).map((e) => [e.fault, e.status])).toEqual([['429', 429], ['500', 500], ['503', 503], ['reset', 'reset']]);
		expect(emu.journal.countsByTask()[id]).toMatchObject({ submits: 1, statusReads: entries.length, downloads: 0, callbacks: 0 });
		emu.configure({ faults: { submitRateLimit: 1 } });
		const limited = await create({ input: { prompt: 'x' } });
		emu.configure({ faults: { submitRateLimit: 0 } });
		expect([limited.status, limited.json.status, limited.headers.get('retry-after')]).toEqual([429, 429, '2']);
	});

	test('output URL expiry (one hour on Replicate) as the expired fault; truncated download', async () => {
		emu.planNextTask('replicate', { downloadFault: 'expired' });
		const a = await waitDone((await create({ input: { prompt: 'x' } })).json.id);
		expect((await download(a.json.output)).status).toBe(404);
		emu.configure({ faults: { expiredResult: 1 } });
		const b = await waitDone((await create({ input: { prompt: 'x' } })).json.id);
		emu.configure({ faults: { expiredResult: 0 } });
		expect((await download(b.json.output)).status).toBe(404);
		emu.planNextTask('replicate', { downloadFault: 'truncated' });
		const c = await waitDone((await create({ input: { prompt: 'x' } })).json.id);
		const got = /** @type {any} */ (await new Promise((resolve) => {
			http.get(c.json.output, (res) => {
				let n = 0;
				res.on('data', (d) => (n += d.length));
				res.on('close', () => resolve({ n, len: Number(res.headers['content-length']), complete: res.complete }));
			});
		}));
		expect(got.complete).toBe(false);
		expect(got.n).toBeLessThan(got.len);
		expect(emu.journal.countsByTask()[c.json.id].downloads).toBe(1);
		const account = await call(`${base}/v1/account`, { key: TOKEN });
		expect(account.json).toMatchObject({ type: 'user', username: expect.any(String) });
	});
});
