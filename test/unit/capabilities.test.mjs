// @ts-check
/**
 * Capability rules checked before any request (nodes/shared/engine/capability.ts, request.ts), per provider
 * as KLING-MODELS.md states them: required inputs, reference-image caps (lower with a video), speech text
 * length, prompt references that exist, and the prompt written in each provider's reference syntax.
 */
import { describe, expect, test } from '@jest/globals';
import { dist } from './helpers.mjs';

const { CATALOG } = dist('shared/catalog/index');
const { checkRequest } = dist('shared/engine/request');
const { writePromptRefs } = dist('shared/engine/capability');

/** @param {string} provider @param {string} model @param {string} mode */
const entry = (provider, model, mode) => {
	const found = CATALOG[provider].entries.find((/** @type {any} */ e) => e.model === model && e.mode === mode);
	if (!found) throw new Error(`no ${provider} ${model} ${mode}`);
	return found;
};

/** @param {any} e @param {Record<string, unknown>} fields */
const request = (e, fields) => ({
	entry: e,
	mode: e.mode,
	model: e.id,
	prompt: null,
	negativePrompt: null,
	duration: e.durations ? e.defaultDuration : null,
	aspectRatio: null,
	cfgScale: null,
	audio: e.audio.kind === 'switch' ? false : null,
	resolution: e.resolutions[0] ?? null,
	startImageUrl: null,
	endImageUrl: null,
	shots: null,
	elements: null,
	inputVideoUrl: null,
	inputAudioUrl: null,
	referenceImageUrls: null,
	additionalFields: {},
	callbackUrl: null,
	idempotencyKey: null,
	...fields,
});

/** @param {() => void} fn */
const refusal = (fn) => {
	try {
		fn();
	} catch (error) {
		return { field: /** @type {any} */ (error).field, message: /** @type {any} */ (error).message };
	}
	return null;
};

const IMG = 'https://example.com/a.png';
const VID = 'https://example.com/a.mp4';

describe('refused before any request', () => {
	test.each([
		['wavespeed motion control without the reference video', 'wavespeed', 'kling-3.0-pro', 'motion-control', { startImageUrl: IMG }, 'Input Video'],
		['fal avatar without audio', 'fal', 'kling-avatar-v2-std', 'avatar', { startImageUrl: IMG }, 'Input Audio'],
		['replicate lip-sync text over 120 characters', 'replicate', 'kling-lipsync-text', 'lip-sync', { inputVideoUrl: VID, speech: { text: 'x'.repeat(121), voiceId: 'en_AOT', language: null, speed: 1 } }, 'Speech Text'],
		['wavespeed O3 reference: 5 images with a video (at most 4)', 'wavespeed', 'kling-o3-pro', 'reference-to-video', { prompt: 'x', inputVideoUrl: VID, referenceImageUrls: Array(5).fill(IMG) }, 'Reference Images'],
		['kie 3.0 Omni reference: 8 images (at most 7)', 'kie', 'kling-3.0-omni', 'reference-to-video', { prompt: 'x', referenceImageUrls: Array(8).fill(IMG) }, 'Reference Images'],
		['fal 4.0 edit without a prompt', 'fal', 'kling-4.0', 'edit-video', { inputVideoUrl: VID }, 'Prompt'],
		['wavespeed extend: a 31 s segment (3–30)', 'wavespeed', 'kling-4.0', 'extend-video', { prompt: 'x', inputVideoUrl: VID, duration: 31 }, 'Duration'],
	])('%s', (_name, provider, model, mode, fields, field) => {
		expect(refusal(() => checkRequest(request(entry(provider, model, mode), fields)))?.field).toBe(field);
	});

	test('a prompt reference beyond what was given names it', () => {
		const e = entry('fal', 'kling-o3-std', 'reference-to-video');
		const problem = refusal(() =>
			checkRequest(request(e, { prompt: '@Image1 then @Image2', referenceImageUrls: [IMG] }), '@Image1 then @Image2'),
		);
		expect(problem).toEqual({ field: 'Prompt', message: 'The prompt refers to @Image2, but only 1 reference image was given' });
	});

	test('accepted: the same requests within the limits', () => {
		expect(refusal(() => checkRequest(request(entry('wavespeed', 'kling-3.0-pro', 'motion-control'), { startImageUrl: IMG, inputVideoUrl: VID, characterOrientation: 'video' })))).toBeNull();
		expect(refusal(() => checkRequest(request(entry('wavespeed', 'kling-o3-pro', 'reference-to-video'), { prompt: 'x', inputVideoUrl: VID, referenceImageUrls: Array(4).fill(IMG) })))).toBeNull();
	});
});

describe('prompt references in each provider\'s syntax', () => {
	test.each([
		['at', '@Image1 and @Video1', '@Image1 and @Video1'],
		['angle', '@Image1 and @Video1', '<<<image_1>>> and <<<video_1>>>'],
		['snake', '@Image2 beside @Element1', '@image_2 beside @element_1'],
	])('%s', (style, typed, sent) => {
		expect(writePromptRefs(typed, style, null)).toBe(sent);
	});
	test('an element by its name becomes its number', () => {
		expect(writePromptRefs('@mascot waves at @Image1', 'angle', [{ name: 'mascot', imageUrls: [IMG] }])).toBe(
			'<<<element_1>>> waves at <<<image_1>>>',
		);
	});
});

describe('which providers sell each capability (KLING-MODELS.md §1b, §6a, §7)', () => {
	test('the catalog matches the matrix', () => {
		const offered = Object.fromEntries(
			['motion-control', 'lip-sync', 'avatar', 'reference-to-video', 'edit-video', 'extend-video'].map((mode) => [
				mode,
				Object.keys(CATALOG).filter((p) => CATALOG[p].entries.some((/** @type {any} */ e) => e.mode === mode)).sort(),
			]),
		);
		expect(offered).toEqual({
			'motion-control': ['apixo', 'fal', 'kie', 'kling', 'replicate', 'wavespeed'],
			'lip-sync': ['fal', 'kling', 'replicate', 'wavespeed'],
			avatar: ['fal', 'kie', 'kling', 'replicate', 'wavespeed'],
			'reference-to-video': ['fal', 'kie', 'kling', 'replicate', 'wavespeed'],
			'edit-video': ['fal', 'kie', 'kling', 'replicate', 'wavespeed'],
			'extend-video': ['wavespeed'],
		});
	});
	test('input-decided lengths have no Duration; the others have one', () => {
		for (const provider of Object.keys(CATALOG)) {
			for (const e of CATALOG[provider].entries.filter((/** @type {any} */ x) => x.capability)) {
				expect([provider, e.id, e.durations === null]).toEqual([provider, e.id, e.capability.length === 'input']);
			}
		}
	});
});

describe('Kling official: every product has its own submit and status path (KLING-MODELS.md §3.5 C)', () => {
	const { kling } = dist('shared/providers/kling');
	test.each([
		['motion-control', 'kling-v3', '/v1/videos/motion-control'],
		['avatar', 'avatar/image2video', '/v1/videos/avatar/image2video'],
		['lip-sync', 'advanced-lip-sync', '/v1/videos/advanced-lip-sync'],
		['lip-sync', 'lip-sync', '/v1/videos/lip-sync'],
		['reference-to-video', 'kling-v3-omni', '/v1/videos/omni-video'],
		['edit-video', 'kling-video-o1', '/v1/videos/omni-video'],
	])('%s (%s): status and external-id lookup under %s', (mode, model, path) => {
		expect(kling.buildStatusRequest({ taskId: 't 1', model, mode, api: 'v1' }).path).toBe(`${path}/t%201`);
		expect(kling.buildLookupRequest('row-7', mode, 'v1', model).path).toBe(`${path}/row-7`);
	});
	test('the new API reads every product through /tasks', () => {
		expect(kling.buildStatusRequest({ taskId: 'n1', model: 'kling-3.0', mode: 'motion-control', api: 'new' })).toEqual({ method: 'GET', path: '/tasks', qs: { task_ids: 'n1' } });
	});
	test('identify-face comes first only for advanced lip-sync; a video without a face fails before any task', () => {
		const lipsync = entry('kling', 'kling-lipsync-audio', 'lip-sync');
		const prepare = kling.buildPrepareRequest(request(lipsync, { inputVideoUrl: VID, inputAudioUrl: 'https://example.com/a.wav' }));
		expect(prepare).toEqual({ method: 'POST', path: '/v1/videos/identify-face', body: { video_url: VID } });
		const text = entry('kling', 'kling-lipsync-text', 'lip-sync');
		expect(kling.buildPrepareRequest(request(text, { inputVideoUrl: VID }))).toBeNull();
		expect(kling.buildPrepareRequest(request(entry('kling', 'kling-avatar-std', 'avatar'), { startImageUrl: IMG }))).toBeNull();
		const answer = { code: 0, message: 'SUCCEED', data: { session_id: 's1', face_data: [{ face_id: '2', start_time: 500, end_time: 4500 }] } };
		expect(kling.readPrepareResponse(200, answer)).toEqual({ sessionId: 's1', faceId: '2', faceMs: 4000 });
		expect(() => kling.readPrepareResponse(200, { code: 0, data: { session_id: 's2', face_data: [] } })).toThrow(
			/found no face in the input video \(identify-face, session s2\); nothing was created or paid/,
		);
	});
	test('advanced lip-sync: the clip is the face span, or the measured audio when shorter', () => {
		const lipsync = entry('kling', 'kling-lipsync-audio', 'lip-sync');
		const build = (/** @type {Record<string, unknown>} */ fields) =>
			kling.buildSubmitRequest(
				request(lipsync, { inputVideoUrl: VID, inputAudioUrl: 'https://example.com/a.wav', prepared: { sessionId: 's1', faceId: '2', faceMs: 4000 }, ...fields }),
			);
		expect(build({}).body).toEqual({
			session_id: 's1',
			face_choose: [{ face_id: '2', sound_file: 'https://example.com/a.wav', sound_start_time: 0, sound_end_time: 4000, sound_insert_time: 0 }],
		});
		expect(build({ inputSeconds: { audio: 2.5 }, externalId: 'row-1' }).body).toMatchObject({
			face_choose: [{ sound_end_time: 2500 }],
			external_task_id: 'row-1',
		});
	});
});
