import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
} from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';
import type { ProviderAdapter, ProviderRequest } from '../providers/types';
import { checkBaseUrl, joinUrl } from '../util/baseUrl';
import { ExecutionCancelledError, ProviderError } from '../util/errors';
import { settle, settleSync } from '../util/settle';

/** The contexts that call providers: handlers, routing hooks, the trigger and its lifecycle. */
export type RequestContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| IHookFunctions
	| IWebhookFunctions;

/** The contexts that also store binary data. */
export type NodeContext = Exclude<RequestContext, IHookFunctions>;

export interface ProviderAnswer {
	statusCode: number;
	body: unknown;
	headers: IDataObject;
}

/** Where a provider lives, from its credential (validated once per execution). */
export interface ProviderEndpoint {
	adapter: ProviderAdapter;
	baseUrl: string;
	uploadBaseUrl: string | null;
	/** The credential has an API key (Kling official: selects its new per-model API). */
	hasApiKey: boolean;
}

const REQUEST_TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 30_000;

export async function providerEndpoint(
	ctx: RequestContext,
	adapter: ProviderAdapter,
): Promise<ProviderEndpoint> {
	const credentials = await ctx.getCredentials(adapter.credentialType);
	return {
		adapter,
		baseUrl: checkBaseUrl(credentials.baseUrl, adapter.apiPathPrefix),
		uploadBaseUrl:
			typeof credentials.uploadBaseUrl === 'string' && credentials.uploadBaseUrl.trim() !== ''
				? checkBaseUrl(credentials.uploadBaseUrl, '/api/file-stream-upload', 'Upload Base URL')
				: null,
		hasApiKey: typeof credentials.apiKey === 'string' && credentials.apiKey.trim() !== '',
	};
}

/** The request options n8n's helpers take, for an adapter's request. */
export function httpOptions(
	endpoint: ProviderEndpoint,
	request: ProviderRequest,
): IHttpRequestOptions {
	const base = request.uploadHost ? (endpoint.uploadBaseUrl ?? endpoint.baseUrl) : endpoint.baseUrl;
	const isBuffer = Buffer.isBuffer(request.body);
	return {
		method: request.method,
		url: joinUrl(base, request.path),
		qs: request.qs,
		body: request.body,
		headers: { Accept: 'application/json', ...request.headers },
		json: !isBuffer,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: REQUEST_TIMEOUT_MS,
	};
}

/** Send one authenticated request. Never retries: the caller decides what is safe to repeat. */
export async function callProvider(
	ctx: RequestContext,
	endpoint: ProviderEndpoint,
	request: ProviderRequest,
	signal?: AbortSignal,
): Promise<ProviderAnswer> {
	throwIfCancelled(signal);
	const options = httpOptions(endpoint, request);
	let response: { statusCode: number; body: unknown; headers: IDataObject };
	try {
		response = await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			endpoint.adapter.credentialType,
			options,
		);
	} catch (error) {
		throw networkError(endpoint.adapter.displayName, options.url, error);
	}
	return {
		statusCode: response.statusCode,
		body: parseJsonText(response.body),
		headers: response.headers ?? {},
	};
}

/** Some servers answer JSON as text/plain; read it as JSON when it parses. */
export function parseJsonText(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/** Map a thrown request error (DNS, refused, reset, timeout) to a sentence naming the host. */
export function networkError(providerName: string, url: string, error: unknown): ProviderError {
	const text = describeThrown(error);
	let host = url;
	try {
		host = new URL(url).host;
	} catch {
		// keep the raw URL
	}
	let reason = text;
	// Timeouts first: axios reports them as ECONNABORTED, which the reset pattern would also match.
	if (/ENOTFOUND|EAI_AGAIN/.test(text)) reason = 'the host name could not be resolved';
	else if (/ECONNREFUSED/.test(text)) reason = 'the connection was refused';
	else if (/ETIMEDOUT|ECONNABORTED|timeout/i.test(text)) reason = 'the request timed out';
	else if (/ECONNRESET|socket hang up|aborted/i.test(text)) reason = 'the connection was reset';
	return new ProviderError('network', `Could not reach ${providerName} at ${host}: ${reason}`);
}

function describeThrown(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const parts = [error.message];
	const withCause = error as Error & { code?: string; cause?: { code?: string; message?: string } };
	if (withCause.code) parts.push(withCause.code);
	if (withCause.cause?.code) parts.push(withCause.cause.code);
	if (withCause.cause?.message) parts.push(withCause.cause.message);
	return parts.join(' ');
}

/** Seconds or an HTTP date in Retry-After, as milliseconds. */
export function retryAfterMs(headers: IDataObject): number | null {
	const value = headers['retry-after'] ?? headers['Retry-After'];
	if (value === undefined || value === null) return null;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Whether a failed status read or download may be tried again, and after how long. */
export function retryDelay(error: unknown, attempt: number): number | null {
	if (!(error instanceof ProviderError)) return null;
	if (!['rateLimit', 'server', 'unavailable', 'network'].includes(error.kind)) return null;
	const backoff = Math.min(1000 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
	return error.retryAfterMs ?? backoff;
}

/** Run an idempotent step (status read, download), retrying transient failures with backoff. */
export async function withRetries<T>(
	step: () => Promise<T>,
	signal?: AbortSignal,
	maxAttempts = MAX_ATTEMPTS,
): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		const result = await settle(step);
		if (result.ok) return result.value;
		const delay = retryDelay(result.error, attempt);
		if (delay === null || attempt >= maxAttempts) throw result.error;
		await pause(delay, signal);
	}
}

/** Read and normalize a task's status, retrying 429/5xx/network errors. */
export async function readTaskStatus(
	ctx: RequestContext,
	endpoint: ProviderEndpoint,
	task: Parameters<ProviderAdapter['buildStatusRequest']>[0],
	signal?: AbortSignal,
) {
	const { adapter } = endpoint;
	return await withRetries(async () => {
		const answer = await callProvider(ctx, endpoint, adapter.buildStatusRequest(task), signal);
		const snapshot = readAnswer(answer, () =>
			adapter.readStatusResponse(answer.statusCode, answer.body, task),
		);
		if (!snapshot.needsResult || !adapter.buildResultRequest || !adapter.readResultResponse) {
			return { answer, snapshot };
		}
		const readResult = adapter.readResultResponse;
		const result = await callProvider(ctx, endpoint, adapter.buildResultRequest(task), signal);
		return {
			answer: result,
			snapshot: readAnswer(result, () => readResult(result.statusCode, result.body, task)),
		};
	}, signal);
}

/** Run an adapter reader, attaching the answer's Retry-After to the error it throws. */
export function readAnswer<T>(answer: ProviderAnswer, read: () => T): T {
	const result = settleSync(read);
	if (result.ok) return result.value;
	const { error } = result;
	if (error instanceof ProviderError && error.retryAfterMs === null) {
		error.retryAfterMs = retryAfterMs(answer.headers);
	}
	throw error;
}

const PAUSE_SLICE_MS = 250;

/**
 * Sleep without timers of our own, ending at once on "Stop execution". n8n-workflow's `sleep` takes
 * the signal on newer n8n (2.41) and ignores it on older ones (2.8), so we also sleep in short
 * slices and check the signal between them; `sleepWithAbort` is used where n8n exports it.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	const sleepFn = sleepHelper();
	const end = Date.now() + ms;
	for (;;) {
		throwIfCancelled(signal);
		const left = end - Date.now();
		if (left <= 0) return;
		const slept = await settle(async () => await sleepFn(Math.min(left, PAUSE_SLICE_MS), signal));
		throwIfCancelled(signal);
		if (!slept.ok) throw slept.error;
	}
}

type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

function sleepHelper(): SleepFunction {
	const exported = n8nWorkflow as unknown as { sleepWithAbort?: SleepFunction };
	return typeof exported.sleepWithAbort === 'function'
		? exported.sleepWithAbort
		: n8nWorkflow.sleep;
}

export function throwIfCancelled(signal?: AbortSignal): void {
	if (signal?.aborted) throw new ExecutionCancelledError();
}
