import type { IDataObject } from 'n8n-workflow';
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
	concurrency: number;
	downloadVideo: boolean;
	binaryPropertyName: string;
	includeRawResponse: boolean;
	outputFailedTasksAsItems: boolean;
}

export function readOptions(raw: IDataObject): NodeOptions {
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
		concurrency: Math.floor(number(raw.concurrency, 10, 1)),
		downloadVideo: raw.downloadVideo !== false,
		binaryPropertyName: String(raw.binaryPropertyName || 'data'),
		includeRawResponse: raw.includeRawResponse === true,
		outputFailedTasksAsItems: raw.outputFailedTasksAsItems === true,
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
		status: input.error ? 'failed' : (snapshot?.status ?? 'queued'),
		videoUrl: snapshot?.videoUrls[0] ?? null,
		videoUrls: snapshot?.videoUrls ?? [],
		error: (input.error ?? snapshot?.error ?? null) as IDataObject | null,
		createdAt,
		completedAt,
		generationMs: fromTimestamps ?? snapshot?.providerGenerationMs ?? null,
		credits: snapshot?.credits ?? null,
		request: requestJson(request),
	};
	if (request?.callbackUrl) json.callbackUrl = request.callbackUrl;
	if (input.includeRaw) json.raw = (input.raw ?? null) as IDataObject;
	return json;
}

/** `<provider>-<taskId>.mp4`, safe as a file name. */
export function videoFileName(provider: ProviderId, taskId: string): string {
	return `${provider}-${taskId.replace(/[^\w.-]+/g, '_')}.mp4`;
}
