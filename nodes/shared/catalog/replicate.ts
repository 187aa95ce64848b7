import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	KLING_SHOTS,
	THREE_TO_FIFTEEN,
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

export const replicateCatalog: ProviderCatalog = {
	provider: 'replicate',
	entries,
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
