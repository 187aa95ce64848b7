import {
	FIVE_OR_TEN,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	THREE_TO_FIFTEEN,
} from './common';
import type { GenerationMode, ModelEntry, ProviderCatalog } from './types';

/**
 * Rivya AI (`POST /api/v1/generations`, `{model, prompt, params}`), KLING-MODELS.md §3.4, PROVIDERS.md
 * §4. The examples send every param as a string; images are `params.referenceMediaItems`.
 */

const DURATION = { field: 'duration', type: 'string' } as const;
const SOUND = { field: 'sound', encoding: 'boolean-string' } as const;
const MEDIA_ITEMS = { field: 'referenceMediaItems', item: 'media-item' } as const;

const BASE: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'rivya',
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

function bothModes(
	entry: Omit<ModelEntry, 'mode'>,
	endFrame: ModelEntry['endFrame'],
): ModelEntry[] {
	const mode = (m: GenerationMode): ModelEntry => ({
		...entry,
		mode: m,
		aspectRatios: m === 'text-to-video' ? entry.aspectRatios : [],
		endFrame: m === 'text-to-video' ? 'none' : endFrame,
		fields:
			m === 'text-to-video'
				? entry.fields
				: { ...entry.fields, aspectRatio: undefined, imageList: MEDIA_ITEMS },
	});
	return [mode('text-to-video'), mode('image-to-video')];
}

const kling3 = (['pro', 'std'] as const).flatMap((tier) =>
	bothModes(
		{
			...BASE,
			model: `kling-3.0-${tier}`,
			kling: `kling-3.0-${tier}`,
			name: tier === 'pro' ? 'Kling 3.0 Pro' : 'Kling 3.0 Standard',
			id: 'kling-3-0',
			tier,
			fixed: { mode: tier },
			// [R2]: at most 2000 characters.
			promptMaxLength: 2000,
			fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio', audio: SOUND },
			inferred:
				'[R2] the second reference image taken as the end frame; multi-shot not offered: no per-shot prompt field is documented',
		},
		'optional',
	),
);

const entries: ModelEntry[] = [
	...kling3,
	...bothModes(
		{
			...BASE,
			model: 'kling-2.6-pro',
			kling: 'kling-2.6-pro',
			name: 'Kling 2.6',
			id: 'kling-2-6',
			tier: null,
			durations: FIVE_OR_TEN,
			// [R1]: at most 1000 characters, one reference image.
			promptMaxLength: 1000,
			fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio', audio: SOUND },
			typicalSeconds: KLING_2_TIME,
		},
		'none',
	),
	...bothModes(
		{
			...BASE,
			model: 'kling-v2-5-turbo-pro',
			kling: 'kling-2.5-turbo-pro',
			name: 'Kling 2.5 Turbo Pro',
			id: 'kling-v2-5-turbo-pro',
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

export const rivyaCatalog: ProviderCatalog = {
	provider: 'rivya',
	entries,
	// PROVIDERS.md §4.6: error codes; `public_api_disabled` is the public API switched off for a while.
	refusals: [
		{ kind: 'insufficient_credits', code: 'insufficient_credits' },
		{ kind: 'rate_limited', code: 'rate_limited' },
		{ kind: 'maintenance', code: 'public_api_disabled' },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: false,
	// "credits reserved at task start … failed tasks refunded per Studio policy" (PROVIDERS.md §4).
	refundsFailedTasks: 'https://rivya.ai/hi/docs/api-credits',
	// Rivya's docs state no lifetime for result URLs.
	resultUrlLifetime: null,
	firstVersionDefault: 'kling-v2-5-turbo-pro',
	defaultModel: 'kling-3.0-pro',
};
