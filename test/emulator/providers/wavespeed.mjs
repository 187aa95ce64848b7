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
 */
import crypto from 'node:crypto';
import { V } from '../core/engine.mjs';
import { isPlainObject } from '../core/util.mjs';
import { sniff } from '../core/media.mjs';

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
		if (!spec) return err(ctx, 404, `Model not found: ${model}`);
		if (!isPlainObject(body)) return err(ctx, 400, 'Request body must be a JSON object');
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
		const webhook = ctx.query.get('webhook') ?? /** @type {string | undefined} */ (body.webhook_url);
		if (webhook !== undefined && webhook !== null) {
			const p = V.url(webhook, 'webhook');
			if (p) return err(ctx, 400, p);
			if (body.enable_base64_output === true) {
				return ctx.send(400, { error: 'webhook callback does not support base64 output, please set enable_base64_output to false' });
			}
		}
		if (body.enable_sync_mode === true) return err(ctx, 400, `enable_sync_mode is not supported for ${model}; submit and poll the result instead`);
		const mod = /** @type {import('../core/engine.mjs').ProviderModule} */ (engine.providers.get('wavespeed'));
		if (engine.submitRateLimited(ctx, mod)) return;
		const endField = spec.end.find((f) => body[f]);
		const imageUrls = spec.i2v ? [body.image, ...(endField ? [body[endField]] : [])].filter((x) => typeof x === 'string') : [];
		const task = engine.createTask(
			{
				provider: 'wavespeed',
				model,
				mode: spec.i2v ? 'image-to-video' : 'text-to-video',
				input: body,
				duration: Number(body.duration ?? 5),
				aspectRatio: spec.aspect ? /** @type {string} */ (body.aspect_ratio ?? '16:9') : '16:9',
				imageUrls: /** @type {string[]} */ (imageUrls),
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
		ctx.send(200, { code: 200, message: 'success', data: prediction(task) });
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
		fault(ctx, fault) {
			if (fault === '429') return err(ctx, 429, 'Too many requests: rate limit exceeded, please retry later', engine.retryAfterHeader());
			if (fault === '500') return err(ctx, 500, 'Internal server error');
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
