import type { DurationSpec, ModelEntry, MultiShotSpec } from './types';

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
