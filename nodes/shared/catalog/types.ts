/**
 * The model catalog's vocabulary. One `ModelEntry` per (provider, model, tier, generation type) says
 * what the model accepts and how its request spells each common field; validation, the editor's
 * fields and the README's tables all read it. Adding a model on a provider is one entry.
 */

/** Provider ids: the `authentication` parameter values, emulator prefixes and the `provider` output field. */
export type ProviderId = 'wavespeed' | 'apixo' | 'kie' | 'rivya' | 'kling' | 'fal' | 'replicate';

/** What a task makes beyond text/image to video (KLING-MODELS.md §1b, §6, §7): one Generation Type each. */
export type CapabilityMode =
	| 'motion-control'
	| 'lip-sync'
	| 'avatar'
	| 'reference-to-video'
	| 'edit-video'
	| 'extend-video';

export type GenerationMode = 'text-to-video' | 'image-to-video' | CapabilityMode;

export const CAPABILITY_MODES: readonly CapabilityMode[] = [
	'motion-control',
	'lip-sync',
	'avatar',
	'reference-to-video',
	'edit-video',
	'extend-video',
];

/** Every generation type, as `kling_mode` in a callback URL names it. */
export const GENERATION_MODES: readonly GenerationMode[] = [
	'text-to-video',
	'image-to-video',
	...CAPABILITY_MODES,
];

export function isCapabilityMode(mode: GenerationMode): mode is CapabilityMode {
	return (CAPABILITY_MODES as readonly string[]).includes(mode);
}

export type MediaKind = 'image' | 'video' | 'audio';

/** A provider's documented limits for one input; checked before any paid request. */
export interface MediaLimits {
	/** MIME types accepted (for binary inputs: the type the bytes show, not the name). */
	types: string[];
	/** Null where the provider documents no size limit. */
	maxBytes: number | null;
	minSeconds?: number;
	maxSeconds?: number;
}

/** One media input of a capability: the provider's field, as a URL or a one-URL list. */
export interface MediaInput {
	field: string;
	list?: boolean;
	required: boolean;
	limits: MediaLimits;
}

/**
 * What a capability takes besides the common fields, and how the provider spells it. The image is the
 * character / subject (motion control, avatar) or the extend target frame, reported as
 * `json.request.startImageUrl`; the video and audio are `inputVideoUrl` / `inputAudioUrl`.
 */
export interface CapabilitySpec {
	image?: MediaInput;
	video?: MediaInput;
	audio?: MediaInput;
	referenceImages?: {
		field: string;
		max: number;
		/** The lower cap when a reference video is given too. */
		maxWithVideo?: number;
		limits: MediaLimits;
	};
	/** Lip-sync from text: the provider speaks it with one of its voices. */
	speech?: {
		textField: string;
		voiceField: string;
		languageField?: string;
		speedField?: string;
		maxChars: number;
		defaultVoice: string;
	};
	/** Motion control: whether the character faces as in the image or as in the video. */
	orientation?: { field: string };
	/** Keep the input video's sound; `providerDefault` is what happens when the field is left out. */
	keepSound?: { field: string; encoding: BooleanEncoding; providerDefault: boolean };
	prompt: 'required' | 'optional' | 'none';
	/**
	 * How the provider's prompt names references. The node takes `@Image1`, `@Video1`, `@Audio1`,
	 * `@Element1` (or an element's name) and writes `<<<image_1>>>` (`angle`) or `@image_1` (`snake`).
	 */
	promptRefs?: 'at' | 'angle' | 'snake';
	/** Parameters sent only when a video is given (Replicate `video_reference_type`). */
	withVideo?: Record<string, string | number | boolean>;
	/** The output's length: the input's (no Duration field), the Duration chosen, or input + Duration (extend). */
	length: 'input' | 'duration' | 'input-plus-duration';
}

/** Kling's quality tiers as the node normalizes them (`standard` → `std`). */
export type Tier = 'std' | 'pro' | '4k';

/** A set of durations in seconds, or a whole-second range. */
export type DurationSpec = { values: number[] } | { min: number; max: number };

/** Whether the model makes sound: not at all, always, or as the user switches it. */
export type AudioSpec =
	| { kind: 'none' }
	| { kind: 'always' }
	/** `providerDefault` is what the provider does when the field is left out. */
	| { kind: 'switch'; providerDefault: boolean };

export interface MultiShotSpec {
	/** Null where the provider documents no cap. */
	maxShots: number | null;
	minShotDuration: number;
	maxShotDuration: number | null;
	/** The shots' durations must add up to the clip's duration. */
	sumEqualsDuration: boolean;
	/** Whether an end frame may be given together with a shot list. */
	withEndFrame: boolean;
	maxShotPromptLength: number | null;
	/** The provider needs audio on with a shot list (Kie `kling-3.0/video`: `sound` must be true). */
	requiresAudio?: boolean;
}

export interface ElementsSpec {
	/** `inline`: reference images are given with each element; `ids`: elements created at the provider. */
	kind: 'inline' | 'ids';
	max: number;
}

/** How a value is written on the wire. */
export type BooleanEncoding =
	| 'boolean'
	| 'boolean-string'
	| 'on-off'
	| 'native-off'
	| 'yes-no'
	/** Kling's new API `settings.audio` for a source's sound: `original` | `off`. */
	| 'original-off';

export interface ShotFields {
	field: string;
	/**
	 * A JSON array, the array serialized into a string (Replicate), or Kling's prompt syntax
	 * `镜头 n, m, words;` written into the prompt field (Kling's new API).
	 */
	encoding: 'array' | 'json-string' | 'kling-prompt';
	durationType: 'integer' | 'string';
	/** Items carry a 1-based `index` (Kling's legacy API). */
	indexed?: boolean;
	/** A switch that turns multi-shot on (Kie `multi_shots`, Kling `multi_shot`). */
	switchField?: { field: string; encoding: BooleanEncoding };
	/** `shot_type` and the value meaning "the node's own shot list". */
	shotType?: { field: string; value: string };
	/** Send the empty list in single-shot requests, where the provider requires the field. */
	requiredWhenSingle?: boolean;
	/**
	 * Where the prompt field stays required with shots: send it empty, or the shot prompts joined
	 * (otherwise it is left out: prompt XOR shots).
	 */
	keepPrompt?: 'empty' | 'joined';
}

/**
 * The provider's names for the common fields of one model's request. The dialect decides the
 * envelope (`input`, `params`…); these are the names inside it. Absent = the model has no such field.
 */
export interface FieldNames {
	prompt?: string;
	negativePrompt?: string;
	/** Absent where the input decides the length (lip-sync, avatar, motion control). */
	duration?: { field: string; type: 'integer' | 'string' };
	aspectRatio?: string;
	cfgScale?: string;
	audio?: { field: string; encoding: BooleanEncoding };
	resolution?: string;
	startImage?: string;
	endImage?: string;
	/** Start and end frame in one list (`image_urls`, Rivya's `referenceMediaItems`). */
	imageList?: { field: string; item: 'url' | 'media-item' };
	shots?: ShotFields;
	/** `element-ids`: `[{element_id}]`, the id as a number where it is a safe integer if `numericIds`. */
	elements?: { field: string; shape: 'element-ids' | 'kie' | 'fal'; numericIds?: boolean };
}

/** A dated price per second of output, in USD, from KLING-MODELS.md. */
export interface PriceSpec {
	usdPerSecond: number;
	/** The price with audio on, where it differs. */
	usdPerSecondWithAudio?: number;
	/** Prices per resolution choice, where they differ (Kling 4.0: 720p / 1080p). */
	usdPerSecondByResolution?: Record<string, number>;
	date: string;
	source: string;
}

export interface ModelEntry {
	provider: ProviderId;
	/** The node's option value for this model. */
	model: string;
	/** The same Kling model across providers (for mapping a model to another provider). */
	kling: string;
	/** Shown in the model list, e.g. "Kling 3.0 Pro". */
	name: string;
	mode: GenerationMode;
	/** The provider's model id or path as sent (Kling official: `model_name`, or the new API's path). */
	id: string;
	tier: Tier | null;
	/** Null where the input decides the length (`capability.length` is `input`). */
	durations: DurationSpec | null;
	defaultDuration: number;
	/** Aspect ratios the model takes; empty when the output follows the start frame. */
	aspectRatios: string[];
	/** A resolution choice besides the tier (Kling 4.0 `720p` / `1080p`); empty when none. */
	resolutions: string[];
	audio: AudioSpec;
	endFrame: 'none' | 'optional' | 'required';
	negativePrompt: boolean;
	/** Where the negative prompt's limit differs from the prompt's. */
	negativePromptMaxLength?: number;
	cfgScale: boolean;
	multiShot: MultiShotSpec | null;
	elements: ElementsSpec | null;
	promptMaxLength: number;
	fields: FieldNames;
	/** Provider parameters sent with every request of this entry (Kie `mode: "pro"`). */
	fixed?: Record<string, string | number | boolean>;
	/** Combinations the provider refuses although each value is allowed on its own. */
	requires?: {
		/** An end frame only with audio off / at this resolution (Kling 2.6, Kling's new API). */
		endFrame?: { audio?: false; resolution?: string };
		/** Native audio only at this resolution (Kling's new API, 2.6). */
		audio?: { resolution: string };
	};
	/** Kling official: the legacy `/v1` API (access key + secret key) or the new per-model API (API key). */
	api?: 'v1' | 'new';
	price?: PriceSpec;
	/** Seconds a 5 s clip typically takes (low and high end), and how many more per extra second. */
	typicalSeconds: { fiveSecondClip: [number, number]; perExtraSecond: number };
	/** What KLING-MODELS.md marks as inferred or third-party for this entry, with its source tags. */
	inferred?: string;
	/** The inputs of a capability beyond text/image to video; absent for those two. */
	capability?: CapabilitySpec;
}

/**
 * Answers to a submit that created nothing (DESIGN.md, "Refusals are classified"): a rate limit (wait
 * its Retry-After), the account's concurrency cap (wait for a task of this run to finish), no credit
 * (fail at once) or maintenance (wait, then try again).
 */
export type RefusalKind =
	| 'rate_limited'
	| 'concurrency_limit'
	| 'insufficient_credits'
	| 'maintenance';

/** A refusal as the provider answers it: HTTP status and/or the provider's error code. */
export interface RefusalRule {
	kind: RefusalKind;
	httpStatus?: number;
	code?: string | number;
}

/** A documented lifetime of result URLs. */
export interface ResultUrlLifetime {
	seconds: number;
	from: 'created' | 'completed';
	source: string;
}

/** A provider's entries (newest first: that is the editor's order) and the models new nodes start with. */
export interface ProviderCatalog {
	provider: ProviderId;
	entries: ModelEntry[];
	/** Submit answers that created nothing, checked in order; anything else 5xx is ambiguous. */
	refusals: RefusalRule[];
	/** False where the provider takes no callback URL per task (Rivya: account-level webhooks only). */
	perTaskCallbacks: boolean;
	/**
	 * Where the provider's docs say a failed task's credits are refunded (the source): only there may a
	 * failed task's item go to another provider without paying twice.
	 */
	refundsFailedTasks?: string;
	/**
	 * How long the provider keeps a result URL, counted from the task's creation or completion, and the
	 * doc that says so (output `videoUrlExpiresAt`); null where the docs state no lifetime.
	 */
	resultUrlLifetime: ResultUrlLifetime | null;
	/** Node version 1 started with this model (kept for saved workflows). */
	firstVersionDefault: string;
	/** Version 2 starts with the newest Kling this provider sells generally. */
	defaultModel: string;
}
