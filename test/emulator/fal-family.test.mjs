// @ts-check
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { call, pollUntil } from '../support/emulator-helpers.mjs';
import { expectVideo } from './family-support.mjs';

const KEY = 'fal_emulator_test_key';
/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
/** @type {string} */
let img;
/** @type {string} */
let img2;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 60 });
	base = emu.baseUrl('fal');
	img = `${emu.url}/_assets/start.png`;
	img2 = `${emu.url}/_assets/end.png`;
});
afterAll(async () => {
	await emu.close();
});

const auth = { authorization: `Key ${KEY}` };
/** @param {string} endpoint @param {unknown} body */
const submit = (endpoint, body) => call(`${base}/${endpoint}`, { body, headers: auth });
/** @param {string} url */
const get = (url) => call(url, { headers: auth });

const shots = [{ prompt: 'wide', duration: '4' }, { prompt: 'close', duration: '2' }];
const ACCEPTED = /** @type {[string, () => Record<string, unknown>, { duration: number, audio: boolean, app: string, shots?: number[] }][]} */ ([
	['fal-ai/kling-video/v2.6/pro/text-to-video', () => ({ prompt: 'a fox' }), { duration: 5, audio: true, app: 'fal-ai/kling-video' }], // generate_audio default true
	['fal-ai/kling-video/v2.6/pro/text-to-video', () => ({ prompt: 'a fox', duration: '10', generate_audio: false, aspect_ratio: '1:1', cfg_scale: 0.3, negative_prompt: 'blur' }), { duration: 10, audio: false, app: 'fal-ai/kling-video' }],
	['fal-ai/kling-video/v2.6/pro/image-to-video', () => ({ prompt: 'a fox', start_image_url: img, end_image_url: img2, voice_ids: ['v1'] }), { duration: 5, audio: true, app: 'fal-ai/kling-video' }],
	...['standard', 'pro'].flatMap((t) => /** @type {[string, () => Record<string, unknown>, any][]} */ ([
		[`fal-ai/kling-video/v3/${t}/text-to-video`, () => ({ prompt: 'a fox', duration: '15', shot_type: 'intelligent', generate_audio: false }), { duration: 15, audio: false, app: 'fal-ai/kling-video' }],
		[`fal-ai/kling-video/v3/${t}/image-to-video`, () => ({ multi_prompt: shots, start_image_url: img, elements: [{ frontal_image_url: img, reference_image_urls: [img2] }, { video_url: 'https://example.com/e.mp4' }] }), { duration: 6, audio: true, app: 'fal-ai/kling-video', shots: [4, 2] }],
		[`fal-ai/kling-video/o3/${t}/text-to-video`, () => ({ prompt: 'a fox', duration: '3', aspect_ratio: '9:16' }), { duration: 3, audio: true, app: 'fal-ai/kling-video' }],
		[`fal-ai/kling-video/o3/${t}/image-to-video`, () => ({ prompt: 'a fox', start_image_url: img, end_image_url: img2, generate_audio: false }), { duration: 5, audio: false, app: 'fal-ai/kling-video' }],
	])),
	['fal-ai/kling-video/v3/standard/text-to-video', () => ({ multi_prompt: shots, duration: '6' }), { duration: 6, audio: true, app: 'fal-ai/kling-video', shots: [4, 2] }],
	['fal-ai/kling-video/v3/4k/image-to-video', () => ({ prompt: 'a fox', start_image_url: img, duration: '8' }), { duration: 8, audio: true, app: 'fal-ai/kling-video' }],
	['kling/v4/text-to-video', () => ({ prompt: 'a fox', duration: 30, resolution: '1080p', aspect_ratio: '21:9' }), { duration: 30, audio: true, app: 'kling/v4' }],
	['kling/v4/text-to-video', () => ({ multi_prompt: [{ prompt: 'a', duration: 10 }, { prompt: 'b', duration: 11 }] }), { duration: 21, audio: true, app: 'kling/v4', shots: [10, 11] }],
	['kling/v4/image-to-video', () => ({ prompt: 'a fox', start_image_url: img, end_image_url: img2, duration: 4 }), { duration: 4, audio: true, app: 'kling/v4' }],
	['fal-ai/kling-video/v4/image-to-video', () => ({ prompt: 'a fox', start_image_url: img, middle_image_urls: [img2, img], end_image_url: img2 }), { duration: 5, audio: true, app: 'fal-ai/kling-video' }],
]);

describe('fal emulator: Kling 2.6 / v3 / O3 / v4', () => {
	test.each(ACCEPTED.map((a, i) => /** @type {const} */ ([`${a[0]} #${i}`, a])))('%s', async (_n, [endpoint, body, want]) => {
		const r = await submit(endpoint, body());
		expect(r.status).toBe(200);
		const id = r.json.request_id;
		expect(r.json).toMatchObject({ status: 'IN_QUEUE', status_url: `${base}/${want.app}/requests/${id}/status`, response_url: `${base}/${want.app}/requests/${id}` });
		await pollUntil(() => get(r.json.status_url), (x) => x.json?.status === 'COMPLETED');
		const res = await get(r.json.response_url);
		expect(res.status).toBe(200);
		expect(res.json.video).toMatchObject({ content_type: 'video/mp4', file_size: expect.any(Number) });
		expect(emu.tasks.get(id)).toMatchObject({ model: endpoint, media: { duration: want.duration, audio: want.audio, shots: want.shots ?? null } });
		const info = await expectVideo(res.json.video.url, want);
		expect(info.boxes.at(-1)?.offset + /** @type {any} */ (info.boxes.at(-1)).size).toBe(res.json.video.file_size);
		// a request is only found under its own queue app id
		const other = want.app === 'kling/v4' ? 'fal-ai/kling-video' : 'kling/v4';
		expect((await get(`${base}/${other}/requests/${id}/status`)).status).toBe(404);
	});

	test('strict: 422 {detail:[{loc, msg, type}]} per endpoint family', async () => {
		const cases = /** @type {[string, Record<string, unknown>, (string | number)[], string][]} */ ([
			['fal-ai/kling-video/v2.6/pro/image-to-video', { prompt: 'x', image_url: img }, ['body', 'image_url'], 'extra_forbidden'], // 2.6 renamed it start_image_url
			['fal-ai/kling-video/v2.6/pro/image-to-video', { prompt: 'x' }, ['body', 'start_image_url'], 'missing'],
			['fal-ai/kling-video/v2.6/pro/image-to-video', { prompt: 'x', start_image_url: img, aspect_ratio: '16:9' }, ['body', 'aspect_ratio'], 'extra_forbidden'],
			['fal-ai/kling-video/v2.6/pro/text-to-video', { prompt: 'x', duration: 5 }, ['body', 'duration'], 'string_type'],
			['fal-ai/kling-video/v2.6/pro/text-to-video', { prompt: 'x', duration: '7' }, ['body', 'duration'], 'literal_error'],
			['fal-ai/kling-video/v2.6/pro/image-to-video', { prompt: 'x', start_image_url: img, voice_ids: ['a', 'b', 'c'] }, ['body', 'voice_ids'], 'too_long'],
			['fal-ai/kling-video/v3/pro/text-to-video', { prompt: 'x', duration: '16' }, ['body', 'duration'], 'literal_error'],
			['fal-ai/kling-video/v3/pro/text-to-video', { prompt: 'x', duration: 5 }, ['body', 'duration'], 'string_type'],
			['fal-ai/kling-video/v3/pro/text-to-video', { prompt: 'x', multi_prompt: shots }, ['body', 'prompt'], 'value_error'],
			['fal-ai/kling-video/v3/pro/text-to-video', { multi_prompt: [{ prompt: 'a', duration: 4 }] }, ['body', 'multi_prompt', 0, 'duration'], 'string_type'],
			['fal-ai/kling-video/v3/pro/text-to-video', { multi_prompt: shots, duration: '10' }, ['body', 'multi_prompt'], 'value_error'],
			['fal-ai/kling-video/v3/pro/text-to-video', { multi_prompt: Array.from({ length: 7 }, () => ({ prompt: 'a', duration: '2' })) }, ['body', 'multi_prompt'], 'value_error'],
			['fal-ai/kling-video/v3/pro/image-to-video', { multi_prompt: shots, start_image_url: img, end_image_url: img2 }, ['body', 'end_image_url'], 'value_error'],
			['fal-ai/kling-video/v3/pro/text-to-video', { prompt: 'x', shot_type: 'intelligence' }, ['body', 'shot_type'], 'literal_error'],
			['fal-ai/kling-video/v3/pro/image-to-video', { prompt: 'x', start_image_url: img, elements: [{ frontal_image_url: img, video_url: 'https://example.com/e.mp4' }] }, ['body', 'elements', 0], 'value_error'],
			['fal-ai/kling-video/v3/pro/image-to-video', { prompt: 'x', start_image_url: img, elements: [1, 2, 3, 4].map(() => ({ frontal_image_url: img })) }, ['body', 'elements'], 'too_long'],
			['fal-ai/kling-video/o3/pro/text-to-video', { prompt: 'x', negative_prompt: 'blur' }, ['body', 'negative_prompt'], 'extra_forbidden'],
			['fal-ai/kling-video/o3/pro/image-to-video', { prompt: 'x', start_image_url: img, aspect_ratio: '1:1' }, ['body', 'aspect_ratio'], 'extra_forbidden'],
			['kling/v4/text-to-video', { prompt: 'x', duration: '5' }, ['body', 'duration'], 'int_type'], // integer on v4
			['kling/v4/text-to-video', { prompt: 'x', duration: 31 }, ['body', 'duration'], 'value_error'],
			['kling/v4/text-to-video', { prompt: 'x', generate_audio: false }, ['body', 'generate_audio'], 'extra_forbidden'],
			['kling/v4/text-to-video', { prompt: 'x', resolution: '4k' }, ['body', 'resolution'], 'literal_error'],
			['kling/v4/image-to-video', { prompt: 'x', end_image_url: img2 }, ['body', 'start_image_url'], 'missing'],
			['kling/v4/image-to-video', { prompt: 'x', start_image_url: img, middle_image_urls: [img] }, ['body', 'middle_image_urls'], 'extra_forbidden'],
			['fal-ai/kling-video/v4/image-to-video', { prompt: 'x', start_image_url: img, middle_image_urls: Array.from({ length: 9 }, () => img) }, ['body', 'middle_image_urls'], 'too_long'],
		]);
		for (const [endpoint, body, loc, type] of cases) {
			const r = await submit(endpoint, body);
			expect([endpoint, r.status]).toEqual([endpoint, 422]);
			expect(r.json.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc, type, msg: expect.any(String) })]));
		}
		expect((await submit('fal-ai/kling-video/v3/4k/text-to-video', { prompt: 'x' })).status).toBe(404); // not documented
	});
});
