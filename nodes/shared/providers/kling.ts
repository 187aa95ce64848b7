import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { ProviderError, type ProviderErrorKind } from '../util/errors';
import {
	finishedVideoUrls,
	imageVariant,
	isoFromEpochMs,
	parseBody,
	textVariant,
	typicalKlingSeconds,
} from './common';
import type { GenerationMode, ProviderAdapter, TaskSnapshot, TaskStatus } from './types';

const NAME = 'Kling AI';

/**
 * The official Kling API (PROVIDERS.md §5.1). Auth is a JWT minted per request by the credential.
 * Choices where the docs are open:
 * - `cfg_scale` is "not supported by v2.x models" (kling-api types), so CFG is rejected for every
 *   listed model rather than silently ignored (§6.6).
 * - `image` takes a URL or raw base64 (no data: prefix), so binary frames are sent inline.
 * - `mode` (std | pro) is part of the model choice; the end frame (`image_tail`) is offered where
 *   the docs allow it (kling-v2-5-turbo: pro only).
 * - Callbacks are not signed: the trigger checks its URL token and re-reads the task.
 */
export const kling: ProviderAdapter = {
	id: 'kling',
	displayName: NAME,
	credentialType: 'klingOfficialApi',
	apiPathPrefix: '/v1',
	models: [
		klingModel(
			'kling-v2-5-turbo-pro',
			'Kling 2.5 Turbo Pro',
			'kling-v2-5-turbo',
			'pro',
			'optional',
		),
		klingModel(
			'kling-v2-5-turbo-std',
			'Kling 2.5 Turbo Standard',
			'kling-v2-5-turbo',
			'std',
			'none',
		),
		klingModel('kling-v2-1-master', 'Kling 2.1 Master', 'kling-v2-1-master', 'pro', 'none'),
		klingModel('kling-v2-master', 'Kling 2.0 Master', 'kling-v2-master', 'pro', 'none'),
	],
	imageMimeTypes: ['image/jpeg', 'image/png'],

	typicalGenerationSeconds: typicalKlingSeconds,

	buildSubmitRequest(request) {
		const body: IDataObject = {
			model_name: request.model,
			prompt: request.prompt,
			duration: String(request.duration),
			...request.variantParams,
		};
		if (request.negativePrompt) body.negative_prompt = request.negativePrompt;
		if (request.aspectRatio) body.aspect_ratio = request.aspectRatio;
		if (request.cfgScale !== null) body.cfg_scale = request.cfgScale;
		if (request.startImageUrl) body.image = request.startImageUrl;
		if (request.endImageUrl) body.image_tail = request.endImageUrl;
		if (request.callbackUrl) body.callback_url = request.callbackUrl;
		Object.assign(body, request.additionalFields);
		return { method: 'POST', path: `/v1/videos/${endpointFor(request.mode)}`, body };
	},

	readSubmitResponse(statusCode, body) {
		return parseBody(taskSchema, readEnvelope(statusCode, body), 'submit response', NAME).task_id;
	},

	// A task is found only under its own mode's path.
	buildStatusRequest(task) {
		return {
			method: 'GET',
			path: `/v1/videos/${endpointFor(task.mode)}/${encodeURIComponent(task.taskId)}`,
		};
	},

	readStatusResponse(statusCode, body, task) {
		return normalizeKlingTask(readEnvelope(statusCode, body), task.model);
	},

	inlineImage(file) {
		return file.data.toString('base64');
	},

	isSafeToResubmit(statusCode, body) {
		const code = envelopeSchema.safeParse(body).data?.code;
		return statusCode === 429 || (code !== undefined && REFUSALS.has(code));
	},

	// The callback body is the task object itself, sent on each status change.
	readCallback(body) {
		return normalizeKlingTask(body, null);
	},
};

function klingModel(
	value: string,
	name: string,
	modelName: string,
	mode: 'std' | 'pro',
	endFrame: 'none' | 'optional',
) {
	const fixedParams = { mode };
	return {
		value,
		name,
		description: `Model name ${modelName}, mode ${mode}`,
		textToVideo: textVariant(modelName, { cfgScale: false, fixedParams }),
		imageToVideo: imageVariant(modelName, { cfgScale: false, endFrame, fixedParams }),
	};
}

/** `text2video` or `image2video`: the submit and status paths depend on the mode. */
function endpointFor(mode: GenerationMode): string {
	return mode === 'image-to-video' ? 'image2video' : 'text2video';
}

/** Normalize a task object: the `data` of a status answer, or a callback body. */
export function normalizeKlingTask(data: unknown, model: string | null): TaskSnapshot {
	const task = parseBody(taskSchema, data, 'task', NAME);
	const status = STATUS_WORDS[task.task_status ?? ''];
	if (!status) {
		throw new ProviderError(
			'unexpected',
			`${NAME} sent an unknown task status "${task.task_status}"`,
		);
	}
	const videos = task.task_result?.videos ?? [];
	const terminal = status === 'succeeded' || status === 'failed';
	return {
		taskId: task.task_id,
		model,
		status,
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
	};
}

const STATUS_WORDS: Record<string, TaskStatus | undefined> = {
	submitted: 'queued',
	processing: 'processing',
	succeed: 'succeeded',
	failed: 'failed',
};

/**
 * Codes that refuse before creating anything (rate limit, concurrency, queue full), so a submit may be
 * sent again. PROVIDERS.md §5.1 lists 1101/1102 as rate and concurrency; Kling's own error table
 * gives 1302/1303 for those and 1101/1102 for an account in arrears. Both readings are refusals.
 */
const REFUSALS = new Set([1101, 1102, 1104, 1302, 1303]);

/** Kling error codes → what the user should do; an HTTP 429 is a rate limit whatever the code. */
function kindForKlingCode(code: number, statusCode: number): ProviderErrorKind {
	if (statusCode === 429 || code === 1302 || code === 1303) return 'rateLimit';
	if (code >= 1000 && code <= 1004) return 'auth';
	if (code === 1101 || code === 1102) return 'credits';
	if (code === 1100 || code === 1103) return 'auth';
	if (code === 1104) return 'rateLimit';
	if (statusCode === 404 || code === 1202 || code === 1203) return 'notFound';
	if (code >= 1200 && code <= 1299) return 'validation';
	if (code >= 1300 && code <= 1399) return 'moderation';
	if (code === 5001) return 'unavailable';
	if (code >= 5000) return 'server';
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
	const hint = kind === 'auth' ? ' – check access key and secret key in the credential' : '';
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
