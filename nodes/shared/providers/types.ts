import type { SignedCallback } from '../util/signature';
import type { IDataObject } from 'n8n-workflow';

/** Provider ids: the `authentication` parameter values, emulator prefixes and the `provider` output field. */
export type ProviderId = 'wavespeed' | 'apixo' | 'kie' | 'rivya' | 'kling' | 'fal' | 'replicate';

export type GenerationMode = 'text-to-video' | 'image-to-video';

export type TaskStatus = 'queued' | 'processing' | 'succeeded' | 'failed';

/** What a provider's variant of a model accepts, used to reject bad input before a paid request. */
export interface ModelVariant {
	/** The provider's model id as sent (WaveSpeed: the URL path after /api/v3/). */
	id: string;
	durations: number[];
	/** Aspect ratios the variant accepts; empty when the output follows the input image. */
	aspectRatios: string[];
	cfgScale: boolean;
	maxNegativePromptLength: number;
	endFrame: 'none' | 'optional' | 'required';
	/** Provider parameters that come with this variant (Kling official: `mode: "pro"`). */
	fixedParams?: IDataObject;
}

/** A Kling model as listed in the node, with its provider-specific text- and image-to-video variants. */
export interface ModelSpec {
	/** Option value in the node's model list. */
	value: string;
	name: string;
	description: string;
	textToVideo?: ModelVariant;
	imageToVideo?: ModelVariant;
}

/** A request an adapter wants sent; the transport joins `path` to the credential's Base URL. */
export interface ProviderRequest {
	method: 'GET' | 'POST' | 'DELETE';
	path: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	headers?: Record<string, string>;
	/** Send to the credential's upload host instead of its API host (Kie). */
	uploadHost?: boolean;
}

/** The common, validated fields of one generation, as the user gave them. */
export interface GenerationRequest {
	mode: GenerationMode;
	model: string;
	prompt: string;
	negativePrompt: string | null;
	duration: number;
	aspectRatio: string | null;
	cfgScale: number | null;
	startImageUrl: string | null;
	endImageUrl: string | null;
	additionalFields: IDataObject;
	/** The chosen variant's fixed parameters, sent before the additional fields. */
	variantParams: IDataObject;
	callbackUrl: string | null;
	idempotencyKey: string | null;
}

/** What Get Task needs to find a task again. */
export interface TaskRef {
	taskId: string;
	model: string;
	mode: GenerationMode;
}

export interface TaskError {
	code: string;
	message: string;
}

/** One status or callback body, normalized. */
export interface TaskSnapshot {
	taskId: string;
	model: string | null;
	status: TaskStatus;
	videoUrls: string[];
	error: TaskError | null;
	createdAt: string | null;
	completedAt: string | null;
	/** The provider's own generation-time figure in ms, used when timestamps are missing. */
	providerGenerationMs: number | null;
	credits: number | null;
	/** The status says "done" but the result is a second read away (fal's queue API). */
	needsResult?: boolean;
}

export interface UploadFile {
	data: Buffer;
	fileName: string;
	mimeType: string;
}

/** The narrow contract every provider implements; the node's flow calls only this. */
export interface ProviderAdapter {
	id: ProviderId;
	displayName: string;
	credentialType: string;
	/** API path prefix that users sometimes paste into the Base URL by mistake. */
	apiPathPrefix: string;
	models: ModelSpec[];
	/** Image types the provider accepts for start and end frames. */
	imageMimeTypes: string[];
	/** Seconds a task of this duration typically takes (seed advice), used for the first check. */
	typicalGenerationSeconds(durationSeconds: number): number;
	buildSubmitRequest(request: GenerationRequest): ProviderRequest;
	readSubmitResponse(statusCode: number, body: unknown): string;
	buildStatusRequest(task: TaskRef): ProviderRequest;
	readStatusResponse(statusCode: number, body: unknown, task: TaskRef): TaskSnapshot;
	/** Present only where the provider has a files API for binary images. */
	buildUploadRequest?(file: UploadFile, model: string): ProviderRequest;
	readUploadResponse?(statusCode: number, body: unknown): string;
	/** Present where the provider takes an image inline (base64 or a data URI) instead. */
	inlineImage?(file: UploadFile): string;
	/** Present where a finished status needs a second read for the result (`needsResult`). */
	buildResultRequest?(task: TaskRef): ProviderRequest;
	readResultResponse?(statusCode: number, body: unknown, task: TaskRef): TaskSnapshot;
	/** Whether a failed submit was refused before anything was created, so it may be sent again. */
	isSafeToResubmit(statusCode: number, body: unknown): boolean;
	/** Normalize a completion callback body with the same reader as polling. */
	readCallback(body: unknown): TaskSnapshot;
	/**
	 * Check a callback's signature where the provider signs (present only then). Returns null when it
	 * holds, else the reason. `signsBody` says whether the signature covers the whole body, so the
	 * body can be trusted without reading the task again.
	 */
	callbackSignature?: {
		signsBody: boolean;
		/**
		 * The credential field holding the key (or, for `jwks`, the URL of the provider's public
		 * keys); without it the callback is checked by token only.
		 */
		secretField: string;
		keySource?: 'secret' | 'jwks';
		/** `key` is the secret, or the fetched JWKS document as JSON text. */
		verify(callback: SignedCallback, key: string, nowSeconds: number): string | null;
	};
}

export type { SignedCallback };
