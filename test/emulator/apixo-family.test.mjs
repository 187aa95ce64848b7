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
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 60 });
	base = emu.baseUrl('apixo');
	img = `${emu.url}/_assets/start.png`;
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} model @param {Record<string, unknown>} input */
const submit = (model, input) => call(`${base}/api/v1/generateTask/${model}`, { key: KEYS.apixo, body: { request_type: 'async', input } });
/** @param {string} model @param {string} id */
const status = (model, id) => call(`${base}/api/v1/statusTask/${model}?taskId=${encodeURIComponent(id)}`, { key: KEYS.apixo });

const ACCEPTED = /** @type {[string, () => Record<string, unknown>, { duration: number, audio: boolean, mode: string }][]} */ ([
	['kling-2-6', () => ({ mode: 'text-to-video', prompt: 'a fox', duration: 10, sound: true, aspect_ratio: '9:16' }), { duration: 10, audio: true, mode: 'text-to-video' }],
	['kling-2-6', () => ({ mode: 'image-to-video', prompt: 'a fox', sound: false, image_urls: [img, `${emu.url}/_assets/end.png`] }), { duration: 5, audio: false, mode: 'image-to-video' }],
	['kling-3-0-std', () => ({ mode: 'text-to-video', prompt: 'a fox', duration: 13, sound: true }), { duration: 13, audio: true, mode: 'text-to-video' }],
	['kling-3-0-std', () => ({ mode: 'image-to-video', prompt: 'a fox', duration: 3, image_urls: [img] }), { duration: 3, audio: false, mode: 'image-to-video' }],
	['kling-3-0-turbo', () => ({ mode: 'text-to-video', prompt: 'a fox', duration: 8, resolution: '1080p', aspect_ratio: '1:1' }), { duration: 8, audio: true, mode: 'text-to-video' }],
	['kling-3-0-turbo', () => ({ mode: 'image-to-video', prompt: 'a fox', image_urls: [img] }), { duration: 5, audio: true, mode: 'image-to-video' }],
]);

describe('APIXO emulator: kling-2-6, kling-3-0-std, kling-3-0-turbo', () => {
	test.each(ACCEPTED.map((a, i) => /** @type {const} */ ([`${a[0]} ${a[2].mode} #${i}`, a])))('%s', async (_n, [model, input, want]) => {
		const r = await submit(model, input());
		expect(r.status).toBe(200);
		expect(r.json).toEqual({ code: 200, message: 'success', data: { taskId: expect.stringMatching(/^task_/) } });
		const id = r.json.data.taskId;
		const done = await pollUntil(() => status(model, id), (x) => ['success', 'failed'].includes(x.json?.data?.state));
		expect(done.json.data).toMatchObject({ taskId: id, state: 'success', resultJson: expect.any(String), costTime: expect.any(Number) });
		expect(emu.tasks.get(id)).toMatchObject({ model, mode: want.mode, media: { duration: want.duration, audio: want.audio } });
		await expectVideo(JSON.parse(done.json.data.resultJson).resultUrls[0], want);
		// the status path names the model the task was made with
		expect((await status('kling-2-5-turbo-pro', id)).status).toBe(404);
	});

	test('strict: per-model fields → 400 {code:400, message:"Invalid request", data:{error}}', async () => {
		const cases = /** @type {[string, Record<string, unknown>, string][]} */ ([
			['kling-2-6', { mode: 'text-to-video', prompt: 'x', duration: 5 }, 'input.sound'], // sound required on 2.6
			['kling-2-6', { mode: 'text-to-video', prompt: longText(1001), sound: false }, '1000'],
			['kling-2-6', { mode: 'text-to-video', prompt: 'x', sound: false, duration: 7 }, 'duration'],
			['kling-2-6', { mode: 'text-to-video', prompt: 'x', sound: false, negative_prompt: 'blur' }, 'negative_prompt'],
			['kling-2-6', { mode: 'image-to-video', prompt: 'x', sound: false, aspect_ratio: '1:1', image_urls: [img] }, 'aspect_ratio'],
			['kling-2-6', { mode: 'image-to-video', prompt: 'x', sound: false, image_urls: [img, img, img] }, 'image_urls'],
			['kling-3-0-std', { mode: 'text-to-video', prompt: 'x', duration: 16 }, 'duration'],
			['kling-3-0-std', { mode: 'text-to-video', prompt: 'x', duration: '5' }, 'duration'],
			['kling-3-0-std', { mode: 'text-to-video', prompt: 'x', multi_prompt: [] }, 'multi_prompt'],
			['kling-3-0-std', { mode: 'text-to-video', prompt: 'x', sound: 'on' }, 'sound'],
			['kling-3-0-std', { mode: 'image-to-video', prompt: 'x' }, 'image_urls'],
			['kling-3-0-turbo', { mode: 'text-to-video', prompt: 'x', sound: true }, 'sound'],
			['kling-3-0-turbo', { mode: 'text-to-video', prompt: 'x', resolution: '4k' }, 'resolution'],
			['kling-3-0-turbo', { mode: 'image-to-video', prompt: 'x', image_urls: [img, img] }, 'image_urls'],
			['kling-3-0-turbo', { mode: 'text-to-video' }, 'input.prompt'],
			['kling-3-0-turbo', { mode: 'motion-control', prompt: 'x' }, 'input.mode'],
		]);
		for (const [model, input, needle] of cases) {
			const r = await submit(model, input);
			expect([model, r.status]).toEqual([model, 400]);
			expect(r.json).toMatchObject({ code: 400, message: 'Invalid request', data: { error: expect.stringContaining(needle) } });
		}
		expect((await submit('kling-3-0-pro', { prompt: 'x' })).status).toBe(404); // no 3.0 pro model documented
	});
});
