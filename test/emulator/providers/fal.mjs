// @ts-check
/**
 * fal.ai emulator — PROVIDERS.md §0 and §5.2. Two mounts: /fal = the queue host (https://queue.fal.run) and
 * /fal-rest = the REST host (https://rest.alpha.fal.ai / rest.fal.ai: JWKS and storage uploads).
 *
 * Enforced exactly (explicit in §5.2):
 *  - Auth `Authorization: Key <FAL_KEY>` (a Bearer header is refused).
 *  - Submit POST /fal-ai/kling-video/v2.5-turbo/pro/text-to-video and …/image-to-video, optional
 *    `?fal_webhook=<url>` → `{request_id, gateway_request_id, status:"IN_QUEUE", status_url, response_url,
 *    cancel_url, queue_position}`. Input: prompt (required), duration "5"|"10" STRING (default "5"),
 *    aspect_ratio 16:9|9:16|1:1 (text-to-video only), negative_prompt, cfg_scale 0–1; image-to-video
 *    `image_url` (required) + `tail_image_url`.
 *  - Status GET /fal-ai/kling-video/requests/{id}/status → IN_QUEUE|IN_PROGRESS|COMPLETED; result
 *    GET /fal-ai/kling-video/requests/{id} → `{video:{url, content_type, file_name, file_size}}`. These URLs use
 *    ONLY the app id `fal-ai/kling-video`: the same paths under the full endpoint id answer 404.
 *  - Webhook `{request_id, gateway_request_id, status:"OK"|"ERROR", payload, error?}`, signed ED25519:
 *    headers X-Fal-Webhook-Request-Id, X-Fal-Webhook-User-Id, X-Fal-Webhook-Timestamp (Unix s),
 *    X-Fal-Webhook-Signature (hex) over `${request_id}\n${user_id}\n${timestamp}\n${sha256hex(rawBody)}`. The
 *    emulator makes its own key pair at start and serves it at GET /fal-rest/.well-known/jwks.json
 *    (`{keys:[{kty:"OKP",crv:"Ed25519",x,kid,use:"sig",alg:"EdDSA"}]}`, no auth).
 *  - Upload: POST /fal-rest/storage/upload/initiate?storage_type=fal-cdn-v3 `{file_name, content_type}` (Key auth)
 *    → `{upload_url, file_url}`; PUT upload_url with the bytes (pre-signed, no auth); file_url then serves them.
 *
 * Choices / inferences (§5.2 and §6.5 leave these open):
 *  - JWKS host (§6.5 rest.alpha.fal.ai vs rest.fal.ai): one emulated REST host, /fal-rest.
 *  - Input validation happens at submit: 422 `{detail:[{loc:["body",field], msg, type}]}` (pydantic style, the
 *    shape fal uses for model input errors). Real fal may accept the queue request and fail it later. Unknown
 *    input fields are rejected too (strict, to catch adapter bugs). Unknown endpoint → 404 `{detail}`.
 *    Auth errors → 401 `{detail}`.
 *  - Failed request: status stays `COMPLETED` and adds `error` (message) and `error_type`; the result GET answers
 *    the error: HTTP 422 (content_policy_violation, file_download_error, image_load_error, image_too_large) or
 *    500 (internal_server_error) with `{detail:[{loc, msg, type, url}]}` and header `X-Fal-Retryable`. The ERROR
 *    webhook carries `error:"Invalid status code: <422|500>"` and that body as `payload`.
 *  - Result before completion → 400 `{detail:"Request is still in progress"}`.
 *  - `data:` URIs are accepted as image_url / tail_image_url (decoded; not an image → image_load_error).
 *  - Webhook retries are undocumented here: up to 3 retries (5/10/20 s × timeScale). User id: a fixed
 *    emulator value. Cancel PUT …/requests/{id}/cancel (docs.fal.ai model-endpoints/queue; fal.ai/docs/inference-api/
 *    queue/cancel: a queued request is removed, a running one gets a cancel signal; answers OK,
 *    CANCELLATION_REQUESTED, ALREADY_COMPLETED, NOT_FOUND) → queued: 200 `{status:"OK"}`, running: 202
 *    `{status:"CANCELLATION_REQUESTED"}` (both end COMPLETED with error_type "request_cancelled"; HTTP codes
 *    inferred), finished: 400 `{status:"ALREADY_COMPLETED"}`, unknown id: 404 `{detail}`.
 *  - Balance (/fal-api = https://api.fal.ai/v1, fal.ai/docs/platform-apis/v1/account/billing): GET
 *    /v1/account/billing?expand=credits → `{username, credits:{current_balance, currency}}` (credits only with
 *    expand=credits); the emulator's balance is 25.5 USD (option falBalance).
 *  - Upload: any storage_type value is accepted; the upload_url lives 1 h in real fal, forever here.
 *
 * Kling 2.6 / v3 / O3 / v4 (KLING-MODELS.md §3.6 [F1–F7], §6d [F9][F10]) — `FAL_FAMILY`:
 *  - fal-ai/kling-video/v2.6/pro/text-to-video: prompt (req), duration "5"|"10" (string), aspect_ratio,
 *    negative_prompt, cfg_scale 0–1, generate_audio (DEFAULT TRUE). …/image-to-video: prompt (req), START_IMAGE_URL
 *    (req; `image_url` of 2.5 → 422 extra_forbidden), end_image_url, duration, negative_prompt, generate_audio,
 *    voice_ids ≤2; no aspect_ratio / cfg_scale.
 *  - fal-ai/kling-video/v3/{standard,pro}/{t2v,i2v}, v3/4k/image-to-video: prompt XOR multi_prompt (list of
 *    {prompt, duration STRING}); duration string "3"…"15"; generate_audio (default true); shot_type
 *    customize|intelligent; aspect_ratio; negative_prompt; cfg_scale; voice_ids; elements ({frontal_image_url,
 *    reference_image_urls[]} | {video_url}); i2v start_image_url (req) + end_image_url; multi_prompt + end_image_url
 *    → 422 (3p [F1]).
 *  - fal-ai/kling-video/o3/{standard,pro}/{t2v,i2v} [F7]: prompt XOR multi_prompt, duration "3"…"15",
 *    generate_audio, shot_type (only `customize` is documented for O3), t2v aspect_ratio, i2v start/end_image_url.
 *  - kling/v4/flash/image-to-video [F11] (start frame, 720p, 3–20 s);
 *  - kling/v4/text-to-video, kling/v4/image-to-video (app id `kling/v4`), fal-ai/kling-video/v4/image-to-video
 *    (+ middle_image_urls ≤8): prompt XOR multi_prompt, duration INTEGER 3–30 (unlike v3's string enum), resolution
 *    720p|1080p, aspect_ratio 16:9|9:16|1:1|21:9, start/end_image_url; no audio field — audio always on [§6b].
 *  - Queue URLs: a v4 request lives under /kling/v4/requests/{id}(/status) (inferred from the app id, §3.6 note);
 *    the others under /fal-ai/kling-video/requests/{id}. A request is only found under its own app id (404 else).
 *  Family choices: ≤6 shots, Σ shot durations = duration when both are sent (else Σ is the duration) and within the
 *  endpoint's range (Kling's rules); v4 shot duration integer or integer string (KlingV4Shot not captured);
 *  elements ≤3 (Kling 3.0's limit); O3 t2v/i2v generate_audio defaults to TRUE like v3 ([F12] shows false only for
 *  O3 reference-to-video, not emulated); O3 has no negative_prompt / cfg_scale / elements; voice_ids and elements
 *  accepted on v3 t2v (page copies differ, §5 q7); aspect_ratio accepted on v3 i2v (3p). Errors: 422 pydantic items
 *  (extra_forbidden, missing, string_type, int_type, literal_error, too_long, value_error for cross-field rules).
 *
 * Refusals and caps: rate limit 429 `{detail}` + Retry-After; out of balance 403 `{detail:"User is locked. Reason:
 * Exhausted balance. …"}` (3p wording, inferred); maintenance 503 `{detail}`. Concurrency: fal's queue holds requests
 * over the account's limit → QUEUED: created (IN_QUEUE, queue_position = place in the wait queue) and started when a
 * slot frees. Unknown-status fault word: "IN_PROGRESS_RETRY" (status endpoint only).
 *
 * Capabilities (KLING-MODELS.md §1b, §3.6, §6d [F9][F11], §7 [F12]) — `FAL_CAPS`, same queue, webhook (ED25519) and
 * errors (422 pydantic `value_error` with loc ["body", field]); inputs may be URLs or data: URIs (decoded and measured):
 *  - fal-ai/kling-video/{v2.6,v3}/{pro,standard}/motion-control: prompt, image_url (req), video_url (req; ≥3 s —
 *    Kling's minimum, inf; ≤10 s orientation image, ≤30 s video), keep_original_sound (true), character_orientation
 *    (req); v3 + elements (1 {frontal_image_url, reference_image_urls}, orientation "video" only). Output = video length.
 *  - fal-ai/kling-video/lipsync/audio-to-video (fal llms.txt): video_url (.mp4/.mov ≤100 MB, 2–10 s, 720–1920 px),
 *    audio_url (2–60 s, ≤5 MB); …/lipsync/text-to-video: video_url, text (≤120), voice_id (req; any id), voice_language
 *    zh|en, voice_speed 0.8–2 (names inferred §3.6). Output = the video's length, with sound.
 *  - fal-ai/kling-video/ai-avatar/v2/{standard,pro} (3p; v1 pages: image_url, audio_url, prompt): output = the audio's
 *    length; audio 2–300 s, ≤5 MB inherited from Kling [O1] (inf).
 *  - fal-ai/kling-video/o3/{standard,pro,4k}/reference-to-video [F12]: prompt XOR multi_prompt, image_urls + elements
 *    ≤7 (≤4 when an element is a video), start/end_image_url, duration "3"…"15", generate_audio (default FALSE),
 *    shot_type, aspect_ratio; `@Image1` / `@Element1` / `@Video1` (video elements) must exist.
 *  - kling/v4/reference-to-video [F8][F9] (app kling/v4): prompt XOR multi_prompt; field names beyond the prompt were not
 *    captured — chosen: image_urls ≤10, video_urls ≤5 (3–30 s each, ≤30 s together), audio_urls ≤3 (5–30 s),
 *    elements ≤7, ≤15 inputs, duration integer 3–30, resolution, aspect_ratio (+auto), keep_original_sound (needs
 *    video_urls). Audio always (4.0).
 *  - fal-ai/kling-video/o3/{standard,pro}/video-to-video/edit [F12]: prompt (req), video_url (req; 3–10 s, 720–2160 px),
 *    image_urls + elements ≤4, keep_audio (default TRUE). Output = the video's length and, by default, its sound.
 *  - kling/v4/video-to-video/edit [F9][F11]: prompt (req, `@Video1`), video_url (3–30.05 s, ≤300 MB, 700–4553 px; the
 *    23.9–60 fps rule is NOT checked: the samples are 1 fps), image_urls ≤10; duration 3–30 and resolution accepted
 *    (inferred from WaveSpeed's 4.0 edit). Output = the input's length unless duration is set; always with sound.
 *
 * Uploads as inputs: a file stored through /fal-rest/storage/upload/initiate + PUT (its `file_url`) is read and measured
 * like the samples wherever fal takes an image, video or audio URL. Data URIs: fal's docs say "some models also accept
 * data URIs" and give NO size limit, so none is enforced (the decoded bytes still meet each model's own limits).
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { checkObject, checkShots, intValue, present, rule } from '../core/schema.mjs';
import { planMp4, sniff } from '../core/media.mjs';
import { aspectFrom, checkPromptRefs, readInput, summary } from '../core/capability.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const FAL_APP = 'fal-ai/kling-video';
export const FAL_T2V = 'fal-ai/kling-video/v2.5-turbo/pro/text-to-video';
export const FAL_I2V = 'fal-ai/kling-video/v2.5-turbo/pro/image-to-video';
export const FAL_USER_ID = 'emulator-user-0001';

/* ------------------------------------------------------------------ Kling 2.6 / 3.0 / O3 / 4.0 (KLING-MODELS.md §3.6, §6d) */

const AR3 = ['16:9', '9:16', '1:1'];
const D3_15 = ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'];
/** @type {import('../core/schema.mjs').FieldSpec} */
const IMAGE_URL = { type: 'url', allowData: true };
/** @param {import('../core/schema.mjs').FieldSpec} duration @returns {import('../core/schema.mjs').FieldSpec} */
const shots = (duration) => ({ type: 'array', items: { type: 'object', fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, duration: { ...duration, required: true } } } });
/** @type {import('../core/schema.mjs').FieldSpec} */
const ELEMENTS = {
	type: 'array', maxItems: 3,
	items: { type: 'object', fields: { frontal_image_url: IMAGE_URL, reference_image_urls: { type: 'array', items: IMAGE_URL }, video_url: { type: 'url' }, voice_id: { type: 'string' } } },
};
/**
 * @typedef {{ app: string, i2v: boolean, fields: Record<string, import('../core/schema.mjs').FieldSpec>, audioDefault: boolean | 'always',
 *   durations: [number, number], endField?: string, frames: string[], resolution: (input: Record<string, any>) => string | null }} FalModel
 */
/** @type {Record<string, FalModel>} */
export const FAL_FAMILY = (() => {
	/** @type {Record<string, FalModel>} */
	const m = {};
	const APP = 'fal-ai/kling-video';
	m['fal-ai/kling-video/v2.6/pro/text-to-video'] = {
		app: APP, i2v: false, audioDefault: true, durations: [5, 10], frames: [], resolution: () => '1080p',
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, duration: { type: 'string', enum: ['5', '10'] }, aspect_ratio: { type: 'string', enum: AR3 },
			negative_prompt: { type: 'string', maxLength: 2500 }, cfg_scale: { type: 'number', min: 0, max: 1 }, generate_audio: { type: 'boolean' },
		},
	};
	m['fal-ai/kling-video/v2.6/pro/image-to-video'] = {
		app: APP, i2v: true, audioDefault: true, durations: [5, 10], endField: 'end_image_url', frames: ['start_image_url', 'end_image_url'], resolution: () => '1080p',
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, start_image_url: { ...IMAGE_URL, required: true }, duration: { type: 'string', enum: ['5', '10'] },
			negative_prompt: { type: 'string', maxLength: 2500 }, generate_audio: { type: 'boolean' }, voice_ids: { type: 'array', maxItems: 2, items: { type: 'string', nonEmpty: true } }, end_image_url: IMAGE_URL,
		},
	};
	const v3 = (/** @type {boolean} */ i2v) => ({
		prompt: { type: /** @type {const} */ ('string'), maxLength: 2500 },
		multi_prompt: shots({ type: 'string', enum: D3_15.concat(['1', '2']) }),
		...(i2v ? { start_image_url: { ...IMAGE_URL, required: true }, end_image_url: IMAGE_URL } : {}),
		duration: { type: /** @type {const} */ ('string'), enum: D3_15 },
		generate_audio: { type: /** @type {const} */ ('boolean') },
		shot_type: { type: /** @type {const} */ ('string'), enum: ['customize', 'intelligent'] },
		aspect_ratio: { type: /** @type {const} */ ('string'), enum: AR3 },
		negative_prompt: { type: /** @type {const} */ ('string'), maxLength: 2500 },
		cfg_scale: { type: /** @type {const} */ ('number'), min: 0, max: 1 },
		voice_ids: { type: /** @type {const} */ ('array'), maxItems: 2, items: { type: /** @type {const} */ ('string'), nonEmpty: true } },
		elements: ELEMENTS,
	});
	for (const tier of ['standard', 'pro']) {
		const resolution = () => (tier === 'standard' ? '720p' : '1080p');
		m[`fal-ai/kling-video/v3/${tier}/text-to-video`] = { app: APP, i2v: false, audioDefault: true, durations: [3, 15], frames: [], resolution, fields: v3(false) };
		m[`fal-ai/kling-video/v3/${tier}/image-to-video`] = { app: APP, i2v: true, audioDefault: true, durations: [3, 15], endField: 'end_image_url', frames: ['start_image_url', 'end_image_url'], resolution, fields: v3(true) };
		const o3 = (/** @type {boolean} */ i2v) => ({
			prompt: { type: /** @type {const} */ ('string'), maxLength: 2500 },
			multi_prompt: shots({ type: 'string', enum: D3_15.concat(['1', '2']) }),
			...(i2v ? { start_image_url: { ...IMAGE_URL, required: true }, end_image_url: IMAGE_URL } : { aspect_ratio: { type: /** @type {const} */ ('string'), enum: AR3 } }),
			duration: { type: /** @type {const} */ ('string'), enum: D3_15 },
			generate_audio: { type: /** @type {const} */ ('boolean') },
			shot_type: { type: /** @type {const} */ ('string'), enum: ['customize'] },
		});
		m[`fal-ai/kling-video/o3/${tier}/text-to-video`] = { app: APP, i2v: false, audioDefault: true, durations: [3, 15], frames: [], resolution, fields: o3(false) };
		m[`fal-ai/kling-video/o3/${tier}/image-to-video`] = { app: APP, i2v: true, audioDefault: true, durations: [3, 15], endField: 'end_image_url', frames: ['start_image_url', 'end_image_url'], resolution, fields: o3(true) };
	}
	m['fal-ai/kling-video/v3/4k/image-to-video'] = { app: APP, i2v: true, audioDefault: true, durations: [3, 15], endField: 'end_image_url', frames: ['start_image_url', 'end_image_url'], resolution: () => '4k', fields: v3(true) };
	const v4 = (/** @type {boolean} */ i2v, /** @type {boolean} */ middle) => ({
		prompt: { type: /** @type {const} */ ('string'), maxLength: 26000 },
		multi_prompt: shots({ type: 'intOrString', min: 1 }),
		...(i2v ? { start_image_url: { ...IMAGE_URL, required: true }, end_image_url: IMAGE_URL } : {}),
		...(middle ? { middle_image_urls: { type: /** @type {const} */ ('array'), maxItems: 8, items: IMAGE_URL } } : {}),
		duration: { type: /** @type {const} */ ('integer'), min: 3, max: 30 },
		resolution: { type: /** @type {const} */ ('string'), enum: ['720p', '1080p'] },
		aspect_ratio: { type: /** @type {const} */ ('string'), enum: [...AR3, '21:9'] },
	});
	const res4 = (/** @type {Record<string, any>} */ i) => i.resolution ?? '720p';
	m['kling/v4/text-to-video'] = { app: 'kling/v4', i2v: false, audioDefault: 'always', durations: [3, 30], frames: [], resolution: res4, fields: v4(false, false) };
	m['kling/v4/image-to-video'] = { app: 'kling/v4', i2v: true, audioDefault: 'always', durations: [3, 30], endField: 'end_image_url', frames: ['start_image_url', 'end_image_url'], resolution: res4, fields: v4(true, false) };
	// Kling 4.0 Flash image-to-video [F11]: start frame only (documented), 720p, 3–20 s; 4.0 always has sound (§6b).
	m['kling/v4/flash/image-to-video'] = {
		app: 'kling/v4', i2v: true, audioDefault: 'always', durations: [3, 20], frames: ['start_image_url'], resolution: () => '720p',
		fields: {
			prompt: { type: /** @type {const} */ ('string'), maxLength: 26000 },
			start_image_url: { ...IMAGE_URL, required: true },
			duration: { type: /** @type {const} */ ('integer'), min: 3, max: 20 },
		},
	};
	m['fal-ai/kling-video/v4/image-to-video'] = {
		app: APP, i2v: true, audioDefault: 'always', durations: [3, 30], endField: 'end_image_url', frames: ['start_image_url', 'middle_image_urls', 'end_image_url'], resolution: res4, fields: v4(true, true),
	};
	return m;
})();
/* ------------------------------------------------------------------ motion control, lip-sync, avatar, reference, edit (§1b, §3.6, §6d, §7) */

const MB = 1024 * 1024;
/** @type {import('../core/schema.mjs').FieldSpec} */
const MEDIA_URL = { type: 'url', allowData: true };
/**
 * @typedef {{ problem?: string | null, field?: string, failWith?: string | null, duration?: number, shots?: number[] | null, audio?: boolean,
 *   aspectRatio?: string, resolution?: string | null, inputs?: Record<string, unknown> }} FalCapResult
 * @typedef {{ app: string, capability: import('../core/engine.mjs').Capability, fields: Record<string, import('../core/schema.mjs').FieldSpec>,
 *   frames: string[], run: (engine: Engine, input: Record<string, any>) => FalCapResult }} FalCap
 */
/** @param {unknown} v @returns {string[]} */
const list = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
/** prompt XOR multi_prompt (the fal Kling rule); returns the shots' durations or a problem. @param {Record<string, any>} i @param {[number, number]} range */
function promptOrShots(i, range) {
	const multi = Array.isArray(i.multi_prompt) && i.multi_prompt.length > 0;
	if (i.multi_prompt !== undefined && !multi) return { problem: 'multi_prompt must contain at least one shot', field: 'multi_prompt' };
	if (multi && present(i.prompt)) return { problem: 'prompt and multi_prompt are mutually exclusive', field: 'prompt' };
	if (!multi && !present(i.prompt)) return { problem: 'prompt is required (or multi_prompt)', field: 'prompt' };
	if (!multi) return { shots: null };
	const r = checkShots(i.multi_prompt, { field: 'multi_prompt', maxShots: 6, promptMax: 2500, total: i.duration === undefined ? undefined : intValue(i.duration) });
	if (!r.issues.length && (r.sum < range[0] || r.sum > range[1])) return { problem: `the shots add up to ${r.sum} s; this endpoint makes ${range[0]}–${range[1]} s videos`, field: 'multi_prompt' };
	if (r.issues.length) return { problem: r.issues[0].message, field: 'multi_prompt' };
	return { shots: i.multi_prompt.map((/** @type {any} */ s) => /** @type {number} */ (intValue(s.duration))) };
}

/** @returns {Record<string, FalCap>} */
function falCaps() {
	/** @type {Record<string, FalCap>} */
	const m = {};
	const APP = 'fal-ai/kling-video';
	// Motion control [F1][F2] (+ standard 3p): image_url + video_url + character_orientation (image ≤10 s | video ≤30 s)
	for (const v of ['v2.6', 'v3']) {
		for (const tier of ['pro', 'standard']) {
			m[`fal-ai/kling-video/${v}/${tier}/motion-control`] = {
				app: APP, capability: 'motion-control', frames: ['image_url'],
				fields: {
					prompt: { type: 'string', maxLength: 2500 }, image_url: { ...IMAGE_URL, required: true }, video_url: { ...MEDIA_URL, required: true },
					keep_original_sound: { type: 'boolean' }, character_orientation: { type: 'string', required: true, enum: ['image', 'video'] },
					// v3: elements list<KlingV3ImageElementInput> (1, only with orientation "video")
					...(v === 'v3' ? { elements: { type: 'array', maxItems: 1, items: { type: 'object', fields: { frontal_image_url: { ...IMAGE_URL, required: true }, reference_image_urls: { type: 'array', items: IMAGE_URL } } } } } : {}),
				},
				run: (engine, i) => {
					if (Array.isArray(i.elements) && i.elements.length && i.character_orientation !== 'video') return { problem: 'elements need character_orientation "video"', field: 'elements' };
					const r = readInput(engine, i.video_url, { field: 'video_url', want: 'video', minSec: 3, maxSec: i.character_orientation === 'image' ? 10 : 30 });
					if (r.problem) return { problem: i.character_orientation === 'image' && /at most \d+ s/.test(r.problem) ? `${r.problem} (character_orientation "image")` : r.problem, field: 'video_url' };
					return {
						failWith: r.failWith, duration: r.seconds, audio: i.keep_original_sound !== false && r.info.audio === true, aspectRatio: aspectFrom(r),
						resolution: tier === 'pro' ? '1080p' : '720p', inputs: { video: summary(r), orientation: i.character_orientation },
					};
				},
			};
		}
	}
	// Lip-sync (fal.ai/models/fal-ai/kling-video/lipsync/audio-to-video/llms.txt): video .mp4/.mov ≤100 MB, 2–10 s,
	// 720p/1080p (720–1920 px); audio 2–60 s, ≤5 MB. text-to-video field names inferred (§3.6).
	const lipVideo = /** @type {import('../core/capability.mjs').InputRule} */ ({ field: 'video_url', want: 'video', minSec: 2, maxSec: 10, maxBytes: 100 * MB, minPx: 720, maxPx: 1920 });
	m['fal-ai/kling-video/lipsync/audio-to-video'] = {
		app: APP, capability: 'lip-sync', frames: [],
		fields: { video_url: { ...MEDIA_URL, required: true }, audio_url: { ...MEDIA_URL, required: true } },
		run: (engine, i) => {
			const v = readInput(engine, i.video_url, lipVideo);
			if (v.problem) return { problem: v.problem, field: 'video_url' };
			const a = readInput(engine, i.audio_url, { field: 'audio_url', want: 'audio', minSec: 2, maxSec: 60, maxBytes: 5 * MB });
			if (a.problem) return { problem: a.problem, field: 'audio_url' };
			return { failWith: v.failWith ?? a.failWith, duration: v.seconds, audio: true, aspectRatio: aspectFrom(v), resolution: null, inputs: { video: summary(v), audio: summary(a) } };
		},
	};
	m['fal-ai/kling-video/lipsync/text-to-video'] = {
		app: APP, capability: 'lip-sync', frames: [],
		fields: {
			video_url: { ...MEDIA_URL, required: true }, text: { type: 'string', required: true, nonEmpty: true, maxLength: 120 }, voice_id: { type: 'string', required: true, nonEmpty: true },
			voice_language: { type: 'string', enum: ['zh', 'en'] }, voice_speed: { type: 'number', min: 0.8, max: 2 },
		},
		run: (engine, i) => {
			const v = readInput(engine, i.video_url, lipVideo);
			if (v.problem) return { problem: v.problem, field: 'video_url' };
			return { failWith: v.failWith, duration: v.seconds, audio: true, aspectRatio: aspectFrom(v), resolution: null, inputs: { video: summary(v), text: i.text.length } };
		},
	};
	// AI avatar v2 (3p; the v1 pages list image_url, audio_url, prompt default "."): output = the audio's length.
	// Audio 2–300 s, ≤5 MB inherited from Kling's avatar API [O1] (inf).
	for (const tier of ['standard', 'pro']) {
		m[`fal-ai/kling-video/ai-avatar/v2/${tier}`] = {
			app: APP, capability: 'avatar', frames: ['image_url'],
			fields: { image_url: { ...IMAGE_URL, required: true }, audio_url: { ...MEDIA_URL, required: true }, prompt: { type: 'string', maxLength: 2500 } },
			run: (engine, i) => {
				const a = readInput(engine, i.audio_url, { field: 'audio_url', want: 'audio', minSec: 2, maxSec: 300, maxBytes: 5 * MB });
				if (a.problem) return { problem: a.problem, field: 'audio_url' };
				return { failWith: a.failWith, duration: a.seconds, audio: true, aspectRatio: aspectFrom(readInput(engine, i.image_url, { field: 'image_url', want: 'image' }), '1:1'), resolution: tier === 'pro' ? '1080p' : '720p', inputs: { audio: summary(a) } };
			},
		};
	}
	// O3 reference-to-video [F12]: image_urls + elements (≤7; ≤4 when an element is a video), start/end frames,
	// duration "3"…"15", generate_audio (default FALSE), shot_type, aspect_ratio; `@Image1` / `@Element1` / `@Video1`.
	const ELEMENTS_O3 = { type: /** @type {const} */ ('array'), items: { type: /** @type {const} */ ('object'), fields: { frontal_image_url: IMAGE_URL, reference_image_urls: { type: /** @type {const} */ ('array'), items: IMAGE_URL }, video_url: MEDIA_URL } } };
	for (const tier of ['standard', 'pro', '4k']) {
		m[`fal-ai/kling-video/o3/${tier}/reference-to-video`] = {
			app: APP, capability: 'reference-to-video', frames: ['start_image_url', 'end_image_url', 'image_urls'],
			fields: {
				prompt: { type: 'string', maxLength: 2500 }, multi_prompt: shots({ type: 'string', enum: D3_15.concat(['1', '2']) }), image_urls: { type: 'array', items: IMAGE_URL }, elements: ELEMENTS_O3,
				start_image_url: IMAGE_URL, end_image_url: IMAGE_URL, duration: { type: 'string', enum: D3_15 }, generate_audio: { type: 'boolean' },
				shot_type: { type: 'string', enum: ['customize', 'intelligent'] }, aspect_ratio: { type: 'string', enum: AR3 },
			},
			run: (_engine, i) => {
				const ps = promptOrShots(i, [3, 15]);
				if (ps.problem) return ps;
				const images = list(i.image_urls);
				const els = Array.isArray(i.elements) ? i.elements : [];
				for (const [k, el] of els.entries()) if (present(el.video_url) === present(el.frontal_image_url)) return { problem: 'an element is {frontal_image_url, reference_image_urls} or {video_url}', field: `elements.${k}` };
				const videoEls = els.filter((el) => present(el.video_url)).length;
				const cap = videoEls ? 4 : 7;
				if (images.length + els.length > cap) return { problem: `image_urls + elements are limited to ${cap}${videoEls ? ' with a video element' : ''} (got ${images.length + els.length})`, field: 'image_urls' };
				if (!images.length && !els.length) return { problem: 'reference-to-video needs image_urls or elements', field: 'image_urls' };
				if (multiWithEnd(i)) return { problem: 'end_image_url is not supported with multi_prompt', field: 'end_image_url' };
				const prompts = [i.prompt, ...(ps.shots ? i.multi_prompt.map((/** @type {any} */ s) => s.prompt) : [])].join('\n');
				const refs = checkPromptRefs(prompts, { at: true }, { image: images.length, element: els.length, video: videoEls });
				if (refs) return { problem: refs, field: 'prompt' };
				const shotsList = ps.shots ?? null;
				return {
					duration: shotsList ? shotsList.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0) : (intValue(i.duration) ?? 5), shots: shotsList, audio: i.generate_audio === true,
					aspectRatio: i.aspect_ratio ?? '16:9', resolution: ({ standard: '720p', pro: '1080p', '4k': '4k' })[tier] ?? null, inputs: { images: images.length, elements: els.length },
				};
			},
		};
	}
	// Kling 4.0 reference-to-video [F8][F9]: prompt with @Image1 / @Video1 / @Element1 (XOR multi_prompt); the other field
	// names were not captured — chosen as fal's own naming: image_urls (≤10), video_urls (≤5), audio_urls (≤3),
	// elements (≤7), duration integer 3–30, resolution, aspect_ratio (+auto), keep_original_sound (needs video_urls).
	m['kling/v4/reference-to-video'] = {
		app: 'kling/v4', capability: 'reference-to-video', frames: ['image_urls'],
		fields: {
			prompt: { type: 'string', maxLength: 26000 }, multi_prompt: shots({ type: 'intOrString', min: 1 }), image_urls: { type: 'array', maxItems: 10, items: IMAGE_URL },
			video_urls: { type: 'array', maxItems: 5, items: MEDIA_URL }, audio_urls: { type: 'array', maxItems: 3, items: MEDIA_URL },
			elements: { ...ELEMENTS_O3, maxItems: 7 }, duration: { type: 'integer', min: 3, max: 30 }, resolution: { type: 'string', enum: ['720p', '1080p'] },
			aspect_ratio: { type: 'string', enum: ['auto', ...AR3, '21:9'] }, keep_original_sound: { type: 'boolean' },
		},
		run: (engine, i) => {
			const ps = promptOrShots(i, [3, 30]);
			if (ps.problem) return ps;
			const [images, videos, audios] = [list(i.image_urls), list(i.video_urls), list(i.audio_urls)];
			const els = Array.isArray(i.elements) ? i.elements.length : 0;
			if (!images.length && !videos.length && !audios.length && !els) return { problem: 'reference-to-video needs image_urls, video_urls, audio_urls or elements', field: 'image_urls' };
			if (images.length + videos.length + audios.length + els > 15) return { problem: 'at most 15 reference inputs in all', field: 'image_urls' };
			if (i.keep_original_sound !== undefined && !videos.length) return { problem: 'keep_original_sound needs video_urls', field: 'keep_original_sound' };
			const prompts = [i.prompt, ...(ps.shots ? i.multi_prompt.map((/** @type {any} */ s) => s.prompt) : [])].join('\n');
			const refs = checkPromptRefs(prompts, { at: true }, { image: images.length, video: videos.length, audio: audios.length, element: els });
			if (refs) return { problem: refs, field: 'prompt' };
			/** @type {import('../core/capability.mjs').InputRead[]} */
			const vr = [];
			for (const [k, u] of videos.entries()) {
				const r = readInput(engine, u, { field: `video_urls[${k}]`, want: 'video', minSec: 3, maxSec: 30 });
				if (r.problem) return { problem: r.problem, field: `video_urls.${k}` };
				vr.push(r);
			}
			const total = vr.reduce((a, r) => a + r.seconds, 0);
			if (total > 30) return { problem: `the videos together must last at most 30 s (got ${total} s)`, field: 'video_urls' };
			/** @type {import('../core/capability.mjs').InputRead[]} */
			const ar = [];
			for (const [k, u] of audios.entries()) {
				const r = readInput(engine, u, { field: `audio_urls[${k}]`, want: 'audio', minSec: 5, maxSec: 30 });
				if (r.problem) return { problem: r.problem, field: `audio_urls.${k}` };
				ar.push(r);
			}
			const shotsList = ps.shots ?? null;
			return {
				failWith: [...vr, ...ar].find((r) => r.failWith)?.failWith ?? null,
				duration: shotsList ? shotsList.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0) : (i.duration ?? 5), shots: shotsList, audio: true,
				aspectRatio: i.aspect_ratio && i.aspect_ratio !== 'auto' ? i.aspect_ratio : aspectFrom(vr[0]), resolution: i.resolution ?? '720p',
				inputs: { images: images.length, elements: els, videos: vr.map(summary), audios: ar.map(summary) },
			};
		},
	};
	// O3 video-to-video edit [F12]: video_url .mp4/.mov 3–10 s, 720–2160 px; image_urls + elements ≤4; keep_audio (TRUE).
	for (const tier of ['standard', 'pro']) {
		m[`fal-ai/kling-video/o3/${tier}/video-to-video/edit`] = {
			app: APP, capability: 'video-edit', frames: ['image_urls'],
			fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, video_url: { ...MEDIA_URL, required: true }, image_urls: { type: 'array', items: IMAGE_URL }, elements: ELEMENTS_O3, keep_audio: { type: 'boolean' } },
			run: (engine, i) => {
				const images = list(i.image_urls);
				const els = Array.isArray(i.elements) ? i.elements.length : 0;
				if (images.length + els > 4) return { problem: `image_urls + elements are limited to 4 (got ${images.length + els})`, field: 'image_urls' };
				const refs = checkPromptRefs(i.prompt, { at: true }, { image: images.length, element: els, video: 1 });
				if (refs) return { problem: refs, field: 'prompt' };
				const r = readInput(engine, i.video_url, { field: 'video_url', want: 'video', minSec: 3, maxSec: 10, minPx: 720, maxPx: 2160 });
				if (r.problem) return { problem: r.problem, field: 'video_url' };
				return {
					failWith: r.failWith, duration: r.seconds, audio: i.keep_audio !== false && r.info.audio === true, aspectRatio: aspectFrom(r),
					resolution: tier === 'pro' ? '1080p' : '720p', inputs: { video: summary(r), images: images.length, elements: els },
				};
			},
		};
	}
	// Kling 4.0 edit [F9][F11]: prompt (@Video1) + video_url (3–30.05 s, ≤300 MB, 700–4553 px; the 23.9–60 fps rule is
	// not checked: the emulator's samples are 1 fps) + image_urls; `duration` / `resolution` accepted (inferred from
	// WaveSpeed's 4.0 edit: the output keeps the input's length unless duration is set). Audio always (4.0).
	m['kling/v4/video-to-video/edit'] = {
		app: 'kling/v4', capability: 'video-edit', frames: ['image_urls'],
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 26000 }, video_url: { ...MEDIA_URL, required: true }, image_urls: { type: 'array', maxItems: 10, items: IMAGE_URL },
			duration: { type: 'integer', min: 3, max: 30 }, resolution: { type: 'string', enum: ['720p', '1080p'] },
		},
		run: (engine, i) => {
			const images = list(i.image_urls);
			const refs = checkPromptRefs(i.prompt, { at: true }, { image: images.length, video: 1 });
			if (refs) return { problem: refs, field: 'prompt' };
			const r = readInput(engine, i.video_url, { field: 'video_url', want: 'video', minSec: 3, maxSec: 30.05, maxBytes: 300 * MB, minPx: 700, maxPx: 4553 });
			if (r.problem) return { problem: r.problem, field: 'video_url' };
			return { failWith: r.failWith, duration: i.duration ?? r.seconds, audio: true, aspectRatio: aspectFrom(r), resolution: i.resolution ?? '720p', inputs: { video: summary(r), images: images.length } };
		},
	};
	return m;
}
/** @param {Record<string, any>} i */
const multiWithEnd = (i) => Array.isArray(i.multi_prompt) && i.multi_prompt.length > 0 && present(i.end_image_url);
export const FAL_CAPS = falCaps();

export const FAL_APPS = ['fal-ai/kling-video', 'kling/v4'];

/**
 * Pydantic-style error item for a schema issue. @param {import('../core/schema.mjs').Issue} i
 * @returns {{ loc: (string | number)[], msg: string, type: string, input?: unknown }}
 */
function pydantic(i) {
	const loc = ['body', ...i.field.split(/\.|\[|\]/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x))];
	switch (i.kind) {
		case 'extra':
			return { loc, msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: i.value };
		case 'missing':
			return { loc, msg: 'Field required', type: 'missing' };
		case 'enum':
			return { loc, msg: i.message.replace(/^\S+ must be one of/, 'Input should be one of'), type: 'literal_error', input: i.value };
		case 'range':
			return { loc, msg: i.message, type: 'value_error', input: i.value };
		case 'length':
			return { loc, msg: i.message, type: 'too_long' };
		case 'type':
			return { loc, msg: `Input should be ${i.expected ?? 'valid'}`, type: /string/.test(i.expected ?? '') ? 'string_type' : /integer/.test(i.expected ?? '') ? 'int_type' : /boolean/.test(i.expected ?? '') ? 'bool_type' : /URL/.test(i.expected ?? '') ? 'url_parsing' : /array/.test(i.expected ?? '') ? 'list_type' : 'type_error', input: i.value };
		default:
			return { loc, msg: `Value error, ${i.message}`, type: 'value_error' };
	}
}

/** The message fal signs. @param {string} requestId @param {string} userId @param {number | string} ts @param {string | Buffer} rawBody */
export function falSignedMessage(requestId, userId, ts, rawBody) {
	return `${requestId}\n${userId}\n${ts}\n${crypto.createHash('sha256').update(rawBody).digest('hex')}`;
}

/**
 * Per-engine ED25519 key material (the "published" pair and a wrong one for the bad-signature fault).
 * @param {Engine} engine
 */
function falKeys(engine) {
	const e = /** @type {any} */ (engine);
	if (!e.falKeys) {
		const good = crypto.generateKeyPairSync('ed25519');
		const wrong = crypto.generateKeyPairSync('ed25519');
		const jwk = good.publicKey.export({ format: 'jwk' });
		e.falKeys = {
			good,
			wrong,
			jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: `emulator-${String(jwk.x).slice(0, 8)}`, use: 'sig', alg: 'EdDSA' }] },
		};
	}
	return /** @type {{ good: crypto.KeyPairKeyObjectResult, wrong: crypto.KeyPairKeyObjectResult, jwks: { keys: Record<string, string>[] } }} */ (e.falKeys);
}

/** @param {Ctx} ctx @returns {string | null} the key of `Authorization: Key <key>` */
function falKey(ctx) {
	const h = ctx.req.headers.authorization;
	if (!h) return null;
	const m = /^Key\s+(.+)$/i.exec(h.trim());
	return m ? m[1].trim() : '';
}

/** @param {Engine} engine */
export function createFal(engine) {
	const queueBase = (app = FAL_APP) => `${engine.url}/fal/${app}/requests`;
	const keys = falKeys(engine);

	/** @param {Ctx} ctx @param {number} status @param {unknown} detail @param {Record<string, string>} [headers] */
	const detail = (ctx, status, detail, headers) => ctx.send(status, { detail }, headers);
	/** @param {Ctx} ctx @param {{ loc: string[], msg: string, type: string, input?: unknown, ctx?: unknown }[]} errors */
	const unprocessable = (ctx, errors) => ctx.send(422, { detail: errors });

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: 'content_policy_violation', message: 'The content could not be processed because it contained material flagged by a content checker.' };
			case 'image-missing':
				return { kind, code: 'file_download_error', message: 'Failed to download the file. Please check if the URL is accessible.' };
			case 'image-not-image':
				return { kind, code: 'image_load_error', message: 'Failed to load the image. Please ensure the image file is not corrupted and is in a supported format.' };
			case 'image-too-large':
				return { kind, code: 'image_too_large', message: 'The image is too large (max 10 MB).' };
			case 'media-missing':
				return { kind, code: 'file_download_error', message: 'Failed to download the file. Please check if the URL is accessible.' };
			case 'media-invalid':
				return { kind, code: 'video_load_error', message: 'Failed to load the video or audio file. Please ensure it is not corrupted and is in a supported format.' };
			default:
				return { kind, code: 'internal_server_error', message: 'Internal server error' };
		}
	}

	/** @param {Task} task */
	function errorAnswer(task) {
		const type = String(task.failure?.code ?? 'internal_server_error');
		const server = /^(internal|downstream|generation_timeout)/.test(type);
		const status = server ? 500 : 422;
		const field = task.failure?.kind?.startsWith('image') ? task.extra.imageField ?? 'image_url' : 'prompt';
		return {
			status,
			retryable: server,
			body: { detail: [{ loc: server ? [] : ['body', field], msg: task.failure?.message ?? 'Internal server error', type, url: `https://docs.fal.ai/errors#${type}` }] },
		};
	}

	/** @param {Task} task */
	function output(task) {
		const size = planMp4(task.duration, task.aspectRatio, task.videoBytes ?? engine.opts.largeVideoBytes ?? 0, task.audio).size;
		return { video: { url: engine.resultUrl(task), content_type: 'video/mp4', file_name: 'output.mp4', file_size: size } };
	}

	/** @param {Task} task */
	const urls = (task) => ({
		response_url: `${queueBase(task.extra.app)}/${task.id}`,
		status_url: `${queueBase(task.extra.app)}/${task.id}/status`,
		cancel_url: `${queueBase(task.extra.app)}/${task.id}/cancel`,
	});

	/**
	 * A Kling 2.6 / 3.0 / O3 / 4.0 input: field types, then the cross-field rules.
	 * @param {FalModel} spec @param {Record<string, any>} input
	 * @returns {{ errors: ReturnType<typeof pydantic>[], duration: number, shots: number[] | null }}
	 */
	function validateFamily(spec, input) {
		const issues = checkObject(input, spec.fields);
		if (!issues.length) {
			const multi = Array.isArray(input.multi_prompt) && input.multi_prompt.length > 0;
			if (input.multi_prompt !== undefined && !multi) issues.push(rule('multi_prompt', 'multi_prompt must contain at least one shot'));
			else if (multi && present(input.prompt)) issues.push(rule('prompt', 'prompt and multi_prompt are mutually exclusive'));
			else if (!multi && !present(input.prompt) && spec.fields.prompt.required !== true) issues.push({ field: 'prompt', kind: 'missing', message: 'prompt is required (or multi_prompt)' });
			if (multi && spec.endField && present(input[spec.endField])) issues.push(rule(spec.endField, `${spec.endField} is not supported with multi_prompt`));
			for (const [i, el] of (Array.isArray(input.elements) ? input.elements : []).entries()) {
				if (present(el.video_url) === present(el.frontal_image_url)) issues.push(rule(`elements[${i}]`, 'an element is {frontal_image_url, reference_image_urls} or {video_url}'));
				else if (present(el.video_url) && el.reference_image_urls !== undefined) issues.push(rule(`elements[${i}]`, 'a video element takes no reference_image_urls'));
			}
		}
		if (issues.length) return { errors: issues.map(pydantic), duration: 0, shots: null };
		if (Array.isArray(input.multi_prompt) && input.multi_prompt.length) {
			const total = input.duration === undefined ? undefined : intValue(input.duration);
			const r = checkShots(input.multi_prompt, { field: 'multi_prompt', maxShots: 6, promptMax: 2500, total });
			if (!r.issues.length && (r.sum < spec.durations[0] || r.sum > spec.durations[1])) r.issues.push(rule('multi_prompt', `the shots add up to ${r.sum} s; this endpoint makes ${spec.durations[0]}–${spec.durations[1]} s videos`));
			if (r.issues.length) return { errors: r.issues.map(pydantic), duration: 0, shots: null };
			return { errors: [], duration: r.sum, shots: input.multi_prompt.map((/** @type {any} */ s) => /** @type {number} */ (intValue(s.duration))) };
		}
		return { errors: [], duration: intValue(input.duration) ?? 5, shots: null };
	}

	/** @param {Task} task @param {boolean} withLogs */
	function statusBody(task, withLogs) {
		const { phase } = engine.phase(task);
		/** @type {Record<string, unknown>} */
		const s = { status: phase === 'queued' ? 'IN_QUEUE' : phase === 'processing' ? 'IN_PROGRESS' : 'COMPLETED', request_id: task.id, ...urls(task) };
		if (phase === 'queued') s.queue_position = engine.queuePosition(task);
		if (phase !== 'queued') {
			s.logs = withLogs ? [{ message: 'Generating video…', level: 'INFO', source: 'user', timestamp: new Date(task.startAt + task.generationMs * 0.1).toISOString() }] : null;
		}
		if (phase === 'succeeded' || phase === 'failed') s.metrics = { inference_time: Math.round(task.generationMs) / 1000 };
		if (phase === 'failed') {
			s.error = task.failure?.message ?? 'Internal server error';
			s.error_type = task.failure?.code ?? 'internal_server_error';
		}
		return s;
	}

	/**
	 * @param {Record<string, any>} input @param {boolean} i2v
	 * @returns {{ loc: string[], msg: string, type: string, input?: unknown }[]}
	 */
	function validate(input, i2v) {
		/** @type {{ loc: string[], msg: string, type: string, input?: unknown }[]} */
		const errs = [];
		const loc = (/** @type {string} */ f) => ['body', f];
		const allowed = i2v
			? ['prompt', 'image_url', 'tail_image_url', 'duration', 'negative_prompt', 'cfg_scale']
			: ['prompt', 'duration', 'aspect_ratio', 'negative_prompt', 'cfg_scale'];
		for (const k of Object.keys(input)) if (!allowed.includes(k)) errs.push({ loc: loc(k), msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: input[k] });
		if (input.prompt === undefined || input.prompt === null) errs.push({ loc: loc('prompt'), msg: 'Field required', type: 'missing' });
		else if (typeof input.prompt !== 'string') errs.push({ loc: loc('prompt'), msg: 'Input should be a valid string', type: 'string_type', input: input.prompt });
		else if (input.prompt.length > 2500) errs.push({ loc: loc('prompt'), msg: 'String should have at most 2500 characters', type: 'string_too_long' });
		if (input.duration !== undefined && input.duration !== '5' && input.duration !== '10') {
			errs.push({ loc: loc('duration'), msg: "Input should be '5' or '10'", type: 'literal_error', input: input.duration });
		}
		if (!i2v && input.aspect_ratio !== undefined && !['16:9', '9:16', '1:1'].includes(input.aspect_ratio)) {
			errs.push({ loc: loc('aspect_ratio'), msg: "Input should be '16:9', '9:16' or '1:1'", type: 'literal_error', input: input.aspect_ratio });
		}
		if (input.negative_prompt !== undefined && typeof input.negative_prompt !== 'string') {
			errs.push({ loc: loc('negative_prompt'), msg: 'Input should be a valid string', type: 'string_type', input: input.negative_prompt });
		}
		const cfg = V.number(input.cfg_scale, 'cfg_scale', 0, 1);
		if (cfg) errs.push({ loc: loc('cfg_scale'), msg: cfg, type: typeof input.cfg_scale === 'number' ? 'less_than_equal' : 'float_type', input: input.cfg_scale });
		if (i2v) {
			for (const f of ['image_url', 'tail_image_url']) {
				const v = input[f];
				if (v === undefined || v === null) {
					if (f === 'image_url') errs.push({ loc: loc(f), msg: 'Field required', type: 'missing' });
					continue;
				}
				if (typeof v !== 'string' || !(/^data:/i.test(v) || V.url(v, f) === null)) {
					errs.push({ loc: loc(f), msg: 'Input should be a valid URL or data URI', type: 'url_parsing', input: typeof v === 'string' ? v.slice(0, 80) : v });
				}
			}
		}
		return errs;
	}

	/** @param {string} uri @returns {Buffer | null} */
	function decodeDataUri(uri) {
		const m = /^data:([^,]*?)(;base64)?,(.*)$/is.exec(uri);
		if (!m) return null;
		return m[2] ? Buffer.from(m[3], 'base64') : Buffer.from(decodeURIComponent(m[3]), 'utf8');
	}

	/** @param {Ctx} ctx @param {string} endpoint */
	function submit(ctx, endpoint) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return unprocessable(ctx, [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]);
		}
		const family = FAL_FAMILY[endpoint];
		const cap = FAL_CAPS[endpoint];
		if (![FAL_T2V, FAL_I2V].includes(endpoint) && !family && !cap) return detail(ctx, 404, `Application not found: ${endpoint}`);
		if (!isPlainObject(body)) return unprocessable(ctx, [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }]);
		const i2v = cap ? false : family ? family.i2v : endpoint === FAL_I2V;
		const input = /** @type {Record<string, any>} */ (body);
		/** @type {{ duration: number, shots: number[] | null, audio: boolean, aspectRatio: string, resolution: string | null, frames: string[], app: string,
		 *   capability?: import('../core/engine.mjs').Capability, inputs?: Record<string, unknown>, failWith?: string | null }} */
		let media;
		if (cap) {
			const issues = checkObject(input, cap.fields);
			if (issues.length) return unprocessable(ctx, /** @type {any} */ (issues.map(pydantic)));
			const r = cap.run(engine, input);
			if (r.problem) return unprocessable(ctx, /** @type {any} */ ([pydantic(rule(r.field ?? 'body', r.problem))]));
			media = {
				duration: r.duration ?? 5, shots: r.shots ?? null, audio: r.audio === true, aspectRatio: r.aspectRatio ?? '16:9', resolution: r.resolution ?? null,
				frames: cap.frames, app: cap.app, capability: cap.capability, inputs: r.inputs ?? {}, failWith: r.failWith ?? null,
			};
		} else if (family) {
			const r = validateFamily(family, input);
			if (r.errors.length) return unprocessable(ctx, /** @type {any} */ (r.errors));
			media = {
				duration: r.duration,
				shots: r.shots,
				audio: family.audioDefault === 'always' ? true : (input.generate_audio ?? family.audioDefault),
				aspectRatio: input.aspect_ratio ?? '16:9',
				resolution: family.resolution(body),
				frames: family.frames,
				app: family.app,
			};
		} else {
			const errs = validate(input, i2v);
			if (errs.length) return unprocessable(ctx, errs);
			media = { duration: Number(input.duration ?? '5'), shots: null, audio: false, aspectRatio: i2v ? '16:9' : (input.aspect_ratio ?? '16:9'), resolution: null, frames: ['image_url', 'tail_image_url'], app: FAL_APP };
		}
		const webhook = ctx.query.get('fal_webhook');
		if (webhook !== null) {
			const p = V.url(webhook, 'fal_webhook', true);
			if (p || /^data:/.test(webhook)) return detail(ctx, 400, `Invalid fal_webhook: ${p ?? 'must be an http(s) URL'}`);
		}
		if (engine.submitRateLimited(ctx, mod)) return;
		/** @type {string[]} */
		const imageUrls = [];
		/** @type {import('../core/engine.mjs').Failure | null} */
		let inlineFailure = null;
		let imageField = media.frames[0] ?? 'image_url';
		if (media.frames.length) {
			const frameValues = media.frames.flatMap((f) => (Array.isArray(input[f]) ? input[f].map((/** @type {unknown} */ v) => [f, v]) : [[f, input[f]]]));
			for (const [f, v] of frameValues) {
				if (typeof v !== 'string' || v === '') continue;
				if (/^data:/i.test(v)) {
					const bytes = decodeDataUri(v);
					if (!inlineFailure && (!bytes || sniff(bytes).kind !== 'image')) {
						inlineFailure = failure('image-not-image');
						imageField = f;
					} else if (!inlineFailure && bytes && bytes.length > 10 * 1024 * 1024) {
						inlineFailure = failure('image-too-large');
						imageField = f;
					}
				} else imageUrls.push(v);
			}
			const firstBad = imageUrls.find((u) => engine.checkImageUrl(u));
			if (!inlineFailure && firstBad) imageField = frameValues.find(([, v]) => v === firstBad)?.[0] ?? imageField;
		}
		const id = crypto.randomUUID();
		const task = engine.createTask(
			{
				provider: 'fal',
				model: endpoint,
				mode: media.capability ?? (i2v ? 'image-to-video' : 'text-to-video'),
				capability: media.capability,
				inputs: media.inputs,
				failWith: media.failWith,
				input: body,
				duration: media.duration,
				shots: media.shots,
				aspectRatio: media.aspectRatio,
				audio: media.audio,
				resolution: media.resolution,
				imageUrls,
				callbackUrl: webhook ?? undefined,
				id,
				extra: { gatewayRequestId: crypto.randomUUID(), imageField, app: media.app },
			},
			mod,
		);
		if (inlineFailure && task.finalState === 'succeeded') {
			task.failure = inlineFailure;
			task.finalState = 'failed';
		}
		ctx.mark('submit', task.id);
		if (webhook) engine.atCompletion(task, () => sendWebhook(task, webhook));
		if (engine.submitAnswerLost(ctx, mod)) return;
		ctx.send(200, { request_id: task.id, gateway_request_id: task.extra.gatewayRequestId, status: 'IN_QUEUE', ...urls(task), queue_position: engine.queuePosition(task) });
	}

	/** @param {Task} task @param {string} url */
	function sendWebhook(task, url) {
		if (task.extra.webhookSent) return;
		task.extra.webhookSent = true;
		/** @type {Record<string, unknown>} */
		let payload;
		if (task.finalState === 'succeeded') {
			payload = { request_id: task.id, gateway_request_id: task.extra.gatewayRequestId, status: 'OK', payload: output(task) };
		} else {
			const e = errorAnswer(task);
			payload = { request_id: task.id, gateway_request_id: task.extra.gatewayRequestId, status: 'ERROR', error: `Invalid status code: ${e.status}`, payload: e.body };
		}
		engine.deliver(task, {
			url,
			payload,
			sign: (raw, ts, wrong) => {
				const msg = falSignedMessage(task.id, FAL_USER_ID, ts, raw);
				const sig = crypto.sign(null, Buffer.from(msg, 'utf8'), (wrong ? keys.wrong : keys.good).privateKey).toString('hex');
				return {
					'X-Fal-Webhook-Request-Id': task.id,
					'X-Fal-Webhook-User-Id': FAL_USER_ID,
					'X-Fal-Webhook-Timestamp': String(ts),
					'X-Fal-Webhook-Signature': sig,
				};
			},
		});
	}

	/** @param {string} id @param {string} app the queue app id in the URL: a request is only found under its own app */
	const findTask = (id, app) => {
		const t = engine.tasks.get(id);
		return t && t.provider === 'fal' && (t.extra.app ?? FAL_APP) === app ? t : undefined;
	};

	/** @param {Ctx} ctx @param {string} app @param {string} id @param {'status' | 'result'} what */
	async function read(ctx, app, id, what) {
		const task = findTask(id, app);
		ctx.mark('status', task?.id);
		if (!task) return detail(ctx, 404, `Request not found: ${id}`);
		if (await engine.statusFault(ctx, task, mod)) return;
		if (what === 'status') {
			const body = statusBody(task, ctx.query.get('logs') === '1' || ctx.query.get('logs') === 'true');
			if (ctx.unknownStatus) body.status = ctx.unknownStatus;
			return ctx.send(200, body);
		}
		const { phase } = engine.phase(task);
		if (phase === 'queued' || phase === 'processing') return detail(ctx, 400, 'Request is still in progress');
		if (phase === 'failed') {
			const e = errorAnswer(task);
			return ctx.send(e.status, e.body, { 'x-fal-retryable': String(e.retryable), 'x-fal-request-id': task.id });
		}
		return ctx.send(200, output(task), { 'x-fal-request-id': task.id });
	}

	/** @param {Ctx} ctx @param {string} app @param {string} id */
	function cancel(ctx, app, id) {
		const task = findTask(id, app);
		ctx.mark('other', task?.id);
		if (!task) return detail(ctx, 404, `Request not found: ${id}`);
		const { phase } = engine.phase(task);
		if (phase === 'succeeded' || phase === 'failed') return ctx.send(400, { status: 'ALREADY_COMPLETED' });
		task.finalState = 'failed';
		task.failure = { kind: 'canceled', code: 'request_cancelled', message: 'Request was cancelled' };
		task.completesAt = Date.now();
		if (task.callbackUrl) sendWebhook(task, task.callbackUrl);
		// Still queued: removed from the queue ("OK"); running: the runner is signalled.
		if (phase === 'queued') return ctx.send(200, { status: 'OK' });
		ctx.send(202, { status: 'CANCELLATION_REQUESTED' });
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'fal',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		concurrencyMode: 'queue', // requests over the concurrency limit wait IN_QUEUE
		unknownStatusWord: 'IN_PROGRESS_RETRY',
		fault(ctx, fault) {
			if (fault === '429') return detail(ctx, 429, 'Rate limit exceeded, please retry later', engine.retryAfterHeader(ctx));
			if (fault === 'concurrency') return detail(ctx, 429, 'Concurrent request limit reached, please retry later', engine.retryAfterHeader(ctx));
			if (fault === 'credit' || fault === 'arrears') return detail(ctx, 403, 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.');
			if (fault === '500') return detail(ctx, 500, 'Internal Server Error');
			return detail(ctx, 503, 'Service Unavailable');
		},
		async handle(ctx) {
			const p = ctx.path.replace(/^\/+/, '');
			const req = /^(fal-ai\/kling-video|kling\/v4)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(p);
			const isSubmit = ctx.method === 'POST' && !req && /^(fal-ai|kling)\//.test(p);
			if (isSubmit) ctx.mark('submit');
			else if (req && ctx.method === 'GET') ctx.mark('status');
			const key = falKey(ctx);
			if (!key || key !== engine.opts.keys.fal) {
				try {
					ctx.json();
				} catch {
					/* ignore */
				}
				const msg = key === null ? 'Missing authorization header' : key === '' ? 'Invalid Authorization header format: expected "Key <FAL_KEY>"' : 'Invalid key';
				return detail(ctx, 401, msg);
			}
			if (req && ctx.method === 'GET' && req[3] !== '/cancel') return read(ctx, req[1], req[2], req[3] === '/status' ? 'status' : 'result');
			if (req && ctx.method === 'PUT' && req[3] === '/cancel') return cancel(ctx, req[1], req[2]);
			if (isSubmit) return submit(ctx, p);
			if (/\/requests\/[^/]+/.test(p)) {
				ctx.mark('status');
				return detail(ctx, 404, `Not found: status/result URLs use only the app id (${FAL_APPS.map((a) => `${a}/requests/{id}`).join(' or ')}), not the full endpoint path`);
			}
			return detail(ctx, 404, `Not found: ${ctx.method} /${p}`);
		},
	};
	return mod;
}

/**
 * What fal's side hosts (the REST storage host and the platform API) share: errors as `{ detail }`, the
 * same few faults, and fal's 401 for a request without the key.
 * @param {Engine} engine
 */
function falSideHost(engine) {
	/** @param {Ctx} ctx @param {number} status @param {unknown} d */
	const detail = (ctx, status, d) => ctx.send(status, { detail: d });
	/** @type {Pick<import('../core/engine.mjs').ProviderModule, 'defaultRetryDelaysMs' | 'failure' | 'fault'>} */
	const faults = {
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure: (kind) => ({ kind, code: 'internal_server_error', message: 'Internal server error' }),
		fault(ctx, fault) {
			if (fault === '429') return ctx.send(429, { detail: 'Rate limit exceeded' }, engine.retryAfterHeader(ctx));
			return detail(ctx, fault === '500' ? 500 : 503, 'Server error');
		},
	};
	/** Answers fal's 401 when the request has no valid key, and says whether it did. @param {Ctx} ctx */
	const refusedKey = (ctx) => {
		const key = falKey(ctx);
		if (key && key === engine.opts.keys.fal) return false;
		detail(ctx, 401, key === null ? 'Missing authorization header' : 'Invalid key');
		return true;
	};
	return { detail, faults, refusedKey };
}

/**
 * fal REST host (JWKS + storage uploads) — §5.2. Mounted under /fal-rest.
 * @param {Engine} engine
 */
export function createFalRest(engine) {
	const keys = falKeys(engine);
	/** @type {Map<string, { fileName: string, contentType: string }>} */
	const tickets = new Map();
	const { detail, faults, refusedKey } = falSideHost(engine);

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'fal-rest',
		...faults,
		handle(ctx) {
			const p = ctx.path;
			if (p === '/.well-known/jwks.json' && ctx.method === 'GET') {
				ctx.mark('other');
				return ctx.send(200, keys.jwks, { 'cache-control': 'public, max-age=86400' });
			}
			const put = /^\/_upload\/([^/]+)$/.exec(p);
			if (put && ctx.method === 'PUT') {
				ctx.mark('upload');
				const t = tickets.get(put[1]);
				ctx.entry.body = { size: ctx.rawBody.length, contentType: ctx.req.headers['content-type'] ?? null };
				if (!t) return detail(ctx, 404, 'upload URL not found or already used');
				const mime = t.contentType || String(ctx.req.headers['content-type'] ?? '') || sniff(ctx.rawBody).mime;
				engine.storeFile('fal-rest', t.fileName, ctx.rawBody, mime, put[1]);
				tickets.delete(put[1]);
				ctx.res.writeHead(200, { 'content-length': 0 });
				ctx.res.end();
				ctx.entry.status = 200;
				return;
			}
			if (p === '/storage/upload/initiate' && ctx.method === 'POST') {
				ctx.mark('upload');
				if (refusedKey(ctx)) return;
				let body;
				try {
					body = ctx.json();
				} catch {
					return ctx.send(422, { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
				}
				if (!isPlainObject(body)) return ctx.send(422, { detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }] });
				/** @type {{ loc: string[], msg: string, type: string }[]} */
				const errs = [];
				for (const f of ['file_name', 'content_type']) {
					if (typeof body[f] !== 'string' || !body[f]) errs.push({ loc: ['body', f], msg: 'Field required', type: 'missing' });
				}
				if (errs.length) return ctx.send(422, { detail: errs });
				const id = engine.newId('', 32);
				const fileName = String(body.file_name);
				tickets.set(id, { fileName, contentType: String(body.content_type) });
				return ctx.send(200, {
					upload_url: `${engine.url}/fal-rest/_upload/${id}`,
					file_url: `${engine.url}/fal-rest/_files/${id}/${encodeURIComponent(fileName)}`,
				});
			}
			return detail(ctx, 404, `Not found: ${ctx.method} ${p}`);
		},
	};
	return mod;
}

/**
 * fal platform host (https://api.fal.ai/v1: account billing) — fal.ai/docs/platform-apis/v1/account/billing.
 * Mounted under /fal-api. Real fal needs a key with billing read permission; the emulator's one key has it.
 * @param {Engine} engine
 */
export function createFalPlatform(engine) {
	const { detail, faults, refusedKey } = falSideHost(engine);
	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'fal-api',
		...faults,
		handle(ctx) {
			const p = ctx.path;
			if (p === '/v1/account/billing' && ctx.method === 'GET') {
				ctx.mark('credits');
				if (refusedKey(ctx)) return;
				const expand = ctx.query.getAll('expand').flatMap((v) => v.split(','));
				/** @type {Record<string, unknown>} */
				const body = { username: 'emulator' };
				const balance = /** @type {any} */ (engine.opts).falBalance ?? 25.5;
				if (expand.includes('credits')) body.credits = { current_balance: balance, currency: 'USD' };
				return ctx.send(200, body);
			}
			return detail(ctx, 404, `Not found: ${ctx.method} ${p}`);
		},
	};
	return mod;
}
