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
	base = emu.baseUrl('wavespeed');
	img = `${emu.url}/_assets/start.png`;
	img2 = `${emu.url}/_assets/end.png`;
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} model @param {unknown} body */
const submit = (model, body) => call(`${base}/api/v3/${model}`, { key: KEYS.wavespeed, body });
/** @param {string} id */
const waitDone = (id) =>
	pollUntil(() => call(`${base}/api/v3/predictions/${id}/result`, { key: KEYS.wavespeed }), (r) => ['completed', 'failed'].includes(r.json?.data?.status));

const shots = [{ prompt: 'a wide shot of a harbour', duration: 4 }, { prompt: 'a close-up of a gull', duration: 3 }];

/** [model, body, expected media] — every Kling 2.6 / 3.0 / Turbo / O1 / O3 / 4.0 t2v and i2v model */
const ACCEPTED = /** @type {[string, () => Record<string, unknown>, { duration: number, audio: boolean, aspectRatio: string, shots?: number[] }][]} */ ([
	['kwaivgi/kling-v2.6-pro/text-to-video', () => ({ prompt: 'a fox' }), { duration: 5, audio: true, aspectRatio: '1:1' }], // sound default true, aspect 1:1
	['kwaivgi/kling-v2.6-pro/text-to-video', () => ({ prompt: 'a fox', sound: false, duration: 10, aspect_ratio: '9:16', cfg_scale: 0.4, negative_prompt: 'blur' }), { duration: 10, audio: false, aspectRatio: '9:16' }],
	['kwaivgi/kling-v2.6-pro/image-to-video', () => ({ prompt: 'it moves', image: img, end_image: img2, sound: true, voice_list: [{ voice_id: 'v1' }] }), { duration: 5, audio: true, aspectRatio: '16:9' }],
	['kwaivgi/kling-v2.6-pro/image-to-video', () => ({ prompt: 'it moves', image: img }), { duration: 5, audio: false, aspectRatio: '16:9' }],
	['kwaivgi/kling-v2.6-std/text-to-video', () => ({ prompt: 'a fox', duration: 10 }), { duration: 10, audio: false, aspectRatio: '16:9' }],
	['kwaivgi/kling-v2.6-std/image-to-video', () => ({ prompt: 'a fox', image: img }), { duration: 5, audio: false, aspectRatio: '16:9' }],
	...['std', 'pro', '4k'].flatMap((t) => /** @type {[string, () => Record<string, unknown>, any][]} */ ([
		[`kwaivgi/kling-v3.0-${t}/text-to-video`, () => ({ prompt: 'a fox', duration: 3, sound: true, aspect_ratio: '9:16', shot_type: 'intelligent' }), { duration: 3, audio: true, aspectRatio: '9:16' }],
		[`kwaivgi/kling-v3.0-${t}/image-to-video`, () => ({ prompt: 'a fox', image: img, end_image: img2, duration: 15, element_list: [{ element_id: 'el_1' }] }), { duration: 15, audio: false, aspectRatio: '16:9' }],
	])),
	['kwaivgi/kling-v3.0-std/text-to-video', () => ({ multi_prompt: shots, shot_type: 'customize' }), { duration: 7, audio: false, aspectRatio: '16:9', shots: [4, 3] }],
	['kwaivgi/kling-v3.0-pro/image-to-video', () => ({ image: img, multi_prompt: shots, duration: 7, sound: true }), { duration: 7, audio: true, aspectRatio: '16:9', shots: [4, 3] }],
	['kwaivgi/kling-v3-turbo-std/text-to-video', () => ({ prompt: 'a fox', duration: 12, aspect_ratio: '1:1' }), { duration: 12, audio: true, aspectRatio: '1:1' }],
	['kwaivgi/kling-v3-turbo-pro/text-to-video', () => ({ multi_prompt: [{ prompt: 'a', duration: '2' }, { prompt: 'b', duration: '2' }] }), { duration: 4, audio: true, aspectRatio: '16:9', shots: [2, 2] }],
	['kwaivgi/kling-video-o1/text-to-video', () => ({ prompt: 'a fox', duration: 10 }), { duration: 10, audio: false, aspectRatio: '16:9' }],
	['kwaivgi/kling-video-o1-std/text-to-video', () => ({ prompt: 'a fox', duration: 3, aspect_ratio: '1:1' }), { duration: 3, audio: false, aspectRatio: '1:1' }],
	['kwaivgi/kling-video-o1/image-to-video', () => ({ prompt: 'a fox', image: img, last_image: img2, duration: 8 }), { duration: 8, audio: false, aspectRatio: '16:9' }],
	['kwaivgi/kling-video-o1-std/image-to-video', () => ({ prompt: 'a fox', image: img }), { duration: 5, audio: false, aspectRatio: '16:9' }],
	...['std', 'pro', '4k'].flatMap((t) => /** @type {[string, () => Record<string, unknown>, any][]} */ ([
		[`kwaivgi/kling-video-o3-${t}/text-to-video`, () => ({ prompt: 'a fox', sound: true, duration: 6 }), { duration: 6, audio: true, aspectRatio: '16:9' }],
		[`kwaivgi/kling-video-o3-${t}/image-to-video`, () => ({ prompt: 'a fox', image: img, end_image: img2 }), { duration: 5, audio: false, aspectRatio: '16:9' }],
	])),
	['kwaivgi/kling-v4.0/text-to-video', () => ({ prompt: 'a fox', duration: 30, aspect_ratio: '21:9', resolution: '1080p' }), { duration: 30, audio: true, aspectRatio: '21:9' }],
	['kwaivgi/kling-v4.0/text-to-video', () => ({ prompt: 'a fox' }), { duration: 5, audio: true, aspectRatio: '16:9' }],
	['kwaivgi/kling-v4.0/image-to-video', () => ({ image: img, last_image: img2, keyframes: [img, img2, img], duration: 17 }), { duration: 17, audio: true, aspectRatio: '16:9' }],
]);

describe('WaveSpeed emulator: Kling 2.6 / 3.0 / Turbo / O1 / O3 / 4.0', () => {
	test.each(ACCEPTED.map((a, i) => /** @type {const} */ ([`${a[0]} #${i}`, a])))('%s', async (_name, [model, body, want]) => {
		const r = await submit(model, body());
		expect([r.status, r.json?.message]).toEqual([200, 'success']);
		expect(r.json.data).toMatchObject({ model, status: expect.stringMatching(/^(created|processing)$/), outputs: [] });
		const done = await waitDone(r.json.data.id);
		expect(done.json.data).toMatchObject({ status: 'completed', error: '', outputs: [expect.stringMatching(/\.mp4$/)] });
		expect(emu.tasks.get(r.json.data.id)).toMatchObject({ model, audio: want.audio, duration: want.duration, media: { duration: want.duration, audio: want.audio, aspectRatio: want.aspectRatio, shots: want.shots ?? null } });
		await expectVideo(done.json.data.outputs[0], { duration: want.duration, audio: want.audio });
	});

	test('strict: documented limits per model family → 400 {code, message} naming the problem', async () => {
		const cases = /** @type {[string, Record<string, unknown>, string][]} */ ([
			// 2.6 std has no sound / cfg / end frame; 2.6 durations are 5|10 integers; i2v has no aspect ratio
			['kwaivgi/kling-v2.6-std/text-to-video', { prompt: 'x', sound: true }, 'sound'],
			['kwaivgi/kling-v2.6-std/image-to-video', { prompt: 'x', image: img, end_image: img2 }, 'end_image'],
			['kwaivgi/kling-v2.6-std/text-to-video', { prompt: 'x', cfg_scale: 0.5 }, 'cfg_scale'],
			['kwaivgi/kling-v2.6-pro/text-to-video', { prompt: 'x', duration: 7 }, 'duration'],
			['kwaivgi/kling-v2.6-pro/text-to-video', { prompt: 'x', duration: '5' }, 'duration'],
			['kwaivgi/kling-v2.6-pro/image-to-video', { prompt: 'x', image: img, aspect_ratio: '16:9' }, 'aspect_ratio'],
			['kwaivgi/kling-v2.6-pro/text-to-video', { prompt: 'x', sound: 'yes' }, 'sound'],
			['kwaivgi/kling-v2.6-pro/image-to-video', { prompt: 'x', image: img, voice_list: [{ voice_id: 'a' }, { voice_id: 'b' }, { voice_id: 'c' }] }, 'voice_list'],
			// 3.0: 3–15 s, shot_type enum, prompt XOR multi_prompt, no end frame with multi-shot, sums, ≤6 shots, ≤3 elements
			['kwaivgi/kling-v3.0-std/text-to-video', { prompt: 'x', duration: 16 }, 'duration'],
			['kwaivgi/kling-v3.0-std/text-to-video', { prompt: 'x', duration: 2 }, 'duration'],
			['kwaivgi/kling-v3.0-std/text-to-video', { prompt: 'x', shot_type: 'auto' }, 'shot_type'],
			['kwaivgi/kling-v3.0-pro/text-to-video', { prompt: 'x', multi_prompt: shots }, 'either prompt or multi_prompt'],
			['kwaivgi/kling-v3.0-pro/text-to-video', {}, 'prompt is required'],
			['kwaivgi/kling-v3.0-4k/text-to-video', { multi_prompt: shots }, 'prompt is required'],
			['kwaivgi/kling-v3.0-std/image-to-video', { image: img, multi_prompt: shots, end_image: img2 }, 'multi_shot is not supported with end image'],
			['kwaivgi/kling-v3.0-std/text-to-video', { multi_prompt: shots, duration: 10 }, 'add up to 7'],
			['kwaivgi/kling-v3.0-std/text-to-video', { multi_prompt: Array.from({ length: 7 }, () => ({ prompt: 'a', duration: 2 })) }, 'at most 6 shots'],
			['kwaivgi/kling-v3.0-std/text-to-video', { multi_prompt: [{ prompt: 'a', duration: 0 }, { prompt: 'b', duration: 5 }] }, 'between 1'],
			['kwaivgi/kling-v3.0-std/text-to-video', { multi_prompt: [{ prompt: longText(513), duration: 5 }] }, '512'],
			['kwaivgi/kling-v3.0-std/image-to-video', { image: img, prompt: 'x', element_list: ['a', 'b', 'c', 'd'] }, 'element_list'],
			['kwaivgi/kling-v3.0-std/image-to-video', { prompt: 'x', aspect_ratio: '16:9', image: img }, 'aspect_ratio'],
			['kwaivgi/kling-v3.0-std/image-to-video', { prompt: 'x' }, 'image is required'],
			// turbo: no sound field (always with sound), no i2v model
			['kwaivgi/kling-v3-turbo-std/text-to-video', { prompt: 'x', sound: true }, 'sound'],
			['kwaivgi/kling-v3-turbo-std/image-to-video', { prompt: 'x', image: img }, 'Model not found'],
			// O1: last_image (not end_image), 3–10 s, no sound; O3: end_image
			['kwaivgi/kling-video-o1/image-to-video', { prompt: 'x', image: img, end_image: img2 }, 'end_image'],
			['kwaivgi/kling-video-o1/text-to-video', { prompt: 'x', duration: 11 }, 'duration'],
			['kwaivgi/kling-video-o1/text-to-video', { prompt: 'x', sound: true }, 'sound'],
			['kwaivgi/kling-video-o3-pro/image-to-video', { prompt: 'x', image: img, last_image: img2 }, 'last_image'],
			// 4.0: no sound/negative/cfg, 720p|1080p, 3–30 s, ≤8 keyframes
			['kwaivgi/kling-v4.0/text-to-video', { prompt: 'x', negative_prompt: 'blur' }, 'negative_prompt'],
			['kwaivgi/kling-v4.0/text-to-video', { prompt: 'x', cfg_scale: 0.5 }, 'cfg_scale'],
			['kwaivgi/kling-v4.0/text-to-video', { prompt: 'x', resolution: '4k' }, 'resolution'],
			['kwaivgi/kling-v4.0/text-to-video', { prompt: 'x', duration: 31 }, 'duration'],
			['kwaivgi/kling-v4.0/text-to-video', { prompt: 'x', aspect_ratio: '4:3' }, 'aspect_ratio'],
			['kwaivgi/kling-v4.0/image-to-video', { image: img, keyframes: Array.from({ length: 9 }, () => img) }, 'keyframes'],
			['kwaivgi/kling-v4.0/image-to-video', { last_image: img2 }, 'image is required'],
		]);
		for (const [model, body, needle] of cases) {
			const r = await submit(model, body);
			expect([model, r.status, r.json.code]).toEqual([model, model.includes('turbo-std/image') ? 404 : 400, model.includes('turbo-std/image') ? 404 : 400]);
			expect(r.json.message).toContain(needle);
		}
	});
});
