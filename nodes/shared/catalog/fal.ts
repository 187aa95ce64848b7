import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_4_ASPECT_RATIOS,
	KLING_4_PROMPT_LIMIT,
	KLING_4_RESOLUTIONS,
	KLING_4_TIME,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	KLING_SHOTS,
	THREE_TO_FIFTEEN,
	THREE_TO_TWENTY,
	THREE_TO_THIRTY,
	AVATAR_AUDIO,
	CAPABILITY_DEFAULTS,
	LIPSYNC_VIDEO,
	MB,
	MOTION_VIDEO,
	OMNI_VIDEO,
	AUDIO_TYPES,
	VIDEO_TYPES,
	IMAGE_TYPES_WEBP,
} from './common';
import type { FieldNames, ModelEntry, ProviderCatalog } from './types';

/**
 * fal.ai queue API (`POST https://queue.fal.run/<endpoint>`), KLING-MODELS.md §3.6 and §6d,
 * PROVIDERS.md §5.2. The endpoint path carries the tier; durations are string enums up to Kling 3.0
 * and O3, integers on Kling 4.0; `generate_audio` defaults to true.
 */

const STRING_DURATION = { field: 'duration', type: 'string' } as const;
const INTEGER_DURATION = { field: 'duration', type: 'integer' } as const;
const GENERATE_AUDIO = { field: 'generate_audio', encoding: 'boolean' } as const;
const V3_SHOTS = {
	field: 'multi_prompt',
	encoding: 'array',
	durationType: 'string',
	shotType: { field: 'shot_type', value: 'customize' },
} as const;

const V3_T2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: STRING_DURATION,
	aspectRatio: 'aspect_ratio',
	cfgScale: 'cfg_scale',
	audio: GENERATE_AUDIO,
	shots: V3_SHOTS,
};
const V3_I2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: STRING_DURATION,
	cfgScale: 'cfg_scale',
	audio: GENERATE_AUDIO,
	startImage: 'start_image_url',
	endImage: 'end_image_url',
	shots: V3_SHOTS,
	elements: { field: 'elements', shape: 'fal' },
};

const BASE: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'fal',
	durations: THREE_TO_FIFTEEN,
	defaultDuration: 5,
	aspectRatios: KLING_ASPECT_RATIOS,
	resolutions: [],
	audio: { kind: 'switch', providerDefault: true },
	endFrame: 'none',
	negativePrompt: true,
	cfgScale: true,
	multiShot: KLING_SHOTS,
	elements: null,
	promptMaxLength: KLING_PROMPT_LIMIT,
	typicalSeconds: KLING_3_TIME,
};

const PRICE_DATE = '2026-12-01';
const V4_PRICE = {
	usdPerSecond: 0.157,
	usdPerSecondByResolution: { '720p': 0.157, '1080p': 0.235 },
	date: PRICE_DATE,
	source: 'F9',
};
const KLING_4: typeof BASE = {
	...BASE,
	durations: THREE_TO_THIRTY,
	aspectRatios: KLING_4_ASPECT_RATIOS,
	resolutions: KLING_4_RESOLUTIONS,
	audio: { kind: 'always' },
	negativePrompt: false,
	cfgScale: false,
	// [F9]: `multi_prompt: list<KlingV4Shot>`, total = sum of shots; no shot cap documented.
	multiShot: { ...KLING_SHOTS, maxShots: null },
	promptMaxLength: KLING_4_PROMPT_LIMIT,
	price: V4_PRICE,
	typicalSeconds: KLING_4_TIME,
	inferred:
		'[F9] KlingV4Shot taken as {prompt, duration:int}; the llms.txt pages say "API access is coming soon"',
};
const V4_SHOTS = { field: 'multi_prompt', encoding: 'array', durationType: 'integer' } as const;

const entries: ModelEntry[] = [
	{
		...KLING_4,
		model: 'kling-4.0',
		kling: 'kling-4.0',
		name: 'Kling 4.0',
		mode: 'text-to-video',
		id: 'kling/v4/text-to-video',
		tier: null,
		fields: {
			prompt: 'prompt',
			duration: INTEGER_DURATION,
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			shots: V4_SHOTS,
		},
	},
	{
		...KLING_4,
		model: 'kling-4.0',
		kling: 'kling-4.0',
		name: 'Kling 4.0',
		mode: 'image-to-video',
		id: 'kling/v4/image-to-video',
		tier: null,
		aspectRatios: [],
		endFrame: 'optional',
		fields: {
			prompt: 'prompt',
			duration: INTEGER_DURATION,
			resolution: 'resolution',
			startImage: 'start_image_url',
			endImage: 'end_image_url',
			shots: V4_SHOTS,
		},
	},
	{
		...KLING_4,
		model: 'kling-4.0-flash',
		kling: 'kling-4.0-flash',
		name: 'Kling 4.0 Flash',
		mode: 'image-to-video',
		id: 'kling/v4/flash/image-to-video',
		tier: null,
		durations: THREE_TO_TWENTY,
		aspectRatios: [],
		resolutions: [],
		multiShot: null,
		fields: { prompt: 'prompt', duration: INTEGER_DURATION, startImage: 'start_image_url' },
		price: { usdPerSecond: 0.094, date: PRICE_DATE, source: 'F11' },
		inferred: '[F11] only the start frame is documented; 720p, 3–20 s',
	},
	...(['pro', 'std'] as const).flatMap((tier): ModelEntry[] => {
		const path = tier === 'pro' ? 'pro' : 'standard';
		const name = tier === 'pro' ? 'Kling 3.0 Pro' : 'Kling 3.0 Standard';
		const price =
			tier === 'pro'
				? { usdPerSecond: 0.112, usdPerSecondWithAudio: 0.168, date: PRICE_DATE, source: 'F1' }
				: { usdPerSecond: 0.084, usdPerSecondWithAudio: 0.126, date: PRICE_DATE, source: 'F4' };
		return [
			{
				...BASE,
				model: `kling-3.0-${tier}`,
				kling: `kling-3.0-${tier}`,
				name,
				mode: 'text-to-video',
				id: `fal-ai/kling-video/v3/${path}/text-to-video`,
				tier,
				fields: V3_T2V,
				price,
			},
			{
				...BASE,
				model: `kling-3.0-${tier}`,
				kling: `kling-3.0-${tier}`,
				name,
				mode: 'image-to-video',
				id: `fal-ai/kling-video/v3/${path}/image-to-video`,
				tier,
				aspectRatios: [],
				endFrame: 'optional',
				elements: { kind: 'inline', max: 3 },
				fields: V3_I2V,
				price,
				inferred: '[F1] at most 3 elements (Kling rule); 3p: multi_prompt with end_image_url → 422',
			},
		];
	}),
	{
		...BASE,
		model: 'kling-3.0-4k',
		kling: 'kling-3.0-4k',
		name: 'Kling 3.0 4K',
		mode: 'image-to-video',
		id: 'fal-ai/kling-video/v3/4k/image-to-video',
		tier: '4k',
		aspectRatios: [],
		endFrame: 'optional',
		elements: { kind: 'inline', max: 3 },
		fields: V3_I2V,
		price: { usdPerSecond: 0.42, date: PRICE_DATE, source: 'F6' },
		inferred: '[F6] fields as Kling 3.0 image-to-video',
	},
	...(['pro', 'std'] as const).flatMap((tier): ModelEntry[] => {
		const path = tier === 'pro' ? 'pro' : 'standard';
		const common = {
			...BASE,
			model: `kling-o3-${tier}`,
			kling: `kling-o3-${tier}`,
			name: tier === 'pro' ? 'Kling O3 Pro' : 'Kling O3 Standard',
			tier,
			negativePrompt: false,
			cfgScale: false,
			price:
				tier === 'pro'
					? { usdPerSecond: 0.112, usdPerSecondWithAudio: 0.14, date: PRICE_DATE, source: 'F7' }
					: undefined,
			inferred: '[F7][F12] O3 fields inferred from Kling 3.0 and the O3 reference pages',
		};
		return [
			{
				...common,
				mode: 'text-to-video',
				id: `fal-ai/kling-video/o3/${path}/text-to-video`,
				fields: {
					prompt: 'prompt',
					duration: STRING_DURATION,
					aspectRatio: 'aspect_ratio',
					audio: GENERATE_AUDIO,
					shots: V3_SHOTS,
				},
			},
			{
				...common,
				mode: 'image-to-video',
				id: `fal-ai/kling-video/o3/${path}/image-to-video`,
				aspectRatios: [],
				endFrame: 'optional',
				fields: {
					prompt: 'prompt',
					duration: STRING_DURATION,
					audio: GENERATE_AUDIO,
					startImage: 'start_image_url',
					endImage: 'end_image_url',
					shots: V3_SHOTS,
				},
			},
		];
	}),
	{
		...BASE,
		model: 'kling-2.6-pro',
		kling: 'kling-2.6-pro',
		name: 'Kling 2.6 Pro',
		mode: 'text-to-video',
		id: 'fal-ai/kling-video/v2.6/pro/text-to-video',
		tier: 'pro',
		durations: FIVE_OR_TEN,
		multiShot: null,
		fields: {
			prompt: 'prompt',
			negativePrompt: 'negative_prompt',
			duration: STRING_DURATION,
			aspectRatio: 'aspect_ratio',
			cfgScale: 'cfg_scale',
			audio: GENERATE_AUDIO,
		},
		price: { usdPerSecond: 0.07, usdPerSecondWithAudio: 0.14, date: PRICE_DATE, source: 'F2' },
		typicalSeconds: KLING_2_TIME,
	},
	{
		...BASE,
		model: 'kling-2.6-pro',
		kling: 'kling-2.6-pro',
		name: 'Kling 2.6 Pro',
		mode: 'image-to-video',
		id: 'fal-ai/kling-video/v2.6/pro/image-to-video',
		tier: 'pro',
		durations: FIVE_OR_TEN,
		aspectRatios: [],
		endFrame: 'optional',
		cfgScale: false,
		multiShot: null,
		fields: {
			prompt: 'prompt',
			negativePrompt: 'negative_prompt',
			duration: STRING_DURATION,
			audio: GENERATE_AUDIO,
			startImage: 'start_image_url',
			endImage: 'end_image_url',
		},
		price: { usdPerSecond: 0.07, usdPerSecondWithAudio: 0.14, date: PRICE_DATE, source: 'F2' },
		typicalSeconds: KLING_2_TIME,
	},
	{
		...BASE,
		model: 'kling-video-v2.5-turbo-pro',
		kling: 'kling-2.5-turbo-pro',
		name: 'Kling 2.5 Turbo Pro',
		mode: 'text-to-video',
		id: 'fal-ai/kling-video/v2.5-turbo/pro/text-to-video',
		tier: 'pro',
		durations: FIVE_OR_TEN,
		audio: { kind: 'none' },
		multiShot: null,
		fields: {
			prompt: 'prompt',
			negativePrompt: 'negative_prompt',
			duration: STRING_DURATION,
			aspectRatio: 'aspect_ratio',
			cfgScale: 'cfg_scale',
		},
		typicalSeconds: KLING_2_TIME,
	},
	{
		...BASE,
		model: 'kling-video-v2.5-turbo-pro',
		kling: 'kling-2.5-turbo-pro',
		name: 'Kling 2.5 Turbo Pro',
		mode: 'image-to-video',
		id: 'fal-ai/kling-video/v2.5-turbo/pro/image-to-video',
		tier: 'pro',
		durations: FIVE_OR_TEN,
		aspectRatios: [],
		audio: { kind: 'none' },
		endFrame: 'optional',
		multiShot: null,
		fields: {
			prompt: 'prompt',
			negativePrompt: 'negative_prompt',
			duration: STRING_DURATION,
			cfgScale: 'cfg_scale',
			startImage: 'image_url',
			endImage: 'tail_image_url',
		},
		typicalSeconds: KLING_2_TIME,
	},
];

/* Capabilities (KLING-MODELS.md §1b, §3.6, §6d, §7): the endpoint path carries the tier. */

const CAP = { ...CAPABILITY_DEFAULTS, provider: 'fal' as const };
const FAL_IMAGE = { types: IMAGE_TYPES_WEBP, maxBytes: 10 * MB };

const falMotion = (version: 'v2.6' | 'v3', tier: 'pro' | 'standard'): ModelEntry => {
	const kling = `kling-${version === 'v3' ? '3.0' : '2.6'}-${tier === 'pro' ? 'pro' : 'std'}`;
	return {
		...CAP,
		model: kling,
		kling,
		name: `Kling ${version === 'v3' ? '3.0' : '2.6'} ${tier === 'pro' ? 'Pro' : 'Standard'}`,
		mode: 'motion-control',
		id: `fal-ai/kling-video/${version}/${tier}/motion-control`,
		tier: tier === 'pro' ? 'pro' : 'std',
		capability: {
			image: { field: 'image_url', required: true, limits: { ...FAL_IMAGE } },
			video: { field: 'video_url', required: true, limits: MOTION_VIDEO },
			orientation: { field: 'character_orientation' },
			keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
			prompt: 'optional',
			length: 'input',
		},
		inferred:
			version === 'v2.6' && tier === 'standard'
				? '[F1] the v2.6 standard path is third-party; price not found'
				: '[F1] price per output second not found for motion control; v3 elements (1, orientation video) not offered',
	};
};

const falAvatar = (tier: 'standard' | 'pro'): ModelEntry => ({
	...CAP,
	model: `kling-avatar-v2-${tier === 'pro' ? 'pro' : 'std'}`,
	kling: `kling-avatar-v2-${tier === 'pro' ? 'pro' : 'std'}`,
	name: `Kling AI Avatar v2 ${tier === 'pro' ? 'Pro' : 'Standard'}`,
	mode: 'avatar',
	id: `fal-ai/kling-video/ai-avatar/v2/${tier}`,
	tier: tier === 'pro' ? 'pro' : 'std',
	audio: { kind: 'always' },
	capability: {
		image: { field: 'image_url', required: true, limits: FAL_IMAGE },
		audio: { field: 'audio_url', required: true, limits: AVATAR_AUDIO },
		prompt: 'optional',
		length: 'input',
	},
	price: {
		usdPerSecond: tier === 'pro' ? 0.115 : 0.0562,
		date: '2026-12-01',
		source: 'KLING-MODELS.md §3.6 (3p)',
	},
	inferred: "[F] avatar fields and prices third-party; audio limits from Kling's avatar API [O1]",
});

const falLipsyncVideo = LIPSYNC_VIDEO;
const falLipsyncAudio = { types: AUDIO_TYPES, maxBytes: 5 * MB, minSeconds: 2, maxSeconds: 60 };

const O3_ELEMENTS = { field: 'elements', shape: 'fal' } as const;

const falCapabilities: ModelEntry[] = [
	falMotion('v3', 'pro'),
	falMotion('v3', 'standard'),
	falMotion('v2.6', 'pro'),
	falMotion('v2.6', 'standard'),
	{
		...CAP,
		model: 'kling-lipsync-audio',
		kling: 'kling-lipsync-audio',
		name: 'Kling Lip-Sync (Audio)',
		mode: 'lip-sync',
		id: 'fal-ai/kling-video/lipsync/audio-to-video',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: { field: 'video_url', required: true, limits: falLipsyncVideo },
			audio: { field: 'audio_url', required: true, limits: falLipsyncAudio },
			prompt: 'none',
			length: 'input',
		},
		price: {
			usdPerSecond: 0.014,
			date: '2026-12-01',
			source: 'KLING-MODELS.md §3.6 (3p; billed in 5 s steps)',
		},
		inferred: '[F] price third-party (about $0.014/s, billed in 5 s steps)',
	},
	{
		...CAP,
		model: 'kling-lipsync-text',
		kling: 'kling-lipsync-text',
		name: 'Kling Lip-Sync (Text to Speech)',
		mode: 'lip-sync',
		id: 'fal-ai/kling-video/lipsync/text-to-video',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: { field: 'video_url', required: true, limits: falLipsyncVideo },
			speech: {
				textField: 'text',
				voiceField: 'voice_id',
				languageField: 'voice_language',
				speedField: 'voice_speed',
				maxChars: 120,
				defaultVoice: 'oversea_male1',
			},
			prompt: 'none',
			length: 'input',
		},
		inferred: '[F] text-to-video field names inferred from the audio endpoint and Kling (§3.6)',
	},
	falAvatar('pro'),
	falAvatar('standard'),
	{
		...CAP,
		model: 'kling-4.0',
		kling: 'kling-4.0',
		name: 'Kling 4.0',
		mode: 'reference-to-video',
		id: 'kling/v4/reference-to-video',
		durations: THREE_TO_THIRTY,
		aspectRatios: KLING_4_ASPECT_RATIOS,
		resolutions: KLING_4_RESOLUTIONS,
		audio: { kind: 'always' },
		elements: { kind: 'inline', max: 7 },
		promptMaxLength: KLING_4_PROMPT_LIMIT,
		fields: {
			prompt: 'prompt',
			duration: INTEGER_DURATION,
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			elements: O3_ELEMENTS,
		},
		capability: {
			video: {
				field: 'video_urls',
				list: true,
				required: false,
				limits: { types: VIDEO_TYPES, maxBytes: null, minSeconds: 3, maxSeconds: 30 },
			},
			audio: {
				field: 'audio_urls',
				list: true,
				required: false,
				limits: { types: AUDIO_TYPES, maxBytes: null, minSeconds: 5, maxSeconds: 30 },
			},
			referenceImages: { field: 'image_urls', max: 10, limits: FAL_IMAGE },
			keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: false },
			prompt: 'required',
			promptRefs: 'at',
			length: 'duration',
		},
		price: {
			usdPerSecond: 0.157,
			usdPerSecondByResolution: { '720p': 0.157, '1080p': 0.235 },
			date: '2026-12-01',
			source: 'F9',
		},
		typicalSeconds: KLING_4_TIME,
		inferred:
			'[F8][F9] only the prompt syntax was captured: image_urls / video_urls / audio_urls / elements / keep_original_sound named as fal names them elsewhere; with a reference video fal bills $0.094/$0.141 per s of input + output (not in the estimate)',
	},
	...(['pro', 'standard', '4k'] as const).map(
		(tier): ModelEntry => ({
			...CAP,
			model: `kling-o3-${tier === 'standard' ? 'std' : tier}`,
			kling: `kling-o3-${tier === 'standard' ? 'std' : tier}`,
			name: `Kling O3 ${{ pro: 'Pro', standard: 'Standard', '4k': '4K' }[tier]}`,
			mode: 'reference-to-video',
			id: `fal-ai/kling-video/o3/${tier}/reference-to-video`,
			tier: tier === 'standard' ? 'std' : tier,
			durations: THREE_TO_FIFTEEN,
			aspectRatios: KLING_ASPECT_RATIOS,
			audio: { kind: 'switch', providerDefault: false },
			elements: { kind: 'inline', max: 7 },
			fields: {
				prompt: 'prompt',
				duration: STRING_DURATION,
				aspectRatio: 'aspect_ratio',
				audio: { field: 'generate_audio', encoding: 'boolean' },
				elements: O3_ELEMENTS,
			},
			capability: {
				referenceImages: { field: 'image_urls', max: 7, limits: FAL_IMAGE },
				prompt: 'required',
				promptRefs: 'at',
				length: 'duration',
			},
			...(tier === '4k'
				? { price: { usdPerSecond: 0.42, date: '2026-12-01', source: 'F12' } }
				: {}),
			inferred:
				'[F12] reference images + elements together at most 7 (the node checks images alone)',
		}),
	),
	{
		...CAP,
		model: 'kling-4.0',
		kling: 'kling-4.0',
		name: 'Kling 4.0',
		mode: 'edit-video',
		id: 'kling/v4/video-to-video/edit',
		resolutions: KLING_4_RESOLUTIONS,
		audio: { kind: 'always' },
		promptMaxLength: KLING_4_PROMPT_LIMIT,
		fields: { prompt: 'prompt', resolution: 'resolution' },
		capability: {
			video: {
				field: 'video_url',
				required: true,
				limits: { types: VIDEO_TYPES, maxBytes: 300 * MB, minSeconds: 3, maxSeconds: 30.05 },
			},
			referenceImages: { field: 'image_urls', max: 10, limits: FAL_IMAGE },
			prompt: 'required',
			promptRefs: 'at',
			length: 'input',
		},
		price: {
			usdPerSecond: 0.094,
			usdPerSecondByResolution: { '720p': 0.094, '1080p': 0.141 },
			date: '2026-12-01',
			source: 'F9 (per second of input + output: the estimate counts the output only)',
		},
		typicalSeconds: KLING_4_TIME,
		inferred:
			'[F9] "API access is coming soon" on the stored copy; the output keeps the input length (inferred from WaveSpeed)',
	},
	...(['pro', 'standard'] as const).map(
		(tier): ModelEntry => ({
			...CAP,
			model: `kling-o3-${tier === 'standard' ? 'std' : tier}`,
			kling: `kling-o3-${tier === 'standard' ? 'std' : tier}`,
			name: `Kling O3 ${tier === 'pro' ? 'Pro' : 'Standard'}`,
			mode: 'edit-video',
			id: `fal-ai/kling-video/o3/${tier}/video-to-video/edit`,
			tier: tier === 'standard' ? 'std' : tier,
			capability: {
				video: { field: 'video_url', required: true, limits: OMNI_VIDEO },
				referenceImages: { field: 'image_urls', max: 4, limits: FAL_IMAGE },
				keepSound: { field: 'keep_audio', encoding: 'boolean', providerDefault: true },
				prompt: 'required',
				promptRefs: 'at',
				length: 'input',
			},
			...(tier === 'pro'
				? { price: { usdPerSecond: 0.336, date: '2026-12-01', source: 'F12' } }
				: {}),
		}),
	),
];

export const falCatalog: ProviderCatalog = {
	provider: 'fal',
	entries: [...entries, ...falCapabilities],
	// fal queues over-concurrency requests; 429 is the rate limit; an exhausted balance answers 403
	// "Exhausted balance" (inferred from fal's client errors).
	refusals: [
		{ kind: 'insufficient_credits', httpStatus: 403, code: 'exhausted_balance' },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: true,
	// Media retention is an account or per-request setting (X-Fal-Object-Lifecycle-Preference); no default
	// expiry is documented (fal.ai/docs/model-apis/data-retention).
	resultUrlLifetime: null,
	firstVersionDefault: 'kling-video-v2.5-turbo-pro',
	// Kling 4.0 on fal is announced as "API access is coming soon" [F9]: 3.0 Pro is the newest sold.
	defaultModel: 'kling-3.0-pro',
};
