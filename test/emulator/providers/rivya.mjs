// @ts-check
/**
 * Rivya AI Public API v1 emulator — PROVIDERS.md §4 (seed 003). Mounted under /rivya.
 *
 * Enforced exactly: Bearer `rvya_sk_…` auth (§4) with 401 `api_key_missing` / `api_key_invalid`;
 * errors `{"error":{"code","message","requestId":"req_…"}}` with the §4.6 HTTP statuses
 * (validation_failed 400, not_found 404, rate_limited 429, idempotency_conflict 409, webhook_url_rejected 400,
 * public_api_disabled 503); POST /api/v1/generations `{model:"kling-v2-5-turbo-pro", prompt ≤2500, params,
 * client_request_id?}` (§4.1, seed 003) with params duration, aspect_ratio 16:9|9:16|1:1, negative_prompt,
 * cfg_scale 0–1, referenceMediaItems ≤2 items `{url, kind:"image", name?, mimeType?, durationSeconds?,
 * durationToken?}` (2nd = end frame); bare-object responses (no envelope) with status
 * queued|processing|succeeded|failed and `result:{primary_url,urls}` (§4.1, §4.2); GET /api/v1/generations/{id};
 * GET /api/v1/credits → `{current_credits}` (§4.4); Files API POST /api/v1/files multipart file, kind
 * image|video|audio, model?, client_request_id? ≤128, limits image 10 MB jpeg/png/webp, video 50 MB
 * mp4/quicktime/webm, audio 10 MB, signature sniffed (§4.3); GET /api/v1/files/{id}; webhooks
 * POST/GET /api/v1/webhooks, GET/DELETE /api/v1/webhooks/{id}, POST …/{id}/rotate-secret (§4.5) with events
 * generation.succeeded / generation.failed whose `data` is the status serializer.
 *
 * Open questions (§4, §6.4) — emulator choices:
 *  - params.duration: "5"|"10" strings (examples) AND 5|10 numbers (the table says "select 5, 10") accepted.
 *  - Idempotency-Key: same key + same body → the SAME generation (current state, HTTP 200, header
 *    `Idempotent-Replayed: true`, journaled as a replay, no new task); same key + different body → 409
 *    idempotency_conflict (inference in §4.6). Keys never expire during a run. Bodies compared as JSON with
 *    sorted keys.
 *  - Create answers HTTP 200 (status code not documented).
 *  - insufficient_credits → HTTP 402 (inference, §4.6).
 *  - 500 fault → `internal_error` (undocumented code); 503 fault → `public_api_disabled` (the documented 503).
 *  - Failed `error` object (shape truncated in §4.2): `{code, message}` with codes content_policy_violation,
 *    reference_media_unavailable (emulator asset missing / not an image), reference_media_too_large (> 10 MB),
 *    generation_failed (generic). Credits are refunded for failed tasks.
 *  - Files API response JSON is NOT documented beyond `url` and `duration_token` (§4.3): the emulator answers
 *    `{id:"file_…", url, kind, mime_type, size_bytes, name, duration_token (null for images), created_at}`.
 *  - Webhook URL: real Rivya refuses loopback/private/non-HTTPS URLs (§4.5); THE EMULATOR ALLOWS http and
 *    loopback so local receivers work. It still rejects URLs with credentials or a fragment.
 *  - Webhook signature headers/algorithm were not retrievable (§4.5): the emulator ASSUMES Standard Webhooks:
 *    `webhook-id` (= event id), `webhook-timestamp` (s), `webhook-signature: v1,<base64 HMAC-SHA256(
 *    base64decode(secret minus "whsec_"), id.ts.rawBody)>`. Retries: up to 3 (5/10/20 s × timeScale), assumed.
 *  - Unknown params keys → 400 validation_failed naming the key (strict). Unknown top-level keys likewise.
 *  - Reserved/final credits: FIXED 42 per generation (seed 003 "base credits 42, billing FIXED").
 *  - `client_request_id` is not echoed (not documented).
 *
 * Kling 2.6 / 3.0 (KLING-MODELS.md §3.4 [R1,R2]) — `RIVYA_FAMILY`:
 *  - kling-2-6: prompt ≤1000; params duration "5"|"10" (5), sound "false"|"true" (false), aspect_ratio
 *    1:1|16:9|9:16 (DEFAULT 1:1); referenceMediaItems ≤1 image; 55 credits FIXED.
 *  - kling-3-0: prompt ≤2000; params mode std|pro (pro), multi_shots "false"|"true", duration "3"…"15" (5), sound,
 *    aspect_ratio (16:9); referenceMediaItems ≤2 images (2nd = end frame, inf); 90 credits FIXED.
 *  Choices: the examples show every param as a string and the docs are open on the type → the string AND the
 *  JSON form are accepted (durations 5 / "5", sound true / "true", multi_shots true / "true"). No shot list is
 *  documented for multi_shots (§5 q6): the clip lasts `duration`, no per-shot check. multi_shots with an end frame
 *  (2 images) → 400 (every provider that documents multi-shot forbids an end frame; Rivya's docs are silent).
 *  Params not in [R1,R2] (negative_prompt, cfg_scale, …) → 400 validation_failed. Audio = sound.
 *
 * Refusals and caps (§4.6): rate limit and over the concurrency cap → 429 `rate_limited` + Retry-After (seconds until a
 * slot frees for the cap); out of credits → 402 `insufficient_credits` (status inferred); maintenance → 503
 * `public_api_disabled`. Unknown-status fault word: "running" (Rivya says there is no such status, §4.2).
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject, randomHex, stableStringify } from '../core/util.mjs';
import { boolValue, checkObject, intValue } from '../core/schema.mjs';
import { sniff } from '../core/media.mjs';

/** @typedef {import('../core/engine.mjs').Engine} Engine @typedef {import('../core/engine.mjs').Ctx} Ctx @typedef {import('../core/engine.mjs').Task} Task */

export const RIVYA_MODEL = 'kling-v2-5-turbo-pro';
/**
 * Kling 2.6 and 3.0 (KLING-MODELS.md §3.4 [R1,R2]): prompt limit, credits, params, reference images.
 * @type {Record<string, { promptMax: number, credits: number, maxImages: number, aspectDefault: string,
 *   params: Record<string, import('../core/schema.mjs').FieldSpec> }>}
 */
export const RIVYA_FAMILY = {
	'kling-2-6': {
		promptMax: 1000,
		credits: 55,
		maxImages: 1,
		aspectDefault: '1:1',
		params: {
			duration: { type: 'intOrString', enum: [5, 10] },
			sound: { type: 'boolOrString' },
			aspect_ratio: { type: 'string', enum: ['1:1', '16:9', '9:16'] },
			referenceMediaItems: { type: 'any' },
		},
	},
	'kling-3-0': {
		promptMax: 2000,
		credits: 90,
		maxImages: 2,
		aspectDefault: '16:9',
		params: {
			mode: { type: 'string', enum: ['std', 'pro'] },
			multi_shots: { type: 'boolOrString' },
			duration: { type: 'intOrString', min: 3, max: 15 },
			sound: { type: 'boolOrString' },
			aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'] },
			referenceMediaItems: { type: 'any' },
		},
	},
};
export const RIVYA_MODELS = [RIVYA_MODEL, ...Object.keys(RIVYA_FAMILY)];
const EVENTS = ['generation.succeeded', 'generation.failed'];
const CREDITS = 42;
const FILE_LIMITS = {
	image: { max: 10 * 1024 * 1024, mimes: ['image/jpeg', 'image/png', 'image/webp'] },
	video: { max: 50 * 1024 * 1024, mimes: ['video/mp4', 'video/quicktime', 'video/webm'] },
	audio: { max: 10 * 1024 * 1024, mimes: ['audio/mpeg', 'audio/wav', 'audio/mp4'] },
};

/** Standard-Webhooks style signature (the emulator's assumption for Rivya). @param {string} secret @param {string} id @param {number} ts @param {string} raw */
export function rivyaSignature(secret, id, ts, raw) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	return crypto.createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64');
}

/** @param {Engine} engine */
export function createRivya(engine) {
	/** @type {Map<string, { hash: string, taskId: string }>} */
	const idempotency = new Map();
	/** @type {Map<string, { id: string, name: string, url: string, event_types: string[], status: string, secret: string, failure_count: number, created_at: string, updated_at: string }>} */
	const endpoints = new Map();
	const startCredits = 10000;

	/** @param {Ctx} ctx @param {number} status @param {string} code @param {string} message @param {Record<string, string>} [headers] */
	const err = (ctx, status, code, message, headers) =>
		ctx.send(status, { error: { code, message, requestId: `req_${randomHex(engine.rng, 20)}` } }, headers);

	/** @param {string} kind @returns {import('../core/engine.mjs').Failure} */
	function failure(kind) {
		switch (kind) {
			case 'content':
				return { kind, code: 'content_policy_violation', message: 'The prompt or reference media was rejected by content moderation.' };
			case 'image-missing':
			case 'image-not-image':
				return { kind, code: 'reference_media_unavailable', message: 'A reference media item could not be fetched or is not a supported image.' };
			case 'image-too-large':
				return { kind, code: 'reference_media_too_large', message: 'A reference image exceeds the 10 MB limit.' };
			default:
				return { kind, code: 'generation_failed', message: 'The generation failed. Reserved credits were refunded.' };
		}
	}

	/** Public generation serializer (status endpoint, create response and webhook `data`). @param {Task} task */
	function serialize(task) {
		const { phase } = engine.phase(task);
		const updated =
			phase === 'succeeded' || phase === 'failed'
				? task.completesAt
				: phase === 'processing'
					? Math.round(task.startAt + task.generationMs * 0.1)
					: task.createdAt;
		const url = engine.resultUrl(task);
		return {
			id: task.id,
			status: phase,
			model: task.model,
			reserved_credits: task.extra.credits ?? CREDITS,
			final_credits: phase === 'succeeded' ? (task.extra.credits ?? CREDITS) : 0,
			created_at: new Date(task.createdAt).toISOString(),
			updated_at: new Date(updated).toISOString(),
			result: phase === 'succeeded' ? { primary_url: url, urls: [url] } : null,
			error: phase === 'failed' ? { code: String(task.failure?.code ?? 'generation_failed'), message: task.failure?.message ?? 'failed' } : null,
		};
	}

	function currentCredits() {
		let used = 0;
		const now = Date.now();
		for (const t of engine.tasks.values()) {
			if (t.provider !== 'rivya') continue;
			if (t.finalState === 'failed' && now >= t.completesAt) continue; // refunded
			used += t.extra.credits ?? CREDITS;
		}
		return Math.max(0, startCredits - used);
	}

	/** @param {Record<string, any>} body @returns {string | null} */
	function validate(body) {
		const params = body.params;
		let p =
			V.unknownFields(body, ['model', 'prompt', 'params', 'client_request_id']) ??
			(body.model === undefined ? 'model is required' : null) ??
			(RIVYA_MODELS.includes(/** @type {string} */ (body.model)) ? null : `model ${JSON.stringify(body.model)} is not available; use one of ${RIVYA_MODELS.map((m) => `"${m}"`).join(', ')}`) ??
			V.string(body.prompt, 'prompt', { required: true, max: RIVYA_FAMILY[/** @type {string} */ (body.model)]?.promptMax ?? 2500 }) ??
			V.string(body.client_request_id, 'client_request_id', { max: 128 }) ??
			(params === undefined || isPlainObject(params) ? null : 'params must be an object');
		if (p || params === undefined) return p;
		const family = RIVYA_FAMILY[/** @type {string} */ (body.model)];
		if (family) {
			const issue = checkObject(params, family.params, 'params.')[0];
			if (issue) return issue.message;
			p = checkReferenceItems(params.referenceMediaItems, family.maxImages, body.model);
			if (p) return p;
			if (boolValue(params.multi_shots) && Array.isArray(params.referenceMediaItems) && params.referenceMediaItems.length > 1) {
				return 'params.multi_shots cannot be combined with an end frame (a 2nd referenceMediaItems image)';
			}
			return null;
		}
		p =
			V.unknownFields(params, ['duration', 'aspect_ratio', 'negative_prompt', 'cfg_scale', 'referenceMediaItems'], 'params.') ??
			(params.duration === undefined || ['5', '10', 5, 10].includes(params.duration) ? null : 'params.duration must be "5" or "10"') ??
			V.enumString(params.aspect_ratio, 'params.aspect_ratio', ['16:9', '9:16', '1:1']) ??
			V.string(params.negative_prompt, 'params.negative_prompt') ??
			V.number(params.cfg_scale, 'params.cfg_scale', 0, 1);
		if (p) return p;
		return checkReferenceItems(params.referenceMediaItems, 2, body.model);
	}

	/** @param {unknown} items @param {number} max @param {unknown} model @returns {string | null} */
	function checkReferenceItems(items, max, model) {
		let p;
		if (items === undefined) return null;
		if (!Array.isArray(items)) return 'params.referenceMediaItems must be an array';
		if (items.length > max) return `params.referenceMediaItems accepts at most ${max} image${max === 1 ? '' : 's'} for ${model}`;
		for (let i = 0; i < items.length; i++) {
			const it = items[i];
			const w = `params.referenceMediaItems[${i}]`;
			if (!isPlainObject(it)) return `${w} must be an object`;
			p =
				V.unknownFields(it, ['url', 'kind', 'name', 'mimeType', 'durationSeconds', 'durationToken'], `${w}.`) ??
				V.url(it.url, `${w}.url`, true) ??
				(it.kind === 'image' ? null : `${w}.kind must be "image" for this model`) ??
				V.string(it.name, `${w}.name`) ??
				V.enumString(it.mimeType, `${w}.mimeType`, FILE_LIMITS.image.mimes);
			if (p) return p;
		}
		return null;
	}

	/** @param {Ctx} ctx */
	function create(ctx) {
		ctx.mark('submit');
		let body;
		try {
			body = ctx.json();
		} catch {
			return err(ctx, 400, 'validation_failed', 'Request body is not valid JSON');
		}
		if (!isPlainObject(body)) return err(ctx, 400, 'validation_failed', 'Request body must be a JSON object');
		const key = /** @type {string | undefined} */ (ctx.req.headers['idempotency-key']);
		const hash = stableStringify(body);
		if (key) {
			const prev = idempotency.get(key);
			if (prev) {
				if (prev.hash !== hash) {
					return err(ctx, 409, 'idempotency_conflict', 'This Idempotency-Key was already used with a different request body.');
				}
				const t = /** @type {Task} */ (engine.tasks.get(prev.taskId));
				ctx.mark('submit', t.id);
				ctx.entry.replay = true;
				return ctx.send(200, serialize(t), { 'idempotent-replayed': 'true' });
			}
		}
		const problem = validate(body);
		if (problem) return err(ctx, 400, 'validation_failed', problem);
		const mod = /** @type {import('../core/engine.mjs').ProviderModule} */ (engine.providers.get('rivya'));
		if (engine.submitRateLimited(ctx, mod)) return;
		const family = RIVYA_FAMILY[/** @type {string} */ (body.model)];
		const cost = family?.credits ?? CREDITS;
		if (currentCredits() < cost) {
			engine.refused(ctx, 'credit');
			return err(ctx, 402, 'insufficient_credits', 'Not enough credits for this generation.');
		}
		const params = /** @type {Record<string, any>} */ (body.params ?? {});
		const items = /** @type {{url: string}[]} */ (params.referenceMediaItems ?? []);
		const i2v = items.length > 0;
		const task = engine.createTask(
			{
				provider: 'rivya',
				model: /** @type {string} */ (body.model),
				mode: i2v ? 'image-to-video' : 'text-to-video',
				input: body,
				duration: intValue(params.duration) ?? 5,
				aspectRatio: i2v ? '16:9' : (params.aspect_ratio ?? family?.aspectDefault ?? '16:9'),
				audio: family ? boolValue(params.sound) === true : false,
				resolution: family && body.model === 'kling-3-0' ? (params.mode ?? 'pro') : null,
				imageUrls: items.map((i) => i.url),
				idempotencyKey: key,
				idPrefix: 'task_',
				extra: { credits: cost, ...(family ? { multiShots: boolValue(params.multi_shots) === true } : {}) },
			},
			mod,
		);
		if (key) idempotency.set(key, { hash, taskId: task.id });
		ctx.mark('submit', task.id);
		engine.atCompletion(task, () => {
			const type = task.finalState === 'succeeded' ? 'generation.succeeded' : 'generation.failed';
			const event = { id: `evt_${randomHex(engine.rng, 24)}`, type, created_at: new Date().toISOString(), data: serialize(task) };
			for (const ep of endpoints.values()) {
				if (ep.status !== 'active' || !ep.event_types.includes(type)) continue;
				engine.deliver(task, {
					url: ep.url,
					target: ep.id,
					payload: event,
					sign: (raw, ts, wrong) => ({
						'webhook-id': event.id,
						'webhook-timestamp': String(ts),
						'webhook-signature': `v1,${rivyaSignature(wrong ? `whsec_${Buffer.from('wrong-secret').toString('base64')}` : ep.secret, event.id, ts, raw)}`,
					}),
				});
			}
		});
		if (engine.submitAnswerLost(ctx, mod)) return;
		ctx.send(200, serialize(task));
	}

	/** @param {Ctx} ctx @param {string} id */
	async function get(ctx, id) {
		const task = engine.tasks.get(id);
		ctx.mark('status', task?.provider === 'rivya' ? id : undefined);
		if (!task || task.provider !== 'rivya') return err(ctx, 404, 'not_found', `Generation ${id} was not found.`);
		if (await engine.statusFault(ctx, task, mod)) return;
		const g = serialize(task);
		if (ctx.unknownStatus) /** @type {any} */ (g).status = ctx.unknownStatus;
		ctx.send(200, g);
	}

	/** @param {Ctx} ctx */
	function uploadFile(ctx) {
		ctx.mark('upload');
		const mp = ctx.multipart();
		const file = mp?.files.find((f) => f.field === 'file');
		if (!mp || !file) return err(ctx, 400, 'validation_failed', 'multipart/form-data with a `file` part is required');
		const kind = mp.fields.kind;
		if (kind !== 'image' && kind !== 'video' && kind !== 'audio') return err(ctx, 400, 'validation_failed', 'kind is required: image, video or audio');
		const crid = V.string(mp.fields.client_request_id, 'client_request_id', { max: 128 });
		if (crid) return err(ctx, 400, 'validation_failed', crid);
		if (mp.fields.model !== undefined && !RIVYA_MODELS.includes(mp.fields.model)) {
			return err(ctx, 400, 'validation_failed', `model ${JSON.stringify(mp.fields.model)} is not available`);
		}
		const s = sniff(file.data);
		const lim = FILE_LIMITS[kind];
		if (!lim.mimes.includes(s.mime)) {
			return err(ctx, 400, 'validation_failed', `file content (${s.mime}) is not an accepted ${kind} type (${lim.mimes.join(', ')})`);
		}
		if (RIVYA_MODELS.includes(mp.fields.model) && kind !== 'image') return err(ctx, 400, 'validation_failed', `${mp.fields.model} accepts image files only`);
		if (file.data.length > lim.max) return err(ctx, 400, 'validation_failed', `${kind} files are limited to ${lim.max / 1024 / 1024} MB`);
		const id = `file_${randomHex(engine.rng, 24)}`;
		const name = file.filename || `${id}.${s.mime.split('/')[1]}`;
		const f = engine.storeFile('rivya', name, file.data, s.mime, id);
		const meta = {
			id,
			url: f.url,
			kind,
			mime_type: s.mime,
			size_bytes: file.data.length,
			name,
			duration_token: kind === 'image' ? null : `dt_${randomHex(engine.rng, 24)}`,
			created_at: new Date().toISOString(),
		};
		const stored = engine.files.get(id);
		if (stored) stored.extra = meta;
		ctx.send(200, meta);
	}

	/** @param {{ id: string, name: string, url: string, event_types: string[], status: string, secret: string, failure_count: number, created_at: string, updated_at: string }} ep */
	const publicEndpoint = (ep) => ({
		id: ep.id,
		name: ep.name,
		url: ep.url,
		event_types: ep.event_types,
		status: ep.status,
		secret_preview: `${ep.secret.slice(0, 10)}…`,
		failure_count: ep.failure_count,
		created_at: ep.created_at,
		updated_at: ep.updated_at,
	});
	const newSecret = () => `whsec_${Buffer.from(randomHex(engine.rng, 48), 'hex').toString('base64')}`;

	/** @param {Ctx} ctx */
	function createEndpoint(ctx) {
		let body;
		try {
			body = ctx.json();
		} catch {
			return err(ctx, 400, 'validation_failed', 'Request body is not valid JSON');
		}
		if (!isPlainObject(body)) return err(ctx, 400, 'validation_failed', 'Request body must be a JSON object');
		const p =
			V.unknownFields(body, ['name', 'url', 'event_types']) ??
			V.string(body.name, 'name', { max: 200 }) ??
			(Array.isArray(body.event_types) && body.event_types.length > 0 ? null : 'event_types must be a non-empty array') ??
			/** @type {unknown[]} */ (body.event_types).map((e) => (EVENTS.includes(/** @type {string} */ (e)) ? null : `unknown event type ${JSON.stringify(e)}`)).find(Boolean) ??
			null;
		if (p) return err(ctx, 400, 'validation_failed', p);
		let u;
		try {
			u = new URL(/** @type {string} */ (body.url));
		} catch {
			return err(ctx, 400, 'webhook_url_rejected', 'url must be an absolute http(s) URL');
		}
		if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.hash) {
			return err(ctx, 400, 'webhook_url_rejected', 'url must be an http(s) URL without credentials or fragment');
		}
		// NOTE: real Rivya requires public HTTPS and refuses loopback/private hosts; the emulator allows them.
		const now = new Date().toISOString();
		const ep = {
			id: `whend_${randomHex(engine.rng, 24)}`,
			name: /** @type {string} */ (body.name ?? 'endpoint'),
			url: u.toString(),
			event_types: /** @type {string[]} */ (body.event_types),
			status: 'active',
			secret: newSecret(),
			failure_count: 0,
			created_at: now,
			updated_at: now,
		};
		endpoints.set(ep.id, ep);
		ctx.send(200, { ...publicEndpoint(ep), signing_secret: ep.secret });
	}

	/** @type {import('../core/engine.mjs').ProviderModule} */
	const mod = {
		id: 'rivya',
		defaultRetryDelaysMs: [5000, 10000, 20000],
		failure,
		unknownStatusWord: 'running', // Rivya documents that there is NO "running" status (§4.2)
		fault(ctx, fault) {
			if (fault === '429') return err(ctx, 429, 'rate_limited', 'Too many requests. Retry after the Retry-After delay.', engine.retryAfterHeader(ctx));
			if (fault === 'concurrency') return err(ctx, 429, 'rate_limited', 'Too many generations in progress for this API key. Retry after the Retry-After delay.', engine.retryAfterHeader(ctx));
			if (fault === 'credit' || fault === 'arrears') return err(ctx, 402, 'insufficient_credits', 'Not enough credits for this generation.');
			if (fault === '500') return err(ctx, 500, 'internal_error', 'Unexpected server error.');
			return err(ctx, 503, 'public_api_disabled', 'The public API is temporarily unavailable.');
		},
		async handle(ctx) {
			const p = ctx.path;
			const gen = /^\/api\/v1\/generations\/([^/]+)$/.exec(p);
			if (p === '/api/v1/generations' && ctx.method === 'POST') ctx.mark('submit');
			else if (gen && ctx.method === 'GET') ctx.mark('status');
			else if (p === '/api/v1/credits') ctx.mark('credits');
			else if (p.startsWith('/api/v1/webhooks')) ctx.mark('webhook-admin');
			else if (p.startsWith('/api/v1/files')) ctx.mark('upload');
			const auth = ctx.req.headers.authorization;
			const key = ctx.bearer();
			if (!auth) return err(ctx, 401, 'api_key_missing', 'Missing API key. Send Authorization: Bearer rvya_sk_…');
			if (!key || key !== engine.opts.keys.rivya) return err(ctx, 401, 'api_key_invalid', 'The API key is invalid.');
			if (p === '/api/v1/generations' && ctx.method === 'POST') return create(ctx);
			if (gen && ctx.method === 'GET') return get(ctx, gen[1]);
			if (p === '/api/v1/credits' && ctx.method === 'GET') return ctx.send(200, { current_credits: currentCredits() });
			if (p === '/api/v1/files' && ctx.method === 'POST') return uploadFile(ctx);
			const fm = /^\/api\/v1\/files\/([^/]+)$/.exec(p);
			if (fm && ctx.method === 'GET') {
				const f = engine.files.get(fm[1]);
				if (!f || f.provider !== 'rivya') return err(ctx, 404, 'not_found', 'File not found.');
				return ctx.send(200, f.extra ?? { id: f.id });
			}
			if (p === '/api/v1/webhooks' && ctx.method === 'POST') return createEndpoint(ctx);
			if (p === '/api/v1/webhooks' && ctx.method === 'GET') return ctx.send(200, { data: [...endpoints.values()].map(publicEndpoint) });
			const wm = /^\/api\/v1\/webhooks\/([^/]+)(\/rotate-secret)?$/.exec(p);
			if (wm) {
				const ep = endpoints.get(wm[1]);
				if (!ep) return err(ctx, 404, 'not_found', 'Webhook endpoint not found.');
				if (wm[2] && ctx.method === 'POST') {
					ep.secret = newSecret();
					ep.updated_at = new Date().toISOString();
					return ctx.send(200, { ...publicEndpoint(ep), signing_secret: ep.secret });
				}
				if (!wm[2] && ctx.method === 'GET') return ctx.send(200, publicEndpoint(ep));
				if (!wm[2] && ctx.method === 'DELETE') {
					endpoints.delete(ep.id);
					return ctx.send(200, { id: ep.id, deleted: true });
				}
			}
			return err(ctx, 404, 'not_found', `No route for ${ctx.method} ${p}`);
		},
	};
	return mod;
}
