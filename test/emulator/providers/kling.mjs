// @ts-check
/**
 * Official Kling API emulator (https://api-singapore.klingai.com) — PROVIDERS.md §0 and §5.1. Mounted under /kling.
 *
 * Enforced exactly (explicit in PROVIDERS.md §5.1 / the official "General Information" page it cites):
 *  - Auth: `Authorization: Bearer <JWT>`, header `{alg:"HS256",typ:"JWT"}`, payload `{iss: accessKey, exp, nbf}`,
 *    HMAC-SHA256 signed with the secret key. The JWT IS VERIFIED: signature, `iss` = the access key, `exp` and
 *    `nbf` with a 5 s leeway. Token errors (HTTP 401, official table): 1001 Authorization is empty, 1002 invalid
 *    (not Bearer, not a JWT, alg ≠ HS256, bad signature, exp missing), 1003 not yet valid (nbf in the future),
 *    1004 expired, 1000 authentication failed (unknown access key in `iss`).
 *  - Envelope `{code, message, request_id, data}`; success `code:0, message:"SUCCEED"`.
 *  - POST /v1/videos/text2video and /v1/videos/image2video: model_name (kling-v1, kling-v1-5, kling-v1-6,
 *    kling-v2-master, kling-v2-1, kling-v2-1-master, kling-v2-5-turbo, kling-v2-6; default kling-v1), prompt ≤2500
 *    (required for text2video), negative_prompt ≤2500, cfg_scale number 0–1, mode std|pro, aspect_ratio
 *    16:9|9:16|1:1 (text2video only), duration STRING "5"|"10", callback_url, external_task_id; image2video
 *    `image` (URL or raw Base64) + `image_tail` (end frame; with kling-v2-5-turbo only in mode "pro").
 *  - data `{task_id, task_status, task_status_msg, task_info:{external_task_id?}, created_at, updated_at
 *    (ms), task_result?:{videos:[{id,url,duration}]}}`; statuses submitted|processing|succeed|failed.
 *  - GET /v1/videos/text2video/{id} and /v1/videos/image2video/{id}: a task is only found under its own
 *    endpoint; {id} may be the task_id or the external_task_id.
 *  - Callback (callbackProtocol): POST of the BARE task object `{task_id, task_status, task_status_msg,
 *    created_at, updated_at, final_unit_deduction, task_info, task_result}` on each status change after submit
 *    (processing, then succeed|failed). Unsigned unless a Kling Webhook Secret is configured (below; PROVIDERS.md's
 *    "no signature" is outdated, KLING-MODELS.md §3.5 D [O10]).
 *
 * Kling 2.6 / 3.0 and the two API generations (KLING-MODELS.md §3.5 A, B, D [O1–O13]):
 *  - Auth [O11]: the API key (`Authorization: Bearer <API_KEY>`, option `keys.klingApiKey`, default
 *    kling_emulator_api_key) works on BOTH APIs; the AK/SK JWT above only on the legacy API. A JWT on the new API →
 *    401 1002 "API keys only"; an unknown non-JWT token → 401 1000.
 *  - Legacy /v1/videos/{text2video,image2video}: model_name adds kling-v2-6 and kling-v3. Per model: duration STRING
 *    "5"|"10" (v2.6 and older) or "3"…"15" (v3); mode std|pro (+4k on v3 only); sound on|off (default off; v2.6+ only;
 *    v2.6 "on" needs mode pro [O6]); multi_shot / shot_type customize|intelligence (required with multi_shot) /
 *    multi_prompt [{index int, prompt ≤512, duration "string"}] 1–6 shots, each ≥1 s, Σ = duration — v3 only, and
 *    no image / image_tail with multi_shot; element_list [{element_id}] ≤3 (v3 image2video); voice_list
 *    [{voice_id}] ≤2 (v2.6+, needs sound "on", not with element_list [O2]); image_tail on v2.6 needs mode pro and
 *    sound off ("end frame only 1080p and silent" [O6]); watermark_info {enabled}. Results add watermark_url.
 *  - New per-model API (model in the path): POST /text-to-video/{kling-3.0,kling-3.0-turbo,kling-2.6,
 *    kling-2.5-turbo}, /image-to-video/{same}, /omni-video/{kling-3.0-omni,kling-o1} with `prompt` (t2v) or
 *    `contents[]` (i2v/omni: prompt{text}, first_frame{url}, last_frame{url}, element{element_id,id},
 *    voice{voice_id,id}, refer_image{url}, feature_video{url}, base_video{url} — per model, see KLING_NEW_MODELS)
 *    + `settings{}` (per model: multi_shot, audio native|off (|original on omni), resolution, aspect_ratio (t2v/omni),
 *    duration INTEGER) + `options{callback_url, external_task_id, watermark_info{enabled}}`; no negative_prompt /
 *    cfg_scale (unknown fields → 1201). Rules: i2v needs a first_frame; last_frame needs a first_frame; elements ≤3
 *    (3.0), voices ≤2 (2.6, need audio native); 2.6 native audio ⇒ 1080p, 2.6 last_frame ⇒ 1080p and silent,
 *    2.5-turbo first+last ⇒ 1080p; omni: ≤1 video, images+elements ≤7 (≤4 with a video), feature_video ⇒ audio off,
 *    base_video ⇒ no frames / multi_shot / native audio; kling-o1 has no multi_shot, 3–10 s, first frame alone ⇒ 5|10.
 *    Multi-shot on 3.0 is the prompt syntax `镜头 n, m, words;` (n = 1…6 in order, m ≥ 1 s, words ≤512, Σm =
 *    settings.duration; ignored when settings.multi_shot is false). Create → data{id, status:"submitted",
 *    create_time, update_time, external_id?}. Poll GET /tasks?task_ids=a,b XOR ?external_task_ids=a,b → data: [task…]
 *    in request order, status submitted|processing|succeeded|failed, message, outputs[{type:"video", id, url,
 *    watermark_url, duration:"s"}], billing[{charge_type:"unit", amount, package_type:"video"}].
 *  - Errors use the official table for the HTTP status (KLING_HTTP_STATUS [O12]): 1000–1004 → 401; 1100 account,
 *    1101 arrears, 1102 resource pack exhausted → 429; 1103 → 403; 1200/1201 → 400; 1202/1203 → 404; 1300/1301 →
 *    400; 1302 rate limit, 1303 concurrency, 1304 IP whitelist → 429; 5000 → 500; 5001 maintenance → 503; 5002 → 504.
 *    The codes the emulator used before (401 auth, 1201/1200 → 400, 1202/1203 → 404, 1302 → 429, 5000 → 500,
 *    5001 → 503) already agreed with the table; the answers are now derived from it.
 *  - Callbacks: legacy body as below; new API = one bare task object (same as a /tasks item, not wrapped, not an
 *    array) on each status change. With a Webhook Secret (option `secrets.klingWebhook`, `whsec_<base64>`, default
 *    null = unsigned as before) BOTH bodies are signed, Standard Webhooks [O10]: `webhook-id` (numeric, the same on
 *    every retry of one message), `webhook-timestamp` (s), `webhook-signature: v1,<base64(HMAC-SHA256(base64decode(
 *    secret minus "whsec_"), "{id}.{ts}.{rawBody}"))>`. Legacy callbacks being signed too is inferred from "signing
 *    only adds headers" [O10]. The doc's test vector is reproduced in kling-family.test.mjs.
 *
 * Choices / inferences (PROVIDERS.md §5.1, §6.6 and KLING-MODELS.md §5 leave these open):
 *  - Legacy lookup by external id: GET /v1/videos/{ep}/{id} where {id} is the task_id OR the external_task_id, AND
 *    GET /v1/videos/{ep}?external_task_id=… (or ?task_id=…) — both forms accepted (the single-query path for an
 *    external id is not in the stored copies). GET /v1/videos/{ep}?pageNum=&pageSize= lists that endpoint's tasks.
 *    Legacy and new tasks are not visible through each other's query paths. external ids are unique across both.
 *  - /tasks leaves unknown ids out (data may be []); both or neither of task_ids / external_task_ids → 1201.
 *  - Legacy shot_type "intelligence": prompt (or multi_prompt) required; "customize": multi_prompt required.
 *    multi_prompt[].index values must be unique. element_id: integer or digit string. new-API omni
 *    settings.audio "original" needs a base_video; kling-3.0-omni settings are those of kling-3.0 (+original).
 *  - New-API prompt limits: 3072 (3.0, 3.0-omni), 2500 (others); resolution default 720p (2.6 with native audio:
 *    1080p). Billing units: duration/5 × (1 std/720p, 2 pro/1080p, 4 for 4k) — invented numbers.
 *  - HTTP statuses follow the official error table (above). PROVIDERS.md (npm kling-api) labels 1101 "rate" and
 *    1102 "concurrency"; the official table calls them account arrears / resource pack exhausted.
 *  - Rate limit (the '429' fault, submit and status): HTTP 429 + code 1302 ("API request too fast") +
 *    Retry-After. '500' fault → HTTP 500 code 5000; '503' fault → HTTP 503 code 5001.
 *  - Validation errors → HTTP 400 code 1201 naming the field (also an unknown model_name and unknown fields:
 *    strict, to catch adapter bugs); malformed JSON → 400 code 1200. Unknown task → 404 code 1203; unknown
 *    route → 404 code 1202. A reused external_task_id → 400 code 1201 (docs: unique per account).
 *  - cfg_scale (§6.6 "not supported by v2.x"): ACCEPTED for every model (range still checked), ignored.
 *  - `image` / `image_tail`: an http(s) URL or raw Base64 of a PNG/JPEG/WebP/GIF ≤10 MB. A `data:` prefix is
 *    rejected with 1201 (Kling's docs say to send Base64 without any prefix — not in PROVIDERS.md, inferred).
 *    An image2video request needs `image` or `image_tail` (both documented as "at least one").
 *  - Failed tasks carry only `task_status_msg` (no task-level code is documented); the emulator's messages
 *    start with the matching service code: content policy "1301 …", image problems "1201 …", generic "5000 …".
 *  - Callback retries are undocumented: up to 3 retries (5/10/20 s × timeScale). Timestamps are milliseconds.
 *  - final_unit_deduction: "1" per 5 s in std, "2" per 5 s in pro ("0" when failed) — invented numbers.
 *  - GET /account/costs?start_time=&end_time= (ms, both required) → one resource pack; a cheap credential test.
 *  - The result URL expires like the other providers (`expiredResult` fault → 404; real assets last 30 days).
 *
 * Refusals and caps (official table [O12]): rate limit → HTTP 429 code 1302 + Retry-After; over the concurrency cap
 * (per account, held submit→terminal [O13]) → HTTP 429 code 1303 + Retry-After = seconds until a slot frees; out of
 * credit → 429 code 1102 (resource pack exhausted), `arrears` → 429 code 1101; maintenance → 503 code 5001. Nothing is
 * created. Unknown-status fault word: "queued" (both APIs; on /tasks only the first task of the answer).
 *
 * Capabilities beyond text/image to video (KLING-MODELS.md §1b, §3.5 B/C, §7) — each legacy product is polled under its
 * own path (`GET /v1/videos/<product>/{task_id | external_task_id}`, list `?pageNum=`), a task is never found under
 * another product's path; the new API's tasks are polled via `/tasks`. Legacy bodies, callbacks and signatures as for
 * text2video; limits → HTTP 400 code 1201; a missing emulator file → task failed "1201 … failed to download".
 *  - POST /v1/videos/motion-control [O2]+3p: model_name kling-v2-6 (default — choice) | kling-v3, image_url (req, URL or
 *    Base64), video_url (req; ≥3 s, ≤10 s with orientation image, ≤30 s with video, ≤100 MB), character_orientation
 *    (req), mode std|pro (req), keep_original_sound yes|no (yes), prompt ≤2500, element_list ≤1 (kling-v3 only),
 *    watermark_info, callback_url, external_task_id. Output = the video's length, its sound unless "no".
 *  - POST /motion-control/kling-2.6 | /motion-control/kling-3.0 (new API [O6]): contents prompt{text ≤2500},
 *    image{url} (req), video{url} (req; same limits), 3.0 only element{element_id,id} (≤1); settings
 *    {character_orientation (req), audio original (default) | off, resolution 720p (default) | 1080p}; options.
 *  - POST /v1/videos/avatar/image2video [O1][O5]: image (req), audio_id XOR sound_file (URL or Base64; mp3/wav/m4a/aac
 *    ≤5 MB, 2–300 s), prompt ≤2500, mode std|pro, watermark_info, callback_url, external_task_id. Output = the audio's
 *    length (audio_id: a TTS id whose length is unknown here → remoteAudioSeconds — choice).
 *  - POST /v1/videos/identify-face [O6] (SYNCHRONOUS, nothing to poll): video_id (a video this account generated:
 *    `task_result.videos[].id`) XOR video_url (mp4/mov ≤100 MB, 2–60 s, 720p/1080p) → data{session_id, face_data:
 *    [{face_id:"0", face_image, start_time:0, end_time: length ms}]} (one face). Then POST /v1/videos/advanced-lip-sync:
 *    session_id (req, known), face_choose exactly 1 [{face_id (a face of the session), audio_id XOR sound_file (2–60 s,
 *    ≤5 MB), sound_start_time, sound_end_time, sound_insert_time (ms, req), sound_volume 0–2, original_audio_volume
 *    0–2}], callback_url, external_task_id. Choices: the clip (end − start) lasts ≥2 s, ends inside the audio and, inserted
 *    at sound_insert_time, inside the video. Output = the video's length, with sound. Poll …/advanced-lip-sync/{id}.
 *  - POST /v1/videos/lip-sync (legacy, 3p [O9]): input{video_id XOR video_url (2–10 s, ≤100 MB, 720–1920 px), mode
 *    audio2video (audio_type file|url + audio_file Base64 | audio_url; 2–60 s, ≤5 MB) | text2video (text ≤120, voice_id,
 *    voice_language zh|en, voice_speed 0.8–2)}, callback_url, external_task_id; poll …/lip-sync/{id} (inferred path).
 *  - POST /v1/videos/omni-video (legacy [O3][O4][O6] §7): model_name kling-video-o1 (default — choice) | kling-v3-omni,
 *    prompt (req ≤2500; `<<<image_N>>>` / `<<<element_N>>>` / `<<<video_N>>>` must exist), image_list [{image_url,
 *    type? first_frame|end_frame}] + element_list ≤7 (≤4 with a video), video_list ≤1 [{video_url (3–10 s, 720–2160 px,
 *    ≤200 MB), refer_type base|feature (REQUIRED — choice: the two mean edit vs reference), keep_original_sound yes|no}],
 *    sound on|off (off with a video; kling-video-o1 has no "on"), mode, aspect_ratio, duration "3"…"10" (o1) |
 *    "3"…"15", watermark_info, callback_url, external_task_id. refer_type base = video edit: output = the base video's
 *    length (duration ignored) and its sound unless keep_original_sound "no"; no first/end frames with it.
 *  - New API omni (/omni-video/kling-3.0-omni, /omni-video/kling-o1): feature_video / base_video are now read (O1 3–10 s
 *    ≤2160 px; 3.0-omni 3–15.5 s, 700–4553 px, ≤200 MB); base_video = edit (length = the video's; settings.duration
 *    accepted and ignored — choice; audio "original" keeps its sound); an id-like prompt reference (@image_N, @video_N,
 *    @element_N) must name a content item (items without `id` answer to @image_N in refer_image order / @video_1 —
 *    choice). `mode` keeps its earlier meaning there; `capability` says reference-to-video / video-edit.
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { sniff } from '../core/media.mjs';
import { checkObject, checkShots, checkValue, intValue } from '../core/schema.mjs';
import { aspectFrom, checkPromptRefs, motionSeconds, readInput, summary } from '../core/capability.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */
/** @typedef {import('../core/schema.mjs').FieldSpec} FieldSpec */

export const KLING_MODELS = ['kling-v1', 'kling-v1-5', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1', 'kling-v2-1-master', 'kling-v2-5-turbo', 'kling-v2-6', 'kling-v3'];
const LEEWAY_SEC = 5;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const AR3 = ['16:9', '9:16', '1:1'];
const V3_DURATIONS = ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'];

/**
 * HTTP status of every service code in the official error table (KLING-MODELS.md §3.5 D [O12]).
 * @type {Record<number, number>}
 */
export const KLING_HTTP_STATUS = {
	0: 200,
	1000: 401, 1001: 401, 1002: 401, 1003: 401, 1004: 401,
	1100: 429, 1101: 429, 1102: 429,
	1103: 403,
	1200: 400, 1201: 400,
	1202: 404, 1203: 404,
	1300: 400, 1301: 400,
	1302: 429, 1303: 429, 1304: 429,
	5000: 500, 5001: 503, 5002: 504,
};

/**
 * Legacy per-model rules (`model_name`, KLING-MODELS.md §3.5 A).
 * @type {Record<string, { durations: string[], modes: string[], sound: boolean, multiShot: boolean, elements: boolean, voices: boolean }>}
 */
const LEGACY = Object.fromEntries(
	KLING_MODELS.map((m) => [
		m,
		m === 'kling-v3'
			? { durations: V3_DURATIONS, modes: ['std', 'pro', '4k'], sound: true, multiShot: true, elements: true, voices: true }
			: m === 'kling-v2-6'
				? { durations: ['5', '10'], modes: ['std', 'pro'], sound: true, multiShot: false, elements: false, voices: true }
				: { durations: ['5', '10'], modes: ['std', 'pro'], sound: false, multiShot: false, elements: false, voices: false },
	]),
);

/** @param {Buffer | string} b */
const b64url = (b) => Buffer.from(b).toString('base64url');

/**
 * Mint a Kling API token like the docs' sample (exported for benchmarks/integration tests; the emulator's own
 * tests mint theirs independently).
 * @param {string} accessKey @param {string} secretKey @param {{ now?: number, exp?: number, nbf?: number }} [o] seconds
 */
export function klingJwt(accessKey, secretKey, o = {}) {
	const now = o.now ?? Math.floor(Date.now() / 1000);
	const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const body = b64url(JSON.stringify({ iss: accessKey, exp: o.exp ?? now + 1800, nbf: o.nbf ?? now - 5 }));
	const sig = crypto.createHmac('sha256', secretKey).update(`${head}.${body}`).digest('base64url');
	return `${head}.${body}.${sig}`;
}

/**
 * Standard Webhooks signature as Kling documents it (callbacks page [O10]): base64(HMAC-SHA256(key, "{id}.{ts}.{rawBody}"))
 * with key = base64-decode of the secret minus "whsec_". Exported for tests and benchmarks.
 * @param {string} secret @param {string} id @param {number | string} ts @param {string} rawBody
 */
export function klingWebhookSignature(secret, id, ts, rawBody) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	return crypto.createHmac('sha256', key).update(`${id}.${ts}.${rawBody}`).digest('base64');
}

/* --------------------------------------------------------------- new per-model API (§3.5 B, D) */

/**
 * @typedef {{ kind: 't2v' | 'i2v' | 'omni', promptMax: number, settings: Record<string, FieldSpec>,
 *   contents?: string[], maxElements?: number, maxVoices?: number, shotSyntax?: boolean, durations: [number, number],
 *   defaultResolution: string }} NewModel
 */
const DUR = (/** @type {number} */ lo, /** @type {number} */ hi) => /** @type {FieldSpec} */ ({ type: 'integer', min: lo, max: hi });
const DUR_5_10 = /** @type {FieldSpec} */ ({ type: 'integer', enum: [5, 10] });
/** @type {Record<string, NewModel>} */
export const KLING_NEW_MODELS = {
	'text-to-video/kling-3.0': {
		kind: 't2v', promptMax: 3072, shotSyntax: true, durations: [3, 15], defaultResolution: '720p',
		settings: { multi_shot: { type: 'boolean' }, audio: { type: 'string', enum: ['native', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p', '4k'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: DUR(3, 15) },
	},
	'image-to-video/kling-3.0': {
		kind: 'i2v', promptMax: 3072, shotSyntax: true, durations: [3, 15], defaultResolution: '720p', contents: ['prompt', 'first_frame', 'last_frame', 'element'], maxElements: 3,
		settings: { multi_shot: { type: 'boolean' }, audio: { type: 'string', enum: ['native', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p', '4k'] }, duration: DUR(3, 15) },
	},
	'text-to-video/kling-3.0-turbo': {
		kind: 't2v', promptMax: 2500, durations: [3, 15], defaultResolution: '720p',
		settings: { resolution: { type: 'string', enum: ['720p', '1080p'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: DUR(3, 15) },
	},
	'image-to-video/kling-3.0-turbo': {
		kind: 'i2v', promptMax: 2500, durations: [3, 15], defaultResolution: '720p', contents: ['prompt', 'first_frame'],
		settings: { resolution: { type: 'string', enum: ['720p', '1080p'] }, duration: DUR(3, 15) },
	},
	'text-to-video/kling-2.6': {
		kind: 't2v', promptMax: 2500, durations: [5, 10], defaultResolution: '720p',
		settings: { audio: { type: 'string', enum: ['native', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: DUR_5_10 },
	},
	'image-to-video/kling-2.6': {
		kind: 'i2v', promptMax: 2500, durations: [5, 10], defaultResolution: '720p', contents: ['prompt', 'first_frame', 'last_frame', 'voice'], maxVoices: 2,
		settings: { audio: { type: 'string', enum: ['native', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p'] }, duration: DUR_5_10 },
	},
	'text-to-video/kling-2.5-turbo': {
		kind: 't2v', promptMax: 2500, durations: [5, 10], defaultResolution: '720p',
		settings: { resolution: { type: 'string', enum: ['720p', '1080p'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: DUR_5_10 },
	},
	'image-to-video/kling-2.5-turbo': {
		kind: 'i2v', promptMax: 2500, durations: [5, 10], defaultResolution: '720p', contents: ['prompt', 'first_frame', 'last_frame'],
		settings: { resolution: { type: 'string', enum: ['720p', '1080p'] }, duration: DUR_5_10 },
	},
	'omni-video/kling-3.0-omni': {
		kind: 'omni', promptMax: 3072, shotSyntax: true, durations: [3, 15], defaultResolution: '720p', maxElements: 3,
		contents: ['prompt', 'first_frame', 'last_frame', 'refer_image', 'feature_video', 'base_video', 'element'],
		settings: { multi_shot: { type: 'boolean' }, audio: { type: 'string', enum: ['native', 'original', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p', '4k'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: DUR(3, 15) },
	},
	'omni-video/kling-o1': {
		kind: 'omni', promptMax: 2500, durations: [3, 10], defaultResolution: '720p', maxElements: 7,
		contents: ['prompt', 'first_frame', 'last_frame', 'refer_image', 'feature_video', 'base_video', 'element'],
		settings: { audio: { type: 'string', enum: ['original', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: DUR(3, 10) },
	},
};

/** Content item fields per type (new API `contents[]`). @type {Record<string, Record<string, FieldSpec>>} */
const CONTENT_FIELDS = {
	prompt: { type: { type: 'string' }, text: { type: 'string', required: true, nonEmpty: true } },
	first_frame: { type: { type: 'string' }, url: { type: 'string', required: true, nonEmpty: true }, id: { type: 'string' } },
	last_frame: { type: { type: 'string' }, url: { type: 'string', required: true, nonEmpty: true }, id: { type: 'string' } },
	refer_image: { type: { type: 'string' }, url: { type: 'string', required: true, nonEmpty: true }, id: { type: 'string' } },
	feature_video: { type: { type: 'string' }, url: { type: 'url', required: true }, id: { type: 'string' } },
	base_video: { type: { type: 'string' }, url: { type: 'url', required: true }, id: { type: 'string' } },
	element: { type: { type: 'string' }, element_id: { type: 'intOrString', required: true }, id: { type: 'string', required: true, nonEmpty: true } },
	voice: { type: { type: 'string' }, voice_id: { type: 'string', required: true, nonEmpty: true }, id: { type: 'string', required: true, nonEmpty: true } },
};
/** @type {Record<string, FieldSpec>} */
const OPTIONS = { callback_url: { type: 'url' }, external_task_id: { type: 'string', nonEmpty: true }, watermark_info: { type: 'object', fields: { enabled: { type: 'boolean' } } } };

/**
 * The multi-shot prompt syntax of the new 3.0 API: `镜头 n, m, words;` (n ≤ 6 = shot number, m ≥ 1 = seconds,
 * words ≤ 512) [O6]. Returns null when the prompt does not use it.
 * @param {string} prompt @returns {{ shots: number[], problem: string | null } | null}
 */
export function parseShotPrompt(prompt) {
	if (!/镜头\s*\d/.test(prompt)) return null;
	const re = /镜头\s*(\d+)\s*[,，]\s*(\d+)\s*[,，]\s*([^;；]*)[;；]?/g;
	/** @type {number[]} */
	const shots = [];
	let m;
	let expected = 1;
	while ((m = re.exec(prompt))) {
		const n = Number(m[1]);
		const secs = Number(m[2]);
		if (n !== expected) return { shots, problem: `shot numbers in the prompt must run 1, 2, 3… (got 镜头 ${n} where ${expected} was expected)` };
		if (n > 6) return { shots, problem: 'the prompt describes more than 6 shots (镜头 n ≤ 6)' };
		if (secs < 1) return { shots, problem: `镜头 ${n} must last at least 1 s` };
		if (m[3].trim().length > 512) return { shots, problem: `the words of 镜头 ${n} exceed 512 characters` };
		shots.push(secs);
		expected++;
	}
	if (!shots.length) return { shots, problem: 'the shot syntax is 镜头 n, m, words; (n = shot number, m = seconds)' };
	return { shots, problem: null };
}

/** @param {Engine} engine */
export function createKling(engine) {
	let seq = 0;
	/** @type {Map<string, string>} external_task_id → task id (both APIs: unique per account) */
	const external = new Map();
	let remainingUnits = 1000;

	const requestId = () => crypto.randomUUID();
	/**
	 * An error answer: HTTP status from the official table. @param {Ctx} ctx @param {number} code @param {string} message
	 * @param {Record<string, string>} [headers]
	 */
	const kerr = (ctx, code, message, headers) => ctx.send(KLING_HTTP_STATUS[code] ?? 400, { code, message, request_id: requestId(), data: null }, headers);
	/** @param {Ctx} ctx @param {string} message */
	const invalid = (ctx, message) => kerr(ctx, 1201, `Invalid parameter: ${message}`);
	/** @param {Ctx} ctx @param {unknown} data */
	const ok = (ctx, data) => ctx.send(200, { code: 0, message: 'SUCCEED', request_id: requestId(), data });

	/**
	 * Verify the API key (both APIs) or the JWT (legacy API only). @param {Ctx} ctx @param {'legacy' | 'new'} api
	 * @returns {{ code: number, message: string } | null}
	 */
	function authProblem(ctx, api) {
		const h = ctx.req.headers.authorization;
		if (!h || !h.trim()) return { code: 1001, message: 'Authorization is empty' };
		const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
		if (!m) return { code: 1002, message: `Authorization is invalid: expected "Bearer <${api === 'new' ? 'API key' : 'API key or API token'}>"` };
		if (engine.opts.keys.klingApiKey && m[1] === engine.opts.keys.klingApiKey) return null;
		const parts = m[1].split('.');
		if (api === 'new') {
			return parts.length === 3
				? { code: 1002, message: 'Authorization is invalid: this API accepts API keys only (Authorization: Bearer <API_KEY>), not AK/SK tokens' }
				: { code: 1000, message: 'Authentication failed: unknown API key' };
		}
		if (parts.length !== 3) return { code: 1002, message: 'Authorization is invalid: neither a known API key nor a JWT' };
		/** @type {any} */
		let header;
		/** @type {any} */
		let payload;
		try {
			header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
			payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		} catch {
			return { code: 1002, message: 'Authorization is invalid: the API token cannot be decoded' };
		}
		if (!isPlainObject(header) || header.alg !== 'HS256') return { code: 1002, message: 'Authorization is invalid: the token must be signed with HS256' };
		if (!isPlainObject(payload)) return { code: 1002, message: 'Authorization is invalid: bad token payload' };
		if (payload.iss !== engine.opts.keys.kling) return { code: 1000, message: 'Authentication failed: unknown access key (iss)' };
		const expected = crypto.createHmac('sha256', engine.opts.secrets.kling ?? '').update(`${parts[0]}.${parts[1]}`).digest();
		const got = Buffer.from(parts[2], 'base64url');
		if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) {
			return { code: 1002, message: 'Authorization is invalid: signature verification failed' };
		}
		const now = Date.now() / 1000;
		if (typeof payload.exp !== 'number') return { code: 1002, message: 'Authorization is invalid: exp is required' };
		if (payload.nbf !== undefined && typeof payload.nbf !== 'number') return { code: 1002, message: 'Authorization is invalid: nbf must be a number' };
		if (typeof payload.nbf === 'number' && payload.nbf > now + LEEWAY_SEC) return { code: 1003, message: 'Authorization is not yet valid' };
		if (payload.exp < now - LEEWAY_SEC) return { code: 1004, message: 'Authorization has expired' };
		return null;
	}

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: 1301, message: '1301 Trigger the content security policy of the platform' };
			case 'image-missing':
				return { kind, code: 1201, message: '1201 Invalid parameter: failed to download the image' };
			case 'image-not-image':
				return { kind, code: 1201, message: '1201 Invalid parameter: the image could not be recognized' };
			case 'image-too-large':
				return { kind, code: 1201, message: '1201 Invalid parameter: the image exceeds 10MB' };
			case 'media-missing':
				return { kind, code: 1201, message: '1201 Invalid parameter: failed to download the video or audio file' };
			case 'media-invalid':
				return { kind, code: 1201, message: '1201 Invalid parameter: the video or audio file could not be recognized' };
			default:
				return { kind, code: 5000, message: '5000 Server internal error' };
		}
	}

	/** @param {Task} task @param {number} now */
	function updatedAt(task, now) {
		const { phase } = engine.phase(task, now);
		if (phase === 'succeeded' || phase === 'failed') return task.completesAt;
		return phase === 'processing' ? Math.round(task.startAt + task.generationMs * 0.1) : task.createdAt;
	}
	/** @param {Task} task */
	const units = (task) => (task.duration / 5) * (['pro', '1080p'].includes(String(task.resolution)) ? 2 : ['4k'].includes(String(task.resolution)) ? 4 : 1);
	/** @param {Task} task */
	const watermarkUrl = (task) => `${engine.resultUrl(task)}?watermark=1`;

	/** Legacy task object. @param {Task} task @param {number} [now] */
	function taskData(task, now = Date.now()) {
		const { phase } = engine.phase(task, now);
		const status = { queued: 'submitted', processing: 'processing', succeeded: 'succeed', failed: 'failed' }[phase];
		/** @type {Record<string, unknown>} */
		const info = {};
		if (task.extra.externalTaskId !== undefined) info.external_task_id = task.extra.externalTaskId;
		/** @type {Record<string, unknown>} */
		const d = {
			task_id: task.id,
			task_status: status,
			task_status_msg: phase === 'failed' ? (task.failure?.message ?? '5000 Server internal error') : '',
			task_info: info,
			created_at: task.createdAt,
			updated_at: updatedAt(task, now),
		};
		if (phase === 'succeeded') {
			d.task_result = { videos: [{ id: `${task.id}-v0`, url: engine.resultUrl(task), watermark_url: watermarkUrl(task), duration: String(task.duration) }] };
		}
		return d;
	}

	/** @param {Task} task @param {number} [now] */
	function callbackBody(task, now = Date.now()) {
		const d = taskData(task, now);
		const { phase } = engine.phase(task, now);
		return {
			...d,
			final_unit_deduction: phase === 'succeeded' ? String(units(task)) : phase === 'failed' ? '0' : undefined,
			task_result: d.task_result ?? { videos: [] },
		};
	}

	/** New-API task object (poll item and callback body). @param {Task} task @param {number} [now] */
	function newTask(task, now = Date.now()) {
		const { phase } = engine.phase(task, now);
		/** @type {Record<string, unknown>} */
		const t = {
			id: task.id,
			status: { queued: 'submitted', processing: 'processing', succeeded: 'succeeded', failed: 'failed' }[phase],
			message: phase === 'failed' ? (task.failure?.message ?? '5000 Server internal error') : '',
			create_time: task.createdAt,
			update_time: updatedAt(task, now),
		};
		if (task.extra.externalTaskId !== undefined) t.external_id = task.extra.externalTaskId;
		t.outputs = phase === 'succeeded' ? [{ type: 'video', id: `${task.id}-v0`, url: engine.resultUrl(task), watermark_url: watermarkUrl(task), duration: String(task.duration) }] : [];
		t.billing = phase === 'succeeded' ? [{ charge_type: 'unit', amount: String(units(task)), package_type: 'video' }] : [];
		return t;
	}

	/**
	 * @param {unknown} v @param {string} name
	 * @returns {{ problem: string | null, url?: string, bytes?: Buffer }}
	 */
	function checkImage(v, name) {
		if (typeof v !== 'string' || v.trim() === '') return { problem: `${name} must be an image URL or a Base64 string` };
		if (/^https?:\/\//i.test(v)) {
			const p = V.url(v, name);
			return p ? { problem: p } : { problem: null, url: v };
		}
		if (/^data:/i.test(v)) return { problem: `${name} must be raw Base64 without a "data:" prefix (or an http(s) URL)` };
		const clean = v.replace(/\s+/g, '');
		if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return { problem: `${name} must be an http(s) URL or a Base64 string` };
		const bytes = Buffer.from(clean, 'base64');
		if (sniff(bytes).kind !== 'image') return { problem: `${name} is not a valid image (jpg/jpeg/png expected)` };
		if (bytes.length > MAX_IMAGE_BYTES) return { problem: `${name} exceeds 10MB` };
		return { problem: null, bytes };
	}

	/** @param {string} label */
	function nextId(label = '8') {
		seq++;
		return `${label}${String(Math.floor(engine.rng() * 1e12)).padStart(12, '0')}${String(seq).padStart(5, '0')}`;
	}

	/**
	 * Signature headers for a callback when a Webhook Secret is configured (Standard Webhooks [O10]); the same
	 * webhook-id on every retry of one message.
	 * @returns {((raw: string, ts: number, wrong: boolean) => Record<string, string>) | undefined}
	 */
	function signer() {
		const secret = engine.opts.secrets.klingWebhook;
		if (!secret) return undefined;
		const id = String(BigInt.asUintN(63, BigInt(`0x${crypto.randomBytes(8).toString('hex')}`)));
		return (raw, ts, wrong) => ({
			'webhook-id': id,
			'webhook-timestamp': String(ts),
			'webhook-signature': `v1,${klingWebhookSignature(wrong ? 'whsec_d3Jvbmcta2xpbmctd2ViaG9vay1zZWNyZXQ=' : secret, id, ts, raw)}`,
		});
	}

	/**
	 * Callbacks on each status change after submit (processing, then terminal).
	 * @param {Task} task @param {string} url @param {(task: Task, now?: number) => unknown} body
	 */
	function scheduleCallbacks(task, url, body) {
		const processingAt = engine.processingAt(task) + 1;
		// built as of the moment processing starts, even when the timer runs late (no processing phase → no callback)
		if (engine.phase(task, processingAt).phase === 'processing') {
			engine.later(() => engine.deliver(task, { url, payload: body(task, processingAt), target: 'processing', sign: signer() }), processingAt - Date.now());
		}
		engine.atCompletion(task, () => engine.deliver(task, { url, payload: body(task), target: 'final', sign: signer() }));
	}

	/* ----------------------------------------------------------- legacy submit */

	/** @param {Ctx} ctx @param {'text2video' | 'image2video'} endpoint */
	function submit(ctx, endpoint) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return kerr(ctx, 1200, 'Invalid request parameters: the body is not valid JSON');
		}
		if (!isPlainObject(body)) return kerr(ctx, 1200, 'Invalid request parameters: the body must be a JSON object');
		const i2v = endpoint === 'image2video';
		const allowed = ['model_name', 'prompt', 'negative_prompt', 'cfg_scale', 'mode', 'duration', 'callback_url', 'external_task_id', 'camera_control', 'watermark_info', 'sound', 'multi_shot', 'shot_type', 'multi_prompt', 'voice_list'];
		if (i2v) allowed.push('image', 'image_tail', 'static_mask', 'dynamic_masks', 'element_list');
		else allowed.push('aspect_ratio');
		const model = /** @type {string} */ (body.model_name ?? 'kling-v1');
		const rules = LEGACY[model];
		const multi = body.multi_shot === true;
		let problem =
			V.unknownFields(body, allowed) ??
			V.enumString(body.model_name, 'model_name', KLING_MODELS) ??
			(i2v || multi ? V.string(body.prompt, 'prompt', { max: 2500 }) : V.string(body.prompt, 'prompt', { required: true, max: 2500 })) ??
			V.string(body.negative_prompt, 'negative_prompt', { max: 2500 }) ??
			V.number(body.cfg_scale, 'cfg_scale', 0, 1) ??
			V.enumString(body.mode, 'mode', rules.modes) ??
			(i2v ? null : V.enumString(body.aspect_ratio, 'aspect_ratio', AR3)) ??
			(body.duration === undefined || rules.durations.includes(/** @type {any} */ (body.duration))
				? null
				: typeof body.duration === 'number'
					? `duration must be a string: ${rules.durations.length > 2 ? '"3"…"15"' : '"5" or "10"'} (got a number)`
					: `duration must be ${rules.durations.length > 2 ? 'one of "3"…"15"' : '"5" or "10"'} for ${model}`) ??
			V.url(body.callback_url, 'callback_url') ??
			V.string(body.external_task_id, 'external_task_id') ??
			(body.camera_control === undefined || isPlainObject(body.camera_control) ? null : 'camera_control must be an object') ??
			(body.watermark_info === undefined ? null : (checkObject(isPlainObject(body.watermark_info) ? body.watermark_info : { enabled: 'x' }, { enabled: { type: 'boolean' } }, 'watermark_info.')[0]?.message ?? null));
		// audio (v2.6+), multi-shot (v3), elements (v3 image2video), voices (v2.6+)
		if (!problem && body.sound !== undefined) {
			if (!rules.sound) problem = `sound is not supported by ${model} (kling-v2-6 and later)`;
			else problem = V.enumString(body.sound, 'sound', ['on', 'off']);
			if (!problem && model === 'kling-v2-6' && body.sound === 'on' && body.mode !== 'pro') problem = 'sound "on" with kling-v2-6 requires mode "pro" (720p is silent only)';
		}
		for (const f of ['multi_shot', 'shot_type', 'multi_prompt']) {
			if (!problem && body[f] !== undefined && !rules.multiShot) problem = `${f} is not supported by ${model} (kling-v3 only)`;
		}
		/** @type {number[] | null} */
		let shots = null;
		if (!problem && rules.multiShot && (body.multi_shot !== undefined || body.shot_type !== undefined || body.multi_prompt !== undefined)) {
			problem = checkObject(body, {
				multi_shot: { type: 'boolean' },
				shot_type: { type: 'string', enum: ['customize', 'intelligence'], required: multi },
				multi_prompt: {
					type: 'array', minItems: 1, maxItems: 6,
					items: { type: 'object', fields: { index: { type: 'integer', required: true, min: 1 }, prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 512 }, duration: { type: 'intString', required: true, min: 1 } } },
				},
			}).filter((i) => i.kind !== 'extra')[0]?.message ?? null;
			if (!problem && !multi && (body.shot_type !== undefined || body.multi_prompt !== undefined)) problem = 'shot_type and multi_prompt need multi_shot: true';
			if (!problem && multi && i2v && (body.image !== undefined || body.image_tail !== undefined)) problem = 'multi_shot does not support a first or last frame (image / image_tail)';
			if (!problem && multi && body.shot_type === 'customize' && body.multi_prompt === undefined) problem = 'multi_prompt is required when shot_type is "customize"';
			if (!problem && multi && body.shot_type === 'intelligence' && body.multi_prompt === undefined && !body.prompt) problem = 'prompt (or multi_prompt) is required when shot_type is "intelligence"';
			if (!problem && multi && Array.isArray(body.multi_prompt)) {
				const idx = body.multi_prompt.map((/** @type {any} */ s) => s.index);
				if (new Set(idx).size !== idx.length) problem = 'multi_prompt[].index values must be unique';
				const r = checkShots(body.multi_prompt, { field: 'multi_prompt', maxShots: 6, promptMax: 512, total: Number(body.duration ?? '5') });
				if (!problem && r.issues.length) problem = r.issues[0].message;
				shots = body.multi_prompt.map((/** @type {any} */ s) => Number(s.duration));
			}
		}
		if (!problem && body.element_list !== undefined) {
			if (!rules.elements) problem = `element_list is not supported by ${model} (kling-v3 only)`;
			else {
				const issues = /** @type {import('../core/schema.mjs').Issue[]} */ ([]);
				checkValue(body.element_list, { type: 'array', maxItems: 3, items: { type: 'object', fields: { element_id: { type: 'intOrString', required: true } } } }, 'element_list', issues);
				problem = issues[0]?.message ?? null;
			}
		}
		if (!problem && body.voice_list !== undefined) {
			if (!rules.voices) problem = `voice_list is not supported by ${model} (kling-v2-6 and later)`;
			else {
				const issues = /** @type {import('../core/schema.mjs').Issue[]} */ ([]);
				checkValue(body.voice_list, { type: 'array', maxItems: 2, items: { type: 'object', fields: { voice_id: { type: 'string', required: true, nonEmpty: true } } } }, 'voice_list', issues);
				problem = issues[0]?.message ?? null;
				if (!problem && body.sound !== 'on') problem = 'voice_list requires sound "on"';
				if (!problem && body.element_list !== undefined) problem = 'element_list and voice_list cannot be used together';
			}
		}
		/** @type {string[]} */
		const imageUrls = [];
		if (!problem && i2v) {
			const has = (/** @type {string} */ k) => body[k] !== undefined && body[k] !== null && body[k] !== '';
			if (!has('image') && !has('image_tail') && !multi) problem = 'image is required (or image_tail)';
			for (const k of ['image', 'image_tail']) {
				if (problem || !has(k)) continue;
				const r = checkImage(body[k], k);
				problem = r.problem;
				if (r.url) imageUrls.push(r.url);
			}
			if (!problem && has('image_tail') && model === 'kling-v2-5-turbo' && body.mode !== 'pro') {
				problem = 'image_tail (end frame) with kling-v2-5-turbo requires mode "pro"';
			}
			if (!problem && has('image_tail') && model === 'kling-v2-6' && (body.mode !== 'pro' || body.sound === 'on')) {
				problem = 'image_tail (end frame) with kling-v2-6 requires mode "pro" (1080p) and sound "off"';
			}
		}
		if (!problem && typeof body.external_task_id === 'string' && external.has(body.external_task_id)) {
			problem = `external_task_id "${body.external_task_id}" already exists`;
		}
		if (problem) return invalid(ctx, problem);
		if (engine.submitRateLimited(ctx, mod)) return;
		const callbackUrl = /** @type {string | undefined} */ (body.callback_url) || undefined;
		const duration = Number(body.duration ?? '5');
		const task = engine.createTask(
			{
				provider: 'kling',
				model,
				mode: i2v ? 'image-to-video' : 'text-to-video',
				input: body,
				duration,
				shots,
				aspectRatio: i2v ? '16:9' : /** @type {string} */ (body.aspect_ratio ?? '16:9'),
				audio: body.sound === 'on',
				resolution: /** @type {string} */ (body.mode ?? 'std'),
				imageUrls,
				callbackUrl,
				id: nextId(),
				extra: { api: 'legacy', endpoint, mode: body.mode ?? 'std', externalTaskId: body.external_task_id },
			},
			mod,
		);
		if (typeof body.external_task_id === 'string') external.set(body.external_task_id, task.id);
		if (task.finalState === 'succeeded') remainingUnits = Math.max(0, remainingUnits - units(task));
		ctx.mark('submit', task.id);
		if (callbackUrl) scheduleCallbacks(task, callbackUrl, callbackBody);
		if (engine.submitAnswerLost(ctx, mod)) return;
		ok(ctx, taskData(task));
	}

	/* ----------------------------------------------------------- new per-model submit */

	/** @param {Ctx} ctx @param {string} route e.g. "text-to-video/kling-3.0" */
	function submitNew(ctx, route) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return kerr(ctx, 1200, 'Invalid request parameters: the body is not valid JSON');
		}
		const spec = KLING_NEW_MODELS[route];
		if (!spec) return kerr(ctx, 1203, `The requested resource does not exist: model ${route} is not available`);
		if (!isPlainObject(body)) return kerr(ctx, 1200, 'Invalid request parameters: the body must be a JSON object');
		/** @type {Record<string, FieldSpec>} */
		const top = {
			...(spec.kind === 't2v' ? { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: spec.promptMax } } : { contents: { type: 'array', required: true, minItems: 1 } }),
			settings: { type: 'object', fields: spec.settings },
			options: { type: 'object', fields: OPTIONS },
		};
		const issue = checkObject(body, top)[0];
		if (issue) return invalid(ctx, issue.message);
		const settings = /** @type {Record<string, any>} */ (body.settings ?? {});
		const options = /** @type {Record<string, any>} */ (body.options ?? {});
		/** @type {Record<string, any[]>} */
		const by = {};
		let prompt = typeof body.prompt === 'string' ? body.prompt : '';
		if (spec.kind !== 't2v') {
			for (const [i, item] of /** @type {unknown[]} */ (body.contents).entries()) {
				if (!isPlainObject(item)) return invalid(ctx, `contents[${i}] must be an object`);
				const type = /** @type {string} */ (item.type);
				if (!spec.contents?.includes(type)) return invalid(ctx, `contents[${i}].type must be one of ${spec.contents?.map((t) => `"${t}"`).join(', ')} (got ${JSON.stringify(item.type)})`);
				const p = checkObject(item, CONTENT_FIELDS[type], `contents[${i}].`)[0];
				if (p) return invalid(ctx, p.message);
				(by[type] ??= []).push(item);
			}
			if ((by.prompt?.length ?? 0) > 1) return invalid(ctx, 'contents may hold one prompt item');
			prompt = by.prompt?.[0]?.text ?? '';
			if (prompt.length > spec.promptMax) return invalid(ctx, `the prompt must be at most ${spec.promptMax} characters (got ${prompt.length})`);
			for (const t of ['first_frame', 'last_frame']) if ((by[t]?.length ?? 0) > 1) return invalid(ctx, `contents may hold one ${t}`);
			if (spec.kind === 'i2v' && !by.first_frame) return invalid(ctx, 'contents needs a first_frame item ({type:"first_frame", url})');
			if (by.last_frame && !by.first_frame) return invalid(ctx, 'a last_frame needs a first_frame (last frame alone is not supported)');
			if (spec.kind === 'omni' && !prompt.trim()) return invalid(ctx, 'contents needs a prompt item ({type:"prompt", text})');
			if ((by.element?.length ?? 0) > (spec.maxElements ?? 0)) return invalid(ctx, `contents accepts at most ${spec.maxElements} element items`);
			if ((by.voice?.length ?? 0) > (spec.maxVoices ?? 0)) return invalid(ctx, `contents accepts at most ${spec.maxVoices} voice items`);
		}
		const audio = settings.audio ?? 'off';
		const resolution = settings.resolution ?? (route.endsWith('/kling-2.6') && audio === 'native' ? '1080p' : spec.defaultResolution);
		const duration = settings.duration ?? 5;
		// model rules
		if (route.endsWith('/kling-2.6')) {
			if (audio === 'native' && resolution !== '1080p') return invalid(ctx, 'settings.audio "native" with kling-2.6 requires settings.resolution "1080p"');
			if (by.last_frame && (resolution !== '1080p' || audio === 'native')) return invalid(ctx, 'a last_frame with kling-2.6 requires settings.resolution "1080p" and settings.audio "off"');
			if (by.voice && audio === 'off') return invalid(ctx, 'voice items require settings.audio "native"');
		}
		if (route === 'image-to-video/kling-2.5-turbo' && by.last_frame && resolution !== '1080p') return invalid(ctx, 'first + last frame with kling-2.5-turbo requires settings.resolution "1080p"');
		if (spec.kind === 'omni') {
			const videos = [...(by.feature_video ?? []), ...(by.base_video ?? [])];
			if (videos.length > 1) return invalid(ctx, 'contents accepts at most one video (feature_video or base_video)');
			const images = (by.refer_image?.length ?? 0) + (by.element?.length ?? 0);
			if (images > (videos.length ? 4 : 7)) return invalid(ctx, `reference images + elements are limited to ${videos.length ? 4 : 7}${videos.length ? ' with a reference video' : ''} (got ${images})`);
			if (by.feature_video && audio !== 'off') return invalid(ctx, 'with a feature_video settings.audio must be "off"');
			if (by.base_video && (by.first_frame || by.last_frame)) return invalid(ctx, 'a base_video (edit) cannot be combined with first_frame / last_frame');
			if (by.base_video && settings.multi_shot === true) return invalid(ctx, 'a base_video (edit) does not support multi_shot');
			if (by.base_video && audio === 'native') return invalid(ctx, 'settings.audio "native" is not allowed with a base_video');
			if (audio === 'original' && !by.base_video) return invalid(ctx, 'settings.audio "original" keeps the sound of a base_video; there is none');
			if (route === 'omni-video/kling-o1' && by.first_frame && !by.refer_image && !by.element && !videos.length && ![5, 10].includes(duration)) {
				return invalid(ctx, 'kling-o1 with a first frame alone makes 5 or 10 s videos');
			}
		}
		/** @type {number[] | null} */
		let shots = null;
		if (spec.shotSyntax && settings.multi_shot !== false) {
			const parsed = parseShotPrompt(prompt);
			if (parsed?.problem) return invalid(ctx, parsed.problem);
			if (parsed) {
				shots = parsed.shots;
				const sum = shots.reduce((a, b) => a + b, 0);
				if (sum !== duration) return invalid(ctx, `the shots in the prompt add up to ${sum} s but settings.duration is ${duration} s; they must be equal`);
				if (by.last_frame) return invalid(ctx, 'a multi-shot prompt does not support a last_frame');
			}
		}
		const externalId = /** @type {string | undefined} */ (options.external_task_id);
		if (externalId !== undefined && external.has(externalId)) return invalid(ctx, `options.external_task_id "${externalId}" already exists`);
		/** @type {string[]} */
		const imageUrls = [];
		for (const t of ['first_frame', 'last_frame', 'refer_image']) {
			for (const item of by[t] ?? []) {
				const r = checkImage(item.url, `${t}.url`);
				if (r.problem) return invalid(ctx, r.problem);
				if (r.url) imageUrls.push(r.url);
			}
		}
		/** @type {{ capability?: import('../core/engine.mjs').Capability, inputs?: Record<string, unknown>, failWith?: string | null, duration?: number, audio?: boolean, aspect?: string }} */
		let omni = {};
		if (spec.kind === 'omni') {
			const video = by.base_video?.[0] ?? by.feature_video?.[0];
			// prompt references `@<id>` [O6][O13]: an id-like reference (@image_N, @video_N, @element_N) must name a content
			// item; items without `id` answer to @image_N (refer_image order) / @video_1 (choice)
			const ids = new Set();
			(by.refer_image ?? []).forEach((it, i) => ids.add(it.id ?? `image_${i + 1}`));
			for (const t of ['first_frame', 'last_frame', 'element']) for (const it of by[t] ?? []) if (it.id) ids.add(it.id);
			if (video) ids.add(video.id ?? 'video_1');
			for (const m of prompt.matchAll(/@((?:image|video|element)_\d+)(?![\w])/gi)) {
				if (!ids.has(m[1])) return invalid(ctx, `the prompt references @${m[1]} but no content item has the id "${m[1]}"`);
			}
			const o1 = route === 'omni-video/kling-o1';
			const read = video
				? readInput(engine, video.url, o1
					? { field: `${video.type}.url`, want: 'video', minSec: 3, maxSec: 10, maxPx: 2160 }
					: { field: `${video.type}.url`, want: 'video', minSec: 3, maxSec: 15.5, minPx: 700, maxPx: 4553, maxBytes: 200 * 1024 * 1024 })
				: null;
			if (read?.problem) return invalid(ctx, read.problem);
			omni = {
				capability: by.base_video ? 'video-edit' : by.feature_video || by.refer_image || by.element ? 'reference-to-video' : by.first_frame ? 'image-to-video' : 'text-to-video',
				inputs: { images: by.refer_image?.length ?? 0, elements: by.element?.length ?? 0, ...(read ? { video: summary(read), videoType: video?.type } : {}) },
				failWith: read?.failWith ?? null,
				// a base video (edit) keeps its length (settings.duration is accepted and ignored — choice); "original" keeps its sound
				...(by.base_video && read ? { duration: read.seconds, audio: audio === 'original' && read.info.audio === true, aspect: aspectFrom(read) } : {}),
			};
		}
		if (engine.submitRateLimited(ctx, mod)) return;
		const callbackUrl = /** @type {string | undefined} */ (options.callback_url) || undefined;
		const hasMedia = Object.keys(by).some((t) => t !== 'prompt');
		const task = engine.createTask(
			{
				provider: 'kling',
				model: route.split('/')[1],
				mode: spec.kind === 'i2v' || (spec.kind === 'omni' && hasMedia) ? 'image-to-video' : 'text-to-video',
				input: body,
				duration: omni.duration ?? duration,
				shots,
				aspectRatio: omni.aspect ?? (spec.kind === 'i2v' ? '16:9' : (settings.aspect_ratio ?? '16:9')),
				// 3.0 Turbo takes no audio setting and always has sound (third-party reports: useapi 2026-06-17, Runware).
				audio: omni.audio ?? (route.endsWith('/kling-3.0-turbo') || audio === 'native' || audio === 'original'),
				resolution,
				imageUrls,
				callbackUrl,
				id: nextId('9'),
				extra: { api: 'new', route, externalTaskId: externalId, settings: { ...settings } },
				capability: omni.capability,
				inputs: omni.inputs,
				failWith: omni.failWith,
			},
			mod,
		);
		if (externalId !== undefined) external.set(externalId, task.id);
		if (task.finalState === 'succeeded') remainingUnits = Math.max(0, remainingUnits - units(task));
		ctx.mark('submit', task.id);
		if (callbackUrl) scheduleCallbacks(task, callbackUrl, newTask);
		if (engine.submitAnswerLost(ctx, mod)) return;
		/** @type {Record<string, unknown>} */
		const data = { id: task.id, status: 'submitted', create_time: task.createdAt, update_time: task.createdAt };
		if (externalId !== undefined) data.external_id = externalId;
		ok(ctx, data);
	}

	/* ----------------------------------------------------------- motion control, avatar, lip-sync, omni (legacy products) */

	const MB = 1024 * 1024;
	/** @type {Record<string, FieldSpec>} */
	const LEGACY_COMMON = { callback_url: { type: 'url' }, external_task_id: { type: 'string', nonEmpty: true }, watermark_info: { type: 'object', fields: { enabled: { type: 'boolean' } } } };
	/** @type {Map<string, { id: string, read: import('../core/capability.mjs').InputRead | null, seconds: number, audio: boolean, aspect: string, faces: string[], videoId?: string }>} */
	const sessions = new Map();

	/**
	 * A file field that takes an http(s) URL or raw Base64 (Kling's rule for files): a URL readInput can read.
	 * @param {unknown} v @param {string} name @returns {{ problem: string | null, url?: string }}
	 */
	function fileRef(v, name) {
		if (typeof v !== 'string' || !v.trim()) return { problem: `${name} must be a URL or a Base64 string` };
		if (/^https?:\/\//i.test(v)) {
			const p = V.url(v, name);
			return p ? { problem: p } : { problem: null, url: v };
		}
		if (/^data:/i.test(v)) return { problem: `${name} must be raw Base64 without a "data:" prefix (or an http(s) URL)` };
		const clean = v.replace(/\s+/g, '');
		if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return { problem: `${name} must be an http(s) URL or a Base64 string` };
		return { problem: null, url: `data:application/octet-stream;base64,${clean}` };
	}

	/** A video this account generated (`task_result.videos[].id` / `outputs[].id`). @param {string} videoId */
	function generatedVideo(videoId) {
		const t = [...engine.tasks.values()].find((x) => x.provider === 'kling' && `${x.id}-v0` === videoId);
		return t && engine.phase(t).phase === 'succeeded' ? t : undefined;
	}

	/**
	 * Create a task of a legacy product (flat body, task_id / task_status, poll GET /v1/videos/<endpoint>/{id}).
	 * @param {Ctx} ctx @param {string} endpoint @param {Record<string, any>} body
	 * @param {{ model: string, capability: import('../core/engine.mjs').Capability, duration: number, audio: boolean, aspectRatio?: string,
	 *   resolution: string, imageUrls?: string[], inputs: Record<string, unknown>, failWith?: string | null }} m
	 */
	function legacyCreate(ctx, endpoint, body, m) {
		const externalId = /** @type {string | undefined} */ (body.external_task_id);
		if (externalId !== undefined && external.has(externalId)) return invalid(ctx, `external_task_id "${externalId}" already exists`);
		if (engine.submitRateLimited(ctx, mod)) return;
		const callbackUrl = /** @type {string | undefined} */ (body.callback_url) || undefined;
		const task = engine.createTask(
			{
				provider: 'kling', model: m.model, mode: m.capability, capability: m.capability, input: body, duration: m.duration,
				aspectRatio: m.aspectRatio ?? '16:9', audio: m.audio, resolution: m.resolution, imageUrls: m.imageUrls ?? [], callbackUrl,
				id: nextId(), extra: { api: 'legacy', endpoint, mode: m.resolution, externalTaskId: externalId }, inputs: m.inputs, failWith: m.failWith ?? null,
			},
			mod,
		);
		if (externalId !== undefined) external.set(externalId, task.id);
		if (task.finalState === 'succeeded') remainingUnits = Math.max(0, remainingUnits - units(task));
		ctx.mark('submit', task.id);
		if (callbackUrl) scheduleCallbacks(task, callbackUrl, callbackBody);
		if (engine.submitAnswerLost(ctx, mod)) return;
		ok(ctx, taskData(task));
	}

	/** @param {Ctx} ctx @returns {Record<string, any> | undefined} the JSON object body, or undefined after answering 1200 */
	function objectBody(ctx) {
		let body;
		try {
			body = ctx.json();
		} catch {
			kerr(ctx, 1200, 'Invalid request parameters: the body is not valid JSON');
			return undefined;
		}
		if (!isPlainObject(body)) {
			kerr(ctx, 1200, 'Invalid request parameters: the body must be a JSON object');
			return undefined;
		}
		return body;
	}

	/** POST /v1/videos/motion-control (legacy) [O2]+3p. @param {Ctx} ctx */
	function submitMotionLegacy(ctx) {
		ctx.mark('submit');
		const body = objectBody(ctx);
		if (!body) return;
		const issue = checkObject(body, {
			model_name: { type: 'string', enum: ['kling-v2-6', 'kling-v3'] }, image_url: { type: 'string', required: true, nonEmpty: true }, video_url: { type: 'url', required: true },
			character_orientation: { type: 'string', required: true, enum: ['image', 'video'] }, mode: { type: 'string', required: true, enum: ['std', 'pro'] },
			keep_original_sound: { type: 'string', enum: ['yes', 'no'] }, prompt: { type: 'string', maxLength: 2500 },
			element_list: { type: 'array', maxItems: 1, items: { type: 'object', fields: { element_id: { type: 'intOrString', required: true } } } }, ...LEGACY_COMMON,
		})[0];
		if (issue) return invalid(ctx, issue.message);
		const model = body.model_name ?? 'kling-v2-6';
		if (body.element_list !== undefined && model !== 'kling-v3') return invalid(ctx, 'element_list is supported by kling-v3 motion control only');
		const img = checkImage(body.image_url, 'image_url');
		if (img.problem) return invalid(ctx, img.problem);
		const r = readInput(engine, body.video_url, { field: 'video_url', want: 'video', minSec: 3, maxSec: body.character_orientation === 'image' ? 10 : 30, maxBytes: 100 * MB });
		if (r.problem) return invalid(ctx, body.character_orientation === 'image' && /at most \d+ s/.test(r.problem) ? `${r.problem} (character_orientation "image")` : r.problem);
		legacyCreate(ctx, 'motion-control', body, {
			model, capability: 'motion-control', duration: r.seconds, audio: body.keep_original_sound !== 'no' && r.info.audio === true, aspectRatio: aspectFrom(r),
			resolution: body.mode, imageUrls: img.url ? [img.url] : [], inputs: { video: summary(r), orientation: body.character_orientation }, failWith: r.failWith,
		});
	}

	/** POST /v1/videos/avatar/image2video [O1][O5]: image + (audio_id XOR sound_file); output = the audio's length. @param {Ctx} ctx */
	function submitAvatar(ctx) {
		ctx.mark('submit');
		const body = objectBody(ctx);
		if (!body) return;
		const issue = checkObject(body, {
			image: { type: 'string', required: true, nonEmpty: true }, audio_id: { type: 'string', nonEmpty: true }, sound_file: { type: 'string', nonEmpty: true },
			prompt: { type: 'string', maxLength: 2500 }, mode: { type: 'string', enum: ['std', 'pro'] }, ...LEGACY_COMMON,
		})[0];
		if (issue) return invalid(ctx, issue.message);
		if ((body.audio_id === undefined) === (body.sound_file === undefined)) return invalid(ctx, 'send audio_id (a TTS audio) or sound_file (an audio file), exactly one of them');
		const img = checkImage(body.image, 'image');
		if (img.problem) return invalid(ctx, img.problem);
		/** @type {import('../core/capability.mjs').InputRead | null} */
		let r = null;
		if (body.sound_file !== undefined) {
			const f = fileRef(body.sound_file, 'sound_file');
			if (f.problem) return invalid(ctx, f.problem);
			r = readInput(engine, /** @type {string} */ (f.url), { field: 'sound_file', want: 'audio', minSec: 2, maxSec: 300, maxBytes: 5 * MB });
			if (r.problem) return invalid(ctx, r.problem);
		}
		// audio_id: a TTS result of this account — its length is unknown here: remoteAudioSeconds (choice)
		const seconds = r ? r.seconds : engine.opts.remoteAudioSeconds;
		const image = img.url ? readInput(engine, img.url, { field: 'image', want: 'image' }) : null;
		legacyCreate(ctx, 'avatar/image2video', body, {
			model: 'kling-avatar', capability: 'avatar', duration: seconds, audio: true, aspectRatio: aspectFrom(image, '1:1'), resolution: body.mode ?? 'std',
			imageUrls: img.url ? [img.url] : [], inputs: r ? { audio: summary(r) } : { audioId: body.audio_id, seconds }, failWith: r?.failWith,
		});
	}

	/** POST /v1/videos/identify-face [O6]: synchronous; answers a session for advanced-lip-sync. @param {Ctx} ctx */
	function identifyFace(ctx) {
		ctx.mark('other');
		const body = objectBody(ctx);
		if (!body) return;
		const issue = checkObject(body, { video_id: { type: 'string', nonEmpty: true }, video_url: { type: 'url' } })[0];
		if (issue) return invalid(ctx, issue.message);
		if ((body.video_id === undefined) === (body.video_url === undefined)) return invalid(ctx, 'send video_id or video_url, exactly one of them');
		/** @type {{ read: import('../core/capability.mjs').InputRead | null, seconds: number, audio: boolean, aspect: string }} */
		let v;
		if (body.video_id !== undefined) {
			const t = generatedVideo(body.video_id);
			if (!t) return invalid(ctx, `video_id ${body.video_id} is not a video generated by this account (or it is not ready)`);
			v = { read: null, seconds: t.duration, audio: t.audio, aspect: t.aspectRatio };
		} else {
			// mp4/mov ≤100 MB, 2–60 s, 720p/1080p [O6]
			const r = readInput(engine, body.video_url, { field: 'video_url', want: 'video', minSec: 2, maxSec: 60, maxBytes: 100 * MB, minPx: 720, maxPx: 1920 });
			if (r.problem) return invalid(ctx, r.problem);
			if (r.failWith) return invalid(ctx, r.failWith === 'media-missing' ? 'failed to download the video from video_url' : 'video_url is not a valid mp4/mov video');
			v = { read: r, seconds: r.seconds, audio: r.info.audio === true, aspect: aspectFrom(r) };
		}
		const id = crypto.randomUUID();
		sessions.set(id, { id, ...v, faces: ['0'], videoId: body.video_id });
		ok(ctx, {
			session_id: id,
			face_data: [{ face_id: '0', face_image: `${engine.url}/_assets/tiny.png`, start_time: 0, end_time: Math.round(v.seconds * 1000) }],
		});
	}

	/** POST /v1/videos/advanced-lip-sync [O6]: one face of an identify-face session + its audio. @param {Ctx} ctx */
	function submitAdvancedLipSync(ctx) {
		ctx.mark('submit');
		const body = objectBody(ctx);
		if (!body) return;
		const issue = checkObject(body, {
			session_id: { type: 'string', required: true, nonEmpty: true },
			face_choose: {
				type: 'array', required: true, minItems: 1, maxItems: 1,
				items: {
					type: 'object',
					fields: {
						face_id: { type: 'string', required: true, nonEmpty: true }, audio_id: { type: 'string', nonEmpty: true }, sound_file: { type: 'string', nonEmpty: true },
						sound_start_time: { type: 'integer', required: true, min: 0 }, sound_end_time: { type: 'integer', required: true, min: 0 }, sound_insert_time: { type: 'integer', required: true, min: 0 },
						sound_volume: { type: 'number', min: 0, max: 2 }, original_audio_volume: { type: 'number', min: 0, max: 2 },
					},
				},
			},
			...LEGACY_COMMON,
		})[0];
		if (issue) return invalid(ctx, issue.message);
		const session = sessions.get(body.session_id);
		if (!session) return invalid(ctx, `session_id ${body.session_id} not found (call /v1/videos/identify-face first)`);
		const face = body.face_choose[0];
		if (!session.faces.includes(face.face_id)) return invalid(ctx, `face_choose[0].face_id "${face.face_id}" is not a face of this session (${session.faces.join(', ')})`);
		if ((face.audio_id === undefined) === (face.sound_file === undefined)) return invalid(ctx, 'face_choose[0]: send audio_id or sound_file, exactly one of them');
		/** @type {import('../core/capability.mjs').InputRead | null} */
		let r = null;
		if (face.sound_file !== undefined) {
			const f = fileRef(face.sound_file, 'face_choose[0].sound_file');
			if (f.problem) return invalid(ctx, f.problem);
			r = readInput(engine, /** @type {string} */ (f.url), { field: 'face_choose[0].sound_file', want: 'audio', minSec: 2, maxSec: 60, maxBytes: 5 * MB });
			if (r.problem) return invalid(ctx, r.problem);
		}
		const audioMs = Math.round((r ? r.seconds : engine.opts.remoteAudioSeconds) * 1000);
		const clip = face.sound_end_time - face.sound_start_time;
		if (face.sound_end_time > audioMs) return invalid(ctx, `face_choose[0].sound_end_time ${face.sound_end_time} ms is past the end of the audio (${audioMs} ms)`);
		if (clip < 2000) return invalid(ctx, 'face_choose[0]: the audio clip (sound_end_time − sound_start_time) must last at least 2 s');
		const videoMs = Math.round(session.seconds * 1000);
		if (face.sound_insert_time + clip > videoMs) return invalid(ctx, `face_choose[0]: the clip inserted at ${face.sound_insert_time} ms runs past the end of the video (${videoMs} ms)`);
		legacyCreate(ctx, 'advanced-lip-sync', body, {
			model: 'kling-lip-sync', capability: 'lip-sync', duration: session.seconds, audio: true, aspectRatio: session.aspect, resolution: 'std',
			inputs: { video: session.read ? summary(session.read) : { videoId: session.videoId, seconds: session.seconds }, ...(r ? { audio: summary(r) } : { audioId: face.audio_id }), clipMs: clip },
			failWith: r?.failWith,
		});
	}

	/** POST /v1/videos/lip-sync (legacy, 3p [O9]): `input{video_id|video_url, mode audio2video|text2video, …}`. @param {Ctx} ctx */
	function submitLipSyncLegacy(ctx) {
		ctx.mark('submit');
		const body = objectBody(ctx);
		if (!body) return;
		const issue = checkObject(body, {
			input: {
				type: 'object', required: true,
				fields: {
					video_id: { type: 'string', nonEmpty: true }, video_url: { type: 'url' }, mode: { type: 'string', required: true, enum: ['audio2video', 'text2video'] },
					audio_type: { type: 'string', enum: ['file', 'url'] }, audio_file: { type: 'string', nonEmpty: true }, audio_url: { type: 'url' },
					text: { type: 'string', nonEmpty: true, maxLength: 120 }, voice_id: { type: 'string', nonEmpty: true }, voice_language: { type: 'string', enum: ['zh', 'en'] },
					voice_speed: { type: 'number', min: 0.8, max: 2 },
				},
			},
			...LEGACY_COMMON,
		})[0];
		if (issue) return invalid(ctx, issue.message);
		const i = /** @type {Record<string, any>} */ (body.input);
		if ((i.video_id === undefined) === (i.video_url === undefined)) return invalid(ctx, 'input: send video_id or video_url, exactly one of them');
		const audioFields = ['audio_type', 'audio_file', 'audio_url'].filter((f) => i[f] !== undefined);
		const textFields = ['text', 'voice_id', 'voice_language', 'voice_speed'].filter((f) => i[f] !== undefined);
		/** @type {import('../core/capability.mjs').InputRead | null} */
		let audio = null;
		if (i.mode === 'audio2video') {
			if (textFields.length) return invalid(ctx, `input.${textFields[0]} is for mode "text2video"`);
			if (!i.audio_type) return invalid(ctx, 'input.audio_type ("file" or "url") is required for mode "audio2video"');
			const f = i.audio_type === 'url' ? (i.audio_url === undefined ? { problem: 'input.audio_url is required when input.audio_type is "url"' } : { problem: null, url: i.audio_url }) : i.audio_file === undefined ? { problem: 'input.audio_file (Base64) is required when input.audio_type is "file"' } : fileRef(i.audio_file, 'input.audio_file');
			if (f.problem) return invalid(ctx, f.problem);
			audio = readInput(engine, /** @type {string} */ (f.url), { field: i.audio_type === 'url' ? 'input.audio_url' : 'input.audio_file', want: 'audio', minSec: 2, maxSec: 60, maxBytes: 5 * MB });
			if (audio.problem) return invalid(ctx, audio.problem);
		} else {
			if (audioFields.length) return invalid(ctx, `input.${audioFields[0]} is for mode "audio2video"`);
			if (i.text === undefined || i.voice_id === undefined) return invalid(ctx, 'input.text and input.voice_id are required for mode "text2video"');
		}
		/** @type {import('../core/capability.mjs').InputRead | null} */
		let video = null;
		let seconds = 5;
		let aspect = '16:9';
		if (i.video_id !== undefined) {
			const t = generatedVideo(i.video_id);
			if (!t) return invalid(ctx, `input.video_id ${i.video_id} is not a video generated by this account (or it is not ready)`);
			seconds = t.duration;
			aspect = t.aspectRatio;
		} else {
			video = readInput(engine, i.video_url, { field: 'input.video_url', want: 'video', minSec: 2, maxSec: 10, maxBytes: 100 * MB, minPx: 720, maxPx: 1920 });
			if (video.problem) return invalid(ctx, video.problem);
			seconds = video.seconds;
			aspect = aspectFrom(video);
		}
		legacyCreate(ctx, 'lip-sync', body, {
			model: 'kling-lip-sync', capability: 'lip-sync', duration: seconds, audio: true, aspectRatio: aspect, resolution: 'std',
			inputs: { video: video ? summary(video) : { videoId: i.video_id, seconds }, ...(audio ? { audio: summary(audio) } : { text: i.text.length }) },
			failWith: video?.failWith ?? audio?.failWith ?? null,
		});
	}

	/**
	 * POST /v1/videos/omni-video (legacy; model_name kling-video-o1 | kling-v3-omni) [O3][O4][O6] §7: text / image /
	 * reference-to-video and, with a `video_list` item of refer_type "base", video edit.
	 * @param {Ctx} ctx
	 */
	function submitOmniLegacy(ctx) {
		ctx.mark('submit');
		const body = objectBody(ctx);
		if (!body) return;
		const model = body.model_name ?? 'kling-video-o1';
		const o1 = model === 'kling-video-o1';
		const issue = checkObject(body, {
			model_name: { type: 'string', enum: ['kling-video-o1', 'kling-v3-omni'] },
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 },
			image_list: { type: 'array', maxItems: 7, items: { type: 'object', fields: { image_url: { type: 'string', required: true, nonEmpty: true }, type: { type: 'string', enum: ['first_frame', 'end_frame'] } } } },
			video_list: { type: 'array', maxItems: 1, items: { type: 'object', fields: { video_url: { type: 'url', required: true }, refer_type: { type: 'string', required: true, enum: ['base', 'feature'] }, keep_original_sound: { type: 'string', enum: ['yes', 'no'] } } } },
			element_list: { type: 'array', items: { type: 'object', fields: { element_id: { type: 'intOrString', required: true } } } },
			sound: { type: 'string', enum: ['on', 'off'] }, mode: { type: 'string', enum: ['std', 'pro'] }, aspect_ratio: { type: 'string', enum: AR3 },
			duration: { type: 'intString', min: 3, max: o1 ? 10 : 15 },
			...LEGACY_COMMON,
		})[0];
		if (issue) return invalid(ctx, issue.message);
		const images = /** @type {Record<string, any>[]} */ (body.image_list ?? []);
		const video = /** @type {Record<string, any> | undefined} */ (body.video_list?.[0]);
		const elements = body.element_list?.length ?? 0;
		const base = video?.refer_type === 'base';
		if (images.length + elements > (video ? 4 : 7)) return invalid(ctx, `image_list + element_list are limited to ${video ? 4 : 7}${video ? ' with a video' : ''} (got ${images.length + elements})`);
		if (o1 && body.sound === 'on') return invalid(ctx, 'sound "on" is not supported by kling-video-o1 (no native audio)');
		if (video && body.sound === 'on') return invalid(ctx, 'with a video_list item sound must be "off"');
		const first = images.filter((x) => x.type === 'first_frame').length;
		const end = images.filter((x) => x.type === 'end_frame').length;
		if (first > 1 || end > 1) return invalid(ctx, 'image_list may hold one first_frame and one end_frame');
		if (end && !first) return invalid(ctx, 'an end_frame needs a first_frame');
		if (base && (first || end)) return invalid(ctx, 'a base video (edit) cannot be combined with first_frame / end_frame images');
		if (o1 && first && !video && images.length === first + end && !elements && body.duration !== undefined && !['5', '10'].includes(body.duration)) {
			return invalid(ctx, 'kling-video-o1 with frames alone makes 5 or 10 s videos');
		}
		const refs = checkPromptRefs(body.prompt, { angle: true }, { image: images.length, element: elements, video: video ? 1 : 0 });
		if (refs) return invalid(ctx, refs);
		/** @type {string[]} */
		const imageUrls = [];
		for (const [k, it] of images.entries()) {
			const r = checkImage(it.image_url, `image_list[${k}].image_url`);
			if (r.problem) return invalid(ctx, r.problem);
			if (r.url) imageUrls.push(r.url);
		}
		const r = video ? readInput(engine, video.video_url, { field: 'video_list[0].video_url', want: 'video', minSec: 3, maxSec: 10, minPx: 720, maxPx: 2160, maxBytes: 200 * MB }) : null;
		if (r?.problem) return invalid(ctx, r.problem);
		const capability = base ? 'video-edit' : video || elements || images.length > first + end ? 'reference-to-video' : first ? 'image-to-video' : 'text-to-video';
		legacyCreate(ctx, 'omni-video', body, {
			model, capability,
			duration: base && r ? r.seconds : Number(body.duration ?? '5'),
			audio: base && r ? video?.keep_original_sound !== 'no' && r.info.audio === true : body.sound === 'on',
			aspectRatio: base ? aspectFrom(r) : (body.aspect_ratio ?? '16:9'),
			resolution: body.mode ?? 'std', imageUrls,
			inputs: { images: images.length, elements, ...(r ? { video: summary(r), referType: video?.refer_type } : {}) },
			failWith: r?.failWith,
		});
	}

	/**
	 * New API POST /motion-control/kling-2.6 | /motion-control/kling-3.0 [O6] §3.5 B: contents prompt / image / video
	 * (+ one element on 3.0), settings{character_orientation (req), audio original|off, resolution}, options.
	 * @param {Ctx} ctx @param {string} route
	 */
	function submitMotionNew(ctx, route) {
		ctx.mark('submit');
		const body = objectBody(ctx);
		if (!body) return;
		const v3 = route === 'motion-control/kling-3.0';
		const issue = checkObject(body, {
			contents: { type: 'array', required: true, minItems: 1 },
			settings: { type: 'object', required: true, fields: { character_orientation: { type: 'string', required: true, enum: ['image', 'video'] }, audio: { type: 'string', enum: ['original', 'off'] }, resolution: { type: 'string', enum: ['720p', '1080p'] } } },
			options: { type: 'object', fields: OPTIONS },
		})[0];
		if (issue) return invalid(ctx, issue.message);
		const types = ['prompt', 'image', 'video', ...(v3 ? ['element'] : [])];
		/** @type {Record<string, Record<string, FieldSpec>>} */
		const fields = {
			prompt: { type: { type: 'string' }, text: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 } },
			image: { type: { type: 'string' }, url: { type: 'string', required: true, nonEmpty: true } },
			video: { type: { type: 'string' }, url: { type: 'url', required: true } },
			element: CONTENT_FIELDS.element,
		};
		/** @type {Record<string, any[]>} */
		const by = {};
		for (const [i, item] of /** @type {unknown[]} */ (body.contents).entries()) {
			if (!isPlainObject(item)) return invalid(ctx, `contents[${i}] must be an object`);
			if (!types.includes(/** @type {string} */ (item.type))) return invalid(ctx, `contents[${i}].type must be one of ${types.map((t) => `"${t}"`).join(', ')} (got ${JSON.stringify(item.type)})`);
			const p = checkObject(item, fields[/** @type {string} */ (item.type)], `contents[${i}].`)[0];
			if (p) return invalid(ctx, p.message);
			(by[/** @type {string} */ (item.type)] ??= []).push(item);
		}
		for (const t of ['prompt', 'image', 'video', 'element']) if ((by[t]?.length ?? 0) > 1) return invalid(ctx, `contents may hold one ${t} item`);
		if (!by.image || !by.video) return invalid(ctx, 'contents needs an image item ({type:"image", url}) and a video item ({type:"video", url})');
		const settings = /** @type {Record<string, any>} */ (body.settings);
		const options = /** @type {Record<string, any>} */ (body.options ?? {});
		const externalId = /** @type {string | undefined} */ (options.external_task_id);
		if (externalId !== undefined && external.has(externalId)) return invalid(ctx, `options.external_task_id "${externalId}" already exists`);
		const img = checkImage(by.image[0].url, 'image.url');
		if (img.problem) return invalid(ctx, img.problem);
		const r = readInput(engine, by.video[0].url, { field: 'video.url', want: 'video', minSec: 3, maxSec: settings.character_orientation === 'image' ? 10 : 30, maxBytes: 100 * MB });
		if (r.problem) return invalid(ctx, settings.character_orientation === 'image' && /at most \d+ s/.test(r.problem) ? `${r.problem} (character_orientation "image")` : r.problem);
		if (engine.submitRateLimited(ctx, mod)) return;
		const callbackUrl = /** @type {string | undefined} */ (options.callback_url) || undefined;
		const task = engine.createTask(
			{
				provider: 'kling', model: route.split('/')[1], mode: 'motion-control', capability: 'motion-control', input: body,
				// billed on output seconds; the output follows the reference video [O6]
				duration: motionSeconds(r.seconds, settings.character_orientation), audio: (settings.audio ?? 'original') === 'original' && r.info.audio === true,
				aspectRatio: aspectFrom(r), resolution: settings.resolution ?? '720p', imageUrls: img.url ? [img.url] : [], callbackUrl, id: nextId('9'),
				extra: { api: 'new', route, externalTaskId: externalId, settings: { ...settings } }, inputs: { video: summary(r), orientation: settings.character_orientation }, failWith: r.failWith,
			},
			mod,
		);
		if (externalId !== undefined) external.set(externalId, task.id);
		if (task.finalState === 'succeeded') remainingUnits = Math.max(0, remainingUnits - units(task));
		ctx.mark('submit', task.id);
		if (callbackUrl) scheduleCallbacks(task, callbackUrl, newTask);
		if (engine.submitAnswerLost(ctx, mod)) return;
		/** @type {Record<string, unknown>} */
		const data = { id: task.id, status: 'submitted', create_time: task.createdAt, update_time: task.createdAt };
		if (externalId !== undefined) data.external_id = externalId;
		ok(ctx, data);
	}

	/* ----------------------------------------------------------- queries */

	/** @param {string} id @returns {Task | undefined} */
	function find(id) {
		const byId = engine.tasks.get(id);
		if (byId?.provider === 'kling') return byId;
		const ext = engine.tasks.get(external.get(id) ?? '');
		return ext?.provider === 'kling' ? ext : undefined;
	}

	/** Legacy single query: GET /v1/videos/{ep}/{task_id | external_task_id}; every product has its own path. @param {Ctx} ctx @param {string} endpoint @param {string} rawId */
	async function status(ctx, endpoint, rawId) {
		const id = decodeURIComponent(rawId);
		const task = find(id);
		const mine = task && task.extra.api === 'legacy' && task.extra.endpoint === endpoint ? task : undefined;
		ctx.mark('status', mine?.id);
		if (!mine) return kerr(ctx, 1203, `The requested resource does not exist: task ${id} not found under /v1/videos/${endpoint}`);
		if (await engine.statusFault(ctx, mine, mod)) return;
		const data = taskData(mine);
		if (ctx.unknownStatus) data.task_status = ctx.unknownStatus;
		ok(ctx, data);
	}

	/**
	 * Legacy GET /v1/videos/{ep}?task_id= | ?external_task_id= (single, inferred second form) or ?pageNum=&pageSize= (list).
	 * @param {Ctx} ctx @param {string} endpoint
	 */
	async function legacyQuery(ctx, endpoint) {
		const one = ctx.query.get('external_task_id') ?? ctx.query.get('task_id');
		if (one !== null) return status(ctx, endpoint, encodeURIComponent(one));
		ctx.mark('status');
		const pageNum = Number(ctx.query.get('pageNum') ?? 1);
		const pageSize = Number(ctx.query.get('pageSize') ?? 30);
		if (!Number.isInteger(pageNum) || pageNum < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
			return invalid(ctx, 'pageNum must be ≥ 1 and pageSize 1–500');
		}
		const list = [...engine.tasks.values()].filter((t) => t.provider === 'kling' && t.extra.api === 'legacy' && t.extra.endpoint === endpoint).reverse();
		ok(ctx, list.slice((pageNum - 1) * pageSize, pageNum * pageSize).map((t) => taskData(t)));
	}

	/** New API GET /tasks?task_ids=a,b XOR ?external_task_ids=a,b → data: [...]. @param {Ctx} ctx */
	async function tasksQuery(ctx) {
		ctx.mark('status');
		const ids = ctx.query.get('task_ids');
		const ext = ctx.query.get('external_task_ids');
		if ((ids === null) === (ext === null)) return invalid(ctx, 'send task_ids or external_task_ids (one of them)');
		const wanted = /** @type {string} */ (ids ?? ext).split(',').map((x) => x.trim()).filter(Boolean);
		if (!wanted.length) return invalid(ctx, `${ids !== null ? 'task_ids' : 'external_task_ids'} must list at least one id`);
		const found = wanted
			.map((w) => (ids !== null ? engine.tasks.get(w) : engine.tasks.get(external.get(w) ?? '')))
			.filter((t) => t && t.provider === 'kling' && t.extra.api === 'new');
		const tasks = /** @type {Task[]} */ (found);
		if (tasks[0]) ctx.mark('status', tasks[0].id);
		if (await engine.statusFault(ctx, tasks[0], mod)) return;
		ok(ctx, tasks.map((t, i) => (i === 0 && ctx.unknownStatus ? { ...newTask(t), status: ctx.unknownStatus } : newTask(t))));
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'kling',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		unknownStatusWord: 'queued',
		fault(ctx, fault) {
			if (fault === '429') return kerr(ctx, 1302, 'The API request is too fast, exceeding the platform rate limit', engine.retryAfterHeader(ctx));
			if (fault === 'concurrency') return kerr(ctx, 1303, 'Parallel task over resource pack limit: too many tasks in progress', engine.retryAfterHeader(ctx));
			if (fault === 'credit') return kerr(ctx, 1102, 'Account resource pack depleted or expired');
			if (fault === 'arrears') return kerr(ctx, 1101, 'Account in arrears (overdue payment)');
			if (fault === '500') return kerr(ctx, 5000, 'Server internal error');
			return kerr(ctx, 5001, 'Server temporarily unavailable, usually due to maintenance');
		},
		async handle(ctx) {
			const p = ctx.path;
			const create = /^\/v1\/videos\/(text2video|image2video|omni-video|motion-control|avatar\/image2video|advanced-lip-sync|lip-sync)$/.exec(p);
			const get = /^\/v1\/videos\/(text2video|image2video|omni-video|motion-control|avatar\/image2video|advanced-lip-sync|lip-sync)\/([^/]+)$/.exec(p);
			const createNew = /^\/((?:text-to-video|image-to-video|omni-video|motion-control)\/[^/]+)$/.exec(p);
			const api = createNew || p === '/tasks' ? 'new' : 'legacy';
			if ((create || createNew) && ctx.method === 'POST') ctx.mark('submit');
			else if ((get || (create && ctx.method === 'GET') || p === '/tasks') && ctx.method === 'GET') ctx.mark('status');
			else if (p === '/account/costs') ctx.mark('credits');
			const auth = authProblem(ctx, api);
			if (auth) {
				try {
					ctx.json();
				} catch {
					/* journal keeps the raw body out */
				}
				return kerr(ctx, auth.code, auth.message);
			}
			if (p === '/v1/videos/identify-face' && ctx.method === 'POST') return identifyFace(ctx);
			if (create && ctx.method === 'POST') {
				switch (create[1]) {
					case 'omni-video':
						return submitOmniLegacy(ctx);
					case 'motion-control':
						return submitMotionLegacy(ctx);
					case 'avatar/image2video':
						return submitAvatar(ctx);
					case 'advanced-lip-sync':
						return submitAdvancedLipSync(ctx);
					case 'lip-sync':
						return submitLipSyncLegacy(ctx);
					default:
						return submit(ctx, /** @type {any} */ (create[1]));
				}
			}
			if (create && ctx.method === 'GET') return legacyQuery(ctx, /** @type {any} */ (create[1]));
			if (get && ctx.method === 'GET') return status(ctx, /** @type {any} */ (get[1]), get[2]);
			if (createNew && ctx.method === 'POST' && /^motion-control\//.test(createNew[1])) {
				if (!['motion-control/kling-2.6', 'motion-control/kling-3.0'].includes(createNew[1])) return kerr(ctx, 1203, `The requested resource does not exist: model ${createNew[1]} is not available`);
				return submitMotionNew(ctx, createNew[1]);
			}
			if (createNew && ctx.method === 'POST') return submitNew(ctx, createNew[1]);
			if (p === '/tasks' && ctx.method === 'GET') return tasksQuery(ctx);
			if (p === '/account/costs' && ctx.method === 'GET') {
				const start = Number(ctx.query.get('start_time'));
				const end = Number(ctx.query.get('end_time'));
				if (!ctx.query.get('start_time') || !ctx.query.get('end_time') || !Number.isFinite(start) || !Number.isFinite(end)) {
					return invalid(ctx, 'start_time and end_time (Unix ms) are required');
				}
				const now = Date.now();
				return ok(ctx, {
					code: 0,
					msg: 'success',
					resource_pack_subscribe_infos: [
						{
							resource_pack_name: 'Video Generation - 1000 units (emulator)',
							resource_pack_id: 'emulator-pack-0001',
							resource_pack_type: 'decreasing_total',
							total_quantity: 1000,
							remaining_quantity: remainingUnits,
							purchase_time: now - 86400000,
							effective_time: now - 86400000,
							invalid_time: now + 30 * 86400000,
							status: 'online',
						},
					],
				});
			}
			return kerr(ctx, 1202, `The requested method is invalid: ${ctx.method} ${p}`);
		},
	};
	return mod;
}
