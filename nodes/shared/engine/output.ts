import type { IDataObject } from 'n8n-workflow';
import { CATALOG } from '../catalog';
import { estimateCost } from './cost';
import { requestJson } from './request';
import type {
	GenerationMode,
	GenerationRequest,
	ProviderId,
	TaskError,
	TaskSnapshot,
} from '../providers/types';

/** The options every operation shares (names fixed by DESIGN.md Contracts). */
export interface NodeOptions {
	firstCheckAfter: number;
	pollInterval: number;
	maxWait: number;
	/** 0 = Auto (adapts to the provider's refusals); any other value is a hard cap. */
	concurrency: number;
	submitRetryBudget: number;
	idempotencyKey: string;
	downloadVideo: boolean;
	binaryPropertyName: string;
	includeRawResponse: boolean;
	outputFailedTasksAsItems: boolean;
	/** Items whose submit created nothing leave on a second output, for a fallback provider. */
	refusedItemsOutput: boolean;
	/** Generate: a failed task goes there too, where the provider refunds failed tasks. */
	resubmitFailedTasks: boolean;
	/** USD for this node's batch; 0 = no cap. */
	maxSpendPerRun: number;
	allowUnknownPrices: boolean;
}

/** The node's options; Concurrency defaults to Auto from node version 2 on (10 before). */
export function readOptions(raw: IDataObject, nodeVersion = 1): NodeOptions {
	const number = (value: unknown, fallback: number, min: number) => {
		const parsed = Number(value);
		return value === undefined || value === '' || !Number.isFinite(parsed)
			? fallback
			: Math.max(min, parsed);
	};
	return {
		firstCheckAfter: number(raw.firstCheckAfter, 0, 0),
		pollInterval: number(raw.pollInterval, 5, 0.1),
		maxWait: number(raw.maxWait, 900, 1),
		concurrency: Math.floor(number(raw.concurrency, nodeVersion >= 2 ? 0 : 10, 0)),
		submitRetryBudget: number(raw.submitRetryBudget, 30, 0),
		idempotencyKey: String(raw.idempotencyKey ?? '').trim(),
		downloadVideo: raw.downloadVideo !== false,
		binaryPropertyName: String(raw.binaryPropertyName || 'data'),
		includeRawResponse: raw.includeRawResponse === true,
		outputFailedTasksAsItems: raw.outputFailedTasksAsItems === true,
		refusedItemsOutput: raw.refusedItemsOutput === true,
		resubmitFailedTasks: raw.resubmitFailedTasks === true,
		maxSpendPerRun: number(raw.maxSpendPerRun, 0, 0),
		allowUnknownPrices: raw.allowUnknownPrices === true,
	};
}

export interface TaskItemInput {
	provider: ProviderId;
	model: string;
	mode: GenerationMode;
	taskId: string | null;
	snapshot: TaskSnapshot | null;
	request: GenerationRequest | null;
	error?: TaskError | null;
	raw?: unknown;
	includeRaw: boolean;
}

/** The normalized item `json` of DESIGN.md Contracts, the same for every operation. */
export function taskItemJson(input: TaskItemInput): IDataObject {
	const { snapshot, request } = input;
	const createdAt = snapshot?.createdAt ?? null;
	const completedAt = snapshot?.completedAt ?? null;
	const fromTimestamps =
		createdAt && completedAt ? Date.parse(completedAt) - Date.parse(createdAt) : null;
	const json: IDataObject = {
		provider: input.provider,
		model: input.model,
		mode: input.mode,
		taskId: input.taskId,
		// The provider's task state (DESIGN.md, second edition): a task still running at Max Wait stays
		// queued/processing, a succeeded one whose download failed stays succeeded — `error.code` says
		// why the node stopped. Without a task (nothing was created) the item is failed.
		status: snapshot?.status ?? (input.taskId ? 'queued' : 'failed'),
		videoUrl: snapshot?.videoUrls[0] ?? null,
		videoUrls: snapshot?.videoUrls ?? [],
		videoUrlExpiresAt: videoUrlExpiresAt(input.provider, snapshot),
		error: (input.error ?? snapshot?.error ?? null) as IDataObject | null,
		createdAt,
		completedAt,
		generationMs: fromTimestamps ?? snapshot?.providerGenerationMs ?? null,
		credits: snapshot?.credits ?? null,
		// From the catalog's dated price; `credits` is what the provider reports it took.
		estimatedCost: (request ? estimateCost(request) : null) as IDataObject | null,
		request: requestJson(request),
	};
	if (request?.callbackUrl) json.callbackUrl = request.callbackUrl;
	if (input.includeRaw) json.raw = (input.raw ?? null) as IDataObject;
	return json;
}

/**
 * When the provider deletes the result, where its docs say how long result URLs live (the catalog's
 * `resultUrlLifetime`, counted from the task's creation or completion); null when there is no video,
 * no documented lifetime or no timestamp to count from.
 */
export function videoUrlExpiresAt(
	provider: ProviderId,
	snapshot: Pick<TaskSnapshot, 'videoUrls' | 'createdAt' | 'completedAt'> | null,
): string | null {
	const lifetime = CATALOG[provider].resultUrlLifetime;
	if (!lifetime || !snapshot?.videoUrls.length) return null;
	const [first, second] =
		lifetime.from === 'completed'
			? [snapshot.completedAt, snapshot.createdAt]
			: [snapshot.createdAt, snapshot.completedAt];
	// From completion: creation stands in when completion is unknown (an earlier, safe moment).
	const start = Date.parse(first ?? second ?? '');
	return Number.isNaN(start) ? null : new Date(start + lifetime.seconds * 1000).toISOString();
}

/** `<provider>-<taskId>.mp4`, safe as a file name. */
export function videoFileName(provider: ProviderId, taskId: string): string {
	return `${provider}-${taskId.replace(/[^\w.-]+/g, '_')}.mp4`;
}

/** Longest file name kept (most file systems allow 255 bytes). */
const MAX_FILE_NAME_LENGTH = 200;

/**
 * The File Name option as a safe file name: no path (separators, leading dots), no control characters
 * or characters Windows refuses, ending in `.mp4`; empty (or nothing left) → `<provider>-<taskId>.mp4`.
 */
export function outputFileName(wanted: unknown, provider: ProviderId, taskId: string): string {
	const base = String(wanted ?? '')
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f]/g, '')
		.replace(/[/\\:*?"<>|]+/g, '_')
		.trim()
		.replace(/\.mp4$/i, '')
		.replace(/^[.\s]+/, '')
		.slice(0, MAX_FILE_NAME_LENGTH - 4)
		.replace(/[.\s]+$/, '');
	if (!base.replace(/[_\s.]/g, '')) return videoFileName(provider, taskId);
	return `${base}.mp4`;
}
