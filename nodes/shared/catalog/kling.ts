import {
	AUDIO_TYPES,
	AVATAR_AUDIO,
	CAPABILITY_DEFAULTS,
	CHARACTER_IMAGE,
	FIVE_OR_TEN,
	MB,
	MOTION_VIDEO,
	OMNI_VIDEO,
	REFERENCE_IMAGE,
	VIDEO_TYPES,
	KLING_2_TIME,
	KLING_3_TIME,
	KLING_4_RESOLUTIONS,
	KLING_ASPECT_RATIOS,
	KLING_PROMPT_LIMIT,
	KLING_SHOTS,
	THREE_TO_FIFTEEN,
	THREE_TO_TEN,
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

/*
 * Capabilities beyond text/image to video (KLING-MODELS.md §1b, §3.5 B/C, §7). Each legacy product
 * has its own path (`/v1/videos/<product>`), polled under the same path; the new API's motion control
 * is `/motion-control/<model>`, polled via `/tasks`. Products without `model_name` (avatar,
 * lip-sync) are named by the entry's `id`, which Get Task and the trigger read back.
 */
const CAP_V1 = { ...CAPABILITY_DEFAULTS, provider: 'kling' as const, api: 'v1' as const };
const CAP_NEW = { ...CAPABILITY_DEFAULTS, provider: 'kling' as const, api: 'new' as const };

const motion = (version: '2.6' | '3.0', tier: 'pro' | 'std'): ModelEntry[] => {
	const model = `kling-${version}-${tier}`;
	const name = `Kling ${version} ${TIER_NAMES[tier]}`;
	const capability = {
		orientation: { field: 'character_orientation' },
		prompt: 'optional',
		length: 'input',
	} as const;
	return [
		{
			...CAP_V1,
			model,
			kling: model,
			name,
			mode: 'motion-control',
			id: version === '3.0' ? 'kling-v3' : 'kling-v2-6',
			tier,
			fixed: { mode: tier },
			capability: {
				...capability,
				image: { field: 'image_url', required: true, limits: CHARACTER_IMAGE },
				video: { field: 'video_url', required: true, limits: MOTION_VIDEO },
				keepSound: { field: 'keep_original_sound', encoding: 'yes-no', providerDefault: true },
			},
			inferred:
				'[O2]+3p legacy motion-control body; the reference video is a URL (no files API, base64 documented for the image only); orientation "image" caps the video at 10 s (Kling refuses longer)',
		},
		{
			...CAP_NEW,
			model,
			kling: model,
			name,
			mode: 'motion-control',
			id: `kling-${version}`,
			tier,
			fixed: { 'settings.resolution': TIER_RESOLUTION[tier] },
			capability: {
				...capability,
				orientation: { field: 'settings.character_orientation' },
				image: { field: 'image', required: true, limits: CHARACTER_IMAGE },
				video: { field: 'video', required: true, limits: MOTION_VIDEO },
				keepSound: { field: 'settings.audio', encoding: 'original-off', providerDefault: true },
			},
			inferred:
				'[O6] tiers sent as settings.resolution (Standard 720p, Pro 1080p); the output may be shorter than the reference (billed on output seconds)',
		},
	];
};

const avatar = (tier: 'pro' | 'std'): ModelEntry => ({
	...CAP_V1,
	model: `kling-avatar-${tier}`,
	kling: `kling-avatar-${tier}`,
	name: `Kling AI Avatar ${TIER_NAMES[tier]}`,
	mode: 'avatar',
	id: 'avatar/image2video',
	tier,
	audio: { kind: 'always' },
	fixed: { mode: tier },
	capability: {
		image: { field: 'image', required: true, limits: CHARACTER_IMAGE },
		audio: { field: 'sound_file', required: true, limits: AVATAR_AUDIO },
		prompt: 'optional',
		length: 'input',
	},
	inferred:
		'[O1][O5] 3p mirror and SDK; the TTS `audio_id` alternative is not offered (sound_file: URL, or binary audio sent as base64)',
});

/** identify-face and lip-sync: MP4/MOV ≤100 MB, 2–60 s (advanced) / 2–10 s (legacy), audio 2–60 s ≤5 MB. */
const LIPSYNC_AUDIO_KLING = { types: AUDIO_TYPES, maxBytes: 5 * MB, minSeconds: 2, maxSeconds: 60 };

/** Kling 3.0 Omni's reference / base video on the new API: 3–15.5 s, up to 200 MB (§7). */
const OMNI_3_VIDEO = { ...OMNI_VIDEO, maxSeconds: 15.5 };

/**
 * Omni reference to video and video edit (§7): legacy `/v1/videos/omni-video` (`model_name`,
 * `image_list`, `video_list` with `refer_type`, `<<<image_1>>>`) and the new `/omni-video/<model>`
 * (`contents[]` refer_image / feature_video / base_video with ids `image_N` / `video_1`, `@image_1`).
 */
const omni = (
	version: 'o1' | '3.0-omni',
	tier: 'pro' | 'std',
	mode: 'reference-to-video' | 'edit-video',
): ModelEntry[] => {
	const model = `kling-${version}-${tier}`;
	const edit = mode === 'edit-video';
	const durations = version === 'o1' ? THREE_TO_TEN : THREE_TO_FIFTEEN;
	const base = {
		model,
		kling: model,
		name: `Kling ${version === 'o1' ? 'O1' : '3.0 Omni'} ${TIER_NAMES[tier]}`,
		mode,
		tier,
		...(edit ? {} : { durations, aspectRatios: KLING_ASPECT_RATIOS }),
	};
	const refs = { max: edit ? 4 : 7, maxWithVideo: 4, limits: REFERENCE_IMAGE };
	const common = { prompt: 'required', length: edit ? 'input' : 'duration' } as const;
	return [
		{
			...CAP_V1,
			...base,
			id: version === 'o1' ? 'kling-video-o1' : 'kling-v3-omni',
			fixed: { mode: tier },
			fields: edit
				? { prompt: 'prompt' }
				: { prompt: 'prompt', duration: V1_DURATION, aspectRatio: 'aspect_ratio' },
			capability: {
				...common,
				video: { field: 'video_list', required: edit, limits: OMNI_VIDEO },
				referenceImages: { field: 'image_list', ...refs },
				keepSound: { field: 'keep_original_sound', encoding: 'yes-no', providerDefault: true },
				promptRefs: 'angle',
			},
			inferred: edit
				? '[O3][O4][O6] the clip to edit as video_list[{refer_type:"base"}]; the output keeps its length'
				: '[O3][O4][O6] a reference video as video_list[{refer_type:"feature"}] (sound then off); elements not offered here',
		},
		{
			...CAP_NEW,
			...base,
			id: `kling-${version}`,
			fixed: {
				'settings.resolution': TIER_RESOLUTION[tier],
				// kling-3.0 defaults multi_shot to true, and a base video allows none (§3.5 B).
				...(version === '3.0-omni' ? { 'settings.multi_shot': false } : {}),
			},
			fields: edit
				? { prompt: 'prompt' }
				: { prompt: 'prompt', duration: NEW_DURATION, aspectRatio: 'settings.aspect_ratio' },
			promptMaxLength: version === 'o1' ? KLING_PROMPT_LIMIT : 3072,
			capability: {
				...common,
				video: {
					field: edit ? 'base_video' : 'feature_video',
					required: edit,
					limits: version === 'o1' ? OMNI_VIDEO : OMNI_3_VIDEO,
				},
				referenceImages: { field: 'refer_image', ...refs },
				// A feature video allows only audio "off" (the default); an edit keeps the base video's.
				...(edit
					? {
							keepSound: {
								field: 'settings.audio',
								encoding: 'original-off',
								providerDefault: false,
							},
						}
					: {}),
				promptRefs: 'snake',
			},
			inferred:
				'[O6] + 3p [O13]: content ids image_N / video_1 chosen by the node (the prompt says @image_1, @video_1); tiers as settings.resolution; settings.multi_shot false sent on 3.0 Omni; audio "off" (the default) when the edit does not keep its sound',
		},
	];
};

const capabilities: ModelEntry[] = [
	...motion('3.0', 'pro'),
	...motion('3.0', 'std'),
	...motion('2.6', 'pro'),
	...motion('2.6', 'std'),
	{
		...CAP_V1,
		model: 'kling-lipsync-audio',
		kling: 'kling-lipsync-audio',
		name: 'Kling Lip-Sync (Audio)',
		mode: 'lip-sync',
		id: 'advanced-lip-sync',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: {
				field: 'video_url',
				required: true,
				limits: { types: VIDEO_TYPES, maxBytes: 100 * MB, minSeconds: 2, maxSeconds: 60 },
			},
			audio: { field: 'sound_file', required: true, limits: LIPSYNC_AUDIO_KLING },
			prompt: 'none',
			length: 'input',
		},
		inferred:
			'[O6] identify-face (free, synchronous) then advanced-lip-sync on the first face; the audio clip starts at 0 and lasts min(face span, audio length); an audio URL is not measured (the node fetches nothing), so its clip is the face span and a shorter audio is refused by Kling before any task',
	},
	{
		...CAP_V1,
		model: 'kling-lipsync-text',
		kling: 'kling-lipsync-text',
		name: 'Kling Lip-Sync (Text to Speech)',
		mode: 'lip-sync',
		id: 'lip-sync',
		audio: { kind: 'always' },
		fields: {},
		fixed: { 'input.mode': 'text2video' },
		capability: {
			video: {
				field: 'input.video_url',
				required: true,
				limits: { types: VIDEO_TYPES, maxBytes: 100 * MB, minSeconds: 2, maxSeconds: 10 },
			},
			speech: {
				textField: 'input.text',
				voiceField: 'input.voice_id',
				languageField: 'input.voice_language',
				speedField: 'input.voice_speed',
				maxChars: 120,
				defaultVoice: 'genshin_klee2',
			},
			prompt: 'none',
			length: 'input',
		},
		inferred:
			'[O9] 3p, live-error verified legacy /v1/videos/lip-sync (text2video); polled under its own path (inferred); voice ids as WaveSpeed lists them',
	},
	avatar('pro'),
	avatar('std'),
	...omni('3.0-omni', 'pro', 'reference-to-video'),
	...omni('3.0-omni', 'std', 'reference-to-video'),
	...omni('o1', 'pro', 'reference-to-video'),
	...omni('o1', 'std', 'reference-to-video'),
	...omni('3.0-omni', 'pro', 'edit-video'),
	...omni('3.0-omni', 'std', 'edit-video'),
	...omni('o1', 'pro', 'edit-video'),
	...omni('o1', 'std', 'edit-video'),
];

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
	...capabilities,
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
