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
 */
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const APIXO_MODEL = 'kling-2-5-turbo-pro';

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

	/** @param {Ctx} ctx */
	function submit(ctx) {
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
		if (!problem && isPlainObject(input)) {
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
				model: APIXO_MODEL,
				mode: i2v ? 'image-to-video' : 'text-to-video',
				input: body,
				duration: inp.duration,
				aspectRatio: i2v ? '16:9' : (inp.aspect_ratio ?? '16:9'),
				imageUrls: i2v ? inp.image_urls : [],
				callbackUrl,
				idPrefix: 'task_',
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

	/** @param {Ctx} ctx */
	async function status(ctx) {
		const id = ctx.query.get('taskId');
		const task = id ? engine.tasks.get(id) : undefined;
		ctx.mark('status', task?.provider === 'apixo' ? task.id : undefined);
		if (!id) return bad(ctx, 'Missing required query parameter: taskId');
		if (!task || task.provider !== 'apixo') return ctx.send(404, { code: 404, message: 'Task not found' });
		if (await engine.statusFault(ctx, task, mod)) return;
		ctx.send(200, { code: 200, message: 'success', data: statusData(task) });
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'apixo',
		defaultRetryDelaysMs: [30000, 60000, 120000],
		failure,
		fault(ctx, fault) {
			if (fault === '429') return ctx.send(429, { code: 429, message: 'Rate limit exceeded' }, engine.retryAfterHeader());
			if (fault === '500') return ctx.send(500, { code: 500, message: 'Internal server error' });
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
				if (gen[1] !== APIXO_MODEL) {
					try {
						ctx.json();
					} catch {
						/* ignore */
					}
					return ctx.send(404, { code: 404, message: `Model not found: ${gen[1]}` });
				}
				return submit(ctx);
			}
			if (st && ctx.method === 'GET') {
				if (st[1] !== APIXO_MODEL) return ctx.send(404, { code: 404, message: `Model not found: ${st[1]}` });
				return status(ctx);
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
