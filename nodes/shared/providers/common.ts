import { z } from 'zod';
import { ProviderError, kindForHttpStatus } from '../util/errors';
import { isJson, parseJson } from '../util/parse';
import type { TaskStatus } from './types';

/**
 * A provider's status word, normalized. A word the node does not know is taken as "still running"
 * (and reported in `unrecognizedStatus` for the log), never as a failure: a paid task is not given
 * up because a provider added a status word.
 */
export function statusOf(
	words: Record<string, TaskStatus | undefined>,
	word: string | null | undefined,
): { status: TaskStatus; unrecognizedStatus?: string } {
	const status = words[word ?? ''];
	return status ? { status } : { status: 'processing', unrecognizedStatus: String(word) };
}

/** Epoch milliseconds (number or numeric string) to ISO 8601, or null. */
export function isoFromEpochMs(value: unknown): string | null {
	const ms = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return null;
	return new Date(ms).toISOString();
}

/** An ISO-ish timestamp string to ISO 8601, or null. */
export function isoFromString(value: unknown): string | null {
	if (typeof value !== 'string' || value === '') return null;
	const time = Date.parse(value);
	return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** A finished task must come with a video URL; one that does not is reported, naming the task. */
export function finishedVideoUrls(
	status: TaskStatus,
	urls: string[],
	taskId: string,
	providerName: string,
): string[] {
	if (status === 'succeeded' && urls.length === 0) {
		throw new ProviderError(
			'unexpected',
			`${providerName} reported task ${taskId} finished without a video URL`,
		);
	}
	return urls;
}

/** Parse a `resultJson` string (`{"resultUrls":[...]}`) as APIXO and Kie send it. */
export function resultUrlsFromJson(resultJson: unknown, providerName: string): string[] {
	if (resultJson === undefined || resultJson === null || resultJson === '') return [];
	const parsed = typeof resultJson === 'string' ? parseJson(resultJson) : resultJson;
	if (!isJson(parsed)) {
		throw new ProviderError(
			'unexpected',
			`${providerName} sent a resultJson that is not valid JSON`,
		);
	}
	const result = resultJsonSchema.safeParse(parsed);
	if (!result.success) {
		throw new ProviderError(
			'unexpected',
			`${providerName} sent a resultJson without a resultUrls list`,
		);
	}
	return result.data.resultUrls;
}

const resultJsonSchema = z.object({ resultUrls: z.array(z.string()) }).passthrough();

/** Validate a provider body with its zod schema, turning a mismatch into a clear error. */
export function parseBody<T>(
	schema: z.ZodType<T>,
	body: unknown,
	what: string,
	providerName: string,
): T {
	const result = schema.safeParse(body);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const where = issue.path.length ? ` at "${issue.path.join('.')}"` : '';
	throw new ProviderError(
		'unexpected',
		`${providerName} sent an unexpected ${what}: ${issue.message}${where}`,
	);
}

/** A provider error for a non-2xx answer, with the provider's own message when there is one. */
export function httpError(
	providerName: string,
	statusCode: number,
	message: string | undefined,
	providerCode: string | null = null,
): ProviderError {
	const kind = kindForHttpStatus(statusCode);
	const detail = message ? `: ${message}` : '';
	return new ProviderError(
		kind,
		`${providerName} answered HTTP ${statusCode}${detail}`,
		statusCode,
		providerCode,
	);
}
