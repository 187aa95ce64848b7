// @ts-check
/**
 * Replicate emulator (https://api.replicate.com) — PROVIDERS.md §0 and §5.3. Mounted under /replicate.
 *
 * Enforced exactly (explicit in §5.3):
 *  - Auth `Authorization: Bearer <token>`.
 *  - POST /v1/models/kwaivgi/kling-v2.5-turbo-pro/predictions `{input, webhook?, webhook_events_filter?}`,
 *    input: prompt (required), negative_prompt, start_image, end_image, image (deprecated), aspect_ratio
 *    16:9|9:16|1:1 (default 16:9, ignored when start_image is given), duration INTEGER 5|10 (default 5).
 *  - Prediction `{id, model, version, input, logs, output, data_removed, error, status, created_at, started_at?,
 *    completed_at?, urls:{get, cancel, web}, metrics?:{predict_time, total_time}}`; statuses
 *    starting|processing|succeeded|failed|canceled|aborted; `output` is ONE URI string when succeeded.
 *  - GET /v1/predictions/{id}; POST /v1/predictions/{id}/cancel.
 *  - Webhooks: events start|output|logs|completed, filtered by webhook_events_filter (all four when absent),
 *    body = the prediction at that moment, Standard-Webhooks signature: `webhook-id`, `webhook-timestamp`,
 *    `webhook-signature: v1,<base64 HMAC-SHA256(key = base64decode(secret minus "whsec_"), id.ts.rawBody)>`.
 *  - GET /v1/webhooks/default/secret → `{key:"whsec_…"}`.
 *
 * Choices / inferences:
 *  - Errors use problem details `{title, detail, status}` (content-type application/problem+json): 401
 *    Unauthenticated, 404 Not found (unknown model / prediction), 422 "Input validation failed" with
 *    `invalid_fields:[{type, field, description}]` (Replicate's form; unknown input fields are rejected too —
 *    strict, to catch adapter bugs; a string duration is "Invalid type. Expected: integer, given: string"),
 *    429 Too Many Requests + Retry-After, 500/503.
 *  - Create answers 201. `Prefer: wait[=n]` holds the answer until the prediction is terminal or n s (≤60) pass.
 *  - start/end images: http(s) URLs or data: URIs (Replicate accepts data URLs for file inputs).
 *  - Event timing: start at creation (status starting), logs when processing begins, output + completed at
 *    the end. Only `completed` is retried (up to 3 retries, 5/10/20 s × timeScale); other events are sent once.
 *    webhook-id: `msg_…`, one per event, the same on retries.
 *  - Result URLs expire after one hour on Replicate (outputs are deleted): modelled by the `expiredResult` fault /
 *    `downloadFault: 'expired'` (404 on the output URL). Time itself does not expire them.
 *  - Failure messages: content → "The input or output was flagged as sensitive… (E005)", image problems →
 *    "Failed to download/read start_image …", generic → "Prediction failed." A planned fail with code
 *    "aborted" ends as status aborted; cancel ends as canceled.
 *  - GET /v1/account → `{type:"user", username, name, github_url}` (credential test).
 *
 * Kling 2.6 / v3 / v3 Omni / O1 (KLING-MODELS.md §3.7 [P1][P2][P3][P7], §7) — `REPLICATE_FAMILY`:
 *  - kwaivgi/kling-v2.6 (3p [P3]): one model, i2v = start_image; prompt (req), negative_prompt, aspect_ratio,
 *    duration integer 5|10, generate_audio (DEFAULT TRUE); NO end frame (end_image → 422).
 *  - kwaivgi/kling-v3-video [P1]: prompt ≤2500, negative_prompt ≤2500, start_image, end_image (requires
 *    start_image), mode standard|pro (default pro) + 4k (3p [P3], accepted), aspect_ratio, duration INTEGER 3–15,
 *    generate_audio (DEFAULT FALSE), multi_prompt = a JSON STRING `[{"prompt","duration":N}]` (≤6 shots, ≥1 s each,
 *    Σ = duration when duration is sent, else Σ is the duration).
 *  - kwaivgi/kling-v3-omni-video [P2]: prompt, start_image, end_image, reference_images ≤7 (≤4 with a video),
 *    reference_video, video_reference_type feature|base, keep_original_sound, generate_audio (default false; not
 *    with a reference video), mode standard|pro, aspect_ratio, duration 3–15, multi_prompt (JSON string).
 *  - kwaivgi/kling-o1 [P7]: prompt (req), reference_images/reference_video/video_reference_type/keep_original_sound,
 *    aspect_ratio, duration 5|10 (3–10 with a feature video); no generate_audio (O1 has no native audio).
 *  Family choices: prompt may be left out when multi_prompt is sent (then prompt or multi_prompt is required);
 *  end_image + multi_prompt → 422 (every provider forbids an end frame in multi-shot); start_image/end_image on
 *  kling-o1 accepted for t2v/i2v (not on [P7]; inferred from O1's first/last frames elsewhere); a base reference
 *  video with keep_original_sound (default true) counts as audio (the source's sound is kept). Cross-field problems
 *  use invalid_fields type "condition"; each family model has its own (emulator) version hash.
 *
 * Refusals and caps: rate limit 429 problem "Request was throttled. Expected available in N seconds." + Retry-After;
 * out of credit 402 "You have insufficient credit to run this model…" (wording inferred); maintenance 503. Replicate
 * documents no concurrency cap (only the create-rate 429): a cap is modelled as that same 429 + Retry-After =
 * seconds until a slot frees (choice; `concurrencyMode: { replicate: 'queue' }` makes it queue instead).
 * Unknown-status fault word: "queued".
 *
 * Capabilities (KLING-MODELS.md §1b, §3.7, §7) — `REPLICATE_CAPS`, same prediction / webhook (Standard Webhooks) / 422
 * invalid_fields (type "condition" for limits); file inputs are URLs or data: URIs (decoded and measured):
 *  - kwaivgi/kling-v2.6-motion-control (3p [P5]) and kwaivgi/kling-v3-motion-control (fields not retrieved: as 2.6,
 *    inf): image (req), video (req; 3–30 s, ≤10 s with orientation image, ≤100 MB), prompt, mode std|pro,
 *    character_orientation (default "video" — choice, no default retrieved), keep_original_sound (true).
 *  - kwaivgi/kling-lip-sync (3p [P4]): video_url (mp4/mov <100 MB, 2–10 s, 720–1920 px) XOR video_id; audio_file (<5 MB;
 *    2–60 s from Kling, inf) XOR text (≤120) + voice_id (default en_AOT; enum not retrieved → any id) + voice_speed
 *    0.8–2. Output = the video's length (video_id: remoteVideoSeconds), with sound.
 *  - kwaivgi/kling-avatar-v2 (3p): image, audio (req), prompt, mode std|pro, cfg_scale 0–1. Output = the audio's length.
 *  - kling-v3-omni-video / kling-o1 (above) now read reference_video (3–10 s, ≤200 MB): video_reference_type "base" =
 *    video edit (length = the video's, duration ignored [P7]; its sound with keep_original_sound, default true);
 *    `<<<image_N>>>` / `<<<video_N>>>` must exist. `mode` keeps its earlier meaning; `capability` is precise.
 *
 * Files API (sdks.replicate.com/resources/files [doc]): POST /v1/files multipart `content` (req), `filename` (req, ≤255
 * bytes; the part's own filename counts), `type` (default: the part's Content-Type, else application/octet-stream),
 * `metadata` (JSON, default {}) → 201 {id, name, content_type, size, etag, checksums{sha256, md5}, metadata, created_at,
 * expires_at, urls{get}}; GET /v1/files (list {previous, next, results}), GET /v1/files/{id} (details), DELETE
 * /v1/files/{id} → 204 (then 404). Auth `Bearer <token>` and `Token <token>` (the files examples) — both, everywhere.
 * Bytes: GET /v1/files/{id}/download with the API token OR with owner + expiry + signature (a signed link; the
 * algorithm is not documented: `replicateFileSignature` = base64 HMAC-SHA256(webhook secret, "id:owner:expiry"));
 * GET urls.get itself answers the bytes to a client whose Accept names a media type (not JSON, not "any"; choice),
 * the details otherwise.
 * `urls.get` (and the download URL) work as ANY media input of every Replicate model here (image, video, audio: read
 * and measured like the samples); a deleted or expired file fails the prediction like a download failure. Choices:
 * files expire after 24 h (`expires_at`; no number documented); no upload size limit is documented (the emulator's
 * 120 MB body cap). Data URIs: still accepted for every file input (now also reference_video); Replicate recommends
 * them below 1 MB and documents NO hard limit, so a larger one is accepted and the submit's journal entry gets
 * `warning` (the node should have used the files API); the model's own limits (e.g. audio ≤5 MB) apply to the bytes.
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { checkObject, checkShots, checkValue, present, rule, typeName } from '../core/schema.mjs';
import { aspectFrom, checkPromptRefs, readInput, summary } from '../core/capability.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const REPLICATE_MODEL = 'kwaivgi/kling-v2.5-turbo-pro';
export const REPLICATE_VERSION = '18f41bfc7e0a7b1c5e6d4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c';
const EVENTS = ['start', 'output', 'logs', 'completed'];

/* ------------------------------------------------------------------ Kling 2.6 / v3 / v3 Omni / O1 (KLING-MODELS.md §3.7, §7) */

const AR3 = ['16:9', '9:16', '1:1'];
/** @type {import('../core/schema.mjs').FieldSpec} */
const IMG = { type: 'url', allowData: true };
/**
 * @typedef {{ version: string, fields: Record<string, import('../core/schema.mjs').FieldSpec>, audio: (input: Record<string, any>) => boolean,
 *   multiPrompt: boolean, omni: boolean, resolution: (input: Record<string, any>) => string | null }} ReplicateModel
 */
/** @type {Record<string, ReplicateModel>} */
export const REPLICATE_FAMILY = {
	'kwaivgi/kling-v2.6': {
		version: 'b2a5c6f0d1e24a3b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b',
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, negative_prompt: { type: 'string', maxLength: 2500 }, start_image: IMG,
			aspect_ratio: { type: 'string', enum: AR3 }, duration: { type: 'integer', enum: [5, 10] }, generate_audio: { type: 'boolean' },
		},
		audio: (i) => i.generate_audio ?? true,
		multiPrompt: false,
		omni: false,
		resolution: () => null,
	},
	'kwaivgi/kling-v3-video': {
		version: '4a8ba2741c0e4d5f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f',
		fields: {
			prompt: { type: 'string', maxLength: 2500 }, negative_prompt: { type: 'string', maxLength: 2500 }, start_image: IMG, end_image: IMG,
			mode: { type: 'string', enum: ['standard', 'pro', '4k'] }, aspect_ratio: { type: 'string', enum: AR3 }, duration: { type: 'integer', min: 3, max: 15 },
			generate_audio: { type: 'boolean' }, multi_prompt: { type: 'string' },
		},
		audio: (i) => i.generate_audio === true,
		multiPrompt: true,
		omni: false,
		resolution: (i) => i.mode ?? 'pro',
	},
	'kwaivgi/kling-v3-omni-video': {
		version: '1d449e25a3b24c5d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d',
		fields: {
			prompt: { type: 'string', maxLength: 2500 }, start_image: IMG, end_image: IMG, reference_images: { type: 'array', maxItems: 7, items: IMG },
			reference_video: { type: 'url', allowData: true }, video_reference_type: { type: 'string', enum: ['feature', 'base'] }, keep_original_sound: { type: 'boolean' },
			generate_audio: { type: 'boolean' }, mode: { type: 'string', enum: ['standard', 'pro'] }, aspect_ratio: { type: 'string', enum: AR3 },
			duration: { type: 'integer', min: 3, max: 15 }, multi_prompt: { type: 'string' },
		},
		audio: (i) => i.generate_audio === true || (present(i.reference_video) && i.video_reference_type === 'base' && i.keep_original_sound !== false),
		multiPrompt: true,
		omni: true,
		resolution: (i) => i.mode ?? 'pro',
	},
	'kwaivgi/kling-o1': {
		version: '6d5f2d4b7e8a4c1d9b0a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c',
		fields: {
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, start_image: IMG, end_image: IMG, reference_images: { type: 'array', maxItems: 7, items: IMG },
			reference_video: { type: 'url', allowData: true }, video_reference_type: { type: 'string', enum: ['feature', 'base'] }, keep_original_sound: { type: 'boolean' },
			aspect_ratio: { type: 'string', enum: AR3 }, duration: { type: 'integer', min: 3, max: 10 },
		},
		audio: (i) => present(i.reference_video) && i.video_reference_type === 'base' && i.keep_original_sound !== false,
		multiPrompt: false,
		omni: true,
		resolution: () => null,
	},
};
/* ------------------------------------------------------------------ motion control, lip-sync, avatar (§1b, §3.7) */

const MB = 1024 * 1024;
/** @type {import('../core/schema.mjs').FieldSpec} */
const FILE = { type: 'url', allowData: true };
/**
 * @typedef {{ problem?: string | null, field?: string, failWith?: string | null, duration?: number, audio?: boolean, aspectRatio?: string,
 *   resolution?: string | null, inputs?: Record<string, unknown>, imageUrls?: string[] }} RepCapResult
 * @typedef {{ version: string, capability: import('../core/engine.mjs').Capability, fields: Record<string, import('../core/schema.mjs').FieldSpec>,
 *   run: (engine: Engine, input: Record<string, any>) => RepCapResult }} ReplicateCap
 */
/** @param {string} version @returns {ReplicateCap} */
const motion = (version) => ({
	version,
	capability: 'motion-control',
	// 3p [P5] (2.6; v3 inferred the same): image, video, prompt, mode std|pro, character_orientation, keep_original_sound
	fields: {
		image: { ...IMG, required: true }, video: { ...FILE, required: true }, prompt: { type: 'string', maxLength: 2500 }, mode: { type: 'string', enum: ['std', 'pro'] },
		character_orientation: { type: 'string', enum: ['image', 'video'] }, keep_original_sound: { type: 'boolean' },
	},
	run: (engine, i) => {
		// character_orientation default "video" (choice: no default retrieved); "image" caps the video at 10 s (Kling)
		const orientation = i.character_orientation ?? 'video';
		const r = readInput(engine, i.video, { field: 'video', want: 'video', minSec: 3, maxSec: orientation === 'image' ? 10 : 30, maxBytes: 100 * MB });
		if (r.problem) return { problem: orientation === 'image' && /at most \d+ s/.test(r.problem) ? `${r.problem} (character_orientation "image")` : r.problem, field: 'video' };
		return {
			failWith: r.failWith, duration: r.seconds, audio: i.keep_original_sound !== false && r.info.audio === true, aspectRatio: aspectFrom(r),
			resolution: i.mode ?? 'std', inputs: { video: summary(r), orientation }, imageUrls: [i.image],
		};
	},
});
/** @type {Record<string, ReplicateCap>} */
export const REPLICATE_CAPS = {
	'kwaivgi/kling-v2.6-motion-control': motion('c0d4e8a2b6f14a3c9e7d5b3a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e'),
	'kwaivgi/kling-v3-motion-control': motion('e7f1a3c5b9d24e6f8a0c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f'),
	// 3p [P4] (read 2026-09-21): video_url (mp4/mov <100 MB, 2–10 s, 720–1920 px) XOR video_id; audio_file (<5 MB) XOR
	// text + voice_id (default en_AOT; the enum was not retrieved: any id) + voice_speed 0.8–2.0.
	'kwaivgi/kling-lip-sync': {
		version: '8311467f07043b4b5b1b3cb2d1a4a2e9c1f0e8d7c6b5a4f3e2d1c0b9a8f7e6d5',
		capability: 'lip-sync',
		fields: {
			video_url: FILE, video_id: { type: 'string', nonEmpty: true }, audio_file: FILE, text: { type: 'string', nonEmpty: true, maxLength: 120 },
			voice_id: { type: 'string', nonEmpty: true }, voice_speed: { type: 'number', min: 0.8, max: 2 },
		},
		run: (engine, i) => {
			if (present(i.video_url) === present(i.video_id)) return { problem: 'send video_url or video_id, exactly one of them', field: 'video_url' };
			if (present(i.audio_file) === present(i.text)) return { problem: 'send audio_file or text (with voice_id), exactly one of them', field: 'audio_file' };
			/** @type {import('../core/capability.mjs').InputRead | null} */
			let v = null;
			if (present(i.video_url)) {
				v = readInput(engine, i.video_url, { field: 'video_url', want: 'video', minSec: 2, maxSec: 10, maxBytes: 100 * MB, minPx: 720, maxPx: 1920 });
				if (v.problem) return { problem: v.problem, field: 'video_url' };
			}
			/** @type {import('../core/capability.mjs').InputRead | null} */
			let a = null;
			if (present(i.audio_file)) {
				a = readInput(engine, i.audio_file, { field: 'audio_file', want: 'audio', minSec: 2, maxSec: 60, maxBytes: 5 * MB });
				if (a.problem) return { problem: a.problem, field: 'audio_file' };
			}
			// video_id: a Kling video id — its length is unknown here (remoteVideoSeconds)
			const seconds = v ? v.seconds : engine.opts.remoteVideoSeconds;
			return {
				failWith: v?.failWith ?? a?.failWith ?? null, duration: seconds, audio: true, aspectRatio: aspectFrom(v), resolution: null,
				inputs: { video: v ? summary(v) : { videoId: i.video_id, seconds }, ...(a ? { audio: summary(a) } : { text: i.text.length }) },
			};
		},
	},
	// 3p: image, audio, prompt, mode std|pro (also seen with cfg_scale); output = the audio's length. Audio 2–300 s, ≤5 MB
	// inherited from Kling's avatar API [O1] (inf).
	'kwaivgi/kling-avatar-v2': {
		version: 'a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5',
		capability: 'avatar',
		fields: { image: { ...IMG, required: true }, audio: { ...FILE, required: true }, prompt: { type: 'string', maxLength: 2500 }, mode: { type: 'string', enum: ['std', 'pro'] }, cfg_scale: { type: 'number', min: 0, max: 1 } },
		run: (engine, i) => {
			const a = readInput(engine, i.audio, { field: 'audio', want: 'audio', minSec: 2, maxSec: 300, maxBytes: 5 * MB });
			if (a.problem) return { problem: a.problem, field: 'audio' };
			return { failWith: a.failWith, duration: a.seconds, audio: true, aspectRatio: aspectFrom(readInput(engine, i.image, { field: 'image', want: 'image' }), '1:1'), resolution: i.mode ?? 'std', inputs: { audio: summary(a) }, imageUrls: [i.image] };
		},
	},
};
export const REPLICATE_MODELS = [REPLICATE_MODEL, ...Object.keys(REPLICATE_FAMILY), ...Object.keys(REPLICATE_CAPS)];

/** Replicate invalid_fields item for a schema issue. @param {import('../core/schema.mjs').Issue} i */
function invalidField(i) {
	const field = `input.${i.field}`;
	const type = { extra: 'additional_property_not_allowed', missing: 'required', type: 'invalid_type', enum: 'enum', range: 'number_one_of', length: 'array_max_items', rule: 'condition' }[i.kind];
	let description = i.message;
	if (i.kind === 'extra') description = `Additional property ${i.field} is not allowed`;
	else if (i.kind === 'type') description = `Invalid type. Expected: ${String(i.expected).replace(/^an? /, '')}, given: ${typeName(i.value)}`;
	return { type, field, description };
}

/**
 * The family's rules beyond field types. @param {ReplicateModel} spec @param {Record<string, any>} input
 * @returns {{ errors: { type: string, field: string, description: string }[], duration: number, shots: number[] | null }}
 */
function validateFamily(spec, input) {
	const issues = checkObject(input, spec.fields);
	/** @type {number[] | null} */
	let shots = null;
	let duration = input.duration ?? 5;
	if (!issues.length && present(input.end_image) && !present(input.start_image)) issues.push(rule('end_image', 'end_image requires start_image'));
	if (!issues.length && present(input.multi_prompt)) {
		/** @type {unknown} */
		let list;
		try {
			list = JSON.parse(input.multi_prompt);
		} catch {
			list = undefined;
		}
		const inner = /** @type {import('../core/schema.mjs').Issue[]} */ ([]);
		if (!Array.isArray(list)) inner.push(rule('multi_prompt', 'multi_prompt must be a JSON array string: [{"prompt": "...", "duration": 3}, ...]'));
		else {
			checkValue(list, { type: 'array', items: { type: 'object', fields: { prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 }, duration: { type: 'integer', required: true } } } }, 'multi_prompt', inner);
			if (!inner.length) {
				const r = checkShots(list, { field: 'multi_prompt', maxShots: 6, promptMax: 2500, total: input.duration });
				inner.push(...r.issues);
				if (!r.issues.length) {
					shots = list.map((/** @type {any} */ x) => x.duration);
					duration = r.sum;
					if (r.sum < 3 || r.sum > 15) inner.push(rule('multi_prompt', `the shots add up to ${r.sum} s; the video must last 3–15 s`));
				}
			}
		}
		issues.push(...inner);
		if (!issues.length && present(input.end_image)) issues.push(rule('end_image', 'end_image is not supported with multi_prompt'));
	}
	if (!issues.length && !present(input.prompt) && !present(input.multi_prompt)) issues.push({ field: 'prompt', kind: 'missing', message: 'prompt is required (or multi_prompt)' });
	if (!issues.length && spec.omni) {
		const video = present(input.reference_video);
		if ((input.reference_images?.length ?? 0) > (video ? 4 : 7)) issues.push(rule('reference_images', `reference_images accepts at most ${video ? 4 : 7} images${video ? ' with a reference_video' : ''}`));
		if (!video && (input.video_reference_type !== undefined || input.keep_original_sound !== undefined)) issues.push(rule('reference_video', 'video_reference_type and keep_original_sound need a reference_video'));
		if (video && input.generate_audio === true) issues.push(rule('generate_audio', 'generate_audio is not supported with a reference_video'));
		if (video && input.video_reference_type === 'base' && (present(input.start_image) || present(input.end_image))) issues.push(rule('start_image', 'a base reference_video (edit) takes no start_image / end_image'));
		// kling-o1: 5|10 s without a feature video (§7 [P7]); 3–10 s with one
		if (spec === REPLICATE_FAMILY['kwaivgi/kling-o1'] && !(video && input.video_reference_type !== 'base') && input.duration !== undefined && ![5, 10].includes(input.duration)) {
			issues.push(rule('duration', 'kling-o1 makes 5 or 10 s videos (3–10 s with a feature reference_video)'));
		}
	}
	return { errors: issues.map(invalidField), duration, shots };
}

/** Files expire after a day (choice: the docs give `expires_at`, no number). */
const FILE_TTL_MS = 24 * 3600 * 1000;
/** Replicate recommends data URIs below 1 MB (files API above); no hard limit is documented. */
const DATA_URI_RECOMMENDED_BYTES = 1024 * 1024;

/**
 * Signature of a signed file download link `…/v1/files/{id}/download?owner=&expiry=&signature=` (the emulator's own
 * scheme — Replicate documents the parameters, not the algorithm): base64(HMAC-SHA256(webhook secret, "id:owner:expiry")).
 * @param {string} secret @param {string} id @param {string} owner @param {number} expiry Unix seconds
 */
export function replicateFileSignature(secret, id, owner, expiry) {
	return crypto.createHmac('sha256', secret).update(`${id}:${owner}:${expiry}`).digest('base64');
}

/** Standard-Webhooks signature (Replicate). @param {string} secret `whsec_<base64>` @param {string} id @param {number | string} ts @param {string} raw */
export function replicateSignature(secret, id, ts, raw) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	return crypto.createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64');
}

/** @param {Engine} engine */
export function createReplicate(engine) {
	const base = () => `${engine.url}/replicate`;
	const PROBLEM = { 'content-type': 'application/problem+json' };

	/** @param {Ctx} ctx @param {number} status @param {string} title @param {string} detail @param {Record<string, unknown>} [extra] @param {Record<string, string>} [headers] */
	const problem = (ctx, status, title, detail, extra = {}, headers = {}) => ctx.send(status, { title, detail, status, ...extra }, { ...PROBLEM, ...headers });

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: 'E005', message: 'The input or output was flagged as sensitive. Please try again with different inputs. (E005)' };
			case 'image-missing':
				return { kind, code: 'download', message: 'Failed to download start_image: 404 Not Found' };
			case 'image-not-image':
				return { kind, code: 'image', message: 'Failed to read start_image: cannot identify image file' };
			case 'image-too-large':
				return { kind, code: 'image_size', message: 'start_image is too large (max 10 MB)' };
			default:
				return { kind, code: 'failed', message: 'Prediction failed.' };
		}
	}

	/** @param {Task} task @param {number} [now] */
	function prediction(task, now = Date.now()) {
		const { phase } = engine.phase(task, now);
		const terminal = phase === 'succeeded' || phase === 'failed';
		let status = { queued: 'starting', processing: 'processing', succeeded: 'succeeded', failed: 'failed' }[phase];
		if (phase === 'failed' && task.failure?.kind === 'canceled') status = 'canceled';
		else if (phase === 'failed' && task.failure?.code === 'aborted') status = 'aborted';
		const startedAt = task.startAt + Math.round(task.generationMs * 0.1);
		const logs = phase === 'queued' ? '' : `Starting prediction\nGenerating ${task.duration}s video…\n${terminal ? 'Done.\n' : ''}`;
		/** @type {Record<string, unknown>} */
		const p = {
			id: task.id,
			model: task.model,
			version: REPLICATE_FAMILY[task.model]?.version ?? REPLICATE_CAPS[task.model]?.version ?? REPLICATE_VERSION,
			input: task.input,
			logs,
			output: phase === 'succeeded' ? engine.resultUrl(task) : null,
			data_removed: false,
			error: phase === 'failed' && status === 'failed' ? (task.failure?.message ?? 'Prediction failed.') : null,
			status,
			source: 'api',
			created_at: new Date(task.createdAt).toISOString(),
			urls: {
				cancel: `${base()}/v1/predictions/${task.id}/cancel`,
				get: `${base()}/v1/predictions/${task.id}`,
				web: `https://replicate.com/p/${task.id}`,
			},
		};
		if (phase !== 'queued') p.started_at = new Date(Math.min(startedAt, task.completesAt)).toISOString();
		if (terminal) {
			p.completed_at = new Date(task.completesAt).toISOString();
			p.metrics = { predict_time: Math.max(0, task.completesAt - startedAt) / 1000, total_time: (task.completesAt - task.createdAt) / 1000 };
		}
		return p;
	}

	/** @param {Task} task @param {string} event @param {Record<string, unknown>} [snapshot] the prediction as of the event */
	function sendEvent(task, event, snapshot) {
		const url = task.callbackUrl;
		const filter = /** @type {string[]} */ (task.extra.events);
		if (!url || !filter.includes(event)) return;
		if (event === 'completed') {
			if (task.extra.completedSent) return;
			task.extra.completedSent = true;
		}
		const msgId = `msg_${crypto.randomBytes(12).toString('hex')}`;
		/** @type {import('../core/engine.mjs').Delivery} */
		const d = {
			url,
			payload: snapshot ?? prediction(task),
			target: event,
			sign: (raw, ts, wrong) => {
				const secret = wrong ? 'whsec_d3JvbmctcmVwbGljYXRlLXNlY3JldA==' : (engine.opts.secrets.replicate ?? '');
				return { 'webhook-id': msgId, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${replicateSignature(secret, msgId, ts, raw)}` };
			},
		};
		if (event === 'completed') return engine.deliver(task, d);
		if (task.callbackFaults.includes('drop')) return;
		void engine.postCallback(task, d, 1);
	}

	/**
	 * @param {Record<string, any>} body
	 * @returns {{ type: string, field: string, description: string }[]}
	 */
	function validate(body, familyInput = false) {
		/** @type {{ type: string, field: string, description: string }[]} */
		const errs = [];
		const add = (/** @type {string} */ type, /** @type {string} */ field, /** @type {string} */ description) => errs.push({ type, field, description });
		for (const k of Object.keys(body)) if (!['input', 'webhook', 'webhook_events_filter', 'stream'].includes(k)) add('additional_property_not_allowed', k, `Additional property ${k} is not allowed`);
		if (body.webhook !== undefined) {
			const p = V.url(body.webhook, 'webhook');
			if (p || /^data:/.test(String(body.webhook))) add('format', 'webhook', 'Does not match format \'uri\'');
		}
		if (body.webhook_events_filter !== undefined) {
			const f = body.webhook_events_filter;
			if (!Array.isArray(f)) add('invalid_type', 'webhook_events_filter', 'Invalid type. Expected: array');
			else f.forEach((e, i) => {
				if (!EVENTS.includes(e)) add('enum', `webhook_events_filter.${i}`, `webhook_events_filter.${i} must be one of the following: "start", "output", "logs", "completed"`);
			});
		}
		if (!isPlainObject(body.input)) {
			add(body.input === undefined ? 'required' : 'invalid_type', 'input', body.input === undefined ? 'input is required' : 'Invalid type. Expected: object');
			return errs;
		}
		if (familyInput) return errs; // the family's input is checked by validateFamily
		const input = /** @type {Record<string, any>} */ (body.input);
		for (const k of Object.keys(input)) {
			if (!['prompt', 'negative_prompt', 'start_image', 'end_image', 'image', 'aspect_ratio', 'duration'].includes(k)) {
				add('additional_property_not_allowed', `input.${k}`, `Additional property ${k} is not allowed`);
			}
		}
		if (input.prompt === undefined) add('required', 'input', 'prompt is required');
		else if (typeof input.prompt !== 'string') add('invalid_type', 'input.prompt', `Invalid type. Expected: string, given: ${typeName(input.prompt)}`);
		else if (input.prompt.trim() === '') add('required', 'input.prompt', 'prompt must not be empty');
		if (input.negative_prompt !== undefined && typeof input.negative_prompt !== 'string') {
			add('invalid_type', 'input.negative_prompt', `Invalid type. Expected: string, given: ${typeName(input.negative_prompt)}`);
		}
		if (input.duration !== undefined) {
			if (!Number.isInteger(input.duration)) add('invalid_type', 'input.duration', `Invalid type. Expected: integer, given: ${typeName(input.duration)}`);
			else if (![5, 10].includes(input.duration)) add('enum', 'input.duration', 'input.duration must be one of the following: 5, 10');
		}
		if (input.aspect_ratio !== undefined && !['16:9', '9:16', '1:1'].includes(input.aspect_ratio)) {
			add('enum', 'input.aspect_ratio', 'input.aspect_ratio must be one of the following: "16:9", "9:16", "1:1"');
		}
		for (const f of ['start_image', 'end_image', 'image']) {
			const v = input[f];
			if (v === undefined || v === null) continue;
			if (typeof v !== 'string' || !(/^data:[^,]*,/.test(v) || V.url(v, f) === null)) add('format', `input.${f}`, "Does not match format 'uri'");
		}
		return errs;
	}

	/** @param {Ctx} ctx @param {string} model */
	async function submit(ctx, model) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return problem(ctx, 400, 'Bad request', 'The request body is not valid JSON');
		}
		if (!REPLICATE_MODELS.includes(model)) return problem(ctx, 404, 'Not found', `The requested model ${model} could not be found.`);
		if (!isPlainObject(body)) return problem(ctx, 422, 'Input validation failed', '- (root): Invalid type. Expected: object', { invalid_fields: [{ type: 'invalid_type', field: '(root)', description: 'Invalid type. Expected: object' }] });
		const family = REPLICATE_FAMILY[model];
		const cap = REPLICATE_CAPS[model];
		const errs = validate(body, !!family || !!cap);
		/** @type {{ duration: number, shots: number[] | null }} */
		let fam = { duration: 5, shots: null };
		/** @type {RepCapResult | null} */
		let capMedia = null;
		if (!errs.length && family) {
			const r = validateFamily(family, /** @type {Record<string, any>} */ (body.input));
			errs.push(...r.errors);
			fam = r;
			if (!errs.length && family.omni) {
				capMedia = omniMedia(/** @type {Record<string, any>} */ (body.input));
				if (capMedia.problem) errs.push(invalidField(rule(capMedia.field ?? 'prompt', capMedia.problem)));
			}
		}
		if (!errs.length && cap) {
			const input = /** @type {Record<string, any>} */ (body.input);
			const issues = checkObject(input, cap.fields);
			if (issues.length) errs.push(...issues.map(invalidField));
			else {
				capMedia = cap.run(engine, input);
				if (capMedia.problem) errs.push(invalidField(rule(capMedia.field ?? 'input', capMedia.problem)));
			}
		}
		if (errs.length) {
			return problem(ctx, 422, 'Input validation failed', errs.map((e) => `- ${e.field}: ${e.description}`).join('\n') + '\n', { invalid_fields: errs });
		}
		noteDataUris(ctx, body.input);
		if (engine.submitRateLimited(ctx, mod)) return;
		const input = /** @type {Record<string, any>} */ (body.input);
		if (cap && capMedia) return createCapability(ctx, model, body, cap, /** @type {RepCapResult} */ (capMedia));
		const start = input.start_image ?? input.image;
		const imageUrls = [start, input.end_image, ...(Array.isArray(input.reference_images) ? input.reference_images : [])].filter((u) => typeof u === 'string' && !/^data:/.test(u));
		const webhook = /** @type {string | undefined} */ (body.webhook) || undefined;
		const task = engine.createTask(
			{
				provider: 'replicate',
				model,
				mode: start || input.reference_images?.length ? 'image-to-video' : 'text-to-video',
				input: body.input,
				duration: capMedia?.duration ?? (family ? fam.duration : (input.duration ?? 5)),
				shots: fam.shots,
				audio: capMedia?.audio ?? (family ? family.audio(input) : false),
				resolution: family ? family.resolution(input) : null,
				aspectRatio: capMedia?.aspectRatio ?? (start ? '16:9' : (input.aspect_ratio ?? '16:9')),
				capability: capMedia ? /** @type {any} */ (capMedia).capability : undefined,
				inputs: capMedia?.inputs,
				failWith: capMedia?.failWith ?? null,
				imageUrls,
				callbackUrl: webhook,
				id: randomPredictionId(),
				extra: { events: Array.isArray(body.webhook_events_filter) ? body.webhook_events_filter : EVENTS },
			},
			mod,
		);
		return answerCreated(ctx, task, webhook);
	}

	/**
	 * Webhook events, then the 201 answer (held by `Prefer: wait`). @param {Ctx} ctx @param {Task} task @param {string | undefined} webhook
	 */
	async function answerCreated(ctx, task, webhook) {
		ctx.mark('submit', task.id);
		if (webhook) {
			const atStart = prediction(task); // status "starting", even if the timer runs late
			engine.later(() => sendEvent(task, 'start', atStart), 0);
			const processingAt = engine.processingAt(task) + 1;
			// as of the moment processing starts, even when the timer runs late (no processing phase → no event)
			if (engine.phase(task, processingAt).phase === 'processing') engine.later(() => {
				if (!task.extra.completedSent) sendEvent(task, 'logs', prediction(task, processingAt));
			}, processingAt - Date.now());
			engine.atCompletion(task, () => {
				if (task.finalState === 'succeeded') sendEvent(task, 'output');
				sendEvent(task, 'completed');
			});
		}
		if (engine.submitAnswerLost(ctx, mod)) return;
		const wait = /^wait(?:=(\d+))?$/i.exec(String(ctx.req.headers.prefer ?? '').trim());
		if (wait) {
			const until = Date.now() + Math.min(60, Math.max(1, Number(wait[1] ?? 60))) * 1000;
			while (Date.now() < Math.min(until, task.completesAt) && !ctx.res.destroyed && !engine.closed) await engine.sleep(Math.min(250, Math.min(until, task.completesAt) - Date.now() + 1));
		}
		ctx.send(201, prediction(task));
	}

	/**
	 * kling-v3-omni-video / kling-o1 media [P2][P7] §7: the reference_video is read (3–10 s, ≤200 MB); a "base" video
	 * (edit) keeps its length ("duration … ignored for base") and, with keep_original_sound (default true), its sound;
	 * `<<<image_N>>>` / `<<<video_N>>>` must name a given reference.
	 * @param {Record<string, any>} i @returns {RepCapResult & { capability?: import('../core/engine.mjs').Capability }}
	 */
	function omniMedia(i) {
		const images = Array.isArray(i.reference_images) ? i.reference_images.length : 0;
		const hasVideo = present(i.reference_video);
		const refs = checkPromptRefs(i.prompt, { angle: true }, { image: images, video: hasVideo ? 1 : 0 });
		if (refs) return { problem: refs, field: 'prompt' };
		if (!hasVideo) return { capability: images ? 'reference-to-video' : present(i.start_image) ? 'image-to-video' : 'text-to-video', inputs: { images } };
		const r = readInput(engine, i.reference_video, { field: 'reference_video', want: 'video', minSec: 3, maxSec: 10, maxBytes: 200 * 1024 * 1024 });
		if (r.problem) return { problem: r.problem, field: 'reference_video' };
		const base = i.video_reference_type === 'base';
		return {
			capability: base ? 'video-edit' : 'reference-to-video',
			failWith: r.failWith,
			...(base ? { duration: r.seconds, audio: i.keep_original_sound !== false && r.info.audio === true, aspectRatio: aspectFrom(r) } : {}),
			inputs: { images, video: summary(r), referenceType: i.video_reference_type ?? 'feature' },
		};
	}

	/**
	 * Create a motion-control / lip-sync / avatar prediction. @param {Ctx} ctx @param {string} model @param {Record<string, any>} body
	 * @param {ReplicateCap} cap @param {RepCapResult} r
	 */
	function createCapability(ctx, model, body, cap, r) {
		const webhook = /** @type {string | undefined} */ (body.webhook) || undefined;
		const task = engine.createTask(
			{
				provider: 'replicate', model, mode: cap.capability, capability: cap.capability, input: body.input, duration: r.duration ?? 5, audio: r.audio === true,
				resolution: r.resolution ?? null, aspectRatio: r.aspectRatio ?? '16:9', imageUrls: (r.imageUrls ?? []).filter((u) => typeof u === 'string' && !/^data:/.test(u)),
				callbackUrl: webhook, id: randomPredictionId(), inputs: r.inputs ?? {}, failWith: r.failWith ?? null,
				extra: { events: Array.isArray(body.webhook_events_filter) ? body.webhook_events_filter : EVENTS },
			},
			mod,
		);
		return answerCreated(ctx, task, webhook);
	}

	function randomPredictionId() {
		const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
		let s = '';
		for (let i = 0; i < 22; i++) s += alphabet[Math.floor(engine.rng() * alphabet.length)];
		engine.counter++;
		return `${s}${engine.counter.toString(36).padStart(4, '0')}`;
	}

	/** @param {string} id */
	const findTask = (id) => {
		const t = engine.tasks.get(id);
		return t && t.provider === 'replicate' ? t : undefined;
	};

	/* ----------------------------------------------------------- files API (phase 2) */

	/** @param {{ id: string, name: string, mime: string, data: Buffer, createdAt: number, extra?: Record<string, unknown> }} f */
	function fileObject(f) {
		const extra = /** @type {Record<string, any>} */ (f.extra ?? {});
		return {
			id: f.id,
			name: f.name,
			content_type: f.mime,
			size: f.data.length,
			etag: extra.etag,
			checksums: extra.checksums,
			metadata: extra.metadata ?? {},
			created_at: new Date(f.createdAt).toISOString(),
			expires_at: new Date(f.createdAt + FILE_TTL_MS).toISOString(),
			urls: { get: `${base()}/v1/files/${f.id}` },
		};
	}
	/** @param {string} id */
	const findFile = (id) => {
		const f = engine.files.get(id);
		return f && f.provider === 'replicate' && Date.now() < f.createdAt + FILE_TTL_MS ? f : undefined;
	};

	/** POST /v1/files (multipart: content, filename, type, metadata). @param {Ctx} ctx */
	function createFile(ctx) {
		ctx.mark('upload');
		const mp = ctx.multipart();
		const content = mp?.files.find((x) => x.field === 'content');
		if (!mp || !content) return problem(ctx, 400, 'Bad request', 'multipart/form-data with a `content` part (the file) is required');
		const filename = mp.fields.filename ?? content.filename ?? '';
		if (!filename) return problem(ctx, 422, 'Input validation failed', 'filename is required', { invalid_fields: [{ type: 'required', field: 'filename', description: 'filename is required' }] });
		if (Buffer.byteLength(filename, 'utf8') > 255) return problem(ctx, 422, 'Input validation failed', 'filename must be at most 255 bytes', { invalid_fields: [{ type: 'string_max_length', field: 'filename', description: 'filename must be at most 255 bytes' }] });
		const metaText = mp.fields.metadata ?? mp.files.find((x) => x.field === 'metadata')?.data.toString('utf8');
		/** @type {unknown} */
		let metadata = {};
		if (metaText !== undefined) {
			try {
				metadata = JSON.parse(metaText);
			} catch {
				return problem(ctx, 422, 'Input validation failed', 'metadata must be valid JSON', { invalid_fields: [{ type: 'invalid_json', field: 'metadata', description: 'metadata must be valid JSON' }] });
			}
		}
		// content type: the `type` field, else the part's own Content-Type, else application/octet-stream (documented default)
		const mime = mp.fields.type || content.mimeType || 'application/octet-stream';
		const md5 = crypto.createHash('md5').update(content.data).digest('hex');
		const stored = engine.storeFile('replicate', filename, content.data, mime);
		const f = /** @type {any} */ (engine.files.get(stored.id));
		f.extra = { metadata, etag: `"${md5}"`, checksums: { sha256: crypto.createHash('sha256').update(content.data).digest('hex'), md5 } };
		ctx.send(201, fileObject(f));
	}

	/** GET /v1/files/{id}/download: API token OR owner + expiry + signature (signed link). @param {Ctx} ctx @param {string} id @param {boolean} authed */
	function downloadFile(ctx, id, authed) {
		ctx.mark('asset');
		const f = findFile(id);
		if (!authed) {
			const owner = ctx.query.get('owner') ?? '';
			const expiry = Number(ctx.query.get('expiry'));
			const sig = ctx.query.get('signature') ?? '';
			if (!owner || !Number.isFinite(expiry) || !sig) return problem(ctx, 401, 'Unauthenticated', 'You did not pass an authentication token (or owner, expiry and signature)');
			if (expiry * 1000 < Date.now()) return problem(ctx, 403, 'Forbidden', 'The download link has expired');
			const want = replicateFileSignature(engine.opts.secrets.replicate ?? '', id, owner, expiry);
			if (sig.length !== want.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(want))) return problem(ctx, 403, 'Forbidden', 'Invalid signature');
		}
		if (!f) return problem(ctx, 404, 'Not found', 'The requested resource could not be found.');
		ctx.res.writeHead(200, { 'content-type': f.mime, 'content-length': f.data.length, 'content-disposition': `attachment; filename="${encodeURIComponent(f.name)}"` });
		ctx.res.end(ctx.method === 'HEAD' ? undefined : f.data);
		ctx.entry.status = 200;
	}

	/**
	 * Data URIs in a prediction input: Replicate recommends them below 1 MB and documents no hard limit, so they are
	 * accepted; a larger one is journaled as a warning (`entry.warning`) so tests can see the node should have used
	 * the files API. @param {Ctx} ctx @param {unknown} input
	 */
	function noteDataUris(ctx, input) {
		const big = Object.entries(isPlainObject(input) ? input : {})
			.flatMap(([k, v]) => (Array.isArray(v) ? v.map((x, i) => [`${k}[${i}]`, x]) : [[k, v]]))
			.filter(([, v]) => typeof v === 'string' && /^data:/i.test(v) && v.length * 0.75 > DATA_URI_RECOMMENDED_BYTES)
			.map(([k]) => k);
		if (big.length) /** @type {any} */ (ctx.entry).warning = `data URI above 1 MB in ${big.join(', ')}: Replicate recommends the files API (POST /v1/files) for files over 1 MB`;
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'replicate',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		unknownStatusWord: 'queued',
		fault(ctx, fault) {
			const s = engine.retryAfterSeconds(ctx);
			if (fault === '429' || fault === 'concurrency') return problem(ctx, 429, 'Too Many Requests', `Request was throttled. Expected available in ${s} second${s === 1 ? '' : 's'}.`, {}, engine.retryAfterHeader(ctx));
			if (fault === 'credit' || fault === 'arrears') return problem(ctx, 402, 'Insufficient credit', 'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to set up billing.');
			if (fault === '500') return problem(ctx, 500, 'Internal Server Error', 'An unexpected error occurred.');
			return problem(ctx, 503, 'Service Unavailable', 'The service is temporarily unavailable. Please retry.');
		},
		async handle(ctx) {
			const p = ctx.path;
			const create = /^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/.exec(p);
			const get = /^\/v1\/predictions\/([^/]+)$/.exec(p);
			const cancel = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(p);
			if (create && ctx.method === 'POST') ctx.mark('submit');
			else if (get && ctx.method === 'GET') ctx.mark('status');
			else if (p === '/v1/account') ctx.mark('credits');
			// `Authorization: Bearer <token>` (PROVIDERS.md) and `Token <token>` (the files API examples) are both accepted
			const token = ctx.bearer() ?? null;
			const tokenScheme = /^Token\s+(\S+)$/i.exec(String(ctx.req.headers.authorization ?? '').trim())?.[1];
			const authed = (token || tokenScheme) === engine.opts.keys.replicate && !!engine.opts.keys.replicate;
			const dl = /^\/v1\/files\/([^/]+)\/download$/.exec(p);
			if (dl && (ctx.method === 'GET' || ctx.method === 'HEAD')) return downloadFile(ctx, dl[1], authed);
			if (!authed) {
				try {
					ctx.json();
				} catch {
					/* ignore */
				}
				return problem(ctx, 401, 'Unauthenticated', token ? 'You did not pass a valid authentication token' : 'You did not pass an authentication token');
			}
			if (create && ctx.method === 'POST') return submit(ctx, create[1]);
			if (get && ctx.method === 'GET') {
				const task = findTask(get[1]);
				ctx.mark('status', task?.id);
				if (!task) return problem(ctx, 404, 'Not found', 'The requested resource could not be found.');
				if (await engine.statusFault(ctx, task, mod)) return;
				const pr = prediction(task);
				if (ctx.unknownStatus) pr.status = ctx.unknownStatus;
				return ctx.send(200, pr);
			}
			if (cancel && ctx.method === 'POST') {
				const task = findTask(cancel[1]);
				ctx.mark('other', task?.id);
				if (!task) return problem(ctx, 404, 'Not found', 'The requested resource could not be found.');
				const { phase } = engine.phase(task);
				if (phase === 'queued' || phase === 'processing') {
					task.finalState = 'failed';
					task.failure = { kind: 'canceled', code: 'canceled', message: 'Prediction was canceled' };
					task.completesAt = Date.now();
					sendEvent(task, 'completed');
				}
				return ctx.send(200, prediction(task));
			}
			if (p === '/v1/files' && ctx.method === 'POST') return createFile(ctx);
			if (p === '/v1/files' && ctx.method === 'GET') {
				ctx.mark('other');
				const list = [...engine.files.values()].filter((f) => f.provider === 'replicate' && findFile(f.id)).reverse().map(fileObject);
				return ctx.send(200, { previous: null, next: null, results: list });
			}
			const fm = /^\/v1\/files\/([^/]+)$/.exec(p);
			if (fm && ctx.method === 'GET') {
				const f = findFile(fm[1]);
				// urls.get serves the bytes to a client that asks for them (Accept without JSON), the details otherwise
				if (f && !/json/i.test(String(ctx.req.headers.accept ?? 'application/json')) && !/\*\/\*/.test(String(ctx.req.headers.accept))) return downloadFile(ctx, fm[1], true);
				ctx.mark('other');
				if (!f) return problem(ctx, 404, 'Not found', 'The requested resource could not be found.');
				return ctx.send(200, fileObject(f));
			}
			if (fm && ctx.method === 'DELETE') {
				ctx.mark('other');
				if (!findFile(fm[1])) return problem(ctx, 404, 'Not found', 'The requested resource could not be found.');
				engine.files.delete(fm[1]);
				ctx.res.writeHead(204);
				ctx.res.end();
				ctx.entry.status = 204;
				return;
			}
			if (p === '/v1/webhooks/default/secret' && ctx.method === 'GET') {
				ctx.mark('webhook-admin');
				return ctx.send(200, { key: engine.opts.secrets.replicate });
			}
			if (p === '/v1/account' && ctx.method === 'GET') {
				return ctx.send(200, { type: 'user', username: 'emulator', name: 'Replicate Emulator', github_url: null });
			}
			return problem(ctx, 404, 'Not found', `The requested resource could not be found: ${ctx.method} ${p}`);
		},
	};
	return mod;
}
