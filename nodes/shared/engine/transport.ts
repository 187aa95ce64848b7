import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
} from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';
import type { ProviderAdapter, ProviderRequest } from '../providers/types';
import { DEFAULT_HOSTS } from '../providers';
import { checkBaseUrl, joinUrl } from '../util/baseUrl';
import { ExecutionCancelledError, ProviderError } from '../util/errors';
import { Slots } from '../util/slots';
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
	/** Epoch ms when the request went out (after any wait for a request slot). */
	sentAt?: number;
}

/** Where a provider lives, from its credential (validated once per execution). */
export interface ProviderEndpoint {
	adapter: ProviderAdapter;
	baseUrl: string;
	uploadBaseUrl: string | null;
	/** The account (platform) host, where the credential has one (fal: balance). */
	platformBaseUrl: string | null;
	/** The credential has an API key (Kling official: selects its new per-model API). */
	hasApiKey: boolean;
	/**
	 * The credential as read once for this run, handed to every request of it. Without it n8n reads
	 * and decrypts the credential again for each request (a database read in real n8n): with a batch
	 * of 1,000 items that is thousands of reads competing with the status reads for n8n's one thread.
	 */
	credentials?: ICredentialsDecrypted | null;
	/** This run's requests to the provider in flight at once (REQUEST_SLOTS). */
	requests?: Slots;
}

/**
 * Requests one run sends the provider at once. Every item of a batch is submitted and waited for at
 * once, but each exchange takes milliseconds: a few dozen at a time keep up with thousands of items,
 * without a socket per item (n8n's client opens one per request) or a burst that a provider's load
 * balancer answers with resets — a reset submit is ambiguous, so it is never sent again.
 */
const REQUEST_SLOTS = 32;

const REQUEST_TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 5;
/** Longest wait between two tries of a free read when the provider names none. */
const MAX_BACKOFF_MS = 10_000;

export async function providerEndpoint(
	ctx: RequestContext,
	adapter: ProviderAdapter,
): Promise<ProviderEndpoint> {
	const credentials = await ctx.getCredentials(adapter.credentialType);
	return {
		adapter,
		baseUrl: checkBaseUrl(
			credentials.baseUrl,
			adapter.apiPathPrefix,
			'Base URL',
			DEFAULT_HOSTS[adapter.id].baseUrl,
		),
		uploadBaseUrl:
			typeof credentials.uploadBaseUrl === 'string' && credentials.uploadBaseUrl.trim() !== ''
				? checkBaseUrl(
						credentials.uploadBaseUrl,
						adapter.uploadPathPrefix ?? adapter.apiPathPrefix,
						'Upload Base URL',
						DEFAULT_HOSTS[adapter.id].uploadBaseUrl,
					)
				: null,
		platformBaseUrl:
			typeof credentials.platformBaseUrl === 'string' && credentials.platformBaseUrl.trim() !== ''
				? checkBaseUrl(credentials.platformBaseUrl, '/v1', 'Platform API Base URL')
				: null,
		hasApiKey: typeof credentials.apiKey === 'string' && credentials.apiKey.trim() !== '',
		requests: new Slots(REQUEST_SLOTS),
		credentials: readOnce(ctx, adapter, credentials),
	};
}

/** The credential as n8n's request helper takes it, so it is not read again per request. */
function readOnce(
	ctx: RequestContext,
	adapter: ProviderAdapter,
	data: ICredentialDataDecryptedObject,
): ICredentialsDecrypted | null {
	// Contexts without a node (unit tests' stand-ins) keep n8n's read per request.
	const node = typeof ctx.getNode === 'function' ? ctx.getNode() : null;
	const ref = node?.credentials?.[adapter.credentialType];
	return ref ? { id: ref.id ?? '', name: ref.name, type: adapter.credentialType, data } : null;
}

/** The request options n8n's helpers take, for an adapter's request. */
export function httpOptions(
	endpoint: ProviderEndpoint,
	request: ProviderRequest,
): IHttpRequestOptions {
	const base = request.uploadHost
		? (endpoint.uploadBaseUrl ?? endpoint.baseUrl)
		: request.platformHost
			? (endpoint.platformBaseUrl ?? endpoint.baseUrl)
			: endpoint.baseUrl;
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
	const send = async () => {
		throwIfCancelled(signal);
		const sentAt = Date.now();
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			endpoint.adapter.credentialType,
			options,
			endpoint.credentials ? { credentialsDecrypted: endpoint.credentials } : undefined,
		)) as { statusCode: number; body: unknown; headers: IDataObject };
		return { response, sentAt };
	};
	const sent = await settle(async () =>
		endpoint.requests ? await endpoint.requests.run(send) : await send(),
	);
	if (!sent.ok) {
		// Stopped while waiting for a request slot: nothing was sent.
		if (sent.error instanceof ExecutionCancelledError) throw sent.error;
		throw networkError(endpoint.adapter.displayName, options.url, sent.error);
	}
	const { response, sentAt } = sent.value;
	return {
		statusCode: response.statusCode,
		body: parseJsonText(response.body),
		headers: response.headers ?? {},
		sentAt,
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

/**
 * Map a thrown request error (DNS, refused, reset, timeout) to a sentence naming the host. A name that
 * does not resolve or a refused connection never reached the provider (`beforeSend`): nothing can
 * have been created. Real n8n wraps these errors in a NodeApiError whose message is its own sentence
 * ("The connection cannot be established…") and keeps the original in `messages` / `cause`.
 */
export function networkError(providerName: string, url: string, error: unknown): ProviderError {
	const text = describeThrown(error);
	let host = url;
	try {
		host = new URL(url).host;
	} catch {
		// keep the raw URL
	}
	let reason = text;
	let beforeSend = false;
	// Timeouts first: axios reports them as ECONNABORTED, which the reset pattern would also match.
	if (
		/ENOTFOUND|EAI_AGAIN|cannot be established, this usually occurs due to an incorrect host/i.test(
			text,
		)
	) {
		reason = 'the host name could not be resolved';
		beforeSend = true;
	} else if (/ECONNREFUSED|refused the connection/i.test(text)) {
		reason = 'the connection was refused';
		beforeSend = true;
	} else if (/ETIMEDOUT|ECONNABORTED|timeout|timed out/i.test(text))
		reason = 'the request timed out';
	else if (/ECONNRESET|socket hang up|aborted/i.test(text)) reason = 'the connection was reset';
	const mapped = new ProviderError(
		'network',
		`Could not reach ${providerName} at ${host}: ${reason}`,
	);
	mapped.beforeSend = beforeSend;
	return mapped;
}

/** Everything an error says about its cause, including what n8n's NodeApiError wraps. */
function describeThrown(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const parts: unknown[] = [error.message];
	const wrapped = error as Error & {
		code?: string;
		messages?: unknown[];
		description?: string;
		cause?: { code?: string; message?: string; cause?: { code?: string } };
	};
	parts.push(wrapped.code, wrapped.description, ...(wrapped.messages ?? []));
	parts.push(wrapped.cause?.code, wrapped.cause?.message, wrapped.cause?.cause?.code);
	return parts.filter((part) => typeof part === 'string' && part).join(' ');
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

/** How long an unreachable host is retried within a deadline. */
const UNREACHABLE_BUDGET_MS = 60_000;

/** How long a free, repeatable step (status read, download, upload) is retried. */
export interface RetryLimit {
	/** At most this many attempts (default 5) — unless a deadline is given. */
	maxAttempts?: number;
	/** Retry until this time (epoch ms): a wait is cut to what is left, and none starts past it. */
	deadline?: number;
}

/**
 * Run an idempotent step, retrying transient failures (429, 5xx, resets, timeouts) with capped
 * backoff and the provider's Retry-After. With a deadline (Max Wait), it keeps trying until then —
 * an outage shorter than Max Wait does not fail a paid task — and never sleeps past it.
 */
export async function withRetries<T>(
	step: () => Promise<T>,
	signal?: AbortSignal,
	limit: RetryLimit = {},
): Promise<T> {
	const maxAttempts = limit.deadline === undefined ? (limit.maxAttempts ?? MAX_ATTEMPTS) : Infinity;
	let unreachableSince: number | null = null;
	for (let attempt = 1; ; attempt++) {
		const result = await settle(step);
		if (result.ok) return result.value;
		const wanted = retryDelay(result.error, attempt);
		if (wanted === null || attempt >= maxAttempts) throw result.error;
		// A host that does not resolve or refuses connections is usually a wrong Base URL, not an
		// outage (those answer 5xx): give up after a minute of it rather than waiting out Max Wait.
		const unreachable = result.error instanceof ProviderError && result.error.beforeSend;
		unreachableSince = unreachable ? (unreachableSince ?? Date.now()) : null;
		if (unreachableSince !== null && Date.now() - unreachableSince >= UNREACHABLE_BUDGET_MS) {
			throw result.error;
		}
		const left = (limit.deadline ?? Infinity) - Date.now();
		if (left <= 0) throw result.error;
		await pause(Math.min(wanted, left), signal);
	}
}

/** Read and normalize a task's status, retrying 429/5xx/network errors (free reads). */
export async function readTaskStatus(
	ctx: RequestContext,
	endpoint: ProviderEndpoint,
	task: Parameters<ProviderAdapter['buildStatusRequest']>[0],
	signal?: AbortSignal,
	limit?: RetryLimit,
) {
	const { adapter } = endpoint;
	return await withRetries(
		async () => {
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
		},
		signal,
		limit,
	);
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

/**
 * Sleep without timers of our own, ending at once on "Stop execution". n8n-workflow's `sleep` takes
 * the signal on newer n8n (2.41) and ignores it on older ones (2.8), so the sleep is raced with the
 * signal's abort event; `sleepWithAbort` is used where n8n exports it.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	throwIfCancelled(signal);
	if (ms <= 0) return;
	const sleepFn = sleepHelper();
	if (!signal) {
		await sleepFn(ms);
		return;
	}
	let stopListening = () => {};
	const aborted = new Promise<never>((_, reject) => {
		stopListening = onCancel(signal, () => reject(new ExecutionCancelledError()));
	});
	try {
		// The sleep gets no signal (each would add its own listener); the abort ends the race.
		await Promise.race([settle(async () => await sleepFn(ms)), aborted]);
	} finally {
		stopListening();
	}
	throwIfCancelled(signal);
}

type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

function sleepHelper(): SleepFunction {
	const exported = n8nWorkflow as unknown as { sleepWithAbort?: SleepFunction };
	return typeof exported.sleepWithAbort === 'function'
		? exported.sleepWithAbort
		: n8nWorkflow.sleep;
}

/**
 * Call `fn` when the signal aborts; returns the function that stops listening. One 'abort' listener
 * per signal fans out to every waiter: Node's EventTarget compares each new listener with all the
 * others, so a thousand waiting items adding their own would cost a million comparisons per round.
 */
export function onCancel(signal: AbortSignal, fn: () => void): () => void {
	let waiters = CANCEL_WAITERS.get(signal);
	if (!waiters) {
		const created = new Set<() => void>();
		waiters = created;
		CANCEL_WAITERS.set(signal, created);
		signal.addEventListener(
			'abort',
			() => {
				const all = [...created];
				created.clear();
				for (const waiter of all) waiter();
			},
			{ once: true },
		);
	}
	const mine = waiters;
	mine.add(fn);
	return () => {
		mine.delete(fn);
	};
}

const CANCEL_WAITERS = new WeakMap<AbortSignal, Set<() => void>>();

export function throwIfCancelled(signal?: AbortSignal): void {
	if (signal?.aborted) throw new ExecutionCancelledError();
}
