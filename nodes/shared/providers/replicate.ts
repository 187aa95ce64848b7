import { createHmac } from 'crypto';
import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { ProviderError, kindForHttpStatus } from '../util/errors';
import { checkWebhookSignature } from '../util/signature';
import { pathSegments } from '../util/paths';
import { finishedVideoUrls, isoFromString, parseBody, statusOf } from './common';
import { entryFields } from './fields';
import { multipartUpload } from './multipart';
import type { ProviderAdapter, TaskSnapshot, TaskStatus } from './types';

const NAME = 'Replicate';

/**
 * Replicate, model `kwaivgi/kling-v2.5-turbo-pro` (PROVIDERS.md §5.3). Choices:
 * - inputs `start_image` / `end_image`; `aspect_ratio` only for text-to-video (it is ignored when a
 *   start image is given); no guidance scale in the model's inputs, so CFG is rejected.
 * - binary frames up to 1 MB are sent as data URIs; larger ones go through the files API
 *   (`POST /v1/files`, multipart `content` + `filename` + `type`) and the file's `urls.get` is the
 *   input — Replicate recommends data URIs only below 1 MB (sdks.replicate.com/resources/files).
 * - webhooks: `webhook_events_filter: ["completed"]`, verified the Standard Webhooks way (key =
 *   base64-decoded secret after `whsec_`, `v1,<base64>` list) — unlike WaveSpeed.
 * - Replicate deletes API outputs after one hour: keep Download Video on.
 * - cancel: `POST /v1/predictions/{id}/cancel` answers the prediction (npm `replicate` predictions.cancel);
 *   a prediction that had already ended keeps its status. No balance endpoint (`/v1/account` has none).
 */
export const replicate: ProviderAdapter = {
	id: 'replicate',
	displayName: NAME,
	credentialType: 'klingReplicateApi',
	apiPathPrefix: '/v1',
	imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp'],

	buildSubmitRequest(request) {
		const input: IDataObject = { ...entryFields(request), ...request.additionalFields };
		const body: IDataObject = { input };
		if (request.callbackUrl) {
			body.webhook = request.callbackUrl;
			body.webhook_events_filter = ['completed'];
		}
		return { method: 'POST', path: `/v1/models/${pathSegments(request.model)}/predictions`, body };
	},

	readSubmitResponse(statusCode, body) {
		return normalizeReplicatePrediction(readBody(statusCode, body)).taskId;
	},

	buildStatusRequest(task) {
		return { method: 'GET', path: `/v1/predictions/${encodeURIComponent(task.taskId)}` };
	},

	readStatusResponse(statusCode, body) {
		return normalizeReplicatePrediction(readBody(statusCode, body));
	},

	buildCancelRequest(task) {
		return { method: 'POST', path: `/v1/predictions/${encodeURIComponent(task.taskId)}/cancel` };
	},

	readCancelResponse(statusCode, body) {
		const snapshot = normalizeReplicatePrediction(readBody(statusCode, body));
		const word = (body as { status?: unknown }).status;
		if (word === 'canceled') return { outcome: 'cancelled', snapshot };
		if (snapshot.status === 'succeeded' || snapshot.status === 'failed') {
			return { outcome: 'already_finished', snapshot };
		}
		// Still starting/processing: Replicate took the request and stops the prediction shortly.
		return { outcome: 'requested', snapshot };
	},

	inlineImage(file) {
		return `data:${file.mimeType};base64,${file.data.toString('base64')}`;
	},

	inlineMaxBytes: 1024 * 1024,
	// Data URIs are taken for any file input, so small videos and audio go inline too.
	inlineKinds: ['image', 'video', 'audio'],

	buildUploadRequest(file) {
		return multipartUpload('/v1/files', 'content', file, {
			filename: file.fileName,
			type: file.mimeType,
		});
	},

	readUploadResponse(statusCode, body) {
		return parseBody(fileSchema, readBody(statusCode, body), 'file upload', NAME).urls.get;
	},

	// Refusals are told apart by HTTP status alone (catalog `refusals`).
	refusalCode() {
		return null;
	},

	// The webhook body is the prediction object.
	readCallback: normalizeReplicatePrediction,

	callbackSignature: {
		signsBody: true,
		secretField: 'webhookSecret',
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

/** Standard Webhooks: base64(HMAC-SHA256(base64decode(secret after whsec_), id.timestamp.body)). */
export function replicateSignature(
	secret: string,
	id: string,
	timestamp: string,
	rawBody: Buffer,
): string {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest('base64');
}

/** Normalize a prediction: a status answer or a webhook body. */
export function normalizeReplicatePrediction(data: unknown): TaskSnapshot {
	const prediction = parseBody(predictionSchema, data, 'prediction', NAME);
	const word = prediction.status;
	const { status, unrecognizedStatus } = statusOf(STATUS_WORDS, word);
	const output = prediction.output;
	const urls = typeof output === 'string' ? [output] : Array.isArray(output) ? output : [];
	const predictSeconds = prediction.metrics?.predict_time;
	return {
		taskId: prediction.id,
		model: prediction.model ?? null,
		status,
		unrecognizedStatus,
		videoUrls: finishedVideoUrls(status, urls, prediction.id, NAME),
		error:
			status === 'failed'
				? {
						code: word === 'failed' ? 'failed' : word,
						message: errorText(prediction.error) ?? `The prediction ended with status "${word}"`,
					}
				: null,
		createdAt: isoFromString(prediction.created_at),
		completedAt: isoFromString(prediction.completed_at),
		providerGenerationMs: typeof predictSeconds === 'number' ? predictSeconds * 1000 : null,
		credits: null,
	};
}

const STATUS_WORDS: Record<string, TaskStatus | undefined> = {
	starting: 'queued',
	processing: 'processing',
	succeeded: 'succeeded',
	failed: 'failed',
	canceled: 'failed',
	aborted: 'failed',
};

function errorText(error: unknown): string | null {
	if (!error) return null;
	return typeof error === 'string' ? error : JSON.stringify(error);
}

/** Errors come as problem details: `{title, detail, status}`. */
function readBody(statusCode: number, body: unknown): unknown {
	if (statusCode < 300) return body;
	const problem = problemSchema.safeParse(body);
	const detail = problem.success ? (problem.data.detail ?? problem.data.title) : undefined;
	throw new ProviderError(
		kindForHttpStatus(statusCode),
		`${NAME} answered HTTP ${statusCode}${detail ? `: ${detail}` : ''}`,
		statusCode,
	);
}

const fileSchema = z.object({ urls: z.object({ get: z.string().url() }) });

const problemSchema = z
	.object({ title: z.string().optional(), detail: z.string().optional() })
	.passthrough();

const predictionSchema = z
	.object({
		id: z.string().min(1),
		model: z.string().nullish(),
		status: z.string(),
		output: z.union([z.string(), z.array(z.string())]).nullish(),
		error: z.unknown().optional(),
		created_at: z.string().nullish(),
		completed_at: z.string().nullish(),
		metrics: z.object({ predict_time: z.number().optional() }).passthrough().nullish(),
	})
	.passthrough();
