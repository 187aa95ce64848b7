import { createHmac } from 'crypto';
import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { ProviderError } from '../util/errors';
import { multipartUpload } from './multipart';
import { checkSignature, headerValue } from '../util/signature';
import {
	finishedVideoUrls,
	statusOf,
	httpError,
	isoFromEpochMs,
	parseBody,
	resultUrlsFromJson,
} from './common';
import { entryFields } from './fields';
import type { ProviderAdapter, TaskSnapshot, TaskStatus } from './types';

const NAME = 'Kie.ai';

/**
 * Kie.ai market API (PROVIDERS.md §3). Choices where the docs are open:
 * - errors: Kie puts its code in the body (`{code: 422, msg}`) and clients check it, so both the HTTP
 *   status and the body code are read; whichever is an error wins (§3.2).
 * - `msg` (createTask, callbacks) and `message` (recordInfo) are both read (§3.2, §3.3).
 * - callback task id: `data.taskId`, falling back to `data.task_id` (docs' own example) (§3.4).
 * - `costTime`: the callback example (8 for a 10 s span) reads as seconds, so it is converted from
 *   seconds; timestamps win when present (§3.4).
 * - image-to-video: `image_url` + `tail_image_url`, no aspect ratio, negative prompt ≤ 2496 (§3.2).
 */
export const kie: ProviderAdapter = {
	id: 'kie',
	displayName: NAME,
	credentialType: 'klingKieApi',
	apiPathPrefix: '/api/v1',
	imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp'],

	buildSubmitRequest(request) {
		const input: IDataObject = { ...entryFields(request), ...request.additionalFields };
		const body: IDataObject = { model: request.model, input };
		if (request.callbackUrl) body.callBackUrl = request.callbackUrl;
		return { method: 'POST', path: '/api/v1/jobs/createTask', body };
	},

	readSubmitResponse(statusCode, body) {
		return parseBody(submitDataSchema, readEnvelope(statusCode, body), 'submit response', NAME)
			.taskId;
	},

	buildStatusRequest(task) {
		return { method: 'GET', path: '/api/v1/jobs/recordInfo', qs: { taskId: task.taskId } };
	},

	readStatusResponse(statusCode, body) {
		return normalizeKieTask(readEnvelope(statusCode, body));
	},

	uploadPathPrefix: '/api/file-stream-upload',

	buildUploadRequest(file) {
		return multipartUpload(
			'/api/file-stream-upload',
			'file',
			file,
			{ uploadPath: 'n8n-kling-video', fileName: file.fileName },
			true,
		);
	},

	readUploadResponse(statusCode, body) {
		const data = parseBody(uploadSchema, readEnvelope(statusCode, body), 'upload response', NAME);
		const url = data.downloadUrl ?? data.fileUrl;
		if (!url) throw new ProviderError('unexpected', `${NAME} upload answered without a file URL`);
		return url;
	},

	// GET /api/v1/chat/credit → `data`: the account's credits (docs.kie.ai/common-api/get-account-credits).
	buildBalanceRequest() {
		return { method: 'GET', path: '/api/v1/chat/credit' };
	},

	readBalanceResponse(statusCode, body) {
		const credits = parseBody(creditsSchema, readEnvelope(statusCode, body), 'credits', NAME);
		return { balance: credits, unit: 'credits', currency: null };
	},

	// Kie reports refusals in the body code, often with HTTP 200 (§3.2).
	refusalCode(_statusCode, body) {
		return envelopeSchema.safeParse(body).data?.code ?? null;
	},

	// Callbacks carry `{code, msg, data}`; a failed task comes with code 501, so only `data` is read.
	readCallback(body) {
		return normalizeKieTask(parseBody(callbackSchema, body, 'callback', NAME).data);
	},

	callbackSignature: {
		// Only `taskId.timestamp` is signed, not the body (§3.4): the trigger re-reads the task.
		signsBody: false,
		secretField: 'webhookHmacKey',
		verify(callback, key, nowSeconds) {
			const data = callbackSchema.safeParse(callback.body).data?.data as
				| { taskId?: unknown; task_id?: unknown }
				| undefined;
			const taskId = data?.taskId ?? data?.task_id;
			if (typeof taskId !== 'string') return 'the body has no taskId';
			const timestamp = headerValue(callback.headers, 'x-webhook-timestamp');
			return checkSignature({
				expected: kieSignature(key, taskId, timestamp ?? ''),
				actual: headerValue(callback.headers, 'x-webhook-signature'),
				timestamp,
				nowSeconds,
			});
		},
	},
};

/** `base64(HMAC-SHA256(taskId + "." + timestamp, webhookHmacKey))` (§3.4). */
export function kieSignature(key: string, taskId: string, timestamp: string): string {
	return createHmac('sha256', key).update(`${taskId}.${timestamp}`).digest('base64');
}

/** Normalize the `data` of recordInfo or of a callback body. */
export function normalizeKieTask(data: unknown): TaskSnapshot {
	const task = parseBody(taskSchema, data, 'task record', NAME);
	const taskId = task.taskId ?? task.task_id;
	if (!taskId) throw new ProviderError('unexpected', `${NAME} sent a task record without taskId`);
	const { status, unrecognizedStatus } = statusOf(STATUS_WORDS, task.state);
	const credits = task.consumeCredits ?? task.creditsConsumed ?? null;
	return {
		taskId,
		model: task.model ?? null,
		status,
		unrecognizedStatus,
		videoUrls: finishedVideoUrls(
			status,
			status === 'succeeded' ? resultUrlsFromJson(task.resultJson, NAME) : [],
			taskId,
			NAME,
		),
		error:
			status === 'failed'
				? {
						code: task.failCode ? String(task.failCode) : 'fail',
						message: task.failMsg || 'The task failed',
					}
				: null,
		createdAt: isoFromEpochMs(task.createTime),
		completedAt: isoFromEpochMs(task.completeTime),
		providerGenerationMs: typeof task.costTime === 'number' ? task.costTime * 1000 : null,
		credits: status === 'succeeded' || status === 'failed' ? credits : null,
	};
}

const STATUS_WORDS: Record<string, TaskStatus | undefined> = {
	waiting: 'queued',
	queuing: 'queued',
	generating: 'processing',
	success: 'succeeded',
	fail: 'failed',
};

function readEnvelope(statusCode: number, body: unknown): unknown {
	const parsed = envelopeSchema.safeParse(body);
	if (statusCode < 300 && parsed.success && parsed.data.code === 200) return parsed.data.data;
	if (statusCode < 300 && !parsed.success) parseBody(envelopeSchema, body, 'response', NAME);
	const message = parsed.data?.msg ?? parsed.data?.message;
	const status = statusCode >= 400 || !parsed.success ? statusCode : parsed.data.code;
	throw httpError(NAME, status, message);
}

const envelopeSchema = z
	.object({
		code: z.number(),
		msg: z.string().optional(),
		message: z.string().optional(),
		data: z.unknown(),
	})
	.passthrough();

const callbackSchema = z.object({ data: z.record(z.unknown()) }).passthrough();

const creditsSchema = z.coerce.number().finite();

const submitDataSchema = z.object({ taskId: z.string().min(1) }).passthrough();

const numberish = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

const taskSchema = z
	.object({
		taskId: z.string().optional(),
		task_id: z.string().optional(),
		model: z.string().nullish(),
		state: z.string(),
		resultJson: z.string().nullish(),
		failCode: z.union([z.string(), z.number().transform(String)]).nullish(),
		failMsg: z.string().nullish(),
		createTime: numberish.nullish(),
		completeTime: numberish.nullish(),
		costTime: z.number().nullish(),
		consumeCredits: z.number().nullish(),
		creditsConsumed: z.number().nullish(),
	})
	.passthrough();

const uploadSchema = z
	.object({ downloadUrl: z.string().optional(), fileUrl: z.string().optional() })
	.passthrough();
