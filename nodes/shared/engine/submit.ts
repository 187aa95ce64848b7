import { createHash } from 'crypto';
import type { ProviderAdapter } from '../providers/types';
import { ExecutionCancelledError, ProviderError } from '../util/errors';
import { PENDING_UPLOAD, readImageBytes, type GenerationPlan, type ImageInput } from './input';
import { settleSync } from '../util/settle';
import {
	callProvider,
	pause,
	readAnswer,
	retryAfterMs,
	withRetries,
	type NodeContext,
	type ProviderAnswer,
	type ProviderEndpoint,
} from './transport';

const MAX_SAFE_SUBMIT_ATTEMPTS = 3;

/** Upload binary start/end frames (free, so retried) and put their URLs into the request. */
export async function resolveImages(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	plan: GenerationPlan,
	signal?: AbortSignal,
): Promise<void> {
	const { request } = plan;
	request.startImageUrl = await imageUrl(ctx, endpoint, plan.startImage, request.model, signal);
	request.endImageUrl = await imageUrl(ctx, endpoint, plan.endImage, request.model, signal);
	for (const [index, images] of plan.elementImages.entries()) {
		const element = request.elements?.[index];
		if (!element?.imageUrls || !images.length) continue;
		const uploaded: string[] = [];
		for (const image of images) {
			uploaded.push((await imageUrl(ctx, endpoint, image, request.model, signal)) as string);
		}
		element.imageUrls = [...element.imageUrls.filter((url) => url !== PENDING_UPLOAD), ...uploaded];
	}
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
	if (adapter.inlineImage) return adapter.inlineImage(file);
	const upload = adapter.buildUploadRequest!(file, model);
	return await withRetries(async () => {
		const answer = await callProvider(ctx, endpoint, upload, signal);
		return readAnswer(answer, () => adapter.readUploadResponse!(answer.statusCode, answer.body));
	}, signal);
}

/**
 * Submit once. Only a refusal that created nothing (429, maintenance) is sent again, after the
 * provider's Retry-After; a 5xx, timeout or reset may have created a paid task, so it is reported.
 */
export async function submitTask(
	ctx: NodeContext,
	endpoint: ProviderEndpoint,
	plan: GenerationPlan,
	signal?: AbortSignal,
): Promise<string> {
	const { adapter } = endpoint;
	const submitRequest = adapter.buildSubmitRequest(plan.request);
	for (let attempt = 1; ; attempt++) {
		let answer: ProviderAnswer;
		try {
			answer = await callProvider(ctx, endpoint, submitRequest, signal);
		} catch (error) {
			throw ambiguousSubmit(adapter, error);
		}
		const result = settleSync(() => readSubmitAnswer(adapter, answer));
		if (result.ok) return result.value;
		const refusedSafely = adapter.isSafeToResubmit(answer.statusCode, answer.body);
		if (!refusedSafely || attempt >= MAX_SAFE_SUBMIT_ATTEMPTS) throw result.error;
		await pause(retryAfterMs(answer.headers) ?? 2000 * attempt, signal);
	}
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
	const refused = adapter.isSafeToResubmit(answer.statusCode, answer.body);
	if (!refused && status >= 500) throw ambiguousSubmit(adapter, error);
	throw error;
}

/** A submit whose outcome is unknown must not be repeated blindly: say what to check. */
function ambiguousSubmit(adapter: ProviderAdapter, error: unknown): Error {
	if (error instanceof ExecutionCancelledError) return error;
	const cause = error instanceof Error ? error.message : String(error);
	// DNS failures and refused connections never reached the provider.
	if (/could not be resolved|connection was refused/.test(cause)) return error as Error;
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
