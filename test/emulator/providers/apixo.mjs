// @ts-check
/**
 * APIXO emulator — PROVIDERS.md §2 (seed 001). Mounted under /apixo.
 *
 * Enforced exactly: Bearer auth with 401 `{"code":401,"message":"Invalid or missing API key"}` (§2.1);
 * POST /api/v1/generateTask/kling-2-5-turbo-pro with `{request_type, callback_url?, provider?, input}` (§2.2):
 * request_type async|callback, callback_url required for callback, provider auto|value|official,
 * input.mode text-to-video|image-to-video, prompt 1–2500, duration INTEGER 5|10 and required,
 * image_urls 1–2 for image-to-video (2nd = end frame), aspect_ratio text-to-video only,
 * negative_prompt ≤2500, cfg_scale 0–1; 400 body `{"code":400,"message":"Invalid request","data":{"error":…}}`
 * (§2.5). GET /api/v1/statusTask/kling-2-5-turbo-pro?taskId= with states pending|processing|success|failed,
 * resultJson a JSON STRING `{"resultUrls":[…]}`, failCode/failMsg, createTime/completeTime/costTime in ms
 * (§2.3). Callback for request_type=callback: POST of the same envelope, NO signature, up to 3 retries with
 * increasing delays (§2.4). Unknown task → 404.
 *
 * Open questions / choices:
 *  - `input.mode` is "required, default text-to-video" (§2.2): a missing mode is accepted as text-to-video.
 *  - Callback retry delays: the table is truncated after "1st retry | 30…" (§2.4, §6.2); the emulator uses
 *    30 s, 60 s, 120 s (× timeScale), overridable with `callbackRetryDelaysMs`.
 *  - Balance GET /api/v1/apikeys/current-balance: response shape not retrieved (§2.1, §6.2);
 *    the emulator answers `{code:200,message:"success",data:{balance:100}}`.
 *  - `image_urls` on text-to-video and `aspect_ratio` on image-to-video are rejected (field lists per mode, §2.2).
 *  - Unknown fields (top level or in input) are rejected with 400 naming the field (strict, to catch adapter bugs).
 *  - Fail codes (§2.5 older list): CONTENT_VIOLATION, INVALID_IMAGE_URL (emulator asset missing or not an
 *    image), IMAGE_TOO_LARGE (> 10 MB), GENERATION_FAILED (generic).
 *  - 429/500/503 bodies `{code, message}` mirror the 401/400 envelope (§2.5 lists the HTTP codes only).
 *
 * Kling 2.6 / 3.0 (KLING-MODELS.md §3.2 [A1–A3]) — `APIXO_FAMILY`, same envelope, status and callback:
 *  - kling-2-6: input.mode text-to-video|image-to-video; prompt 1–1000; duration integer 5|10; `sound` boolean
 *    REQUIRED; aspect_ratio 1:1|9:16|16:9 (t2v only); image_urls 1–2 (i2v, 2nd = end frame). Audio = sound.
 *  - kling-3-0-std: mode t2v|i2v|motion-control; prompt (req; optional for motion-control); duration integer 3–15 (5);
 *    sound boolean (default off); aspect_ratio (t2v); image_urls 1–2 (i2v).
 *  - kling-3-0-std `input.mode: "motion-control"` [A2] (KLING-MODELS.md §1b, §3.2): image_urls EXACTLY 1 (the
 *    character), video_urls EXACTLY 1 (the motion: MP4/MOV/M4V, ≤30 s); output length = the video's length (measured
 *    for emulator-hosted videos, `remoteVideoSeconds` otherwise). Choices (orientation etc. "not in the excerpt"):
 *    `character_orientation` image|video is ACCEPTED (optional, Kling's field; default video); the video must last
 *    3–30 s (3 s: Kling's minimum, every other provider's too) and ≤10 s with orientation "image" (Kling's rule [K2]
 *    [O6]) → 400; `duration` is accepted (documented for the model) but the output follows the video; `sound: true`
 *    keeps the reference video's own sound (only when it has one; default off = silent); aspect_ratio → 400 (t2v
 *    only). A missing emulator video → task failed INVALID_VIDEO_URL (undocumented code, as INVALID_IMAGE_URL).
 *  - kling-3-0-turbo: mode t2v|i2v; prompt (req); resolution 720p|1080p (default 720p, inf); duration 3–15;
 *    aspect_ratio (t2v); image_urls EXACTLY 1 (i2v). No sound field → silent.
 *  Choices: fields not in [A1–A3] (negative_prompt, cfg_scale, multi-shot, elements) → 400 (strict); a missing
 *  duration is 5 (the family pages give no "required"); prompt ≤2500 on 3.0 (not stated; as 2.5). No 3.0 pro/4k
 *  or 4.0 model exists on APIXO [A4] → 404. GET /statusTask/<model> must name the task's own model → else 404
 *  "Task not found" (the model is part of the path, §2.3). Kling's 2.6 "end frame is silent" rule [O6] is not
 *  applied here (APIXO does not document it).
 *
 * Refusals and caps: the §2.5 HTTP codes with the `{code, message}` envelope — 429 rate limit (+ Retry-After),
 * 402 insufficient balance, 503 maintenance. Concurrency (per-key plans "3 / 10 concurrent", §2.5) → 429
 * `{code:429, message:"Concurrent task limit exceeded…"}` + Retry-After = seconds until a slot frees; nothing is
 * created. Unknown-status fault word: "queuing".
 *

 */
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { checkObject } from '../core/schema.mjs';
import { aspectFrom, readInput, summary } from '../core/capability.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const APIXO_MODEL = 'kling-2-5-turbo-pro';

/**
 * Kling 2.6 / 3.0 std / 3.0 Turbo (KLING-MODELS.md §3.2 [A1–A3]): the `input` fields per model and mode.
 * @type {Record<string, { modes: string[], fields: (i2v: boolean) => Record<string, import('../core/schema.mjs').FieldSpec>,
 *   images: [number, number], audio: (input: Record<string, any>) => boolean, resolution: (input: Record<string, any>) => string | null }>}
 */
export const APIXO_FAMILY = {
	'kling-2-6': {
		modes: ['text-to-video', 'image-to-video'],
		fields: (i2v) => ({
			mode: { type: 'string' },
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 1000 },
			duration: { type: 'integer', enum: [5, 10] },
			sound: { type: 'boolean', required: true },
			...(i2v ? { image_urls: { type: 'array', required: true, minItems: 1, maxItems: 2, items: { type: 'url' } } } : { aspect_ratio: { type: 'string', enum: ['1:1', '9:16', '16:9'] } }),
		}),
		images: [1, 2],
		audio: (i) => i.sound === true,
		resolution: () => null,
	},
	'kling-3-0-std': {
		modes: ['text-to-video', 'image-to-video', 'motion-control'],
		fields: (i2v) => ({
			mode: { type: 'string' },
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 },
			duration: { type: 'integer', min: 3, max: 15 },
			sound: { type: 'boolean' },
			...(i2v ? { image_urls: { type: 'array', required: true, minItems: 1, maxItems: 2, items: { type: 'url' } } } : { aspect_ratio: { type: 'string', enum: ['1:1', '9:16', '16:9'] } }),
		}),
		images: [1, 2],
		audio: (i) => i.sound === true,
		resolution: () => '720p',
	},
	'kling-3-0-turbo': {
		modes: ['text-to-video', 'image-to-video'],
		fields: (i2v) => ({
			mode: { type: 'string' },
			prompt: { type: 'string', required: true, nonEmpty: true, maxLength: 2500 },
			resolution: { type: 'string', enum: ['720p', '1080p'] },
			duration: { type: 'integer', min: 3, max: 15 },
			...(i2v ? { image_urls: { type: 'array', required: true, minItems: 1, maxItems: 1, items: { type: 'url' } } } : { aspect_ratio: { type: 'string', enum: ['1:1', '9:16', '16:9'] } }),
		}),
		images: [1, 1],
		// 3.0 Turbo always has sound (no audio field anywhere; third-party reports: useapi 2026-06-17, Runware)
		audio: () => true,
		resolution: (i) => i.resolution ?? '720p',
	},
};
export const APIXO_MODELS = [APIXO_MODEL, ...Object.keys(APIXO_FAMILY)];

/** kling-3-0-std `input` in mode "motion-control" [A2] (+ character_orientation, Kling's field — choice). @type {Record<string, import('../core/schema.mjs').FieldSpec>} */
const MOTION_FIELDS = {
	mode: { type: 'string' },
	prompt: { type: 'string', maxLength: 2500 },
	duration: { type: 'integer', min: 3, max: 15 },
	sound: { type: 'boolean' },
	image_urls: { type: 'array', required: true, minItems: 1, maxItems: 1, items: { type: 'url' } },
	video_urls: { type: 'array', required: true, minItems: 1, maxItems: 1, items: { type: 'url' } },
	character_orientation: { type: 'string', enum: ['image', 'video'] },
};

/** @param {Engine} engine */
export function createApixo(engine) {
	/** @param {Ctx} ctx @param {string} detail */
	const bad = (ctx, detail) => ctx.send(400, { code: 400, message: 'Invalid request', data: { error: detail } });

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: 'CONTENT_VIOLATION', message: 'Content violates usage policy' };
			case 'image-missing':
			case 'image-not-image':
				return { kind, code: 'INVALID_IMAGE_URL', message: 'Cannot access provided image URL' };
			case 'image-too-large':
				return { kind, code: 'IMAGE_TOO_LARGE', message: 'Image exceeds the 10MB limit' };
			case 'media-missing':
			case 'media-invalid':
				return { kind, code: 'INVALID_VIDEO_URL', message: 'Cannot access provided video URL' };
			default:
				return { kind, code: 'GENERATION_FAILED', message: 'Video generation failed' };
		}
	}

	/** @param {Task} task */
	function statusData(task) {
		const { phase } = engine.phase(task);
		/** @type {Record<string, unknown>} */
		const d = {
			taskId: task.id,
			state: { queued: 'pending', processing: 'processing', succeeded: 'success', failed: 'failed' }[phase],
			createTime: task.createdAt,
		};
		if (phase === 'succeeded') {
			d.resultJson = JSON.stringify({ resultUrls: [engine.resultUrl(task)] });
		}
		if (phase === 'failed') {
			d.failCode = task.failure?.code ?? 'GENERATION_FAILED';
			d.failMsg = task.failure?.message ?? 'Video generation failed';
		}
		if (phase === 'succeeded' || phase === 'failed') {
			d.completeTime = task.completesAt;
			d.costTime = task.generationMs;
		}
		return d;
	}

	/** @param {Ctx} ctx @param {string} model */
	function submit(ctx, model) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return bad(ctx, 'Request body is not valid JSON');
		}
		if (!isPlainObject(body)) return bad(ctx, 'Request body must be a JSON object');
		const input = body.input;
		let problem =
			V.unknownFields(body, ['request_type', 'callback_url', 'provider', 'input']) ??
			V.enumString(body.request_type, 'request_type', ['async', 'callback']) ??
			V.enumString(body.provider, 'provider', ['auto', 'value', 'official']) ??
			(body.request_type === 'callback' ? V.url(body.callback_url, 'callback_url', true) : V.url(body.callback_url, 'callback_url')) ??
			(isPlainObject(input) ? null : 'Missing required field: input');
		const family = APIXO_FAMILY[model];
		/** @type {import('../core/capability.mjs').InputRead | null} */
		let motion = null;
		if (!problem && isPlainObject(input) && family) {
			const mode = input.mode ?? 'text-to-video';
			problem = V.enumString(input.mode, 'input.mode', family.modes);
			if (!problem) {
				const fields = mode === 'motion-control' ? MOTION_FIELDS : family.fields(mode === 'image-to-video');
				const issue = checkObject(input, fields, 'input.')[0];
				if (issue) problem = issue.kind === 'missing' ? `Missing required field: ${issue.field}` : issue.field === 'input.image_urls' && issue.kind === 'length' ? `${issue.message} for ${mode}` : issue.message;
			}
			if (!problem && mode === 'motion-control') {
				const orientation = input.character_orientation ?? 'video';
				const r = readInput(engine, /** @type {string[]} */ (input.video_urls)[0], { field: 'input.video_urls[0]', want: 'video', minSec: 3, maxSec: orientation === 'image' ? 10 : 30 });
				if (r.problem) problem = orientation === 'image' && /at most/.test(r.problem) ? `${r.problem} (character_orientation "image")` : r.problem;
				else motion = r;
			}
		} else if (!problem && isPlainObject(input)) {
			const mode = input.mode ?? 'text-to-video';
			const i2v = mode === 'image-to-video';
			const allowed = ['mode', 'prompt', 'duration', 'negative_prompt', 'cfg_scale', i2v ? 'image_urls' : 'aspect_ratio'];
			problem =
				V.enumString(input.mode, 'input.mode', ['text-to-video', 'image-to-video']) ??
				V.unknownFields(input, allowed, 'input.') ??
				(input.prompt === undefined ? 'Missing required field: input.prompt' : V.string(input.prompt, 'input.prompt', { required: true, min: 1, max: 2500 })) ??
				(input.duration === undefined
					? 'Missing required field: input.duration'
					: input.duration === 5 || input.duration === 10
						? null
						: 'input.duration must be an integer, 5 or 10') ??
				V.string(input.negative_prompt, 'input.negative_prompt', { max: 2500 }) ??
				V.number(input.cfg_scale, 'input.cfg_scale', 0, 1) ??
				(i2v ? null : V.enumString(input.aspect_ratio, 'input.aspect_ratio', ['16:9', '9:16', '1:1']));
			if (!problem && i2v) {
				const urls = input.image_urls;
				if (!Array.isArray(urls) || urls.length < 1 || urls.length > 2) problem = 'input.image_urls must be an array of 1-2 image URLs for image-to-video';
				else problem = urls.map((u, i) => V.url(u, `input.image_urls[${i}]`, true)).find(Boolean) ?? null;
			}
		}
		if (problem) return bad(ctx, problem);
		const inp = /** @type {Record<string, any>} */ (input);
		const mod = /** @type {import('../core/engine.mjs').ProviderModule} */ (engine.providers.get('apixo'));
		if (engine.submitRateLimited(ctx, mod)) return;
		const i2v = inp.mode === 'image-to-video';
		const callbackUrl = body.request_type === 'callback' ? /** @type {string} */ (body.callback_url) : undefined;
		const task = engine.createTask(
			{
				provider: 'apixo',
				model,
				mode: motion ? 'motion-control' : i2v ? 'image-to-video' : 'text-to-video',
				input: body,
				duration: motion ? motion.seconds : (inp.duration ?? 5),
				aspectRatio: motion ? aspectFrom(motion) : i2v ? '16:9' : (inp.aspect_ratio ?? '16:9'),
				audio: motion ? inp.sound === true && motion.info.audio === true : family ? family.audio(inp) : false,
				resolution: family ? family.resolution(inp) : null,
				imageUrls: i2v || motion ? inp.image_urls : [],
				callbackUrl,
				idPrefix: 'task_',
				inputs: motion ? { video: summary(motion), orientation: inp.character_orientation ?? 'video' } : undefined,
				failWith: motion?.failWith ?? null,
			},
			mod,
		);
		ctx.mark('submit', task.id);
		if (callbackUrl) {
			engine.atCompletion(task, () => engine.deliver(task, { url: callbackUrl, payload: { code: 200, message: 'success', data: statusData(task) } }));
		}
		if (engine.submitAnswerLost(ctx, mod)) return;
		ctx.send(200, { code: 200, message: 'success', data: { taskId: task.id } });
	}

	/** @param {Ctx} ctx @param {string} model */
	async function status(ctx, model) {
		const id = ctx.query.get('taskId');
		const task = id ? engine.tasks.get(id) : undefined;
		ctx.mark('status', task?.provider === 'apixo' && task.model === model ? task.id : undefined);
		if (!id) return bad(ctx, 'Missing required query parameter: taskId');
		// the model in the status path must be the one the task was created with (choice: 404 otherwise)
		if (!task || task.provider !== 'apixo' || task.model !== model) return ctx.send(404, { code: 404, message: 'Task not found' });
		if (await engine.statusFault(ctx, task, mod)) return;
		const data = statusData(task);
		if (ctx.unknownStatus) data.state = ctx.unknownStatus;
		ctx.send(200, { code: 200, message: 'success', data });
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'apixo',
		defaultRetryDelaysMs: [30000, 60000, 120000],
		failure,
		unknownStatusWord: 'queuing',
		fault(ctx, fault) {
			if (fault === '429') return ctx.send(429, { code: 429, message: 'Rate limit exceeded' }, engine.retryAfterHeader(ctx));
			if (fault === 'concurrency') return ctx.send(429, { code: 429, message: 'Concurrent task limit exceeded for this API key' }, engine.retryAfterHeader(ctx));
			if (fault === 'credit' || fault === 'arrears') return ctx.send(402, { code: 402, message: 'Insufficient balance' });
			if (fault === '500') return ctx.send(500, { code: 500, message: 'Internal server error' });
			if (fault === 'maintenance') return ctx.send(503, { code: 503, message: 'Service unavailable: scheduled maintenance' });
			return ctx.send(503, { code: 503, message: 'Service unavailable' });
		},
		async handle(ctx) {
			const p = ctx.path;
			const gen = /^\/api\/v1\/generateTask\/([^/]+)$/.exec(p);
			const st = /^\/api\/v1\/statusTask\/([^/]+)$/.exec(p);
			if (gen && ctx.method === 'POST') ctx.mark('submit');
			if (st && ctx.method === 'GET') ctx.mark('status');
			const key = ctx.bearer();
			if (!key || key !== engine.opts.keys.apixo) {
				try {
					ctx.json();
				} catch {
					/* ignore */
				}
				return ctx.send(401, { code: 401, message: 'Invalid or missing API key' });
			}
			if (gen && ctx.method === 'POST') {
				if (!APIXO_MODELS.includes(gen[1])) {
					try {
						ctx.json();
					} catch {
						/* ignore */
					}
					return ctx.send(404, { code: 404, message: `Model not found: ${gen[1]}` });
				}
				return submit(ctx, gen[1]);
			}
			if (st && ctx.method === 'GET') {
				if (!APIXO_MODELS.includes(st[1])) return ctx.send(404, { code: 404, message: `Model not found: ${st[1]}` });
				return status(ctx, st[1]);
			}
			if (p === '/api/v1/apikeys/current-balance' && ctx.method === 'GET') {
				ctx.mark('credits');
				return ctx.send(200, { code: 200, message: 'success', data: { balance: 100 } });
			}
			return ctx.send(404, { code: 404, message: `Not found: ${ctx.method} ${p}` });
		},
	};
	return mod;
}
