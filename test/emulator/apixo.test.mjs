// @ts-check
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { KEYS, call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 120, callbackRetryDelaysMs: [40, 40, 40] });
	base = emu.baseUrl('apixo');
});
afterAll(async () => {
	await emu.close();
});

/** @param {unknown} body @param {string | null} [key] @param {string} [model] */
const submit = (body, key = KEYS.apixo, model = 'kling-2-5-turbo-pro') => call(`${base}/api/v1/generateTask/${model}`, { key, body });
/** @param {string} id */
const status = (id) => call(`${base}/api/v1/statusTask/kling-2-5-turbo-pro?taskId=${encodeURIComponent(id)}`, { key: KEYS.apixo });
/** @param {string} id */
const waitDone = (id) => pollUntil(() => status(id), (r) => ['success', 'failed'].includes(r.json?.data?.state));

describe('APIXO emulator', () => {
	test('text-to-video: submit → poll (pending/processing/success) → resultJson string → 5 s MP4', async () => {
		const r = await submit({ request_type: 'async', provider: 'auto', input: { mode: 'text-to-video', prompt: 'a koi pond', duration: 5, aspect_ratio: '1:1', cfg_scale: 0.6, negative_prompt: 'blur' } });
		expect(r.status).toBe(200);
		expect(r.json).toEqual({ code: 200, message: 'success', data: { taskId: expect.stringMatching(/^task_/) } });
		const id = r.json.data.id ?? r.json.data.taskId;
		const first = await status(id);
		expect(first.json).toMatchObject({ code: 200, message: 'success', data: { taskId: id, state: expect.stringMatching(/^(pending|processing)$/), createTime: expect.any(Number) } });
		expect(first.json.data.resultJson).toBeUndefined();
		const done = await waitDone(id);
		expect(done.json.data).toMatchObject({ state: 'success', completeTime: expect.any(Number), costTime: expect.any(Number) });
		expect(typeof done.json.data.resultJson).toBe('string');
		const { resultUrls } = JSON.parse(done.json.data.resultJson);
		const video = await download(resultUrls[0]);
		expect(video.headers.get('content-type')).toBe('video/mp4');
		expect(inspectMp4(video.body)).toMatchObject({ hasFtyp: true, durationSeconds: 5, width: 240, height: 240 });
	});

	test('image-to-video with start and end frame (image_urls), 10 s', async () => {
		const r = await submit({
			input: { mode: 'image-to-video', prompt: 'zoom in', duration: 10, image_urls: [`${emu.url}/_assets/start.png`, `${emu.url}/_assets/end.png`] },
		});
		expect(r.status).toBe(200);
		const done = await waitDone(r.json.data.taskId);
		expect(done.json.data.state).toBe('success');
		const info = inspectMp4((await download(JSON.parse(done.json.data.resultJson).resultUrls[0])).body);
		expect(info.durationSeconds).toBe(10);
		expect(emu.tasks.get(r.json.data.taskId)).toMatchObject({ provider: 'apixo', mode: 'image-to-video', model: 'kling-2-5-turbo-pro' });
	});

	test('invalid requests: 401 body, 400 {code,message:"Invalid request",data:{error}}, 404 model/task', async () => {
		const wrong = await submit({ input: { prompt: 'x', duration: 5 } }, 'bad');
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ code: 401, message: 'Invalid or missing API key' });
		const cases = /** @type {[any, string][]} */ ([
			[{ input: { mode: 'text-to-video', duration: 5 } }, 'prompt'],
			[{ input: { prompt: 'x', duration: '5' } }, 'duration'],
			[{ input: { prompt: 'x' } }, 'duration'],
			[{ input: { prompt: 'x', duration: 5, cfg_scale: 1.5 } }, 'cfg_scale'],
			[{ input: { prompt: 'x'.repeat(2501), duration: 5 } }, 'prompt'],
			[{ input: { prompt: 'x', duration: 5, aspect_ratio: '4:3' } }, 'aspect_ratio'],
			[{ input: { mode: 'image-to-video', prompt: 'x', duration: 5 } }, 'image_urls'],
			[{ input: { mode: 'image-to-video', prompt: 'x', duration: 5, image_urls: ['a', 'b', 'c'] } }, 'image_urls'],
			[{ input: { mode: 'image-to-video', prompt: 'x', duration: 5, image_urls: [`${emu.url}/_assets/start.png`], aspect_ratio: '16:9' } }, 'aspect_ratio'],
			[{ request_type: 'callback', input: { prompt: 'x', duration: 5 } }, 'callback_url'],
			[{ request_type: 'sync', input: { prompt: 'x', duration: 5 } }, 'request_type'],
			[{ provider: 'cheap', input: { prompt: 'x', duration: 5 } }, 'provider'],
			[{ input: { prompt: 'x', duration: 5, guidance_scale: 0.5 } }, 'guidance_scale'],
		]);
		for (const [body, field] of cases) {
			const r = await submit(body);
			expect(r.status).toBe(400);
			expect(r.json).toEqual({ code: 400, message: 'Invalid request', data: { error: expect.stringContaining(field) } });
		}
		const model = await submit({ input: { prompt: 'x', duration: 5 } }, KEYS.apixo, 'kling-9');
		expect(model.status).toBe(404);
		const task = await status('task_nope');
		expect(task.status).toBe(404);
		expect(task.json.code).toBe(404);
		const bal = await call(`${base}/api/v1/apikeys/current-balance`, { key: KEYS.apixo });
		expect(bal.json).toMatchObject({ code: 200, data: { balance: expect.any(Number) } });
	});

	test('failures: CONTENT_VIOLATION (plan), INVALID_IMAGE_URL (missing / not an image)', async () => {
		emu.planNextTask('apixo', { fail: true });
		const a = await submit({ input: { prompt: 'x', duration: 5 } });
		const fa = await waitDone(a.json.data.taskId);
		expect(fa.status).toBe(200);
		expect(fa.json.data).toMatchObject({ state: 'failed', failCode: 'CONTENT_VIOLATION', failMsg: expect.any(String) });
		expect(fa.json.data.resultJson).toBeUndefined();
		const b = await submit({ input: { mode: 'image-to-video', prompt: 'x', duration: 5, image_urls: [`${emu.url}/_assets/not-an-image.png`] } });
		expect((await waitDone(b.json.data.taskId)).json.data).toMatchObject({ state: 'failed', failCode: 'INVALID_IMAGE_URL' });
		const c = await submit({ input: { mode: 'image-to-video', prompt: 'x', duration: 5, image_urls: [`${emu.url}/_assets/start.png`, `${emu.url}/_assets/gone.png`] } });
		expect((await waitDone(c.json.data.taskId)).json.data).toMatchObject({ state: 'failed', failCode: 'INVALID_IMAGE_URL' });
	});

	test('callback (request_type=callback): same envelope, unsigned, retried after failures', async () => {
		const rx = await startReceiver({ answers: [502] });
		try {
			const r = await submit({ request_type: 'callback', callback_url: `${rx.url}/apixo-cb`, input: { prompt: 'x', duration: 5 } });
			const id = r.json.data.taskId;
			const got = await rx.waitFor(2);
			for (const g of got) {
				expect(g.json).toMatchObject({ code: 200, message: 'success', data: { taskId: id, state: 'success', resultJson: expect.any(String) } });
				expect(Object.keys(g.headers).filter((h) => /signature|webhook/i.test(h))).toEqual([]);
			}
			expect(JSON.parse(got[1].json.data.resultJson).resultUrls[0]).toContain(`/apixo/_results/${id}.mp4`);
			emu.planNextTask('apixo', { fail: true });
			const f = await submit({ request_type: 'callback', callback_url: `${rx.url}/apixo-cb2`, input: { prompt: 'x', duration: 5 } });
			const [, , fg] = await rx.waitFor(3);
			expect(fg.json).toMatchObject({ code: 200, data: { taskId: f.json.data.taskId, state: 'failed', failCode: 'CONTENT_VIOLATION' } });
		} finally {
			await rx.close();
		}
	});
});
