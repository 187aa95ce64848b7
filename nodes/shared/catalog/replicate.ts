import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	KLING_SHOTS,
	THREE_TO_FIFTEEN,
	AVATAR_AUDIO,
	CAPABILITY_DEFAULTS,
	LIPSYNC_AUDIO,
	LIPSYNC_VIDEO,
	MOTION_VIDEO,
	OMNI_VIDEO,
	REFERENCE_IMAGE,
	IMAGE_TYPES_WEBP,
	MB,
} from './common';
import type { FieldNames, ModelEntry, ProviderCatalog } from './types';

/**
 * Replicate (`POST /v1/models/<owner>/<name>/predictions`, `{input}`), KLING-MODELS.md §3.7 and §7,
 * PROVIDERS.md §5.3. One model per Kling release; the tier is the `mode` input.
 */

const DURATION = { field: 'duration', type: 'integer' } as const;
const GENERATE_AUDIO = { field: 'generate_audio', encoding: 'boolean' } as const;
/** [P1]: `multi_prompt` is a JSON string of `[{"prompt","duration":N}]`. */
const SHOTS = {
	field: 'multi_prompt',
	encoding: 'json-string',
	durationType: 'integer',
} as const;

const BASE: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'replicate',
	durations: THREE_TO_FIFTEEN,
	defaultDuration: 5,
	aspectRatios: KLING_ASPECT_RATIOS,
	resolutions: [],
	audio: { kind: 'switch', providerDefault: false },
	endFrame: 'none',
	negativePrompt: true,
	cfgScale: false,
	multiShot: KLING_SHOTS,
	elements: null,
	promptMaxLength: KLING_PROMPT_LIMIT,
	typicalSeconds: KLING_3_TIME,
};

const T2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: DURATION,
	aspectRatio: 'aspect_ratio',
	audio: GENERATE_AUDIO,
	shots: SHOTS,
};
const I2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: DURATION,
	audio: GENERATE_AUDIO,
	startImage: 'start_image',
	endImage: 'end_image',
	shots: SHOTS,
};

const PRICE = { date: '2026-10-31', source: 'P6 (3p, verified Oct 2026)' };

/** Kling 3.0 and 3.0 Omni: the `mode` input carries the tier (`standard` | `pro`). */
function tiered(
	family: { model: string; name: string; id: string; negativePrompt: boolean; inferred?: string },
	tier: 'pro' | 'std',
): ModelEntry[] {
	const drop = family.negativePrompt ? {} : { negativePrompt: undefined };
	const common = {
		...BASE,
		model: `${family.model}-${tier}`,
		kling: `${family.model}-${tier}`,
		name: `${family.name} ${tier === 'pro' ? 'Pro' : 'Standard'}`,
		id: family.id,
		tier,
		negativePrompt: family.negativePrompt,
		fixed: { mode: tier === 'pro' ? 'pro' : 'standard' },
		inferred: family.inferred,
	};
	const price =
		family.model === 'kling-3.0'
			? tier === 'pro'
				? { ...PRICE, usdPerSecond: 0.112, usdPerSecondWithAudio: 0.168 }
				: { ...PRICE, usdPerSecond: 0.084, usdPerSecondWithAudio: 0.126 }
			: undefined;
	return [
		{ ...common, mode: 'text-to-video', fields: { ...T2V, ...drop }, price },
		{
			...common,
			mode: 'image-to-video',
			aspectRatios: [],
			endFrame: 'optional',
			fields: { ...I2V, ...drop },
			price,
		},
	];
}

const KLING_3 = {
	model: 'kling-3.0',
	name: 'Kling 3.0',
	id: 'kwaivgi/kling-v3-video',
	negativePrompt: true,
	inferred: '[P3] 4k mode is third-party only and not offered',
};
const KLING_3_OMNI = {
	model: 'kling-3.0-omni',
	name: 'Kling 3.0 Omni',
	id: 'kwaivgi/kling-v3-omni-video',
	negativePrompt: false,
	inferred: '[P2] mode values and aspect ratios inferred from kling-v3-video',
};

const entries: ModelEntry[] = [
	...tiered(KLING_3, 'pro'),
	...tiered(KLING_3, 'std'),
	...tiered(KLING_3_OMNI, 'pro'),
	...tiered(KLING_3_OMNI, 'std'),
	...(['text-to-video', 'image-to-video'] as const).map(
		(mode): ModelEntry => ({
			...BASE,
			model: 'kling-o1',
			kling: 'kling-o1',
			name: 'Kling O1',
			mode,
			id: 'kwaivgi/kling-o1',
			tier: null,
			durations: FIVE_OR_TEN,
			aspectRatios: mode === 'text-to-video' ? KLING_ASPECT_RATIOS : [],
			audio: { kind: 'none' },
			endFrame: mode === 'text-to-video' ? 'none' : 'optional',
			negativePrompt: false,
			multiShot: null,
			fields:
				mode === 'text-to-video'
					? { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio' }
					: {
							prompt: 'prompt',
							duration: DURATION,
							startImage: 'start_image',
							endImage: 'end_image',
						},
			inferred: '[P7] start_image / end_image inferred; 5 or 10 s without a reference video',
		}),
	),
	...(['text-to-video', 'image-to-video'] as const).map(
		(mode): ModelEntry => ({
			...BASE,
			model: 'kling-2.6-pro',
			kling: 'kling-2.6-pro',
			name: 'Kling 2.6',
			mode,
			id: 'kwaivgi/kling-v2.6',
			tier: null,
			durations: FIVE_OR_TEN,
			aspectRatios: mode === 'text-to-video' ? KLING_ASPECT_RATIOS : [],
			audio: { kind: 'switch', providerDefault: true },
			multiShot: null,
			fields:
				mode === 'text-to-video'
					? { ...T2V, shots: undefined }
					: { ...I2V, shots: undefined, endImage: undefined },
			typicalSeconds: KLING_2_TIME,
			inferred: '[P3] third-party input builder; no end frame',
		}),
	),
	...(['text-to-video', 'image-to-video'] as const).map(
		(mode): ModelEntry => ({
			...BASE,
			model: 'kwaivgi/kling-v2.5-turbo-pro',
			kling: 'kling-2.5-turbo-pro',
			name: 'Kling 2.5 Turbo Pro',
			mode,
			id: 'kwaivgi/kling-v2.5-turbo-pro',
			tier: 'pro',
			durations: FIVE_OR_TEN,
			aspectRatios: mode === 'text-to-video' ? KLING_ASPECT_RATIOS : [],
			audio: { kind: 'none' },
			endFrame: mode === 'text-to-video' ? 'none' : 'optional',
			multiShot: null,
			fields:
				mode === 'text-to-video'
					? {
							prompt: 'prompt',
							negativePrompt: 'negative_prompt',
							duration: DURATION,
							aspectRatio: 'aspect_ratio',
						}
					: {
							prompt: 'prompt',
							negativePrompt: 'negative_prompt',
							duration: DURATION,
							startImage: 'start_image',
							endImage: 'end_image',
						},
			typicalSeconds: KLING_2_TIME,
		}),
	),
];

/*
 * Capabilities (KLING-MODELS.md §1b, §3.7, §7): one model per capability, the tier in `mode`; the Omni
 * models take a reference video as `feature` (reference) or `base` (edit).
 */

const CAP = { ...CAPABILITY_DEFAULTS, provider: 'replicate' as const };
const IMAGE = { types: IMAGE_TYPES_WEBP, maxBytes: 10 * MB };

const repMotion = (version: '2.6' | '3.0', tier: 'std' | 'pro'): ModelEntry => ({
	...CAP,
	model: `kling-${version}-${tier}`,
	kling: `kling-${version}-${tier}`,
	name: `Kling ${version} ${tier === 'pro' ? 'Pro' : 'Standard'}`,
	mode: 'motion-control',
	id: version === '2.6' ? 'kwaivgi/kling-v2.6-motion-control' : 'kwaivgi/kling-v3-motion-control',
	tier,
	fixed: { mode: tier },
	capability: {
		image: { field: 'image', required: true, limits: { ...IMAGE } },
		video: { field: 'video', required: true, limits: MOTION_VIDEO },
		orientation: { field: 'character_orientation' },
		keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
		prompt: 'optional',
		length: 'input',
	},
	...(version === '2.6'
		? {
				price: {
					usdPerSecond: tier === 'pro' ? 0.12 : 0.07,
					date: '2026-10-01',
					source: 'P5 (3p; another 3p list: $0.09/$0.15)',
				},
			}
		: {}),
	inferred:
		version === '2.6'
			? '[P5] fields third-party'
			: '[P5] kling-v3-motion-control fields not retrieved: taken as 2.6',
	typicalSeconds: { fiveSecondClip: [120, 270], perExtraSecond: 15 },
});

const repAvatar = (tier: 'std' | 'pro'): ModelEntry => ({
	...CAP,
	model: `kling-avatar-v2-${tier}`,
	kling: `kling-avatar-v2-${tier}`,
	name: `Kling AI Avatar v2 ${tier === 'pro' ? 'Pro' : 'Standard'}`,
	mode: 'avatar',
	id: 'kwaivgi/kling-avatar-v2',
	tier,
	audio: { kind: 'always' },
	fixed: { mode: tier },
	capability: {
		image: { field: 'image', required: true, limits: IMAGE },
		audio: { field: 'audio', required: true, limits: AVATAR_AUDIO },
		prompt: 'optional',
		length: 'input',
	},
	price: { usdPerSecond: tier === 'pro' ? 0.11 : 0.056, date: '2026-10-01', source: 'P6 (3p)' },
	inferred: "[P] fields and prices third-party; audio limits from Kling's avatar API [O1]",
});

const repOmni = (
	model: 'kling-v3-omni' | 'kling-o1',
	mode: 'reference-to-video' | 'edit-video',
): ModelEntry => {
	const o1 = model === 'kling-o1';
	return {
		...CAP,
		model,
		kling: o1 ? 'kling-o1' : 'kling-3.0-omni',
		name: o1 ? 'Kling O1' : 'Kling 3.0 Omni',
		mode,
		id: o1 ? 'kwaivgi/kling-o1' : 'kwaivgi/kling-v3-omni-video',
		...(mode === 'reference-to-video'
			? {
					// kling-o1 without a feature video: 5 or 10 s ([P7]); 3–10 s with one.
					durations: o1 ? { values: [5, 10] } : { min: 3, max: 15 },
					aspectRatios: ['16:9', '9:16', '1:1'],
					fields: {
						prompt: 'prompt',
						duration: { field: 'duration', type: 'integer' as const },
						aspectRatio: 'aspect_ratio',
					},
				}
			: {}),
		capability:
			mode === 'reference-to-video'
				? {
						video: { field: 'reference_video', required: false, limits: OMNI_VIDEO },
						referenceImages: {
							field: 'reference_images',
							max: 7,
							maxWithVideo: 4,
							limits: REFERENCE_IMAGE,
						},
						keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
						withVideo: { video_reference_type: 'feature' },
						prompt: 'required',
						promptRefs: 'angle',
						length: 'duration',
					}
				: {
						video: { field: 'reference_video', required: true, limits: OMNI_VIDEO },
						referenceImages: { field: 'reference_images', max: 4, limits: REFERENCE_IMAGE },
						keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
						withVideo: { video_reference_type: 'base' },
						prompt: 'required',
						promptRefs: 'angle',
						length: 'input',
					},
		inferred:
			mode === 'edit-video'
				? '[P2][P7] edit = reference_video with video_reference_type "base" (the duration is ignored for base)'
				: '[P2][P7] generate_audio (off; not with a reference video) not offered',
	};
};

const capabilities: ModelEntry[] = [
	repMotion('3.0', 'pro'),
	repMotion('3.0', 'std'),
	repMotion('2.6', 'pro'),
	repMotion('2.6', 'std'),
	{
		...CAP,
		model: 'kling-lipsync-audio',
		kling: 'kling-lipsync-audio',
		name: 'Kling Lip-Sync (Audio)',
		mode: 'lip-sync',
		id: 'kwaivgi/kling-lip-sync',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: { field: 'video_url', required: true, limits: LIPSYNC_VIDEO },
			audio: { field: 'audio_file', required: true, limits: LIPSYNC_AUDIO },
			prompt: 'none',
			length: 'input',
		},
		inferred: '[P4] schema third-party (read 2026-09-21)',
	},
	{
		...CAP,
		model: 'kling-lipsync-text',
		kling: 'kling-lipsync-text',
		name: 'Kling Lip-Sync (Text to Speech)',
		mode: 'lip-sync',
		id: 'kwaivgi/kling-lip-sync',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: { field: 'video_url', required: true, limits: LIPSYNC_VIDEO },
			speech: {
				textField: 'text',
				voiceField: 'voice_id',
				speedField: 'voice_speed',
				maxChars: 120,
				defaultVoice: 'en_AOT',
			},
			prompt: 'none',
			length: 'input',
		},
		inferred: '[P4] schema third-party; the voice_id list was not retrieved',
	},
	repAvatar('pro'),
	repAvatar('std'),
	repOmni('kling-v3-omni', 'reference-to-video'),
	repOmni('kling-o1', 'reference-to-video'),
	repOmni('kling-v3-omni', 'edit-video'),
	repOmni('kling-o1', 'edit-video'),
];

export const replicateCatalog: ProviderCatalog = {
	provider: 'replicate',
	entries: [...entries, ...capabilities],
	// Replicate: 429 throttled (with Retry-After), 402 when billing cannot pay (inferred).
	refusals: [
		{ kind: 'insufficient_credits', httpStatus: 402 },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: true,
	// "For predictions created through the API, all … output files … are automatically removed after an hour."
	resultUrlLifetime: {
		seconds: 3600,
		from: 'completed',
		source: 'https://replicate.com/docs/topics/predictions/data-retention',
	},
	firstVersionDefault: 'kwaivgi/kling-v2.5-turbo-pro',
	defaultModel: 'kling-3.0-pro',
};
