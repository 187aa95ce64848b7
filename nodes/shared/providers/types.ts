import type { IDataObject } from 'n8n-workflow';
import type { GenerationMode, MediaKind, ModelEntry, ProviderId } from '../catalog/types';
import type { SignedCallback } from '../util/signature';

export type { GenerationMode, ModelEntry, ProviderId } from '../catalog/types';

export type TaskStatus = 'queued' | 'processing' | 'succeeded' | 'failed';

/** A request an adapter wants sent; the transport joins `path` to the credential's Base URL. */
export interface ProviderRequest {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	path: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	headers?: Record<string, string>;
	/** Send to the credential's upload host instead of its API host (Kie). */
	uploadHost?: boolean;
	/** Send to the credential's platform (account) host instead of its API host (fal). */
	platformHost?: boolean;
}

/** One shot of a multi-shot clip. */
export interface Shot {
	prompt: string;
	duration: number;
}

/** A reference element: existing at the provider (`elementId`) or given by its images/video. */
export interface ElementInput {
	name?: string;
	description?: string;
	imageUrls?: string[];
	videoUrl?: string;
	elementId?: string;
}

/** The common, validated fields of one generation, and the catalog entry that decides their form. */
export interface GenerationRequest {
	entry: ModelEntry;
	mode: GenerationMode;
	/** The provider model id as sent: the entry's, or the Custom Model ID that replaces it. */
	model: string;
	/** Null when the clip is made of shots. */
	prompt: string | null;
	negativePrompt: string | null;
	/** Null where the input decides the length (lip-sync, avatar, motion control, most edits). */
	duration: number | null;
	aspectRatio: string | null;
	cfgScale: number | null;
	/** The user's audio choice; null where the model has no switch. */
	audio: boolean | null;
	/** The separate resolution choice (Kling 4.0 `720p` | `1080p`), null where the model has none. */
	resolution: string | null;
	startImageUrl: string | null;
	endImageUrl: string | null;
	shots: Shot[] | null;
	elements: ElementInput[] | null;
	/** Capabilities (KLING-MODELS.md §1b, §6, §7): the input video and audio, reference images. */
	inputVideoUrl?: string | null;
	inputAudioUrl?: string | null;
	referenceImageUrls?: string[] | null;
	/** Lip-sync from text. */
	speech?: { text: string; voiceId: string; language: string | null; speed: number | null } | null;
	characterOrientation?: 'image' | 'video' | null;
	keepOriginalSound?: boolean | null;
	/** Seconds measured from binary inputs' bytes (URLs are not fetched): the cost estimate uses them. */
	inputSeconds?: { video?: number; audio?: number };
	additionalFields: IDataObject;
	/** What a free step before the submit answered (Kling's identify-face session for lip-sync). */
	prepared?: IDataObject | null;
	callbackUrl: string | null;
	/** Derived from execution, node, item and run: a repeat of the same submit (Rivya). */
	idempotencyKey: string | null;
	/** The user's Idempotency Key (e.g. the sheet row): Kling `external_task_id`, Rivya's header. */
	externalId?: string | null;
}

/** What Get Task needs to find a task again. */
export interface TaskRef {
	taskId: string;
	model: string;
	mode: GenerationMode;
	/** Kling official: which API generation the task was created on (their status paths differ). */
	api?: 'v1' | 'new';
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
	/** Kling official: the API generation the task object came from. */
	api?: 'v1' | 'new';
	/** A status word the node does not know (the task is taken as still running). */
	unrecognizedStatus?: string;
}

/** What a cancel request answered: the task's state, when the answer carries it. */
export interface CancelAnswer {
	/**
	 * `cancelled`: the task is stopped; `requested`: the provider took the request and stops it on its
	 * side; `already_finished`: it had ended (succeeded or failed) before the request.
	 */
	outcome: 'cancelled' | 'requested' | 'already_finished';
	/** The task as the cancel answer shows it (Replicate returns the prediction), else null. */
	snapshot: TaskSnapshot | null;
}

/** An account balance, normalized: money where the provider reports money, else its own unit. */
export interface AccountBalance {
	balance: number;
	/** `USD`, `credits`, `units` (Kling resource-pack units)… */
	unit: string;
	/** The ISO currency when the balance is money, else null. */
	currency: string | null;
}

export interface UploadFile {
	data: Buffer;
	fileName: string;
	mimeType: string;
}

/** What an upload answered: the file's URL, or a pre-signed URL to PUT the bytes to first (fal). */
export type UploadAnswer = string | { putUrl: string; fileUrl: string };

/** The narrow contract every provider implements; the node's flow calls only this. */
export interface ProviderAdapter {
	id: ProviderId;
	displayName: string;
	credentialType: string;
	/** API path prefix that users sometimes paste into the Base URL by mistake. */
	apiPathPrefix: string;
	/** Image types the provider accepts for start and end frames. */
	imageMimeTypes: string[];
	/** The submit request: the entry's field names (see ./fields) inside the provider's envelope. */
	buildSubmitRequest(request: GenerationRequest): ProviderRequest;
	readSubmitResponse(statusCode: number, body: unknown): string;
	buildStatusRequest(task: TaskRef): ProviderRequest;
	readStatusResponse(statusCode: number, body: unknown, task: TaskRef): TaskSnapshot;
	/** Present only where the provider has a files API for binary images. */
	buildUploadRequest?(file: UploadFile, model: string): ProviderRequest;
	readUploadResponse?(statusCode: number, body: unknown): UploadAnswer;
	/** API path of the upload host, which users sometimes paste into its Base URL by mistake. */
	uploadPathPrefix?: string;
	/** Present where tasks can be found by the caller's own key (Kling `external_task_id`). */
	buildLookupRequest?(
		externalId: string,
		mode: GenerationMode,
		api?: 'v1' | 'new',
		model?: string,
	): ProviderRequest;
	/** The task made with that key, or null when there is none. */
	readLookupResponse?(statusCode: number, body: unknown, api?: 'v1' | 'new'): TaskSnapshot | null;
	/**
	 * A free, synchronous request some products need before the submit (Kling's identify-face before
	 * advanced lip-sync); null where this request needs none. Retried like any free read.
	 */
	buildPrepareRequest?(request: GenerationRequest): ProviderRequest | null;
	/** What the submit needs from that answer; it lands in `request.prepared`. */
	readPrepareResponse?(statusCode: number, body: unknown, request: GenerationRequest): IDataObject;
	/** Present where the provider takes an image inline (base64 or a data URI). */
	inlineImage?(file: UploadFile): string;
	/** The kinds of input `inlineImage` may carry (default: images only). */
	inlineKinds?: MediaKind[];
	/** With both inline and upload: images up to this size go inline, larger ones are uploaded. */
	inlineMaxBytes?: number;
	/** Present where a finished status needs a second read for the result (`needsResult`). */
	buildResultRequest?(task: TaskRef): ProviderRequest;
	readResultResponse?(statusCode: number, body: unknown, task: TaskRef): TaskSnapshot;
	/** Present only where the provider has a cancel endpoint (capability is what exists). */
	buildCancelRequest?(task: TaskRef): ProviderRequest;
	readCancelResponse?(statusCode: number, body: unknown, task: TaskRef): CancelAnswer;
	/** Present only where the provider has a balance or credits endpoint. */
	buildBalanceRequest?(nowMs: number): ProviderRequest;
	readBalanceResponse?(statusCode: number, body: unknown): AccountBalance;
	/**
	 * The provider's error code in a failed answer's body (Kie's body `code`, Rivya's `error.code`…),
	 * which the catalog's refusal rules match; null where the provider tells refusals by HTTP status.
	 */
	refusalCode(statusCode: number, body: unknown): string | number | null;
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
