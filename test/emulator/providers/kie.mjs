// @ts-check
/**
 * Kie.ai emulator — PROVIDERS.md §3 (seed 002). API under /kie, upload host under /kie-upload.
 *
 * Enforced exactly: Bearer auth, 401 `{"code":401,"msg":"You do not have access permissions"}` (§3.1);
 * POST /api/v1/jobs/createTask `{model, callBackUrl?, input}` (§3.2) with the two Kling 2.5 turbo pro models:
 *  - kling/v2-5-turbo-text-to-video-pro: prompt (req, ≤2500), duration STRING "5"|"10", aspect_ratio
 *    16:9|9:16|1:1, negative_prompt ≤2500, cfg_scale 0–1;
 *  - kling/v2-5-turbo-image-to-video-pro: prompt (req), image_url (req), tail_image_url (optional, "" allowed),
 *    duration STRING, negative_prompt ≤2496, cfg_scale 0–1; NO aspect_ratio.
 *  An integer duration is rejected. Submit → `{"code":200,"msg":"success","data":{"taskId":…}}`.
 * GET /api/v1/jobs/recordInfo?taskId= (§3.3): states waiting|queuing|generating|success|fail, `param` and
 * `resultJson` are JSON strings, failCode/failMsg, createTime/updateTime/completeTime (ms).
 * Callback to callBackUrl (§3.4): success `{code:200,msg,data:{…,state:"success",resultJson}}`, failure
 * `{code:501,msg,data:{…,state:"fail",failCode,failMsg}}`; when the HMAC key is set (`secrets.kie`, from
 * credentials.demo.json `webhookHmacKey`; set it to null to disable) headers `X-Webhook-Timestamp` (s) and
 * `X-Webhook-Signature = base64(HMAC-SHA256(key, taskId + "." + timestamp))` — body NOT signed.
 * Credits GET /api/v1/chat/credit → `{code:200,msg:"success",data:<int>}` (§3.5). Uploads (§3.5) under
 * /kie-upload: file-stream-upload (multipart file, uploadPath, fileName?), file-base64-upload, file-url-upload.
 *
 * Inferences / choices (where §3 is open or silent):
 *  - App errors are reported in the BODY code with HTTP 200 (inference from §3.2 "check both HTTP status and
 *    body code"): validation → `{code:422,msg}`, rate limit → `{code:429,msg}` (+ Retry-After header),
 *    server error → `{code:500,msg}`, the '503' fault → `{code:455,msg}` (Kie's "service unavailable").
 *    Unknown task → `{code:404,msg}` with HTTP 200. Only auth failures use HTTP 401.
 *  - recordInfo envelope: §3.3 shows `message`, every other Kie response `msg` → the emulator sends both.
 *  - Callback task id: `data.taskId` (§3.4 bodies); `task_id` is not sent (§3.4 ambiguity, §6.3).
 *  - costTime: seconds (the only example, §3.4, is in seconds; unit unclear §6.3), in recordInfo and callback.
 *  - Callback retries: undocumented (§3.4, §6.3); the emulator retries up to 3 times (5/10/20 s × timeScale).
 *  - failCode strings are undocumented apart from "500": content violation "400", image fetch failure "422",
 *    image > 10 MB "413", generic "500" ("Internal server error").
 *  - Unknown fields in `input` / top level → 422 naming the field (strict).
 *  - file-url-upload can only "download" URLs on this emulator (no internet); other URLs → 400.
 *  - Upload errors (undocumented): HTTP 400 `{success:false,code:400,msg}`; 401 `{success:false,code:401,msg}`.
 *  - Upload response: the stream-upload fields (fileName, filePath, downloadUrl, fileSize, mimeType, uploadedAt)
 *    plus the quickstart's fileId, fileUrl, expiresAt (3 days) — both documented forms.
 *
 * Kling 2.6 / 3.0 / 3.0 Turbo / 3.0 Omni (KLING-MODELS.md §3.3 [K1][K3][K4]) — `KIE_FAMILY`, same envelope:
 *  - kling-3.0/video (OpenAPI [K1]): REQUIRED prompt, sound, duration, mode, multi_shots, multi_prompt; duration a
 *    STRING "3"…"15"; mode std|pro (+ "4K", accepted per 3p [K3]; "2K" refused); aspect_ratio 16:9|9:16|1:1 (default
 *    1:1, ignored with a first frame); image_urls 1–2 ([first, last]); multi_prompt items {prompt ≤500, duration int
 *    1–12}, `[]` in single-shot (a non-empty list with multi_shots:false → 422); multi_shots:true needs sound:true and
 *    at most ONE image (first frame only); kling_elements {name, description, element_input_urls 2–4 |
 *    element_input_video_urls 1 (exactly one of them), element_input_audio_urls (3p)}; an element referenced as
 *    `@name` in a prompt requires image_urls. negative_prompt accepted (3p [K3], "not in OpenAPI").
 *  - kling-2.6/text-to-video: prompt, sound, aspect_ratio, duration "5"|"10"; kling-2.6/image-to-video: prompt,
 *    image_urls [exactly 1], sound, duration (3p, 4 fields each). Only prompt is required (required-ness not
 *    retrieved); sound defaults to false, t2v aspect to 1:1 (as kling-3.0).
 *  - kling/v3-turbo-text-to-video, kling/v3-turbo-image-to-video: field names NOT retrieved ([K4]: 4 fields each);
 *    3.0 Turbo always has sound (no audio field anywhere; third-party reports: useapi 2026-06-17, Runware).
 *    Chosen Kie-style names, the four fields of the official turbo API (§3.5 B): t2v prompt, aspect_ratio, duration,
 *    resolution 720p|1080p; i2v prompt, image_urls [1], duration, resolution. Also accepted, documented elsewhere:
 *    `mode` std|pro instead of resolution (Kie's kling-3.0 naming; not both), `image_url` (Kie 2.5 naming) instead
 *    of image_urls (exactly one of them), and duration as a string "3"…"15" OR an integer. No sound → silent.
 *  - kling-3.0-omni/{text-to-video,image-to-video} (3p [K3]): prompt, (i2v) image_urls [1], duration int 3–15
 *    (string form also accepted), resolution 720p|1080p|4k, aspect_ratio (i2v also "auto", single-shot only),
 *    audio bool (default false), customize_multi_shots + multi_prompt [{prompt ≤500, duration int}], elements ≤3;
 *    no mode / negative_prompt (unknown fields → 422, as [K3] reports for omni).
 *  Family choices: multi-shot ≤6 shots and Σ shot durations = duration (Kling's rules [O6]; Kie does not state
 *  them); ≤3 kling_elements (Kling's limit); credits per second from [K3] (std 14 / audio 20, pro 18 / 27, 4K 67;
 *  other models as std). Validation errors are body code 422 with HTTP 200, like the 2.5 models.
 *
 * Refusals and caps (body codes, HTTP 200, §3.2): rate limit and over the concurrency cap → `{code:429}` (+ Retry-After
 * header, not documented by Kie: emulator choice), out of credits → `{code:402, msg:"Insufficient credits"}` (also when
 * the emulated balance — option `kieCredits`, default 10,000 — runs out), maintenance → `{code:455}`. Nothing is created. Unknown-status fault word: "pending".
 *
 * Capabilities (KLING-MODELS.md §1b, §3.3 [K2][K4][K5][K6], §7) — `KIE_CAPS`, same envelope / recordInfo / callback:
 *  - kling-2.6/motion-control [K2 doc]: prompt ≤2500, input_urls [1 image], video_urls [1 video ≤100 MB, 3–30 s],
 *    character_orientation (req) image (video ≤10 s) | video (≤30 s), mode (req) 720p|1080p → body code 422.
 *    kling-3.0/motion-control (3p [K6]): same + background_source input_video|input_image; mode std/pro → body code 500.
 *    Output = the video's length; no sound field: the video's own sound is kept (Kling's keep_original_sound default —
 *    choice).
 *  - kling/ai-avatar-standard, kling/ai-avatar-pro (3p [K5]): image_url, audio_url (req), prompt ≤5000; ANY other field
 *    (e.g. `mode`) → body code 500 "Internal server error" ([K5]: silent 500). Audio ≤10 MB (kie.ai/kling-ai-avatar
 *    form), 2–300 s (Kling's avatar API [O1], inf). Output = the audio's length, with sound.
 *  - kling-3.0-omni/reference-to-video (3p [K3]): the omni image-to-video fields with image_urls ≤7 (+ elements: ≤7,
 *    ≤4 with a video) and video_urls (≤1, 3–15.5 s — Kling's 3.0-omni limits, inf), concrete aspect_ratio; audio:true
 *    with a video → 422 (Kling: feature video ⇒ audio off, inf). Prompt references `@image_1` / `@video_1` (the
 *    resellers' form §6b, inf) beyond the count → 422; elements by `@name` as before.
 *  - kling-3.0-omni/transformation: INFERRED to be video edit (the id is in Kie's catalogue [K7], no field list was
 *    retrieved): prompt (req), video_urls [exactly 1, 3–15.5 s], image_urls ≤4, elements, resolution, audio (true keeps
 *    the source's own sound; default false like Kie's omni `audio` — choice). Output = the video's length.
 *  Credits per output second (invented): motion 14 (720p) / 18 (1080p), avatar 14 / 18, omni as kling-3.0-omni.
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { checkObject, checkShots, intValue } from '../core/schema.mjs';
import { sniff } from '../core/media.mjs';
import { aspectFrom, checkPromptRefs, readInput, summary } from '../core/capability.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const KIE_T2V = 'kling/v2-5-turbo-text-to-video-pro';
export const KIE_I2V = 'kling/v2-5-turbo-image-to-video-pro';

const AR3 = ['16:9', '9:16', '1:1'];
/** @type {import('../core/schema.mjs').FieldSpec} */
const URLS = { type: 'array', items: { type: 'url' } };
/** `kling_elements` / omni `elements` item [K1][K3] */
/** @type {import('../core/schema.mjs').FieldSpec} */
const ELEMENT = {
	type: 'object',
	fields: {
		name: { type: 'string', required: true, nonEmpty: true },
		description: { type: 'string' },
		element_input_urls: { type: 'array', minItems: 2, maxItems: 4, items: { type: 'url' } },
		element_input_video_urls: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'url' } },
		element_input_audio_urls: { type: 'array', minItems: 1, items: { type: 'url' } },
	},
};

/**
 * Kling 2.6 / 3.0 / 3.0 Turbo / 3.0 Omni on Kie (KLING-MODELS.md §3.3).
 * @typedef {{ i2v: boolean, fields: Record<string, import('../core/schema.mjs').FieldSpec>,
 *   rules: (input: Record<string, any>) => string | null, media: (input: Record<string, any>) => { duration: number,
 *   audio: boolean, shots: number[] | null, resolution: string | null, aspectRatio: string }, images: (input: Record<string, any>) => string[],
 *   credits: (input: Record<string, any>, m: { duration: number, audio: boolean }) => number }} KieModel
 */
/** @type {Record<string, KieModel>} */
export const KIE_FAMILY = {
	'kling-2.6/text-to-video': {
		i2v: false,
		fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, sound: { type: 'boolean' }, aspect_ratio: { type: 'string', enum: AR3 }, duration: { type: 'intString', enum: ['5', '10'] } },
		rules: () => null,
		media: (i) => ({ duration: Number(i.duration ?? '5'), audio: i.sound === true, shots: null, resolution: null, aspectRatio: i.aspect_ratio ?? '1:1' }),
		images: () => [],
		credits: (_i, m) => m.duration * (m.audio ? 20 : 14),
	},
	'kling-2.6/image-to-video': {
		i2v: true,
		fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, image_urls: { ...URLS, required: true, minItems: 1, maxItems: 1 }, sound: { type: 'boolean' }, duration: { type: 'intString', enum: ['5', '10'] } },
		rules: () => null,
		media: (i) => ({ duration: Number(i.duration ?? '5'), audio: i.sound === true, shots: null, resolution: null, aspectRatio: '16:9' }),
		images: (i) => i.image_urls,
		credits: (_i, m) => m.duration * (m.audio ? 20 : 14),
	},
	'kling-3.0/video': {
		i2v: false,
		fields: {
			prompt: { type: 'string', required: true, maxLength: 2500 },
			image_urls: { ...URLS, minItems: 1, maxItems: 2 },
			sound: { type: 'boolean', required: true },
			duration: { type: 'intString', required: true, min: 3, max: 15 },
			aspect_ratio: { type: 'string', enum: AR3 },
			mode: { type: 'string', required: true, enum: ['std', 'pro', '4K'] },
			multi_shots: { type: 'boolean', required: true },
			multi_prompt: {
				type: 'array', required: true,
				items: { type: 'object', fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 500 }, duration: { type: 'integer', required: true, min: 1, max: 12 } } },
			},
			kling_elements: { type: 'array', maxItems: 3, items: ELEMENT },
			negative_prompt: { type: 'string', maxLength: 2500 },
		},
		rules: (i) => {
			if (i.multi_shots) {
				if (!i.sound) return 'input.sound must be true when input.multi_shots is true';
				if (i.image_urls?.length > 1) return 'input.image_urls: with multi_shots only the first frame is supported (one image)';
				const r = checkShots(i.multi_prompt, { field: 'input.multi_prompt', maxShots: 6, promptMax: 500, maxEach: 12, total: Number(i.duration) });
				if (r.issues.length) return r.issues[0].message;
			} else {
				if (i.multi_prompt.length) return 'input.multi_prompt must be [] when input.multi_shots is false';
				if (!i.prompt.trim()) return 'input.prompt must not be empty when input.multi_shots is false';
			}
			return elementRules(i, i.kling_elements, 'input.kling_elements');
		},
		media: (i) => ({
			duration: Number(i.duration),
			audio: i.sound === true,
			shots: i.multi_shots ? i.multi_prompt.map((/** @type {any} */ s) => s.duration) : null,
			resolution: i.mode,
			aspectRatio: i.image_urls?.length ? '16:9' : (i.aspect_ratio ?? '1:1'),
		}),
		images: (i) => i.image_urls ?? [],
		credits: (i, m) => m.duration * (i.mode === '4K' ? 67 : i.mode === 'pro' ? (m.audio ? 27 : 18) : m.audio ? 20 : 14),
	},
	'kling/v3-turbo-text-to-video': {
		i2v: false,
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, aspect_ratio: { type: 'string', enum: AR3 },
			duration: { type: 'intOrString', min: 3, max: 15 }, resolution: { type: 'string', enum: ['720p', '1080p'] }, mode: { type: 'string', enum: ['std', 'pro'] },
		},
		rules: (i) => (i.resolution !== undefined && i.mode !== undefined ? 'send input.resolution or input.mode, not both' : null),
		media: (i) => ({ duration: intValue(i.duration) ?? 5, audio: true, shots: null, resolution: i.resolution ?? (i.mode === 'pro' ? '1080p' : '720p'), aspectRatio: i.aspect_ratio ?? '1:1' }),
		images: () => [],
		credits: (_i, m) => m.duration * 14,
	},
	'kling/v3-turbo-image-to-video': {
		i2v: true,
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, image_urls: { ...URLS, minItems: 1, maxItems: 1 }, image_url: { type: 'url' },
			duration: { type: 'intOrString', min: 3, max: 15 }, resolution: { type: 'string', enum: ['720p', '1080p'] }, mode: { type: 'string', enum: ['std', 'pro'] },
		},
		rules: (i) => {
			if (i.resolution !== undefined && i.mode !== undefined) return 'send input.resolution or input.mode, not both';
			if ((i.image_urls === undefined) === (i.image_url === undefined)) return 'input.image_urls (one image) is required (or input.image_url, not both)';
			return null;
		},
		media: (i) => ({ duration: intValue(i.duration) ?? 5, audio: true, shots: null, resolution: i.resolution ?? (i.mode === 'pro' ? '1080p' : '720p'), aspectRatio: '16:9' }),
		images: (i) => i.image_urls ?? [i.image_url],
		credits: (_i, m) => m.duration * 14,
	},
	'kling-3.0-omni/text-to-video': omniModel(false),
	'kling-3.0-omni/image-to-video': omniModel(true),
};
/** every model id (KIE_CAPS is defined below, after the omni helpers) */
export const KIE_MODELS = [KIE_T2V, KIE_I2V, ...Object.keys(KIE_FAMILY), 'kling-2.6/motion-control', 'kling-3.0/motion-control', 'kling/ai-avatar-standard', 'kling/ai-avatar-pro', 'kling-3.0-omni/reference-to-video', 'kling-3.0-omni/transformation'];

/** @param {boolean} i2v @returns {KieModel} */
function omniModel(i2v) {
	return {
		i2v,
		fields: {
			prompt: { type: 'string', maxLength: 2500 },
			...(i2v ? { image_urls: { ...URLS, required: true, minItems: 1, maxItems: 1 } } : {}),
			duration: { type: 'intOrString', min: 3, max: 15 },
			resolution: { type: 'string', enum: ['720p', '1080p', '4k'] },
			aspect_ratio: { type: 'string', enum: i2v ? ['auto', ...AR3] : AR3 },
			audio: { type: 'boolean' },
			customize_multi_shots: { type: 'boolean' },
			multi_prompt: { type: 'array', items: { type: 'object', fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 500 }, duration: { type: 'integer', required: true, min: 1 } } } },
			elements: { type: 'array', maxItems: 3, items: ELEMENT },
		},
		rules: (i) => {
			if (i.customize_multi_shots) {
				if (!Array.isArray(i.multi_prompt) || !i.multi_prompt.length) return 'input.multi_prompt is required when input.customize_multi_shots is true';
				if (i.aspect_ratio === 'auto') return 'input.aspect_ratio "auto" is only supported in single-shot mode';
				const r = checkShots(i.multi_prompt, { field: 'input.multi_prompt', maxShots: 6, promptMax: 500, total: i.duration === undefined ? undefined : intValue(i.duration) });
				if (r.issues.length) return r.issues[0].message;
			} else {
				if (Array.isArray(i.multi_prompt) && i.multi_prompt.length) return 'input.multi_prompt needs input.customize_multi_shots: true';
				if (typeof i.prompt !== 'string' || !i.prompt.trim()) return 'input.prompt is required';
			}
			return elementRules(i, i.elements, 'input.elements');
		},
		media: (i) => {
			const shots = i.customize_multi_shots ? i.multi_prompt.map((/** @type {any} */ s) => s.duration) : null;
			return {
				duration: shots ? shots.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0) : (intValue(i.duration) ?? 5),
				audio: i.audio === true,
				shots,
				resolution: i.resolution ?? '720p',
				aspectRatio: i.aspect_ratio && i.aspect_ratio !== 'auto' ? i.aspect_ratio : '16:9',
			};
		},
		images: (i) => i.image_urls ?? [],
		credits: (i, m) => m.duration * (i.resolution === '4k' ? 67 : i.resolution === '1080p' ? (m.audio ? 27 : 18) : m.audio ? 20 : 14),
	};
}

/**
 * Elements: exactly one of element_input_urls / element_input_video_urls each; an element referenced in a prompt as
 * `@name` needs image_urls ([K1] "required when elements are referenced").
 * @param {Record<string, any>} i @param {unknown} elements @param {string} field
 */
function elementRules(i, elements, field) {
	if (!Array.isArray(elements)) return null;
	for (const [k, el] of elements.entries()) {
		if ((el.element_input_urls === undefined) === (el.element_input_video_urls === undefined)) {
			return `${field}[${k}] needs element_input_urls (2-4 images) or element_input_video_urls (1 video), exactly one of them`;
		}
	}
	const prompts = [i.prompt, ...(Array.isArray(i.multi_prompt) ? i.multi_prompt.map((/** @type {any} */ s) => s.prompt) : [])].filter((x) => typeof x === 'string');
	const referenced = elements.some((el) => prompts.some((p) => p.includes(`@${el.name}`)));
	if (referenced && !(Array.isArray(i.image_urls) && i.image_urls.length)) return 'input.image_urls is required when elements are referenced in the prompt';
	return null;
}

/* ------------------------------------------------------------------ motion control, avatar, omni reference / transformation */

const MB = 1024 * 1024;
/**
 * @typedef {{ problem?: string | null, code?: number, failWith?: string | null, duration?: number, audio?: boolean, aspectRatio?: string,
 *   resolution?: string | null, inputs?: Record<string, unknown>, imageUrls?: string[], shots?: number[] | null }} KieCapResult
 * @typedef {{ capability: import('../core/engine.mjs').Capability, fields: Record<string, import('../core/schema.mjs').FieldSpec>,
 *   unknownCode?: number, enumCode?: Record<string, number>, run: (engine: Engine, input: Record<string, any>) => KieCapResult,
 *   credits: (input: Record<string, any>, m: { duration: number, audio: boolean }) => number }} KieCap
 */
/** @param {string} orientation */
const motionRule = (orientation) => /** @type {import('../core/capability.mjs').InputRule} */ ({ field: 'input.video_urls[0]', want: 'video', minSec: 3, maxSec: orientation === 'image' ? 10 : 30, maxBytes: 100 * MB });
/** @param {boolean} v3 @returns {KieCap} */
function kieMotion(v3) {
	return {
		capability: 'motion-control',
		fields: {
			prompt: { type: 'string', maxLength: 2500 },
			input_urls: { ...URLS, required: true, minItems: 1, maxItems: 1 },
			video_urls: { ...URLS, required: true, minItems: 1, maxItems: 1 },
			character_orientation: { type: 'string', required: true, enum: ['image', 'video'] },
			mode: { type: 'string', required: true, enum: ['720p', '1080p'] },
			...(v3 ? { background_source: { type: 'string', enum: ['input_video', 'input_image'] } } : {}),
		},
		// kling-3.0/motion-control: mode std/pro → code 500 (3p [K6])
		enumCode: v3 ? { 'input.mode': 500 } : {},
		run: (engine, i) => {
			const r = readInput(engine, i.video_urls[0], motionRule(i.character_orientation));
			if (r.problem) return { problem: i.character_orientation === 'image' && /at most \d+ s/.test(r.problem) ? `${r.problem} (character_orientation "image")` : r.problem };
			return {
				failWith: r.failWith,
				duration: r.seconds,
				// no sound field on Kie: the reference video's own sound is kept (Kling's default keep_original_sound) — choice
				audio: r.info.audio === true,
				aspectRatio: aspectFrom(r),
				resolution: i.mode,
				inputs: { video: summary(r), orientation: i.character_orientation },
				imageUrls: i.input_urls,
			};
		},
		credits: (i, m) => Math.ceil(m.duration) * (i.mode === '1080p' ? 18 : 14),
	};
}
/** @param {string} tier @returns {KieCap} */
function kieAvatar(tier) {
	return {
		capability: 'avatar',
		fields: { image_url: { type: 'url', required: true }, audio_url: { type: 'url', required: true }, prompt: { type: 'string', maxLength: 5000 } },
		unknownCode: 500, // extra fields (e.g. `mode`) → a silent 500 (3p [K5])
		run: (engine, i) => {
			// audio ≤10 MB (kie.ai/kling-ai-avatar form); 2–300 s inherited from Kling's avatar API [O1] (inf)
			const r = readInput(engine, i.audio_url, { field: 'input.audio_url', want: 'audio', minSec: 2, maxSec: 300, maxBytes: 10 * MB });
			if (r.problem) return { problem: r.problem };
			const image = readInput(engine, i.image_url, { field: 'input.image_url', want: 'image' });
			return { failWith: r.failWith, duration: r.seconds, audio: true, aspectRatio: aspectFrom(image, '1:1'), resolution: tier === 'pro' ? '1080p' : '720p', inputs: { audio: summary(r) }, imageUrls: [i.image_url] };
		},
		credits: (_i, m) => Math.ceil(m.duration) * (tier === 'pro' ? 18 : 14),
	};
}
/**
 * kling-3.0-omni/reference-to-video (3p [K3]: the omni image-to-video fields, image_urls ≤7 + video_urls, concrete
 * aspect_ratio) and kling-3.0-omni/transformation (≈ video edit — INFERRED from its name [K7]; no field list retrieved).
 * @param {boolean} edit @returns {KieCap}
 */
function kieOmniRef(edit) {
	const base = omniModel(false);
	return {
		capability: edit ? 'video-edit' : 'reference-to-video',
		fields: edit
			? {
				prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, video_urls: { ...URLS, required: true, minItems: 1, maxItems: 1 }, image_urls: { ...URLS, maxItems: 4 },
				elements: { type: 'array', maxItems: 3, items: ELEMENT }, resolution: { type: 'string', enum: ['720p', '1080p', '4k'] }, audio: { type: 'boolean' },
			}
			: { ...base.fields, image_urls: { ...URLS, maxItems: 7 }, video_urls: { ...URLS, maxItems: 1 }, aspect_ratio: { type: 'string', enum: AR3 } },
		run: (engine, i) => {
			const images = Array.isArray(i.image_urls) ? i.image_urls : [];
			const videos = Array.isArray(i.video_urls) ? i.video_urls : [];
			const elements = Array.isArray(i.elements) ? i.elements.length : 0;
			if (!edit) {
				const rule = base.rules(i);
				if (rule) return { problem: rule };
				if (!images.length && !videos.length && !elements) return { problem: 'input.image_urls or input.video_urls is required for reference-to-video' };
				if (videos.length && i.audio === true) return { problem: 'input.audio must be false with a reference video (Kling: a feature video turns generated audio off)' };
			} else {
				const rule = elementRules(i, i.elements, 'input.elements');
				if (rule) return { problem: rule };
			}
			const cap = videos.length ? 4 : 7;
			if (images.length + elements > cap) return { problem: `input.image_urls + input.elements are limited to ${cap}${videos.length ? ' with a video' : ''} (got ${images.length + elements})` };
			const prompts = [i.prompt, ...(Array.isArray(i.multi_prompt) ? i.multi_prompt.map((/** @type {any} */ s) => s.prompt) : [])].join('\n');
			// prompt references: the resellers' `@image_1` / `@video_1` (§6b, inf for Kie); elements by `@name` (above)
			const refs = checkPromptRefs(prompts, { snake: true }, { image: images.length, video: videos.length });
			if (refs) return { problem: refs };
			// 3.0-omni reference / base video 3–15.5 s (Kling's new API [O6]; inf for Kie)
			const r = videos.length ? readInput(engine, videos[0], { field: 'input.video_urls[0]', want: 'video', minSec: 3, maxSec: 15.5 }) : null;
			if (r?.problem) return { problem: r.problem };
			const m = base.media(i);
			return {
				failWith: r?.failWith ?? null,
				duration: edit && r ? r.seconds : m.duration,
				shots: edit ? null : m.shots,
				// transformation: `audio: true` keeps the source's own sound (choice; default off like Kie's omni `audio`)
				audio: edit ? i.audio === true && r?.info.audio === true : m.audio,
				aspectRatio: edit ? aspectFrom(r) : m.aspectRatio,
				resolution: i.resolution ?? '720p',
				inputs: { images: images.length, elements, ...(r ? { video: summary(r) } : {}) },
				imageUrls: images,
			};
		},
		credits: (i, m) => Math.ceil(m.duration) * (i.resolution === '4k' ? 67 : i.resolution === '1080p' ? (m.audio ? 27 : 18) : m.audio ? 20 : 14),
	};
}
/** @type {Record<string, KieCap>} */
export const KIE_CAPS = {
	'kling-2.6/motion-control': kieMotion(false),
	'kling-3.0/motion-control': kieMotion(true),
	'kling/ai-avatar-standard': kieAvatar('standard'),
	'kling/ai-avatar-pro': kieAvatar('pro'),
	'kling-3.0-omni/reference-to-video': kieOmniRef(false),
	'kling-3.0-omni/transformation': kieOmniRef(true),
};

/** @param {string} key @param {string} taskId @param {number | string} ts */
export function kieSignature(key, taskId, ts) {
	return crypto.createHmac('sha256', key).update(`${taskId}.${ts}`).digest('base64');
}

/** @param {Engine} engine */
export function createKie(engine) {
	// The balance is `options.kieCredits` (10,000 by default) minus what this emulator's tasks spent, so
	// configure({ kieCredits }) sets it at any time (a benchmark of 1,000 clips needs 42,000).
	let spent = 0;
	const balance = () => (engine.opts.kieCredits ?? 10000) - spent;
	/** @param {Ctx} ctx @param {number} code @param {string} msg @param {Record<string, string>} [headers] */
	const bodyErr = (ctx, code, msg, headers) => ctx.send(200, { code, msg, data: null }, headers);

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: '400', message: 'Your prompt or image was flagged by content moderation.' };
			case 'image-missing':
			case 'image-not-image':
				return { kind, code: '422', message: 'Failed to fetch the image from the provided URL.' };
			case 'image-too-large':
				return { kind, code: '413', message: 'Image exceeds the 10MB limit.' };
			case 'media-missing':
			case 'media-invalid':
				return { kind, code: '422', message: 'Failed to fetch the video or audio from the provided URL.' };
			default:
				return { kind, code: '500', message: 'Internal server error' };
		}
	}

	/** @param {Task} task */
	function recordData(task) {
		const { phase, progress } = engine.phase(task);
		const terminal = phase === 'succeeded' || phase === 'failed';
		const state =
			phase === 'succeeded' ? 'success' : phase === 'failed' ? 'fail' : phase === 'processing' ? 'generating' : progress < 0.05 ? 'waiting' : 'queuing';
		const updateTime = terminal ? task.completesAt : phase === 'processing' ? Math.round(task.startAt + task.generationMs * 0.1) : task.createdAt;
		return {
			taskId: task.id,
			model: task.model,
			state,
			param: JSON.stringify(task.input),
			resultJson: phase === 'succeeded' ? JSON.stringify({ resultUrls: [engine.resultUrl(task)] }) : '',
			failCode: phase === 'failed' ? String(task.failure?.code ?? '500') : '',
			failMsg: phase === 'failed' ? (task.failure?.message ?? 'Internal server error') : '',
			completeTime: terminal ? task.completesAt : null,
			createTime: task.createdAt,
			updateTime,
			costTime: terminal ? Math.max(1, Math.round(task.generationMs / 1000)) : null,
			progress: Math.min(100, Math.round(progress * 100)),
		};
	}

	/** @param {Task} task */
	function callbackBody(task) {
		const r = recordData(task);
		if (task.finalState === 'succeeded') {
			return {
				code: 200,
				msg: 'Playground task completed successfully.',
				data: {
					completeTime: r.completeTime,
					consumeCredits: task.extra.credits,
					costTime: r.costTime,
					createTime: r.createTime,
					model: r.model,
					param: r.param,
					remainedCredits: balance(),
					resultJson: r.resultJson,
					state: 'success',
					taskId: task.id,
					updateTime: r.updateTime,
				},
			};
		}
		return {
			code: 501,
			msg: 'Playground task failed.',
			data: {
				completeTime: r.completeTime,
				consumeCredits: 0,
				costTime: r.costTime,
				createTime: r.createTime,
				failCode: r.failCode,
				failMsg: r.failMsg,
				model: r.model,
				param: r.param,
				state: 'fail',
				taskId: task.id,
				updateTime: r.updateTime,
			},
		};
	}

	/** @param {Ctx} ctx */
	function submit(ctx) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return bodyErr(ctx, 422, 'Request body is not valid JSON');
		}
		if (!isPlainObject(body)) return bodyErr(ctx, 422, 'Request body must be a JSON object');
		let problem =
			V.unknownFields(body, ['model', 'callBackUrl', 'input']) ??
			(body.model === undefined ? 'model is required' : null) ??
			V.enumString(body.model, 'model', KIE_MODELS) ??
			V.url(body.callBackUrl, 'callBackUrl') ??
			(isPlainObject(body.input) ? null : 'input is required and must be an object');
		const input = /** @type {Record<string, any>} */ (body.input);
		const family = KIE_FAMILY[/** @type {string} */ (body.model)];
		if (!problem && family) return submitFamily(ctx, body, family);
		const cap = KIE_CAPS[/** @type {string} */ (body.model)];
		if (!problem && cap) return submitCapability(ctx, body, cap);
		const i2v = body.model === KIE_I2V;
		if (!problem) {
			const allowed = i2v
				? ['prompt', 'image_url', 'tail_image_url', 'duration', 'negative_prompt', 'cfg_scale']
				: ['prompt', 'duration', 'aspect_ratio', 'negative_prompt', 'cfg_scale'];
			problem =
				V.unknownFields(input, allowed, 'input.') ??
				V.string(input.prompt, 'input.prompt', { required: true, max: 2500 }) ??
				(input.duration === undefined || input.duration === '5' || input.duration === '10'
					? null
					: typeof input.duration === 'number'
						? 'input.duration must be a string: "5" or "10" (got a number)'
						: 'input.duration must be "5" or "10"') ??
				V.string(input.negative_prompt, 'input.negative_prompt', { max: i2v ? 2496 : 2500 }) ??
				V.number(input.cfg_scale, 'input.cfg_scale', 0, 1) ??
				(i2v ? null : V.enumString(input.aspect_ratio, 'input.aspect_ratio', ['16:9', '9:16', '1:1']));
			if (!problem && i2v) {
				problem =
					V.url(input.image_url, 'input.image_url', true) ??
					(input.tail_image_url === '' || input.tail_image_url === undefined ? null : V.url(input.tail_image_url, 'input.tail_image_url'));
			}
		}
		if (problem) return bodyErr(ctx, 422, problem);
		const duration = Number(input.duration ?? '5');
		accept(ctx, body, {
			mode: i2v ? 'image-to-video' : 'text-to-video',
			duration,
			aspectRatio: i2v ? '16:9' : (input.aspect_ratio ?? '16:9'),
			audio: false,
			imageUrls: i2v ? [input.image_url, ...(input.tail_image_url ? [input.tail_image_url] : [])] : [],
			cost: duration >= 10 ? 84 : 42,
		});
	}

	/**
	 * A Kling 2.6 / 3.0 / Turbo / Omni request (KLING-MODELS.md §3.3). @param {Ctx} ctx @param {Record<string, any>} body @param {KieModel} family
	 */
	function submitFamily(ctx, body, family) {
		const input = /** @type {Record<string, any>} */ (body.input);
		const issue = checkObject(input, family.fields, 'input.')[0];
		if (issue) return bodyErr(ctx, 422, issue.kind === 'type' && issue.field === 'input.duration' && typeof input.duration === 'number' ? `${issue.message}: send the duration as a string` : issue.message);
		const rule = family.rules(input);
		if (rule) return bodyErr(ctx, 422, rule);
		const media = family.media(input);
		const mode = family.i2v || family.images(input).length ? 'image-to-video' : 'text-to-video';
		accept(ctx, body, { ...media, mode, imageUrls: family.images(input), cost: family.credits(input, media) });
	}

	/**
	 * Motion control / avatar / omni reference / transformation. @param {Ctx} ctx @param {Record<string, any>} body @param {KieCap} cap
	 */
	function submitCapability(ctx, body, cap) {
		const input = /** @type {Record<string, any>} */ (body.input);
		const issue = checkObject(input, cap.fields, 'input.')[0];
		if (issue) {
			const code = issue.kind === 'extra' && cap.unknownCode ? cap.unknownCode : issue.kind === 'enum' ? (cap.enumCode?.[issue.field] ?? 422) : 422;
			return bodyErr(ctx, code, code === 500 ? 'Internal server error' : issue.message);
		}
		const r = cap.run(engine, input);
		if (r.problem) return bodyErr(ctx, r.code ?? 422, r.problem);
		const media = { duration: r.duration ?? 5, audio: r.audio === true };
		accept(ctx, body, {
			mode: cap.capability,
			capability: cap.capability,
			...media,
			shots: r.shots ?? null,
			aspectRatio: r.aspectRatio ?? '16:9',
			resolution: r.resolution ?? null,
			imageUrls: (r.imageUrls ?? []).filter((u) => typeof u === 'string' && u),
			inputs: r.inputs ?? {},
			failWith: r.failWith ?? null,
			cost: cap.credits(input, media),
		});
	}

	/**
	 * Credits, then create the task and answer. @param {Ctx} ctx @param {Record<string, any>} body
	 * @param {{ mode: import('../core/engine.mjs').Capability, duration: number, aspectRatio: string, audio: boolean, shots?: number[] | null,
	 *   resolution?: string | null, imageUrls: string[], cost: number, capability?: import('../core/engine.mjs').Capability,
	 *   inputs?: Record<string, unknown>, failWith?: string | null }} media
	 */
	function accept(ctx, body, media) {
		if (engine.submitRateLimited(ctx, mod)) return;
		const { cost, ...spec } = media;
		if (balance() < cost) {
			engine.refused(ctx, 'credit');
			return bodyErr(ctx, 402, 'Insufficient credits');
		}
		spent += cost;
		const callbackUrl = /** @type {string | undefined} */ (body.callBackUrl) || undefined;
		const task = engine.createTask(
			{
				provider: 'kie',
				model: /** @type {string} */ (body.model),
				...spec,
				input: body,
				callbackUrl,
				idPrefix: 'task_kling_',
				extra: { credits: cost },
			},
			mod,
		);
		if (task.finalState === 'failed') engine.later(() => (spent -= cost), task.completesAt - Date.now());
		ctx.mark('submit', task.id);
		if (callbackUrl) {
			engine.atCompletion(task, () =>
				engine.deliver(task, {
					url: callbackUrl,
					payload: callbackBody(task),
					/** @returns {Record<string, string>} */
					sign: (_raw, ts, wrong) => {
						const key = engine.opts.secrets.kie;
						if (!key) return {};
						return {
							'X-Webhook-Timestamp': String(ts),
							'X-Webhook-Signature': kieSignature(wrong ? 'wrong-kie-hmac-key' : key, task.id, ts),
						};
					},
				}),
			);
		}
		if (engine.submitAnswerLost(ctx, mod)) return;
		ctx.send(200, { code: 200, msg: 'success', data: { taskId: task.id } });
	}

	/** @param {Ctx} ctx */
	async function recordInfo(ctx) {
		const id = ctx.query.get('taskId');
		const task = id ? engine.tasks.get(id) : undefined;
		ctx.mark('status', task?.provider === 'kie' ? task.id : undefined);
		if (!id) return bodyErr(ctx, 422, 'taskId is required');
		if (!task || task.provider !== 'kie') return bodyErr(ctx, 404, `Task not found: ${id}`);
		if (await engine.statusFault(ctx, task, mod)) return;
		const data = recordData(task);
		if (ctx.unknownStatus) data.state = ctx.unknownStatus;
		ctx.send(200, { code: 200, msg: 'success', message: 'success', data });
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'kie',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		unknownStatusWord: 'pending',
		fault(ctx, fault) {
			if (fault === '429') return bodyErr(ctx, 429, 'Rate limited: too many requests, please retry later', engine.retryAfterHeader(ctx));
			if (fault === 'concurrency') return bodyErr(ctx, 429, 'Rate limited: the concurrent task limit of this API key is reached, please retry later', engine.retryAfterHeader(ctx));
			if (fault === 'credit' || fault === 'arrears') return bodyErr(ctx, 402, 'Insufficient credits');
			if (fault === '500') return bodyErr(ctx, 500, 'Server error: an unexpected failure occurred');
			return bodyErr(ctx, 455, 'Service unavailable: the system is under maintenance');
		},
		async handle(ctx) {
			const p = ctx.path;
			if (p === '/api/v1/jobs/createTask' && ctx.method === 'POST') ctx.mark('submit');
			if (p === '/api/v1/jobs/recordInfo' && ctx.method === 'GET') ctx.mark('status');
			if (p === '/api/v1/chat/credit') ctx.mark('credits');
			const key = ctx.bearer();
			if (!key || key !== engine.opts.keys.kie) {
				try {
					ctx.json();
				} catch {
					/* ignore */
				}
				return ctx.send(401, { code: 401, msg: 'You do not have access permissions' });
			}
			if (p === '/api/v1/jobs/createTask' && ctx.method === 'POST') return submit(ctx);
			if (p === '/api/v1/jobs/recordInfo' && ctx.method === 'GET') return recordInfo(ctx);
			if (p === '/api/v1/chat/credit' && ctx.method === 'GET') return ctx.send(200, { code: 200, msg: 'success', data: balance() });
			if (p === '/api/v1/common/download-url' && ctx.method === 'POST') {
				let body;
				try {
					body = ctx.json();
				} catch {
					return bodyErr(ctx, 422, 'Request body is not valid JSON');
				}
				const url = isPlainObject(body) ? body.url : undefined;
				if (typeof url !== 'string' || !url.startsWith(`${engine.url}/kie/_results/`)) return bodyErr(ctx, 422, 'url must be a Kie-generated file URL');
				return ctx.send(200, { code: 200, msg: 'success', data: url });
			}
			return ctx.send(404, { code: 404, msg: `Not found: ${ctx.method} ${p}` });
		},
	};
	return mod;
}

/**
 * Kie file upload host (https://kieai.redpandaai.co in production) — PROVIDERS.md §3.5.
 * @param {Engine} engine
 */
export function createKieUpload(engine) {
	/** @param {Ctx} ctx @param {number} code @param {string} msg */
	const fail = (ctx, code, msg) => ctx.send(code, { success: false, code, msg, data: null });

	/** @param {Ctx} ctx @param {Buffer} data @param {string} uploadPath @param {string | undefined} fileName */
	function stored(ctx, data, uploadPath, fileName) {
		const kind = sniff(data);
		const name = fileName || `${engine.newId('file_', 16)}.${kind.mime.split('/')[1] ?? 'bin'}`;
		const f = engine.storeFile('kie-upload', name, data, kind.mime);
		const now = Date.now();
		ctx.send(200, {
			success: true,
			code: 200,
			msg: 'File uploaded successfully',
			data: {
				fileId: f.id,
				fileName: name,
				filePath: `${uploadPath.replace(/\/+$/, '')}/${name}`,
				downloadUrl: f.url,
				fileUrl: f.url,
				fileSize: data.length,
				mimeType: kind.mime,
				uploadedAt: new Date(now).toISOString(),
				expiresAt: new Date(now + 3 * 24 * 3600 * 1000).toISOString(),
			},
		});
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'kie-upload',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure: (kind) => ({ kind, code: '500', message: 'Internal server error' }),
		fault(ctx, fault) {
			if (fault === '429') return ctx.send(429, { success: false, code: 429, msg: 'Rate limited' }, engine.retryAfterHeader(ctx));
			return fail(ctx, fault === '500' ? 500 : 503, 'Server error');
		},
		handle(ctx) {
			const p = ctx.path;
			if (ctx.method === 'POST' && /^\/api\/file-(stream|base64|url)-upload$/.test(p)) ctx.mark('upload');
			const key = ctx.bearer();
			if (!key || key !== engine.opts.keys.kie) return fail(ctx, 401, 'You do not have access permissions');
			if (ctx.method === 'POST' && p === '/api/file-stream-upload') {
				const mp = ctx.multipart();
				const file = mp?.files.find((f) => f.field === 'file');
				if (!mp || !file) return fail(ctx, 400, 'file is required (multipart/form-data field "file")');
				if (!mp.fields.uploadPath) return fail(ctx, 400, 'uploadPath is required');
				return stored(ctx, file.data, mp.fields.uploadPath, mp.fields.fileName || file.filename || undefined);
			}
			if (ctx.method === 'POST' && (p === '/api/file-base64-upload' || p === '/api/file-url-upload')) {
				let body;
				try {
					body = ctx.json();
				} catch {
					return fail(ctx, 400, 'Request body is not valid JSON');
				}
				if (!isPlainObject(body)) return fail(ctx, 400, 'Request body must be a JSON object');
				if (typeof body.uploadPath !== 'string' || !body.uploadPath) return fail(ctx, 400, 'uploadPath is required');
				const fileName = typeof body.fileName === 'string' ? body.fileName : undefined;
				if (p === '/api/file-base64-upload') {
					if (typeof body.base64Data !== 'string' || !body.base64Data) return fail(ctx, 400, 'base64Data is required');
					ctx.entry.body = { ...body, base64Data: `<${body.base64Data.length} chars>` };
					const b64 = body.base64Data.replace(/^data:[^;,]*;base64,/, '');
					return stored(ctx, Buffer.from(b64, 'base64'), body.uploadPath, fileName);
				}
				if (typeof body.fileUrl !== 'string' || !body.fileUrl) return fail(ctx, 400, 'fileUrl is required');
				let data = null;
				try {
					const u = new URL(body.fileUrl);
					if (u.port === String(engine.port)) data = engine.lookupLocal(u.pathname);
				} catch {
					return fail(ctx, 400, 'fileUrl must be a valid URL');
				}
				if (!data) return fail(ctx, 400, 'Failed to download fileUrl (the emulator can only fetch its own /_assets and uploaded files)');
				return stored(ctx, data, body.uploadPath, fileName);
			}
			return fail(ctx, 404, `Not found: ${ctx.method} ${p}`);
		},
	};
	return mod;
}
