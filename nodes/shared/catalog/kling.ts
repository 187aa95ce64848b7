import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_4_RESOLUTIONS,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	KLING_SHOTS,
	THREE_TO_FIFTEEN,
} from './common';
import type { FieldNames, GenerationMode, ModelEntry, ProviderCatalog, Tier } from './types';

/**
 * The official Kling API, KLING-MODELS.md §3.5. Two generations side by side:
 * - legacy `/v1/videos/{text2video,image2video}` with `model_name` (access key + secret key → JWT, or
 *   the API key): flat body, string durations, `sound` on | off, `mode` std | pro | 4k;
 * - the new per-model API (`/text-to-video/kling-3.0`, …; API key only): `prompt` or `contents[]`,
 *   `settings{}` (integer duration, `audio` native | off, `resolution`), `options{}`.
 * One model option can have an entry on each: the credential decides (an API key → the new API).
 */

const V1_DURATION = { field: 'duration', type: 'string' } as const;
const V1_SOUND = { field: 'sound', encoding: 'on-off' } as const;
const V1_SHOTS = {
	field: 'multi_prompt',
	encoding: 'array',
	durationType: 'string',
	indexed: true,
	switchField: { field: 'multi_shot', encoding: 'boolean' },
	shotType: { field: 'shot_type', value: 'customize' },
} as const;

const V1: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'kling',
	api: 'v1',
	durations: FIVE_OR_TEN,
	defaultDuration: 5,
	aspectRatios: KLING_ASPECT_RATIOS,
	resolutions: [],
	audio: { kind: 'none' },
	endFrame: 'none',
	negativePrompt: true,
	// [O2]: `cfg_scale` is "not supported in v2.x".
	cfgScale: false,
	multiShot: null,
	elements: null,
	promptMaxLength: KLING_PROMPT_LIMIT,
	typicalSeconds: KLING_2_TIME,
};

const V1_T2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: V1_DURATION,
	aspectRatio: 'aspect_ratio',
};
const V1_I2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: V1_DURATION,
	startImage: 'image',
	endImage: 'image_tail',
};

const NEW_DURATION = { field: 'settings.duration', type: 'integer' } as const;
const NEW_AUDIO = { field: 'settings.audio', encoding: 'native-off' } as const;
/** The new API writes shots into the prompt; `settings.multi_shot` defaults to true, so false is sent. */
const NEW_SHOTS = {
	field: 'prompt',
	encoding: 'kling-prompt',
	durationType: 'integer',
	switchField: { field: 'settings.multi_shot', encoding: 'boolean' },
	requiredWhenSingle: true,
} as const;

const NEW: typeof V1 = {
	...V1,
	api: 'new',
	negativePrompt: false,
	inferred:
		'[O13] third-party extraction of the vendor pages for bodies other than kling-3.0; element ids as numbers',
};

const TIER_NAMES: Record<Tier, string> = { pro: 'Pro', std: 'Standard', '4k': '4K' };
/** The new API names its tiers by resolution (§3.5 B). */
const TIER_RESOLUTION: Record<Tier, string> = { std: '720p', pro: '1080p', '4k': '4k' };

function v1Model(
	model: string,
	kling: string,
	name: string,
	id: string,
	tier: Tier | null,
	overrides: Partial<Record<GenerationMode, Partial<ModelEntry>>> = {},
): ModelEntry[] {
	const fixed = tier ? { mode: tier } : undefined;
	return [
		{
			...V1,
			model,
			kling,
			name,
			mode: 'text-to-video',
			id,
			tier,
			fixed,
			fields: V1_T2V,
			...overrides['text-to-video'],
		},
		{
			...V1,
			model,
			kling,
			name,
			mode: 'image-to-video',
			id,
			tier,
			fixed,
			aspectRatios: [],
			fields: V1_I2V,
			...overrides['image-to-video'],
		},
	];
}

function newModel(
	model: string,
	kling: string,
	name: string,
	id: string,
	tier: Tier | null,
	overrides: Partial<Record<GenerationMode, Partial<ModelEntry>>> = {},
): ModelEntry[] {
	const fixed = tier ? { 'settings.resolution': TIER_RESOLUTION[tier] } : undefined;
	const t2vFields: FieldNames = {
		prompt: 'prompt',
		duration: NEW_DURATION,
		aspectRatio: 'settings.aspect_ratio',
	};
	const i2vFields: FieldNames = {
		prompt: 'prompt',
		duration: NEW_DURATION,
		startImage: 'first_frame',
		endImage: 'last_frame',
	};
	return [
		{
			...NEW,
			model,
			kling,
			name,
			mode: 'text-to-video',
			id,
			tier,
			fixed,
			fields: t2vFields,
			...overrides['text-to-video'],
		},
		{
			...NEW,
			model,
			kling,
			name,
			mode: 'image-to-video',
			id,
			tier,
			fixed,
			aspectRatios: [],
			fields: i2vFields,
			...overrides['image-to-video'],
		},
	];
}

const kling3 = (['pro', 'std', '4k'] as const).flatMap((tier): ModelEntry[] => {
	const model = `kling-3.0-${tier}`;
	const name = `Kling 3.0 ${TIER_NAMES[tier]}`;
	const v3 = {
		durations: THREE_TO_FIFTEEN,
		audio: { kind: 'switch', providerDefault: false } as const,
		cfgScale: true,
		typicalSeconds: KLING_3_TIME,
	};
	const newShots = { ...KLING_SHOTS, maxShotPromptLength: 512 };
	return [
		...v1Model(model, model, name, 'kling-v3', tier, {
			'text-to-video': {
				...v3,
				multiShot: { ...KLING_SHOTS, maxShotPromptLength: 512 },
				fields: { ...V1_T2V, cfgScale: 'cfg_scale', audio: V1_SOUND, shots: V1_SHOTS },
			},
			'image-to-video': {
				...v3,
				endFrame: 'optional',
				elements: { kind: 'ids', max: 3 },
				fields: {
					...V1_I2V,
					cfgScale: 'cfg_scale',
					audio: V1_SOUND,
					elements: { field: 'element_list', shape: 'element-ids', numericIds: true },
				},
				inferred: '[O1] "multi_shot ⇒ no first/last frame": no multi-shot on image-to-video',
			},
		}),
		...newModel(model, model, name, 'kling-3.0', tier, {
			'text-to-video': {
				...v3,
				cfgScale: false,
				multiShot: newShots,
				promptMaxLength: 3072,
				fields: {
					prompt: 'prompt',
					duration: NEW_DURATION,
					aspectRatio: 'settings.aspect_ratio',
					audio: NEW_AUDIO,
					shots: NEW_SHOTS,
				},
				inferred: undefined,
			},
			'image-to-video': {
				...v3,
				cfgScale: false,
				endFrame: 'optional',
				multiShot: newShots,
				elements: { kind: 'ids', max: 3 },
				promptMaxLength: 3072,
				fields: {
					prompt: 'prompt',
					duration: NEW_DURATION,
					audio: NEW_AUDIO,
					startImage: 'first_frame',
					endImage: 'last_frame',
					shots: NEW_SHOTS,
					elements: { field: 'element', shape: 'element-ids', numericIds: true },
				},
				inferred: '[O6] element ids as numbers and element `id`s element_1… chosen by the node',
			},
		}),
	];
});

const kling26 = (['pro', 'std'] as const).flatMap((tier): ModelEntry[] => {
	const model = `kling-2.6-${tier}`;
	const name = `Kling 2.6 ${TIER_NAMES[tier]}`;
	// [O6] capability map: audio needs pro (1080p); the end frame only at 1080p without audio.
	const pro = tier === 'pro';
	const audio = pro
		? ({ kind: 'switch', providerDefault: false } as const)
		: ({ kind: 'none' } as const);
	const endFrame = pro ? ('optional' as const) : ('none' as const);
	return [
		...v1Model(model, model, name, 'kling-v2-6', tier, {
			'text-to-video': { audio, fields: pro ? { ...V1_T2V, audio: V1_SOUND } : V1_T2V },
			'image-to-video': {
				audio,
				endFrame,
				requires: pro ? { endFrame: { audio: false } } : undefined,
				fields: pro ? { ...V1_I2V, audio: V1_SOUND } : { ...V1_I2V, endImage: undefined },
			},
		}),
		...newModel(model, model, name, 'kling-2.6', tier, {
			'text-to-video': {
				audio,
				fields: pro
					? {
							prompt: 'prompt',
							duration: NEW_DURATION,
							aspectRatio: 'settings.aspect_ratio',
							audio: NEW_AUDIO,
						}
					: { prompt: 'prompt', duration: NEW_DURATION, aspectRatio: 'settings.aspect_ratio' },
			},
			'image-to-video': {
				audio,
				endFrame,
				requires: pro ? { endFrame: { audio: false } } : undefined,
				fields: pro
					? {
							prompt: 'prompt',
							duration: NEW_DURATION,
							audio: NEW_AUDIO,
							startImage: 'first_frame',
							endImage: 'last_frame',
						}
					: { prompt: 'prompt', duration: NEW_DURATION, startImage: 'first_frame' },
			},
		}),
	];
});

const kling25 = (['pro', 'std'] as const).flatMap((tier): ModelEntry[] => {
	const model = `kling-v2-5-turbo-${tier}`;
	const name = `Kling 2.5 Turbo ${TIER_NAMES[tier]}`;
	// The end frame (`image_tail`) only in pro mode (1080p) — legacy and new API alike.
	const endFrame = tier === 'pro' ? ('optional' as const) : ('none' as const);
	return [
		...v1Model(model, 'kling-2.5-turbo-' + tier, name, 'kling-v2-5-turbo', tier, {
			'image-to-video': {
				endFrame,
				fields: tier === 'pro' ? V1_I2V : { ...V1_I2V, endImage: undefined },
			},
		}),
		...newModel(model, 'kling-2.5-turbo-' + tier, name, 'kling-2.5-turbo', tier, {
			'image-to-video': {
				endFrame,
				fields:
					tier === 'pro'
						? {
								prompt: 'prompt',
								duration: NEW_DURATION,
								startImage: 'first_frame',
								endImage: 'last_frame',
							}
						: { prompt: 'prompt', duration: NEW_DURATION, startImage: 'first_frame' },
			},
		}),
	];
});

const entries: ModelEntry[] = [
	...kling3,
	...newModel('kling-3.0-turbo', 'kling-3.0-turbo', 'Kling 3.0 Turbo', 'kling-3.0-turbo', null, {
		'text-to-video': {
			durations: THREE_TO_FIFTEEN,
			resolutions: KLING_4_RESOLUTIONS,
			audio: { kind: 'always' },
			fields: {
				prompt: 'prompt',
				duration: NEW_DURATION,
				aspectRatio: 'settings.aspect_ratio',
				resolution: 'settings.resolution',
			},
			typicalSeconds: KLING_3_TIME,
			price: {
				usdPerSecond: 0.112,
				usdPerSecondByResolution: { '720p': 0.112, '1080p': 0.14 },
				date: '2026-09-20',
				source: 'O13 (3p, 1 unit = $0.14)',
			},
			inferred: '[O7] third-party test body; audio always on (third-party reports)',
		},
		'image-to-video': {
			durations: THREE_TO_FIFTEEN,
			resolutions: KLING_4_RESOLUTIONS,
			audio: { kind: 'always' },
			fields: {
				prompt: 'prompt',
				duration: NEW_DURATION,
				resolution: 'settings.resolution',
				startImage: 'first_frame',
			},
			typicalSeconds: KLING_3_TIME,
			price: {
				usdPerSecond: 0.112,
				usdPerSecondByResolution: { '720p': 0.112, '1080p': 0.14 },
				date: '2026-09-20',
				source: 'O13 (3p, 1 unit = $0.14)',
			},
			inferred: '[O1] first frame only; audio always on (third-party reports)',
		},
	}),
	...kling26,
	...kling25,
	...v1Model(
		'kling-v2-1-master',
		'kling-2.1-master',
		'Kling 2.1 Master',
		'kling-v2-1-master',
		null,
	),
	...v1Model('kling-v2-master', 'kling-2.0-master', 'Kling 2.0 Master', 'kling-v2-master', null),
];

export const klingCatalog: ProviderCatalog = {
	provider: 'kling',
	entries,
	// KLING-MODELS.md §3.5 D (Kling's error table): 1101 arrears and 1102 resource pack exhausted (no
	// credit), 1302 rate limit, 1303 concurrency over the package, 5001 maintenance.
	refusals: [
		{ kind: 'insufficient_credits', code: 1101 },
		{ kind: 'insufficient_credits', code: 1102 },
		{ kind: 'concurrency_limit', code: 1303 },
		{ kind: 'rate_limited', code: 1302 },
		{ kind: 'maintenance', code: 5001 },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: true,
	// Generated results are deleted after 30 days (KLING-MODELS.md §3.5; callback protocol, PROVIDERS.md §5.1).
	resultUrlLifetime: {
		seconds: 30 * 86400,
		from: 'created',
		source: 'https://app.klingai.com/global/dev/document-api/apiReference/callbackProtocol',
	},
	firstVersionDefault: 'kling-v2-5-turbo-pro',
	defaultModel: 'kling-3.0-pro',
};
