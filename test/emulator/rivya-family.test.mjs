// @ts-check
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { KEYS, call, pollUntil } from '../support/emulator-helpers.mjs';
import { expectVideo, longText } from './family-support.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
/** @param {string} name */
const item = (name) => ({ url: `${emu.url}/_assets/${name}`, kind: 'image', mimeType: 'image/png' });
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 60 });
	base = emu.baseUrl('rivya');
});
afterAll(async () => {
	await emu.close();
});

/** @param {string} model @param {string} prompt @param {Record<string, unknown>} [params] */
const submit = (model, prompt, params) => call(`${base}/api/v1/generations`, { key: KEYS.rivya, body: { model, prompt, ...(params ? { params } : {}) } });

const ACCEPTED = /** @type {[string, () => Record<string, unknown> | undefined, { duration: number, audio: boolean, credits: number, aspectRatio: string }][]} */ ([
	['kling-2-6', () => ({ duration: '10', sound: 'true', aspect_ratio: '9:16' }), { duration: 10, audio: true, credits: 55, aspectRatio: '9:16' }],
	['kling-2-6', () => undefined, { duration: 5, audio: false, credits: 55, aspectRatio: '1:1' }], // defaults: 5 s, silent, 1:1
	['kling-2-6', () => ({ duration: 5, sound: false, referenceMediaItems: [item('start.png')] }), { duration: 5, audio: false, credits: 55, aspectRatio: '16:9' }],
	['kling-3-0', () => ({ mode: 'std', duration: '14', sound: 'true' }), { duration: 14, audio: true, credits: 90, aspectRatio: '16:9' }],
	['kling-3-0', () => ({ mode: 'pro', multi_shots: 'true', duration: 3, sound: true }), { duration: 3, audio: true, credits: 90, aspectRatio: '16:9' }],
	['kling-3-0', () => ({ duration: '6', referenceMediaItems: [item('start.png'), item('end.png')] }), { duration: 6, audio: false, credits: 90, aspectRatio: '16:9' }],
]);

describe('Rivya emulator: kling-2-6, kling-3-0', () => {
	test.each(ACCEPTED.map((a, i) => /** @type {const} */ ([`${a[0]} #${i}`, a])))('%s', async (_n, [model, params, want]) => {
		const r = await submit(model, 'a fox in snow', params());
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ id: expect.stringMatching(/^task_/), status: expect.stringMatching(/^(queued|processing)$/), model, reserved_credits: want.credits, final_credits: 0, result: null, error: null });
		const done = await pollUntil(() => call(`${base}/api/v1/generations/${r.json.id}`, { key: KEYS.rivya }), (x) => ['succeeded', 'failed'].includes(x.json?.status));
		expect(done.json).toMatchObject({ status: 'succeeded', final_credits: want.credits, result: { primary_url: expect.stringMatching(/\.mp4$/) } });
		expect(emu.tasks.get(r.json.id)).toMatchObject({ media: { duration: want.duration, audio: want.audio, aspectRatio: want.aspectRatio } });
		await expectVideo(done.json.result.primary_url, want);
	});

	test('strict: 400 validation_failed per model', async () => {
		const cases = /** @type {[string, string, Record<string, unknown>, string][]} */ ([
			['kling-2-6', longText(1001), {}, '1000'],
			['kling-2-6', 'x', { duration: '15' }, 'duration'],
			['kling-2-6', 'x', { sound: 'yes' }, 'sound'],
			['kling-2-6', 'x', { mode: 'pro' }, 'mode'],
			['kling-2-6', 'x', { cfg_scale: 0.5 }, 'cfg_scale'],
			['kling-2-6', 'x', { referenceMediaItems: [item('start.png'), item('end.png')] }, 'at most 1 image'],
			['kling-3-0', longText(2001), {}, '2000'],
			['kling-3-0', 'x', { duration: '16' }, 'duration'],
			['kling-3-0', 'x', { duration: '2' }, 'duration'],
			['kling-3-0', 'x', { mode: '4k' }, 'mode'],
			['kling-3-0', 'x', { multi_shots: 'maybe' }, 'multi_shots'],
			['kling-3-0', 'x', { multi_shots: 'true', referenceMediaItems: [item('start.png'), item('end.png')] }, 'end frame'],
			['kling-3-0', 'x', { referenceMediaItems: [item('start.png'), item('end.png'), item('tiny.png')] }, 'at most 2 images'],
			['kling-3-0', 'x', { negative_prompt: 'blur' }, 'negative_prompt'],
		]);
		for (const [model, prompt, params, needle] of cases) {
			const r = await submit(model, prompt, params);
			expect([model, needle, r.status]).toEqual([model, needle, 400]);
			expect(r.json.error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining(needle), requestId: expect.stringMatching(/^req_/) });
		}
		const unknown = await submit('kling-4-0', 'x');
		expect([unknown.status, unknown.json.error.code]).toEqual([400, 'validation_failed']);
	});
});
