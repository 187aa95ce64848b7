// @ts-check
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { KEYS, WAVESPEED_SECRET, call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 120, callbackRetryDelaysMs: [40, 40, 40] });
	base = emu.baseUrl('wavespeed');
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} model @param {unknown} body @param {string} [query] @param {string | null} [key] */
const submit = (model, body, query = '', key = KEYS.wavespeed) => call(`${base}/api/v3/${model}${query}`, { key, body });
/** @param {string} id @param {string} [suffix] */
const status = (id, suffix = '/result') => call(`${base}/api/v3/predictions/${id}${suffix}`, { key: KEYS.wavespeed });
/** @param {string} id @param {string} [suffix] */
const waitDone = (id, suffix) => pollUntil(() => status(id, suffix), (r) => ['completed', 'failed'].includes(r.json?.data?.status));

describe('WaveSpeed emulator', () => {
	test('text-to-video: submit → poll → download a playable 10 s MP4', async () => {
		const r = await submit('kwaivgi/kling-v2.5-turbo-pro/text-to-video', {
			prompt: 'a lighthouse at dusk',
			negative_prompt: 'blur',
			aspect_ratio: '9:16',
			duration: 10,
			guidance_scale: 0.5,
		});
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ code: 200, message: 'success', data: { status: 'created', outputs: [], error: '' } });
		const { id, model, urls, created_at } = r.json.data;
		expect(model).toBe('kwaivgi/kling-v2.5-turbo-pro/text-to-video');
		expect(urls.get).toBe(`${base}/api/v3/predictions/${id}/result`);
		expect(new Date(created_at).toISOString()).toBe(created_at);
		const done = await waitDone(id);
		expect(done.json.data).toMatchObject({ status: 'completed', has_nsfw_contents: [false], error: '' });
		expect(done.json.data.timings.inference).toBeGreaterThan(0);
		const video = await download(done.json.data.outputs[0]);
		expect(video.status).toBe(200);
		expect(video.headers.get('content-type')).toBe('video/mp4');
		expect(Number(video.headers.get('content-length'))).toBe(video.body.length);
		const info = inspectMp4(video.body);
		expect(info).toMatchObject({ hasFtyp: true, majorBrand: 'isom', durationSeconds: 10, width: 180, height: 320, codec: 'avc1' });
		const task = emu.tasks.get(id);
		expect(task).toMatchObject({ provider: 'wavespeed', mode: 'text-to-video', finalState: 'succeeded' });
	});

	test('image-to-video (2.5 turbo pro, last_image) via /predictions/{id} without /result', async () => {
		const r = await submit('kwaivgi/kling-v2.5-turbo-pro/image-to-video', {
			prompt: 'the flower opens',
			image: `${emu.url}/_assets/start.png`,
			last_image: `${emu.url}/_assets/end.png`,
			duration: '5',
		});
		expect(r.status).toBe(200);
		const done = await waitDone(r.json.data.id, '');
		expect(done.json.data.status).toBe('completed');
		const info = inspectMp4((await download(done.json.data.outputs[0])).body);
		expect(info.durationSeconds).toBe(5);
		expect(emu.tasks.get(r.json.data.id)).toMatchObject({ mode: 'image-to-video' });
	});

	test('per-model field tables: 2.0 t2v master has no guidance_scale; start-end-frame needs end_image; 2.1 i2v has no end frame', async () => {
		const a = await submit('kwaivgi/kling-v2.0-t2v-master', { prompt: 'x', guidance_scale: 0.5 });
		expect(a.status).toBe(400);
		expect(a.json).toEqual({ code: 400, message: expect.stringContaining('guidance_scale') });
		const b = await submit('kwaivgi/kling-v2.1-i2v-pro/start-end-frame', { prompt: 'x', image: `${emu.url}/_assets/start.png` });
		expect(b.status).toBe(400);
		expect(b.json.message).toContain('end_image');
		const c = await submit('kwaivgi/kling-v2.1-i2v-master', { prompt: 'x', image: `${emu.url}/_assets/start.png`, end_image: `${emu.url}/_assets/end.png` });
		expect(c.status).toBe(400);
		expect(c.json.message).toContain('end_image');
		const d = await submit('kwaivgi/kling-v2.0-i2v-master', { prompt: 'x', image: `${emu.url}/_assets/start.png`, end_image: `${emu.url}/_assets/end.png` });
		expect(d.status).toBe(200);
		const e = await submit('kwaivgi/kling-v2.1-t2v-master', { prompt: 'x', guidance_scale: 1, duration: 10, aspect_ratio: '1:1' });
		expect(e.status).toBe(200);
	});

	test('invalid requests get {code, message} naming the problem', async () => {
		const t2v = 'kwaivgi/kling-v2.5-turbo-pro/text-to-video';
		const wrongKey = await submit(t2v, { prompt: 'x' }, '', 'nope');
		expect(wrongKey.status).toBe(401);
		expect(wrongKey.json).toMatchObject({ code: 401 });
		const noKey = await submit(t2v, { prompt: 'x' }, '', null);
		expect(noKey.status).toBe(401);
		const cases = /** @type {[any, string][]} */ ([
			[{ duration: 5 }, 'prompt'],
			[{ prompt: '' }, 'prompt'],
			[{ prompt: 'x', guidance_scale: 1.5 }, 'guidance_scale'],
			[{ prompt: 'x', guidance_scale: '0.5' }, 'guidance_scale'],
			[{ prompt: 'x', duration: 7 }, 'duration'],
			[{ prompt: 'x', aspect_ratio: '4:3' }, 'aspect_ratio'],
			[{ prompt: 'x', cfg_scale: 0.5 }, 'cfg_scale'],
			[{ prompt: 'x', image: 'http://x/y.png' }, 'image'],
		]);
		for (const [body, field] of cases) {
			const r = await submit(t2v, body);
			expect(r.status).toBe(400);
			expect(r.json.code).toBe(400);
			expect(r.json.message).toContain(field);
		}
		const unknown = await submit('kwaivgi/kling-v9-imaginary', { prompt: 'x' });
		expect(unknown.status).toBe(404);
		expect(unknown.json.code).toBe(404);
		const i2vNoImage = await submit('kwaivgi/kling-v2.5-turbo-pro/image-to-video', { prompt: 'x' });
		expect(i2vNoImage.status).toBe(400);
		expect(i2vNoImage.json.message).toContain('image');
		const b64 = await submit(t2v, { prompt: 'x', enable_base64_output: true }, `?webhook=${encodeURIComponent('http://127.0.0.1:9/hook')}`);
		expect(b64.status).toBe(400);
		expect(b64.json.error).toContain('base64');
		const missing = await status('does-not-exist');
		expect(missing.status).toBe(404);
		// rejected requests are journaled with their status and redacted auth
		const rejected = emu.journal.entries((e) => e.provider === 'wavespeed' && e.status === 401);
		expect(rejected.length).toBeGreaterThanOrEqual(1);
		expect(rejected[0].headers.authorization).toBe('Bearer ***');
	});

	test('failed tasks keep HTTP 200 with status failed, error text and numeric code', async () => {
		emu.planNextTask('wavespeed', { fail: true });
		const a = await submit('kwaivgi/kling-v2.5-turbo-pro/text-to-video', { prompt: 'x' });
		const fa = await waitDone(a.json.data.id);
		expect(fa.status).toBe(200);
		expect(fa.json.data).toMatchObject({ status: 'failed', code: 1200, outputs: [] });
		expect(fa.json.data.error).not.toBe('');
		for (const asset of ['missing.png', 'not-an-image.png']) {
			const r = await submit('kwaivgi/kling-v2.1-i2v-standard', { prompt: 'x', image: `${emu.url}/_assets/${asset}` });
			expect(r.status).toBe(200);
			const f = await waitDone(r.json.data.id);
			expect(f.json.data).toMatchObject({ status: 'failed', code: 1402 });
		}
		emu.planNextTask('wavespeed', { fail: { code: 5003, message: 'Service unavailable' } });
		const c = await submit('kwaivgi/kling-v2.5-turbo-pro/text-to-video', { prompt: 'x' });
		expect((await waitDone(c.json.data.id)).json.data).toMatchObject({ status: 'failed', code: 5003, error: 'Service unavailable' });
		// a non-loopback image URL is accepted as-is (no internet here)
		const d = await submit('kwaivgi/kling-v2.1-i2v-pro', { prompt: 'x', image: 'https://cdn.example.com/a.png' });
		expect((await waitDone(d.json.data.id)).json.data.status).toBe('completed');
	});

	test('webhook: bare prediction object, v3 HMAC signature verified independently, retries on non-2xx', async () => {
		const rx = await startReceiver({ answers: [500, 503] });
		try {
			const hook = `${rx.url}/hooks/ws?token=abc`;
			const r = await submit('kwaivgi/kling-v2.5-turbo-pro/text-to-video', { prompt: 'x', duration: 5 }, `?webhook=${encodeURIComponent(hook)}`);
			expect(r.status).toBe(200);
			const id = r.json.data.id;
			const got = await rx.waitFor(3);
			expect(got.map((g) => g.url)).toEqual(['/hooks/ws?token=abc', '/hooks/ws?token=abc', '/hooks/ws?token=abc']);
			const last = got[2];
			expect(last.json).toMatchObject({ id, status: 'completed', outputs: [expect.stringContaining('.mp4')], error: '' });
			expect(last.json.code).toBeUndefined();
			expect(last.json.data).toBeUndefined(); // no envelope
			expect(last.json.input).toEqual({ prompt: 'x', duration: 5 });
			for (const g of got) {
				const wid = String(g.headers['webhook-id']);
				const ts = String(g.headers['webhook-timestamp']);
				const [version, sig] = String(g.headers['webhook-signature']).split(',');
				expect(version).toBe('v3');
				const key = WAVESPEED_SECRET.slice('whsec_'.length); // used as UTF-8 text, not base64-decoded
				const expected = crypto.createHmac('sha256', key).update(`${wid}.${ts}.${g.raw}`).digest('hex');
				expect(crypto.timingSafeEqual(Buffer.from(sig, 'hex'), Buffer.from(expected, 'hex'))).toBe(true);
				expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(300);
			}
			const counts = await pollUntil(
				async () => emu.journal.countsByTask()[id],
				(c) => !c.callbackAnswers.includes('pending'),
			);
			expect(counts).toMatchObject({ provider: 'wavespeed', submits: 1, callbacks: 3, callbackAnswers: [500, 503, 200] });
			const cbs = emu.journal.entries({ kind: 'callback', taskId: id });
			expect(cbs.map((e) => e.attempt)).toEqual([1, 2, 3]);
		} finally {
			await rx.close();
		}
	});

	test('webhook also accepted as body field webhook_url (documented variant); bad-signature fault', async () => {
		const rx = await startReceiver();
		try {
			emu.planNextTask('wavespeed', { callbackFaults: ['bad-signature'] });
			const r = await submit('kwaivgi/kling-v2.5-turbo-pro/text-to-video', { prompt: 'x', webhook_url: `${rx.url}/b` });
			expect(r.status).toBe(200);
			const [g] = await rx.waitFor(1);
			const sig = String(g.headers['webhook-signature']).split(',')[1];
			const expected = crypto
				.createHmac('sha256', WAVESPEED_SECRET.slice(6))
				.update(`${g.headers['webhook-id']}.${g.headers['webhook-timestamp']}.${g.raw}`)
				.digest('hex');
			expect(sig).not.toBe(expected);
		} finally {
			await rx.close();
		}
	});

	test('callback faults (tampered-body, stale-timestamp, missing-signature, duplicate, drop), repeatCallbacks, non-loopback URL', async () => {
		const rx = await startReceiver();
		const t2v = 'kwaivgi/kling-v2.5-turbo-pro/text-to-video';
		/** @param {import('../support/emulator-helpers.mjs').Received} g */
		const verifies = (g) => {
			const sig = String(g.headers['webhook-signature'] ?? '').split(',')[1] ?? '';
			const expected = crypto
				.createHmac('sha256', WAVESPEED_SECRET.slice(6))
				.update(`${g.headers['webhook-id']}.${g.headers['webhook-timestamp']}.${g.raw}`)
				.digest('hex');
			return sig === expected;
		};
		try {
			const hook = (/** @type {string} */ name) => `?webhook=${encodeURIComponent(`${rx.url}/${name}`)}`;
			emu.planNextTask('wavespeed', { callbackFaults: ['tampered-body'] });
			await submit(t2v, { prompt: 'x' }, hook('tampered'));
			emu.planNextTask('wavespeed', { callbackFaults: ['stale-timestamp'] });
			await submit(t2v, { prompt: 'x' }, hook('stale'));
			emu.planNextTask('wavespeed', { callbackFaults: ['missing-signature'] });
			await submit(t2v, { prompt: 'x' }, hook('missing'));
			emu.planNextTask('wavespeed', { callbackFaults: ['duplicate'] });
			await submit(t2v, { prompt: 'x' }, hook('dup'));
			emu.planNextTask('wavespeed', { callbackFaults: ['drop'] });
			const dropped = await submit(t2v, { prompt: 'x' }, hook('drop'));
			await rx.waitFor(5);
			await waitDone(dropped.json.data.id);
			await new Promise((r) => setTimeout(r, 150));
			const by = (/** @type {string} */ path) => rx.received.filter((g) => g.url === `/${path}`);
			expect(verifies(by('tampered')[0])).toBe(false);
			expect(by('tampered')[0].json.tampered).toBe(true);
			const stale = by('stale')[0];
			expect(verifies(stale)).toBe(true);
			expect(Date.now() / 1000 - Number(stale.headers['webhook-timestamp'])).toBeGreaterThan(300);
			expect(by('missing')[0].headers['webhook-signature']).toBeUndefined();
			const dup = by('dup');
			expect(dup.length).toBe(2);
			expect(dup[0].headers['webhook-id']).toBe(dup[1].headers['webhook-id']);
			expect(dup.every(verifies)).toBe(true);
			expect(by('drop')).toEqual([]);
			emu.configure({ repeatCallbacks: 1 });
			await submit(t2v, { prompt: 'x' }, hook('repeat'));
			await pollUntil(async () => by('repeat'), (l) => l.length === 2);
			emu.configure({ repeatCallbacks: 0 });
			const far = await submit(t2v, { prompt: 'x' }, `?webhook=${encodeURIComponent('https://example.com/hook')}`);
			const farId = far.json.data.id;
			const entry = await pollUntil(async () => emu.journal.entries({ kind: 'callback', taskId: farId })[0], (e) => !!e);
			expect(entry).toMatchObject({ status: 'error', error: expect.stringContaining('loopback'), url: 'https://example.com/hook' });
		} finally {
			emu.configure({ repeatCallbacks: 0 });
			await rx.close();
		}
	});

	test('media upload (binary), balance, webhook secret', async () => {
		const png = (await download(`${emu.url}/_assets/start.png`)).body;
		const fd = new FormData();
		fd.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'start.png');
		const res = await fetch(`${base}/api/v3/media/upload/binary`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.wavespeed}` }, body: fd });
		expect(res.status).toBe(200);
		const up = await res.json();
		expect(up).toMatchObject({ code: 200, message: 'success', data: { type: 'image', filename: 'start.png', size: png.length } });
		const back = await download(up.data.download_url);
		expect(back.body.equals(png)).toBe(true);
		const upload = emu.journal.entries({ kind: 'upload' }).at(-1);
		expect(upload?.body).toEqual({ fields: {}, files: [{ field: 'file', filename: 'start.png', mimeType: 'image/png', size: png.length }] });
		const fd2 = new FormData();
		fd2.append('file', new Blob([new Uint8Array(Buffer.from('hello'))], { type: 'image/png' }), 'fake.png');
		const bad = await fetch(`${base}/api/v3/media/upload/binary`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.wavespeed}` }, body: fd2 });
		expect(bad.status).toBe(400);
		const bal = await call(`${base}/api/v3/balance`, { key: KEYS.wavespeed });
		expect(bal.json).toMatchObject({ code: 200, message: 'success', data: { balance: expect.any(Number) } });
		const sec = await call(`${base}/api/v3/webhook/secret`, { key: KEYS.wavespeed });
		expect(sec.json).toMatchObject({ code: 200, data: { secret: WAVESPEED_SECRET } });
	});
});
