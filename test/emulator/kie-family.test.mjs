// @ts-check
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { KEYS, call, pollUntil } from '../support/emulator-helpers.mjs';
import { expectVideo, longText } from './family-support.mjs';

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
	base = emu.baseUrl('kie');
	img = `${emu.url}/_assets/start.png`;
	img2 = `${emu.url}/_assets/end.png`;
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} model @param {Record<string, unknown>} input */
const submit = (model, input) => call(`${base}/api/v1/jobs/createTask`, { key: KEYS.kie, body: { model, input } });
/** @param {string} id */
const record = (id) => call(`${base}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(id)}`, { key: KEYS.kie });

/** A single-shot kling-3.0/video input with every required field. @param {Record<string, unknown>} [extra] */
const v3 = (extra = {}) => ({ prompt: 'a fox', sound: false, duration: '5', mode: 'std', multi_shots: false, multi_prompt: [], ...extra });

const ACCEPTED = /** @type {[string, () => Record<string, unknown>, { duration: number, audio: boolean, shots?: number[] }][]} */ ([
	['kling-2.6/text-to-video', () => ({ prompt: 'a fox', sound: true, aspect_ratio: '16:9', duration: '10' }), { duration: 10, audio: true }],
	['kling-2.6/text-to-video', () => ({ prompt: 'a fox' }), { duration: 5, audio: false }],
	['kling-2.6/image-to-video', () => ({ prompt: 'a fox', image_urls: [img], sound: false, duration: '5' }), { duration: 5, audio: false }],
	['kling-3.0/video', () => v3({ duration: '15', sound: true, mode: 'pro', aspect_ratio: '9:16' }), { duration: 15, audio: true }],
	['kling-3.0/video', () => v3({ image_urls: [img, img2], mode: '4K', negative_prompt: 'blur' }), { duration: 5, audio: false }],
	[
		'kling-3.0/video',
		() => v3({ prompt: '', multi_shots: true, sound: true, duration: '9', multi_prompt: [{ prompt: 'wide @hero', duration: 4 }, { prompt: 'close', duration: 5 }], image_urls: [img], kling_elements: [{ name: 'hero', description: 'the hero', element_input_urls: [img, img2] }] }),
		{ duration: 9, audio: true, shots: [4, 5] },
	],
	['kling/v3-turbo-text-to-video', () => ({ prompt: 'a fox', duration: '12', aspect_ratio: '16:9', resolution: '1080p' }), { duration: 12, audio: true }],
	['kling/v3-turbo-text-to-video', () => ({ prompt: 'a fox', duration: 4, mode: 'std' }), { duration: 4, audio: true }],
	['kling/v3-turbo-image-to-video', () => ({ prompt: 'a fox', image_urls: [img], duration: '6' }), { duration: 6, audio: true }],
	['kling/v3-turbo-image-to-video', () => ({ prompt: 'a fox', image_url: img }), { duration: 5, audio: true }],
	['kling-3.0-omni/text-to-video', () => ({ prompt: 'a fox', duration: 7, resolution: '4k', audio: true }), { duration: 7, audio: true }],
	['kling-3.0-omni/image-to-video', () => ({ prompt: 'a fox', image_urls: [img], aspect_ratio: 'auto', duration: '3' }), { duration: 3, audio: false }],
	['kling-3.0-omni/image-to-video', () => ({ image_urls: [img], customize_multi_shots: true, multi_prompt: [{ prompt: 'a', duration: 2 }, { prompt: 'b', duration: 3 }], audio: true }), { duration: 5, audio: true, shots: [2, 3] }],
]);

describe('Kie emulator: kling-2.6, kling-3.0/video, v3 turbo, 3.0 omni', () => {
	test.each(ACCEPTED.map((a, i) => /** @type {const} */ ([`${a[0]} #${i}`, a])))('%s', async (_n, [model, input, want]) => {
		const body = input();
		const r = await submit(model, body);
		expect(r.json).toEqual({ code: 200, msg: 'success', data: { taskId: expect.stringMatching(/^task_kling_/) } });
		const id = r.json.data.taskId;
		const done = await pollUntil(() => record(id), (x) => ['success', 'fail'].includes(x.json?.data?.state));
		expect(done.json.data).toMatchObject({ taskId: id, model, state: 'success', failCode: '' });
		expect(JSON.parse(done.json.data.param)).toEqual({ model, input: body });
		expect(emu.tasks.get(id)).toMatchObject({ media: { duration: want.duration, audio: want.audio, shots: want.shots ?? null } });
		await expectVideo(JSON.parse(done.json.data.resultJson).resultUrls[0], want);
	});

	test('strict: per-model fields → HTTP 200 with body {code:422, msg}', async () => {
		const cases = /** @type {[string, Record<string, unknown>, string][]} */ ([
			['kling-2.6/text-to-video', { prompt: 'x', duration: 5 }, 'string'], // duration is a string on Kie
			['kling-2.6/text-to-video', { prompt: 'x', duration: '7' }, 'duration'],
			['kling-2.6/text-to-video', { prompt: 'x', negative_prompt: 'blur' }, 'negative_prompt'],
			['kling-2.6/image-to-video', { prompt: 'x', image_urls: [img, img2] }, 'image_urls'],
			['kling-2.6/image-to-video', { prompt: 'x', image_urls: [img], aspect_ratio: '1:1' }, 'aspect_ratio'],
			['kling-3.0/video', { prompt: 'x', sound: false, duration: '5', mode: 'std' }, 'multi_shots is required'], // required fields [K1]
			['kling-3.0/video', v3({ multi_prompt: undefined }), 'multi_prompt is required'],
			['kling-3.0/video', v3({ duration: '16' }), 'duration'],
			['kling-3.0/video', v3({ duration: 5 }), 'string'],
			['kling-3.0/video', v3({ mode: '2K' }), 'mode'],
			['kling-3.0/video', v3({ multi_shots: true, multi_prompt: [{ prompt: 'a', duration: 5 }] }), 'sound must be true'],
			['kling-3.0/video', v3({ multi_shots: true, sound: true, multi_prompt: [{ prompt: 'a', duration: 3 }] }), 'add up to 3'],
			['kling-3.0/video', v3({ multi_shots: true, sound: true, duration: '13', multi_prompt: [{ prompt: 'a', duration: 13 }] }), 'between 1 and 12'],
			['kling-3.0/video', v3({ multi_shots: true, sound: true, multi_prompt: [{ prompt: longText(501), duration: 5 }] }), '500'],
			['kling-3.0/video', v3({ multi_shots: true, sound: true, image_urls: [img, img2], multi_prompt: [{ prompt: 'a', duration: 5 }] }), 'first frame'],
			['kling-3.0/video', v3({ multi_prompt: [{ prompt: 'a', duration: 5 }] }), 'must be []'],
			['kling-3.0/video', v3({ image_urls: [img, img2, img] }), 'image_urls'],
			['kling-3.0/video', v3({ prompt: 'with @hero', kling_elements: [{ name: 'hero', element_input_urls: [img, img2] }] }), 'image_urls is required'],
			['kling-3.0/video', v3({ image_urls: [img], kling_elements: [{ name: 'hero', element_input_urls: [img] }] }), 'element_input_urls'],
			['kling-3.0/video', v3({ kling_elements: [1, 2, 3, 4].map((n) => ({ name: `e${n}`, element_input_urls: [img, img2] })) }), 'kling_elements'],
			['kling/v3-turbo-text-to-video', { prompt: 'x', sound: true }, 'sound'],
			['kling/v3-turbo-text-to-video', { prompt: 'x', resolution: '720p', mode: 'std' }, 'not both'],
			['kling/v3-turbo-image-to-video', { prompt: 'x' }, 'image_urls'],
			['kling-3.0-omni/image-to-video', { prompt: 'x', image_urls: [img], mode: 'pro' }, 'mode'],
			['kling-3.0-omni/image-to-video', { prompt: 'x', image_urls: [img], negative_prompt: 'x' }, 'negative_prompt'],
			['kling-3.0-omni/image-to-video', { image_urls: [img], customize_multi_shots: true, aspect_ratio: 'auto', multi_prompt: [{ prompt: 'a', duration: 5 }] }, 'auto'],
			['kling-3.0-omni/text-to-video', { prompt: 'x', aspect_ratio: 'auto' }, 'aspect_ratio'],
			['kling-3.0-omni/text-to-video', { prompt: 'x', elements: [1, 2, 3, 4].map((n) => ({ name: `e${n}`, element_input_urls: [img, img2] })) }, 'elements'],
		]);
		for (const [model, input, needle] of cases) {
			const r = await submit(model, input);
			expect([model, r.status, r.json.code]).toEqual([model, 200, 422]);
			expect(r.json.msg).toContain(needle);
		}
	});
});
