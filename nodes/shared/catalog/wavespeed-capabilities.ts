import {
	AVATAR_AUDIO,
	CAPABILITY_DEFAULTS,
	CHARACTER_IMAGE,
	KLING_4_ASPECT_RATIOS,
	KLING_4_PROMPT_LIMIT,
	KLING_4_RESOLUTIONS,
	KLING_4_TIME,
	KLING_4_VIDEO,
	KLING_ASPECT_RATIOS,
	LIPSYNC_AUDIO,
	LIPSYNC_VIDEO,
	MB,
	MOTION_VIDEO,
	OMNI_VIDEO,
	REFERENCE_IMAGE,
	THREE_TO_FIFTEEN,
	THREE_TO_TEN,
	THREE_TO_THIRTY,
	AUDIO_TYPES,
} from './common';
import type { ModelEntry } from './types';

/**
 * WaveSpeed AI's capabilities beyond text/image to video (KLING-MODELS.md §1b, §3.1, §6c, §7): motion
 * control, lip-sync, AI avatar, O1 / O3 / 4.0 reference-to-video and video-edit, 4.0 video-extend.
 * Same flat body as generation; the model id is the path.
 */

const DURATION = { field: 'duration', type: 'integer' } as const;
const base = { ...CAPABILITY_DEFAULTS, provider: 'wavespeed' as const };
const V4_PRICE = {
	usdPerSecond: 0.157,
	usdPerSecondByResolution: { '720p': 0.157, '1080p': 0.235 },
	date: '2026-12-01',
	source: 'W6',
};

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

export const wavespeedCapabilities: ModelEntry[] = [
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
