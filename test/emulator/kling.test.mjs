// @ts-check
import http from 'node:http';
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

const AK = 'kling_emulator_access_key';
const SK = 'kling_emulator_secret_key';

/**
 * Mint a token exactly like Kling's docs (HS256, {iss, exp, nbf}) — independent of the emulator's helper.
 * @param {{ ak?: string, sk?: string, exp?: number, nbf?: number | null, alg?: string }} [o]
 */
function jwt(o = {}) {
	const now = Math.floor(Date.now() / 1000);
	const enc = (/** @type {unknown} */ v) => Buffer.from(JSON.stringify(v)).toString('base64url');
	/** @type {Record<string, unknown>} */
	const payload = { iss: o.ak ?? AK, exp: o.exp ?? now + 1800 };
	if (o.nbf !== null) payload.nbf = o.nbf ?? now - 5;
	const head = `${enc({ alg: o.alg ?? 'HS256', typ: 'JWT' })}.${enc(payload)}`;
	return `${head}.${crypto.createHmac('sha256', o.sk ?? SK).update(head).digest('base64url')}`;
}

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 120, callbackRetryDelaysMs: [40, 40, 40], faults: { retryAfterSeconds: 2 } });
	base = emu.baseUrl('kling');
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} token */
const auth = (token) => ({ authorization: `Bearer ${token}` });
/** @param {'text2video' | 'image2video'} ep @param {unknown} body @param {Record<string, string>} [headers] */
const submit = (ep, body, headers = auth(jwt())) => call(`${base}/v1/videos/${ep}`, { body, headers });
/** @param {'text2video' | 'image2video'} ep @param {string} id */
const status = (ep, id) => call(`${base}/v1/videos/${ep}/${id}`, { headers: auth(jwt()) });
/** @param {'text2video' | 'image2video'} ep @param {string} id */
const waitDone = (ep, id) => pollUntil(() => status(ep, id), (r) => ['succeed', 'failed'].includes(r.json?.data?.task_status));

describe('Kling official API emulator', () => {
	test('text2video: JWT → submit → poll → download a playable MP4', async () => {
		const r = await submit('text2video', {
			model_name: 'kling-v2-5-turbo',
			prompt: 'a lighthouse at dusk',
			negative_prompt: 'blur',
			cfg_scale: 0.5,
			mode: 'pro',
			aspect_ratio: '9:16',
			duration: '10',
			external_task_id: 'ext-t2v-1',
		});
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ code: 0, message: 'SUCCEED', request_id: expect.any(String) });
		expect(r.json.data).toMatchObject({ task_status: 'submitted', task_info: { external_task_id: 'ext-t2v-1' }, created_at: expect.any(Number), updated_at: expect.any(Number) });
		const id = r.json.data.task_id;
		expect(id).toMatch(/^\d+$/);
		const done = await waitDone('text2video', id);
		expect(done.json.data).toMatchObject({ task_id: id, task_status: 'succeed', task_status_msg: '' });
		const [video] = done.json.data.task_result.videos;
		expect(video).toMatchObject({ id: expect.any(String), duration: '10' });
		const file = await download(video.url);
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('video/mp4');
		expect(inspectMp4(file.body)).toMatchObject({ hasFtyp: true, durationSeconds: 10, width: 180, height: 320 });
		// the external id also finds the task, but only under its own endpoint
		expect((await status('text2video', 'ext-t2v-1')).json.data.task_id).toBe(id);
		const other = await status('image2video', id);
		expect(other.status).toBe(404);
		expect(other.json).toMatchObject({ code: 1203, request_id: expect.any(String) });
		expect(emu.tasks.get(id)).toMatchObject({ provider: 'kling', model: 'kling-v2-5-turbo', mode: 'text-to-video', finalState: 'succeeded' });
	});

	test('image2video: URL image + image_tail (pro), and a raw Base64 image', async () => {
		const r = await submit('image2video', {
			model_name: 'kling-v2-5-turbo',
			image: `${emu.url}/_assets/start.png`,
			image_tail: `${emu.url}/_assets/end.png`,
			mode: 'pro',
			prompt: 'the flower opens',
			duration: '5',
		});
		expect(r.status).toBe(200);
		const done = await waitDone('image2video', r.json.data.task_id);
		expect(done.json.data.task_status).toBe('succeed');
		expect(inspectMp4((await download(done.json.data.task_result.videos[0].url)).body).durationSeconds).toBe(5);
		const png = (await download(`${emu.url}/_assets/start.png`)).body;
		const b = await submit('image2video', { model_name: 'kling-v2-1', image: png.toString('base64') });
		expect(b.status).toBe(200);
		expect((await waitDone('image2video', b.json.data.task_id)).json.data.task_status).toBe('succeed');
		expect(emu.tasks.get(b.json.data.task_id)).toMatchObject({ mode: 'image-to-video' });
	});

	test('JWT verification: empty, not Bearer, bad signature, wrong access key, expired, not yet valid, alg', async () => {
		const body = { model_name: 'kling-v2-5-turbo', prompt: 'x' };
		const now = Math.floor(Date.now() / 1000);
		const cases = /** @type {[Record<string, string>, number][]} */ ([
			[{}, 1001],
			[{ authorization: `Token ${jwt()}` }, 1002],
			[auth('not-a-jwt'), 1002],
			[auth(jwt({ sk: 'wrong-secret' })), 1002],
			[auth(jwt({ alg: 'none' })), 1002],
			[auth(jwt({ ak: 'someone-else' })), 1000],
			[auth(jwt({ exp: now - 60 })), 1004],
			[auth(jwt({ nbf: now + 120 })), 1003],
		]);
		for (const [headers, code] of cases) {
			const r = await submit('text2video', body, headers);
			expect(r.status).toBe(401);
			expect(r.json).toMatchObject({ code, message: expect.any(String), request_id: expect.any(String) });
		}
		// leeway: a token that expired 2 s ago or starts in 2 s is still accepted; nbf may be absent
		expect((await submit('text2video', body, auth(jwt({ exp: now - 2 })))).status).toBe(200);
		expect((await submit('text2video', body, auth(jwt({ nbf: now + 2 })))).status).toBe(200);
		expect((await submit('text2video', body, auth(jwt({ nbf: null })))).status).toBe(200);
		const rejected = emu.journal.entries((e) => e.provider === 'kling' && e.status === 401);
		expect(rejected.length).toBe(cases.length);
		expect(rejected.every((e) => e.kind === 'submit')).toBe(true);
		expect(rejected[1].headers.authorization).toBe('Token ***');
	});

	test('validation → HTTP 400 code 1201 naming the field; bad JSON 1200; unknown route 1202', async () => {
		const cases = /** @type {['text2video' | 'image2video', any, string][]} */ ([
			['text2video', { model_name: 'kling-v2-5-turbo' }, 'prompt'],
			['text2video', { prompt: 'x', duration: 5 }, 'duration'],
			['text2video', { prompt: 'x', duration: '7' }, 'duration'],
			['text2video', { prompt: 'x', model_name: 'kling-v9' }, 'model_name'],
			['text2video', { prompt: 'x', mode: 'ultra' }, 'mode'],
			['text2video', { prompt: 'x', cfg_scale: 2 }, 'cfg_scale'],
			['text2video', { prompt: 'x', aspect_ratio: '4:3' }, 'aspect_ratio'],
			['text2video', { prompt: 'x'.repeat(2501) }, 'prompt'],
			['text2video', { prompt: 'x', image: 'http://x/y.png' }, 'image'],
			['text2video', { prompt: 'x', callback_url: 'not a url' }, 'callback_url'],
			['text2video', { prompt: 'x', external_task_id: 'ext-t2v-1' }, 'external_task_id'],
			['image2video', { prompt: 'x' }, 'image'],
			['image2video', { image: 'data:image/png;base64,iVBORw0KGgo=' }, 'data:'],
			['image2video', { image: Buffer.from('plain text').toString('base64') }, 'image'],
			['image2video', { image: `${emu.url}/_assets/start.png`, aspect_ratio: '16:9' }, 'aspect_ratio'],
			['image2video', { model_name: 'kling-v2-5-turbo', image: `${emu.url}/_assets/start.png`, image_tail: `${emu.url}/_assets/end.png` }, 'pro'],
		]);
		for (const [ep, body, needle] of cases) {
			const r = await submit(ep, body);
			expect([r.status, r.json.code]).toEqual([400, 1201]);
			expect(r.json.message).toContain(needle);
			expect(r.json.request_id).toEqual(expect.any(String));
		}
		const badJson = await call(`${base}/v1/videos/text2video`, { body: '{nope', headers: auth(jwt()) });
		expect([badJson.status, badJson.json.code]).toEqual([400, 1200]);
		const route = await call(`${base}/v1/videos/omni`, { headers: auth(jwt()) });
		expect([route.status, route.json.code]).toEqual([404, 1202]);
		const missing = await status('text2video', '123');
		expect([missing.status, missing.json.code]).toEqual([404, 1203]);
	});

	test('callbacks: unsigned bare task object on processing and on the final status, retried on non-2xx', async () => {
		const rx = await startReceiver({ answers: [200, 500] });
		try {
			emu.planNextTask('kling', { generationMs: 400 }); // processing callback at ~40 ms, final at ~400 ms
			const r = await submit('text2video', { model_name: 'kling-v2-5-turbo', prompt: 'x', callback_url: `${rx.url}/hooks/kling?token=t1`, external_task_id: 'cb-1' });
			const id = r.json.data.task_id;
			const got = await rx.waitFor(3);
			expect(got.map((g) => g.url)).toEqual(['/hooks/kling?token=t1', '/hooks/kling?token=t1', '/hooks/kling?token=t1']);
			expect(got.map((g) => g.json.task_status)).toEqual(['processing', 'succeed', 'succeed']);
			const last = got[2].json;
			expect(last).toMatchObject({ task_id: id, task_status_msg: '', task_info: { external_task_id: 'cb-1' }, final_unit_deduction: '1', created_at: expect.any(Number), updated_at: expect.any(Number) });
			expect(last.task_result.videos[0].url).toContain('.mp4');
			expect(last.code).toBeUndefined(); // no envelope
			for (const g of got) {
				expect(Object.keys(g.headers).filter((h) => /signature|webhook/i.test(h))).toEqual([]);
			}
			const counts = await pollUntil(async () => emu.journal.countsByTask()[id], (c) => !c.callbackAnswers.includes('pending'));
			expect(counts).toMatchObject({ provider: 'kling', submits: 1, callbacks: 3, callbackAnswers: [200, 500, 200] });
			expect(emu.journal.entries({ kind: 'callback', taskId: id }).map((e) => e.target)).toEqual(['processing', 'final', 'final']);
		} finally {
			await rx.close();
		}
	});

	test('failed tasks: content policy (1301), image problems (1201), planned code; failed callback', async () => {
		const rx = await startReceiver();
		try {
			emu.planNextTask('kling', { fail: true });
			const a = await submit('text2video', { prompt: 'x', callback_url: `${rx.url}/f` });
			const fa = await waitDone('text2video', a.json.data.task_id);
			expect(fa.status).toBe(200);
			expect(fa.json.data).toMatchObject({ task_status: 'failed', task_status_msg: expect.stringMatching(/^1301 /) });
			expect(fa.json.data.task_result).toBeUndefined();
			const cb = (await pollUntil(async () => rx.received, (l) => l.some((g) => g.json.task_status === 'failed'))).find((g) => g.json.task_status === 'failed');
			expect(cb?.json).toMatchObject({ task_status: 'failed', final_unit_deduction: '0', task_result: { videos: [] } });
			const img = await submit('image2video', { image: `${emu.url}/_assets/not-an-image.png` });
			expect((await waitDone('image2video', img.json.data.task_id)).json.data.task_status_msg).toMatch(/^1201 /);
			emu.planNextTask('kling', { fail: { code: 5000, message: '5000 Server internal error' } });
			const c = await submit('text2video', { prompt: 'x' });
			expect((await waitDone('text2video', c.json.data.task_id)).json.data).toMatchObject({ task_status: 'failed', task_status_msg: '5000 Server internal error' });
			emu.configure({ faults: { taskFailure: 1 } });
			const d = await submit('text2video', { prompt: 'x' });
			expect((await waitDone('text2video', d.json.data.task_id)).json.data.task_status).toBe('failed');
		} finally {
			emu.configure({ faults: { taskFailure: 0 } });
			await rx.close();
		}
	});

	test('status faults in order: 429 (1302) + Retry-After, 500 (5000), 503 (5001), reset, then normal', async () => {
		emu.planNextTask('kling', { statusFaults: ['429', '500', '503', 'reset'] });
		const id = (await submit('text2video', { prompt: 'x' })).json.data.task_id;
		const r429 = await status('text2video', id);
		expect([r429.status, r429.json.code, r429.headers.get('retry-after')]).toEqual([429, 1302, '2']);
		const r500 = await status('text2video', id);
		expect([r500.status, r500.json.code]).toEqual([500, 5000]);
		const r503 = await status('text2video', id);
		expect([r503.status, r503.json.code]).toEqual([503, 5001]);
		await expect(status('text2video', id)).rejects.toThrow();
		expect((await waitDone('text2video', id)).json.data.task_status).toBe('succeed');
		const entries = emu.journal.entries({ taskId: id, kind: 'status' });
		expect(entries.slice(0, 4).map((e) => [e.fault, e.status])).toEqual([['429', 429], ['500', 500], ['503', 503], ['reset', 'reset']]);
		expect(emu.journal.countsByTask()[id]).toMatchObject({ submits: 1, statusReads: entries.length, downloads: 0 });
		// run-wide submit rate limit: refused before a task exists
		emu.configure({ faults: { submitRateLimit: 1 } });
		const before = emu.tasks.list().length;
		const limited = await submit('text2video', { prompt: 'x' });
		emu.configure({ faults: { submitRateLimit: 0 } });
		expect([limited.status, limited.json.code, limited.headers.get('retry-after')]).toEqual([429, 1302, '2']);
		expect(emu.tasks.list().length).toBe(before);
		// ambiguous submit: the task exists, the answer is a 500 (5000)
		emu.configure({ faults: { submit5xx: 1 } });
		const lost = await submit('text2video', { prompt: 'x' });
		emu.configure({ faults: { submit5xx: 0 } });
		expect([lost.status, lost.json.code]).toEqual([500, 5000]);
		expect(emu.tasks.list().length).toBe(before + 1);
	});

	test('expired result → 404; truncated download → fewer bytes than Content-Length', async () => {
		emu.planNextTask('kling', { downloadFault: 'expired' });
		const a = await waitDone('text2video', (await submit('text2video', { prompt: 'x' })).json.data.task_id);
		expect((await download(a.json.data.task_result.videos[0].url)).status).toBe(404);
		emu.planNextTask('kling', { downloadFault: 'truncated' });
		const bId = (await submit('text2video', { prompt: 'x' })).json.data.task_id;
		const url = (await waitDone('text2video', bId)).json.data.task_result.videos[0].url;
		const got = await new Promise((resolve) => {
			http.get(url, (res) => {
				let n = 0;
				res.on('data', (d) => (n += d.length));
				const done = () => resolve({ n, len: Number(res.headers['content-length']), complete: res.complete });
				res.on('close', done);
				res.on('error', done);
			});
		});
		expect(/** @type {any} */ (got).complete).toBe(false);
		expect(/** @type {any} */ (got).n).toBeLessThan(/** @type {any} */ (got).len);
		expect((await download(url)).status).toBe(200);
		expect(emu.journal.entries({ taskId: bId, kind: 'download' }).map((e) => e.fault)).toEqual(['truncated', undefined]);
	});

	test('account costs (credential test) needs a valid JWT and start/end times', async () => {
		const now = Date.now();
		const ok = await call(`${base}/account/costs?start_time=${now - 86400000}&end_time=${now}`, { headers: auth(jwt()) });
		expect(ok.status).toBe(200);
		expect(ok.json).toMatchObject({ code: 0, data: { resource_pack_subscribe_infos: [expect.objectContaining({ remaining_quantity: expect.any(Number) })] } });
		expect((await call(`${base}/account/costs`, { headers: auth(jwt()) })).json.code).toBe(1201);
		expect((await call(`${base}/account/costs?start_time=1&end_time=2`, { headers: auth(jwt({ sk: 'nope' })) })).json.code).toBe(1002);
	});
});
