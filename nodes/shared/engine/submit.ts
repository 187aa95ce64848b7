import { createHash } from 'crypto';
import type { ProviderAdapter, UploadFile } from '../providers/types';
import {
	ExecutionCancelledError,
	InputError,
	ProviderError,
	kindForHttpStatus,
	onSubmitPath,
} from '../util/errors';
import { sniffMediaType } from '../util/media';
import type { MediaSource } from './capability';
import { settleSync } from '../util/settle';
import { PENDING_UPLOAD, readImageBytes, type GenerationPlan, type ImageInput } from './input';
import type { Slots } from '../util/slots';
import type { TaskLimiter } from './limiter';
import { classifyRefusal, SubmitRefusedError, type RefusalKind } from './refusals';
import {
	callProvider,
	networkError,
	pause,
	readAnswer,
	retryAfterMs,
	withRetries,
	type NodeContext,
	type ProviderAnswer,
	type ProviderEndpoint,
} from './transport';

/** Waits between refused submits where the provider names none. */
const REFUSAL_BACKOFF_MS = [2000, 4000, 8000, 15_000];

/**
 * Upload binary start/end frames and element images (free, so retried) and put their URLs into the
 * request. The bytes are read here — inside one of a few upload slots, whatever the batch size — and
 * released once uploaded, so memory does not grow with the batch.
 */
export async function resolveImages(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	plan: GenerationPlan,
	signal?: AbortSignal,
	slots?: Slots,
): Promise<void> {
	const upload = async (image: ImageInput | null) =>
		slots
			? await slots.run(
					async () => await imageUrl(ctx, endpoint, image, plan.request.model, signal),
				)
			: await imageUrl(ctx, endpoint, image, plan.request.model, signal);
	const { request } = plan;
	request.startImageUrl = await upload(plan.startImage);
	request.endImageUrl = await upload(plan.endImage);
	for (const [index, images] of plan.elementImages.entries()) {
		const element = request.elements?.[index];
		if (!element?.imageUrls || !images.length) continue;
		const uploaded: string[] = [];
		for (const image of images) uploaded.push((await upload(image)) as string);
		element.imageUrls = [...element.imageUrls.filter((url) => url !== PENDING_UPLOAD), ...uploaded];
	}
	if (!plan.media) return;
	const send = async (media: MediaSource | null) =>
		slots
			? await slots.run(async () => await mediaUrl(ctx, endpoint, media, request.model, signal))
			: await mediaUrl(ctx, endpoint, media, request.model, signal);
	const { media } = plan;
	request.startImageUrl = await send(media.image);
	request.inputVideoUrl = await send(media.video);
	request.inputAudioUrl = await send(media.audio);
	if (media.referenceImages.length) {
		const urls: string[] = [];
		for (const source of media.referenceImages) urls.push((await send(source)) as string);
		request.referenceImageUrls = urls;
	}
}

/**
 * A capability's input as the provider takes it: a URL as given, or the bytes (checked again) sent
 * inline where the provider takes that kind inline and it is small enough, else uploaded.
 */
async function mediaUrl(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	media: MediaSource | null,
	model: string,
	signal?: AbortSignal,
): Promise<string | null> {
	if (!media) return null;
	if (media.source === 'url') return media.url;
	const { adapter } = endpoint;
	const data = await media.file.read();
	const type = sniffMediaType(data);
	if (!type || !media.limits.types.includes(type)) {
		throw new InputError(
			media.field,
			`${media.field}: the file changed and is no longer a ${media.kind} the provider takes`,
		);
	}
	const file: UploadFile = { data, mimeType: type, fileName: media.file.fileName };
	const canUpload = adapter.buildUploadRequest && adapter.readUploadResponse;
	const inline = adapter.inlineImage && (adapter.inlineKinds ?? ['image']).includes(media.kind);
	if (inline && (!canUpload || data.length <= (adapter.inlineMaxBytes ?? Infinity))) {
		return adapter.inlineImage!(file);
	}
	return await uploadFile(ctx, endpoint, file, model, signal);
}

async function imageUrl(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	image: ImageInput | null,
	model: string,
	signal?: AbortSignal,
): Promise<string | null> {
	if (!image) return null;
	if (image.source === 'url') return image.url;
	const { adapter } = endpoint;
	const file = await readImageBytes(image, adapter);
	const canUpload = adapter.buildUploadRequest && adapter.readUploadResponse;
	if (
		adapter.inlineImage &&
		(!canUpload || file.data.length <= (adapter.inlineMaxBytes ?? Infinity))
	) {
		return adapter.inlineImage(file);
	}
	return await uploadFile(ctx, endpoint, file, model, signal);
}

/** Upload through the provider's files API (free, so retried); a pre-signed PUT where it answers one. */
async function uploadFile(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	file: UploadFile,
	model: string,
	signal?: AbortSignal,
): Promise<string> {
	const { adapter } = endpoint;
	const upload = adapter.buildUploadRequest!(file, model);
	const answer = await withRetries(async () => {
		const uploaded = await callProvider(ctx, endpoint, upload, signal);
		const read = settleSync(() =>
			readAnswer(uploaded, () => adapter.readUploadResponse!(uploaded.statusCode, uploaded.body)),
		);
		if (!read.ok) throw onSubmitPath(read.error);
		return read.value;
	}, signal);
	if (typeof answer === 'string') return answer;
	await withRetries(
		async () => await putFile(ctx, adapter.displayName, answer.putUrl, file),
		signal,
	);
	return answer.fileUrl;
}

/** PUT the bytes to a pre-signed upload URL: no credential goes to that host. */
async function putFile(
	ctx: NodeContext,
	providerName: string,
	url: string,
	file: UploadFile,
): Promise<void> {
	let statusCode: number;
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'PUT',
			url,
			body: file.data,
			headers: { 'Content-Type': file.mimeType },
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number };
		statusCode = response.statusCode;
	} catch (error) {
		throw networkError(`${providerName} storage`, url, error);
	}
	if (statusCode >= 200 && statusCode < 300) return;
	throw new ProviderError(
		kindForHttpStatus(statusCode),
		`${providerName} storage refused the image upload with HTTP ${statusCode}`,
		statusCode,
	);
}

/** How long and how a refused submit is tried again. */
export interface SubmitPolicy {
	signal?: AbortSignal;
	/** Submit Retry Budget: time an item may spend waiting out refusals (ms). */
	budgetMs: number;
	/** Never wait past this (epoch ms): Max Wait from the run's start. */
	deadline: number;
	/**
	 * This run's tasks in flight. Generate holds a slot from the submit until the task finishes, and
	 * a refusal while its own tasks run waits for one of them (not counted against the budget).
	 */
	limiter: TaskLimiter;
	/** The slot stays taken when a task is created (Generate); Submit gives it back at once. */
	holdSlot: boolean;
}

/** A created task, and when the provider got the submit that created it (its clock starts there). */
export interface SubmittedTask {
	taskId: string;
	/**
	 * Epoch ms: halfway between sending the accepted submit and reading its answer, the best guess of
	 * when the provider received it (for a task found by its key: now).
	 */
	startedAt: number;
}

/**
 * Submit once, and again only after an explicit refusal (DESIGN.md, "Refusals are classified"): a rate
 * limit, the account's concurrency cap or maintenance created nothing, so the item waits and tries
 * again within the Submit Retry Budget (never past Max Wait); no credit fails at once. A 5xx that is
 * not a documented refusal, a timeout or a reset may have created a paid task, so it is never
 * repeated: it is reported with what to check.
 */
export async function submitTask(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	plan: GenerationPlan,
	policy: SubmitPolicy,
): Promise<SubmittedTask> {
	const { adapter } = endpoint;
	const { signal, limiter } = policy;
	const existing = await findExistingTask(ctx, endpoint, plan, signal);
	if (existing) {
		if (policy.holdSlot) await limiter.acquire(signal);
		return { taskId: existing, startedAt: Date.now() };
	}
	await prepareSubmit(ctx, endpoint, plan, signal);
	const submitRequest = adapter.buildSubmitRequest(plan.request);
	let budgetLeft = policy.budgetMs;
	for (let attempt = 1; ; attempt++) {
		await limiter.acquire(signal);
		let answer: ProviderAnswer;
		try {
			answer = await callProvider(ctx, endpoint, submitRequest, signal);
		} catch (error) {
			limiter.release(false);
			throw unsentOrAmbiguous(adapter, error, attempt);
		}
		const read = settleSync(() => readSubmitAnswer(adapter, answer));
		if (read.ok) {
			if (!policy.holdSlot) limiter.release(false);
			const answeredAt = Date.now();
			const sentAt = answer.sentAt ?? answeredAt;
			return { taskId: read.value, startedAt: sentAt + (answeredAt - sentAt) / 2 };
		}
		limiter.release(false);
		const kind = classifyRefusal(adapter, answer.statusCode, answer.body);
		if (!kind) throw read.error;
		if (kind === 'insufficient_credits') throw refused(adapter, kind, attempt, read.error);
		const retryAfter = retryAfterMs(answer.headers);
		limiter.refused(kind, retryAfter, policy.holdSlot);
		// While this run's own tasks are in flight, one of them finishing makes room: wait for that.
		if (policy.holdSlot && limiter.running > 0 && kind !== 'maintenance') {
			await limiter.untilOneFinishes(signal);
			continue;
		}
		const wait = Math.min(
			retryAfter ?? REFUSAL_BACKOFF_MS[Math.min(attempt, REFUSAL_BACKOFF_MS.length) - 1],
			budgetLeft,
			policy.deadline - Date.now(),
		);
		if (wait <= 0 || budgetLeft <= 0) throw refused(adapter, kind, attempt, read.error);
		await pause(wait, signal);
		budgetLeft -= wait;
	}
}

/**
 * With an Idempotency Key, a provider that can find tasks by it (Kling) is asked first: a task made
 * with the key on an earlier run is returned instead of submitting (and paying) again. Free, so
 * retried.
 */
async function findExistingTask(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	plan: GenerationPlan,
	signal?: AbortSignal,
): Promise<string | null> {
	const { adapter } = endpoint;
	const { externalId, mode, entry } = plan.request;
	if (!externalId || !adapter.buildLookupRequest || !adapter.readLookupResponse) return null;
	const lookup = adapter.buildLookupRequest(externalId, mode, entry.api, plan.request.model);
	const read = adapter.readLookupResponse;
	const found = await withRetries(async () => {
		const answer = await callProvider(ctx, endpoint, lookup, signal);
		return readAnswer(answer, () => read(answer.statusCode, answer.body, entry.api));
	}, signal);
	return found?.taskId ?? null;
}

/**
 * A free step some products need before the submit (Kling: identify-face gives the session and face
 * that advanced lip-sync is submitted with). It creates no task, so it is retried like a read.
 */
async function prepareSubmit(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	plan: GenerationPlan,
	signal?: AbortSignal,
): Promise<void> {
	const { adapter } = endpoint;
	const prepare = adapter.buildPrepareRequest?.(plan.request);
	if (!prepare || !adapter.readPrepareResponse) return;
	const read = adapter.readPrepareResponse;
	plan.request.prepared = await withRetries(async () => {
		const answer = await callProvider(ctx, endpoint, prepare, signal);
		return readAnswer(answer, () => read(answer.statusCode, answer.body, plan.request));
	}, signal);
}

/** The task ID of a submit answer; a 5xx that is not a clear refusal is reported as ambiguous. */
export function readSubmitAnswer(adapter: ProviderAdapter, answer: ProviderAnswer): string {
	const result = settleSync(() =>
		readAnswer(answer, () => adapter.readSubmitResponse(answer.statusCode, answer.body)),
	);
	if (result.ok) return result.value;
	const { error } = result;
	// Kie reports a server error in the body of an HTTP 200, so the provider's own status counts.
	const status =
		error instanceof ProviderError ? (error.httpStatus ?? answer.statusCode) : answer.statusCode;
	const refusal = classifyRefusal(adapter, answer.statusCode, answer.body);
	if (!refusal && status >= 500) throw ambiguousSubmit(adapter, error);
	throw onSubmitPath(error);
}

const REFUSAL_WORDS: Record<RefusalKind, string> = {
	rate_limited: 'rate limit',
	concurrency_limit: 'limit of tasks running at once',
	insufficient_credits: 'credit',
	maintenance: 'maintenance',
};

function refused(
	adapter: ProviderAdapter,
	kind: RefusalKind,
	attempts: number,
	cause: unknown,
): SubmitRefusedError {
	const detail = cause instanceof Error ? ` (${cause.message})` : '';
	const advice =
		kind === 'insufficient_credits'
			? `Top up your ${adapter.displayName} balance, then run the item again`
			: `Run the item again later, raise the Submit Retry Budget, or lower Concurrency`;
	const tries = attempts === 1 ? 'once' : `${attempts} times`;
	return new SubmitRefusedError(
		kind,
		attempts,
		`${adapter.displayName} refused the submit (${REFUSAL_WORDS[kind]}) ${tries}${detail}; nothing was created or paid. ${advice}`,
	);
}

/**
 * A thrown submit error: before the request left (name not resolved, connection refused) nothing
 * was created; anything else may have created a paid task, so it is not repeated.
 */
function unsentOrAmbiguous(adapter: ProviderAdapter, error: unknown, attempts: number): Error {
	if (error instanceof ExecutionCancelledError) return error;
	if (error instanceof ProviderError && error.beforeSend) {
		return new SubmitRefusedError(
			'unreachable',
			attempts,
			`${error.message}; nothing was sent, so nothing was paid. ${error.advice}`,
		);
	}
	return ambiguousSubmit(adapter, error);
}

/** A submit whose outcome is unknown must not be repeated blindly: say what to check. */
function ambiguousSubmit(adapter: ProviderAdapter, error: unknown): Error {
	if (error instanceof ExecutionCancelledError) return error;
	const cause = error instanceof Error ? error.message : String(error);
	return new ProviderError(
		'ambiguousSubmit',
		`${cause}. The submit may or may not have created a paid task on ${adapter.displayName}, so it was not sent again`,
	);
}

/** Same execution, node, item and run give the same key, so a repeated submit cannot pay twice. */
export function idempotencyKey(
	executionId: string,
	nodeId: string,
	itemIndex: number,
	runIndex: number,
): string {
	const source = [executionId, nodeId, itemIndex, runIndex].join(':');
	return `n8n-kling-${createHash('sha256').update(source).digest('hex').slice(0, 40)}`;
}
