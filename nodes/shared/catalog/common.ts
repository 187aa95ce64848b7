import type { DurationSpec, MediaLimits, ModelEntry, MultiShotSpec } from './types';

/** Values that recur across entries, named once. Each entry still states all of its facts. */

export const FIVE_OR_TEN: DurationSpec = { values: [5, 10] };
export const THREE_TO_TEN: DurationSpec = { min: 3, max: 10 };
export const THREE_TO_FIFTEEN: DurationSpec = { min: 3, max: 15 };
export const THREE_TO_TWENTY: DurationSpec = { min: 3, max: 20 };
export const THREE_TO_THIRTY: DurationSpec = { min: 3, max: 30 };

export const KLING_ASPECT_RATIOS = ['16:9', '9:16', '1:1'];
/** Kling 4.0 adds 21:9 (KLING-MODELS.md §6b). */
export const KLING_4_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '21:9'];
export const KLING_4_RESOLUTIONS = ['720p', '1080p'];

/** Kling's prompt limit (2500 characters); Kling 4.0 takes much longer prompts ([C1]: 26,000). */
export const KLING_PROMPT_LIMIT = 2500;
export const KLING_4_PROMPT_LIMIT = 26000;

/** Kling's multi-shot rules: up to 6 shots of at least 1 s that add up to the duration, no end frame. */
export const KLING_SHOTS: MultiShotSpec = {
	maxShots: 6,
	minShotDuration: 1,
	maxShotDuration: null,
	sumEqualsDuration: true,
	withEndFrame: false,
	maxShotPromptLength: null,
};

/**
 * Typical generation times (first status check and the wait schedule start from these):
 * Kling 2.x — seed advice, ~30 s for a 5 s clip and ~45 s for 10 s (PROVIDERS.md seeds);
 * Kling 3.0 / O-series — ~135 s typical (KLING-MODELS.md §4, [X1]), 2–3 min measured on Kie [K3];
 * Kling 4.0 — 106–284 s in six third-party runs (§6b, [X4][X5]).
 */
export const KLING_2_TIME: ModelEntry['typicalSeconds'] = {
	fiveSecondClip: [30, 45],
	perExtraSecond: 3,
};
export const KLING_3_TIME: ModelEntry['typicalSeconds'] = {
	fiveSecondClip: [100, 180],
	perExtraSecond: 10,
};
export const KLING_4_TIME: ModelEntry['typicalSeconds'] = {
	fiveSecondClip: [106, 284],
	perExtraSecond: 10,
};

/* Capabilities beyond text/image to video (KLING-MODELS.md §1b, §6, §7). */

export const MB = 1024 * 1024;
export const IMAGE_TYPES = ['image/jpeg', 'image/png'];
export const IMAGE_TYPES_WEBP = ['image/jpeg', 'image/png', 'image/webp'];
export const VIDEO_TYPES = ['video/mp4', 'video/quicktime'];
/** mp3 / wav / m4a / aac, as Kling's lip-sync and avatar pages list them. */
export const AUDIO_TYPES = ['audio/mpeg', 'audio/wav', 'audio/mp4', 'audio/aac'];

/** A character image (motion control, avatar): JPG/PNG up to 10 MB (Kling's image rule). */
export const CHARACTER_IMAGE: MediaLimits = { types: IMAGE_TYPES, maxBytes: 10 * MB };
/** Motion control's reference video: 3–30 s (orientation "image": Kling cuts at 10 s). */
export const MOTION_VIDEO: MediaLimits = {
	types: VIDEO_TYPES,
	maxBytes: 100 * MB,
	minSeconds: 3,
	maxSeconds: 30,
};
/** Lip-sync's source video: MP4/MOV up to 100 MB, 2–10 s ([W1], Replicate [P4]). */
export const LIPSYNC_VIDEO: MediaLimits = {
	types: VIDEO_TYPES,
	maxBytes: 100 * MB,
	minSeconds: 2,
	maxSeconds: 10,
};
/** Lip-sync audio: mp3/wav/m4a/aac up to 5 MB. */
export const LIPSYNC_AUDIO: MediaLimits = { types: AUDIO_TYPES, maxBytes: 5 * MB };
/** Avatar audio: 2–300 s, up to 5 MB (Kling's avatar API [O1]; the resellers state none). */
export const AVATAR_AUDIO: MediaLimits = {
	types: AUDIO_TYPES,
	maxBytes: 5 * MB,
	minSeconds: 2,
	maxSeconds: 300,
};
/** An O-series reference or base video: 3–10 s, up to 200 MB (§7). */
export const OMNI_VIDEO: MediaLimits = {
	types: VIDEO_TYPES,
	maxBytes: 200 * MB,
	minSeconds: 3,
	maxSeconds: 10,
};
/** Kling 4.0 reference / edit / extend videos: 3–30 s (§6b). */
export const KLING_4_VIDEO: MediaLimits = {
	types: VIDEO_TYPES,
	maxBytes: null,
	minSeconds: 3,
	maxSeconds: 30,
};
export const REFERENCE_IMAGE: MediaLimits = { types: IMAGE_TYPES, maxBytes: 10 * MB };

/** Motion control typically takes minutes: ~4.5 min for 10 s std on Replicate ([P5]). */
export const CAPABILITY_TIME: ModelEntry['typicalSeconds'] = {
	fiveSecondClip: [100, 240],
	perExtraSecond: 15,
};

type CapabilityEntryBase = Omit<
	ModelEntry,
	'provider' | 'model' | 'kling' | 'name' | 'mode' | 'id' | 'capability'
>;

/** What a capability entry has unless it says otherwise: no duration choice, no generation extras. */
export const CAPABILITY_DEFAULTS: CapabilityEntryBase = {
	tier: null,
	durations: null,
	defaultDuration: 5,
	aspectRatios: [],
	resolutions: [],
	audio: { kind: 'none' },
	endFrame: 'none',
	negativePrompt: false,
	cfgScale: false,
	multiShot: null,
	elements: null,
	promptMaxLength: KLING_PROMPT_LIMIT,
	fields: { prompt: 'prompt' },
	typicalSeconds: CAPABILITY_TIME,
};
