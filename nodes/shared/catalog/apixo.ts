import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_4_RESOLUTIONS,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	THREE_TO_FIFTEEN,
	CAPABILITY_DEFAULTS,
	CHARACTER_IMAGE,
	MB,
	VIDEO_TYPES,
} from './common';
import type { GenerationMode, ModelEntry, ProviderCatalog } from './types';

/**
 * APIXO (`POST /api/v1/generateTask/<model>`, `{request_type, callback_url?, input}`), KLING-MODELS.md
 * §3.2, PROVIDERS.md §2. One model id serves both generation types through `input.mode`; the start and
 * end frame are `image_urls[0]` and `[1]`.
 */

const DURATION = { field: 'duration', type: 'integer' } as const;
const SOUND = { field: 'sound', encoding: 'boolean' } as const;
const IMAGE_URLS = { field: 'image_urls', item: 'url' } as const;

const BASE: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'apixo',
	durations: THREE_TO_FIFTEEN,
	defaultDuration: 5,
	aspectRatios: KLING_ASPECT_RATIOS,
	resolutions: [],
	audio: { kind: 'switch', providerDefault: false },
	endFrame: 'none',
	negativePrompt: false,
	cfgScale: false,
	multiShot: null,
	elements: null,
	promptMaxLength: KLING_PROMPT_LIMIT,
	typicalSeconds: KLING_3_TIME,
};

/** Both generation types of one APIXO model: `input.mode` says which, images only for i2v. */
function bothModes(
	entry: Omit<ModelEntry, 'mode'>,
	endFrame: ModelEntry['endFrame'],
): ModelEntry[] {
	const mode = (m: GenerationMode): ModelEntry => ({
		...entry,
		mode: m,
		fixed: { ...entry.fixed, mode: m },
		aspectRatios: m === 'text-to-video' ? entry.aspectRatios : [],
		endFrame: m === 'text-to-video' ? 'none' : endFrame,
		fields:
			m === 'text-to-video'
				? { ...entry.fields, imageList: undefined }
				: { ...entry.fields, aspectRatio: undefined, imageList: IMAGE_URLS },
	});
	return [mode('text-to-video'), mode('image-to-video')];
}

const entries: ModelEntry[] = [
	...bothModes(
		{
			...BASE,
			model: 'kling-3.0-std',
			kling: 'kling-3.0-std',
			name: 'Kling 3.0 Standard',
			id: 'kling-3-0-std',
			tier: 'std',
			fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio', audio: SOUND },
			inferred:
				'[A2] no pro/4k model, multi-shot, elements, negative prompt or CFG documented; prompt limit assumed 2500',
		},
		'optional',
	),
	...bothModes(
		{
			...BASE,
			model: 'kling-3.0-turbo',
			kling: 'kling-3.0-turbo',
			name: 'Kling 3.0 Turbo',
			id: 'kling-3-0-turbo',
			tier: null,
			resolutions: KLING_4_RESOLUTIONS,
			audio: { kind: 'always' },
			fields: {
				prompt: 'prompt',
				duration: DURATION,
				aspectRatio: 'aspect_ratio',
				resolution: 'resolution',
			},
			inferred:
				'[A3] integer duration inferred; audio always on (third-party reports); image-to-video takes exactly one image',
		},
		'none',
	),
	...bothModes(
		{
			...BASE,
			model: 'kling-2.6-pro',
			kling: 'kling-2.6-pro',
			name: 'Kling 2.6',
			id: 'kling-2-6',
			tier: null,
			durations: FIVE_OR_TEN,
			// [A1]: 1–1000 characters.
			promptMaxLength: 1000,
			fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio', audio: SOUND },
			typicalSeconds: KLING_2_TIME,
		},
		'optional',
	),
	...bothModes(
		{
			...BASE,
			model: 'kling-2-5-turbo-pro',
			kling: 'kling-2.5-turbo-pro',
			name: 'Kling 2.5 Turbo Pro',
			id: 'kling-2-5-turbo-pro',
			tier: 'pro',
			durations: FIVE_OR_TEN,
			audio: { kind: 'none' },
			negativePrompt: true,
			cfgScale: true,
			fields: {
				prompt: 'prompt',
				negativePrompt: 'negative_prompt',
				duration: DURATION,
				aspectRatio: 'aspect_ratio',
				cfgScale: 'cfg_scale',
			},
			typicalSeconds: KLING_2_TIME,
		},
		'optional',
	),
];

/* Motion control (KLING-MODELS.md §1b, §3.2): `kling-3-0-std` with `input.mode: "motion-control"`. */

const capabilities: ModelEntry[] = [
	{
		...CAPABILITY_DEFAULTS,
		provider: 'apixo',
		model: 'kling-3.0-std',
		kling: 'kling-3.0-std',
		name: 'Kling 3.0 Standard',
		mode: 'motion-control',
		id: 'kling-3-0-std',
		tier: 'std',
		fixed: { mode: 'motion-control' },
		capability: {
			image: { field: 'image_urls', list: true, required: true, limits: CHARACTER_IMAGE },
			video: {
				field: 'video_urls',
				list: true,
				required: true,
				limits: { types: [...VIDEO_TYPES, 'video/x-m4v'], maxBytes: 100 * MB, maxSeconds: 30 },
			},
			keepSound: { field: 'sound', encoding: 'boolean', providerDefault: false },
			prompt: 'optional',
			length: 'input',
		},
		inferred:
			"[A2] character_orientation not in the docs excerpt (not offered); `sound` read as keeping the reference video's sound; size cap 100 MB from Kling",
	},
];

export const apixoCatalog: ProviderCatalog = {
	provider: 'apixo',
	entries: [...entries, ...capabilities],
	// PROVIDERS.md §2.5: 402 insufficient balance, 429 rate limit (per-key concurrent tasks, too).
	refusals: [
		{ kind: 'insufficient_credits', httpStatus: 402 },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: true,
	// The API reference says result URLs last 24 hours; the Kling model page says 15 days (PROVIDERS.md
	// §2.5): the shorter is used.
	resultUrlLifetime: {
		seconds: 24 * 3600,
		from: 'completed',
		source: 'https://apixo.ai/docs/api-reference/response-format',
	},
	firstVersionDefault: 'kling-2-5-turbo-pro',
	// APIXO sells Kling 3.0 only as Standard (no pro/4k page found, §5.5).
	defaultModel: 'kling-3.0-std',
};
