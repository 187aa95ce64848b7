import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';

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
import { pathSegments } from '../util/paths';

const NAME = 'APIXO';

/**
 * APIXO (PROVIDERS.md §2). Choices where the docs are open:
 * - callback: `request_type: "callback"` with `callback_url` as the Kling page and the Webhooks page
 *   show (one third-party adapter sends `webhook`; not used) (§2.2).
 * - `failCode` is an opaque string: two code lists exist (§2.5); content codes are recognised by name.
 * - no files API is documented, so images must be public URLs (§2.5).
 */
export const apixo: ProviderAdapter = {
	id: 'apixo',
	displayName: NAME,
	credentialType: 'klingApixoApi',
	apiPathPrefix: '/api/v1',
	imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp'],

	buildSubmitRequest(request) {
		// `input.mode` (text-to-video | image-to-video) is a fixed parameter of each catalog entry.
		const input: IDataObject = { ...entryFields(request), ...request.additionalFields };
		const body: IDataObject = request.callbackUrl
			? { request_type: 'callback', callback_url: request.callbackUrl, input }
			: { request_type: 'async', input };
		return { method: 'POST', path: `/api/v1/generateTask/${pathSegments(request.model)}`, body };
	},

	readSubmitResponse(statusCode, body) {
		return parseBody(submitDataSchema, readEnvelope(statusCode, body), 'submit response', NAME)
			.taskId;
	},

	buildStatusRequest(task) {
		return {
			method: 'GET',
			path: `/api/v1/statusTask/${pathSegments(task.model)}`,
			qs: { taskId: task.taskId },
		};
	},

	readStatusResponse(statusCode, body, task) {
		return normalizeApixoTask(readEnvelope(statusCode, body), task.model);
	},

	// Refusals are told apart by HTTP status alone (catalog `refusals`).
	// GET /apikeys/current-balance (apixo.ai/docs/api-reference); the answer's shape was not retrieved
	// (PROVIDERS.md §6.2): `data.balance`, or `data` as a bare number, in US dollars (inferred).
	buildBalanceRequest() {
		return { method: 'GET', path: '/api/v1/apikeys/current-balance' };
	},

	readBalanceResponse(statusCode, body) {
		const data = readEnvelope(statusCode, body);
		const balance = parseBody(balanceSchema, data, 'balance', NAME);
		return {
			balance: typeof balance === 'number' ? balance : balance.balance,
			unit: 'USD',
			currency: 'USD',
		};
	},

	refusalCode() {
		return null;
	},

	// Callbacks carry the status envelope; they are not signed (§2.4), so the trigger re-reads.
	readCallback(body) {
		return normalizeApixoTask(parseBody(callbackSchema, body, 'callback', NAME).data, null);
	},
};

/** Normalize the `data` of a status answer or callback. */
export function normalizeApixoTask(data: unknown, model: string | null): TaskSnapshot {
	const task = parseBody(taskSchema, data, 'task status', NAME);
	const { status, unrecognizedStatus } = statusOf(STATUS_WORDS, task.state);
	return {
		taskId: task.taskId,
		model,
		status,
		unrecognizedStatus,
		videoUrls: finishedVideoUrls(
			status,
			status === 'succeeded' ? resultUrlsFromJson(task.resultJson, NAME) : [],
			task.taskId,
			NAME,
		),
		error:
			status === 'failed'
				? { code: task.failCode || 'failed', message: task.failMsg || 'The task failed' }
				: null,
		createdAt: isoFromEpochMs(task.createTime),
		completedAt: isoFromEpochMs(task.completeTime),
		providerGenerationMs: task.costTime ?? null,
		credits: null,
	};
}

const STATUS_WORDS: Record<string, TaskStatus | undefined> = {
	pending: 'queued',
	processing: 'processing',
	success: 'succeeded',
	failed: 'failed',
};

/** Read `{code, message, data}`; errors also carry `data.error` with the detail (§2.5). */
function readEnvelope(statusCode: number, body: unknown): unknown {
	const parsed = envelopeSchema.safeParse(body);
	if (statusCode < 300 && parsed.success && parsed.data.code === 200) return parsed.data.data;
	if (statusCode < 300 && !parsed.success) parseBody(envelopeSchema, body, 'response', NAME);
	const detail = parsed.success
		? errorDataSchema.safeParse(parsed.data.data).data?.error
		: undefined;
	const message = [parsed.data?.message, detail].filter(Boolean).join(' – ');
	const status = statusCode >= 400 || !parsed.success ? statusCode : parsed.data.code;
	throw httpError(NAME, status, message || undefined);
}

const envelopeSchema = z
	.object({ code: z.number(), message: z.string().optional(), data: z.unknown() })
	.passthrough();

const callbackSchema = z.object({ data: z.record(z.unknown()) }).passthrough();

const balanceSchema = z.union([
	z.number().finite(),
	z.object({ balance: z.coerce.number().finite() }).passthrough(),
]);

const errorDataSchema = z.object({ error: z.string() }).passthrough();

const submitDataSchema = z.object({ taskId: z.string().min(1) }).passthrough();

const taskSchema = z
	.object({
		taskId: z.string().min(1),
		state: z.string(),
		resultJson: z.string().nullish(),
		failCode: z.string().nullish(),
		failMsg: z.string().nullish(),
		createTime: z.number().nullish(),
		completeTime: z.number().nullish(),
		costTime: z.number().nullish(),
	})
	.passthrough();
