// @ts-check
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { call, pollUntil } from '../support/emulator-helpers.mjs';
import { expectVideo } from './family-support.mjs';

const TOKEN = 'r8_emulator_test_key';
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
	base = emu.baseUrl('replicate');
	img = `${emu.url}/_assets/start.png`;
	img2 = `${emu.url}/_assets/end.png`;
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} model @param {Record<string, unknown>} input */
const submit = (model, input) => call(`${base}/v1/models/${model}/predictions`, { key: TOKEN, body: { input } });
const mp = (/** @type {unknown} */ v) => JSON.stringify(v);

const ACCEPTED = /** @type {[string, () => Record<string, unknown>, { duration: number, audio: boolean, mode: string, shots?: number[] }][]} */ ([
	['kwaivgi/kling-v2.6', () => ({ prompt: 'a fox' }), { duration: 5, audio: true, mode: 'text-to-video' }], // generate_audio default true
	['kwaivgi/kling-v2.6', () => ({ prompt: 'a fox', start_image: img, duration: 10, generate_audio: false, negative_prompt: 'blur' }), { duration: 10, audio: false, mode: 'image-to-video' }],
	['kwaivgi/kling-v3-video', () => ({ prompt: 'a fox', duration: 15 }), { duration: 15, audio: false, mode: 'text-to-video' }], // generate_audio default false
	['kwaivgi/kling-v3-video', () => ({ prompt: 'a fox', start_image: img, end_image: img2, mode: 'standard', generate_audio: true, duration: 3 }), { duration: 3, audio: true, mode: 'image-to-video' }],
	['kwaivgi/kling-v3-video', () => ({ multi_prompt: mp([{ prompt: 'wide', duration: 3 }, { prompt: 'close', duration: 4 }]), mode: '4k', duration: 7 }), { duration: 7, audio: false, mode: 'text-to-video', shots: [3, 4] }],
	['kwaivgi/kling-v3-omni-video', () => ({ prompt: 'like <<<image_1>>>', reference_images: [img], generate_audio: true, duration: 6 }), { duration: 6, audio: true, mode: 'image-to-video' }],
	['kwaivgi/kling-v3-omni-video', () => ({ prompt: 'a fox', start_image: img, end_image: img2 }), { duration: 5, audio: false, mode: 'image-to-video' }],
	['kwaivgi/kling-o1', () => ({ prompt: 'a fox', duration: 10, aspect_ratio: '9:16' }), { duration: 10, audio: false, mode: 'text-to-video' }],
	['kwaivgi/kling-o1', () => ({ prompt: 'a fox', start_image: img }), { duration: 5, audio: false, mode: 'image-to-video' }],
]);

describe('Replicate emulator: kling-v2.6, kling-v3-video, kling-v3-omni-video, kling-o1', () => {
	test.each(ACCEPTED.map((a, i) => /** @type {const} */ ([`${a[0]} #${i}`, a])))('%s', async (_n, [model, input, want]) => {
		const r = await submit(model, input());
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({ model, version: expect.stringMatching(/^[0-9a-f]{64}$/), output: null });
		const done = await pollUntil(() => call(r.json.urls.get, { key: TOKEN }), (x) => ['succeeded', 'failed'].includes(x.json?.status));
		expect(done.json).toMatchObject({ status: 'succeeded', error: null, output: expect.stringMatching(/\.mp4$/) });
		expect(emu.tasks.get(r.json.id)).toMatchObject({ model, mode: want.mode, media: { duration: want.duration, audio: want.audio, shots: want.shots ?? null } });
		await expectVideo(done.json.output, want);
	});

	test('strict: 422 "Input validation failed" with invalid_fields', async () => {
		const cases = /** @type {[string, Record<string, unknown>, string, string][]} */ ([
			['kwaivgi/kling-v2.6', { prompt: 'x', end_image: img2, start_image: img }, 'input.end_image', 'additional_property_not_allowed'], // no end frame on 2.6
			['kwaivgi/kling-v2.6', { prompt: 'x', duration: 7 }, 'input.duration', 'enum'],
			['kwaivgi/kling-v2.6', { prompt: 'x', duration: '5' }, 'input.duration', 'invalid_type'],
			['kwaivgi/kling-v3-video', { prompt: 'x', duration: 16 }, 'input.duration', 'number_one_of'],
			['kwaivgi/kling-v3-video', { prompt: 'x', mode: 'std' }, 'input.mode', 'enum'],
			['kwaivgi/kling-v3-video', { prompt: 'x', end_image: img2 }, 'input.end_image', 'condition'], // needs start_image
			['kwaivgi/kling-v3-video', { prompt: 'x', multi_prompt: [{ prompt: 'a', duration: 5 }] }, 'input.multi_prompt', 'invalid_type'], // a JSON STRING
			['kwaivgi/kling-v3-video', { multi_prompt: 'not json' }, 'input.multi_prompt', 'condition'],
			['kwaivgi/kling-v3-video', { multi_prompt: mp([{ prompt: 'a', duration: 3 }]), duration: 5 }, 'input.multi_prompt', 'condition'],
			['kwaivgi/kling-v3-video', { multi_prompt: mp(Array.from({ length: 7 }, () => ({ prompt: 'a', duration: 2 }))) }, 'input.multi_prompt', 'condition'],
			['kwaivgi/kling-v3-video', { multi_prompt: mp([{ prompt: 'a', duration: '5' }]) }, 'input.multi_prompt[0].duration', 'invalid_type'],
			['kwaivgi/kling-v3-video', { start_image: img, end_image: img2, multi_prompt: mp([{ prompt: 'a', duration: 5 }]) }, 'input.end_image', 'condition'],
			['kwaivgi/kling-v3-video', { duration: 5 }, 'input.prompt', 'required'],
			['kwaivgi/kling-v3-omni-video', { prompt: 'x', reference_images: Array.from({ length: 8 }, () => img) }, 'input.reference_images', 'array_max_items'],
			['kwaivgi/kling-v3-omni-video', { prompt: 'x', reference_video: 'https://example.com/v.mp4', reference_images: [img, img, img, img, img] }, 'input.reference_images', 'condition'],
			['kwaivgi/kling-v3-omni-video', { prompt: 'x', reference_video: 'https://example.com/v.mp4', generate_audio: true }, 'input.generate_audio', 'condition'],
			['kwaivgi/kling-o1', { prompt: 'x', generate_audio: true }, 'input.generate_audio', 'additional_property_not_allowed'],
			['kwaivgi/kling-o1', { prompt: 'x', duration: 7 }, 'input.duration', 'condition'],
			['kwaivgi/kling-o1', { prompt: 'x', duration: 11 }, 'input.duration', 'number_one_of'],
		]);
		for (const [model, input, field, type] of cases) {
			const r = await submit(model, input);
			expect([model, field, r.status]).toEqual([model, field, 422]);
			expect(r.json).toMatchObject({ title: 'Input validation failed', status: 422 });
			expect(r.json.invalid_fields).toEqual(expect.arrayContaining([expect.objectContaining({ field, type })]));
		}
		expect((await submit('kwaivgi/kling-v4', { prompt: 'x' })).status).toBe(404);
	});
});
