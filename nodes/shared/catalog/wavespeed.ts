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
	THREE_TO_TEN,
	THREE_TO_THIRTY,
	AVATAR_AUDIO,
	CAPABILITY_DEFAULTS,
	CHARACTER_IMAGE,
	KLING_4_VIDEO,
	LIPSYNC_AUDIO,
	LIPSYNC_VIDEO,
	MB,
	MOTION_VIDEO,
	OMNI_VIDEO,
	REFERENCE_IMAGE,
	AUDIO_TYPES,
} from './common';
import type { FieldNames, ModelEntry, ProviderCatalog } from './types';

/**
 * WaveSpeed AI (`POST /api/v3/<model id>`), KLING-MODELS.md §3.1 and §6c, PROVIDERS.md §1.2.
 * Model ids carry the tier; the body is flat.
 */

const DURATION = { field: 'duration', type: 'integer' } as const;
const SOUND = { field: 'sound', encoding: 'boolean' } as const;
/** [W1]: `multi_prompt` items `{prompt, duration}` (integer duration inferred), `shot_type` customize. */
const SHOTS = {
	field: 'multi_prompt',
	encoding: 'array',
	durationType: 'integer',
	shotType: { field: 'shot_type', value: 'customize' },
} as const;
const ELEMENTS = { field: 'element_list', shape: 'element-ids' } as const;

const KLING_3_T2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: DURATION,
	aspectRatio: 'aspect_ratio',
	cfgScale: 'cfg_scale',
	audio: SOUND,
	shots: SHOTS,
	elements: ELEMENTS,
};
const KLING_3_I2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: DURATION,
	cfgScale: 'cfg_scale',
	audio: SOUND,
	startImage: 'image',
	endImage: 'end_image',
	shots: SHOTS,
	elements: ELEMENTS,
};
/** Kling 2.x on WaveSpeed names the CFG scale `guidance_scale` (PROVIDERS.md §1.2). */
const KLING_2_T2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: DURATION,
	aspectRatio: 'aspect_ratio',
	cfgScale: 'guidance_scale',
};
const KLING_2_I2V: FieldNames = {
	prompt: 'prompt',
	negativePrompt: 'negative_prompt',
	duration: DURATION,
	cfgScale: 'guidance_scale',
	startImage: 'image',
	endImage: 'end_image',
};

const KLING_3: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'wavespeed',
	durations: THREE_TO_FIFTEEN,
	defaultDuration: 5,
	aspectRatios: KLING_ASPECT_RATIOS,
	resolutions: [],
	audio: { kind: 'switch', providerDefault: false },
	endFrame: 'none',
	negativePrompt: true,
	cfgScale: true,
	multiShot: KLING_SHOTS,
	elements: { kind: 'ids', max: 3 },
	promptMaxLength: KLING_PROMPT_LIMIT,
	typicalSeconds: KLING_3_TIME,
	inferred:
		'[W1] multi_prompt item shape {prompt, duration:int}, element_list items {element_id}, at most 3 elements and 6 shots (Kling rules)',
};

const KLING_2: Omit<ModelEntry, 'model' | 'kling' | 'name' | 'mode' | 'id' | 'tier' | 'fields'> = {
	provider: 'wavespeed',
	durations: FIVE_OR_TEN,
	defaultDuration: 5,
	aspectRatios: KLING_ASPECT_RATIOS,
	resolutions: [],
	audio: { kind: 'none' },
	endFrame: 'none',
	negativePrompt: true,
	cfgScale: true,
	multiShot: null,
	elements: null,
	promptMaxLength: KLING_PROMPT_LIMIT,
	typicalSeconds: KLING_2_TIME,
};

const V3_PRICE = { date: '2026-12-01', source: 'W4 (3p quoting wavespeed.ai)' };
const V4_PRICE = {
	usdPerSecond: 0.157,
	usdPerSecondByResolution: { '720p': 0.157, '1080p': 0.235 },
	date: '2026-12-01',
	source: 'W6',
};

const entries: ModelEntry[] = [
	{
		...KLING_3,
		model: 'kling-4.0',
		kling: 'kling-4.0',
		name: 'Kling 4.0',
		mode: 'text-to-video',
		id: 'kwaivgi/kling-v4.0/text-to-video',
		tier: null,
		durations: THREE_TO_THIRTY,
		aspectRatios: KLING_4_ASPECT_RATIOS,
		resolutions: KLING_4_RESOLUTIONS,
		audio: { kind: 'always' },
		negativePrompt: false,
		cfgScale: false,
		multiShot: null,
		elements: null,
		promptMaxLength: KLING_4_PROMPT_LIMIT,
		fields: {
			prompt: 'prompt',
			duration: DURATION,
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
		},
		price: V4_PRICE,
		typicalSeconds: KLING_4_TIME,
		inferred: '[C1] prompt limit 26,000 (3p); 4k and HDR only in a blog [X3], not offered',
	},
	{
		...KLING_3,
		model: 'kling-4.0',
		kling: 'kling-4.0',
		name: 'Kling 4.0',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v4.0/image-to-video',
		tier: null,
		durations: THREE_TO_THIRTY,
		// [W6]: aspect_ratio is optional on image-to-video; left out, the output follows the first frame.
		aspectRatios: KLING_4_ASPECT_RATIOS,
		resolutions: KLING_4_RESOLUTIONS,
		audio: { kind: 'always' },
		endFrame: 'optional',
		negativePrompt: false,
		cfgScale: false,
		multiShot: null,
		elements: null,
		promptMaxLength: KLING_4_PROMPT_LIMIT,
		fields: {
			prompt: 'prompt',
			duration: DURATION,
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			startImage: 'image',
			endImage: 'last_image',
		},
		price: V4_PRICE,
		typicalSeconds: KLING_4_TIME,
		inferred:
			'[W6] image-to-video aspect ratio values assumed as text-to-video; keyframes not offered',
	},
	...(['pro', 'std', '4k'] as const).flatMap((tier): ModelEntry[] => {
		const name = { pro: 'Kling 3.0 Pro', std: 'Kling 3.0 Standard', '4k': 'Kling 3.0 4K' }[tier];
		// [W1]: the 4k text-to-video page marks prompt as required: a shot list comes with the shots'
		// prompts joined as the prompt.
		const shots = tier === '4k' ? { ...SHOTS, keepPrompt: 'joined' as const } : SHOTS;
		const price =
			tier === 'std'
				? { ...V3_PRICE, usdPerSecond: 0.084, usdPerSecondWithAudio: 0.126 }
				: undefined;
		return [
			{
				...KLING_3,
				model: `kling-3.0-${tier}`,
				kling: `kling-3.0-${tier}`,
				name,
				mode: 'text-to-video',
				id: `kwaivgi/kling-v3.0-${tier}/text-to-video`,
				tier,
				fields: { ...KLING_3_T2V, shots },
				price,
			},
			{
				...KLING_3,
				model: `kling-3.0-${tier}`,
				kling: `kling-3.0-${tier}`,
				name,
				mode: 'image-to-video',
				id: `kwaivgi/kling-v3.0-${tier}/image-to-video`,
				tier,
				aspectRatios: [],
				endFrame: 'optional',
				fields: KLING_3_I2V,
				price,
			},
		];
	}),
	...(['pro', 'std'] as const).map(
		(tier): ModelEntry => ({
			...KLING_3,
			model: `kling-3.0-turbo-${tier}`,
			kling: `kling-3.0-turbo-${tier}`,
			// [W2]: std renders 720p, pro 1080p.
			name: tier === 'pro' ? 'Kling 3.0 Turbo Pro (1080p)' : 'Kling 3.0 Turbo Standard (720p)',
			mode: 'text-to-video',
			id: `kwaivgi/kling-v3-turbo-${tier}/text-to-video`,
			tier,
			audio: { kind: 'always' },
			negativePrompt: false,
			cfgScale: false,
			elements: null,
			fields: {
				prompt: 'prompt',
				duration: DURATION,
				aspectRatio: 'aspect_ratio',
				shots: { field: 'multi_prompt', encoding: 'array', durationType: 'integer' },
			},
			inferred:
				'[W2] no sound, negative prompt or CFG field listed; audio always on (third-party reports, as on the other providers); image-to-video not seen',
		}),
	),
	...(['pro', 'std', '4k'] as const).flatMap((tier): ModelEntry[] => {
		const name = { pro: 'Kling O3 Pro', std: 'Kling O3 Standard', '4k': 'Kling O3 4K' }[tier];
		const common = {
			...KLING_3,
			model: `kling-o3-${tier}`,
			kling: `kling-o3-${tier}`,
			name,
			tier,
			negativePrompt: false,
			cfgScale: false,
			inferred: '[W1] O3 fields as Kling 3.0 without negative prompt and CFG',
		};
		return [
			{
				...common,
				mode: 'text-to-video',
				id: `kwaivgi/kling-video-o3-${tier}/text-to-video`,
				fields: {
					prompt: 'prompt',
					duration: DURATION,
					aspectRatio: 'aspect_ratio',
					audio: SOUND,
					shots: SHOTS,
					elements: ELEMENTS,
				},
			},
			{
				...common,
				mode: 'image-to-video',
				id: `kwaivgi/kling-video-o3-${tier}/image-to-video`,
				aspectRatios: [],
				endFrame: 'optional',
				fields: {
					prompt: 'prompt',
					duration: DURATION,
					audio: SOUND,
					startImage: 'image',
					endImage: 'end_image',
					shots: SHOTS,
					elements: ELEMENTS,
				},
			},
		];
	}),
	...(['pro', 'std'] as const).flatMap((tier): ModelEntry[] => {
		const common = {
			...KLING_3,
			model: `kling-o1-${tier}`,
			kling: `kling-o1-${tier}`,
			name: tier === 'pro' ? 'Kling O1 Pro' : 'Kling O1 Standard',
			tier,
			durations: THREE_TO_TEN,
			audio: { kind: 'none' } as const,
			negativePrompt: false,
			cfgScale: false,
			multiShot: null,
			elements: null,
			inferred: '[W1] the id without -std taken as pro',
		};
		const path = tier === 'pro' ? 'kwaivgi/kling-video-o1' : 'kwaivgi/kling-video-o1-std';
		return [
			{
				...common,
				mode: 'text-to-video',
				id: `${path}/text-to-video`,
				fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio' },
			},
			{
				...common,
				mode: 'image-to-video',
				id: `${path}/image-to-video`,
				aspectRatios: [],
				endFrame: 'optional',
				fields: {
					prompt: 'prompt',
					duration: DURATION,
					startImage: 'image',
					endImage: 'last_image',
				},
			},
		];
	}),
	{
		...KLING_2,
		model: 'kling-2.6-pro',
		kling: 'kling-2.6-pro',
		name: 'Kling 2.6 Pro',
		mode: 'text-to-video',
		id: 'kwaivgi/kling-v2.6-pro/text-to-video',
		tier: 'pro',
		audio: { kind: 'switch', providerDefault: true },
		fields: { ...KLING_2_T2V, cfgScale: 'cfg_scale', audio: SOUND },
	},
	{
		...KLING_2,
		model: 'kling-2.6-pro',
		kling: 'kling-2.6-pro',
		name: 'Kling 2.6 Pro',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.6-pro/image-to-video',
		tier: 'pro',
		aspectRatios: [],
		audio: { kind: 'switch', providerDefault: false },
		endFrame: 'optional',
		fields: { ...KLING_2_I2V, cfgScale: 'cfg_scale', audio: SOUND },
	},
	{
		...KLING_2,
		model: 'kling-2.6-std',
		kling: 'kling-2.6-std',
		name: 'Kling 2.6 Standard',
		mode: 'text-to-video',
		id: 'kwaivgi/kling-v2.6-std/text-to-video',
		tier: 'std',
		cfgScale: false,
		fields: { ...KLING_2_T2V, cfgScale: undefined },
	},
	{
		...KLING_2,
		model: 'kling-2.6-std',
		kling: 'kling-2.6-std',
		name: 'Kling 2.6 Standard',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.6-std/image-to-video',
		tier: 'std',
		aspectRatios: [],
		cfgScale: false,
		fields: { ...KLING_2_I2V, cfgScale: undefined, endImage: undefined },
	},
	{
		...KLING_2,
		model: 'kling-v2.5-turbo-pro',
		kling: 'kling-2.5-turbo-pro',
		name: 'Kling 2.5 Turbo Pro',
		mode: 'text-to-video',
		id: 'kwaivgi/kling-v2.5-turbo-pro/text-to-video',
		tier: 'pro',
		fields: KLING_2_T2V,
	},
	{
		...KLING_2,
		model: 'kling-v2.5-turbo-pro',
		kling: 'kling-2.5-turbo-pro',
		name: 'Kling 2.5 Turbo Pro',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.5-turbo-pro/image-to-video',
		tier: 'pro',
		aspectRatios: [],
		endFrame: 'optional',
		// The newer 2.5 Turbo Pro docs name the end frame `last_image` (PROVIDERS.md §1.2).
		fields: { ...KLING_2_I2V, endImage: 'last_image' },
	},
	{
		...KLING_2,
		model: 'kling-v2.1-master',
		kling: 'kling-2.1-master',
		name: 'Kling 2.1 Master',
		mode: 'text-to-video',
		id: 'kwaivgi/kling-v2.1-t2v-master',
		tier: null,
		fields: KLING_2_T2V,
	},
	{
		...KLING_2,
		model: 'kling-v2.1-master',
		kling: 'kling-2.1-master',
		name: 'Kling 2.1 Master',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.1-i2v-master',
		tier: null,
		aspectRatios: [],
		fields: { ...KLING_2_I2V, endImage: undefined },
	},
	{
		...KLING_2,
		model: 'kling-v2.1-pro',
		kling: 'kling-2.1-pro',
		name: 'Kling 2.1 Pro',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.1-i2v-pro',
		tier: 'pro',
		aspectRatios: [],
		fields: { ...KLING_2_I2V, endImage: undefined },
	},
	{
		...KLING_2,
		model: 'kling-v2.1-pro-start-end-frame',
		kling: 'kling-2.1-pro-start-end-frame',
		name: 'Kling 2.1 Pro Start-End Frame',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.1-i2v-pro/start-end-frame',
		tier: 'pro',
		aspectRatios: [],
		endFrame: 'required',
		fields: KLING_2_I2V,
	},
	{
		...KLING_2,
		model: 'kling-v2.1-standard',
		kling: 'kling-2.1-std',
		name: 'Kling 2.1 Standard',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.1-i2v-standard',
		tier: 'std',
		aspectRatios: [],
		fields: { ...KLING_2_I2V, endImage: undefined },
	},
	{
		...KLING_2,
		model: 'kling-v2.0-master',
		kling: 'kling-2.0-master',
		name: 'Kling 2.0 Master',
		mode: 'text-to-video',
		id: 'kwaivgi/kling-v2.0-t2v-master',
		tier: null,
		cfgScale: false,
		fields: { ...KLING_2_T2V, cfgScale: undefined },
	},
	{
		...KLING_2,
		model: 'kling-v2.0-master',
		kling: 'kling-2.0-master',
		name: 'Kling 2.0 Master',
		mode: 'image-to-video',
		id: 'kwaivgi/kling-v2.0-i2v-master',
		tier: null,
		aspectRatios: [],
		endFrame: 'optional',
		fields: KLING_2_I2V,
	},
];

/**
 * WaveSpeed AI's capabilities beyond text/image to video (KLING-MODELS.md §1b, §3.1, §6c, §7): motion
 * control, lip-sync, AI avatar, O1 / O3 / 4.0 reference-to-video and video-edit, 4.0 video-extend.
 * Same flat body as generation; the model id is the path.
 */

const base = { ...CAPABILITY_DEFAULTS, provider: 'wavespeed' as const };

const motion = (version: '2.6' | '3.0', tier: 'std' | 'pro'): ModelEntry => ({
	...base,
	model: `kling-${version}-${tier}`,
	kling: `kling-${version}-${tier}`,
	name: `Kling ${version} ${tier === 'pro' ? 'Pro' : 'Standard'}`,
	mode: 'motion-control',
	id: `kwaivgi/kling-v${version}-${tier}/motion-control`,
	tier,
	negativePrompt: true,
	fields: { prompt: 'prompt', negativePrompt: 'negative_prompt' },
	capability: {
		image: { field: 'image', required: true, limits: CHARACTER_IMAGE },
		video: { field: 'video', required: true, limits: MOTION_VIDEO },
		orientation: { field: 'character_orientation' },
		keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
		prompt: 'optional',
		length: 'input',
	},
	...(version === '3.0' && tier === 'pro'
		? { price: { usdPerSecond: 0.168, date: '2026-10-02', source: 'W5 (3p registry)' } }
		: {}),
	inferred:
		'[W2] keep_original_sound taken as a boolean (default on); reference video size cap 100 MB from Kling [O6]; output length follows the reference video (from [F1])',
});

const avatar = (version: 'v2' | 'v1', tier: 'standard' | 'pro'): ModelEntry => ({
	...base,
	model: `kling-avatar-${version}-${tier === 'pro' ? 'pro' : 'std'}`,
	kling: `kling-avatar-${version}-${tier === 'pro' ? 'pro' : 'std'}`,
	name: `Kling AI Avatar ${version} ${tier === 'pro' ? 'Pro' : 'Standard'}`,
	mode: 'avatar',
	id: `kwaivgi/kling-${version}-ai-avatar-${tier}`,
	tier: tier === 'pro' ? 'pro' : 'std',
	audio: { kind: 'always' },
	capability: {
		image: { field: 'image', required: true, limits: CHARACTER_IMAGE },
		audio: { field: 'audio', required: true, limits: AVATAR_AUDIO },
		prompt: 'optional',
		length: 'input',
	},
	inferred:
		"[W1] audio limits (2–300 s, 5 MB) taken from Kling's own avatar API [O1]; WaveSpeed states none",
});

const omniRef = (o: 'o1' | 'o3', tier: 'std' | 'pro' | '4k'): ModelEntry => {
	const path =
		o === 'o1'
			? tier === 'pro'
				? 'kwaivgi/kling-video-o1'
				: 'kwaivgi/kling-video-o1-std'
			: `kwaivgi/kling-video-o3-${tier}`;
	return {
		...base,
		model: `kling-${o}-${tier}`,
		kling: `kling-${o}-${tier}`,
		name: `Kling ${o.toUpperCase()} ${{ std: 'Standard', pro: 'Pro', '4k': '4K' }[tier]}`,
		mode: 'reference-to-video',
		id: `${path}/reference-to-video`,
		tier,
		durations: o === 'o1' ? THREE_TO_TEN : THREE_TO_FIFTEEN,
		aspectRatios: KLING_ASPECT_RATIOS,
		fields: { prompt: 'prompt', duration: DURATION, aspectRatio: 'aspect_ratio' },
		capability: {
			video: { field: 'video', required: false, limits: OMNI_VIDEO },
			referenceImages: { field: 'images', max: 7, maxWithVideo: 4, limits: REFERENCE_IMAGE },
			keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
			prompt: 'required',
			promptRefs: 'angle',
			length: 'duration',
		},
		inferred:
			"[W1] prompt reference syntax not stated (3.0 pages use <<<image_1>>>, sent so); reference video 3–10 s as Kling's O-series; O3 sound switch not offered (sound must be off with a video)",
	};
};

const omniEdit = (o: 'o1' | 'o3', tier: 'std' | 'pro'): ModelEntry => {
	const path =
		o === 'o1'
			? tier === 'pro'
				? 'kwaivgi/kling-video-o1'
				: 'kwaivgi/kling-video-o1-std'
			: `kwaivgi/kling-video-o3-${tier}`;
	return {
		...base,
		model: `kling-${o}-${tier}`,
		kling: `kling-${o}-${tier}`,
		name: `Kling ${o.toUpperCase()} ${tier === 'pro' ? 'Pro' : 'Standard'}`,
		mode: 'edit-video',
		id: `${path}/video-edit`,
		tier,
		capability: {
			video: { field: 'video', required: true, limits: OMNI_VIDEO },
			referenceImages: { field: 'images', max: 4, limits: REFERENCE_IMAGE },
			keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
			prompt: 'required',
			promptRefs: 'angle',
			length: 'input',
		},
		inferred: '[W1] edit keeps the source length; prompt syntax <<<video_1>>> as the 3.0 pages',
	};
};

const V4 = {
	...base,
	model: 'kling-4.0',
	kling: 'kling-4.0',
	name: 'Kling 4.0',
	tier: null,
	resolutions: KLING_4_RESOLUTIONS,
	audio: { kind: 'always' } as const,
	promptMaxLength: KLING_4_PROMPT_LIMIT,
	price: V4_PRICE,
	typicalSeconds: KLING_4_TIME,
};

const capabilities: ModelEntry[] = [
	motion('3.0', 'pro'),
	motion('3.0', 'std'),
	motion('2.6', 'pro'),
	motion('2.6', 'std'),
	{
		...base,
		model: 'kling-lipsync-audio',
		kling: 'kling-lipsync-audio',
		name: 'Kling Lip-Sync (Audio)',
		mode: 'lip-sync',
		id: 'kwaivgi/kling-lipsync/audio-to-video',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: { field: 'video', required: true, limits: LIPSYNC_VIDEO },
			audio: { field: 'audio', required: true, limits: LIPSYNC_AUDIO },
			prompt: 'none',
			length: 'input',
		},
	},
	{
		...base,
		model: 'kling-lipsync-text',
		kling: 'kling-lipsync-text',
		name: 'Kling Lip-Sync (Text to Speech)',
		mode: 'lip-sync',
		id: 'kwaivgi/kling-lipsync/text-to-video',
		audio: { kind: 'always' },
		fields: {},
		capability: {
			video: { field: 'video', required: true, limits: LIPSYNC_VIDEO },
			speech: {
				textField: 'text',
				voiceField: 'voice_id',
				languageField: 'voice_language',
				speedField: 'voice_speed',
				maxChars: 120,
				defaultVoice: 'genshin_klee2',
			},
			prompt: 'none',
			length: 'input',
		},
		inferred: '[W1] voice_id list of 25 Kling voices from a 3p copy of the page',
	},
	avatar('v2', 'pro'),
	avatar('v2', 'standard'),
	avatar('v1', 'pro'),
	avatar('v1', 'standard'),
	{
		...V4,
		mode: 'reference-to-video',
		id: 'kwaivgi/kling-v4.0/reference-to-video',
		durations: THREE_TO_THIRTY,
		aspectRatios: KLING_4_ASPECT_RATIOS,
		fields: {
			prompt: 'prompt',
			duration: DURATION,
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
		},
		capability: {
			video: { field: 'videos', list: true, required: false, limits: KLING_4_VIDEO },
			audio: {
				field: 'audios',
				list: true,
				required: false,
				limits: { types: AUDIO_TYPES, maxBytes: 5 * MB, minSeconds: 5, maxSeconds: 30 },
			},
			referenceImages: { field: 'images', max: 10, limits: REFERENCE_IMAGE },
			keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: false },
			prompt: 'required',
			promptRefs: 'at',
			length: 'duration',
		},
		inferred:
			'[W6] field names images / videos / audios inferred (§5 q3); one video and one audio offered (up to 5 / 3 documented); audio 5 MB cap from Kling',
	},
	...(['pro', 'std', '4k'] as const).map((tier) => omniRef('o3', tier)),
	omniRef('o1', 'pro'),
	omniRef('o1', 'std'),
	{
		...V4,
		mode: 'edit-video',
		id: 'kwaivgi/kling-v4.0/video-edit',
		fields: { prompt: 'prompt', resolution: 'resolution' },
		capability: {
			video: {
				field: 'video',
				required: true,
				limits: { ...KLING_4_VIDEO, maxSeconds: undefined },
			},
			referenceImages: { field: 'images', max: 10, limits: REFERENCE_IMAGE },
			keepSound: { field: 'keep_original_sound', encoding: 'boolean', providerDefault: true },
			prompt: 'required',
			promptRefs: 'at',
			length: 'input',
		},
		inferred:
			"[W6] keep_original_sound name inferred (as reference-to-video); a source over 30 s is trimmed to 30 by WaveSpeed; duration/aspect overrides not offered (the output keeps the input's)",
	},
	omniEdit('o3', 'pro'),
	omniEdit('o3', 'std'),
	omniEdit('o1', 'pro'),
	omniEdit('o1', 'std'),
	{
		...V4,
		mode: 'extend-video',
		id: 'kwaivgi/kling-v4.0/video-extend',
		durations: THREE_TO_THIRTY,
		endFrame: 'optional',
		fields: {
			prompt: 'prompt',
			duration: DURATION,
			resolution: 'resolution',
			endImage: 'last_image',
		},
		capability: {
			video: {
				field: 'video',
				required: true,
				limits: { ...KLING_4_VIDEO, minSeconds: undefined, maxSeconds: undefined },
			},
			prompt: 'required',
			promptRefs: 'at',
			length: 'input-plus-duration',
		},
		inferred:
			'[W6] source video length limits not documented; Duration = the new segment (billed), the result = source + segment',
	},
];

export const wavespeedCatalog: ProviderCatalog = {
	provider: 'wavespeed',
	entries: [...entries, ...capabilities],
	// PROVIDERS.md §1.8: over-concurrency tasks wait (no refusal); 429 is the rate limit.
	refusals: [
		{ kind: 'insufficient_credits', httpStatus: 402 },
		{ kind: 'rate_limited', httpStatus: 429 },
	],
	perTaskCallbacks: true,
	// "Predictions are stored for 7 days … After 7 days, prediction data and outputs are deleted."
	resultUrlLifetime: {
		seconds: 7 * 86400,
		from: 'created',
		source: 'https://wavespeed.ai/docs/what-are-predictions',
	},
	firstVersionDefault: 'kling-v2.5-turbo-pro',
	defaultModel: 'kling-4.0',
};
