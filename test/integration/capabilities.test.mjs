// @ts-check
/**
 * Motion control, lip-sync, AI avatar, reference to video, edit and extend (issue 17), run by n8n-core's
 * WorkflowExecute from dist/ against the emulator, per (provider, capability): what reached the provider,
 * the normalized item (`mode`, `json.request` with the inputs, `duration` null where the input decides,
 * `outputDurationS` read from the stored MP4), and the MP4 itself. Binary inputs: measured from their
 * bytes and refused before any request when outside the provider's limits, uploaded through the files
 * API (or inline) otherwise; providers without a files API ask for a public URL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { runKlingNode } from '../support/n8n.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 150 });
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.journal.reset());

/** @param {string} name */
const A = (name) => `${emulator.url}/_assets/${name}`;
/** @param {string} name */
const bytesOf = async (name) => Buffer.from(await (await fetch(A(name))).arrayBuffer());

/**
 * @typedef {{ name: string, provider: import('../support/kling.mjs').Provider, mode: string, model: string,
 *   parameters: () => Record<string, unknown>, path: string, body: () => Record<string, unknown>,
 *   seconds: number, audio: boolean | null, request?: () => Record<string, unknown>, credentials?: Record<string, any> }} Case
 */

/** @type {Case[]} */
export const CASES = [
	{
		name: 'wavespeed motion-control (Kling 3.0 Pro)',
		provider: 'wavespeed',
		mode: 'motion-control',
		model: 'kling-3.0-pro',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), prompt: 'dances', characterOrientation: 'video' }),
		path: '/wavespeed/api/v3/kwaivgi/kling-v3.0-pro/motion-control',
		body: () => ({ image: A('start.png'), video: A('video-8s-sound.mp4'), character_orientation: 'video', prompt: 'dances', keep_original_sound: true }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'wavespeed lip-sync from audio',
		provider: 'wavespeed',
		mode: 'lip-sync',
		model: 'kling-lipsync-audio',
		parameters: () => ({ inputVideoUrl: A('video-5s-sound.mp4'), inputAudioUrl: A('audio-5s.wav') }),
		path: '/wavespeed/api/v3/kwaivgi/kling-lipsync/audio-to-video',
		body: () => ({ video: A('video-5s-sound.mp4'), audio: A('audio-5s.wav') }),
		seconds: 5,
		audio: true,
	},
	{
		name: 'wavespeed lip-sync from text',
		provider: 'wavespeed',
		mode: 'lip-sync',
		model: 'kling-lipsync-text',
		parameters: () => ({ inputVideoUrl: A('video-5s-portrait.mp4'), speechText: 'Hello there', voiceId: 'uk_boy1', voiceLanguage: 'en', voiceSpeed: 1.2 }),
		path: '/wavespeed/api/v3/kwaivgi/kling-lipsync/text-to-video',
		body: () => ({ video: A('video-5s-portrait.mp4'), text: 'Hello there', voice_id: 'uk_boy1', voice_language: 'en', voice_speed: 1.2 }),
		seconds: 5,
		audio: true,
	},
	{
		name: 'wavespeed avatar',
		provider: 'wavespeed',
		mode: 'avatar',
		model: 'kling-avatar-v2-std',
		parameters: () => ({ startImageUrl: A('start.png'), inputAudioUrl: A('audio-6s.mp3'), prompt: 'smiles' }),
		path: '/wavespeed/api/v3/kwaivgi/kling-v2-ai-avatar-standard',
		body: () => ({ image: A('start.png'), audio: A('audio-6s.mp3'), prompt: 'smiles' }),
		seconds: 6,
		audio: true,
	},
	{
		name: 'wavespeed reference-to-video (O3 Pro, angle syntax)',
		provider: 'wavespeed',
		mode: 'reference-to-video',
		model: 'kling-o3-pro',
		parameters: () => ({ prompt: '@Image1 walks towards @Image2', referenceImageUrls: `${A('start.png')}, ${A('end.png')}`, duration: 7 }),
		path: '/wavespeed/api/v3/kwaivgi/kling-video-o3-pro/reference-to-video',
		body: () => ({ prompt: '<<<image_1>>> walks towards <<<image_2>>>', images: [A('start.png'), A('end.png')], duration: 7 }),
		seconds: 7,
		audio: null,
		request: () => ({ prompt: '<<<image_1>>> walks towards <<<image_2>>>', duration: 7, referenceImageUrls: [A('start.png'), A('end.png')], inputVideoUrl: null }),
	},
	{
		name: 'wavespeed edit-video (Kling 4.0)',
		provider: 'wavespeed',
		mode: 'edit-video',
		model: 'kling-4.0',
		parameters: () => ({ prompt: 'make @Video1 rainy', inputVideoUrl: A('video-8s-sound.mp4'), resolution: '720p' }),
		path: '/wavespeed/api/v3/kwaivgi/kling-v4.0/video-edit',
		body: () => ({ prompt: 'make @Video1 rainy', video: A('video-8s-sound.mp4'), resolution: '720p', keep_original_sound: true }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'wavespeed extend-video (Kling 4.0: source + new segment)',
		provider: 'wavespeed',
		mode: 'extend-video',
		model: 'kling-4.0',
		parameters: () => ({ prompt: 'the fox runs on', inputVideoUrl: A('video-8s-sound.mp4'), duration: 7, resolution: '720p' }),
		path: '/wavespeed/api/v3/kwaivgi/kling-v4.0/video-extend',
		body: () => ({ prompt: 'the fox runs on', video: A('video-8s-sound.mp4'), duration: 7, resolution: '720p' }),
		seconds: 15,
		audio: true,
		request: () => ({ duration: 7 }),
	},
	{
		name: 'fal motion-control (Kling 2.6 Pro, orientation image)',
		provider: 'fal',
		mode: 'motion-control',
		model: 'kling-2.6-pro',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-5s-sound.mp4'), characterOrientation: 'image', keepOriginalSound: false }),
		path: '/fal/fal-ai/kling-video/v2.6/pro/motion-control',
		body: () => ({ image_url: A('start.png'), video_url: A('video-5s-sound.mp4'), character_orientation: 'image', keep_original_sound: false }),
		seconds: 5,
		audio: false,
	},
	{
		name: 'fal lip-sync from audio',
		provider: 'fal',
		mode: 'lip-sync',
		model: 'kling-lipsync-audio',
		parameters: () => ({ inputVideoUrl: A('video-8s-sound.mp4'), inputAudioUrl: A('audio-6s.mp3') }),
		path: '/fal/fal-ai/kling-video/lipsync/audio-to-video',
		body: () => ({ video_url: A('video-8s-sound.mp4'), audio_url: A('audio-6s.mp3') }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'fal lip-sync from text',
		provider: 'fal',
		mode: 'lip-sync',
		model: 'kling-lipsync-text',
		parameters: () => ({ inputVideoUrl: A('video-5s.mp4'), speechText: 'Hello', voiceId: 'oversea_male1', voiceLanguage: 'en', voiceSpeed: 1 }),
		path: '/fal/fal-ai/kling-video/lipsync/text-to-video',
		body: () => ({ video_url: A('video-5s.mp4'), text: 'Hello', voice_id: 'oversea_male1', voice_language: 'en', voice_speed: 1 }),
		seconds: 5,
		audio: true,
	},
	{
		name: 'fal avatar (v2 Pro)',
		provider: 'fal',
		mode: 'avatar',
		model: 'kling-avatar-v2-pro',
		parameters: () => ({ startImageUrl: A('start.png'), inputAudioUrl: A('audio-12s.mp3'), prompt: 'sings' }),
		path: '/fal/fal-ai/kling-video/ai-avatar/v2/pro',
		body: () => ({ image_url: A('start.png'), audio_url: A('audio-12s.mp3'), prompt: 'sings' }),
		seconds: 12,
		audio: true,
	},
	{
		name: 'fal reference-to-video (O3 Standard, an element by name)',
		provider: 'fal',
		mode: 'reference-to-video',
		model: 'kling-o3-std',
		parameters: () => ({
			prompt: '@Image1 and @mascot on a beach',
			referenceImageUrls: A('start.png'),
			elements: { element: [{ name: 'mascot', imageUrls: `${A('end.png')}, ${A('start.png')}` }] },
			duration: 8,
			audio: false,
		}),
		path: '/fal/fal-ai/kling-video/o3/standard/reference-to-video',
		body: () => ({
			prompt: '@Image1 and @Element1 on a beach',
			image_urls: [A('start.png')],
			elements: [{ frontal_image_url: A('end.png'), reference_image_urls: [A('start.png')] }],
			duration: '8',
			generate_audio: false,
		}),
		seconds: 8,
		audio: false,
		request: () => ({ prompt: '@Image1 and @Element1 on a beach', duration: 8, referenceImageUrls: [A('start.png')], elements: [expect.objectContaining({ name: 'mascot' })] }),
	},
	{
		name: 'fal edit-video (O3 Pro keeps the sound)',
		provider: 'fal',
		mode: 'edit-video',
		model: 'kling-o3-pro',
		parameters: () => ({ prompt: 'make @Video1 sunny', inputVideoUrl: A('video-8s-sound.mp4') }),
		path: '/fal/fal-ai/kling-video/o3/pro/video-to-video/edit',
		body: () => ({ prompt: 'make @Video1 sunny', video_url: A('video-8s-sound.mp4'), keep_audio: true }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'apixo motion-control (kling-3-0-std, input.mode motion-control)',
		provider: 'apixo',
		mode: 'motion-control',
		model: 'kling-3.0-std',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), prompt: 'dance' }),
		path: '/apixo/api/v1/generateTask/kling-3-0-std',
		body: () => ({ request_type: 'async', input: { mode: 'motion-control', prompt: 'dance', image_urls: [A('start.png')], video_urls: [A('video-8s-sound.mp4')], sound: true } }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'kie motion-control (kling-2.6, mode = resolution)',
		provider: 'kie',
		mode: 'motion-control',
		model: 'kling-2.6',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), prompt: 'dance', characterOrientation: 'video', resolution: '1080p' }),
		path: '/kie/api/v1/jobs/createTask',
		body: () => ({ model: 'kling-2.6/motion-control', input: { prompt: 'dance', input_urls: [A('start.png')], video_urls: [A('video-8s-sound.mp4')], character_orientation: 'video', mode: '1080p' } }),
		seconds: 8,
		audio: null,
		request: () => ({ resolution: '1080p' }),
	},
	{
		name: 'kie avatar (Standard)',
		provider: 'kie',
		mode: 'avatar',
		model: 'kling-avatar-std',
		parameters: () => ({ startImageUrl: A('start.png'), inputAudioUrl: A('audio-5s.wav'), prompt: 'talks' }),
		path: '/kie/api/v1/jobs/createTask',
		body: () => ({ model: 'kling/ai-avatar-standard', input: { image_url: A('start.png'), audio_url: A('audio-5s.wav'), prompt: 'talks' } }),
		seconds: 5,
		audio: true,
	},
	{
		name: 'kie reference-to-video (3.0 Omni, @image_1 syntax)',
		provider: 'kie',
		mode: 'reference-to-video',
		model: 'kling-3.0-omni',
		parameters: () => ({ prompt: '@Image1 meets @Image2', referenceImageUrls: `${A('start.png')} ${A('end.png')}`, duration: 6, audio: true, resolution: '720p', aspectRatio: '9:16' }),
		path: '/kie/api/v1/jobs/createTask',
		body: () => ({ model: 'kling-3.0-omni/reference-to-video', input: { prompt: '@image_1 meets @image_2', image_urls: [A('start.png'), A('end.png')], duration: 6, audio: true, resolution: '720p', aspect_ratio: '9:16' } }),
		seconds: 6,
		audio: true,
		request: () => ({ duration: 6, aspectRatio: '9:16' }),
	},
	{
		name: 'kie edit-video (3.0 Omni transformation)',
		provider: 'kie',
		mode: 'edit-video',
		model: 'kling-3.0-omni',
		parameters: () => ({ prompt: 'winter', inputVideoUrl: A('video-8s-sound.mp4'), resolution: '720p' }),
		path: '/kie/api/v1/jobs/createTask',
		body: () => ({ model: 'kling-3.0-omni/transformation', input: { prompt: 'winter', video_urls: [A('video-8s-sound.mp4')], resolution: '720p', audio: true } }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'replicate motion-control (kling-v2.6-motion-control pro)',
		provider: 'replicate',
		mode: 'motion-control',
		model: 'kling-2.6-pro',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), characterOrientation: 'video' }),
		path: '/replicate/v1/models/kwaivgi/kling-v2.6-motion-control/predictions',
		body: () => ({ input: { image: A('start.png'), video: A('video-8s-sound.mp4'), character_orientation: 'video', keep_original_sound: true, mode: 'pro' } }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'replicate lip-sync from audio',
		provider: 'replicate',
		mode: 'lip-sync',
		model: 'kling-lipsync-audio',
		parameters: () => ({ inputVideoUrl: A('video-8s-sound.mp4'), inputAudioUrl: A('audio-5s.wav') }),
		path: '/replicate/v1/models/kwaivgi/kling-lip-sync/predictions',
		body: () => ({ input: { video_url: A('video-8s-sound.mp4'), audio_file: A('audio-5s.wav') } }),
		seconds: 8,
		audio: true,
	},
	{
		name: 'replicate lip-sync from text',
		provider: 'replicate',
		mode: 'lip-sync',
		model: 'kling-lipsync-text',
		parameters: () => ({ inputVideoUrl: A('video-3s.mp4'), speechText: 'Hello', voiceId: 'en_AOT', voiceSpeed: 1 }),
		path: '/replicate/v1/models/kwaivgi/kling-lip-sync/predictions',
		body: () => ({ input: { video_url: A('video-3s.mp4'), text: 'Hello', voice_id: 'en_AOT', voice_speed: 1 } }),
		seconds: 3,
		audio: true,
	},
	{
		name: 'replicate avatar (v2 Standard)',
		provider: 'replicate',
		mode: 'avatar',
		model: 'kling-avatar-v2-std',
		parameters: () => ({ startImageUrl: A('start.png'), inputAudioUrl: A('audio-6s.mp3') }),
		path: '/replicate/v1/models/kwaivgi/kling-avatar-v2/predictions',
		body: () => ({ input: { image: A('start.png'), audio: A('audio-6s.mp3'), mode: 'std' } }),
		seconds: 6,
		audio: true,
	},
	{
		name: 'replicate reference-to-video (3.0 Omni, feature video)',
		provider: 'replicate',
		mode: 'reference-to-video',
		model: 'kling-v3-omni',
		parameters: () => ({ prompt: '@Image1 like @Video1', referenceImageUrls: A('start.png'), inputVideoSource: 'url', inputVideoUrl: A('video-5s-sound.mp4'), keepOriginalSound: false, duration: 7 }),
		path: '/replicate/v1/models/kwaivgi/kling-v3-omni-video/predictions',
		body: () => ({ input: { prompt: '<<<image_1>>> like <<<video_1>>>', reference_images: [A('start.png')], reference_video: A('video-5s-sound.mp4'), video_reference_type: 'feature', keep_original_sound: false, duration: 7 } }),
		seconds: 7,
		audio: false,
		request: () => ({ duration: 7, inputVideoUrl: A('video-5s-sound.mp4') }),
	},
	{
		name: 'replicate edit-video (kling-o1, base video)',
		provider: 'replicate',
		mode: 'edit-video',
		model: 'kling-o1',
		parameters: () => ({ prompt: 'snow on @Video1', inputVideoUrl: A('video-8s-sound.mp4') }),
		path: '/replicate/v1/models/kwaivgi/kling-o1/predictions',
		body: () => ({ input: { prompt: 'snow on <<<video_1>>>', reference_video: A('video-8s-sound.mp4'), video_reference_type: 'base', keep_original_sound: true } }),
		seconds: 8,
		audio: true,
	},
];

describe.each(CASES.map((c) => [c.name, c]))('%s', (_name, c) => {
	test('sends the dialect; the item carries the mode, the inputs and the MP4 length', async () => {
		const result = await runKlingNode({
			parameters: {
				authentication: c.provider,
				resource: 'video',
				operation: 'generate',
				mode: c.mode,
				model: c.model,
				...c.parameters(),
				options: FAST,
			},
			credentials: c.credentials ?? credentialsFor(c.provider, emulator),
			typeVersion: 2,
			binaryMode: 'filesystem',
		});
		expect(result.error?.message).toBeUndefined();
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: c.provider });
		expect(sent.path).toBe(c.path);
		expect(sent.body).toEqual(c.body());
		const { json, binary } = result.output[0];
		expect(json).toMatchObject({ provider: c.provider, mode: c.mode, status: 'succeeded', outputDurationS: c.seconds });
		expect(json.request.audio).toBe(c.audio);
		// The emulator made what was asked (its names: video-edit, video-extend).
		const task = /** @type {any} */ (emulator.tasks.get(String(json.taskId)));
		const made = { 'edit-video': 'video-edit', 'extend-video': 'video-extend' }[c.mode] ?? c.mode;
		expect(task.media?.capability ?? task.mode).toBe(made);
		if (c.request) expect(json.request).toMatchObject(c.request());
		if (!c.request || !('duration' in c.request())) expect(json.request.duration).toBeNull();
		const mp4 = inspectMp4(await result.binaryBuffer(binary.data));
		expect(mp4.durationSeconds).toBe(c.seconds);
		// null: the provider decides (Kie motion control has no sound field).
		if (c.audio !== null) expect(mp4.hasAudio).toBe(c.audio);
	});
});

/** @param {string} name @param {string} declared */
const binaryOf = async (name, declared) => ({
	data: (await bytesOf(name)).toString('base64'),
	mimeType: declared,
	fileName: name,
});

/** @param {import('../support/kling.mjs').Provider} provider @param {Record<string, unknown>} parameters @param {Record<string, any>} binary */
const runWith = async (provider, parameters, binary) =>
	await runKlingNode({
		parameters: { authentication: provider, resource: 'video', operation: 'generate', ...parameters, options: FAST },
		credentials: credentialsFor(provider, emulator),
		items: [{ json: {}, binary }],
		typeVersion: 2,
	});

describe('binary inputs: measured from the bytes, checked before any request, uploaded or inlined', () => {
	test('WaveSpeed lip-sync: an MP4 and a WAV from binary data go through the upload API, then the submit', async () => {
		const result = await runWith(
			'wavespeed',
			{ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoSource: 'binary', inputVideoBinaryProperty: 'clip', inputAudioSource: 'binary', inputAudioBinaryProperty: 'voice' },
			// The declared types are wrong on purpose: the bytes decide.
			{ clip: await binaryOf('video-8s-sound.mp4', 'application/octet-stream'), voice: await binaryOf('audio-5s.wav', 'audio/x-unknown') },
		);
		expect(result.error?.message).toBeUndefined();
		const uploads = emulator.journal.entries({ kind: 'upload', provider: 'wavespeed' });
		expect(uploads).toHaveLength(2);
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: 'wavespeed' });
		const { json } = result.output[0];
		expect(sent.body).toEqual({ video: json.request.inputVideoUrl, audio: json.request.inputAudioUrl });
		expect(json.request.inputVideoUrl).toMatch(/^http/);
		expect(json).toMatchObject({ mode: 'lip-sync', status: 'succeeded', outputDurationS: 8 });
	});

	test('a 12 s binary video for lip-sync (2–10 s) is refused before anything is uploaded or paid', async () => {
		const result = await runWith(
			'wavespeed',
			{ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoSource: 'binary', inputVideoBinaryProperty: 'clip', inputAudioUrl: A('audio-5s.wav') },
			{ clip: await binaryOf('video-12s.mp4', 'video/mp4') },
		);
		expect(result.error?.message).toBe(
			'Input Video "video-12s.mp4" lasts 12 s; WaveSpeed AI takes 2 to 10 seconds (item 1)',
		);
		expect(emulator.journal.entries({ provider: 'wavespeed' })).toHaveLength(0);
	});

	test('an MP3 over 5 MB, or a PNG given as the video, is refused by its bytes', async () => {
		const big = Buffer.concat([await bytesOf('audio-12s.mp3'), Buffer.alloc(6 * 1024 * 1024)]);
		const tooBig = await runWith(
			'fal',
			{ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoUrl: A('video-5s.mp4'), inputAudioSource: 'binary', inputAudioBinaryProperty: 'voice' },
			{ voice: { data: big.toString('base64'), mimeType: 'audio/mpeg', fileName: 'voice.mp3' } },
		);
		expect(tooBig.error?.message).toBe('Input Audio "voice.mp3" is 6 MB; fal.ai takes at most 5 MB (item 1)');
		const png = await runWith(
			'fal',
			{ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoSource: 'binary', inputVideoBinaryProperty: 'clip', inputAudioUrl: A('audio-5s.wav') },
			{ clip: await binaryOf('start.png', 'video/mp4') },
		);
		expect(png.error?.message).toBe(
			'Input Video "start.png" is not a MP4, MOV video (its bytes are PNG). fal.ai accepts MP4, MOV (item 1)',
		);
		expect(emulator.journal.entries({ provider: 'fal' })).toHaveLength(0);
	});

	test('fal avatar: a small WAV goes inline as a data URI; its measured length prices the item', async () => {
		const result = await runWith(
			'fal',
			{ mode: 'avatar', model: 'kling-avatar-v2-std', startImageUrl: A('start.png'), inputAudioSource: 'binary', inputAudioBinaryProperty: 'voice' },
			{ voice: await binaryOf('audio-5s.wav', 'audio/wav') },
		);
		expect(result.error?.message).toBeUndefined();
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: 'fal' });
		expect(sent.body.audio_url).toMatch(/^data:audio\/wav;base64,UklGR/);
		const { json } = result.output[0];
		expect(json.request.inputAudioUrl).toMatch(/^\(sent inline: audio\/wav, \d+ kB\)$/);
		// 5 s measured from the WAV header × $0.0562/s (KLING-MODELS.md §3.6, 3p)
		expect(json.estimatedCost).toEqual({ amount: 0.281, currency: 'USD', priceDate: '2026-12-01' });
		expect(json.outputDurationS).toBe(5);
	});

	test('APIXO has no files API: a binary video asks for a public URL, nothing is sent', async () => {
		const result = await runWith(
			'apixo',
			{ mode: 'motion-control', model: 'kling-3.0-std', startImageUrl: A('start.png'), inputVideoSource: 'binary', inputVideoBinaryProperty: 'clip' },
			{ clip: await binaryOf('video-5s.mp4', 'video/mp4') },
		);
		expect(result.error?.message).toMatch(/^APIXO has no file upload API for videos, so Input Video must be a public URL/);
		expect(emulator.journal.entries({ provider: 'apixo' })).toHaveLength(0);
	});

	test('a URL input is passed as given: nothing is fetched before the submit', async () => {
		const url = 'https://cdn.example.com/moves.mp4';
		const result = await runWith(
			'wavespeed',
			{ mode: 'motion-control', model: 'kling-2.6-std', startImageUrl: A('start.png'), inputVideoUrl: url },
			{},
		);
		expect(result.error?.message).toBeUndefined();
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: 'wavespeed' });
		expect(sent.body.video).toBe(url);
		expect(emulator.journal.entries({ provider: 'wavespeed' }).map((e) => e.kind)).not.toContain('upload');
	});
});

describe('Submit, Get Task and Wait for Task carry the capability', () => {
	test('Submit with a callback URL names the mode; Get Task and Wait for Task read the task back', async () => {
		const submitted = await runKlingNode({
			parameters: {
				authentication: 'wavespeed',
				resource: 'video',
				operation: 'submit',
				mode: 'avatar',
				model: 'kling-avatar-v2-pro',
				startImageUrl: A('start.png'),
				inputAudioUrl: A('audio-6s.mp3'),
				callbackUrl: 'https://n8n.example.com/webhook/kling',
				options: FAST,
			},
			credentials: credentialsFor('wavespeed', emulator),
			typeVersion: 2,
		});
		expect(submitted.error?.message).toBeUndefined();
		const task = submitted.output[0].json;
		expect(task).toMatchObject({ mode: 'avatar', model: 'kwaivgi/kling-v2-ai-avatar-pro', status: 'queued' });
		const callback = new URL(String(task.callbackUrl));
		expect([callback.searchParams.get('kling_mode'), callback.searchParams.get('kling_model')]).toEqual(['avatar', 'kwaivgi/kling-v2-ai-avatar-pro']);
		for (const operation of ['waitForTask', 'getTask']) {
			const read = await runKlingNode({
				parameters: { authentication: 'wavespeed', resource: 'video', operation, mode: 'avatar', model: 'kling-avatar-v2-pro', taskId: task.taskId, options: FAST },
				credentials: credentialsFor('wavespeed', emulator),
				typeVersion: 2,
			});
			expect(read.error?.message).toBeUndefined();
			expect(read.output[0].json).toMatchObject({ taskId: task.taskId, mode: 'avatar', status: 'succeeded', outputDurationS: 6 });
		}
	});
});

describe('every examples/<provider>-<capability>.json runs through n8n-core against the emulator', () => {
	const files = readdirSync(new URL('../../examples/', import.meta.url)).filter((file) =>
		/-(motion-control|lip-sync|avatar|reference-to-video|edit-video|extend-video)\.json$/.test(file),
	);
	test('one example per (capability, provider that offers it)', () => {
		expect(files.length).toBe(26);
	});
	test.each(files)('%s', async (file) => {
		const wf = JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));
		const node = wf.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-kling-video.klingVideo');
		const provider = node.parameters.authentication;
		const result = await runKlingNode({
			parameters: { ...node.parameters, options: FAST },
			credentials: credentialsFor(provider, emulator),
			typeVersion: node.typeVersion,
		});
		expect(result.error?.message).toBeUndefined();
		const { json } = result.output[0];
		expect(json).toMatchObject({ provider, mode: node.parameters.mode, status: 'succeeded' });
		// The example's inputs are URLs off the emulator: measured as 5 s there.
		const mode = node.parameters.mode;
		const seconds = mode === 'extend-video' ? 5 + node.parameters.duration : ['reference-to-video'].includes(mode) ? node.parameters.duration : 5;
		expect(json.outputDurationS).toBe(seconds);
		expect(file.startsWith(`${provider}-${mode}`)).toBe(true);
	});
});
