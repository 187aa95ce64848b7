import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_4_RESOLUTIONS,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	KLING_SHOTS,
	THREE_TO_FIFTEEN,
	AVATAR_AUDIO,
	CAPABILITY_DEFAULTS,
	CHARACTER_IMAGE,
	MB,
	MOTION_VIDEO,
	REFERENCE_IMAGE,
	VIDEO_TYPES,
} from './common';
import type { FieldNames, ModelEntry, ProviderCatalog, Tier } from './types';

/**
 * Kie.ai (`POST /api/v1/jobs/createTask`, `{model, callBackUrl?, input}`), KLING-MODELS.md §3.3,
 * PROVIDERS.md §3. Durations are string enums; `kling-3.0/video` is one model whose `mode` is the tier.
 */

const DURATION = { field: 'duration', type: 'string' } as const;
const SOUND = { field: 'sound', encoding: 'boolean' } as const;
const IMAGE_URLS = { field: 'image_urls', item: 'url' } as const;
const KIE_ELEMENTS = { field: 'kling_elements', shape: 'kie' } as const;

const BASE: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'kie',
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

/** [K1]: shots of 1–12 s with prompts of at most 500 characters; `sound` must be on with shots. */
const KIE_3_SHOTS = {
	...KLING_SHOTS,
	maxShotDuration: 12,
	maxShotPromptLength: 500,
	requiresAudio: true,
};
/** [K1]: `multi_shots` and `multi_prompt` are required; single-shot sends `false` and `[]`. */
const KIE_3_SHOT_FIELDS = {
	field: 'multi_prompt',
	encoding: 'array',
	durationType: 'integer',
	switchField: { field: 'multi_shots', encoding: 'boolean' },
	requiredWhenSingle: true,
	// [K1] lists `prompt` as required even though it is "used when multi_shots=false": sent empty.
	keepPrompt: 'empty',
} as const;

/** [K1] credits per second at $0.005 a credit (3p citing kie.ai [K3]). */
function kiePrice(credits: number, creditsWithAudio?: number) {
	return {
		usdPerSecond: credits * 0.005,
		usdPerSecondWithAudio: creditsWithAudio === undefined ? undefined : creditsWithAudio * 0.005,
		date: '2026-09-26',
		source: 'K3',
	};
}

const KLING_3_NAMES: Record<Tier, string> = {
	pro: 'Kling 3.0 Pro',
	std: 'Kling 3.0 Standard',
	'4k': 'Kling 3.0 4K',
};
const KLING_3_PRICES: Record<Tier, ReturnType<typeof kiePrice>> = {
	std: kiePrice(14, 20),
	pro: kiePrice(18, 27),
	'4k': kiePrice(67),
};

const kling3 = (['pro', 'std', '4k'] as const).flatMap((tier): ModelEntry[] => {
	const common = {
		...BASE,
		model: `kling-3.0-${tier}`,
		kling: `kling-3.0-${tier}`,
		name: KLING_3_NAMES[tier],
		id: 'kling-3.0/video',
		tier,
		negativePrompt: true,
		multiShot: KIE_3_SHOTS,
		// [K1] mode std|pro; 3p [K3]: "4K" accepted.
		fixed: { mode: tier === '4k' ? '4K' : tier },
		price: KLING_3_PRICES[tier],
		inferred:
			'[K3][K4] negative_prompt and mode "4K" only third-party confirmed; at most 6 shots and 3 elements (Kling rules)',
	};
	const fields: FieldNames = {
		prompt: 'prompt',
		negativePrompt: 'negative_prompt',
		duration: DURATION,
		aspectRatio: 'aspect_ratio',
		audio: SOUND,
		shots: KIE_3_SHOT_FIELDS,
	};
	return [
		{ ...common, mode: 'text-to-video', fields },
		{
			...common,
			mode: 'image-to-video',
			aspectRatios: [],
			endFrame: 'optional',
			elements: { kind: 'inline', max: 3 },
			fields: {
				...fields,
				aspectRatio: undefined,
				imageList: IMAGE_URLS,
				elements: KIE_ELEMENTS,
			},
		},
	];
});

const omni = (['pro', 'std', '4k'] as const).flatMap((tier): ModelEntry[] => {
	const common = {
		...BASE,
		model: `kling-3.0-omni-${tier}`,
		kling: `kling-3.0-omni-${tier}`,
		name: `Kling 3.0 Omni ${{ pro: 'Pro', std: 'Standard', '4k': '4K' }[tier]}`,
		tier,
		multiShot: { ...KLING_SHOTS, maxShotPromptLength: 500 },
		// [K3]: `resolution` 720p | 1080p | 4k is the Omni models' tier.
		fixed: { resolution: { std: '720p', pro: '1080p', '4k': '4k' }[tier] },
		inferred:
			'[K3] third-party tested spec only: integer duration, customize_multi_shots switch, elements as kling_elements; text-to-video fields inferred from image-to-video',
	};
	const shots = {
		field: 'multi_prompt',
		encoding: 'array',
		durationType: 'integer',
		switchField: { field: 'customize_multi_shots', encoding: 'boolean' },
	} as const;
	const fields: FieldNames = {
		prompt: 'prompt',
		duration: { field: 'duration', type: 'integer' },
		aspectRatio: 'aspect_ratio',
		audio: { field: 'audio', encoding: 'boolean' },
		shots,
	};
	return [
		{ ...common, mode: 'text-to-video', id: 'kling-3.0-omni/text-to-video', fields },
		{
			...common,
			mode: 'image-to-video',
			id: 'kling-3.0-omni/image-to-video',
			aspectRatios: [],
			elements: { kind: 'inline', max: 3 },
			fields: {
				...fields,
				aspectRatio: undefined,
				imageList: IMAGE_URLS,
				elements: { field: 'elements', shape: 'kie' },
			},
		},
	];
});

const entries: ModelEntry[] = [
	...kling3,
	{
		...BASE,
		model: 'kling-3.0-turbo',
		kling: 'kling-3.0-turbo',
		name: 'Kling 3.0 Turbo',
		mode: 'text-to-video',
		id: 'kling/v3-turbo-text-to-video',
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
			'[K4] field names not in the docs: taken from third-party Kie callers; audio always on (third-party reports)',
	},
	{
		...BASE,
		model: 'kling-3.0-turbo',
		kling: 'kling-3.0-turbo',
		name: 'Kling 3.0 Turbo',
		mode: 'image-to-video',
		id: 'kling/v3-turbo-image-to-video',
		tier: null,
		aspectRatios: [],
		resolutions: KLING_4_RESOLUTIONS,
		audio: { kind: 'always' },
		fields: {
			prompt: 'prompt',
			duration: DURATION,
			resolution: 'resolution',
			imageList: IMAGE_URLS,
		},
		inferred:
			'[K4] field names not in the docs: taken from third-party Kie callers; audio always on (third-party reports)',
	},
	...omni,
	{
		...BASE,
		model: 'kling-2.6-pro',
		kling: 'kling-2.6-pro',
		name: 'Kling 2.6',
		mode: 'text-to-video',
		id: 'kling-2.6/text-to-video',
		tier: null,
		durations: FIVE_OR_TEN,
		fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio', audio: SOUND },
		typicalSeconds: KLING_2_TIME,
		inferred: '[K4] four fields per the catalogue; aspect ratios as Kling 3.0',
	},
	{
		...BASE,
		model: 'kling-2.6-pro',
		kling: 'kling-2.6-pro',
		name: 'Kling 2.6',
		mode: 'image-to-video',
		id: 'kling-2.6/image-to-video',
		tier: null,
		durations: FIVE_OR_TEN,
		aspectRatios: [],
		fields: { prompt: 'prompt', duration: DURATION, audio: SOUND, imageList: IMAGE_URLS },
		typicalSeconds: KLING_2_TIME,
		inferred: '[K4] image_urls takes one image: no end frame',
	},
	{
		...BASE,
		model: 'kling-v2.5-turbo-pro',
		kling: 'kling-2.5-turbo-pro',
		name: 'Kling 2.5 Turbo Pro',
		mode: 'text-to-video',
		id: 'kling/v2-5-turbo-text-to-video-pro',
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
	{
		...BASE,
		model: 'kling-v2.5-turbo-pro',
		kling: 'kling-2.5-turbo-pro',
		name: 'Kling 2.5 Turbo Pro',
		mode: 'image-to-video',
		id: 'kling/v2-5-turbo-image-to-video-pro',
		tier: 'pro',
		durations: FIVE_OR_TEN,
		aspectRatios: [],
		audio: { kind: 'none' },
		endFrame: 'optional',
		negativePrompt: true,
		// PROVIDERS.md §3.2: the image-to-video negative prompt is capped at 2496 characters.
		negativePromptMaxLength: 2496,
		cfgScale: true,
		fields: {
			prompt: 'prompt',
			negativePrompt: 'negative_prompt',
			duration: DURATION,
			cfgScale: 'cfg_scale',
			startImage: 'image_url',
			endImage: 'tail_image_url',
		},
		typicalSeconds: KLING_2_TIME,
	},
];

/* Capabilities (KLING-MODELS.md §1b, §3.3, §7): the model id in the body, the inputs in `input`. */

const CAP = { ...CAPABILITY_DEFAULTS, provider: 'kie' as const };

const kieMotion = (version: '2.6' | '3.0'): ModelEntry => ({
	...CAP,
	model: `kling-${version}`,
	kling: `kling-${version}-motion`,
	name: `Kling ${version}`,
	mode: 'motion-control',
	id: `kling-${version}/motion-control`,
	// `mode` is the resolution here (720p | 1080p); std / pro are refused (3p [K6]).
	resolutions: ['720p', '1080p'],
	fields: { prompt: 'prompt', resolution: 'mode' },
	capability: {
		image: { field: 'input_urls', list: true, required: true, limits: CHARACTER_IMAGE },
		video: { field: 'video_urls', list: true, required: true, limits: MOTION_VIDEO },
		orientation: { field: 'character_orientation' },
		prompt: 'optional',
		length: 'input',
	},
	inferred:
		version === '3.0'
			? "[K6] kling-3.0/motion-control fields third-party (as 2.6 + background_source, not offered); no sound field: the reference video's sound is the provider's choice"
			: "[K2] no sound field: whether the reference video's sound is kept is the provider's choice",
});

const kieAvatar = (tier: 'standard' | 'pro'): ModelEntry => ({
	...CAP,
	model: `kling-avatar-${tier === 'pro' ? 'pro' : 'std'}`,
	kling: `kling-avatar-v2-${tier === 'pro' ? 'pro' : 'std'}`,
	name: `Kling AI Avatar ${tier === 'pro' ? 'Pro' : 'Standard'}`,
	mode: 'avatar',
	id: `kling/ai-avatar-${tier}`,
	tier: tier === 'pro' ? 'pro' : 'std',
	audio: { kind: 'always' },
	promptMaxLength: 5000,
	capability: {
		image: { field: 'image_url', required: true, limits: CHARACTER_IMAGE },
		audio: { field: 'audio_url', required: true, limits: { ...AVATAR_AUDIO, maxBytes: 10 * MB } },
		prompt: 'optional',
		length: 'input',
	},
	inferred:
		'[K5] fields third-party (an extra field such as mode gets a silent 500); audio 10 MB (Kie form), 2–300 s from Kling [O1]',
});

const capabilities: ModelEntry[] = [
	kieMotion('3.0'),
	kieMotion('2.6'),
	kieAvatar('pro'),
	kieAvatar('standard'),
	{
		...CAP,
		model: 'kling-3.0-omni',
		kling: 'kling-3.0-omni',
		name: 'Kling 3.0 Omni',
		mode: 'reference-to-video',
		id: 'kling-3.0-omni/reference-to-video',
		durations: THREE_TO_FIFTEEN,
		aspectRatios: KLING_ASPECT_RATIOS,
		resolutions: ['720p', '1080p', '4k'],
		audio: { kind: 'switch', providerDefault: false },
		fields: {
			prompt: 'prompt',
			duration: { field: 'duration', type: 'integer' },
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			audio: { field: 'audio', encoding: 'boolean' },
		},
		capability: {
			video: {
				field: 'video_urls',
				list: true,
				required: false,
				limits: { types: VIDEO_TYPES, maxBytes: 200 * MB, minSeconds: 3, maxSeconds: 15.5 },
			},
			referenceImages: { field: 'image_urls', max: 7, maxWithVideo: 4, limits: REFERENCE_IMAGE },
			prompt: 'required',
			promptRefs: 'snake',
			length: 'duration',
		},
		inferred:
			"[K3] fields third-party (tested spec); prompt references @image_1 (resellers' syntax, inferred for Kie); video 3–15.5 s from Kling's 3.0 Omni; audio must be off with a reference video; may need per-model key permission",
	},
	{
		...CAP,
		model: 'kling-3.0-omni',
		kling: 'kling-3.0-omni',
		name: 'Kling 3.0 Omni',
		mode: 'edit-video',
		id: 'kling-3.0-omni/transformation',
		resolutions: ['720p', '1080p', '4k'],
		fields: { prompt: 'prompt', resolution: 'resolution' },
		capability: {
			video: {
				field: 'video_urls',
				list: true,
				required: true,
				limits: { types: VIDEO_TYPES, maxBytes: 200 * MB, minSeconds: 3, maxSeconds: 15.5 },
			},
			referenceImages: { field: 'image_urls', max: 4, limits: REFERENCE_IMAGE },
			keepSound: { field: 'audio', encoding: 'boolean', providerDefault: false },
			prompt: 'required',
			promptRefs: 'snake',
			length: 'input',
		},
		inferred:
			'[K7] transformation read as the video edit from its name (no field list retrieved): fields as 3.0 Omni reference-to-video with the video required; audio:true taken as keeping the source sound',
	},
];

export const kieCatalog: ProviderCatalog = {
	provider: 'kie',
	entries: [...entries, ...capabilities],
	// PROVIDERS.md §3.2: body codes (with HTTP 200) 402 no credit, 429 rate limit, 455 maintenance.
	refusals: [
		{ kind: 'insufficient_credits', code: 402 },
		{ kind: 'maintenance', code: 455 },
		{ kind: 'rate_limited', code: 429 },
		{ kind: 'insufficient_credits', httpStatus: 402 },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: true,
	// "URLs typically expire after 24 hours" (task detail page); Getting Started says media is stored
	// 14 days (PROVIDERS.md §3.3): the shorter is used.
	resultUrlLifetime: {
		seconds: 24 * 3600,
		from: 'completed',
		source: 'https://docs.kie.ai/market/common/get-task-detail',
	},
	firstVersionDefault: 'kling-v2.5-turbo-pro',
	defaultModel: 'kling-3.0-pro',
};
