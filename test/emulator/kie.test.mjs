// @ts-check
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { KEYS, KIE_HMAC_KEY, call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
const T2V = 'kling/v2-5-turbo-text-to-video-pro';
const I2V = 'kling/v2-5-turbo-image-to-video-pro';
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 120, callbackRetryDelaysMs: [40, 40, 40] });
	base = emu.baseUrl('kie');
});
afterAll(async () => {
	await emu.close();
});

/** @param {unknown} body @param {string | null} [key] */
const submit = (body, key = KEYS.kie) => call(`${base}/api/v1/jobs/createTask`, { key, body });
/** @param {string} id */
const record = (id) => call(`${base}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(id)}`, { key: KEYS.kie });
/** @param {string} id */
const waitDone = (id) => pollUntil(() => record(id), (r) => ['success', 'fail'].includes(r.json?.data?.state));

describe('Kie.ai emulator', () => {
	test('text-to-video: createTask (duration string) → recordInfo → resultJson → 10 s MP4', async () => {
		const body = { model: T2V, input: { prompt: 'storm over a city', duration: '10', aspect_ratio: '16:9', negative_prompt: 'blur', cfg_scale: 0.5 } };
		emu.planNextTask('kie', { generationMs: 600 }); // long enough to read a non-terminal state first, even on a cold start
		const r = await submit(body);
		expect(r.status).toBe(200);
		expect(r.json).toEqual({ code: 200, msg: 'success', data: { taskId: expect.any(String) } });
		const id = r.json.data.taskId;
		const first = await record(id);
		expect(first.json.data).toMatchObject({ taskId: id, model: T2V, state: expect.stringMatching(/^(waiting|queuing|generating)$/), resultJson: '' });
		expect(JSON.parse(first.json.data.param)).toEqual(body);
		const done = await waitDone(id);
		expect(done.json).toMatchObject({ code: 200, data: { state: 'success', failCode: '', completeTime: expect.any(Number), createTime: expect.any(Number) } });
		const url = JSON.parse(done.json.data.resultJson).resultUrls[0];
		const info = inspectMp4((await download(url)).body);
		expect(info).toMatchObject({ hasFtyp: true, durationSeconds: 10, width: 320, height: 180 });
	});

	test('image-to-video: image_url + tail_image_url ("" allowed), no aspect_ratio', async () => {
		const a = await submit({ model: I2V, input: { prompt: 'turn around', image_url: `${emu.url}/_assets/start.png`, tail_image_url: '', duration: '5' } });
		expect(a.json.code).toBe(200);
		const b = await submit({ model: I2V, input: { prompt: 'turn around', image_url: `${emu.url}/_assets/start.png`, tail_image_url: `${emu.url}/_assets/end.png`, duration: '5', negative_prompt: 'x'.repeat(2496) } });
		expect(b.json.code).toBe(200);
		for (const r of [a, b]) {
			const done = await waitDone(r.json.data.taskId);
			expect(done.json.data.state).toBe('success');
			expect(inspectMp4((await download(JSON.parse(done.json.data.resultJson).resultUrls[0])).body).durationSeconds).toBe(5);
		}
		expect(emu.tasks.get(b.json.data.taskId)).toMatchObject({ mode: 'image-to-video', model: I2V });
	});

	test('invalid requests: HTTP 401 for auth, body code 422 (HTTP 200) for validation', async () => {
		const wrong = await submit({ model: T2V, input: { prompt: 'x' } }, 'bad');
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ code: 401, msg: 'You do not have access permissions' });
		const cases = /** @type {[any, string][]} */ ([
			[{ model: T2V, input: { prompt: 'x', duration: 5 } }, 'duration'],
			[{ model: T2V, input: { duration: '5' } }, 'prompt'],
			[{ model: T2V, input: { prompt: 'x', cfg_scale: -0.1 } }, 'cfg_scale'],
			[{ model: T2V, input: { prompt: 'x'.repeat(2501) } }, 'prompt'],
			[{ model: T2V, input: { prompt: 'x', aspect_ratio: '21:9' } }, 'aspect_ratio'],
			[{ model: 'kling/v9', input: { prompt: 'x' } }, 'model'],
			[{ input: { prompt: 'x' } }, 'model'],
			[{ model: I2V, input: { prompt: 'x', duration: '5' } }, 'image_url'],
			[{ model: I2V, input: { prompt: 'x', image_url: `${emu.url}/_assets/start.png`, aspect_ratio: '16:9' } }, 'aspect_ratio'],
			[{ model: I2V, input: { prompt: 'x', image_url: `${emu.url}/_assets/start.png`, negative_prompt: 'x'.repeat(2497) } }, 'negative_prompt'],
			[{ model: T2V, callBackUrl: 'not a url', input: { prompt: 'x' } }, 'callBackUrl'],
		]);
		for (const [body, field] of cases) {
			const r = await submit(body);
			expect(r.status).toBe(200);
			expect(r.json.code).toBe(422);
			expect(r.json.msg).toContain(field);
		}
		const nf = await record('task_missing');
		expect(nf.status).toBe(200);
		expect(nf.json.code).toBe(404);
		const credits = await call(`${base}/api/v1/chat/credit`, { key: KEYS.kie });
		expect(credits.json).toEqual({ code: 200, msg: 'success', data: expect.any(Number) });
	});

	test('the credit balance is the kieCredits option minus what was spent; an empty balance refuses with code 402', async () => {
		const balance = async () => (await call(`${base}/api/v1/chat/credit`, { key: KEYS.kie })).json.data;
		try {
			emu.configure({ kieCredits: 100 });
			const before = await balance();
			expect(before).toBeLessThanOrEqual(100);
			emu.configure({ kieCredits: 100 + (100 - before) }); // 100 left whatever earlier tests spent
			expect(await balance()).toBe(100);
			const ok = await submit({ model: T2V, input: { prompt: 'x', duration: '5' } });
			expect(ok.json.code).toBe(200);
			expect(await balance()).toBe(58); // a 5 s 2.5 Turbo clip costs 42
			const ok2 = await submit({ model: T2V, input: { prompt: 'x', duration: '5' } });
			expect(ok2.json.code).toBe(200);
			const refused = await submit({ model: T2V, input: { prompt: 'x', duration: '5' } });
			expect(refused.json).toMatchObject({ code: 402, msg: 'Insufficient credits' });
			expect(await balance()).toBe(16);
		} finally {
			emu.configure({ kieCredits: 10000 });
		}
	});

	test('failures: failCode/failMsg in recordInfo; image fetch failure for a non-image asset', async () => {
		emu.planNextTask('kie', { fail: true });
		const a = await submit({ model: T2V, input: { prompt: 'x' } });
		const fa = await waitDone(a.json.data.taskId);
		expect(fa.json.data).toMatchObject({ state: 'fail', failCode: expect.any(String), failMsg: expect.any(String), resultJson: '' });
		expect(fa.json.data.failCode).not.toBe('');
		const b = await submit({ model: I2V, input: { prompt: 'x', image_url: `${emu.url}/_assets/not-an-image.png` } });
		expect((await waitDone(b.json.data.taskId)).json.data).toMatchObject({ state: 'fail', failCode: '422' });
	});

	test('callback: success 200 / failure 501 bodies, HMAC over taskId.timestamp verified independently; retries', async () => {
		const rx = await startReceiver({ answers: [500] });
		try {
			const r = await submit({ model: T2V, callBackUrl: `${rx.url}/kie?t=1`, input: { prompt: 'x' } });
			const id = r.json.data.taskId;
			const got = await rx.waitFor(2);
			for (const g of got) {
				expect(g.json).toMatchObject({ code: 200, msg: expect.any(String), data: { taskId: id, state: 'success', resultJson: expect.any(String) } });
				const ts = String(g.headers['x-webhook-timestamp']);
				const expected = crypto.createHmac('sha256', KIE_HMAC_KEY).update(`${id}.${ts}`).digest('base64');
				const sig = String(g.headers['x-webhook-signature']);
				expect(crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))).toBe(true);
				expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(300);
			}
			emu.planNextTask('kie', { fail: true });
			const f = await submit({ model: T2V, callBackUrl: `${rx.url}/kie2`, input: { prompt: 'x' } });
			const [, , fg] = await rx.waitFor(3);
			expect(fg.json).toMatchObject({ code: 501, data: { taskId: f.json.data.taskId, state: 'fail', failCode: expect.any(String), failMsg: expect.any(String) } });
			// without an HMAC key the callback is unsigned
			emu.configure({ secrets: { kie: null } });
			await submit({ model: T2V, callBackUrl: `${rx.url}/kie3`, input: { prompt: 'x' } });
			const [, , , ug] = await rx.waitFor(4);
			expect(ug.headers['x-webhook-signature']).toBeUndefined();
			expect(ug.headers['x-webhook-timestamp']).toBeUndefined();
		} finally {
			emu.configure({ secrets: { kie: KIE_HMAC_KEY } });
			await rx.close();
		}
	});

	test('file upload host: stream, base64 and URL uploads return a working downloadUrl', async () => {
		const up = emu.baseUrl('kie-upload');
		const png = (await download(`${emu.url}/_assets/end.png`)).body;
		const fd = new FormData();
		fd.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'end.png');
		fd.append('uploadPath', 'images/n8n');
		fd.append('fileName', 'frame.png');
		const res = await fetch(`${up}/api/file-stream-upload`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.kie}` }, body: fd });
		const j = await res.json();
		expect(j).toMatchObject({
			success: true,
			code: 200,
			msg: 'File uploaded successfully',
			data: { fileName: 'frame.png', filePath: 'images/n8n/frame.png', fileSize: png.length, mimeType: 'image/png', uploadedAt: expect.any(String) },
		});
		expect((await download(j.data.downloadUrl)).body.equals(png)).toBe(true);
		const b64 = await call(`${up}/api/file-base64-upload`, { key: KEYS.kie, body: { base64Data: `data:image/png;base64,${png.toString('base64')}`, uploadPath: 'x' } });
		expect(b64.json).toMatchObject({ success: true, data: { mimeType: 'image/png', fileSize: png.length } });
		const byUrl = await call(`${up}/api/file-url-upload`, { key: KEYS.kie, body: { fileUrl: `${emu.url}/_assets/start.png`, uploadPath: 'x' } });
		expect(byUrl.json).toMatchObject({ success: true, data: { mimeType: 'image/png' } });
		const noAuth = await call(`${up}/api/file-url-upload`, { body: { fileUrl: 'x', uploadPath: 'x' } });
		expect(noAuth.status).toBe(401);
		// an uploaded file works as an i2v image
		const r = await submit({ model: I2V, input: { prompt: 'x', image_url: j.data.downloadUrl } });
		expect((await waitDone(r.json.data.taskId)).json.data.state).toBe('success');
	});
});
