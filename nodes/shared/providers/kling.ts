import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { ProviderError, type ProviderErrorKind } from '../util/errors';
import { checkWebhookSignature } from '../util/signature';
import { pathSegments } from '../util/paths';
import { finishedVideoUrls, isoFromEpochMs, parseBody, statusOf } from './common';
import { entryFields } from './fields';
import { replicateSignature } from './replicate';
import type {
	GenerationMode,
	GenerationRequest,
	ProviderAdapter,
	ProviderRequest,
	TaskSnapshot,
	TaskStatus,
} from './types';

const NAME = 'Kling AI';

/**
 * The official Kling API, both generations (KLING-MODELS.md §3.5 A, B, D; PROVIDERS.md §5.1):
 * - legacy `/v1/videos/{text2video,image2video}` with `model_name`: `{code, message, data}`,
 *   `task_id` / `task_status` (`succeed`), `task_result.videos[]`; a task is found only under its
 *   own mode's path;
 * - the new per-model API (`POST /text-to-video/kling-3.0`…): `data{id, status, …}`, read back with
 *   `GET /tasks?task_ids=` (an array even for one id), status `succeeded`, `outputs[]`.
 * - capabilities (§3.5 C, §7): legacy products `/v1/videos/{motion-control, avatar/image2video,
 *   advanced-lip-sync, lip-sync, omni-video}`, each polled under its own path (the Generation Type
 *   and, for lip-sync, the entry id pick it); advanced lip-sync after a free identify-face; the new
 *   `/motion-control/<model>` and `/omni-video/<model>` with `contents[]`, polled via `/tasks`.
 * The catalog entry's `api` decides; the credential authenticates with its API key where it has one
 * (both generations take it), else with a JWT minted from the access key and secret key.
 * Choices where the docs are open:
 * - `image` takes a URL or raw base64 (no data: prefix), so binary frames are sent inline; so are
 *   binary audio files (`sound_file`: "URL or Base64"). Videos must be URLs (no files API).
 * - callbacks: the legacy body is the task object, the new one a bare task object; both are signed
 *   the Standard Webhooks way once a Webhook Secret exists (§3.5 D: "signing only adds headers" —
 *   legacy signing inferred), otherwise checked by the URL token and re-read.
 */
export const kling: ProviderAdapter = {
	id: 'kling',
	displayName: NAME,
	credentialType: 'klingOfficialApi',
	apiPathPrefix: '/v1',
	imageMimeTypes: ['image/jpeg', 'image/png'],
	// Images and audio (avatar `sound_file`, lip-sync) go inline as raw base64; videos must be URLs.
	inlineKinds: ['image', 'audio'],

	buildSubmitRequest(request) {
		return request.entry.api === 'new' ? newApiSubmit(request) : legacySubmit(request);
	},

	readSubmitResponse(statusCode, body) {
		const data = readEnvelope(statusCode, body);
		const created = parseBody(createdSchema, data, 'submit response', NAME);
		const taskId = created.task_id ?? created.id;
		if (!taskId)
			throw new ProviderError('unexpected', `${NAME} answered a submit without a task id`);
		return taskId;
	},

	buildStatusRequest(task) {
		if (task.api === 'new') {
			return { method: 'GET', path: '/tasks', qs: { task_ids: task.taskId } };
		}
		return {
			method: 'GET',
			path: `/v1/videos/${productFor(task.mode, task.model)}/${encodeURIComponent(task.taskId)}`,
		};
	},

	readStatusResponse(statusCode, body, task) {
		const data = readEnvelope(statusCode, body);
		if (task.api !== 'new') return normalizeKlingTask(data, task.model);
		const list = parseBody(z.array(z.unknown()), data, 'task list', NAME);
		const found = list.find((item) => newTaskSchema.safeParse(item).data?.id === task.taskId);
		if (!found) {
			throw new ProviderError('notFound', `${NAME} has no task ${task.taskId}`, 404);
		}
		return normalizeNewTask(found, task.model);
	},

	/**
	 * A task made earlier with this external task id (the node's Idempotency Key): the new API's
	 * `GET /tasks?external_task_ids=`; the legacy single-task query takes the external id in the path
	 * (§3.5 A: "task_id or external_task_id").
	 */
	buildLookupRequest(externalId, mode, api, model) {
		if (api === 'new') return { method: 'GET', path: '/tasks', qs: { external_task_ids: externalId } };
		return {
			method: 'GET',
			path: `/v1/videos/${productFor(mode, model ?? '')}/${encodeURIComponent(externalId)}`,
		};
	},

	// Advanced lip-sync is submitted for a face that identify-face found (§3.5 C): one free,
	// synchronous call first (no task is created; taken as free — inferred).
	buildPrepareRequest(request) {
		if (request.entry.api === 'new' || productFor(request.mode, request.model) !== ADVANCED_LIPSYNC) {
			return null;
		}
		return {
			method: 'POST',
			path: '/v1/videos/identify-face',
			body: { video_url: request.inputVideoUrl ?? '' },
		};
	},

	readPrepareResponse(statusCode, body) {
		const data = parseBody(faceSchema, readEnvelope(statusCode, body), 'identify-face answer', NAME);
		const [face] = data.face_data;
		if (!face) {
			throw new ProviderError(
				'validation',
				`${NAME} found no face in the input video (identify-face, session ${data.session_id}); nothing was created or paid. Use a clip where one face is clearly visible`,
			);
		}
		return {
			sessionId: data.session_id,
			faceId: face.face_id,
			faceMs: Math.max(0, Math.round(face.end_time - face.start_time)),
		};
	},

	readLookupResponse(statusCode, body, api) {
		const code = envelopeSchema.safeParse(body).data?.code;
		if (statusCode === 404 || code === 1203 || code === 1202) return null;
		const data = readEnvelope(statusCode, body);
		if (api !== 'new') return data ? normalizeKlingTask(data, null) : null;
		const [first] = parseBody(z.array(z.unknown()), data, 'task list', NAME);
		return first ? normalizeNewTask(first, null) : null;
	},

	inlineImage(file) {
		return file.data.toString('base64');
	},

	// GET /account/costs (Kling "Account Information Inquiry", free, QPS ≤ 1): the resource packs bought in
	// the window; the balance is what the packs in effect (`online`) have left, in Kling's units. The
	// docs say the remaining quantity lags up to 12 h.
	buildBalanceRequest(nowMs) {
		return {
			method: 'GET',
			path: '/account/costs',
			qs: { start_time: nowMs - RESOURCE_PACK_WINDOW_MS, end_time: nowMs },
		};
	},

	readBalanceResponse(statusCode, body) {
		const costs = parseBody(costsSchema, readEnvelope(statusCode, body), 'account costs', NAME);
		const packs = costs.resource_pack_subscribe_infos ?? [];
		const balance = packs
			.filter((pack) => pack.status === 'online')
			.reduce((sum, pack) => sum + pack.remaining_quantity, 0);
		return { balance, unit: 'units', currency: null };
	},

	refusalCode(_statusCode, body) {
		return envelopeSchema.safeParse(body).data?.code ?? null;
	},

	// Sent on each status change: the legacy task object, or the new API's bare task object.
	readCallback(body) {
		if (newTaskSchema.safeParse(body).success) return normalizeNewTask(body, null);
		return normalizeKlingTask(body, null);
	},

	callbackSignature: {
		signsBody: true,
		secretField: 'webhookSecret',
		// Standard Webhooks, the same scheme as Replicate (§3.5 D).
		verify(callback, secret, nowSeconds) {
			return checkWebhookSignature(
				callback,
				'v1',
				(id, timestamp) => replicateSignature(secret, id, timestamp, callback.rawBody),
				nowSeconds,
			);
		},
	},
};

function legacySubmit(request: GenerationRequest): ProviderRequest {
	const product = productFor(request.mode, request.model);
	const written = entryFields(request);
	let body: IDataObject;
	if (product === ADVANCED_LIPSYNC) body = advancedLipSync(request, written);
	else if (NO_MODEL_NAME.includes(product)) body = written;
	else body = { model_name: request.model, ...written };
	if (product === 'omni-video') omniLists(request, body);
	if (request.callbackUrl) body.callback_url = request.callbackUrl;
	if (request.externalId) body.external_task_id = request.externalId;
	Object.assign(body, request.additionalFields);
	return { method: 'POST', path: `/v1/videos/${product}`, body };
}

/**
 * `face_choose` for the face identify-face found: the audio from its start, as long as the face is
 * on screen or the audio lasts (when its bytes were measured), inserted at the clip's start.
 */
function advancedLipSync(request: GenerationRequest, written: IDataObject): IDataObject {
	const prepared = request.prepared ?? {};
	const faceMs = Number(prepared.faceMs ?? 0);
	const audioSeconds = request.inputSeconds?.audio;
	const audioMs = audioSeconds === undefined ? faceMs : Math.floor(audioSeconds * 1000);
	return {
		session_id: prepared.sessionId,
		face_choose: [
			{
				face_id: prepared.faceId,
				sound_file: written.sound_file,
				sound_start_time: 0,
				sound_end_time: Math.min(faceMs, audioMs),
				sound_insert_time: 0,
			},
		],
	};
}

/**
 * Omni (§7): reference images as `image_list[{image_url}]`, the video as `video_list[{video_url,
 * refer_type, keep_original_sound}]` — `base` (the clip to edit) or `feature` (a reference).
 */
function omniLists(request: GenerationRequest, body: IDataObject): void {
	if (Array.isArray(body.image_list)) {
		body.image_list = body.image_list.map((url) => ({ image_url: url }));
	}
	const keep = body.keep_original_sound;
	delete body.keep_original_sound;
	if (typeof body.video_list === 'string') {
		body.video_list = [
			{
				video_url: body.video_list,
				refer_type: request.mode === 'edit-video' ? 'base' : 'feature',
				...(keep === undefined ? {} : { keep_original_sound: keep }),
			},
		];
	}
}

/**
 * The new API: text-to-video sends `prompt`; image-to-video sends `contents[]` in the docs' order
 * (prompt, first frame, last frame, elements); `settings{}` from the entry; the callback in `options`.
 */
function newApiSubmit(request: GenerationRequest): ProviderRequest {
	const { fields } = request.entry;
	const written = entryFields(request);
	const body: IDataObject = {};
	if (request.mode === 'motion-control') {
		// contents: prompt, the character image, the reference video (§3.5 B).
		const contents: IDataObject[] = [];
		if (typeof written.prompt === 'string') contents.push({ type: 'prompt', text: written.prompt });
		for (const type of ['image', 'video']) {
			if (typeof written[type] === 'string') contents.push({ type, url: written[type] });
		}
		body.contents = contents;
	} else if (request.mode === 'reference-to-video' || request.mode === 'edit-video') {
		body.contents = omniContents(written);
	} else if (request.mode === 'image-to-video') {
		const contents: IDataObject[] = [];
		if (typeof written.prompt === 'string') contents.push({ type: 'prompt', text: written.prompt });
		for (const type of [fields.startImage, fields.endImage]) {
			if (type && typeof written[type] === 'string') contents.push({ type, url: written[type] });
		}
		const elements = fields.elements ? (written[fields.elements.field] as IDataObject[]) : [];
		(elements ?? []).forEach((element, index) =>
			contents.push({
				type: 'element',
				element_id: element.element_id,
				id: `element_${index + 1}`,
			}),
		);
		body.contents = contents;
	} else if (written.prompt !== undefined) {
		body.prompt = written.prompt;
	}
	if (written.settings) body.settings = written.settings;
	const options: IDataObject = {};
	if (request.callbackUrl) options.callback_url = request.callbackUrl;
	if (request.externalId) options.external_task_id = request.externalId;
	if (Object.keys(options).length) body.options = options;
	Object.assign(body, request.additionalFields);
	return { method: 'POST', path: `/${NEW_PRODUCTS[request.mode]}/${pathSegments(request.model)}`, body };
}

/** The new API's path per Generation Type (its model follows). */
const NEW_PRODUCTS: Record<GenerationMode, string> = {
	'text-to-video': 'text-to-video',
	'image-to-video': 'image-to-video',
	'motion-control': 'motion-control',
	avatar: 'avatar',
	'lip-sync': 'lip-sync',
	'reference-to-video': 'omni-video',
	'edit-video': 'omni-video',
	'extend-video': 'video-extend',
};

/**
 * Omni `contents[]` (§7): the prompt, the reference images as `refer_image` with ids `image_1`…, the
 * video as `feature_video` (a reference) or `base_video` (the clip to edit) with id `video_1` — the
 * ids the prompt's `@image_1` / `@video_1` name.
 */
function omniContents(written: IDataObject): IDataObject[] {
	const contents: IDataObject[] = [];
	if (typeof written.prompt === 'string') contents.push({ type: 'prompt', text: written.prompt });
	const images = Array.isArray(written.refer_image) ? written.refer_image : [];
	images.forEach((url, index) =>
		contents.push({ type: 'refer_image', url, id: `image_${index + 1}` }),
	);
	for (const type of ['feature_video', 'base_video']) {
		if (typeof written[type] === 'string') contents.push({ type, url: written[type], id: 'video_1' });
	}
	return contents;
}

const ADVANCED_LIPSYNC = 'advanced-lip-sync';
/** Legacy products whose body has no `model_name` (§3.5 C). */
const NO_MODEL_NAME = ['avatar/image2video', 'lip-sync'];

const PRODUCTS: Record<GenerationMode, string> = {
	'text-to-video': 'text2video',
	'image-to-video': 'image2video',
	'motion-control': 'motion-control',
	avatar: 'avatar/image2video',
	'lip-sync': ADVANCED_LIPSYNC,
	'reference-to-video': 'omni-video',
	'edit-video': 'omni-video',
	'extend-video': 'video-extend',
};

/**
 * The legacy product: its submit path, and the path its tasks are read under (a task is found only
 * under its own product). Lip-sync has two, told apart by the entry id (`lip-sync` = from text).
 */
function productFor(mode: GenerationMode, model: string): string {
	if (mode === 'lip-sync' && model === 'lip-sync') return 'lip-sync';
	return PRODUCTS[mode];
}

/** Normalize a legacy task object: the `data` of a status answer, or a callback body. */
export function normalizeKlingTask(data: unknown, model: string | null): TaskSnapshot {
	const task = parseBody(taskSchema, data, 'task', NAME);
	const { status, unrecognizedStatus } = statusOf(LEGACY_STATUS, task.task_status);
	const videos = task.task_result?.videos ?? [];
	const terminal = status === 'succeeded' || status === 'failed';
	return {
		taskId: task.task_id,
		model,
		status,
		unrecognizedStatus,
		videoUrls: finishedVideoUrls(
			status,
			videos.map((video) => video.url),
			task.task_id,
			NAME,
		),
		error:
			status === 'failed'
				? { code: 'failed', message: task.task_status_msg || 'The task failed' }
				: null,
		createdAt: isoFromEpochMs(task.created_at),
		completedAt: terminal ? isoFromEpochMs(task.updated_at) : null,
		providerGenerationMs: null,
		credits: task.final_unit_deduction === undefined ? null : Number(task.final_unit_deduction),
		api: 'v1',
	};
}

/** Normalize a new-API task object: an item of `GET /tasks`, or a callback body. */
export function normalizeNewTask(data: unknown, model: string | null): TaskSnapshot {
	const task = parseBody(newTaskSchema, data, 'task', NAME);
	const { status, unrecognizedStatus } = statusOf(NEW_STATUS, task.status);
	const videos = (task.outputs ?? []).filter((output) => (output.type ?? 'video') === 'video');
	const terminal = status === 'succeeded' || status === 'failed';
	const units = (task.billing ?? []).find((charge) => charge.charge_type === 'unit')?.amount;
	return {
		taskId: task.id,
		model,
		status,
		unrecognizedStatus,
		videoUrls: finishedVideoUrls(
			status,
			videos.map((video) => video.url),
			task.id,
			NAME,
		),
		error:
			status === 'failed' ? { code: 'failed', message: task.message || 'The task failed' } : null,
		createdAt: isoFromEpochMs(task.create_time),
		completedAt: terminal ? isoFromEpochMs(task.update_time) : null,
		providerGenerationMs: null,
		credits: units === undefined ? null : Number(units),
		api: 'new',
	};
}

const LEGACY_STATUS: Record<string, TaskStatus | undefined> = {
	submitted: 'queued',
	processing: 'processing',
	succeed: 'succeeded',
	failed: 'failed',
};

const NEW_STATUS: Record<string, TaskStatus | undefined> = {
	submitted: 'queued',
	processing: 'processing',
	succeeded: 'succeeded',
	failed: 'failed',
};

/** Kling error codes → what the user should do (§3.5 D). */
function kindForKlingCode(code: number, statusCode: number): ProviderErrorKind {
	if (code >= 1000 && code <= 1004) return 'auth';
	if (code === 1101 || code === 1102) return 'credits';
	if (code === 1100 || code === 1103 || code === 1304) return 'auth';
	if (code === 1302 || code === 1303) return 'rateLimit';
	if (code === 1202 || code === 1203) return 'notFound';
	if (code >= 1200 && code <= 1299) return 'validation';
	if (code === 1300 || code === 1301) return 'moderation';
	if (code === 5001) return 'unavailable';
	if (code >= 5000) return 'server';
	if (statusCode === 429) return 'rateLimit';
	if (statusCode === 404) return 'notFound';
	return 'unexpected';
}

/** `{code: 0, message, request_id, data}`; any other code is an error, whatever the HTTP status. */
function readEnvelope(statusCode: number, body: unknown): unknown {
	const parsed = envelopeSchema.safeParse(body);
	if (!parsed.success) {
		if (statusCode < 300) parseBody(envelopeSchema, body, 'response', NAME);
		throw new ProviderError(
			statusCode === 429 ? 'rateLimit' : statusCode >= 500 ? 'server' : 'unexpected',
			`${NAME} answered HTTP ${statusCode}`,
			statusCode,
		);
	}
	const { code, message, request_id: requestId } = parsed.data;
	if (code === 0 && statusCode < 300) return parsed.data.data;
	const kind = kindForKlingCode(code, statusCode);
	const hint =
		kind === 'auth' ? ' – check the API key (or access key and secret key) in the credential' : '';
	const request = requestId ? ` (request ${requestId})` : '';
	throw new ProviderError(
		kind,
		`${NAME} answered code ${code}: ${message ?? 'error'}${hint}${request}`,
		statusCode,
		String(code),
	);
}

const envelopeSchema = z
	.object({
		code: z.number(),
		message: z.string().optional(),
		request_id: z.string().optional(),
		data: z.unknown(),
	})
	.passthrough();

const numberish = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

const faceSchema = z
	.object({
		session_id: z.string().min(1),
		face_data: z.array(
			z
				.object({ face_id: z.string().min(1), start_time: z.number(), end_time: z.number() })
				.passthrough(),
		),
	})
	.passthrough();

/** Resource packs bought within a year are read (packs are sold for at most a year, inferred). */
const RESOURCE_PACK_WINDOW_MS = 365 * 24 * 60 * 60 * 1000;

const costsSchema = z
	.object({
		resource_pack_subscribe_infos: z
			.array(
				z
					.object({
						resource_pack_name: z.string().optional(),
						remaining_quantity: z.coerce.number().finite(),
						status: z.string().optional(),
					})
					.passthrough(),
			)
			.nullish(),
	})
	.passthrough();

const createdSchema = z
	.object({ task_id: z.string().min(1).optional(), id: z.string().min(1).optional() })
	.passthrough();

const taskSchema = z
	.object({
		task_id: z.string().min(1),
		task_status: z.string().optional(),
		task_status_msg: z.string().nullish(),
		created_at: numberish.nullish(),
		updated_at: numberish.nullish(),
		final_unit_deduction: z.union([z.string(), z.number()]).optional(),
		task_result: z
			.object({ videos: z.array(z.object({ url: z.string() }).passthrough()).optional() })
			.passthrough()
			.nullish(),
	})
	.passthrough();

const newTaskSchema = z
	.object({
		id: z.string().min(1),
		status: z.string(),
		message: z.string().nullish(),
		create_time: numberish.nullish(),
		update_time: numberish.nullish(),
		outputs: z
			.array(z.object({ type: z.string().optional(), url: z.string() }).passthrough())
			.nullish(),
		billing: z
			.array(
				z
					.object({
						charge_type: z.string().optional(),
						amount: z.union([z.number(), z.string()]).optional(),
					})
					.passthrough(),
			)
			.nullish(),
	})
	.passthrough();
