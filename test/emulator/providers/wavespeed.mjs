// @ts-check
/**
 * WaveSpeed AI emulator — PROVIDERS.md §1 (and §0, §6.1). Mounted under /wavespeed.
 *
 * Enforced exactly (explicit in PROVIDERS.md): Bearer auth (§1.1, 401 `{code,message}`), model id = path
 * after /api/v3/ (§1.2), per-model parameter tables (§1.2: v2.0-t2v-master has NO guidance_scale, the
 * 2.1 i2v standard/pro/master have no end frame, start-end-frame requires end_image), enums/ranges,
 * envelope `{code,message,data}` (§1.3/§1.4), statuses created|processing|completed|failed, failed tasks
 * keep HTTP 200 with `error` and a numeric task `code` (§1.5), webhook = bare prediction object signed
 * `v3,<hex HMAC-SHA256(secret minus "whsec_" as UTF-8 text, id.ts.body)>` with up to 3 retries (§1.7),
 * `enable_base64_output` + webhook → 400 `{"error": …}` (§1.6), balance (§1.1), webhook secret (§1.7).
 *
 * Open questions (§6.1) — every documented form is ACCEPTED:
 *  - duration: integer 5|10 (tables) AND strings "5"|"10" (official curl examples, §1.2).
 *  - 2.5-turbo-pro i2v end frame: `last_image` (newer docs) AND `end_image` (the other models' name);
 *    sending both is rejected (ambiguous).
 *  - result path: GET /api/v3/predictions/{id}/result AND GET /api/v3/predictions/{id} (§1.4).
 *  - webhook: `?webhook=` query (webhook docs, SDK) AND body field `webhook_url` (submit-task page, §1.7).
 *  - upload: POST /api/v3/media/upload/binary (multipart `file` → data.download_url), POST /api/v3/upload
 *    (multipart `file` → data.url, also download_url), and the ticket flow POST /api/v3/media/uploads
 *    `{filename,size,content_type?}` → data.download_url + data.upload{url,method:"PUT",headers} (§1.9).
 *    Limits: the only documented numbers, images 20 MB / videos 100 MB / audio 50 MB (§1.9 newer variant);
 *    non-media files → 400 (file signature sniffed).
 *  - webhook secret: one per account (`secrets.wavespeed`), webhook-id = the prediction id (undocumented).
 * Emulator choices: `enable_sync_mode: true` is refused with 400 (§1.6 "not all models support sync mode";
 * video should not use it). Unknown body fields → 400 naming the field. Unknown model → 404.
 * Fail codes: 1200 moderation, 1402 media access failed (missing/not-an-image emulator asset),
 * 1401 invalid parameter (image > 10 MB), 1403 task execution failed (generic) — §1.5.
 *
 * Kling 2.6 / 3.0 / 3.0 Turbo / O1 / O3 / 4.0 (KLING-MODELS.md §1a, §3.1 [W1][W2][W3], §6c [W6]) — `WAVESPEED_FAMILY`:
 *  - kwaivgi/kling-v2.6-pro/text-to-video: prompt (req), negative_prompt, cfg_scale 0–1, sound bool (DEFAULT TRUE),
 *    aspect_ratio 1:1|9:16|16:9 (DEFAULT 1:1), duration integer 5|10. …/image-to-video: image (req), prompt (req),
 *    negative_prompt, end_image, cfg_scale, sound, voice_list (≤2), duration; no aspect_ratio.
 *  - kwaivgi/kling-v2.6-std/{t2v,i2v}: no sound, cfg_scale or end frame (t2v aspect default 16:9). Always silent.
 *  - kwaivgi/kling-v3.0-{std,pro,4k}/{t2v,i2v}: duration integer 3–15, sound (default off), cfg_scale, shot_type,
 *    multi_prompt, element_list (≤3), negative_prompt; t2v aspect_ratio; i2v image (req) + end_image, which is refused
 *    together with multi_prompt ("multi_shot is not supported with end image" [W1]).
 *  - kwaivgi/kling-v3-turbo-{std,pro}/text-to-video [W2]: prompt XOR multi_prompt, aspect_ratio, duration 3–15; no
 *    sound field, yet always with sound (as sound (no audio field anywhere; third-party reports: useapi 2026-06-17, Runware). There is no turbo image-to-video id (404).
 *  - kwaivgi/kling-video-o1[-std]/{t2v,i2v}: prompt (req), duration 3–10, t2v aspect_ratio, i2v image + last_image
 *    (NOT end_image); no sound → silent. kwaivgi/kling-video-o3-{std,pro,4k}/{t2v,i2v}: end_image, 3–15 s, sound,
 *    shot_type, multi_prompt, element_list.
 *  - kwaivgi/kling-v4.0/text-to-video: prompt (req), resolution 720p|1080p, duration integer 3–30, aspect_ratio
 *    16:9|9:16|1:1|21:9 and NOTHING else (no sound/negative_prompt/cfg_scale → 400); …/image-to-video: image (req),
 *    prompt, last_image, keyframes (≤8 URLs: image + keyframes + last_image ≤ 10), aspect_ratio, resolution, duration.
 *    Audio is always on (§6b) → every 4.0 result has an audio track.
 *  - Family durations are JSON integers only (the tables say integer; the string form is accepted only for the older
 *    models above, whose curl examples showed it).
 * Family choices where [W1] is open (KLING-MODELS.md §5 q3):
 *  - prompt XOR multi_prompt on 3.0 std/pro, turbo and O3 (both → 400, neither → 400); 3.0 4k t2v needs prompt
 *    ("req only on 4k") and may add multi_prompt.
 *  - multi_prompt items `{prompt, duration}` (inferred), duration an integer or an integer string; ≤6 shots, ≥1 s,
 *    prompt ≤512 chars, the sum must equal `duration` when sent, else it becomes the duration (Kling's rules [O6]).
 *  - shot_type: `customize` | `intelligent` ([W1], 4k pages) AND `intelligence` ([W3] model file): both accepted.
 *  - element_list items: an id string or `{element_id}`; voice_list items: a voice id or `{voice_id}`; voice_list
 *    with sound:false → 400 (Kling: voices need sound on [O2]).
 *  - 2.6-pro i2v `sound` has no printed default → off (silent unless sound:true).
 *  - O1 / O3 accept no negative_prompt or cfg_scale (not in [W1]; Kling's omni API has neither). 4.0 resolution
 *    "4k" (blog [X3]) is refused: the llms.txt enums list 720p|1080p only [W6].
 *  - The task records the effective media (emulator `tasks.get(id).media`: duration, audio, aspectRatio, shots,
 *    resolution = 720p/1080p/4k per tier).
 *
 * Refusals and caps (engine planSubmits / rates / concurrencyCap): rate limit 429 `{code:429}` + Retry-After;
 * out of balance 402 `{code:402,message:"Insufficient balance…"}` (HTTP code = envelope code §1.3; the balance error
 * itself is not in PROVIDERS.md — inferred); maintenance 503 `{code:503}`. Concurrency: "over-concurrency tasks
 * wait" (§1.8 account levels) → QUEUED: a submit over the cap is created (200, status "created") and only starts when
 * a slot frees. (Forced refuse mode → 429 `{code:429}` + Retry-After.) Unknown-status fault word: "queued".
 *
 * Capabilities beyond text/image to video (KLING-MODELS.md §1b, §3.1 [W1][W2], §6c [W6], §7) — `WAVESPEED_CAPS`, same
 * envelope, poll, webhook (signed v3) and queueing as the family; inputs read with core/capability.mjs (emulator-hosted
 * files measured, other URLs = options remoteVideoSeconds / remoteAudioSeconds); limits → 400 `{code:400,message}`;
 * a missing emulator file → task failed 1402. Endpoints:
 *  - kwaivgi/kling-v{2.6,3.0}-{std,pro}/motion-control [W2]: image (req), video (req, 3–30 s), character_orientation
 *    (req, image|video), prompt, negative_prompt, keep_original_sound boolean (default true; type inferred). Output =
 *    the video's length; orientation "image" CUTS the output to 10 s (Kling's rule [K2][O6]; WaveSpeed only documents
 *    3–30 s, so the emulator does not refuse — choice); sound iff keep_original_sound and the video has sound.
 *  - kwaivgi/kling-lipsync/audio-to-video: video (req; ≤100 MB, 2–10 s, 720p/1080p = 720–1920 px both sides), audio
 *    (req; ≤5 MB). …/text-to-video: video (same), text (req, ≤120), voice_id (req; enum of 25 Kling voices from a 3p
 *    copy of the WaveSpeed page, docs.gptproto.com — "req, default genshin_klee2" read as required), voice_language
 *    zh|en, voice_speed 0.8–2.0. Output = the video's length, always with sound.
 *  - kwaivgi/kling-{v1,v2}-ai-avatar-{standard,pro}: image (req), audio (req), prompt. Output = the audio's length, with
 *    sound; audio 2–300 s and ≤5 MB inherited from Kling's avatar API [O1] (WaveSpeed states none — inf).
 *  - kwaivgi/kling-video-o1[-std]/reference-to-video: prompt (req), images ≤7 (≤4 with a video), video (3–10 s),
 *    keep_original_sound, duration 3–10, aspect_ratio; …-o3-{std,pro,4k}/reference-to-video adds element_list
 *    (images + elements ≤7 / ≤4 with a video), sound (refused with a video: Kling turns generated sound off with a
 *    reference video [O6]), duration 3–15. At least one reference (else 400: use text-to-video — choice). Output =
 *    duration (5); sound = sound:true, or the video's own sound with keep_original_sound (default true).
 *  - kwaivgi/kling-video-o1[-std]/video-edit, …-o3-{std,pro}/video-edit: video (req, 3–10 s), prompt (req), images ≤4
 *    (O3: + element_list ≤4 together), keep_original_sound (default true). Output = the video's length and, by default,
 *    its sound. Prompt references on O1/O3: `<<<image_1>>>` (3.0 pages) AND `@Image1` (4.0 pages) are both accepted;
 *    a reference beyond the count (or `<<<video_2>>>`) → 400.
 *  - kwaivgi/kling-v4.0/reference-to-video: prompt (req; `@Image1` / `@Video1` / `@Audio1`), images ≤10, videos ≤5
 *    (each 3–30 s, together ≤30 s), audios ≤3 (5–30 s), ≤15 files, keep_original_sound (requires videos),
 *    aspect_ratio auto|16:9|9:16|1:1|21:9, resolution 720p|1080p, duration 3–30. Field names images/videos/audios are
 *    inferred (§5 q3). Audio always on (4.0).
 *  - kwaivgi/kling-v4.0/video-edit: video (req, ≥3 s; longer than 30 s is TRIMMED to 30 [W6]), prompt (req, the clip
 *    is `@Video1`; `@Video2` → 400), images ≤10, duration 3–30 (sets the length; default = the input's), aspect_ratio,
 *    resolution, keep_original_sound (inferred name). Always with sound.
 *  - kwaivgi/kling-v4.0/video-extend: video (req), prompt (req), last_image, resolution, duration 3–30 (5) = the NEW
 *    segment; the result is the original + the new segment joined (length = input + duration [W6]); always with sound.
 * `tasks.get(id).media` adds `capability` and `inputs` (the measured video/audio: seconds, measuredSeconds, audio,
 * bytes, width, height, source local|data|remote).
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { checkObject, checkShots, intValue, present } from '../core/schema.mjs';
import { sniff } from '../core/media.mjs';
import { aspectFrom, checkPromptRefs, motionSeconds, readInput, readInputs, summary } from '../core/capability.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

/** @type {Record<string, { i2v: boolean, aspect: boolean, guidance: boolean, end: string[], endRequired?: boolean }>} */
export const WAVESPEED_MODELS = {
	'kwaivgi/kling-v2.5-turbo-pro/text-to-video': { i2v: false, aspect: true, guidance: true, end: [] },
	'kwaivgi/kling-v2.5-turbo-pro/image-to-video': { i2v: true, aspect: false, guidance: true, end: ['last_image', 'end_image'] },
	'kwaivgi/kling-v2.0-t2v-master': { i2v: false, aspect: true, guidance: false, end: [] },
	'kwaivgi/kling-v2.0-i2v-master': { i2v: true, aspect: false, guidance: true, end: ['end_image'] },
	'kwaivgi/kling-v2.1-t2v-master': { i2v: false, aspect: true, guidance: true, end: [] },
	'kwaivgi/kling-v2.1-i2v-standard': { i2v: true, aspect: false, guidance: true, end: [] },
	'kwaivgi/kling-v2.1-i2v-pro': { i2v: true, aspect: false, guidance: true, end: [] },
	'kwaivgi/kling-v2.1-i2v-master': { i2v: true, aspect: false, guidance: true, end: [] },
	'kwaivgi/kling-v2.1-i2v-pro/start-end-frame': { i2v: true, aspect: false, guidance: true, end: ['end_image'], endRequired: true },
};

const UPLOAD_LIMITS = { image: 20 * 1024 * 1024, video: 100 * 1024 * 1024, audio: 50 * 1024 * 1024 };

/* ------------------------------------------------------------------ Kling 2.6 / 3.0 / Turbo / O1 / O3 / 4.0 */

const AR3 = ['16:9', '9:16', '1:1'];
/** @type {Record<string, import('../core/schema.mjs').FieldSpec>} */
const COMMON = { enable_sync_mode: { type: 'boolean' }, enable_base64_output: { type: 'boolean' }, webhook_url: { type: 'url' } };
/** @type {import('../core/schema.mjs').FieldSpec} */
const MULTI_PROMPT = {
	type: 'array',
	items: { type: 'object', fields: { prompt: { type: 'string', required: true, nonEmpty: true }, duration: { type: 'intOrString', required: true } } },
};
/** `element_list` item: an element id string or `{element_id}` (shape inferred, §5 q3). */
/** @type {import('../core/schema.mjs').FieldSpec} */
const ELEMENT_LIST = { type: 'array', maxItems: 3, items: { type: 'any' } };
/** @type {import('../core/schema.mjs').FieldSpec} */
const VOICE_LIST = { type: 'array', maxItems: 2, items: { type: 'any' } };

/**
 * @typedef {{ i2v: boolean, fields: Record<string, import('../core/schema.mjs').FieldSpec>, frames: string[],
 *   multi?: 'xor' | 'with-prompt', endField?: string, audio: (b: Record<string, any>) => boolean,
 *   aspectDefault?: string, resolution?: (b: Record<string, any>) => string, durations: [number, number] | number[] }} FamilyModel
 */

/** @returns {Record<string, FamilyModel>} */
function familyModels() {
	/** @type {Record<string, FamilyModel>} */
	const m = {};
	/** [5, 10] = the two values 5 and 10 (Kling 2.6); any other pair = a range */
	const dur = (/** @type {number[]} */ values) => (values[0] === 5 && values[1] === 10
		? { type: /** @type {const} */ ('integer'), enum: values }
		: { type: /** @type {const} */ ('integer'), min: values[0], max: values[1] });
	// Kling 2.6 [W1]
	m['kwaivgi/kling-v2.6-pro/text-to-video'] = {
		i2v: false, frames: [], durations: [5, 10], aspectDefault: '1:1', resolution: () => '1080p',
		fields: { prompt: { type: 'string', required: true, nonEmpty: true }, negative_prompt: { type: 'string' }, cfg_scale: { type: 'number', min: 0, max: 1 }, sound: { type: 'boolean' }, aspect_ratio: { type: 'string', enum: AR3 }, duration: dur([5, 10]) },
		audio: (b) => b.sound ?? true,
	};
	m['kwaivgi/kling-v2.6-pro/image-to-video'] = {
		i2v: true, frames: ['image', 'end_image'], endField: 'end_image', durations: [5, 10], resolution: () => '1080p',
		fields: { image: { type: 'url', required: true }, prompt: { type: 'string', required: true, nonEmpty: true }, negative_prompt: { type: 'string' }, end_image: { type: 'url' }, cfg_scale: { type: 'number', min: 0, max: 1 }, sound: { type: 'boolean' }, voice_list: VOICE_LIST, duration: dur([5, 10]) },
		audio: (b) => b.sound ?? false,
	};
	m['kwaivgi/kling-v2.6-std/text-to-video'] = {
		i2v: false, frames: [], durations: [5, 10], aspectDefault: '16:9', resolution: () => '720p',
		fields: { prompt: { type: 'string', required: true, nonEmpty: true }, negative_prompt: { type: 'string' }, aspect_ratio: { type: 'string', enum: AR3 }, duration: dur([5, 10]) },
		audio: () => false,
	};
	m['kwaivgi/kling-v2.6-std/image-to-video'] = {
		i2v: true, frames: ['image'], durations: [5, 10], resolution: () => '720p',
		fields: { image: { type: 'url', required: true }, prompt: { type: 'string', required: true, nonEmpty: true }, negative_prompt: { type: 'string' }, duration: dur([5, 10]) },
		audio: () => false,
	};
	// Kling 3.0 std / pro / 4k [W1][W3]
	for (const tier of ['std', 'pro', '4k']) {
		const resolution = () => ({ std: '720p', pro: '1080p', '4k': '4k' })[tier] ?? '';
		const shared = {
			negative_prompt: { type: /** @type {const} */ ('string') }, duration: dur([3, 15]), cfg_scale: { type: /** @type {const} */ ('number'), min: 0, max: 1 }, sound: { type: /** @type {const} */ ('boolean') },
			shot_type: { type: /** @type {const} */ ('string'), enum: ['customize', 'intelligent', 'intelligence'] }, multi_prompt: MULTI_PROMPT, element_list: ELEMENT_LIST,
		};
		m[`kwaivgi/kling-v3.0-${tier}/text-to-video`] = {
			i2v: false, frames: [], durations: [3, 15], aspectDefault: '16:9', resolution, multi: tier === '4k' ? 'with-prompt' : 'xor',
			fields: { prompt: { type: 'string', required: tier === '4k', nonEmpty: tier === '4k' }, aspect_ratio: { type: 'string', enum: AR3 }, ...shared },
			audio: (b) => b.sound === true,
		};
		m[`kwaivgi/kling-v3.0-${tier}/image-to-video`] = {
			i2v: true, frames: ['image', 'end_image'], endField: 'end_image', durations: [3, 15], resolution, multi: 'xor',
			fields: { image: { type: 'url', required: true }, prompt: { type: 'string' }, end_image: { type: 'url' }, ...shared },
			audio: (b) => b.sound === true,
		};
	}
	// Kling 3.0 Turbo [W2] (text-to-video only; no sound field)
	for (const tier of ['std', 'pro']) {
		m[`kwaivgi/kling-v3-turbo-${tier}/text-to-video`] = {
			i2v: false, frames: [], durations: [3, 15], aspectDefault: '16:9', resolution: () => (tier === 'std' ? '720p' : '1080p'), multi: 'xor',
			fields: { prompt: { type: 'string' }, multi_prompt: MULTI_PROMPT, aspect_ratio: { type: 'string', enum: AR3 }, duration: dur([3, 15]) },
			// 3.0 Turbo always has sound (no audio field anywhere; third-party reports: useapi 2026-06-17, Runware)
			audio: () => true,
		};
	}
	// O1 [W1]: end frame `last_image`, 3–10 s, no sound
	for (const id of ['kwaivgi/kling-video-o1', 'kwaivgi/kling-video-o1-std']) {
		const resolution = () => (id.endsWith('-std') ? '720p' : '1080p');
		m[`${id}/text-to-video`] = {
			i2v: false, frames: [], durations: [3, 10], aspectDefault: '16:9', resolution,
			fields: { prompt: { type: 'string', required: true, nonEmpty: true }, aspect_ratio: { type: 'string', enum: AR3 }, duration: dur([3, 10]) },
			audio: () => false,
		};
		m[`${id}/image-to-video`] = {
			i2v: true, frames: ['image', 'last_image'], endField: 'last_image', durations: [3, 10], resolution,
			fields: { image: { type: 'url', required: true }, prompt: { type: 'string', required: true, nonEmpty: true }, last_image: { type: 'url' }, duration: dur([3, 10]) },
			audio: () => false,
		};
	}
	// O3 std / pro / 4k [W1]: end_image, 3–15 s, sound, shot_type, multi_prompt, element_list
	for (const tier of ['std', 'pro', '4k']) {
		const resolution = () => ({ std: '720p', pro: '1080p', '4k': '4k' })[tier] ?? '';
		const shared = {
			duration: dur([3, 15]), sound: { type: /** @type {const} */ ('boolean') }, shot_type: { type: /** @type {const} */ ('string'), enum: ['customize', 'intelligent', 'intelligence'] },
			multi_prompt: MULTI_PROMPT, element_list: ELEMENT_LIST,
		};
		m[`kwaivgi/kling-video-o3-${tier}/text-to-video`] = {
			i2v: false, frames: [], durations: [3, 15], aspectDefault: '16:9', resolution, multi: 'xor',
			fields: { prompt: { type: 'string' }, aspect_ratio: { type: 'string', enum: AR3 }, ...shared },
			audio: (b) => b.sound === true,
		};
		m[`kwaivgi/kling-video-o3-${tier}/image-to-video`] = {
			i2v: true, frames: ['image', 'end_image'], endField: 'end_image', durations: [3, 15], resolution, multi: 'xor',
			fields: { image: { type: 'url', required: true }, prompt: { type: 'string' }, end_image: { type: 'url' }, ...shared },
			audio: (b) => b.sound === true,
		};
	}
	// Kling 4.0 [W6] §6c: audio always on, no sound/negative/cfg field
	const ar4 = ['16:9', '9:16', '1:1', '21:9'];
	m['kwaivgi/kling-v4.0/text-to-video'] = {
		i2v: false, frames: [], durations: [3, 30], aspectDefault: '16:9', resolution: (b) => b.resolution ?? '720p',
		fields: { prompt: { type: 'string', required: true, nonEmpty: true }, resolution: { type: 'string', enum: ['720p', '1080p'] }, duration: dur([3, 30]), aspect_ratio: { type: 'string', enum: ar4 } },
		audio: () => true,
	};
	m['kwaivgi/kling-v4.0/image-to-video'] = {
		i2v: true, frames: ['image', 'last_image', 'keyframes'], endField: 'last_image', durations: [3, 30], resolution: (b) => b.resolution ?? '720p',
		fields: {
			image: { type: 'url', required: true }, prompt: { type: 'string' }, last_image: { type: 'url' }, keyframes: { type: 'array', maxItems: 8, items: { type: 'url' } },
			aspect_ratio: { type: 'string', enum: ar4 }, resolution: { type: 'string', enum: ['720p', '1080p'] }, duration: dur([3, 30]),
		},
		audio: () => true,
	};
	return m;
}
export const WAVESPEED_FAMILY = familyModels();

/* ------------------------------------------------------------------ motion control, lip-sync, avatar, reference, edit, extend */

const MB = 1024 * 1024;
/** Kling TTS voice ids of kwaivgi/kling-lipsync/text-to-video (3p copy of the WaveSpeed page, docs.gptproto.com). */
export const WAVESPEED_LIPSYNC_VOICES = [
	'genshin_klee2', 'genshin_vindi2', 'genshin_kirara', 'zhinen_xuesheng', 'AOT', 'ai_shatang', 'ai_kaiya', 'oversea_male1', 'ai_chenjiahao_712',
	'girlfriend_4_speech02', 'chat1_female_new-3', 'chat_0407_5-1', 'cartoon-boy-07', 'uk_boy1', 'cartoon-girl-01', 'PeppaPig_platform', 'ai_huangzhong_712',
	'ai_huangyaoshi_712', 'ai_laoguowang_712', 'chengshu_jiejie', 'you_pingjing', 'calm_story1', 'uk_man2', 'laopopo_speech02', 'heainainai_speech02',
];
/**
 * @typedef {{ problem?: string | null, failWith?: string | null, duration?: number, audio?: boolean, aspectRatio?: string,
 *   resolution?: string | null, inputs?: Record<string, unknown>, imageUrls?: string[] }} CapResult
 * @typedef {{ capability: import('../core/engine.mjs').Capability, fields: Record<string, import('../core/schema.mjs').FieldSpec>,
 *   run: (engine: Engine, body: Record<string, any>) => CapResult }} CapModel
 */
/** @param {unknown} v @returns {string[]} */
const urls = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

/** @returns {Record<string, CapModel>} */
function capabilityModels() {
	/** @type {Record<string, CapModel>} */
	const m = {};
	const URL_LIST = (/** @type {number} */ max) => /** @type {import('../core/schema.mjs').FieldSpec} */ ({ type: 'array', maxItems: max, items: { type: 'url' } });
	const prompt = /** @type {import('../core/schema.mjs').FieldSpec} */ ({ type: 'string', required: true, nonEmpty: true });
	// Motion control [W2]: image + video (3–30 s) + character_orientation (req); output = the video's length.
	for (const v of ['2.6', '3.0']) {
		for (const tier of ['std', 'pro']) {
			m[`kwaivgi/kling-v${v}-${tier}/motion-control`] = {
				capability: 'motion-control',
				fields: {
					image: { type: 'url', required: true }, video: { type: 'url', required: true }, character_orientation: { type: 'string', required: true, enum: ['image', 'video'] },
					prompt: { type: 'string' }, negative_prompt: { type: 'string' }, keep_original_sound: { type: 'boolean' },
				},
				run: (engine, b) => {
					const { reads: [video], problem, failWith } = readInputs(engine, [[b.video, { field: 'video', want: 'video', minSec: 3, maxSec: 30 }]]);
					if (problem || !video) return { problem };
					return {
						failWith,
						// orientation "image": Kling caps the clip at 10 s [K2][O6]; WaveSpeed documents only 3–30 s → cut, not refused
						duration: motionSeconds(video.seconds, b.character_orientation, 10),
						audio: b.keep_original_sound !== false && video.info.audio === true,
						aspectRatio: aspectFrom(video),
						resolution: tier === 'std' ? '720p' : '1080p',
						inputs: { video: summary(video), orientation: b.character_orientation },
						imageUrls: [b.image],
					};
				},
			};
		}
	}
	// Lip-sync [W1]: video mp4/mov ≤100 MB, 2–10 s, 720p/1080p (720–1920 px); audio ≤5 MB; output = the video's length.
	const lipVideo = /** @type {import('../core/capability.mjs').InputRule} */ ({ field: 'video', want: 'video', minSec: 2, maxSec: 10, maxBytes: 100 * MB, minPx: 720, maxPx: 1920 });
	m['kwaivgi/kling-lipsync/audio-to-video'] = {
		capability: 'lip-sync',
		fields: { audio: { type: 'url', required: true }, video: { type: 'url', required: true } },
		run: (engine, b) => {
			const { reads: [video, audio], problem, failWith } = readInputs(engine, [[b.video, lipVideo], [b.audio, { field: 'audio', want: 'audio', maxBytes: 5 * MB }]]);
			if (problem || !video || !audio) return { problem };
			return { failWith, duration: video.seconds, audio: true, aspectRatio: aspectFrom(video), resolution: null, inputs: { video: summary(video), audio: summary(audio) } };
		},
	};
	m['kwaivgi/kling-lipsync/text-to-video'] = {
		capability: 'lip-sync',
		fields: {
			video: { type: 'url', required: true }, text: { type: 'string', required: true, nonEmpty: true, maxLength: 120 }, voice_id: { type: 'string', required: true, enum: WAVESPEED_LIPSYNC_VOICES },
			voice_language: { type: 'string', enum: ['zh', 'en'] }, voice_speed: { type: 'number', min: 0.8, max: 2 },
		},
		run: (engine, b) => {
			const { reads: [video], problem, failWith } = readInputs(engine, [[b.video, lipVideo]]);
			if (problem || !video) return { problem };
			return { failWith, duration: video.seconds, audio: true, aspectRatio: aspectFrom(video), resolution: null, inputs: { video: summary(video), text: b.text.length } };
		},
	};
	// AI avatar [W1]: image + audio (+ prompt); output = the audio's length. Audio limits inherited from Kling's avatar
	// API (2–300 s, ≤5 MB [O1]); WaveSpeed states none.
	for (const v of ['v1', 'v2']) {
		for (const tier of ['standard', 'pro']) {
			m[`kwaivgi/kling-${v}-ai-avatar-${tier}`] = {
				capability: 'avatar',
				fields: { image: { type: 'url', required: true }, audio: { type: 'url', required: true }, prompt: { type: 'string' } },
				run: (engine, b) => {
					const { reads: [audio], problem, failWith } = readInputs(engine, [[b.audio, { field: 'audio', want: 'audio', minSec: 2, maxSec: 300, maxBytes: 5 * MB }]]);
					if (problem || !audio) return { problem };
					const image = readInput(engine, b.image, { field: 'image', want: 'image' }); // for the aspect; image problems: the usual image checks
					return {
						failWith,
						duration: audio.seconds, audio: true, aspectRatio: aspectFrom(image, '1:1'), resolution: tier === 'standard' ? '720p' : '1080p',
						inputs: { audio: summary(audio) }, imageUrls: [b.image],
					};
				},
			};
		}
	}
	/**
	 * O1 / O3 reference-to-video and video-edit [W1] §7: `images` ≤7 (≤4 with a video; with elements: images + elements),
	 * `video`, keep_original_sound (default true). Prompt references: `<<<image_1>>>` (3.0 pages) and `@Image1` — both.
	 * @param {{ edit: boolean, o3: boolean, tier: string, maxDur: number }} o @returns {CapModel}
	 */
	const omni = (o) => ({
		capability: o.edit ? 'video-edit' : 'reference-to-video',
		fields: {
			prompt,
			...(o.edit ? { video: { type: 'url', required: true } } : { video: { type: 'url' } }),
			images: URL_LIST(o.edit ? 4 : 7),
			...(o.o3 ? { element_list: ELEMENT_LIST } : {}),
			keep_original_sound: { type: 'boolean' },
			...(o.o3 && !o.edit ? { sound: { type: 'boolean' } } : {}),
			...(o.edit ? {} : { duration: dur3(o.maxDur), aspect_ratio: { type: 'string', enum: AR3 } }),
		},
		run: (engine, b) => {
			const images = urls(b.images);
			const elements = Array.isArray(b.element_list) ? b.element_list.length : 0;
			const hasVideo = present(b.video);
			if (!o.edit && !images.length && !hasVideo && !elements) return { problem: 'reference-to-video needs images, a video or element_list (else use text-to-video)' };
			const cap = hasVideo ? 4 : 7;
			if (images.length + elements > cap) return { problem: `images${o.o3 ? ' + element_list' : ''} are limited to ${cap}${hasVideo ? ' with a video' : ''} (got ${images.length + elements})` };
			if (!hasVideo && b.keep_original_sound !== undefined) return { problem: 'keep_original_sound needs a video' };
			if (hasVideo && b.sound === true) return { problem: 'sound must be off with a reference video (the video\'s own sound is kept with keep_original_sound)' };
			const refs = checkPromptRefs(b.prompt, { at: true, angle: true }, { image: images.length, video: hasVideo ? 1 : 0, element: elements });
			if (refs) return { problem: refs };
			const { reads: [video], problem, failWith } = readInputs(engine, [[b.video, { field: 'video', want: 'video', minSec: 3, maxSec: 10 }]]);
			if (problem) return { problem };
			const keep = !!video && b.keep_original_sound !== false && video.info.audio === true;
			return {
				failWith,
				duration: o.edit && video ? video.seconds : (b.duration ?? 5),
				audio: keep || b.sound === true,
				aspectRatio: o.edit ? aspectFrom(video) : (b.aspect_ratio ?? '16:9'),
				resolution: ({ std: '720p', pro: '1080p', '4k': '4k' })[o.tier] ?? null,
				inputs: { images: images.length, elements, ...(video ? { video: summary(video) } : {}) },
				imageUrls: images,
			};
		},
	});
	const dur3 = (/** @type {number} */ max) => /** @type {import('../core/schema.mjs').FieldSpec} */ ({ type: 'integer', min: 3, max });
	for (const [id, tier] of [['kwaivgi/kling-video-o1', 'pro'], ['kwaivgi/kling-video-o1-std', 'std']]) {
		m[`${id}/reference-to-video`] = omni({ edit: false, o3: false, tier, maxDur: 10 });
		m[`${id}/video-edit`] = omni({ edit: true, o3: false, tier, maxDur: 10 });
	}
	for (const tier of ['std', 'pro', '4k']) m[`kwaivgi/kling-video-o3-${tier}/reference-to-video`] = omni({ edit: false, o3: true, tier, maxDur: 15 });
	for (const tier of ['std', 'pro']) m[`kwaivgi/kling-video-o3-${tier}/video-edit`] = omni({ edit: true, o3: true, tier, maxDur: 15 });
	// Kling 4.0 [W6][X3] §6b/§6c — audio always on.
	const ar4 = ['16:9', '9:16', '1:1', '21:9'];
	const res4 = /** @type {import('../core/schema.mjs').FieldSpec} */ ({ type: 'string', enum: ['720p', '1080p'] });
	m['kwaivgi/kling-v4.0/reference-to-video'] = {
		capability: 'reference-to-video',
		// field names images / videos / audios inferred (§5 q3); ≤10 images, ≤5 videos, ≤3 audios, ≤15 files
		fields: { prompt, images: URL_LIST(10), videos: URL_LIST(5), audios: URL_LIST(3), keep_original_sound: { type: 'boolean' }, aspect_ratio: { type: 'string', enum: ['auto', ...ar4] }, resolution: res4, duration: dur3(30) },
		run: (engine, b) => {
			const [images, videos, audios] = [urls(b.images), urls(b.videos), urls(b.audios)];
			if (!images.length && !videos.length && !audios.length) return { problem: 'reference-to-video needs images, videos or audios (else use text-to-video)' };
			if (images.length + videos.length + audios.length > 15) return { problem: `at most 15 reference files in all (got ${images.length + videos.length + audios.length})` };
			if (b.keep_original_sound !== undefined && !videos.length) return { problem: 'keep_original_sound requires videos' };
			const refs = checkPromptRefs(b.prompt, { at: true }, { image: images.length, video: videos.length, audio: audios.length });
			if (refs) return { problem: refs };
			const r = readInputs(engine, [
				...videos.map((u, i) => /** @type {[string, import('../core/capability.mjs').InputRule]} */ ([u, { field: `videos[${i}]`, want: 'video', minSec: 3, maxSec: 30 }])),
				...audios.map((u, i) => /** @type {[string, import('../core/capability.mjs').InputRule]} */ ([u, { field: `audios[${i}]`, want: 'audio', minSec: 5, maxSec: 30 }])),
			]);
			if (r.problem) return { problem: r.problem };
			const vr = r.reads.slice(0, videos.length).filter((x) => x !== null);
			const total = vr.reduce((a, x) => a + x.seconds, 0);
			if (total > 30) return { problem: `the videos together must last at most 30 s (got ${total} s)` };
			return {
				failWith: r.failWith,
				duration: b.duration ?? 5,
				audio: true,
				aspectRatio: b.aspect_ratio && b.aspect_ratio !== 'auto' ? b.aspect_ratio : aspectFrom(vr[0]),
				resolution: b.resolution ?? '720p',
				inputs: { images: images.length, videos: vr.map(summary), audios: r.reads.slice(videos.length).filter((x) => x !== null).map(summary) },
				imageUrls: images,
			};
		},
	};
	m['kwaivgi/kling-v4.0/video-edit'] = {
		capability: 'video-edit',
		// keep_original_sound (inferred name, as reference-to-video): the source's sound is kept by default
		fields: { video: { type: 'url', required: true }, prompt, images: URL_LIST(10), duration: dur3(30), aspect_ratio: { type: 'string', enum: ar4 }, resolution: res4, keep_original_sound: { type: 'boolean' } },
		run: (engine, b) => {
			const images = urls(b.images);
			const refs = checkPromptRefs(b.prompt, { at: true }, { image: images.length, video: 1 });
			if (refs) return { problem: refs };
			const { reads: [video], problem, failWith } = readInputs(engine, [[b.video, { field: 'video', want: 'video', minSec: 3, trimTo: 30 }]]);
			if (problem || !video) return { problem };
			return {
				failWith,
				duration: b.duration ?? video.seconds, // keeps the input's length unless duration is set [W6]
				audio: true,
				aspectRatio: b.aspect_ratio ?? aspectFrom(video),
				resolution: b.resolution ?? '720p',
				inputs: { video: summary(video), images: images.length },
				imageUrls: images,
			};
		},
	};
	m['kwaivgi/kling-v4.0/video-extend'] = {
		capability: 'video-extend',
		fields: { video: { type: 'url', required: true }, prompt, last_image: { type: 'url' }, resolution: res4, duration: dur3(30) },
		run: (engine, b) => {
			const { reads: [video], problem, failWith } = readInputs(engine, [[b.video, { field: 'video', want: 'video' }]]);
			if (problem || !video) return { problem };
			const segment = b.duration ?? 5;
			return {
				failWith,
				duration: video.seconds + segment, // "returns original + new joined" [W6]
				audio: true,
				aspectRatio: aspectFrom(video),
				resolution: b.resolution ?? '720p',
				inputs: { video: summary(video), segment },
				imageUrls: present(b.last_image) ? [b.last_image] : [],
			};
		},
	};
	return m;
}
export const WAVESPEED_CAPS = capabilityModels();

/**
 * Checks a family request beyond field types; returns the first problem and the effective media.
 * @param {FamilyModel} spec @param {Record<string, any>} body
 * @returns {{ problem: string | null, duration: number, shots: number[] | null }}
 */
function familyRules(spec, body) {
	const issues = checkObject(body, { ...spec.fields, ...COMMON });
	if (issues.length) return { problem: issues[0].message, duration: 0, shots: null };
	const hasMulti = Array.isArray(body.multi_prompt) && body.multi_prompt.length > 0;
	if (body.multi_prompt !== undefined && !hasMulti) return { problem: 'multi_prompt must contain at least one shot', duration: 0, shots: null };
	if (spec.multi === 'xor') {
		if (hasMulti && present(body.prompt)) return { problem: 'send either prompt or multi_prompt, not both', duration: 0, shots: null };
		if (!hasMulti && !present(body.prompt)) return { problem: 'prompt is required (or multi_prompt)', duration: 0, shots: null };
	}
	if (hasMulti && spec.endField && present(body[spec.endField])) return { problem: 'multi_shot is not supported with end image', duration: 0, shots: null };
	for (const [i, el] of (Array.isArray(body.element_list) ? body.element_list : []).entries()) {
		const ok = (typeof el === 'string' && el) || (isPlainObject(el) && Object.keys(el).every((k) => k === 'element_id') && (typeof el.element_id === 'string' || Number.isInteger(el.element_id)));
		if (!ok) return { problem: `element_list[${i}] must be an element id or {element_id}`, duration: 0, shots: null };
	}
	for (const [i, v] of (Array.isArray(body.voice_list) ? body.voice_list : []).entries()) {
		const ok = (typeof v === 'string' && v) || (isPlainObject(v) && Object.keys(v).every((k) => k === 'voice_id') && typeof v.voice_id === 'string' && v.voice_id);
		if (!ok) return { problem: `voice_list[${i}] must be a voice id or {voice_id}`, duration: 0, shots: null };
	}
	if (Array.isArray(body.voice_list) && body.voice_list.length && body.sound === false) return { problem: 'voice_list requires sound to be enabled', duration: 0, shots: null };
	let duration = body.duration ?? 5;
	/** @type {number[] | null} */
	let shots = null;
	if (hasMulti) {
		const r = checkShots(body.multi_prompt, { field: 'multi_prompt', maxShots: 6, promptMax: 512, total: body.duration });
		if (r.issues.length) return { problem: r.issues[0].message, duration: 0, shots: null };
		shots = body.multi_prompt.map((/** @type {any} */ s) => /** @type {number} */ (intValue(s.duration)));
		duration = r.sum;
		const [lo, hi] = [spec.durations[0], spec.durations[spec.durations.length - 1]];
		if (duration < lo || duration > hi) return { problem: `the shots in multi_prompt add up to ${duration} s; this model makes ${lo}–${hi} s videos`, duration: 0, shots: null };
	}
	return { problem: null, duration, shots };
}

/**
 * Signs a WaveSpeed webhook like the docs describe (exported so tests/benchmarks can reuse the algorithm
 * — tests should still verify independently).
 * @param {string} secret `whsec_...` @param {string} id @param {number} ts @param {string} rawBody
 */
export function wavespeedSignature(secret, id, ts, rawBody) {
	const key = secret.replace(/^whsec_/, '');
	return crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(`${id}.${ts}.${rawBody}`).digest('hex');
}

/** @param {Engine} engine */
export function createWaveSpeed(engine) {
	const base = () => `${engine.url}/wavespeed`;
	/** @type {Map<string, { filename: string, size: number, contentType?: string }>} */
	const tickets = new Map();

	/** @param {Ctx} ctx @param {number} status @param {string} message @param {Record<string, string>} [headers] */
	const err = (ctx, status, message, headers) => ctx.send(status, { code: status, message }, headers);

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: 1200, message: 'Content moderation: the input or output was flagged as violating the content policy.' };
			case 'image-missing':
				return { kind, code: 1402, message: 'Failed to download image from the provided URL.' };
			case 'image-not-image':
				return { kind, code: 1402, message: 'Failed to download image from the provided URL: the content is not a valid image.' };
			case 'image-too-large':
				return { kind, code: 1401, message: 'Invalid parameter: image exceeds the 10 MB limit.' };
			case 'media-missing':
				return { kind, code: 1402, message: 'Failed to download media from the provided URL.' };
			case 'media-invalid':
				return { kind, code: 1402, message: 'Failed to read media from the provided URL: the content is not a valid video or audio file.' };
			default:
				return { kind, code: 1403, message: 'Task execution failed.' };
		}
	}

	/** @param {Task} task @param {boolean} [forWebhook] */
	function prediction(task, forWebhook = false) {
		const { phase } = engine.phase(task);
		const status = { queued: 'created', processing: 'processing', succeeded: 'completed', failed: 'failed' }[phase];
		const terminal = phase === 'succeeded' || phase === 'failed';
		/** @type {Record<string, unknown>} */
		const p = {
			id: task.id,
			model: task.model,
			outputs: phase === 'succeeded' ? [engine.resultUrl(task)] : [],
			urls: { get: `${base()}/api/v3/predictions/${task.id}/result` },
			has_nsfw_contents: phase === 'succeeded' ? [false] : [],
			status,
			created_at: new Date(task.createdAt).toISOString(),
			error: phase === 'failed' ? (task.failure?.message ?? 'failed') : '',
			timings: { inference: terminal ? task.generationMs : 0 },
		};
		if (phase === 'failed') p.code = task.failure?.code ?? 1403;
		if (forWebhook) {
			p.input = task.input;
			p.executionTime = task.generationMs;
		}
		return p;
	}

	/** @param {Ctx} ctx @param {string} model */
	function submit(ctx, model) {
		ctx.mark('submit');
		const spec = WAVESPEED_MODELS[model];
		let body;
		try {
			body = ctx.json();
		} catch {
			return err(ctx, 400, 'Invalid JSON body');
		}
		const family = WAVESPEED_FAMILY[model];
		const cap = WAVESPEED_CAPS[model];
		if (!spec && !family && !cap) return err(ctx, 404, `Model not found: ${model}`);
		if (!isPlainObject(body)) return err(ctx, 400, 'Request body must be a JSON object');
		if (family) return submitFamily(ctx, model, family, body);
		if (cap) return submitCapability(ctx, model, cap, body);
		const allowed = ['prompt', 'negative_prompt', 'duration', 'enable_sync_mode', 'enable_base64_output', 'webhook_url'];
		if (spec.aspect) allowed.push('aspect_ratio');
		if (spec.guidance) allowed.push('guidance_scale');
		if (spec.i2v) allowed.push('image', ...spec.end);
		const problems = [
			V.unknownFields(body, allowed),
			V.string(body.prompt, 'prompt', { required: true }),
			V.string(body.negative_prompt, 'negative_prompt'),
			spec.aspect ? V.enumString(body.aspect_ratio, 'aspect_ratio', ['1:1', '9:16', '16:9']) : null,
			spec.guidance ? V.number(body.guidance_scale, 'guidance_scale', 0, 1) : null,
			body.duration === undefined || [5, 10, '5', '10'].includes(/** @type {any} */ (body.duration))
				? null
				: 'duration must be one of 5, 10 (integer)',
			body.enable_sync_mode === undefined || typeof body.enable_sync_mode === 'boolean' ? null : 'enable_sync_mode must be a boolean',
			body.enable_base64_output === undefined || typeof body.enable_base64_output === 'boolean' ? null : 'enable_base64_output must be a boolean',
			V.url(body.webhook_url, 'webhook_url'),
		];
		if (spec.i2v) {
			problems.push(V.url(body.image, 'image', true));
			const ends = spec.end.filter((f) => body[f] !== undefined && body[f] !== null && body[f] !== '');
			if (ends.length > 1) problems.push(`send only one end-frame field (${ends.join(' or ')})`);
			for (const f of ends) problems.push(V.url(body[f], f));
			if (spec.endRequired && ends.length === 0) problems.push(`${spec.end[0]} is required`);
		}
		const problem = problems.find(Boolean);
		if (problem) return err(ctx, 400, problem);
		const endField = spec.end.find((f) => body[f]);
		const imageUrls = spec.i2v ? [body.image, ...(endField ? [body[endField]] : [])].filter((x) => typeof x === 'string') : [];
		accept(ctx, model, body, {
			mode: spec.i2v ? 'image-to-video' : 'text-to-video',
			duration: Number(body.duration ?? 5),
			aspectRatio: spec.aspect ? /** @type {string} */ (body.aspect_ratio ?? '16:9') : '16:9',
			audio: false,
			imageUrls: /** @type {string[]} */ (imageUrls),
		});
	}

	/**
	 * A Kling 2.6 / 3.0 / Turbo / O1 / O3 / 4.0 request (KLING-MODELS.md §3.1, §6c).
	 * @param {Ctx} ctx @param {string} model @param {FamilyModel} spec @param {Record<string, any>} body
	 */
	function submitFamily(ctx, model, spec, body) {
		const r = familyRules(spec, body);
		if (r.problem) return err(ctx, 400, r.problem);
		/** @type {string[]} */
		const imageUrls = [];
		for (const f of spec.frames) {
			const v = body[f];
			if (typeof v === 'string' && v) imageUrls.push(v);
			else if (Array.isArray(v)) imageUrls.push(...v.filter((x) => typeof x === 'string'));
		}
		accept(ctx, model, body, {
			mode: spec.i2v ? 'image-to-video' : 'text-to-video',
			duration: r.duration,
			shots: r.shots,
			aspectRatio: body.aspect_ratio ?? spec.aspectDefault ?? '16:9',
			audio: spec.audio(body),
			resolution: spec.resolution?.(body) ?? null,
			imageUrls,
		});
	}

	/**
	 * Motion control, lip-sync, avatar, reference-to-video, video-edit, video-extend: fields, then the inputs' limits.
	 * @param {Ctx} ctx @param {string} model @param {CapModel} cap @param {Record<string, any>} body
	 */
	function submitCapability(ctx, model, cap, body) {
		const issue = checkObject(body, { ...cap.fields, ...COMMON })[0];
		if (issue) return err(ctx, 400, issue.message);
		const r = cap.run(engine, body);
		if (r.problem) return err(ctx, 400, r.problem);
		accept(ctx, model, body, {
			mode: cap.capability,
			capability: cap.capability,
			duration: r.duration ?? 5,
			aspectRatio: r.aspectRatio ?? '16:9',
			audio: r.audio === true,
			resolution: r.resolution ?? null,
			imageUrls: (r.imageUrls ?? []).filter((u) => typeof u === 'string' && u),
			inputs: r.inputs ?? {},
			failWith: r.failWith ?? null,
		});
	}

	/**
	 * Webhook and sync checks, then create the task and answer (shared by every model).
	 * @param {Ctx} ctx @param {string} model @param {Record<string, any>} body
	 * @param {{ mode: import('../core/engine.mjs').Capability, duration: number, aspectRatio: string, audio: boolean,
	 *   shots?: number[] | null, resolution?: string | null, imageUrls: string[], capability?: import('../core/engine.mjs').Capability,
	 *   inputs?: Record<string, unknown>, failWith?: string | null }} media
	 */
	function accept(ctx, model, body, media) {
		const webhook = ctx.query.get('webhook') ?? /** @type {string | undefined} */ (body.webhook_url);
		if (webhook !== undefined && webhook !== null) {
			const p = V.url(webhook, 'webhook');
			if (p) return err(ctx, 400, p);
			if (body.enable_base64_output === true) {
				return ctx.send(400, { error: 'webhook callback does not support base64 output, please set enable_base64_output to false' });
			}
		}
		if (body.enable_sync_mode === true) return err(ctx, 400, `enable_sync_mode is not supported for ${model}; submit and poll the result instead`);
		if (engine.submitRateLimited(ctx, mod)) return;
		const task = engine.createTask(
			{
				provider: 'wavespeed',
				model,
				...media,
				input: body,
				callbackUrl: webhook ?? undefined,
				idPrefix: '',
			},
			mod,
		);
		ctx.mark('submit', task.id);
		if (webhook) {
			engine.atCompletion(task, () =>
				engine.deliver(task, {
					url: webhook,
					payload: prediction(task, true),
					sign: (raw, ts, wrong) => {
						const secret = wrong ? 'whsec_wrongWaveSpeedSecret' : (engine.opts.secrets.wavespeed ?? '');
						return {
							'webhook-id': task.id,
							'webhook-timestamp': String(ts),
							'webhook-signature': `v3,${wavespeedSignature(secret, task.id, ts, raw)}`,
						};
					},
				}),
			);
		}
		if (engine.submitAnswerLost(ctx, mod)) return;
		ctx.send(200, { code: 200, message: 'success', data: prediction(task) });
	}

	/** @param {Ctx} ctx @param {string} id */
	async function status(ctx, id) {
		const task = engine.tasks.get(id);
		ctx.mark('status', task?.provider === 'wavespeed' ? id : undefined);
		if (!task || task.provider !== 'wavespeed') return err(ctx, 404, `Prediction not found: ${id}`);
		if (await engine.statusFault(ctx, task, mod)) return;
		const data = prediction(task);
		if (ctx.unknownStatus) data.status = ctx.unknownStatus;
		ctx.send(200, { code: 200, message: 'success', data });
	}

	/** @param {Ctx} ctx @param {'binary'|'upload'} variant */
	function upload(ctx, variant) {
		ctx.mark('upload');
		const mp = ctx.multipart();
		const file = mp?.files.find((f) => f.field === 'file');
		if (!mp || !file) return err(ctx, 400, 'multipart/form-data with a `file` field is required');
		const kind = sniff(file.data);
		if (kind.kind === 'other') return err(ctx, 400, 'Unsupported file type: only image, video and audio files can be uploaded');
		if (file.data.length > UPLOAD_LIMITS[kind.kind]) {
			return err(ctx, 413, `File too large: ${kind.kind} files are limited to ${UPLOAD_LIMITS[kind.kind] / 1024 / 1024} MB`);
		}
		const name = file.filename || `upload.${kind.mime.split('/')[1]}`;
		const stored = engine.storeFile('wavespeed', name, file.data, kind.mime);
		/** @type {Record<string, unknown>} */
		const data = { type: kind.kind, download_url: stored.url, filename: name, size: file.data.length };
		if (variant === 'upload') data.url = stored.url;
		ctx.send(200, { code: 200, message: 'success', data });
	}

	/** @param {Ctx} ctx */
	function uploadTicket(ctx) {
		ctx.mark('upload');
		let body;
		try {
			body = ctx.json();
		} catch {
			return err(ctx, 400, 'Invalid JSON body');
		}
		if (!isPlainObject(body)) return err(ctx, 400, 'Request body must be a JSON object');
		const p =
			V.string(body.filename, 'filename', { required: true }) ??
			(typeof body.size === 'number' && body.size > 0 ? null : 'size must be a positive number') ??
			V.string(body.content_type, 'content_type');
		if (p) return err(ctx, 400, p);
		const id = engine.newId('', 24);
		tickets.set(id, { filename: String(body.filename), size: Number(body.size), contentType: /** @type {any} */ (body.content_type) });
		const name = encodeURIComponent(String(body.filename));
		ctx.send(200, {
			code: 200,
			message: 'success',
			data: {
				download_url: `${base()}/_files/${id}/${name}`,
				upload: { url: `${base()}/api/v3/media/uploads/${id}`, method: 'PUT', headers: { 'Content-Type': body.content_type ?? 'application/octet-stream' } },
			},
		});
	}

	/** @param {Ctx} ctx @param {string} id */
	function uploadPut(ctx, id) {
		ctx.mark('upload');
		const t = tickets.get(id);
		if (!t) return err(ctx, 404, 'upload ticket not found');
		const kind = sniff(ctx.rawBody);
		ctx.entry.body = { size: ctx.rawBody.length, mimeType: kind.mime };
		if (kind.kind === 'other') return err(ctx, 400, 'Unsupported file type');
		engine.storeFile('wavespeed', t.filename, ctx.rawBody, kind.mime, id);
		tickets.delete(id);
		ctx.res.writeHead(200, { 'content-length': 0 });
		ctx.res.end();
		ctx.entry.status = 200;
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'wavespeed',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		concurrencyMode: 'queue', // "over-concurrency tasks wait" (PROVIDERS.md §1.8)
		unknownStatusWord: 'queued',
		fault(ctx, fault) {
			if (fault === '429') return err(ctx, 429, 'Too many requests: rate limit exceeded, please retry later', engine.retryAfterHeader(ctx));
			if (fault === 'concurrency') return err(ctx, 429, 'Too many requests: concurrent task limit of your account level reached', engine.retryAfterHeader(ctx));
			if (fault === 'credit' || fault === 'arrears') return err(ctx, 402, 'Insufficient balance: please top up your account');
			if (fault === '500') return err(ctx, 500, 'Internal server error');
			if (fault === 'maintenance') return err(ctx, 503, 'Service unavailable: the platform is under maintenance, please retry later');
			return err(ctx, 503, 'Service unavailable, please retry later');
		},
		async handle(ctx) {
			const p = ctx.path;
			// Upload PUT targets carry no bearer (pre-signed style URL).
			const put = /^\/api\/v3\/media\/uploads\/([^/]+)$/.exec(p);
			if (put && ctx.method === 'PUT') return uploadPut(ctx, put[1]);
			const key = ctx.bearer();
			if (!key || key !== engine.opts.keys.wavespeed) {
				if (/^\/api\/v3\/predictions\//.test(p)) ctx.mark('status');
				else if (ctx.method === 'POST' && /^\/api\/v3\/kwaivgi\//.test(p)) ctx.mark('submit');
				else if (p === '/api/v3/balance') ctx.mark('credits');
				try {
					ctx.json();
				} catch {
					/* journal keeps raw */
				}
				return err(ctx, 401, 'Unauthorized: invalid or missing API key (use Authorization: Bearer <key>)');
			}
			if (ctx.method === 'GET') {
				const m = /^\/api\/v3\/predictions\/([^/]+)(\/result)?$/.exec(p);
				if (m) return status(ctx, m[1]);
				if (p === '/api/v3/balance') {
					ctx.mark('credits');
					return ctx.send(200, { code: 200, message: 'success', data: { balance: 100.0 } });
				}
				if (p === '/api/v3/webhook/secret') {
					ctx.mark('other');
					return ctx.send(200, { code: 200, message: 'success', data: { secret: engine.opts.secrets.wavespeed } });
				}
			}
			if (ctx.method === 'POST') {
				if (p === '/api/v3/media/upload/binary') return upload(ctx, 'binary');
				if (p === '/api/v3/upload') return upload(ctx, 'upload');
				if (p === '/api/v3/media/uploads') return uploadTicket(ctx);
				const m = /^\/api\/v3\/(.+)$/.exec(p);
				if (m && !m[1].startsWith('predictions')) return submit(ctx, m[1].replace(/\/$/, ''));
			}
			return err(ctx, 404, `Not found: ${ctx.method} ${p}`);
		},
	};
	return mod;
}
