// @ts-check
/**
 * Replicate's files API (POST/GET/DELETE /v1/files, downloads with the API token or a signed link) and its use as any
 * Replicate media input; data URIs (Replicate: recommended below 1 MB, no hard limit documented; fal: no limit
 * documented); fal storage uploads used as image / video / audio inputs.
 */
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator, replicateFileSignature } from './index.mjs';
import { call, pollUntil } from '../support/emulator-helpers.mjs';
import { expectVideo } from './family-support.mjs';

const TOKEN = 'r8_emulator_test_key';
const SECRET = 'whsec_s6UTQ9Pww6dRwWve+DDelVhM0gAMe/FC0bTckjk+EU0=';
const FAL_KEY = 'fal_emulator_test_key';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @param {string} name */
const A = (name) => `${emu.url}/_assets/${name}`;
/** @param {string} name */
const bytesOf = async (name) => Buffer.from(await (await fetch(A(name))).arrayBuffer());
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 60 });
});
afterAll(async () => {
	await emu.close();
});

/**
 * @param {Buffer} data @param {{ filename?: string, type?: string, metadata?: string, auth?: string, partType?: string }} [o]
 */
async function upload(data, o = {}) {
	const form = new FormData();
	form.append('content', new Blob([new Uint8Array(data)], { type: o.partType ?? 'application/octet-stream' }), o.filename ?? 'upload.bin');
	if (o.type) form.append('type', o.type);
	if (o.metadata !== undefined) form.append('metadata', o.metadata);
	const res = await fetch(`${emu.baseUrl('replicate')}/v1/files`, { method: 'POST', headers: { authorization: o.auth ?? `Token ${TOKEN}` }, body: form });
	return { status: res.status, json: await res.json() };
}

/** @param {string} model @param {Record<string, unknown>} input */
async function predict(model, input) {
	const r = await call(`${emu.baseUrl('replicate')}/v1/models/${model}/predictions`, { key: TOKEN, body: { input } });
	expect(r.status).toBe(201);
	return pollUntil(() => call(r.json.urls.get, { key: TOKEN }), (x) => ['succeeded', 'failed'].includes(x.json?.status));
}

describe('Replicate files API', () => {
	test('POST /v1/files → 201 file object; GET details; download with the token or a signed link', async () => {
		const wav = await bytesOf('audio-5s.wav');
		const r = await upload(wav, { filename: 'voice.wav', type: 'audio/wav', metadata: JSON.stringify({ ref: 7 }) });
		expect(r.status).toBe(201);
		const f = r.json;
		expect(f).toEqual({
			id: expect.any(String),
			name: 'voice.wav',
			content_type: 'audio/wav',
			size: wav.length,
			etag: `"${crypto.createHash('md5').update(wav).digest('hex')}"`,
			checksums: { sha256: crypto.createHash('sha256').update(wav).digest('hex'), md5: crypto.createHash('md5').update(wav).digest('hex') },
			metadata: { ref: 7 },
			created_at: expect.any(String),
			expires_at: expect.any(String),
			urls: { get: `${emu.baseUrl('replicate')}/v1/files/${f.id}` },
		});
		const details = await call(f.urls.get, { key: TOKEN });
		expect([details.status, details.json.id]).toEqual([200, f.id]);
		// the bytes: with the API token (Bearer or Token) …
		for (const auth of [`Bearer ${TOKEN}`, `Token ${TOKEN}`]) {
			const d = await fetch(`${f.urls.get}/download`, { headers: { authorization: auth } });
			expect([d.status, d.headers.get('content-type')]).toEqual([200, 'audio/wav']);
			expect(Buffer.from(await d.arrayBuffer()).equals(wav)).toBe(true);
		}
		// … at urls.get itself for a client asking for the content, not JSON
		const raw = await fetch(f.urls.get, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'audio/wav' } });
		expect(Buffer.from(await raw.arrayBuffer()).equals(wav)).toBe(true);
		// … or with owner + expiry + signature and no token
		const expiry = Math.floor(Date.now() / 1000) + 600;
		const sig = replicateFileSignature(SECRET, f.id, 'emulator', expiry);
		const signed = await fetch(`${f.urls.get}/download?owner=emulator&expiry=${expiry}&signature=${encodeURIComponent(sig)}`);
		expect(signed.status).toBe(200);
		expect(Buffer.from(await signed.arrayBuffer()).equals(wav)).toBe(true);
		expect((await fetch(`${f.urls.get}/download?owner=emulator&expiry=${expiry}&signature=AAAA`)).status).toBe(403);
		expect((await fetch(`${f.urls.get}/download?owner=emulator&expiry=${expiry - 1200}&signature=${encodeURIComponent(replicateFileSignature(SECRET, f.id, 'emulator', expiry - 1200))}`)).status).toBe(403);
		expect((await fetch(`${f.urls.get}/download`)).status).toBe(401);
		expect((await call(f.urls.get)).status).toBe(401);
		// listed
		const list = await call(`${emu.baseUrl('replicate')}/v1/files`, { key: TOKEN });
		expect(list.json.results.map((/** @type {any} */ x) => x.id)).toContain(f.id);
	});

	test('urls.get works as any media input: audio (avatar), video (lip-sync, omni edit), image (start frame)', async () => {
		const audio = (await upload(await bytesOf('audio-6s.mp3'), { filename: 'a.mp3', type: 'audio/mpeg' })).json;
		const video = (await upload(await bytesOf('video-8s-sound.mp4'), { filename: 'v.mp4', partType: 'video/mp4' })).json;
		const image = (await upload(await bytesOf('start.png'), { filename: 's.png', type: 'image/png' })).json;
		expect(video.content_type).toBe('video/mp4'); // the part's own Content-Type when `type` is not sent
		const avatar = await predict('kwaivgi/kling-avatar-v2', { image: image.urls.get, audio: audio.urls.get });
		expect(avatar.json.status).toBe('succeeded');
		expect(/** @type {any} */ (emu.tasks.get(avatar.json.id)?.media)).toMatchObject({ duration: 6, audio: true, inputs: { audio: { source: 'local', seconds: 6 } } });
		const lip = await predict('kwaivgi/kling-lip-sync', { video_url: video.urls.get, audio_file: audio.urls.get });
		expect(/** @type {any} */ (emu.tasks.get(lip.json.id)?.media)).toMatchObject({ duration: 8, capability: 'lip-sync' });
		await expectVideo(lip.json.output, { duration: 8, audio: true });
		const edit = await predict('kwaivgi/kling-o1', { prompt: 'snow', reference_video: video.urls.get, video_reference_type: 'base' });
		expect(/** @type {any} */ (emu.tasks.get(edit.json.id)?.media)).toMatchObject({ duration: 8, audio: true, capability: 'video-edit' });
		const gen = await predict('kwaivgi/kling-v3-video', { prompt: 'a fox', start_image: image.urls.get, duration: 4 });
		expect(gen.json.status).toBe('succeeded');
		// limits apply to uploaded files too
		const long = (await upload(await bytesOf('video-12s.mp4'), { filename: 'l.mp4', type: 'video/mp4' })).json;
		const r = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-lip-sync/predictions`, { key: TOKEN, body: { input: { video_url: long.urls.get, text: 'hi' } } });
		expect([r.status, r.json.invalid_fields[0].field]).toEqual([422, 'input.video_url']);
	});

	test('DELETE → 204; the file is gone (404) and a prediction using it fails like a download failure', async () => {
		const f = (await upload(await bytesOf('audio-5s.wav'), { filename: 'x.wav', type: 'audio/wav' })).json;
		const del = await call(f.urls.get, { key: TOKEN, method: 'DELETE' });
		expect(del.status).toBe(204);
		expect((await call(f.urls.get, { key: TOKEN })).status).toBe(404);
		expect((await call(f.urls.get, { key: TOKEN, method: 'DELETE' })).status).toBe(404);
		const p = await predict('kwaivgi/kling-avatar-v2', { image: A('start.png'), audio: f.urls.get });
		expect(p.json.status).toBe('failed');
	});

	test('validation: content part required, filename required (≤255 bytes), metadata must be JSON, auth required', async () => {
		const noContent = new FormData();
		noContent.append('filename', 'a.wav');
		const r1 = await fetch(`${emu.baseUrl('replicate')}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: noContent });
		expect(r1.status).toBe(400);
		expect((await upload(Buffer.from('x'), { filename: 'é'.repeat(128) })).status).toBe(422);
		expect((await upload(Buffer.from('x'), { filename: 'a.txt', metadata: '{nope' })).json.invalid_fields[0].field).toBe('metadata');
		expect((await upload(Buffer.from('x'), { filename: 'a.txt', auth: 'Bearer wrong' })).status).toBe(401);
	});

	test('data URIs: accepted (no hard limit is documented); above 1 MB the submit is journaled with a warning', async () => {
		const big = await bytesOf('audio-30s-big.wav'); // 5.76 MB: over Replicate's 1 MB recommendation (and the avatar's 5 MB limit)
		const small = await bytesOf('audio-5s.wav');
		const ok = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-avatar-v2/predictions`, { key: TOKEN, body: { input: { image: A('start.png'), audio: `data:audio/wav;base64,${small.toString('base64')}` } } });
		expect(ok.status).toBe(201);
		expect(emu.journal.entries({ kind: 'submit', taskId: ok.json.id })[0]).not.toHaveProperty('warning');
		const mp4 = await bytesOf('video-35s-sound.mp4'); // < 1 MB: no warning
		const lip = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-v2.6-motion-control/predictions`, { key: TOKEN, body: { input: { image: A('start.png'), video: `data:video/mp4;base64,${mp4.toString('base64')}` } } });
		expect([lip.status, lip.json.invalid_fields?.[0]?.description]).toEqual([422, expect.stringContaining('at most 30 s')]);
		const motion = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-v3-motion-control/predictions`, { key: TOKEN, body: { input: { image: `data:image/png;base64,${(await bytesOf('start.png')).toString('base64')}`, video: `data:video/mp4;base64,${(await bytesOf('video-8s-sound.mp4')).toString('base64')}` } } });
		expect(motion.status).toBe(201);
		expect(/** @type {any} */ (emu.tasks.get(motion.json.id)?.media)).toMatchObject({ duration: 8, audio: true, inputs: { video: { source: 'data', seconds: 8 } } });
		// 1.3 MB PNG data URI (a start frame): accepted, journaled
		const huge = `data:image/png;base64,${Buffer.concat([await bytesOf('start.png'), Buffer.alloc(1_300_000)]).toString('base64')}`;
		const gen = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-v3-video/predictions`, { key: TOKEN, body: { input: { prompt: 'x', start_image: huge } } });
		expect(gen.status).toBe(201);
		expect(emu.journal.entries({ kind: 'submit', taskId: gen.json.id })[0]).toMatchObject({ warning: expect.stringContaining('files API') });
		// the audio limit of the model still applies to a data URI
		const tooBig = await call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-avatar-v2/predictions`, { key: TOKEN, body: { input: { image: A('start.png'), audio: `data:audio/wav;base64,${big.toString('base64')}` } } });
		expect([tooBig.status, tooBig.json.invalid_fields[0].description]).toEqual([422, expect.stringContaining('at most 5 MB')]);
	});
});

describe('fal storage uploads as inputs; fal data URIs', () => {
	/** @param {Buffer} data @param {string} name @param {string} type */
	async function falUpload(data, name, type) {
		const init = await call(`${emu.baseUrl('fal-rest')}/storage/upload/initiate?storage_type=fal-cdn-v3`, { headers: { authorization: `Key ${FAL_KEY}` }, body: { file_name: name, content_type: type } });
		expect(init.status).toBe(200);
		const put = await fetch(init.json.upload_url, { method: 'PUT', headers: { 'content-type': type }, body: new Uint8Array(data) });
		expect(put.status).toBe(200);
		return /** @type {string} */ (init.json.file_url);
	}
	/** @param {string} endpoint @param {Record<string, unknown>} input */
	async function falRun(endpoint, input) {
		const r = await call(`${emu.baseUrl('fal')}/${endpoint}`, { body: input, headers: { authorization: `Key ${FAL_KEY}` } });
		expect(r.status).toBe(200);
		await pollUntil(() => call(r.json.status_url, { headers: { authorization: `Key ${FAL_KEY}` } }), (x) => x.json?.status === 'COMPLETED');
		return { id: r.json.request_id, result: await call(r.json.response_url, { headers: { authorization: `Key ${FAL_KEY}` } }) };
	}

	test('uploaded image, video and audio file_urls are read and measured like the samples', async () => {
		const video = await falUpload(await bytesOf('video-8s-sound.mp4'), 'v.mp4', 'video/mp4');
		const audio = await falUpload(await bytesOf('audio-6s.mp3'), 'a.mp3', 'audio/mpeg');
		const image = await falUpload(await bytesOf('start.png'), 's.png', 'image/png');
		const lip = await falRun('fal-ai/kling-video/lipsync/audio-to-video', { video_url: video, audio_url: audio });
		expect(/** @type {any} */ (emu.tasks.get(lip.id)?.media)).toMatchObject({ duration: 8, inputs: { video: { source: 'local', seconds: 8 }, audio: { source: 'local', seconds: 6 } } });
		await expectVideo(lip.result.json.video.url, { duration: 8, audio: true });
		const avatar = await falRun('fal-ai/kling-video/ai-avatar/v2/pro', { image_url: image, audio_url: audio });
		expect(/** @type {any} */ (emu.tasks.get(avatar.id)?.media)).toMatchObject({ duration: 6, capability: 'avatar' });
		const motion = await falRun('fal-ai/kling-video/v3/standard/motion-control', { image_url: image, video_url: video, character_orientation: 'video' });
		expect(/** @type {any} */ (emu.tasks.get(motion.id)?.media)).toMatchObject({ duration: 8, audio: true });
		// a limit still applies to an uploaded file
		const small = await falUpload(await bytesOf('video-5s-small.mp4'), 'small.mp4', 'video/mp4');
		const r = await call(`${emu.baseUrl('fal')}/fal-ai/kling-video/lipsync/audio-to-video`, { body: { video_url: small, audio_url: audio }, headers: { authorization: `Key ${FAL_KEY}` } });
		expect([r.status, r.json.detail[0].loc]).toEqual([422, ['body', 'video_url']]);
	});

	test('data URIs: no size limit is documented (accepted, decoded and measured)', async () => {
		const wav = await bytesOf('audio-30s-big.wav');
		const v = await bytesOf('video-5s-sound.mp4');
		const lip = await falRun('fal-ai/kling-video/lipsync/audio-to-video', { video_url: `data:video/mp4;base64,${v.toString('base64')}`, audio_url: `data:audio/wav;base64,${(await bytesOf('audio-5s.wav')).toString('base64')}` });
		expect(/** @type {any} */ (emu.tasks.get(lip.id)?.media)).toMatchObject({ duration: 5, inputs: { video: { source: 'data', seconds: 5 }, audio: { source: 'data' } } });
		// a 5.76 MB data URI is decoded: its size breaks the model's own 5 MB audio limit
		const r = await call(`${emu.baseUrl('fal')}/fal-ai/kling-video/lipsync/audio-to-video`, { body: { video_url: A('video-5s.mp4'), audio_url: `data:audio/wav;base64,${wav.toString('base64')}` }, headers: { authorization: `Key ${FAL_KEY}` } });
		expect([r.status, r.json.detail[0].msg]).toEqual([422, expect.stringContaining('at most 5 MB')]);
	});
});
