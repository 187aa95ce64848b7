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
 *    (processing, then succeed|failed). NO signature (none documented).
 *
 * Choices / inferences (PROVIDERS.md §5.1 and §6.6 leave these open):
 *  - HTTP statuses follow the official error table (stored copy): 401 for 1000–1004, 429 for 1100–1102,
 *    400 for 1200/1201 and 1300/1301, 404 for 1202/1203, 429 for 1302, 500 for 5000, 503 for 5001. The stored
 *    copy is cut after 1102; the rest is recalled, not re-read. Note: PROVIDERS.md (npm kling-api) labels 1101
 *    "rate" and 1102 "concurrency"; the official table calls 1101/1102 account arrears/resource pack exhausted.
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
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { sniff } from '../core/media.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const KLING_MODELS = ['kling-v1', 'kling-v1-5', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1', 'kling-v2-1-master', 'kling-v2-5-turbo', 'kling-v2-6'];
const LEEWAY_SEC = 5;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

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

/** @param {Engine} engine */
export function createKling(engine) {
	let seq = 0;
	/** @type {Map<string, string>} external_task_id → task id */
	const external = new Map();
	let remainingUnits = 1000;

	const requestId = () => crypto.randomUUID();
	/** @param {Ctx} ctx @param {number} status @param {number} code @param {string} message @param {Record<string, string>} [headers] */
	const kerr = (ctx, status, code, message, headers) => ctx.send(status, { code, message, request_id: requestId(), data: null }, headers);
	/** @param {Ctx} ctx @param {string} message */
	const invalid = (ctx, message) => kerr(ctx, 400, 1201, `Invalid parameter: ${message}`);
	/** @param {Ctx} ctx @param {unknown} data */
	const ok = (ctx, data) => ctx.send(200, { code: 0, message: 'SUCCEED', request_id: requestId(), data });

	/**
	 * Verify the JWT. @param {Ctx} ctx @returns {{ code: number, message: string } | null}
	 */
	function authProblem(ctx) {
		const h = ctx.req.headers.authorization;
		if (!h || !h.trim()) return { code: 1001, message: 'Authorization is empty' };
		const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
		if (!m) return { code: 1002, message: 'Authorization is invalid: expected "Bearer <API token>"' };
		const parts = m[1].split('.');
		if (parts.length !== 3) return { code: 1002, message: 'Authorization is invalid: the API token is not a JWT' };
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
			default:
				return { kind, code: 5000, message: '5000 Server internal error' };
		}
	}

	/** @param {Task} task @param {number} [now] */
	function taskData(task, now = Date.now()) {
		const { phase } = engine.phase(task, now);
		const status = { queued: 'submitted', processing: 'processing', succeeded: 'succeed', failed: 'failed' }[phase];
		const terminal = phase === 'succeeded' || phase === 'failed';
		const updatedAt = terminal ? task.completesAt : phase === 'processing' ? Math.round(task.createdAt + task.generationMs * 0.1) : task.createdAt;
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
			updated_at: updatedAt,
		};
		if (phase === 'succeeded') {
			d.task_result = { videos: [{ id: `${task.id}-v0`, url: engine.resultUrl(task), duration: String(task.duration) }] };
		}
		return d;
	}

	/** @param {Task} task @param {number} [now] */
	function callbackBody(task, now = Date.now()) {
		const d = taskData(task, now);
		const { phase } = engine.phase(task, now);
		const units = (task.duration / 5) * (task.extra.mode === 'pro' ? 2 : 1);
		return {
			...d,
			final_unit_deduction: phase === 'succeeded' ? String(units) : phase === 'failed' ? '0' : undefined,
			task_result: d.task_result ?? { videos: [] },
		};
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

	/** @param {Ctx} ctx @param {'text2video' | 'image2video'} endpoint */
	function submit(ctx, endpoint) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return kerr(ctx, 400, 1200, 'Invalid request parameters: the body is not valid JSON');
		}
		if (!isPlainObject(body)) return kerr(ctx, 400, 1200, 'Invalid request parameters: the body must be a JSON object');
		const i2v = endpoint === 'image2video';
		const allowed = ['model_name', 'prompt', 'negative_prompt', 'cfg_scale', 'mode', 'duration', 'callback_url', 'external_task_id', 'camera_control'];
		if (i2v) allowed.push('image', 'image_tail', 'static_mask', 'dynamic_masks');
		else allowed.push('aspect_ratio');
		const model = body.model_name ?? 'kling-v1';
		let problem =
			V.unknownFields(body, allowed) ??
			V.enumString(body.model_name, 'model_name', KLING_MODELS) ??
			(i2v ? V.string(body.prompt, 'prompt', { max: 2500 }) : V.string(body.prompt, 'prompt', { required: true, max: 2500 })) ??
			V.string(body.negative_prompt, 'negative_prompt', { max: 2500 }) ??
			V.number(body.cfg_scale, 'cfg_scale', 0, 1) ??
			V.enumString(body.mode, 'mode', ['std', 'pro']) ??
			(i2v ? null : V.enumString(body.aspect_ratio, 'aspect_ratio', ['16:9', '9:16', '1:1'])) ??
			(body.duration === undefined || body.duration === '5' || body.duration === '10'
				? null
				: typeof body.duration === 'number'
					? 'duration must be a string: "5" or "10" (got a number)'
					: 'duration must be "5" or "10"') ??
			V.url(body.callback_url, 'callback_url') ??
			V.string(body.external_task_id, 'external_task_id') ??
			(body.camera_control === undefined || isPlainObject(body.camera_control) ? null : 'camera_control must be an object');
		/** @type {string[]} */
		const imageUrls = [];
		/** @type {Buffer[]} */
		const inlineImages = [];
		if (!problem && i2v) {
			const has = (/** @type {string} */ k) => body[k] !== undefined && body[k] !== null && body[k] !== '';
			if (!has('image') && !has('image_tail')) problem = 'image is required (or image_tail)';
			for (const k of ['image', 'image_tail']) {
				if (problem || !has(k)) continue;
				const r = checkImage(body[k], k);
				problem = r.problem;
				if (r.url) imageUrls.push(r.url);
				if (r.bytes) inlineImages.push(r.bytes);
			}
			if (!problem && has('image_tail') && model === 'kling-v2-5-turbo' && body.mode !== 'pro') {
				problem = 'image_tail (end frame) with kling-v2-5-turbo requires mode "pro"';
			}
		}
		if (!problem && typeof body.external_task_id === 'string' && external.has(body.external_task_id)) {
			problem = `external_task_id "${body.external_task_id}" already exists`;
		}
		if (problem) return invalid(ctx, problem);
		if (engine.submitRateLimited(ctx, mod)) return;
		const callbackUrl = /** @type {string | undefined} */ (body.callback_url) || undefined;
		const duration = Number(body.duration ?? '5');
		seq++;
		const id = `8${String(Math.floor(engine.rng() * 1e12)).padStart(12, '0')}${String(seq).padStart(5, '0')}`;
		const task = engine.createTask(
			{
				provider: 'kling',
				model: /** @type {string} */ (model),
				mode: i2v ? 'image-to-video' : 'text-to-video',
				input: body,
				duration,
				aspectRatio: i2v ? '16:9' : /** @type {string} */ (body.aspect_ratio ?? '16:9'),
				imageUrls,
				callbackUrl,
				id,
				extra: { endpoint, mode: body.mode ?? 'std', externalTaskId: body.external_task_id },
			},
			mod,
		);
		if (typeof body.external_task_id === 'string') external.set(body.external_task_id, task.id);
		if (task.finalState === 'succeeded') remainingUnits = Math.max(0, remainingUnits - (duration / 5) * (body.mode === 'pro' ? 2 : 1));
		ctx.mark('submit', task.id);
		if (callbackUrl) {
			// processing (status change after submit), then the terminal status
			const processingAt = task.createdAt + Math.ceil(task.generationMs * 0.1) + 1;
			// built as of the moment processing starts, even when the timer runs late (no processing phase → no callback)
			if (engine.phase(task, processingAt).phase === 'processing') {
				engine.later(() => engine.deliver(task, { url: callbackUrl, payload: callbackBody(task, processingAt), target: 'processing' }), processingAt - Date.now());
			}
			engine.atCompletion(task, () => engine.deliver(task, { url: callbackUrl, payload: callbackBody(task), target: 'final' }));
		}
		if (engine.submitAnswerLost(ctx, mod)) return;
		ok(ctx, taskData(task));
	}

	/** @param {Ctx} ctx @param {'text2video' | 'image2video'} endpoint @param {string} rawId */
	async function status(ctx, endpoint, rawId) {
		const id = decodeURIComponent(rawId);
		const byId = engine.tasks.get(id);
		const task = byId?.provider === 'kling' ? byId : engine.tasks.get(external.get(id) ?? '');
		const mine = task && task.provider === 'kling' && task.extra.endpoint === endpoint ? task : undefined;
		ctx.mark('status', mine?.id);
		if (!mine) return kerr(ctx, 404, 1203, `The requested resource does not exist: task ${id} not found under /v1/videos/${endpoint}`);
		if (await engine.statusFault(ctx, mine, mod)) return;
		ok(ctx, taskData(mine));
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'kling',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		fault(ctx, fault) {
			if (fault === '429') return kerr(ctx, 429, 1302, 'The API request is too fast, exceeding the platform rate limit', engine.retryAfterHeader());
			if (fault === '500') return kerr(ctx, 500, 5000, 'Server internal error');
			return kerr(ctx, 503, 5001, 'Server temporarily unavailable, usually due to maintenance');
		},
		async handle(ctx) {
			const p = ctx.path;
			const create = /^\/v1\/videos\/(text2video|image2video)$/.exec(p);
			const get = /^\/v1\/videos\/(text2video|image2video)\/([^/]+)$/.exec(p);
			if (create && ctx.method === 'POST') ctx.mark('submit');
			else if (get && ctx.method === 'GET') ctx.mark('status');
			else if (p === '/account/costs') ctx.mark('credits');
			const auth = authProblem(ctx);
			if (auth) {
				try {
					ctx.json();
				} catch {
					/* journal keeps the raw body out */
				}
				return kerr(ctx, 401, auth.code, auth.message);
			}
			if (create && ctx.method === 'POST') return submit(ctx, /** @type {any} */ (create[1]));
			if (get && ctx.method === 'GET') return status(ctx, /** @type {any} */ (get[1]), get[2]);
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
			return kerr(ctx, 404, 1202, `The requested method is invalid: ${ctx.method} ${p}`);
		},
	};
	return mod;
}
