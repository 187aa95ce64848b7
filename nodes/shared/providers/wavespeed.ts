import { createHmac } from 'crypto';
import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { multipartUpload } from './multipart';
import { checkWebhookSignature } from '../util/signature';
import { pathSegments } from '../util/paths';
import { finishedVideoUrls, httpError, isoFromString, parseBody } from './common';
import { entryFields } from './fields';
import type { ProviderAdapter, TaskSnapshot, TaskStatus } from './types';

const NAME = 'WaveSpeed AI';

/**
 * WaveSpeed AI, API v3 (PROVIDERS.md §1). Open questions and the choices made here:
 * - duration: the parameter tables say integer, some curl examples send "5"; we send the integer
 *   the current tables show (§1.2).
 * - field names per model (`end_image` vs `last_image`, `cfg_scale` vs `guidance_scale`) live in the
 *   catalog (nodes/shared/catalog/wavespeed.ts).
 * - status path: `/predictions/{id}/result` as the SDKs and the official n8n node use (§1.4).
 * - upload: `/media/upload/binary`, the most widely confirmed endpoint (§1.9).
 * - webhook: the `webhook` query parameter of the dedicated webhook docs and SDK (§1.7).
 */
export const wavespeed: ProviderAdapter = {
	id: 'wavespeed',
	displayName: NAME,
	credentialType: 'klingWaveSpeedApi',
	apiPathPrefix: '/api/v3',
	imageMimeTypes: ['image/jpeg', 'image/png'],

	buildSubmitRequest(request) {
		const body: IDataObject = { ...entryFields(request), ...request.additionalFields };
		return {
			method: 'POST',
			path: `/api/v3/${pathSegments(request.model)}`,
			qs: request.callbackUrl ? { webhook: request.callbackUrl } : undefined,
			body,
		};
	},

	readSubmitResponse(statusCode, body) {
		const envelope = readEnvelope(statusCode, body);
		return parseBody(predictionSchema, envelope.data, 'submit response', NAME).id;
	},

	buildStatusRequest(task) {
		return { method: 'GET', path: `/api/v3/predictions/${encodeURIComponent(task.taskId)}/result` };
	},

	readStatusResponse(statusCode, body) {
		const envelope = readEnvelope(statusCode, body);
		return normalizeWaveSpeedPrediction(envelope.data);
	},

	buildUploadRequest(file) {
		return multipartUpload('/api/v3/media/upload/binary', 'file', file);
	},

	readUploadResponse(statusCode, body) {
		const envelope = readEnvelope(statusCode, body);
		return parseBody(uploadSchema, envelope.data, 'upload response', NAME).download_url;
	},

	// GET /api/v3/balance → `data.balance`, US dollars (PROVIDERS.md §1.1: the official n8n node's
	// credential test; the dollar unit is inferred from WaveSpeed's USD prices).
	buildBalanceRequest() {
		return { method: 'GET', path: '/api/v3/balance' };
	},

	readBalanceResponse(statusCode, body) {
		const envelope = readEnvelope(statusCode, body);
		const { balance } = parseBody(balanceSchema, envelope.data, 'balance', NAME);
		return { balance, unit: 'USD', currency: 'USD' };
	},

	// Refusals are told apart by HTTP status alone (catalog `refusals`).
	refusalCode() {
		return null;
	},

	// The webhook body is the bare prediction object, without the envelope (§1.7).
	readCallback: normalizeWaveSpeedPrediction,

	callbackSignature: {
		signsBody: true,
		secretField: 'webhookSecret',
		verify(callback, secret, nowSeconds) {
			return checkWebhookSignature(
				callback,
				'v3',
				(id, timestamp) => waveSpeedSignature(secret, id, timestamp, callback.rawBody),
				nowSeconds,
			);
		},
	},
};

/**
 * HMAC-SHA256 over `id.timestamp.rawBody`, hex. The key is the secret without `whsec_`, used as
 * text, not base64-decoded (§1.7: unlike Standard Webhooks).
 */
export function waveSpeedSignature(
	secret: string,
	id: string,
	timestamp: string,
	rawBody: Buffer,
): string {
	return createHmac('sha256', secret.replace(/^whsec_/, ''))
		.update(`${id}.${timestamp}.`)
		.update(rawBody)
		.digest('hex');
}

/**
 * WaveSpeed words → normalized status; `cancelled`, `timeout`, `deleted` are failures (SDK); a word
 * the node does not know is taken as still running.
 */
function normalizeStatusWord(status: string): TaskStatus | 'failed-other' | 'unknown' {
	if (status === 'created') return 'queued';
	if (status === 'processing') return 'processing';
	if (status === 'completed') return 'succeeded';
	if (status === 'failed') return 'failed';
	if (status === 'cancelled' || status === 'timeout' || status === 'deleted') return 'failed-other';
	return 'unknown';
}

/** Normalize a prediction object: the `data` of a status answer, or a bare webhook body. */
export function normalizeWaveSpeedPrediction(data: unknown): TaskSnapshot {
	const prediction = parseBody(predictionSchema, data, 'prediction', NAME);
	const word = normalizeStatusWord(prediction.status);
	const status: TaskStatus =
		word === 'failed-other' ? 'failed' : word === 'unknown' ? 'processing' : word;
	const videoUrls = (prediction.outputs ?? []).map((output) =>
		typeof output === 'string' ? output : output.url,
	);
	let error = null;
	if (status === 'failed') {
		error = {
			code:
				word === 'failed-other'
					? prediction.status
					: prediction.code !== undefined
						? String(prediction.code)
						: 'failed',
			message: prediction.error || `The prediction ended with status "${prediction.status}"`,
		};
	}
	return {
		taskId: prediction.id,
		model: prediction.model ?? null,
		status,
		unrecognizedStatus: word === 'unknown' ? prediction.status : undefined,
		videoUrls: finishedVideoUrls(status, videoUrls, prediction.id, NAME),
		error,
		createdAt: isoFromString(prediction.created_at),
		completedAt: null,
		providerGenerationMs: prediction.timings?.inference ?? prediction.executionTime ?? null,
		credits: null,
	};
}

/** Read the `{code, message, data}` envelope; `code` mirrors the HTTP status (official n8n node). */
function readEnvelope(statusCode: number, body: unknown): z.infer<typeof envelopeSchema> {
	const parsed = envelopeSchema.safeParse(body);
	if (statusCode < 300 && parsed.success && parsed.data.code === 200) return parsed.data;
	if (statusCode < 300 && !parsed.success) parseBody(envelopeSchema, body, 'response', NAME);
	const message = parsed.success ? parsed.data.message : errorSchema.safeParse(body).data?.error;
	const status = statusCode >= 400 || !parsed.success ? statusCode : parsed.data.code;
	throw httpError(NAME, status, message);
}

const envelopeSchema = z
	.object({ code: z.number(), message: z.string().optional(), data: z.unknown() })
	.passthrough();

const errorSchema = z.object({ error: z.string() }).passthrough();

const predictionSchema = z
	.object({
		id: z.string().min(1),
		model: z.string().optional(),
		status: z.string(),
		outputs: z.array(z.union([z.string(), z.object({ url: z.string() }).passthrough()])).nullish(),
		error: z.string().nullish(),
		code: z.union([z.number(), z.string()]).optional(),
		created_at: z.string().nullish(),
		executionTime: z.number().optional(),
		timings: z.object({ inference: z.number().optional() }).passthrough().nullish(),
	})
	.passthrough();

const uploadSchema = z.object({ download_url: z.string().url() }).passthrough();

const balanceSchema = z.object({ balance: z.coerce.number().finite() }).passthrough();
