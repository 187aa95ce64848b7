// @ts-check
/**
 * Motion control, lip-sync, AI avatar, reference to video, video edit and video extend on every provider that offers
 * them (KLING-MODELS.md §1b, §3.x, §6c, §6d, §7): an accepted request per (provider, capability), its poll / result
 * shape, the result MP4's length and audio track (read with test/support/mp4.mjs), what the task records
 * (`tasks.get(id).media`), and strict rejections from the documented limits. Sample inputs: /_assets/ videos and audio.
 */
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { KEYS, WAVESPEED_SECRET, call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { expectVideo } from './family-support.mjs';

const KLING_KEY = 'kling_emulator_api_key';
const FAL_KEY = 'fal_emulator_test_key';
const REPLICATE_KEY = 'r8_emulator_test_key';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @param {string} name */
const A = (name) => `${emu.url}/_assets/${name}`;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 60, callbackRetryDelaysMs: [40, 40, 40] });
});
afterAll(async () => {
	await emu.close();
});

/** @typedef {{ id: string, url: string, done: any }} Finished */

/* ---------------------------------------------------------------- minimal clients (written from PROVIDERS.md) */

const run = {
	/** @param {string} model @param {Record<string, unknown>} body @returns {Promise<Finished>} */
	async wavespeed(model, body) {
		const r = await call(`${emu.baseUrl('wavespeed')}/api/v3/${model}`, { key: KEYS.wavespeed, body });
		expect([r.status, r.json?.message]).toEqual([200, 'success']);
		const id = r.json.data.id;
		const done = await pollUntil(() => call(`${emu.baseUrl('wavespeed')}/api/v3/predictions/${id}/result`, { key: KEYS.wavespeed }), (x) => ['completed', 'failed'].includes(x.json?.data?.status));
		expect(done.json.data.status).toBe('completed');
		return { id, url: done.json.data.outputs[0], done: done.json };
	},
	/** @param {Record<string, unknown>} input @returns {Promise<Finished>} */
	async apixo(input) {
		const r = await call(`${emu.baseUrl('apixo')}/api/v1/generateTask/kling-3-0-std`, { key: KEYS.apixo, body: { input } });
		expect([r.status, r.json?.code]).toEqual([200, 200]);
		const id = r.json.data.taskId;
		const done = await pollUntil(() => call(`${emu.baseUrl('apixo')}/api/v1/statusTask/kling-3-0-std?taskId=${id}`, { key: KEYS.apixo }), (x) => ['success', 'failed'].includes(x.json?.data?.state));
		expect(done.json.data.state).toBe('success');
		return { id, url: JSON.parse(done.json.data.resultJson).resultUrls[0], done: done.json };
	},
	/** @param {string} model @param {Record<string, unknown>} input @returns {Promise<Finished>} */
	async kie(model, input) {
		const r = await call(`${emu.baseUrl('kie')}/api/v1/jobs/createTask`, { key: KEYS.kie, body: { model, input } });
		expect([r.status, r.json?.code, r.json?.msg]).toEqual([200, 200, 'success']);
		const id = r.json.data.taskId;
		const done = await pollUntil(() => call(`${emu.baseUrl('kie')}/api/v1/jobs/recordInfo?taskId=${id}`, { key: KEYS.kie }), (x) => ['success', 'fail'].includes(x.json?.data?.state));
		expect(done.json.data.state).toBe('success');
		return { id, url: JSON.parse(done.json.data.resultJson).resultUrls[0], done: done.json };
	},
	/** Legacy product: poll its own path. @param {string} path @param {Record<string, unknown>} body @returns {Promise<Finished>} */
	async klingLegacy(path, body) {
		const r = await call(`${emu.baseUrl('kling')}${path}`, { body, headers: { authorization: `Bearer ${KLING_KEY}` } });
		expect([r.status, r.json?.code, r.json?.data?.task_status]).toEqual([200, 0, 'submitted']);
		const id = r.json.data.task_id;
		const done = await pollUntil(() => call(`${emu.baseUrl('kling')}${path}/${id}`, { headers: { authorization: `Bearer ${KLING_KEY}` } }), (x) => ['succeed', 'failed'].includes(x.json?.data?.task_status));
		expect(done.json.data.task_status).toBe('succeed');
		return { id, url: done.json.data.task_result.videos[0].url, done: done.json };
	},
	/** New API: poll GET /tasks. @param {string} path @param {Record<string, unknown>} body @returns {Promise<Finished>} */
	async klingNew(path, body) {
		const r = await call(`${emu.baseUrl('kling')}${path}`, { body, headers: { authorization: `Bearer ${KLING_KEY}` } });
		expect([r.status, r.json?.code, r.json?.data?.status]).toEqual([200, 0, 'submitted']);
		const id = r.json.data.id;
		const done = await pollUntil(() => call(`${emu.baseUrl('kling')}/tasks?task_ids=${id}`, { headers: { authorization: `Bearer ${KLING_KEY}` } }), (x) => ['succeeded', 'failed'].includes(x.json?.data?.[0]?.status));
		expect(done.json.data[0].status).toBe('succeeded');
		return { id, url: done.json.data[0].outputs[0].url, done: done.json };
	},
	/** @param {string} endpoint @param {Record<string, unknown>} input @returns {Promise<Finished>} */
	async fal(endpoint, input) {
		const r = await call(`${emu.baseUrl('fal')}/${endpoint}`, { body: input, headers: { authorization: `Key ${FAL_KEY}` } });
		expect([r.status, r.json?.status]).toEqual([200, 'IN_QUEUE']);
		const app = endpoint.startsWith('kling/v4/') ? 'kling/v4' : 'fal-ai/kling-video';
		expect(r.json.status_url).toBe(`${emu.baseUrl('fal')}/${app}/requests/${r.json.request_id}/status`);
		await pollUntil(() => call(r.json.status_url, { headers: { authorization: `Key ${FAL_KEY}` } }), (x) => x.json?.status === 'COMPLETED');
		const res = await call(r.json.response_url, { headers: { authorization: `Key ${FAL_KEY}` } });
		expect(res.status).toBe(200);
		expect(res.json.video).toMatchObject({ url: expect.any(String), content_type: 'video/mp4' });
		return { id: r.json.request_id, url: res.json.video.url, done: res.json };
	},
	/** @param {string} model @param {Record<string, unknown>} input @returns {Promise<Finished>} */
	async replicate(model, input) {
		const r = await call(`${emu.baseUrl('replicate')}/v1/models/${model}/predictions`, { key: REPLICATE_KEY, body: { input } });
		expect([r.status, r.json?.status]).toEqual([201, 'starting']);
		const done = await pollUntil(() => call(r.json.urls.get, { key: REPLICATE_KEY }), (x) => ['succeeded', 'failed'].includes(x.json?.status));
		expect(done.json.status).toBe('succeeded');
		expect(typeof done.json.output).toBe('string');
		return { id: r.json.id, url: done.json.output, done: done.json };
	},
};

/* ---------------------------------------------------------------- accepted requests */

/**
 * [name, () => finished task, what the output must be]. Lengths: motion control = the reference video's, lip-sync and
 * edit = the input video's, avatar = the audio's, extend = input + new segment.
 * @type {[string, () => Promise<Finished>, { duration: number, audio: boolean, capability: string, aspectRatio?: string }][]}
 */
const ACCEPTED = [
	// WaveSpeed
	['wavespeed v2.6-pro motion-control (keeps the video\'s sound)', () => run.wavespeed('kwaivgi/kling-v2.6-pro/motion-control', { image: A('start.png'), video: A('video-8s-sound.mp4'), character_orientation: 'video' }), { duration: 8, audio: true, capability: 'motion-control' }],
	['wavespeed v3.0-std motion-control, orientation image caps at 10 s', () => run.wavespeed('kwaivgi/kling-v3.0-std/motion-control', { image: A('start.png'), video: A('video-12s.mp4'), character_orientation: 'image', prompt: 'dance' }), { duration: 10, audio: false, capability: 'motion-control' }],
	['wavespeed v3.0-pro motion-control keep_original_sound false', () => run.wavespeed('kwaivgi/kling-v3.0-pro/motion-control', { image: A('start.png'), video: A('video-5s-sound.mp4'), character_orientation: 'video', keep_original_sound: false }), { duration: 5, audio: false, capability: 'motion-control' }],
	['wavespeed lipsync audio-to-video', () => run.wavespeed('kwaivgi/kling-lipsync/audio-to-video', { video: A('video-8s-sound.mp4'), audio: A('audio-5s.wav') }), { duration: 8, audio: true, capability: 'lip-sync' }],
	['wavespeed lipsync text-to-video (portrait)', () => run.wavespeed('kwaivgi/kling-lipsync/text-to-video', { video: A('video-5s-portrait.mp4'), text: 'Hello there', voice_id: 'uk_boy1', voice_language: 'en', voice_speed: 1.2 }), { duration: 5, audio: true, capability: 'lip-sync', aspectRatio: '9:16' }],
	['wavespeed v2 ai-avatar-standard (MP3)', () => run.wavespeed('kwaivgi/kling-v2-ai-avatar-standard', { image: A('start.png'), audio: A('audio-6s.mp3'), prompt: 'smiles' }), { duration: 6, audio: true, capability: 'avatar', aspectRatio: '1:1' }],
	['wavespeed v1 ai-avatar-pro (WAV)', () => run.wavespeed('kwaivgi/kling-v1-ai-avatar-pro', { image: A('start.png'), audio: A('audio-5s.wav') }), { duration: 5, audio: true, capability: 'avatar' }],
	['wavespeed o1 reference-to-video', () => run.wavespeed('kwaivgi/kling-video-o1/reference-to-video', { prompt: '@Image1 walks to <<<image_2>>>', images: [A('start.png'), A('end.png')], duration: 7 }), { duration: 7, audio: false, capability: 'reference-to-video' }],
	['wavespeed o3-4k reference-to-video with a video', () => run.wavespeed('kwaivgi/kling-video-o3-4k/reference-to-video', { prompt: 'like @Video1', video: A('video-5s-sound.mp4'), images: [A('start.png')], duration: 9 }), { duration: 9, audio: true, capability: 'reference-to-video' }],
	['wavespeed v4.0 reference-to-video', () => run.wavespeed('kwaivgi/kling-v4.0/reference-to-video', { prompt: '@Image1 dances to @Audio1 like @Video1', images: [A('start.png')], videos: [A('video-3s.mp4')], audios: [A('audio-6s.mp3')], duration: 12 }), { duration: 12, audio: true, capability: 'reference-to-video' }],
	['wavespeed o1-std video-edit keeps length and sound', () => run.wavespeed('kwaivgi/kling-video-o1-std/video-edit', { prompt: 'make <<<video_1>>> snowy', video: A('video-8s-sound.mp4') }), { duration: 8, audio: true, capability: 'video-edit' }],
	['wavespeed o3-pro video-edit of a silent clip', () => run.wavespeed('kwaivgi/kling-video-o3-pro/video-edit', { prompt: 'night', video: A('video-5s.mp4'), images: [A('start.png')] }), { duration: 5, audio: false, capability: 'video-edit' }],
	['wavespeed v4.0 video-edit trims 35 s to 30 s', () => run.wavespeed('kwaivgi/kling-v4.0/video-edit', { prompt: 'make @Video1 rainy', video: A('video-35s-sound.mp4') }), { duration: 30, audio: true, capability: 'video-edit' }],
	['wavespeed v4.0 video-edit with duration', () => run.wavespeed('kwaivgi/kling-v4.0/video-edit', { prompt: 'rain', video: A('video-12s.mp4'), duration: 6 }), { duration: 6, audio: true, capability: 'video-edit' }],
	['wavespeed v4.0 video-extend = original + new', () => run.wavespeed('kwaivgi/kling-v4.0/video-extend', { prompt: 'the fox runs on', video: A('video-8s-sound.mp4'), duration: 7, last_image: A('end.png') }), { duration: 15, audio: true, capability: 'video-extend' }],
	// APIXO
	['apixo kling-3-0-std motion-control sound:true', () => run.apixo({ mode: 'motion-control', image_urls: [A('start.png')], video_urls: [A('video-8s-sound.mp4')], sound: true }), { duration: 8, audio: true, capability: 'motion-control' }],
	['apixo kling-3-0-std motion-control (silent by default)', () => run.apixo({ mode: 'motion-control', prompt: 'dance', image_urls: [A('start.png')], video_urls: [A('video-12s.mp4')], character_orientation: 'video' }), { duration: 12, audio: false, capability: 'motion-control' }],
	// Kie
	['kie kling-2.6/motion-control', () => run.kie('kling-2.6/motion-control', { prompt: 'dance', input_urls: [A('start.png')], video_urls: [A('video-8s-sound.mp4')], character_orientation: 'video', mode: '1080p' }), { duration: 8, audio: true, capability: 'motion-control' }],
	['kie kling-3.0/motion-control', () => run.kie('kling-3.0/motion-control', { input_urls: [A('start.png')], video_urls: [A('video-5s.mp4')], character_orientation: 'image', mode: '720p', background_source: 'input_image' }), { duration: 5, audio: false, capability: 'motion-control' }],
	['kie kling/ai-avatar-standard', () => run.kie('kling/ai-avatar-standard', { image_url: A('start.png'), audio_url: A('audio-5s.wav'), prompt: 'talks' }), { duration: 5, audio: true, capability: 'avatar' }],
	['kie kling/ai-avatar-pro', () => run.kie('kling/ai-avatar-pro', { image_url: A('start.png'), audio_url: A('audio-12s.mp3') }), { duration: 12, audio: true, capability: 'avatar' }],
	['kie kling-3.0-omni/reference-to-video', () => run.kie('kling-3.0-omni/reference-to-video', { prompt: '@image_1 meets @image_2', image_urls: [A('start.png'), A('end.png')], duration: 6, audio: true }), { duration: 6, audio: true, capability: 'reference-to-video' }],
	['kie kling-3.0-omni/transformation (≈ edit)', () => run.kie('kling-3.0-omni/transformation', { prompt: 'winter', video_urls: [A('video-8s-sound.mp4')], audio: true }), { duration: 8, audio: true, capability: 'video-edit' }],
	// Kling official, legacy products (own poll paths) and new API (/tasks)
	['kling legacy motion-control', () => run.klingLegacy('/v1/videos/motion-control', { model_name: 'kling-v3', image_url: A('start.png'), video_url: A('video-8s-sound.mp4'), character_orientation: 'video', mode: 'pro' }), { duration: 8, audio: true, capability: 'motion-control' }],
	['kling legacy motion-control keep_original_sound no', () => run.klingLegacy('/v1/videos/motion-control', { image_url: A('start.png'), video_url: A('video-5s-sound.mp4'), character_orientation: 'image', mode: 'std', keep_original_sound: 'no' }), { duration: 5, audio: false, capability: 'motion-control' }],
	['kling new motion-control/kling-2.6', () => run.klingNew('/motion-control/kling-2.6', { contents: [{ type: 'prompt', text: 'dance' }, { type: 'image', url: A('start.png') }, { type: 'video', url: A('video-8s-sound.mp4') }], settings: { character_orientation: 'video' } }), { duration: 8, audio: true, capability: 'motion-control' }],
	['kling new motion-control/kling-3.0 audio off', () => run.klingNew('/motion-control/kling-3.0', { contents: [{ type: 'image', url: A('start.png') }, { type: 'video', url: A('video-12s.mp4') }, { type: 'element', element_id: 123, id: 'hero' }], settings: { character_orientation: 'video', audio: 'off', resolution: '1080p' } }), { duration: 12, audio: false, capability: 'motion-control' }],
	['kling avatar/image2video sound_file', () => run.klingLegacy('/v1/videos/avatar/image2video', { image: A('start.png'), sound_file: A('audio-6s.mp3'), prompt: 'nods', mode: 'pro' }), { duration: 6, audio: true, capability: 'avatar' }],
	['kling legacy lip-sync text2video', () => run.klingLegacy('/v1/videos/lip-sync', { input: { video_url: A('video-5s-sound.mp4'), mode: 'text2video', text: 'Hi', voice_id: 'uk_boy1', voice_language: 'en' } }), { duration: 5, audio: true, capability: 'lip-sync' }],
	['kling legacy lip-sync audio2video url', () => run.klingLegacy('/v1/videos/lip-sync', { input: { video_url: A('video-8s-sound.mp4'), mode: 'audio2video', audio_type: 'url', audio_url: A('audio-5s.wav') } }), { duration: 8, audio: true, capability: 'lip-sync' }],
	['kling legacy omni-video reference (kling-video-o1)', () => run.klingLegacy('/v1/videos/omni-video', { model_name: 'kling-video-o1', prompt: '<<<image_1>>> beside <<<image_2>>>', image_list: [{ image_url: A('start.png') }, { image_url: A('end.png') }], duration: '7' }), { duration: 7, audio: false, capability: 'reference-to-video' }],
	['kling legacy omni-video edit (base video)', () => run.klingLegacy('/v1/videos/omni-video', { model_name: 'kling-v3-omni', prompt: 'snow on <<<video_1>>>', video_list: [{ video_url: A('video-8s-sound.mp4'), refer_type: 'base', keep_original_sound: 'yes' }] }), { duration: 8, audio: true, capability: 'video-edit' }],
	['kling new omni kling-3.0-omni edit (base_video, audio original)', () => run.klingNew('/omni-video/kling-3.0-omni', { contents: [{ type: 'prompt', text: 'rain on @clip' }, { type: 'base_video', url: A('video-12s.mp4'), id: 'clip' }], settings: { audio: 'original' } }), { duration: 12, audio: false, capability: 'video-edit' }],
	['kling new omni kling-o1 feature video', () => run.klingNew('/omni-video/kling-o1', { contents: [{ type: 'prompt', text: 'like @video_1' }, { type: 'feature_video', url: A('video-5s-sound.mp4') }], settings: { duration: 6 } }), { duration: 6, audio: false, capability: 'reference-to-video' }],
	// fal
	['fal v2.6 pro motion-control', () => run.fal('fal-ai/kling-video/v2.6/pro/motion-control', { image_url: A('start.png'), video_url: A('video-8s-sound.mp4'), character_orientation: 'video' }), { duration: 8, audio: true, capability: 'motion-control' }],
	['fal v2.6 standard motion-control', () => run.fal('fal-ai/kling-video/v2.6/standard/motion-control', { image_url: A('start.png'), video_url: A('video-5s-sound.mp4'), character_orientation: 'image', keep_original_sound: false }), { duration: 5, audio: false, capability: 'motion-control' }],
	['fal v3 pro motion-control with an element', () => run.fal('fal-ai/kling-video/v3/pro/motion-control', { image_url: A('start.png'), video_url: A('video-12s.mp4'), character_orientation: 'video', elements: [{ frontal_image_url: A('end.png') }] }), { duration: 12, audio: false, capability: 'motion-control' }],
	['fal v3 standard motion-control', () => run.fal('fal-ai/kling-video/v3/standard/motion-control', { image_url: A('start.png'), video_url: A('video-3s.mp4'), character_orientation: 'video' }), { duration: 3, audio: false, capability: 'motion-control' }],
	['fal lipsync audio-to-video', () => run.fal('fal-ai/kling-video/lipsync/audio-to-video', { video_url: A('video-8s-sound.mp4'), audio_url: A('audio-6s.mp3') }), { duration: 8, audio: true, capability: 'lip-sync' }],
	['fal lipsync text-to-video', () => run.fal('fal-ai/kling-video/lipsync/text-to-video', { video_url: A('video-5s.mp4'), text: 'Hello', voice_id: 'oversea_male1', voice_language: 'en' }), { duration: 5, audio: true, capability: 'lip-sync' }],
	['fal ai-avatar v2 standard', () => run.fal('fal-ai/kling-video/ai-avatar/v2/standard', { image_url: A('start.png'), audio_url: A('audio-5s.wav') }), { duration: 5, audio: true, capability: 'avatar' }],
	['fal ai-avatar v2 pro', () => run.fal('fal-ai/kling-video/ai-avatar/v2/pro', { image_url: A('start.png'), audio_url: A('audio-12s.mp3'), prompt: 'sings' }), { duration: 12, audio: true, capability: 'avatar' }],
	['fal o3 standard reference-to-video', () => run.fal('fal-ai/kling-video/o3/standard/reference-to-video', { prompt: '@Image1 and @Element1', image_urls: [A('start.png')], elements: [{ frontal_image_url: A('end.png'), reference_image_urls: [A('start.png')] }], duration: '8' }), { duration: 8, audio: false, capability: 'reference-to-video' }],
	['fal o3 4k reference-to-video generate_audio', () => run.fal('fal-ai/kling-video/o3/4k/reference-to-video', { prompt: '@Image1', image_urls: [A('start.png')], generate_audio: true }), { duration: 5, audio: true, capability: 'reference-to-video' }],
	['fal kling/v4 reference-to-video', () => run.fal('kling/v4/reference-to-video', { prompt: '@Image1 like @Video1', image_urls: [A('start.png')], video_urls: [A('video-5s.mp4')], duration: 11 }), { duration: 11, audio: true, capability: 'reference-to-video' }],
	['fal o3 pro video-to-video/edit keep_audio', () => run.fal('fal-ai/kling-video/o3/pro/video-to-video/edit', { prompt: 'make @Video1 sunny', video_url: A('video-8s-sound.mp4') }), { duration: 8, audio: true, capability: 'video-edit' }],
	['fal o3 standard video-to-video/edit keep_audio false', () => run.fal('fal-ai/kling-video/o3/standard/video-to-video/edit', { prompt: 'x', video_url: A('video-5s-sound.mp4'), keep_audio: false }), { duration: 5, audio: false, capability: 'video-edit' }],
	['fal kling/v4 video-to-video/edit', () => run.fal('kling/v4/video-to-video/edit', { prompt: 'turn @Video1 into a cartoon', video_url: A('video-12s.mp4'), image_urls: [A('start.png')] }), { duration: 12, audio: true, capability: 'video-edit' }],
	// Replicate
	['replicate kling-v2.6-motion-control', () => run.replicate('kwaivgi/kling-v2.6-motion-control', { image: A('start.png'), video: A('video-8s-sound.mp4'), mode: 'pro', character_orientation: 'video' }), { duration: 8, audio: true, capability: 'motion-control' }],
	['replicate kling-v3-motion-control', () => run.replicate('kwaivgi/kling-v3-motion-control', { image: A('start.png'), video: A('video-5s-sound.mp4'), keep_original_sound: false }), { duration: 5, audio: false, capability: 'motion-control' }],
	['replicate kling-lip-sync audio_file', () => run.replicate('kwaivgi/kling-lip-sync', { video_url: A('video-8s-sound.mp4'), audio_file: A('audio-5s.wav') }), { duration: 8, audio: true, capability: 'lip-sync' }],
	['replicate kling-lip-sync text', () => run.replicate('kwaivgi/kling-lip-sync', { video_url: A('video-3s.mp4'), text: 'Hello', voice_id: 'en_AOT', voice_speed: 1 }), { duration: 3, audio: true, capability: 'lip-sync' }],
	['replicate kling-avatar-v2', () => run.replicate('kwaivgi/kling-avatar-v2', { image: A('start.png'), audio: A('audio-6s.mp3'), mode: 'std' }), { duration: 6, audio: true, capability: 'avatar' }],
	['replicate kling-v3-omni-video reference', () => run.replicate('kwaivgi/kling-v3-omni-video', { prompt: '<<<image_1>>> like <<<video_1>>>', reference_images: [A('start.png')], reference_video: A('video-5s-sound.mp4'), video_reference_type: 'feature', duration: 7 }), { duration: 7, audio: false, capability: 'reference-to-video' }],
	['replicate kling-o1 edit (base) keeps length and sound', () => run.replicate('kwaivgi/kling-o1', { prompt: 'snow on <<<video_1>>>', reference_video: A('video-8s-sound.mp4'), video_reference_type: 'base' }), { duration: 8, audio: true, capability: 'video-edit' }],
	['replicate kling-v3-omni-video edit of a silent clip', () => run.replicate('kwaivgi/kling-v3-omni-video', { prompt: 'rain', reference_video: A('video-5s.mp4'), video_reference_type: 'base' }), { duration: 5, audio: false, capability: 'video-edit' }],
];

describe('accepted requests: poll, result MP4 length and audio track, recorded media', () => {
	test.each(ACCEPTED.map(([n, f, w]) => /** @type {const} */ ([n, f, w])))('%s', async (_name, start, want) => {
		const t = await start();
		const media = /** @type {any} */ (emu.tasks.get(t.id)?.media);
		expect(media).toMatchObject({ duration: want.duration, audio: want.audio, capability: want.capability });
		if (want.aspectRatio) expect(media.aspectRatio).toBe(want.aspectRatio);
		await expectVideo(t.url, { duration: want.duration, audio: want.audio });
	});
});

describe('what a task records of its inputs', () => {
	test('motion control: the measured reference video (length, sound, size) and the orientation', async () => {
		const t = await run.wavespeed('kwaivgi/kling-v3.0-pro/motion-control', { image: A('start.png'), video: A('video-12s.mp4'), character_orientation: 'image' });
		expect(/** @type {any} */ (emu.tasks.get(t.id)?.media).duration).toBe(10); // orientation "image": cut to 10 s
		expect(/** @type {any} */ (emu.tasks.get(t.id)?.media).inputs).toEqual({
			video: { url: A('video-12s.mp4'), source: 'local', seconds: 12, measuredSeconds: 12, audio: false, bytes: expect.any(Number), width: 1280, height: 720 },
			orientation: 'image',
		});
	});

	test('a URL off the emulator is not fetched: remote defaults (5 s, with sound) drive the output', async () => {
		const t = await run.fal('fal-ai/kling-video/lipsync/audio-to-video', { video_url: 'https://cdn.example.com/clip.mp4', audio_url: 'https://cdn.example.com/voice.mp3' });
		expect(/** @type {any} */ (emu.tasks.get(t.id)?.media)).toMatchObject({ duration: 5, audio: true, inputs: { video: { source: 'remote', seconds: 5 }, audio: { source: 'remote', seconds: 5 } } });
		emu.configure({ remoteVideoSeconds: 9, remoteVideoHasAudio: false });
		try {
			const m = await run.fal('fal-ai/kling-video/v2.6/pro/motion-control', { image_url: A('start.png'), video_url: 'https://cdn.example.com/moves.mp4', character_orientation: 'video' });
			expect(/** @type {any} */ (emu.tasks.get(m.id)?.media)).toMatchObject({ duration: 9, audio: false });
			await expectVideo(m.url, { duration: 9, audio: false });
		} finally {
			emu.configure({ remoteVideoSeconds: 5, remoteVideoHasAudio: true });
		}
	});

	test('a data: URI input is decoded and measured', async () => {
		const wav = Buffer.from(await (await fetch(A('audio-5s.wav'))).arrayBuffer());
		const t = await run.replicate('kwaivgi/kling-avatar-v2', { image: A('start.png'), audio: `data:audio/wav;base64,${wav.toString('base64')}` });
		expect(/** @type {any} */ (emu.tasks.get(t.id)?.media)).toMatchObject({ duration: 5, inputs: { audio: { source: 'data', seconds: 5 } } });
	});

	test('an emulator video URL with nothing behind it: the task is created and fails like a download failure', async () => {
		const r = await call(`${emu.baseUrl('wavespeed')}/api/v3/kwaivgi/kling-v2.6-std/motion-control`, { key: KEYS.wavespeed, body: { image: A('start.png'), video: A('missing.mp4'), character_orientation: 'video' } });
		expect(r.status).toBe(200);
		const done = await pollUntil(() => call(`${emu.baseUrl('wavespeed')}/api/v3/predictions/${r.json.data.id}/result`, { key: KEYS.wavespeed }), (x) => ['completed', 'failed'].includes(x.json?.data?.status));
		expect(done.json.data).toMatchObject({ status: 'failed', code: 1402 });
		// a PNG sent as the video: unreadable media
		const k = await call(`${emu.baseUrl('kling')}/motion-control/kling-2.6`, { headers: { authorization: `Bearer ${KLING_KEY}` }, body: { contents: [{ type: 'image', url: A('start.png') }, { type: 'video', url: A('end.png') }], settings: { character_orientation: 'video' } } });
		const kd = await pollUntil(() => call(`${emu.baseUrl('kling')}/tasks?task_ids=${k.json.data.id}`, { headers: { authorization: `Bearer ${KLING_KEY}` } }), (x) => ['succeeded', 'failed'].includes(x.json?.data?.[0]?.status));
		expect(kd.json.data[0]).toMatchObject({ status: 'failed', message: expect.stringContaining('1201') });
	});
});

/* ---------------------------------------------------------------- strict rejections */

/** @param {string} model @param {unknown} body */
const wsPost = (model, body) => call(`${emu.baseUrl('wavespeed')}/api/v3/${model}`, { key: KEYS.wavespeed, body });
/** @param {string} path @param {unknown} body */
const klingPost = (path, body) => call(`${emu.baseUrl('kling')}${path}`, { body, headers: { authorization: `Bearer ${KLING_KEY}` } });
/** @param {string} endpoint @param {unknown} body */
const falPost = (endpoint, body) => call(`${emu.baseUrl('fal')}/${endpoint}`, { body, headers: { authorization: `Key ${FAL_KEY}` } });
/** @param {string} model @param {unknown} input */
const repPost = (model, input) => call(`${emu.baseUrl('replicate')}/v1/models/${model}/predictions`, { key: REPLICATE_KEY, body: { input } });
/** @param {string} model @param {unknown} input */
const kiePost = (model, input) => call(`${emu.baseUrl('kie')}/api/v1/jobs/createTask`, { key: KEYS.kie, body: { model, input } });

describe('strict rejections (documented limits) in each provider\'s error shape; nothing is created', () => {
	test('WaveSpeed → 400 {code, message}', async () => {
		const cases = /** @type {[string, () => Record<string, unknown>, string][]} */ ([
			['kwaivgi/kling-v2.6-pro/motion-control', () => ({ image: A('start.png'), video: A('video-35s-sound.mp4'), character_orientation: 'video' }), 'at most 30 s'],
			['kwaivgi/kling-v2.6-pro/motion-control', () => ({ image: A('start.png'), video: A('video-1s.mp4'), character_orientation: 'video' }), 'at least 3 s'],
			['kwaivgi/kling-v3.0-std/motion-control', () => ({ image: A('start.png'), video: A('video-5s.mp4') }), 'character_orientation is required'],
			['kwaivgi/kling-v3.0-std/motion-control', () => ({ image: A('start.png'), video: A('video-5s.mp4'), character_orientation: 'video', keep_original_sound: 'yes' }), 'boolean'],
			['kwaivgi/kling-lipsync/audio-to-video', () => ({ video: A('video-12s.mp4'), audio: A('audio-5s.wav') }), 'at most 10 s'],
			['kwaivgi/kling-lipsync/audio-to-video', () => ({ video: A('video-1s.mp4'), audio: A('audio-5s.wav') }), 'at least 2 s'],
			['kwaivgi/kling-lipsync/audio-to-video', () => ({ video: A('video-5s-small.mp4'), audio: A('audio-5s.wav') }), '720 px'],
			['kwaivgi/kling-lipsync/audio-to-video', () => ({ video: A('video-5s.mp4'), audio: A('audio-30s-big.wav') }), 'at most 5 MB'],
			['kwaivgi/kling-lipsync/text-to-video', () => ({ video: A('video-5s.mp4'), text: 'x'.repeat(121), voice_id: 'uk_boy1' }), '120'],
			['kwaivgi/kling-lipsync/text-to-video', () => ({ video: A('video-5s.mp4'), text: 'hi', voice_id: 'nobody' }), 'voice_id'],
			['kwaivgi/kling-v2-ai-avatar-pro', () => ({ image: A('start.png'), audio: A('audio-1s.wav') }), 'at least 2 s'],
			['kwaivgi/kling-v2-ai-avatar-pro', () => ({ image: A('start.png') }), 'audio is required'],
			['kwaivgi/kling-video-o1/reference-to-video', () => ({ prompt: '@Image3', images: [A('start.png'), A('end.png')] }), '@Image3'],
			['kwaivgi/kling-video-o1/reference-to-video', () => ({ prompt: 'x', images: Array(8).fill(A('start.png')) }), 'at most 7'],
			['kwaivgi/kling-video-o3-std/reference-to-video', () => ({ prompt: 'x', video: A('video-5s.mp4'), images: Array(5).fill(A('start.png')) }), 'limited to 4 with a video'],
			['kwaivgi/kling-video-o3-std/reference-to-video', () => ({ prompt: 'x', video: A('video-5s.mp4'), sound: true }), 'sound must be off'],
			['kwaivgi/kling-video-o1/video-edit', () => ({ prompt: 'x', video: A('video-12s.mp4') }), 'at most 10 s'],
			['kwaivgi/kling-video-o3-pro/video-edit', () => ({ prompt: 'x <<<video_2>>>', video: A('video-5s.mp4') }), '<<<video_2>>>'],
			['kwaivgi/kling-v4.0/reference-to-video', () => ({ prompt: '@Audio1', images: [A('start.png')] }), 'no audio was given'],
			['kwaivgi/kling-v4.0/reference-to-video', () => ({ prompt: 'x', audios: [A('audio-1s.wav')] }), 'at least 5 s'],
			['kwaivgi/kling-v4.0/reference-to-video', () => ({ prompt: 'x', images: Array(11).fill(A('start.png')) }), 'at most 10'],
			['kwaivgi/kling-v4.0/reference-to-video', () => ({ prompt: 'x', images: [A('start.png')], keep_original_sound: true }), 'requires videos'],
			['kwaivgi/kling-v4.0/video-edit', () => ({ prompt: 'x', video: A('video-1s.mp4') }), 'at least 3 s'],
			['kwaivgi/kling-v4.0/video-edit', () => ({ prompt: '@Video2', video: A('video-5s.mp4') }), '@Video2'],
			['kwaivgi/kling-v4.0/video-extend', () => ({ prompt: 'x', video: A('video-5s.mp4'), duration: 31 }), 'duration'],
			['kwaivgi/kling-v4.0/video-extend', () => ({ video: A('video-5s.mp4') }), 'prompt is required'],
		]);
		for (const [model, body, needle] of cases) {
			const r = await wsPost(model, body());
			expect([model, needle, r.status, r.json?.code]).toEqual([model, needle, 400, 400]);
			expect(r.json.message).toContain(needle);
		}
	});

	test('APIXO motion-control → 400 {code, message:"Invalid request", data.error}', async () => {
		const cases = /** @type {[Record<string, unknown>, string][]} */ ([
			[{ mode: 'motion-control', image_urls: [A('start.png')], video_urls: [A('video-35s-sound.mp4')] }, 'at most 30 s'],
			[{ mode: 'motion-control', image_urls: [A('start.png')], video_urls: [A('video-12s.mp4')], character_orientation: 'image' }, 'at most 10 s'],
			[{ mode: 'motion-control', image_urls: [A('start.png'), A('end.png')], video_urls: [A('video-5s.mp4')] }, 'input.image_urls'],
			[{ mode: 'motion-control', image_urls: [A('start.png')] }, 'Missing required field: input.video_urls'],
			[{ mode: 'motion-control', image_urls: [A('start.png')], video_urls: [A('video-5s.mp4')], aspect_ratio: '16:9' }, 'unknown field input.aspect_ratio'],
		]);
		for (const [input, needle] of cases) {
			const r = await call(`${emu.baseUrl('apixo')}/api/v1/generateTask/kling-3-0-std`, { key: KEYS.apixo, body: { input } });
			expect([needle, r.status, r.json?.message]).toEqual([needle, 400, 'Invalid request']);
			expect(r.json.data.error).toContain(needle);
		}
	});

	test('Kie → HTTP 200 with body code 422 (500 for the avatar\'s unknown fields and 3.0 motion-control std/pro)', async () => {
		const cases = /** @type {[string, () => Record<string, unknown>, number, string][]} */ ([
			['kling-2.6/motion-control', () => ({ input_urls: [A('start.png')], video_urls: [A('video-12s.mp4')], character_orientation: 'image', mode: '720p' }), 422, 'at most 10 s'],
			['kling-2.6/motion-control', () => ({ input_urls: [A('start.png')], video_urls: [A('video-5s.mp4')], character_orientation: 'video' }), 422, 'input.mode is required'],
			['kling-3.0/motion-control', () => ({ input_urls: [A('start.png')], video_urls: [A('video-5s.mp4')], character_orientation: 'video', mode: 'pro' }), 500, 'Internal server error'],
			['kling/ai-avatar-pro', () => ({ image_url: A('start.png'), audio_url: A('audio-5s.wav'), mode: 'pro' }), 500, 'Internal server error'],
			['kling/ai-avatar-standard', () => ({ image_url: A('start.png'), audio_url: A('audio-1s.wav') }), 422, 'at least 2 s'],
			['kling-3.0-omni/reference-to-video', () => ({ prompt: '@image_3', image_urls: [A('start.png'), A('end.png')] }), 422, '@image_3'],
			['kling-3.0-omni/reference-to-video', () => ({ prompt: 'x', image_urls: Array(8).fill(A('start.png')) }), 422, 'at most 7'],
			['kling-3.0-omni/reference-to-video', () => ({ prompt: 'x', video_urls: [A('video-5s.mp4')], audio: true }), 422, 'audio must be false'],
			['kling-3.0-omni/transformation', () => ({ prompt: 'x', video_urls: [A('video-35s-sound.mp4')] }), 422, 'at most 15.5 s'],
		]);
		for (const [model, input, code, needle] of cases) {
			const r = await kiePost(model, input());
			expect([model, needle, r.status, r.json?.code]).toEqual([model, needle, 200, code]);
			expect(r.json.msg).toContain(needle);
		}
	});

	test('Kling official → HTTP 400 code 1201', async () => {
		const session = (await klingPost('/v1/videos/identify-face', { video_url: A('video-8s-sound.mp4') })).json.data.session_id;
		const cases = /** @type {[string, () => Record<string, unknown>, string][]} */ ([
			['/v1/videos/motion-control', () => ({ image_url: A('start.png'), video_url: A('video-12s.mp4'), character_orientation: 'image', mode: 'std' }), 'at most 10 s'],
			['/v1/videos/motion-control', () => ({ image_url: A('start.png'), video_url: A('video-5s.mp4'), character_orientation: 'video', mode: 'std', keep_original_sound: true }), 'keep_original_sound'],
			['/v1/videos/motion-control', () => ({ image_url: A('start.png'), video_url: A('video-5s.mp4'), character_orientation: 'video' }), 'mode is required'],
			['/motion-control/kling-3.0', () => ({ contents: [{ type: 'image', url: A('start.png') }, { type: 'video', url: A('video-35s-sound.mp4') }], settings: { character_orientation: 'video' } }), 'at most 30 s'],
			['/motion-control/kling-2.6', () => ({ contents: [{ type: 'image', url: A('start.png') }, { type: 'video', url: A('video-5s.mp4') }, { type: 'element', element_id: 1, id: 'e' }], settings: { character_orientation: 'video' } }), 'contents[2].type'],
			['/motion-control/kling-2.6', () => ({ contents: [{ type: 'image', url: A('start.png') }], settings: { character_orientation: 'video' } }), 'video item'],
			['/v1/videos/avatar/image2video', () => ({ image: A('start.png'), sound_file: A('audio-30s-big.wav') }), 'at most 5 MB'],
			['/v1/videos/avatar/image2video', () => ({ image: A('start.png'), sound_file: A('audio-5s.wav'), audio_id: 'tts_1' }), 'exactly one'],
			['/v1/videos/identify-face', () => ({ video_url: A('video-1s.mp4') }), 'at least 2 s'],
			['/v1/videos/identify-face', () => ({ video_url: A('video-5s-small.mp4') }), '720 px'],
			['/v1/videos/advanced-lip-sync', () => ({ session_id: 'nope', face_choose: [{ face_id: '0', sound_file: A('audio-5s.wav'), sound_start_time: 0, sound_end_time: 5000, sound_insert_time: 0 }] }), 'session_id'],
			['/v1/videos/advanced-lip-sync', () => ({ session_id: session, face_choose: [{ face_id: '1', sound_file: A('audio-5s.wav'), sound_start_time: 0, sound_end_time: 5000, sound_insert_time: 0 }] }), 'face_id'],
			['/v1/videos/advanced-lip-sync', () => ({ session_id: session, face_choose: [{ face_id: '0', sound_file: A('audio-1s.wav'), sound_start_time: 0, sound_end_time: 1000, sound_insert_time: 0 }] }), 'at least 2 s'],
			['/v1/videos/lip-sync', () => ({ input: { video_url: A('video-12s.mp4'), mode: 'text2video', text: 'hi', voice_id: 'v' } }), 'at most 10 s'],
			['/v1/videos/lip-sync', () => ({ input: { video_url: A('video-5s.mp4'), mode: 'audio2video', audio_type: 'url' } }), 'audio_url is required'],
			['/v1/videos/omni-video', () => ({ model_name: 'kling-video-o1', prompt: '<<<image_2>>>', image_list: [{ image_url: A('start.png') }] }), '<<<image_2>>>'],
			['/v1/videos/omni-video', () => ({ model_name: 'kling-v3-omni', prompt: 'x', video_list: [{ video_url: A('video-12s.mp4'), refer_type: 'base' }] }), 'at most 10 s'],
			['/v1/videos/omni-video', () => ({ model_name: 'kling-v3-omni', prompt: 'x', sound: 'on', video_list: [{ video_url: A('video-5s.mp4'), refer_type: 'feature' }] }), 'sound must be "off"'],
			['/v1/videos/omni-video', () => ({ model_name: 'kling-v3-omni', prompt: 'x', image_list: Array(5).fill({ image_url: A('start.png') }), video_list: [{ video_url: A('video-5s.mp4'), refer_type: 'feature' }] }), 'limited to 4 with a video'],
			['/omni-video/kling-3.0-omni', () => ({ contents: [{ type: 'prompt', text: 'with @image_2' }, { type: 'refer_image', url: A('start.png') }] }), '@image_2'],
			['/omni-video/kling-o1', () => ({ contents: [{ type: 'prompt', text: 'x' }, { type: 'base_video', url: A('video-12s.mp4') }] }), 'at most 10 s'],
		]);
		for (const [path, body, needle] of cases) {
			const r = await klingPost(path, body());
			expect([path, needle, r.status, r.json?.code]).toEqual([path, needle, 400, 1201]);
			expect(r.json.message).toContain(needle);
		}
	});

	test('fal → 422 pydantic detail[]', async () => {
		const cases = /** @type {[string, () => Record<string, unknown>, string, string][]} */ ([
			['fal-ai/kling-video/v2.6/pro/motion-control', () => ({ image_url: A('start.png'), video_url: A('video-12s.mp4'), character_orientation: 'image' }), 'video_url', 'at most 10 s'],
			['fal-ai/kling-video/v3/pro/motion-control', () => ({ image_url: A('start.png'), video_url: A('video-5s.mp4'), character_orientation: 'image', elements: [{ frontal_image_url: A('end.png') }] }), 'elements', 'orientation "video"'],
			['fal-ai/kling-video/lipsync/audio-to-video', () => ({ video_url: A('video-5s.mp4'), audio_url: A('audio-30s-big.wav') }), 'audio_url', 'at most 5 MB'],
			['fal-ai/kling-video/lipsync/audio-to-video', () => ({ video_url: A('video-5s-small.mp4'), audio_url: A('audio-5s.wav') }), 'video_url', '720 px'],
			['fal-ai/kling-video/lipsync/text-to-video', () => ({ video_url: A('video-5s.mp4'), text: 'hi' }), 'voice_id', 'Field required'],
			['fal-ai/kling-video/ai-avatar/v2/pro', () => ({ image_url: A('start.png'), audio_url: A('audio-1s.wav') }), 'audio_url', 'at least 2 s'],
			['fal-ai/kling-video/o3/pro/reference-to-video', () => ({ prompt: '@Element2', image_urls: [A('start.png')], elements: [{ frontal_image_url: A('end.png') }] }), 'prompt', '@Element2'],
			['fal-ai/kling-video/o3/pro/reference-to-video', () => ({ prompt: 'x', image_urls: Array(8).fill(A('start.png')) }), 'image_urls', 'limited to 7'],
			['kling/v4/reference-to-video', () => ({ prompt: 'x', video_urls: [A('video-12s.mp4'), A('video-12s.mp4'), A('video-8s-sound.mp4')] }), 'video_urls', 'together'],
			['fal-ai/kling-video/o3/standard/video-to-video/edit', () => ({ prompt: 'x', video_url: A('video-12s.mp4') }), 'video_url', 'at most 10 s'],
			['kling/v4/video-to-video/edit', () => ({ prompt: 'x', video_url: A('video-35s-sound.mp4') }), 'video_url', 'at most 30.05 s'],
			['kling/v4/video-to-video/edit', () => ({ prompt: 'x', video_url: A('video-5s-small.mp4') }), 'video_url', '700 px'],
		]);
		for (const [endpoint, body, field, needle] of cases) {
			const r = await falPost(endpoint, body());
			expect([endpoint, needle, r.status]).toEqual([endpoint, needle, 422]);
			expect(r.json.detail[0].loc).toEqual(['body', field]);
			expect(r.json.detail[0].msg).toContain(needle);
		}
	});

	test('Replicate → 422 invalid_fields', async () => {
		const cases = /** @type {[string, () => Record<string, unknown>, string, string][]} */ ([
			['kwaivgi/kling-v2.6-motion-control', () => ({ image: A('start.png'), video: A('video-12s.mp4'), character_orientation: 'image' }), 'input.video', 'at most 10 s'],
			['kwaivgi/kling-v2.6-motion-control', () => ({ image: A('start.png') }), 'input.video', 'video is required'],
			['kwaivgi/kling-lip-sync', () => ({ video_url: A('video-12s.mp4'), audio_file: A('audio-5s.wav') }), 'input.video_url', 'at most 10 s'],
			['kwaivgi/kling-lip-sync', () => ({ video_url: A('video-5s.mp4'), audio_file: A('audio-5s.wav'), text: 'hi' }), 'input.audio_file', 'exactly one'],
			['kwaivgi/kling-avatar-v2', () => ({ image: A('start.png'), audio: A('audio-30s-big.wav') }), 'input.audio', 'at most 5 MB'],
			['kwaivgi/kling-v3-omni-video', () => ({ prompt: '<<<video_1>>>', reference_images: [A('start.png')] }), 'input.prompt', '<<<video_1>>>'],
			['kwaivgi/kling-o1', () => ({ prompt: 'x', reference_video: A('video-12s.mp4'), video_reference_type: 'base' }), 'input.reference_video', 'at most 10 s'],
		]);
		for (const [model, input, field, needle] of cases) {
			const r = await repPost(model, input());
			expect([model, needle, r.status]).toEqual([model, needle, 422]);
			expect(r.json.invalid_fields[0].field).toBe(field);
			expect(r.json.invalid_fields[0].description).toContain(needle);
		}
	});
});

/* ---------------------------------------------------------------- Kling lip-sync two-step flow, per-product poll paths */

describe('Kling official: identify-face → advanced-lip-sync; each product has its own poll path', () => {
	test('identify-face answers synchronously with session_id and face_data; advanced-lip-sync keeps the video length', async () => {
		const f = await klingPost('/v1/videos/identify-face', { video_url: A('video-8s-sound.mp4') });
		expect([f.status, f.json.code]).toEqual([200, 0]);
		expect(f.json.data).toEqual({ session_id: expect.any(String), face_data: [{ face_id: '0', face_image: expect.stringMatching(/^http/), start_time: 0, end_time: 8000 }] });
		const t = await run.klingLegacy('/v1/videos/advanced-lip-sync', {
			session_id: f.json.data.session_id,
			face_choose: [{ face_id: '0', sound_file: A('audio-5s.wav'), sound_start_time: 0, sound_end_time: 5000, sound_insert_time: 2000, sound_volume: 1.5, original_audio_volume: 0.5 }],
		});
		expect(t.done.data).toMatchObject({ task_status: 'succeed', task_result: { videos: [{ duration: '8' }] } });
		await expectVideo(t.url, { duration: 8, audio: true });
		// a generated video can be identified by its id
		const g = await klingPost('/v1/videos/identify-face', { video_id: t.done.data.task_result.videos[0].id });
		expect(g.json.data.face_data[0].end_time).toBe(8000);
	});

	test('a task is found only under its own product path', async () => {
		const t = await run.klingLegacy('/v1/videos/avatar/image2video', { image: A('start.png'), sound_file: A('audio-5s.wav') });
		const auth = { authorization: `Bearer ${KLING_KEY}` };
		expect((await call(`${emu.baseUrl('kling')}/v1/videos/avatar/image2video/${t.id}`, { headers: auth })).status).toBe(200);
		for (const other of ['image2video', 'motion-control', 'omni-video', 'advanced-lip-sync']) {
			const r = await call(`${emu.baseUrl('kling')}/v1/videos/${other}/${t.id}`, { headers: auth });
			expect([other, r.status, r.json.code]).toEqual([other, 404, 1203]);
		}
		// the new API's motion-control task is polled via /tasks only
		const n = await run.klingNew('/motion-control/kling-2.6', { contents: [{ type: 'image', url: A('start.png') }, { type: 'video', url: A('video-3s.mp4') }], settings: { character_orientation: 'video' } });
		expect((await call(`${emu.baseUrl('kling')}/v1/videos/motion-control/${n.id}`, { headers: auth })).status).toBe(404);
	});
});

/* ---------------------------------------------------------------- callbacks */

describe('callbacks use each provider\'s mechanism', () => {
	test('WaveSpeed lip-sync webhook: bare prediction, signed v3 HMAC', async () => {
		const rx = await startReceiver();
		try {
			const r = await call(`${emu.baseUrl('wavespeed')}/api/v3/kwaivgi/kling-lipsync/audio-to-video?webhook=${encodeURIComponent(`${rx.url}/ws`)}`, { key: KEYS.wavespeed, body: { video: A('video-5s.mp4'), audio: A('audio-5s.wav') } });
			const [hook] = await rx.waitFor(1);
			expect(hook.json).toMatchObject({ id: r.json.data.id, status: 'completed', outputs: [expect.any(String)] });
			const h = hook.headers;
			const expected = crypto.createHmac('sha256', WAVESPEED_SECRET.replace(/^whsec_/, '')).update(`${h['webhook-id']}.${h['webhook-timestamp']}.${hook.raw}`).digest('hex');
			expect(h['webhook-signature']).toBe(`v3,${expected}`);
		} finally {
			await rx.close();
		}
	});

	test('Kling legacy motion-control callback: task_status processing then succeed, task_result.videos', async () => {
		const rx = await startReceiver();
		try {
			await klingPost('/v1/videos/motion-control', { image_url: A('start.png'), video_url: A('video-5s-sound.mp4'), character_orientation: 'video', mode: 'std', callback_url: `${rx.url}/k` });
			const got = await rx.waitFor(2);
			expect(got.map((x) => x.json.task_status)).toEqual(['processing', 'succeed']);
			expect(got[1].json.task_result.videos[0]).toMatchObject({ duration: '5' });
		} finally {
			await rx.close();
		}
	});

	test('Kie avatar callback: {code:200, data.state success, resultJson}, HMAC headers', async () => {
		const rx = await startReceiver();
		try {
			const r = await call(`${emu.baseUrl('kie')}/api/v1/jobs/createTask`, { key: KEYS.kie, body: { model: 'kling/ai-avatar-standard', callBackUrl: `${rx.url}/kie`, input: { image_url: A('start.png'), audio_url: A('audio-5s.wav') } } });
			const [cb] = await rx.waitFor(1);
			expect(cb.json).toMatchObject({ code: 200, data: { taskId: r.json.data.taskId, state: 'success' } });
			expect(cb.headers['x-webhook-signature']).toEqual(expect.any(String));
		} finally {
			await rx.close();
		}
	});

	test('fal edit webhook (app kling/v4) and Replicate lip-sync completed webhook', async () => {
		const rx = await startReceiver();
		try {
			const f = await call(`${emu.baseUrl('fal')}/kling/v4/video-to-video/edit?fal_webhook=${encodeURIComponent(`${rx.url}/fal`)}`, { headers: { authorization: `Key ${FAL_KEY}` }, body: { prompt: 'x', video_url: A('video-5s.mp4') } });
			const r = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-lip-sync/predictions`, { key: REPLICATE_KEY, body: { input: { video_url: A('video-5s.mp4'), text: 'hi' }, webhook: `${rx.url}/rep`, webhook_events_filter: ['completed'] } });
			const got = await rx.waitFor(2);
			const fal = got.find((x) => x.url === '/fal');
			const rep = got.find((x) => x.url === '/rep');
			expect(fal?.json).toMatchObject({ request_id: f.json.request_id, status: 'OK', payload: { video: { url: expect.any(String) } } });
			expect(fal?.headers['x-fal-webhook-signature']).toEqual(expect.any(String));
			expect(rep?.json).toMatchObject({ id: r.json.id, status: 'succeeded', output: expect.any(String) });
			expect(rep?.headers['webhook-signature']).toMatch(/^v1,/);
		} finally {
			await rx.close();
		}
	});
});

/* ---------------------------------------------------------------- sample assets */

describe('sample input assets have the lengths they claim', () => {
	test.each(/** @type {[string, number, boolean, number, number][]} */ ([
		['video-1s.mp4', 1, true, 1280, 720],
		['video-3s.mp4', 3, false, 1280, 720],
		['video-5s.mp4', 5, false, 1280, 720],
		['video-5s-sound.mp4', 5, true, 1280, 720],
		['video-5s-portrait.mp4', 5, true, 720, 1280],
		['video-5s-small.mp4', 5, true, 320, 180],
		['video-8s-sound.mp4', 8, true, 1280, 720],
		['video-12s.mp4', 12, false, 1280, 720],
		['video-35s-sound.mp4', 35, true, 1280, 720],
	]))('%s: %d s, sound %s, %d×%d', async (name, seconds, sound, w, h) => {
		const f = await download(A(name));
		expect([f.status, f.headers.get('content-type')]).toEqual([200, 'video/mp4']);
		const info = inspectMp4(f.body);
		expect(info.durationSeconds).toBe(seconds);
		expect(info.video).toMatchObject({ codec: 'avc1', durationSeconds: seconds, sttsSeconds: seconds });
		expect([info.width, info.height]).toEqual([w, h]);
		expect(info.hasAudio).toBe(sound);
		if (sound) expect(info.audio).toMatchObject({ codec: 'mp4a', durationSeconds: seconds });
	});

	test.each(/** @type {[string, number, string][]} */ ([
		['audio-1s.wav', 1, 'audio/wav'],
		['audio-5s.wav', 5, 'audio/wav'],
		['audio-30s-big.wav', 30, 'audio/wav'],
		['audio-6s.mp3', 6, 'audio/mpeg'],
		['audio-12s.mp3', 12, 'audio/mpeg'],
	]))('%s lasts %d s', async (name, seconds, mime) => {
		const f = await download(A(name));
		expect([f.status, f.headers.get('content-type')]).toEqual([200, mime]);
		if (mime === 'audio/wav') {
			// RIFF header: byte rate at 28, data chunk size at 40 (canonical 44-byte header)
			expect(f.body.toString('ascii', 36, 40)).toBe('data');
			expect(f.body.readUInt32LE(40) / f.body.readUInt32LE(28)).toBe(seconds);
		} else {
			// ID3v2 (10 bytes, empty) then 96-byte MPEG-1 Layer III frames of 1152 samples at 48 kHz
			expect(f.body.toString('ascii', 0, 3)).toBe('ID3');
			expect(f.body.readUInt16BE(10) & 0xfffe).toBe(0xfffa);
			expect((((f.body.length - 10) / 96) * 1152) / 48000).toBe(seconds);
		}
		if (name === 'audio-30s-big.wav') expect(f.body.length).toBeGreaterThan(5 * 1024 * 1024);
	});
});
