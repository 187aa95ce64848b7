// @ts-check
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { call, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';
import { expectVideo, longText } from './family-support.mjs';

const AK = 'kling_emulator_access_key';
const SK = 'kling_emulator_secret_key';
const API_KEY = 'kling_emulator_api_key';

/** HS256 token as Kling's docs describe it (independent of the emulator). */
function jwt() {
	const now = Math.floor(Date.now() / 1000);
	const enc = (/** @type {unknown} */ v) => Buffer.from(JSON.stringify(v)).toString('base64url');
	const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ iss: AK, exp: now + 1800, nbf: now - 5 })}`;
	return `${head}.${crypto.createHmac('sha256', SK).update(head).digest('base64url')}`;
}

/**
 * Standard Webhooks verification as Kling's callbacks page describes it (manual steps, appendix B).
 * @param {string} secret @param {string} id @param {string} ts @param {string} raw @param {string} header
 */
function standardWebhooksValid(secret, id, ts, raw, header) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const expected = crypto.createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64');
	return header.split(' ').some((s) => {
		const [v, sig] = s.split(',', 2);
		return v === 'v1' && sig !== undefined && sig.length === expected.length && crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
	});
}

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
/** @type {string} */
let img;
/** @type {string} */
let img2;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 60, callbackRetryDelaysMs: [40, 40, 40] });
	base = emu.baseUrl('kling');
	img = `${emu.url}/_assets/start.png`;
	img2 = `${emu.url}/_assets/end.png`;
});
afterAll(async () => {
	await emu.close();
});

const bearer = (/** @type {string} */ t) => ({ authorization: `Bearer ${t}` });
/** @param {string} path @param {unknown} body @param {string} [token] */
const post = (path, body, token = API_KEY) => call(`${base}${path}`, { body, headers: bearer(token) });
/** @param {string} path @param {string} [token] */
const get = (path, token = API_KEY) => call(`${base}${path}`, { headers: bearer(token) });
/** @param {string} id */
const waitNew = (id) => pollUntil(() => get(`/tasks?task_ids=${id}`), (r) => ['succeeded', 'failed'].includes(r.json?.data?.[0]?.status));
/** @param {'text2video' | 'image2video'} ep @param {string} id @param {string} [token] */
const waitLegacy = (ep, id, token = jwt()) => pollUntil(() => get(`/v1/videos/${ep}/${id}`, token), (r) => ['succeed', 'failed'].includes(r.json?.data?.task_status));

describe('Kling official, legacy API: kling-v2-6 and kling-v3', () => {
	const LEGACY = /** @type {['text2video' | 'image2video', () => Record<string, unknown>, { duration: number, audio: boolean, shots?: number[] }][]} */ ([
		['text2video', () => ({ model_name: 'kling-v2-6', prompt: 'a fox', mode: 'pro', sound: 'on', duration: '10' }), { duration: 10, audio: true }],
		['text2video', () => ({ model_name: 'kling-v2-6', prompt: 'a fox' }), { duration: 5, audio: false }], // sound default off
		['image2video', () => ({ model_name: 'kling-v2-6', image: img, image_tail: img2, mode: 'pro', sound: 'off' }), { duration: 5, audio: false }],
		['text2video', () => ({ model_name: 'kling-v3', prompt: 'a fox', mode: '4k', duration: '9', sound: 'on', aspect_ratio: '1:1' }), { duration: 9, audio: true }],
		['image2video', () => ({ model_name: 'kling-v3', image: img, image_tail: img2, prompt: 'with <<<element_1>>>', duration: '3', element_list: [{ element_id: 829836802793406551 }] }), { duration: 3, audio: false }],
		[
			'text2video',
			() => ({ model_name: 'kling-v3', multi_shot: true, shot_type: 'customize', duration: '8', multi_prompt: [{ index: 1, prompt: 'wide', duration: '5' }, { index: 2, prompt: 'close', duration: '3' }] }),
			{ duration: 8, audio: false, shots: [5, 3] },
		],
		['text2video', () => ({ model_name: 'kling-v3', prompt: 'a fox', sound: 'on', voice_list: [{ voice_id: 'v1' }, { voice_id: 'v2' }] }), { duration: 5, audio: true }],
	]);

	test.each(LEGACY.map((a, i) => /** @type {const} */ ([`${a[0]} ${a[1]().model_name} #${i}`, a])))('%s (API key and JWT both accepted)', async (_n, [ep, body, want]) => {
		const token = _n.endsWith('#0') || _n.endsWith('#3') ? API_KEY : jwt();
		const r = await post(`/v1/videos/${ep}`, body(), token);
		expect([r.status, r.json.code, r.json.message]).toEqual([200, 0, 'SUCCEED']);
		const id = r.json.data.task_id;
		const done = await waitLegacy(ep, id, token);
		const [video] = done.json.data.task_result.videos;
		expect(video).toMatchObject({ id: expect.any(String), url: expect.any(String), watermark_url: expect.any(String), duration: String(want.duration) });
		expect(emu.tasks.get(id)).toMatchObject({ media: { duration: want.duration, audio: want.audio, shots: want.shots ?? null } });
		await expectVideo(video.url, want);
	});

	test('strict legacy rules → HTTP 400 code 1201', async () => {
		const cases = /** @type {['text2video' | 'image2video', Record<string, unknown>, string][]} */ ([
			['text2video', { model_name: 'kling-v2-6', prompt: 'x', duration: '7' }, 'duration'],
			['text2video', { model_name: 'kling-v2-6', prompt: 'x', sound: 'on' }, 'pro'], // 2.6 audio needs pro
			['text2video', { model_name: 'kling-v2-6', prompt: 'x', mode: '4k' }, 'mode'], // 4k is v3 only
			['text2video', { model_name: 'kling-v2-6', prompt: 'x', multi_shot: true }, 'kling-v3 only'],
			['text2video', { model_name: 'kling-v2-5-turbo', prompt: 'x', sound: 'off' }, 'sound is not supported'],
			['text2video', { model_name: 'kling-v3', prompt: 'x', duration: '16' }, 'duration'],
			['text2video', { model_name: 'kling-v3', prompt: 'x', duration: 5 }, 'string'],
			['text2video', { model_name: 'kling-v3', prompt: 'x', sound: true }, 'sound'],
			['text2video', { model_name: 'kling-v3', multi_shot: true, duration: '5', multi_prompt: [{ index: 1, prompt: 'a', duration: '5' }] }, 'shot_type'],
			['text2video', { model_name: 'kling-v3', multi_shot: true, shot_type: 'intelligent', duration: '5', multi_prompt: [{ index: 1, prompt: 'a', duration: '5' }] }, 'shot_type'],
			['text2video', { model_name: 'kling-v3', multi_shot: true, shot_type: 'customize', duration: '9', multi_prompt: [{ index: 1, prompt: 'a', duration: '5' }] }, 'add up to 5'],
			['text2video', { model_name: 'kling-v3', multi_shot: true, shot_type: 'customize', duration: '5', multi_prompt: [{ index: 1, prompt: 'a', duration: 5 }] }, 'duration'],
			['text2video', { model_name: 'kling-v3', multi_shot: true, shot_type: 'customize', duration: '7', multi_prompt: Array.from({ length: 7 }, (_, i) => ({ index: i + 1, prompt: 'a', duration: '1' })) }, 'multi_prompt'],
			['text2video', { model_name: 'kling-v3', multi_shot: true, shot_type: 'customize', duration: '5', multi_prompt: [{ index: 1, prompt: longText(513), duration: '5' }] }, '512'],
			['image2video', { model_name: 'kling-v3', multi_shot: true, shot_type: 'customize', image: img, duration: '5', multi_prompt: [{ index: 1, prompt: 'a', duration: '5' }] }, 'multi_shot does not support'],
			['image2video', { model_name: 'kling-v3', image: img, element_list: [1, 2, 3, 4].map((n) => ({ element_id: n })) }, 'element_list'],
			['text2video', { model_name: 'kling-v3', prompt: 'x', element_list: [{ element_id: 1 }] }, 'element_list'], // image2video only
			['image2video', { model_name: 'kling-v2-6', image: img, image_tail: img2, mode: 'std' }, 'image_tail'],
			['text2video', { model_name: 'kling-v3', prompt: 'x', voice_list: [{ voice_id: 'v' }] }, 'sound "on"'],
		]);
		for (const [ep, body, needle] of cases) {
			const r = await post(`/v1/videos/${ep}`, body, jwt());
			expect([needle, r.status, r.json.code]).toEqual([needle, 400, 1201]);
			expect(r.json.message).toContain(needle);
		}
	});

	test('query by external_task_id: path form and ?external_task_id= form; list', async () => {
		const r = await post('/v1/videos/text2video', { model_name: 'kling-v3', prompt: 'x', external_task_id: 'legacy-ext-1' }, jwt());
		const id = r.json.data.task_id;
		expect((await get('/v1/videos/text2video/legacy-ext-1', jwt())).json.data.task_id).toBe(id);
		expect((await get('/v1/videos/text2video?external_task_id=legacy-ext-1', jwt())).json.data.task_id).toBe(id);
		expect((await get(`/v1/videos/text2video?task_id=${id}`)).json.data.task_id).toBe(id);
		const list = await get('/v1/videos/text2video?pageNum=1&pageSize=500', jwt());
		expect(list.json.data.some((/** @type {any} */ t) => t.task_id === id)).toBe(true);
		expect((await get('/v1/videos/image2video?external_task_id=legacy-ext-1', jwt())).json.code).toBe(1203);
	});
});

describe('Kling official, new per-model API', () => {
	const NEW = /** @type {[string, () => Record<string, unknown>, { duration: number, audio: boolean, shots?: number[], mode: string }][]} */ ([
		['/text-to-video/kling-3.0', () => ({ prompt: 'a fox', settings: { audio: 'native', resolution: '4k', aspect_ratio: '9:16', duration: 12 } }), { duration: 12, audio: true, mode: 'text-to-video' }],
		['/text-to-video/kling-3.0', () => ({ prompt: '镜头 1, 4, a wide harbour; 镜头 2, 2, a gull;', settings: { duration: 6 } }), { duration: 6, audio: false, shots: [4, 2], mode: 'text-to-video' }],
		['/text-to-video/kling-3.0', () => ({ prompt: 'a fox' }), { duration: 5, audio: false, mode: 'text-to-video' }],
		['/image-to-video/kling-3.0', () => ({ contents: [{ type: 'prompt', text: 'it moves @hero' }, { type: 'first_frame', url: img }, { type: 'last_frame', url: img2 }, { type: 'element', element_id: 123, id: 'hero' }], settings: { duration: 15, audio: 'native' } }), { duration: 15, audio: true, mode: 'image-to-video' }],
		['/text-to-video/kling-3.0-turbo', () => ({ prompt: 'a fox', settings: { resolution: '1080p', duration: 3 } }), { duration: 3, audio: true, mode: 'text-to-video' }],
		['/image-to-video/kling-3.0-turbo', () => ({ contents: [{ type: 'prompt', text: 'a fox' }, { type: 'first_frame', url: img }], settings: { duration: 8 } }), { duration: 8, audio: true, mode: 'image-to-video' }],
		['/text-to-video/kling-2.6', () => ({ prompt: 'a fox', settings: { audio: 'native', resolution: '1080p', duration: 10 } }), { duration: 10, audio: true, mode: 'text-to-video' }],
		['/image-to-video/kling-2.6', () => ({ contents: [{ type: 'prompt', text: '@narrator speaks' }, { type: 'first_frame', url: img }, { type: 'voice', voice_id: 'v1', id: 'narrator' }], settings: { audio: 'native', resolution: '1080p' } }), { duration: 5, audio: true, mode: 'image-to-video' }],
		['/text-to-video/kling-2.5-turbo', () => ({ prompt: 'a fox', settings: { duration: 10, aspect_ratio: '1:1' } }), { duration: 10, audio: false, mode: 'text-to-video' }],
		['/image-to-video/kling-2.5-turbo', () => ({ contents: [{ type: 'first_frame', url: img }, { type: 'last_frame', url: img2 }], settings: { resolution: '1080p' } }), { duration: 5, audio: false, mode: 'image-to-video' }],
		['/omni-video/kling-3.0-omni', () => ({ contents: [{ type: 'prompt', text: 'a fox like @image_1' }, { type: 'refer_image', url: img, id: 'image_1' }], settings: { audio: 'native', duration: 4 } }), { duration: 4, audio: true, mode: 'image-to-video' }],
		['/omni-video/kling-3.0-omni', () => ({ contents: [{ type: 'prompt', text: 'a fox' }], settings: { duration: 3 } }), { duration: 3, audio: false, mode: 'text-to-video' }],
		['/omni-video/kling-o1', () => ({ contents: [{ type: 'prompt', text: 'a fox' }, { type: 'first_frame', url: img }], settings: { duration: 10 } }), { duration: 10, audio: false, mode: 'image-to-video' }],
		['/omni-video/kling-o1', () => ({ contents: [{ type: 'prompt', text: 'a fox' }], settings: { duration: 7, aspect_ratio: '9:16' } }), { duration: 7, audio: false, mode: 'text-to-video' }],
	]);

	test.each(NEW.map((a, i) => /** @type {const} */ ([`${a[0]} #${i}`, a])))('%s', async (_n, [path, body, want]) => {
		const r = await post(path, body());
		expect([r.status, r.json.code, r.json.message]).toEqual([200, 0, 'SUCCEED']);
		expect(r.json.data).toEqual({ id: expect.any(String), status: 'submitted', create_time: expect.any(Number), update_time: expect.any(Number) });
		const id = r.json.data.id;
		const done = await waitNew(id);
		expect(done.json.data).toHaveLength(1);
		const t = done.json.data[0];
		expect(t).toMatchObject({ id, status: 'succeeded', message: '', create_time: expect.any(Number), update_time: expect.any(Number) });
		expect(t.outputs).toEqual([{ type: 'video', id: expect.any(String), url: expect.any(String), watermark_url: expect.any(String), duration: String(want.duration) }]);
		expect(t.billing).toEqual([expect.objectContaining({ charge_type: 'unit', amount: expect.any(String) })]);
		expect(emu.tasks.get(id)).toMatchObject({ model: path.split('/')[2], mode: want.mode, media: { duration: want.duration, audio: want.audio, shots: want.shots ?? null } });
		await expectVideo(t.outputs[0].url, want);
		// the legacy query path does not know new-API tasks
		expect((await get(`/v1/videos/text2video/${id}`)).json.code).toBe(1203);
	});

	test('auth: the new API takes API keys only; the legacy API takes the key or the JWT', async () => {
		const body = { prompt: 'x' };
		const withJwt = await post('/text-to-video/kling-3.0', body, jwt());
		expect([withJwt.status, withJwt.json.code]).toEqual([401, 1002]);
		expect(withJwt.json.message).toContain('API keys only');
		const wrong = await post('/text-to-video/kling-3.0', body, 'not-the-key');
		expect([wrong.status, wrong.json.code]).toEqual([401, 1000]);
		expect((await get('/tasks?task_ids=1', jwt())).status).toBe(401);
		expect((await post('/v1/videos/text2video', body, API_KEY)).status).toBe(200);
		expect((await post('/v1/videos/text2video', body, jwt())).status).toBe(200);
	});

	test('GET /tasks: task_ids=a,b XOR external_task_ids=, array answer in request order', async () => {
		const a = (await post('/text-to-video/kling-3.0', { prompt: 'a', options: { external_task_id: 'new-ext-a' } })).json.data;
		expect(a.external_id).toBe('new-ext-a');
		const b = (await post('/text-to-video/kling-3.0-turbo', { prompt: 'b', options: { external_task_id: 'new-ext-b', watermark_info: { enabled: true } } })).json.data;
		const byIds = await get(`/tasks?task_ids=${b.id},${a.id},999`);
		expect(byIds.json.data.map((/** @type {any} */ t) => t.id)).toEqual([b.id, a.id]); // unknown ids are left out
		const byExt = await get('/tasks?external_task_ids=new-ext-a,new-ext-b');
		expect(byExt.json.data.map((/** @type {any} */ t) => [t.id, t.external_id])).toEqual([[a.id, 'new-ext-a'], [b.id, 'new-ext-b']]);
		for (const q of ['', `?task_ids=${a.id}&external_task_ids=new-ext-a`, '?task_ids=']) {
			const r = await get(`/tasks${q}`);
			expect([r.status, r.json.code]).toEqual([400, 1201]);
		}
		const dup = await post('/text-to-video/kling-3.0', { prompt: 'c', options: { external_task_id: 'new-ext-a' } });
		expect([dup.status, dup.json.code]).toEqual([400, 1201]);
	});

	test('strict new-API rules → HTTP 400 code 1201', async () => {
		const ff = { type: 'first_frame', url: `${emu.url}/_assets/start.png` };
		const cases = /** @type {[string, Record<string, unknown>, string][]} */ ([
			['/text-to-video/kling-3.0', { prompt: 'x', settings: { duration: '5' } }, 'integer'],
			['/text-to-video/kling-3.0', { prompt: 'x', settings: { duration: 16 } }, 'duration'],
			['/text-to-video/kling-3.0', { prompt: 'x', negative_prompt: 'blur' }, 'negative_prompt'],
			['/text-to-video/kling-3.0', { prompt: 'x', settings: { cfg_scale: 0.5 } }, 'cfg_scale'],
			['/text-to-video/kling-3.0', { prompt: 'x', settings: { audio: 'on' } }, 'audio'],
			['/text-to-video/kling-3.0', { prompt: 'x', callback_url: 'http://127.0.0.1/x' }, 'callback_url'], // callback goes in options
			['/text-to-video/kling-3.0', { prompt: longText(3073) }, '3072'],
			['/text-to-video/kling-3.0', { prompt: '镜头 1, 3, a; 镜头 2, 3, b;', settings: { duration: 5 } }, 'add up to 6'],
			['/text-to-video/kling-3.0', { prompt: Array.from({ length: 7 }, (_, i) => `镜头 ${i + 1}, 1, s;`).join(' '), settings: { duration: 7 } }, 'more than 6'],
			['/image-to-video/kling-3.0', { contents: [{ type: 'prompt', text: 'x' }] }, 'first_frame'],
			['/image-to-video/kling-3.0', { contents: [{ type: 'last_frame', url: `${emu.url}/_assets/end.png` }] }, 'first_frame'],
			['/image-to-video/kling-3.0', { contents: [ff], settings: { aspect_ratio: '16:9' } }, 'aspect_ratio'],
			['/image-to-video/kling-3.0', { contents: [ff, ...[1, 2, 3, 4].map((n) => ({ type: 'element', element_id: n, id: `e${n}` }))] }, 'at most 3 element'],
			['/image-to-video/kling-3.0', { contents: [{ type: 'prompt', text: '镜头 1, 5, a;' }, ff, { type: 'last_frame', url: ff.url }], settings: { duration: 5 } }, 'last_frame'],
			['/text-to-video/kling-3.0-turbo', { prompt: 'x', settings: { audio: 'native' } }, 'audio'],
			['/text-to-video/kling-3.0-turbo', { prompt: 'x', settings: { resolution: '4k' } }, 'resolution'],
			['/image-to-video/kling-3.0-turbo', { contents: [ff, { type: 'last_frame', url: ff.url }] }, 'type must be one of'],
			['/text-to-video/kling-2.6', { prompt: 'x', settings: { duration: 7 } }, 'duration'],
			['/text-to-video/kling-2.6', { prompt: 'x', settings: { audio: 'native', resolution: '720p' } }, '1080p'],
			['/image-to-video/kling-2.6', { contents: [ff, { type: 'last_frame', url: ff.url }], settings: { audio: 'native', resolution: '1080p' } }, 'last_frame'],
			['/image-to-video/kling-2.6', { contents: [ff, { type: 'voice', voice_id: 'v', id: 'n' }] }, 'voice'],
			['/text-to-video/kling-2.5-turbo', { prompt: 'x', settings: { audio: 'off' } }, 'audio'],
			['/image-to-video/kling-2.5-turbo', { contents: [ff, { type: 'last_frame', url: ff.url }] }, '1080p'],
			['/omni-video/kling-3.0-omni', { contents: [ff] }, 'prompt item'],
			['/omni-video/kling-3.0-omni', { contents: [{ type: 'prompt', text: 'x' }, { type: 'feature_video', url: 'https://example.com/v.mp4' }], settings: { audio: 'native' } }, 'feature_video'],
			['/omni-video/kling-3.0-omni', { contents: [{ type: 'prompt', text: 'x' }, ff, { type: 'base_video', url: 'https://example.com/v.mp4' }] }, 'base_video'],
			['/omni-video/kling-3.0-omni', { contents: [{ type: 'prompt', text: 'x' }, ...Array.from({ length: 8 }, () => ({ type: 'refer_image', url: ff.url }))] }, 'limited to 7'],
			['/omni-video/kling-o1', { contents: [{ type: 'prompt', text: 'x' }], settings: { multi_shot: true } }, 'multi_shot'],
			['/omni-video/kling-o1', { contents: [{ type: 'prompt', text: 'x' }], settings: { audio: 'native' } }, 'audio'],
			['/omni-video/kling-o1', { contents: [{ type: 'prompt', text: 'x' }], settings: { duration: 11 } }, 'duration'],
			['/omni-video/kling-o1', { contents: [{ type: 'prompt', text: 'x' }, ff], settings: { duration: 7 } }, '5 or 10'],
		]);
		for (const [path, body, needle] of cases) {
			const r = await post(path, body);
			expect([path, needle, r.status, r.json.code]).toEqual([path, needle, 400, 1201]);
			expect(r.json.message).toContain(needle);
		}
		const unknown = await post('/text-to-video/kling-4.0', { prompt: 'x' });
		expect([unknown.status, unknown.json.code]).toEqual([404, 1203]);
	});
});

describe('Kling official: callbacks and Webhook Signature', () => {
	test('doc test vector (callbacks page, appendix B) reproduces with the emulator signer', async () => {
		const { klingWebhookSignature } = await import('./index.mjs');
		const raw = '{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}';
		const secret = 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=';
		expect(`v1,${klingWebhookSignature(secret, '9876543210', 1781080794, raw)}`).toBe('v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4=');
		expect(standardWebhooksValid(secret, '9876543210', '1781080794', raw, 'v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4=')).toBe(true);
	});

	test('new API: bare task object on processing and final; unsigned without a secret', async () => {
		const rx = await startReceiver();
		try {
			emu.planNextTask('kling', { generationMs: 300 });
			const r = await post('/text-to-video/kling-3.0', { prompt: 'x', options: { callback_url: `${rx.url}/cb`, external_task_id: 'cb-new-1' } });
			const id = r.json.data.id;
			const got = await rx.waitFor(2);
			expect(got.map((g) => g.json.status)).toEqual(['processing', 'succeeded']);
			expect(got[1].json).toMatchObject({ id, status: 'succeeded', message: '', external_id: 'cb-new-1', outputs: [expect.objectContaining({ type: 'video' })], billing: expect.any(Array) });
			expect(got[1].json.data).toBeUndefined(); // not wrapped
			expect(got[1].json.code).toBeUndefined();
			expect(Array.isArray(got[1].json)).toBe(false);
			for (const g of got) expect(Object.keys(g.headers).filter((h) => h.startsWith('webhook-'))).toEqual([]);
		} finally {
			await rx.close();
		}
	});

	test('with a Webhook Secret both callback bodies are signed (Standard Webhooks); bad-signature fault', async () => {
		const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
		emu.configure({ secrets: { klingWebhook: secret } });
		const rx = await startReceiver();
		try {
			emu.planNextTask('kling', { generationMs: 0 });
			await post('/text-to-video/kling-2.6', { prompt: 'x', options: { callback_url: `${rx.url}/new` } });
			emu.planNextTask('kling', { generationMs: 0 });
			await post('/v1/videos/text2video', { model_name: 'kling-v3', prompt: 'x', callback_url: `${rx.url}/legacy` }, jwt());
			emu.planNextTask('kling', { generationMs: 0, callbackFaults: ['bad-signature'] });
			await post('/text-to-video/kling-2.6', { prompt: 'x', options: { callback_url: `${rx.url}/bad` } });
			const got = await rx.waitFor(3);
			const byUrl = Object.fromEntries(got.map((g) => [g.url, g]));
			for (const u of ['/new', '/legacy']) {
				const h = byUrl[u].headers;
				expect(h['webhook-id']).toMatch(/^\d+$/);
				expect(Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
				expect(standardWebhooksValid(secret, String(h['webhook-id']), String(h['webhook-timestamp']), byUrl[u].raw, String(h['webhook-signature']))).toBe(true);
			}
			expect(byUrl['/new'].json.status).toBe('succeeded');
			expect(byUrl['/legacy'].json.task_status).toBe('succeed');
			const bad = byUrl['/bad'];
			expect(standardWebhooksValid(secret, String(bad.headers['webhook-id']), String(bad.headers['webhook-timestamp']), bad.raw, String(bad.headers['webhook-signature']))).toBe(false);
		} finally {
			emu.configure({ secrets: { klingWebhook: null } });
			await rx.close();
		}
	});
});

describe('Kling official: error codes follow the official table', () => {
	test('service code → HTTP status', async () => {
		const { KLING_HTTP_STATUS } = await import('./providers/kling.mjs');
		expect(KLING_HTTP_STATUS).toMatchObject({
			1000: 401, 1001: 401, 1002: 401, 1003: 401, 1004: 401, 1100: 429, 1101: 429, 1102: 429, 1103: 403, 1200: 400, 1201: 400,
			1202: 404, 1203: 404, 1300: 400, 1301: 400, 1302: 429, 1303: 429, 1304: 429, 5000: 500, 5001: 503, 5002: 504,
		});
		const route = await get('/v2/nothing');
		expect([route.status, route.json.code]).toEqual([404, 1202]);
	});
});
