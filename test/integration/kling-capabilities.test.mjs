// @ts-check
/**
 * Issue 17 on the official Kling API: motion control (legacy `/v1/videos/motion-control` and the new
 * `/motion-control/<model>`), AI avatar (`/v1/videos/avatar/image2video`), lip-sync (identify-face →
 * `/v1/videos/advanced-lip-sync`, and the legacy text-to-speech `/v1/videos/lip-sync`), Omni reference
 * to video and video edit (`/v1/videos/omni-video`). Run by n8n-core's WorkflowExecute from dist/
 * against the emulator: the exact body Kling received, the normalized item and the stored MP4; each
 * product's task is read back under its own path by Get Task, Wait for Task and the trigger.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { createTrigger, runKlingNode, startWebhookServer } from '../support/n8n.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {Awaited<ReturnType<typeof startWebhookServer>>} */
let webhookServer;
/** @type {string} */
let webhookBaseUrl;
/** @type {Awaited<ReturnType<typeof createTrigger>> | null} */
let activeTrigger = null;
/** @type {import('../support/n8n.mjs').TriggerDelivery[]} */
let deliveries = [];
const TOKEN = 'klingcapstoken0001';

beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 150, callbackRetryDelaysMs: [100, 200, 300] });
	webhookServer = await startWebhookServer({
		token: TOKEN,
		current: () => activeTrigger,
		onDelivery: (delivery) => deliveries.push(delivery),
	});
	webhookBaseUrl = webhookServer.webhookBaseUrl;
});
afterAll(async () => {
	await emulator.close();
	await webhookServer.close();
});
beforeEach(() => {
	emulator.journal.reset();
	deliveries = [];
	activeTrigger = null;
});

/** @param {string} name */
const A = (name) => `${emulator.url}/_assets/${name}`;
/** @param {string} name */
const bytesOf = async (name) => Buffer.from(await (await fetch(A(name))).arrayBuffer());
/** AK/SK: the legacy API. */
const legacy = () => credentialsFor('kling', emulator);
/** With an API key the new per-model API is used where a model has an entry there. */
const withApiKey = () => {
	const creds = credentialsFor('kling', emulator);
	creds.klingOfficialApi = { ...creds.klingOfficialApi, apiKey: 'kling_emulator_api_key' };
	return creds;
};

/**
 * @typedef {{ name: string, mode: string, model: string, parameters: () => Record<string, unknown>,
 *   path: string, body: () => Record<string, unknown>, seconds: number, audio: boolean | null,
 *   mp4Audio?: boolean, sentModel: string, credentials?: () => Record<string, any>, request?: () => Record<string, unknown> }} Case
 */

/** @type {Case[]} */
const CASES = [
	{
		name: 'motion-control, legacy API (Kling 3.0 Pro)',
		mode: 'motion-control',
		model: 'kling-3.0-pro',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), prompt: 'dances', characterOrientation: 'video' }),
		path: '/kling/v1/videos/motion-control',
		body: () => ({ model_name: 'kling-v3', prompt: 'dances', image_url: A('start.png'), video_url: A('video-8s-sound.mp4'), character_orientation: 'video', keep_original_sound: 'yes', mode: 'pro' }),
		seconds: 8,
		audio: true,
		sentModel: 'kling-v3',
	},
	{
		name: 'motion-control, legacy API (Kling 2.6 Standard, orientation image, sound off)',
		mode: 'motion-control',
		model: 'kling-2.6-std',
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-5s-sound.mp4'), characterOrientation: 'image', keepOriginalSound: false }),
		path: '/kling/v1/videos/motion-control',
		body: () => ({ model_name: 'kling-v2-6', image_url: A('start.png'), video_url: A('video-5s-sound.mp4'), character_orientation: 'image', keep_original_sound: 'no', mode: 'std' }),
		seconds: 5,
		audio: false,
		sentModel: 'kling-v2-6',
	},
	{
		name: 'motion-control, new API (Kling 3.0 Pro with an API key)',
		mode: 'motion-control',
		model: 'kling-3.0-pro',
		credentials: withApiKey,
		parameters: () => ({ startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), prompt: 'waves', characterOrientation: 'video' }),
		path: '/kling/motion-control/kling-3.0',
		body: () => ({
			contents: [
				{ type: 'prompt', text: 'waves' },
				{ type: 'image', url: A('start.png') },
				{ type: 'video', url: A('video-8s-sound.mp4') },
			],
			settings: { character_orientation: 'video', audio: 'original', resolution: '1080p' },
		}),
		seconds: 8,
		audio: true,
		sentModel: 'kling-3.0',
	},
	{
		name: 'avatar (Pro)',
		mode: 'avatar',
		model: 'kling-avatar-pro',
		parameters: () => ({ startImageUrl: A('start.png'), inputAudioUrl: A('audio-6s.mp3'), prompt: 'smiles' }),
		path: '/kling/v1/videos/avatar/image2video',
		body: () => ({ prompt: 'smiles', image: A('start.png'), sound_file: A('audio-6s.mp3'), mode: 'pro' }),
		seconds: 6,
		audio: true,
		sentModel: 'avatar/image2video',
	},
	{
		name: 'lip-sync from audio (identify-face → advanced-lip-sync)',
		mode: 'lip-sync',
		model: 'kling-lipsync-audio',
		parameters: () => ({ inputVideoUrl: A('video-5s-sound.mp4'), inputAudioUrl: A('audio-5s.wav') }),
		path: '/kling/v1/videos/advanced-lip-sync',
		body: () => ({
			session_id: expect.any(String),
			face_choose: [{ face_id: '0', sound_file: A('audio-5s.wav'), sound_start_time: 0, sound_end_time: 5000, sound_insert_time: 0 }],
		}),
		seconds: 5,
		audio: true,
		sentModel: 'advanced-lip-sync',
	},
	{
		name: 'lip-sync from text (legacy /v1/videos/lip-sync)',
		mode: 'lip-sync',
		model: 'kling-lipsync-text',
		parameters: () => ({ inputVideoUrl: A('video-5s-portrait.mp4'), speechText: 'Hello there', voiceId: 'uk_boy1', voiceLanguage: 'en', voiceSpeed: 1.2 }),
		path: '/kling/v1/videos/lip-sync',
		body: () => ({ input: { video_url: A('video-5s-portrait.mp4'), text: 'Hello there', voice_id: 'uk_boy1', voice_language: 'en', voice_speed: 1.2, mode: 'text2video' } }),
		seconds: 5,
		audio: true,
		sentModel: 'lip-sync',
	},
	{
		name: 'reference-to-video (Kling 3.0 Omni Pro, images + a feature video)',
		mode: 'reference-to-video',
		model: 'kling-3.0-omni-pro',
		parameters: () => ({ prompt: '@Image1 dances like @Video1', referenceImageUrls: A('start.png'), inputVideoSource: 'url', inputVideoUrl: A('video-5s-sound.mp4'), keepOriginalSound: false, duration: 7 }),
		path: '/kling/v1/videos/omni-video',
		body: () => ({
			model_name: 'kling-v3-omni',
			prompt: '<<<image_1>>> dances like <<<video_1>>>',
			duration: '7',
			image_list: [{ image_url: A('start.png') }],
			video_list: [{ video_url: A('video-5s-sound.mp4'), refer_type: 'feature', keep_original_sound: 'no' }],
			mode: 'pro',
		}),
		seconds: 7,
		audio: false,
		sentModel: 'kling-v3-omni',
		request: () => ({ duration: 7, inputVideoUrl: A('video-5s-sound.mp4'), referenceImageUrls: [A('start.png')] }),
	},
	{
		name: 'edit-video (Kling O1 Standard, base video)',
		mode: 'edit-video',
		model: 'kling-o1-std',
		parameters: () => ({ prompt: 'snow falls on @Video1', inputVideoUrl: A('video-8s-sound.mp4') }),
		path: '/kling/v1/videos/omni-video',
		body: () => ({
			model_name: 'kling-video-o1',
			prompt: 'snow falls on <<<video_1>>>',
			video_list: [{ video_url: A('video-8s-sound.mp4'), refer_type: 'base', keep_original_sound: 'yes' }],
			mode: 'std',
		}),
		seconds: 8,
		audio: true,
		sentModel: 'kling-video-o1',
	},
	{
		name: 'reference-to-video, new API (Kling O1 Pro with an API key: refer_image ids, @image_1)',
		mode: 'reference-to-video',
		model: 'kling-o1-pro',
		credentials: withApiKey,
		parameters: () => ({ prompt: '@Image1 meets @Image2 at the beach', referenceImageUrls: `${A('start.png')}, ${A('end.png')}`, duration: 6, aspectRatio: '9:16' }),
		path: '/kling/omni-video/kling-o1',
		body: () => ({
			contents: [
				{ type: 'prompt', text: '@image_1 meets @image_2 at the beach' },
				{ type: 'refer_image', url: A('start.png'), id: 'image_1' },
				{ type: 'refer_image', url: A('end.png'), id: 'image_2' },
			],
			settings: { duration: 6, aspect_ratio: '9:16', resolution: '1080p' },
		}),
		seconds: 6,
		// No sound switch on O1: json.request.audio is null (the provider decides); its default is off.
		audio: null,
		mp4Audio: false,
		sentModel: 'kling-o1',
		request: () => ({ duration: 6, aspectRatio: '9:16', referenceImageUrls: [A('start.png'), A('end.png')] }),
	},
	{
		name: 'edit-video, new API (Kling 3.0 Omni Standard with an API key: base_video, original sound)',
		mode: 'edit-video',
		model: 'kling-3.0-omni-std',
		credentials: withApiKey,
		parameters: () => ({ prompt: 'turn @Video1 into a watercolor', inputVideoUrl: A('video-8s-sound.mp4') }),
		path: '/kling/omni-video/kling-3.0-omni',
		body: () => ({
			contents: [
				{ type: 'prompt', text: 'turn @video_1 into a watercolor' },
				{ type: 'base_video', url: A('video-8s-sound.mp4'), id: 'video_1' },
			],
			settings: { audio: 'original', resolution: '720p', multi_shot: false },
		}),
		seconds: 8,
		audio: true,
		sentModel: 'kling-3.0-omni',
	},
];

describe.each(CASES.map((c) => [c.name, c]))('%s', (_name, c) => {
	test('sends the product body; the item carries the mode, the inputs and the MP4 length', async () => {
		const result = await runKlingNode({
			parameters: { authentication: 'kling', resource: 'video', operation: 'generate', mode: c.mode, model: c.model, ...c.parameters(), options: FAST },
			credentials: (c.credentials ?? legacy)(),
			typeVersion: 2,
			binaryMode: 'filesystem',
		});
		expect(result.error?.message).toBeUndefined();
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: 'kling' });
		expect(sent.path).toBe(c.path);
		expect(sent.body).toEqual(c.body());
		const { json, binary } = result.output[0];
		expect(json).toMatchObject({ provider: 'kling', mode: c.mode, model: c.sentModel, status: 'succeeded', outputDurationS: c.seconds });
		expect(json.request.audio).toBe(c.audio);
		const task = /** @type {any} */ (emulator.tasks.get(String(json.taskId)));
		const made = { 'edit-video': 'video-edit' }[c.mode] ?? c.mode;
		expect(task.capability ?? task.mode).toBe(made);
		if (c.request) expect(json.request).toMatchObject(c.request());
		else expect(json.request.duration).toBeNull();
		const mp4 = inspectMp4(await result.binaryBuffer(binary.data));
		expect(mp4.durationSeconds).toBe(c.seconds);
		expect(mp4.hasAudio).toBe(c.mp4Audio ?? c.audio);
		// The task was read under its own product's path (the new API: /tasks).
		const reads = emulator.journal.entries({ kind: 'status', taskId: String(json.taskId) });
		expect(reads.length).toBeGreaterThan(0);
		const statusPath = c.path.startsWith('/kling/v1/') ? `${c.path}/${json.taskId}` : '/kling/tasks';
		expect(reads.every((/** @type {any} */ read) => read.path === statusPath)).toBe(true);
	});
});

/** @param {string} name @param {string} declared */
const binaryOf = async (name, declared) => ({ data: (await bytesOf(name)).toString('base64'), mimeType: declared, fileName: name });

/** @param {Record<string, unknown>} parameters @param {Record<string, any>} binary */
const runWith = async (parameters, binary) =>
	await runKlingNode({
		parameters: { authentication: 'kling', resource: 'video', operation: 'generate', ...parameters, options: FAST },
		credentials: legacy(),
		items: [{ json: {}, binary }],
		typeVersion: 2,
	});

describe('Kling binary inputs and lip-sync clip lengths', () => {
	test('avatar: a binary WAV goes inline as raw base64 and its measured length is the output length', async () => {
		const wav = await bytesOf('audio-5s.wav');
		const result = await runWith(
			{ mode: 'avatar', model: 'kling-avatar-std', startImageUrl: A('start.png'), inputAudioSource: 'binary', inputAudioBinaryProperty: 'voice' },
			{ voice: await binaryOf('audio-5s.wav', 'application/octet-stream') },
		);
		expect(result.error?.message).toBeUndefined();
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: 'kling' });
		expect(sent.body).toEqual({ image: A('start.png'), sound_file: wav.toString('base64'), mode: 'std' });
		expect(result.output[0].json).toMatchObject({ mode: 'avatar', status: 'succeeded', outputDurationS: 5 });
	});

	test('advanced lip-sync: a measured 6 s audio over an 8 s face is sent as a 6 s clip', async () => {
		const result = await runWith(
			{ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoUrl: A('video-8s-sound.mp4'), inputAudioSource: 'binary', inputAudioBinaryProperty: 'voice' },
			{ voice: await binaryOf('audio-6s.mp3', 'audio/mpeg') },
		);
		expect(result.error?.message).toBeUndefined();
		const kinds = emulator.journal.entries({ provider: 'kling' }).map((/** @type {any} */ e) => `${e.kind} ${e.path}`);
		// identify-face first (once), then the paid submit (once).
		expect(kinds.filter((k) => k.includes('identify-face'))).toHaveLength(1);
		expect(kinds.filter((k) => k.startsWith('submit'))).toHaveLength(1);
		const [sent] = emulator.journal.entries({ kind: 'submit', provider: 'kling' });
		expect(sent.body.face_choose[0]).toMatchObject({ sound_start_time: 0, sound_end_time: 6000, sound_insert_time: 0 });
		expect(result.output[0].json).toMatchObject({ mode: 'lip-sync', status: 'succeeded', outputDurationS: 8 });
	});

	test('identify-face refusing the video (320×180; Kling takes 720p/1080p) fails the item before any paid submit', async () => {
		const result = await runWith({ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoUrl: A('video-5s-small.mp4'), inputAudioUrl: A('audio-5s.wav') }, {});
		expect(result.error?.message).toMatch(/^Submit failed: Kling AI answered code 1201: Invalid parameter: video_url: width and height must be at least 720 px/);
		expect(String(result.error?.description ?? '') + result.error?.message).not.toMatch(/may have (been )?created|task ID/i);
		expect(emulator.journal.entries({ kind: 'submit', provider: 'kling' })).toHaveLength(0);
	});

	test('a binary video asks for a public URL (Kling has no files API for videos); nothing is sent', async () => {
		const result = await runWith(
			{ mode: 'motion-control', model: 'kling-3.0-std', startImageUrl: A('start.png'), inputVideoSource: 'binary', inputVideoBinaryProperty: 'clip' },
			{ clip: await binaryOf('video-5s.mp4', 'video/mp4') },
		);
		expect(result.error?.message).toMatch(/^Kling AI has no file upload API for videos, so Input Video must be a public URL/);
		expect(emulator.journal.entries({ provider: 'kling' })).toHaveLength(0);
	});

	test('a 1 s binary audio (Kling takes 2–60 s) is refused by its length before identify-face', async () => {
		const result = await runWith(
			{ mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoUrl: A('video-5s.mp4'), inputAudioSource: 'binary', inputAudioBinaryProperty: 'voice' },
			{ voice: await binaryOf('audio-1s.wav', 'audio/wav') },
		);
		expect(result.error?.message).toBe('Input Audio "audio-1s.wav" lasts 1 s; Kling AI needs 2 to 60 seconds (item 1)');
		expect(emulator.journal.entries({ provider: 'kling' })).toHaveLength(0);
	});
});

describe('Kling capabilities: Submit, Get Task, Wait for Task and the trigger read each product under its own path', () => {
	test('avatar: Submit names the mode and product; Get Task and Wait for Task read /v1/videos/avatar/image2video', async () => {
		const submitted = await runKlingNode({
			parameters: { authentication: 'kling', resource: 'video', operation: 'submit', mode: 'avatar', model: 'kling-avatar-std', startImageUrl: A('start.png'), inputAudioUrl: A('audio-6s.mp3'), options: FAST },
			credentials: legacy(),
			typeVersion: 2,
		});
		expect(submitted.error?.message).toBeUndefined();
		const task = submitted.output[0].json;
		expect(task).toMatchObject({ mode: 'avatar', model: 'avatar/image2video', status: 'queued' });
		for (const operation of ['waitForTask', 'getTask']) {
			emulator.journal.reset();
			const read = await runKlingNode({
				parameters: { authentication: 'kling', resource: 'video', operation, mode: 'avatar', model: 'kling-avatar-std', taskId: task.taskId, options: FAST },
				credentials: legacy(),
				typeVersion: 2,
			});
			expect(read.error?.message).toBeUndefined();
			expect(read.output[0].json).toMatchObject({ taskId: task.taskId, mode: 'avatar', status: 'succeeded', outputDurationS: 6 });
			const [status] = emulator.journal.entries({ kind: 'status', provider: 'kling' });
			expect(status.path).toBe(`/kling/v1/videos/avatar/image2video/${task.taskId}`);
		}
	});

	test('text lip-sync: Get Task reads /v1/videos/lip-sync (not advanced-lip-sync)', async () => {
		const submitted = await runKlingNode({
			parameters: { authentication: 'kling', resource: 'video', operation: 'submit', mode: 'lip-sync', model: 'kling-lipsync-text', inputVideoUrl: A('video-5s-portrait.mp4'), speechText: 'Hi', voiceId: 'uk_boy1', options: FAST },
			credentials: legacy(),
			typeVersion: 2,
		});
		expect(submitted.error?.message).toBeUndefined();
		const { taskId } = submitted.output[0].json;
		const read = await runKlingNode({
			parameters: { authentication: 'kling', resource: 'video', operation: 'waitForTask', mode: 'lip-sync', model: 'kling-lipsync-text', taskId, options: FAST },
			credentials: legacy(),
			typeVersion: 2,
		});
		expect(read.error?.message).toBeUndefined();
		expect(read.output[0].json).toMatchObject({ taskId, mode: 'lip-sync', status: 'succeeded', outputDurationS: 5 });
		const paths = emulator.journal.entries({ kind: 'status', taskId: String(taskId) }).map((/** @type {any} */ e) => e.path);
		expect(new Set(paths)).toEqual(new Set([`/kling/v1/videos/lip-sync/${taskId}`]));
	});

	test('motion control sent to the trigger: the callback is re-read under /v1/videos/motion-control and the MP4 attached', async () => {
		activeTrigger = await createTrigger({ parameters: { authentication: 'kling', token: TOKEN, options: {} }, credentials: legacy(), webhookBaseUrl });
		const submitted = await runKlingNode({
			parameters: {
				authentication: 'kling', resource: 'video', operation: 'submit', mode: 'motion-control', model: 'kling-2.6-pro',
				startImageUrl: A('start.png'), inputVideoUrl: A('video-8s-sound.mp4'), characterOrientation: 'video',
				callbackUrl: activeTrigger.productionUrl(), options: FAST,
			},
			credentials: legacy(),
			typeVersion: 2,
		});
		expect(submitted.error?.message).toBeUndefined();
		const { taskId, callbackUrl } = submitted.output[0].json;
		expect(new URL(String(callbackUrl)).searchParams.get('kling_mode')).toBe('motion-control');
		const end = Date.now() + 8000;
		while (!deliveries.some((d) => d.items) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
		const delivery = deliveries.find((d) => d.items);
		expect(delivery?.status).toBe(200);
		const [item] = delivery.items;
		expect(item.json).toMatchObject({ provider: 'kling', taskId, mode: 'motion-control', status: 'succeeded', error: null });
		expect(inspectMp4(await activeTrigger.binaryBuffer(item.binary.data)).durationSeconds).toBe(8);
		const reads = emulator.journal.entries({ kind: 'status', taskId: String(taskId) }).map((/** @type {any} */ e) => e.path);
		expect(reads).toEqual([`/kling/v1/videos/motion-control/${taskId}`]);
	});
});
