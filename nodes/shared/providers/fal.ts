import { createHash, createPublicKey, verify as verifySignature } from 'crypto';
import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';
import { ProviderError, kindForHttpStatus } from '../util/errors';
import { isJson, parseJson } from '../util/parse';
import { headerValue, MAX_CALLBACK_AGE_SECONDS } from '../util/signature';
import { pathSegments } from '../util/paths';
import { finishedVideoUrls, parseBody } from './common';
import { entryFields } from './fields';
import type { ProviderAdapter, TaskRef, TaskSnapshot, TaskStatus } from './types';

const NAME = 'fal.ai';

/**
 * fal.ai queue API (PROVIDERS.md §5.2). Choices where the docs are open:
 * - status and result URLs use only the app id `fal-ai/kling-video`, not the endpoint path.
 * - a COMPLETED status carries no video: the result is a second read (`needsResult`); a failed
 *   request shows up there as an error answer with `detail`.
 * - binary frames up to 1 MB are sent as data URIs, which fal accepts for `image_url`; larger ones
 *   take the two-step storage upload of `@fal-ai/client` (`src/storage.js`): `POST {rest host}
 *   /storage/upload/initiate?storage_type=fal-cdn-v3` `{content_type, file_name}` → `{upload_url,
 *   file_url}`, then a PUT of the bytes to the pre-signed `upload_url` (without the key).
 * - cancel: `PUT …/requests/{id}/cancel` on the app id (docs.fal.ai model-endpoints/queue); a queued
 *   request is removed (`OK`), a running one is signalled (`CANCELLATION_REQUESTED`: the model app
 *   decides when it stops), `ALREADY_COMPLETED`, `NOT_FOUND` (fal.ai/docs/inference-api/queue/cancel).
 * - balance: `GET {platform host}/v1/account/billing?expand=credits` → `credits.current_balance` in
 *   `credits.currency` (fal.ai/docs/platform-apis/v1/account/billing); it needs a key with billing read
 *   permission (an Admin key), an inference-only key answers 403.
 * - webhooks are ED25519-signed; the public keys come from the JWKS URL in the credential
 *   (rest.alpha.fal.ai by default; one implementation uses rest.fal.ai — §6.5), cached by the trigger.
 */
export const fal: ProviderAdapter = {
	id: 'fal',
	displayName: NAME,
	credentialType: 'klingFalApi',
	apiPathPrefix: '/fal-ai',
	imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp'],

	buildSubmitRequest(request) {
		const body: IDataObject = { ...entryFields(request), ...request.additionalFields };
		return {
			method: 'POST',
			path: `/${pathSegments(request.model)}`,
			qs: request.callbackUrl ? { fal_webhook: request.callbackUrl } : undefined,
			body,
		};
	},

	readSubmitResponse(statusCode, body) {
		return parseBody(submitSchema, readBody(statusCode, body), 'submit response', NAME).request_id;
	},

	buildStatusRequest(task) {
		return {
			method: 'GET',
			path: `/${pathSegments(appId(task.model))}/requests/${encodeURIComponent(task.taskId)}/status`,
		};
	},

	readStatusResponse(statusCode, body, task) {
		const { status } = parseBody(statusSchema, readBody(statusCode, body), 'status', NAME);
		const word = STATUS_WORDS[status];
		// A word the node does not know is taken as still running.
		if (!word) return { ...emptySnapshot(task), status: 'processing', unrecognizedStatus: status };
		return {
			...emptySnapshot(task),
			status: word === 'done' ? 'succeeded' : word,
			needsResult: word === 'done',
		};
	},

	buildResultRequest(task) {
		return {
			method: 'GET',
			path: `/${pathSegments(appId(task.model))}/requests/${encodeURIComponent(task.taskId)}`,
		};
	},

	readResultResponse(statusCode, body, task) {
		// A failed generation answers its result read with an error and `detail` (4xx, not 429).
		if (statusCode >= 400 && statusCode < 500 && statusCode !== 429 && statusCode !== 404) {
			return {
				...emptySnapshot(task),
				status: 'failed',
				error: { code: String(statusCode), message: detailText(body) },
			};
		}
		return videoSnapshot(task.taskId, task.model, readBody(statusCode, body));
	},

	buildCancelRequest(task) {
		return {
			method: 'PUT',
			path: `/${pathSegments(appId(task.model))}/requests/${encodeURIComponent(task.taskId)}/cancel`,
		};
	},

	readCancelResponse(statusCode, body, task) {
		const word = cancelWordSchema.safeParse(body);
		const status = word.success ? word.data.status : null;
		if (status === 'OK') return { outcome: 'cancelled', snapshot: null };
		if (status === 'CANCELLATION_REQUESTED') return { outcome: 'requested', snapshot: null };
		if (status === 'ALREADY_COMPLETED') return { outcome: 'already_finished', snapshot: null };
		if (status === 'NOT_FOUND' || statusCode === 404) {
			throw new ProviderError(
				'notFound',
				`${NAME} has no request ${task.taskId} under ${appId(task.model)} (HTTP ${statusCode})`,
				statusCode,
			);
		}
		readBody(statusCode, body);
		throw new ProviderError(
			'unexpected',
			`${NAME} answered the cancel of ${task.taskId} with ${JSON.stringify(body)}`,
			statusCode,
		);
	},

	buildBalanceRequest() {
		return {
			method: 'GET',
			path: '/v1/account/billing',
			qs: { expand: 'credits' },
			platformHost: true,
		};
	},

	readBalanceResponse(statusCode, body) {
		if (statusCode === 403) {
			throw new ProviderError(
				'auth',
				`${NAME} refused the balance read (HTTP 403: ${detailText(body)}). The balance needs an API key with billing read permission, such as an Admin key`,
				statusCode,
			);
		}
		const billing = parseBody(billingSchema, readBody(statusCode, body), 'account billing', NAME);
		if (!billing.credits) {
			throw new ProviderError('unexpected', `${NAME} answered the balance without credits`);
		}
		return {
			balance: Number(billing.credits.current_balance),
			unit: billing.credits.currency ?? 'USD',
			currency: billing.credits.currency ?? 'USD',
		};
	},

	inlineImage(file) {
		return `data:${file.mimeType};base64,${file.data.toString('base64')}`;
	},

	inlineMaxBytes: 1024 * 1024,
	// Data URIs are taken for any file input, so small videos and audio go inline too.
	inlineKinds: ['image', 'video', 'audio'],
	uploadPathPrefix: '/storage',

	buildUploadRequest(file) {
		return {
			method: 'POST',
			path: '/storage/upload/initiate',
			qs: { storage_type: 'fal-cdn-v3' },
			body: { content_type: file.mimeType, file_name: file.fileName },
			uploadHost: true,
		};
	},

	readUploadResponse(statusCode, body) {
		const ticket = parseBody(uploadSchema, readBody(statusCode, body), 'storage upload', NAME);
		return { putUrl: ticket.upload_url, fileUrl: ticket.file_url };
	},

	// An exhausted balance answers 403 with "Exhausted balance" in `detail` (inferred).
	refusalCode(statusCode, body) {
		return statusCode === 403 && /exhausted balance/i.test(detailText(body))
			? 'exhausted_balance'
			: null;
	},

	// `{request_id, status: "OK" | "ERROR", payload, error?}`
	readCallback(body) {
		const callback = parseBody(callbackSchema, body, 'webhook', NAME);
		if (callback.status === 'OK') return videoSnapshot(callback.request_id, null, callback.payload);
		return {
			...emptySnapshot({ taskId: callback.request_id, model: '', mode: 'text-to-video' }),
			model: null,
			status: 'failed',
			error: { code: 'ERROR', message: callback.error ?? detailText(callback.payload) },
		};
	},

	callbackSignature: {
		signsBody: true,
		secretField: 'jwksUrl',
		keySource: 'jwks',
		verify(callback, jwksText, nowSeconds) {
			const header = (name: string) => headerValue(callback.headers, name);
			const requestId = header('x-fal-webhook-request-id');
			const userId = header('x-fal-webhook-user-id');
			const timestamp = header('x-fal-webhook-timestamp');
			const signature = header('x-fal-webhook-signature');
			if (!requestId || !userId || !timestamp || !signature) return 'a signature header is missing';
			if (!/^\d+$/.test(timestamp)) return 'the timestamp header is not a number';
			const age = nowSeconds - Number(timestamp);
			if (age > MAX_CALLBACK_AGE_SECONDS) return 'the timestamp is too old (replayed callback)';
			if (age < -MAX_CALLBACK_AGE_SECONDS) return 'the timestamp is in the future';
			const bodyHash = createHash('sha256').update(callback.rawBody).digest('hex');
			const message = Buffer.from(`${requestId}\n${userId}\n${timestamp}\n${bodyHash}`);
			const signatureBytes = Buffer.from(signature, 'hex');
			const keys = jwksKeys(jwksText);
			if (keys.length === 0) return "fal's public keys (JWKS) could not be read";
			const valid = keys.some((key) => {
				const publicKey = createPublicKey({
					key: { kty: 'OKP', crv: 'Ed25519', x: key.x },
					format: 'jwk',
				});
				return verifySignature(null, message, publicKey, signatureBytes);
			});
			return valid ? null : 'the signature does not match';
		},
	},
};

/** Status and result URLs use only the app id: the first two path segments. */
function appId(model: string): string {
	return model.split('/').slice(0, 2).join('/');
}

const STATUS_WORDS: Record<
	string,
	Exclude<TaskStatus, 'succeeded' | 'failed'> | 'done' | undefined
> = {
	IN_QUEUE: 'queued',
	IN_PROGRESS: 'processing',
	COMPLETED: 'done',
};

function emptySnapshot(task: TaskRef): TaskSnapshot {
	return {
		taskId: task.taskId,
		model: task.model,
		status: 'queued',
		videoUrls: [],
		error: null,
		createdAt: null,
		completedAt: null,
		providerGenerationMs: null,
		credits: null,
	};
}

function videoSnapshot(taskId: string, model: string | null, payload: unknown): TaskSnapshot {
	const result = parseBody(resultSchema, payload, 'result', NAME);
	return {
		...emptySnapshot({ taskId, model: '', mode: 'text-to-video' }),
		model,
		status: 'succeeded',
		videoUrls: finishedVideoUrls(
			'succeeded',
			result.video?.url ? [result.video.url] : [],
			taskId,
			NAME,
		),
	};
}

function detailText(body: unknown): string {
	const detail = (body as { detail?: unknown } | null)?.detail;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		return detail
			.map((entry) => (entry as { msg?: string }).msg ?? JSON.stringify(entry))
			.join('; ');
	}
	return 'The request failed';
}

function readBody(statusCode: number, body: unknown): unknown {
	if (statusCode < 300) return body;
	throw new ProviderError(
		kindForHttpStatus(statusCode),
		`${NAME} answered HTTP ${statusCode}: ${detailText(body)}`,
		statusCode,
	);
}

/** The Ed25519 keys of a JWKS document (OKP keys with an `x`). */
function jwksKeys(jwksText: string): Array<{ x: string }> {
	const parsed = parseJson(jwksText);
	if (!isJson(parsed)) return [];
	const jwks = jwksSchema.safeParse(parsed);
	return jwks.success
		? (jwks.data.keys.filter((key) => key.kty === 'OKP' && key.x) as Array<{ x: string }>)
		: [];
}

const submitSchema = z.object({ request_id: z.string().min(1) }).passthrough();

const statusSchema = z.object({ status: z.string() }).passthrough();

const cancelWordSchema = z.object({ status: z.string() }).passthrough();

const billingSchema = z
	.object({
		username: z.string().optional(),
		credits: z
			.object({
				current_balance: z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]),
				currency: z.string().nullish(),
			})
			.passthrough()
			.nullish(),
	})
	.passthrough();

const uploadSchema = z.object({ upload_url: z.string().url(), file_url: z.string().url() });

const resultSchema = z
	.object({ video: z.object({ url: z.string() }).passthrough().nullish() })
	.passthrough();

const callbackSchema = z
	.object({
		request_id: z.string().min(1),
		status: z.enum(['OK', 'ERROR']),
		payload: z.unknown(),
		error: z.string().nullish(),
	})
	.passthrough();

const jwksSchema = z.object({
	keys: z.array(
		z
			.object({ kty: z.string(), crv: z.string().optional(), x: z.string().optional() })
			.passthrough(),
	),
});
