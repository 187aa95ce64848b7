import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { ProviderError, kindForHttpStatus, type ProviderErrorKind } from '../util/errors';
import { multipartUpload } from './multipart';
import { finishedVideoUrls, isoFromString, parseBody, statusOf } from './common';
import { entryFields } from './fields';
import type { ProviderAdapter, TaskSnapshot, TaskStatus } from './types';

const NAME = 'Rivya AI';

/**
 * Rivya AI Public API v1 (PROVIDERS.md §4). Choices where the docs are open:
 * - `params`: the examples send every value as a string ("5", "true"); the catalog writes them so
 *   (§4.1, KLING-MODELS.md §3.4).
 * - no per-task callback URL: webhooks are account-level endpoints (§4.5), so Submit cannot carry
 *   one; the trigger registers an endpoint instead.
 * - failed `error`: an object `{code, message}` or a plain string are both read (§4.2 truncated).
 * - Files API answer: only `url` is documented, so only `url` is read (§4.3).
 * - `insufficient_credits` is mapped by its code whatever HTTP status comes with it (§4.6).
 */
export const rivya: ProviderAdapter = {
	id: 'rivya',
	displayName: NAME,
	credentialType: 'klingRivyaApi',
	apiPathPrefix: '/api/v1',
	imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp'],

	buildSubmitRequest(request) {
		if (request.callbackUrl) {
			throw new ProviderError(
				'validation',
				`${NAME} has no per-task callback URL: its webhooks are account-level endpoints. Leave "Callback URL" empty and register the Kling Video Trigger as a Rivya webhook endpoint instead`,
			);
		}
		const { prompt, ...fields } = entryFields(request);
		const params: IDataObject = { ...fields, ...request.additionalFields };
		const headers: Record<string, string> = {};
		// The user's key (the same row on every run) where given, else one per execution, item and run.
		const key = request.externalId ?? request.idempotencyKey;
		if (key) headers['Idempotency-Key'] = key;
		return {
			method: 'POST',
			path: '/api/v1/generations',
			body: { model: request.model, prompt, params },
			headers,
		};
	},

	readSubmitResponse(statusCode, body) {
		return normalizeRivyaGeneration(readBody(statusCode, body)).taskId;
	},

	buildStatusRequest(task) {
		return { method: 'GET', path: `/api/v1/generations/${encodeURIComponent(task.taskId)}` };
	},

	readStatusResponse(statusCode, body) {
		return normalizeRivyaGeneration(readBody(statusCode, body));
	},

	buildUploadRequest(file, model) {
		return multipartUpload('/api/v1/files', 'file', file, { kind: 'image', model });
	},

	readUploadResponse(statusCode, body) {
		return parseBody(uploadSchema, readBody(statusCode, body), 'upload response', NAME).url;
	},

	// GET /api/v1/credits → `{current_credits}` (rivya.ai/hi/docs/api-credits; scope credits:read).
	buildBalanceRequest() {
		return { method: 'GET', path: '/api/v1/credits' };
	},

	readBalanceResponse(statusCode, body) {
		const credits = parseBody(creditsSchema, readBody(statusCode, body), 'credits', NAME);
		return { balance: credits.current_credits, unit: 'credits', currency: null };
	},

	refusalCode(_statusCode, body) {
		return errorSchema.safeParse(body).data?.error.code ?? null;
	},

	// Webhook events use "the same serializer as the status endpoint" (§4.5): read `data` of an
	// event envelope, or a bare generation object.
	readCallback(body) {
		const event = eventSchema.safeParse(body);
		return normalizeRivyaGeneration(event.success ? event.data.data : body);
	},
};

/** Normalize a generation object: a status answer, or the `data` of a webhook event. */
export function normalizeRivyaGeneration(data: unknown): TaskSnapshot {
	const generation = parseBody(generationSchema, data, 'generation', NAME);
	const { status, unrecognizedStatus } = statusOf(STATUS_WORDS, generation.status);
	const terminal = status === 'succeeded' || status === 'failed';
	const result = generation.result;
	const videoUrls = result?.urls?.length
		? result.urls
		: result?.primary_url
			? [result.primary_url]
			: [];
	const rawError = generation.error;
	const error =
		status === 'failed'
			? typeof rawError === 'string'
				? { code: 'failed', message: rawError }
				: {
						code: rawError?.code ?? 'failed',
						message: rawError?.message ?? 'The generation failed',
					}
			: null;
	return {
		taskId: generation.id,
		model: generation.model ?? null,
		status,
		unrecognizedStatus,
		videoUrls: finishedVideoUrls(status, videoUrls, generation.id, NAME),
		error,
		createdAt: isoFromString(generation.created_at),
		completedAt: terminal ? isoFromString(generation.updated_at) : null,
		providerGenerationMs: null,
		credits: terminal ? (generation.final_credits ?? null) : null,
	};
}

const STATUS_WORDS: Record<string, TaskStatus | undefined> = {
	queued: 'queued',
	processing: 'processing',
	succeeded: 'succeeded',
	failed: 'failed',
};

const ERROR_KINDS: Record<string, ProviderErrorKind> = {
	api_key_missing: 'auth',
	api_key_invalid: 'auth',
	api_key_revoked: 'auth',
	api_key_expired: 'auth',
	api_scope_denied: 'auth',
	insufficient_credits: 'credits',
	rate_limited: 'rateLimit',
	validation_failed: 'validation',
	idempotency_conflict: 'validation',
	not_found: 'notFound',
	public_api_disabled: 'unavailable',
};

/** Bare objects on success; `{error: {code, message, requestId}}` otherwise (§4.6). */
function readBody(statusCode: number, body: unknown): unknown {
	if (statusCode < 300) return body;
	const parsed = errorSchema.safeParse(body);
	// A gateway's HTML 502 or a bare 429 has no envelope: classify it by its status.
	if (!parsed.success) {
		throw new ProviderError(
			kindForHttpStatus(statusCode),
			`${NAME} answered HTTP ${statusCode}`,
			statusCode,
		);
	}
	const { code, message, requestId } = parsed.data.error;
	const kind = ERROR_KINDS[code] ?? (statusCode >= 500 ? 'server' : 'unexpected');
	const request = requestId ? ` (request ${requestId})` : '';
	throw new ProviderError(
		kind,
		`${NAME} answered HTTP ${statusCode} ${code}: ${message ?? ''}${request}`.trim(),
		statusCode,
		code,
	);
}

const eventSchema = z
	.object({ type: z.string().startsWith('generation.'), data: z.record(z.unknown()) })
	.passthrough();

const errorSchema = z
	.object({
		error: z
			.object({
				code: z.string(),
				message: z.string().optional(),
				requestId: z.string().optional(),
			})
			.passthrough(),
	})
	.passthrough();

const generationSchema = z
	.object({
		id: z.string().min(1),
		status: z.string(),
		model: z.string().nullish(),
		final_credits: z.number().nullish(),
		created_at: z.string().nullish(),
		updated_at: z.string().nullish(),
		result: z
			.object({ primary_url: z.string().nullish(), urls: z.array(z.string()).nullish() })
			.passthrough()
			.nullish(),
		error: z
			.union([
				z.string(),
				z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough(),
			])
			.nullish(),
	})
	.passthrough();

const uploadSchema = z.object({ url: z.string().url() }).passthrough();

const creditsSchema = z.object({ current_credits: z.coerce.number().finite() }).passthrough();
