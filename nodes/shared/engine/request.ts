import type { IDataObject } from 'n8n-workflow';
import { CATALOG, entriesOf } from '../catalog';
import type { DurationSpec, GenerationMode, ModelEntry, ProviderId } from '../catalog/types';
import { capabilityAudio, effectiveAudio, reportedResolution } from '../providers/fields';
import type { GenerationRequest } from '../providers/types';
import { InputError } from '../util/errors';
import { checkCapability } from './capability';

/** Kling's negative prompt limit where the catalog names no other. */
const NEGATIVE_PROMPT_LIMIT = 2500;

/**
 * The catalog entry a model option stands for. Kling official has one entry per API generation for
 * some models: an API key in the credential selects the new per-model API, the access key and secret
 * key the legacy one; a model only the new API has needs the API key.
 */
export function resolveEntry(
	provider: ProviderId,
	model: string,
	mode: GenerationMode,
	credential: { hasApiKey: boolean },
): ModelEntry {
	const entries = entriesOf(provider, model, mode);
	if (entries.length === 0) {
		const offered = CATALOG[provider].entries.find((entry) => entry.model === model);
		const none = !CATALOG[provider].entries.some((entry) => entry.mode === mode);
		throw new InputError(
			none ? 'Generation Type' : 'Model',
			none
				? `${providerName(provider)} offers no ${mode} (KLING-MODELS.md: not sold there). Choose another Generation Type or provider`
				: offered
					? `${offered.name} on ${providerName(provider)} has no ${mode}. Choose another model or Generation Type`
					: `Model "${model}" is not offered by ${providerName(provider)}. Choose one of: ${[
							...new Set(CATALOG[provider].entries.map((entry) => entry.model)),
						].join(', ')}`,
		);
	}
	if (entries.length === 1) {
		const [entry] = entries;
		if (entry.api === 'new' && !credential.hasApiKey) {
			throw new InputError(
				'Model',
				`${entry.name} is only on Kling's new API, which needs an API key: add the API key to the Kling credential, or choose another model`,
			);
		}
		return entry;
	}
	const wanted = credential.hasApiKey ? 'new' : 'v1';
	return entries.find((entry) => entry.api === wanted) ?? entries[0];
}

function providerName(provider: ProviderId): string {
	return PROVIDER_NAMES[provider];
}

const PROVIDER_NAMES: Record<ProviderId, string> = {
	wavespeed: 'WaveSpeed AI',
	apixo: 'APIXO',
	kie: 'Kie.ai',
	rivya: 'Rivya AI',
	kling: 'Kling AI',
	fal: 'fal.ai',
	replicate: 'Replicate',
};

/** Words for a duration spec: "5 or 10 seconds", "3 to 15 seconds". */
export function describeDurations(spec: DurationSpec): string {
	return 'values' in spec
		? `${spec.values.join(' or ')} seconds`
		: `${spec.min} to ${spec.max} seconds`;
}

export function durationAllowed(spec: DurationSpec, duration: number): boolean {
	if ('values' in spec) return spec.values.includes(duration);
	return Number.isInteger(duration) && duration >= spec.min && duration <= spec.max;
}

/**
 * Check one generation against its catalog entry before anything is sent. Each problem is an
 * InputError naming the field, what was given and what the model allows.
 */
export function checkRequest(request: GenerationRequest, typedPrompt: string | null = null): void {
	const { entry } = request;
	const model = `${entry.name} on ${providerName(entry.provider)}`;
	const shots = request.shots?.length ? request.shots : null;

	if (entry.capability) {
		checkCapability(request, model, typedPrompt);
	} else if (!shots) {
		if (!request.prompt) {
			throw new InputError('Prompt', 'Prompt is empty. Describe the video to generate');
		}
		if (request.prompt.length > entry.promptMaxLength) {
			throw new InputError(
				'Prompt',
				`Prompt has ${request.prompt.length} characters; ${model} allows at most ${entry.promptMaxLength}`,
			);
		}
	}

	if (entry.durations && !durationAllowed(entry.durations, request.duration ?? NaN)) {
		throw new InputError(
			'Duration',
			`Duration ${request.duration} s is not available for ${model}. Allowed: ${describeDurations(entry.durations)}`,
		);
	}

	if (
		entry.aspectRatios.length &&
		request.aspectRatio !== null &&
		!entry.aspectRatios.includes(request.aspectRatio)
	) {
		throw new InputError(
			'Aspect Ratio',
			`Aspect ratio "${request.aspectRatio}" is not available for ${model}. Allowed: ${entry.aspectRatios.join(', ')}`,
		);
	}

	checkResolution(request, model);
	checkAudio(request, model);

	if (request.mode === 'image-to-video' && !request.startImageUrl) {
		throw new InputError(
			'Start Frame',
			'Image-to-video needs a start frame. Set "Start Frame" to an image URL or a binary property',
		);
	}

	if (shots) checkShots(request, model);
	checkEndFrame(request, model);
	checkElements(request, model);

	if (request.negativePrompt) {
		if (!entry.negativePrompt) {
			throw new InputError(
				'Negative Prompt',
				`${model} takes no negative prompt. Remove it from Generation Settings (describe what to avoid in the prompt instead)`,
			);
		}
		const limit = entry.negativePromptMaxLength ?? NEGATIVE_PROMPT_LIMIT;
		if (request.negativePrompt.length > limit) {
			throw new InputError(
				'Negative Prompt',
				`Negative prompt has ${request.negativePrompt.length} characters; ${model} allows at most ${limit}`,
			);
		}
	}

	if (request.cfgScale !== null) {
		if (!Number.isFinite(request.cfgScale) || request.cfgScale < 0 || request.cfgScale > 1) {
			throw new InputError(
				'Guidance (CFG) Scale',
				`Guidance (CFG) Scale must be a number from 0 to 1, not ${String(request.cfgScale)}`,
			);
		}
		if (!entry.cfgScale) {
			throw new InputError(
				'Guidance (CFG) Scale',
				`${model} has no guidance (CFG) scale. Remove it from Generation Settings`,
			);
		}
	}

	if (request.callbackUrl && !CATALOG[entry.provider].perTaskCallbacks) {
		throw new InputError(
			'Callback URL',
			`${providerName(entry.provider)} has no per-task callback URL: its webhooks are account-level endpoints. Leave "Callback URL" empty and register the Kling Video Trigger as a webhook endpoint instead`,
		);
	}
}

function checkResolution(request: GenerationRequest, model: string): void {
	const { entry, resolution } = request;
	if (resolution === null) return;
	if (!entry.resolutions.includes(resolution)) {
		throw new InputError(
			'Resolution',
			entry.resolutions.length
				? `Resolution "${resolution}" is not available for ${model}. Allowed: ${entry.resolutions.join(', ')}`
				: `${model} has no resolution choice (its tier decides it). Remove the resolution`,
		);
	}
}

function checkAudio(request: GenerationRequest, model: string): void {
	const { entry, audio } = request;
	if (entry.audio.kind === 'always' && audio === false) {
		throw new InputError('Audio', `${model} always generates sound; it cannot be turned off`);
	}
	if (entry.audio.kind === 'none' && audio === true) {
		throw new InputError(
			'Audio',
			`${model} makes silent videos. Turn Audio off or choose a model with audio`,
		);
	}
	const needs = entry.requires?.audio?.resolution;
	if (audio === true && needs && request.resolution !== needs) {
		throw new InputError(
			'Audio',
			`${model} makes sound only at ${needs}. Choose ${needs} or turn Audio off`,
		);
	}
}

function checkEndFrame(request: GenerationRequest, model: string): void {
	const { entry } = request;
	if (request.mode !== 'image-to-video') return;
	if (request.endImageUrl && entry.endFrame === 'none') {
		throw new InputError(
			'End Frame',
			`${model} does not take an end frame. Set "End Frame" to None or choose a model with end-frame support`,
		);
	}
	if (!request.endImageUrl && entry.endFrame === 'required') {
		throw new InputError(
			'End Frame',
			`${model} needs an end frame. Set "End Frame" to an image URL or a binary property`,
		);
	}
	const needs = entry.requires?.endFrame;
	if (!request.endImageUrl || !needs) return;
	if (needs.audio === false && effectiveAudio(entry, request.audio)) {
		throw new InputError(
			'End Frame',
			`${model} takes an end frame only for silent videos. Turn Audio off or remove the end frame`,
		);
	}
	if (needs.resolution && request.resolution !== needs.resolution) {
		throw new InputError(
			'End Frame',
			`${model} takes an end frame only at ${needs.resolution}. Choose ${needs.resolution} or remove the end frame`,
		);
	}
}

function checkShots(request: GenerationRequest, model: string): void {
	const spec = request.entry.multiShot;
	const shots = request.shots ?? [];
	if (!spec) {
		throw new InputError(
			'Multi-Shot',
			`${model} has no multi-shot. Turn Multi-Shot off or choose a model with multi-shot`,
		);
	}
	if (spec.maxShots !== null && shots.length > spec.maxShots) {
		throw new InputError(
			'Multi-Shot',
			`Multi-Shot has ${shots.length} shots; ${model} takes at most ${spec.maxShots}`,
		);
	}
	shots.forEach((shot, index) => {
		const which = `Shot ${index + 1}`;
		if (!shot.prompt.trim()) {
			throw new InputError('Multi-Shot', `${which} has an empty prompt. Describe the shot`);
		}
		if (spec.maxShotPromptLength !== null && shot.prompt.length > spec.maxShotPromptLength) {
			throw new InputError(
				'Multi-Shot',
				`${which}'s prompt has ${shot.prompt.length} characters; ${model} allows at most ${spec.maxShotPromptLength} per shot`,
			);
		}
		const tooLong = spec.maxShotDuration !== null && shot.duration > spec.maxShotDuration;
		if (!Number.isInteger(shot.duration) || shot.duration < spec.minShotDuration || tooLong) {
			const range =
				spec.maxShotDuration === null
					? `at least ${spec.minShotDuration} s`
					: `${spec.minShotDuration} to ${spec.maxShotDuration} s`;
			throw new InputError(
				'Multi-Shot',
				`${which} lasts ${shot.duration} s; shots on ${model} last whole seconds, ${range}`,
			);
		}
	});
	const total = shots.reduce((sum, shot) => sum + shot.duration, 0);
	if (spec.sumEqualsDuration && total !== request.duration) {
		throw new InputError(
			'Multi-Shot',
			`The shots add up to ${total} s but Duration is ${request.duration} s. Make the shot durations add up to the clip's duration`,
		);
	}
	if (request.endImageUrl && !spec.withEndFrame) {
		throw new InputError(
			'Multi-Shot',
			`${model} takes no end frame with multi-shot. Remove the end frame or turn Multi-Shot off`,
		);
	}
	if (spec.requiresAudio && request.audio !== true) {
		throw new InputError('Multi-Shot', `${model} makes multi-shot clips only with Audio on`);
	}
}

function checkElements(request: GenerationRequest, model: string): void {
	const spec = request.entry.elements;
	const elements = request.elements ?? [];
	if (!elements.length) return;
	if (!spec) {
		throw new InputError(
			'Elements',
			`${model} takes no elements. Remove them or choose another model`,
		);
	}
	if (elements.length > spec.max) {
		throw new InputError(
			'Elements',
			`${elements.length} elements given; ${model} takes at most ${spec.max}`,
		);
	}
	elements.forEach((element, index) => {
		const which = `Element ${index + 1}`;
		if (spec.kind === 'ids' && !element.elementId) {
			throw new InputError(
				'Elements',
				`${which} has no element ID. ${model} uses elements created in the provider's console: enter their IDs`,
			);
		}
		if (spec.kind === 'inline' && !element.imageUrls?.length && !element.videoUrl) {
			throw new InputError('Elements', `${which} has no reference images. Add its image URLs`);
		}
	});
}

/** `json.request` of the output (DESIGN.md Contracts): the values as sent, normalized. */
/**
 * An image as the output shows it: its URL, or for an image sent inline (a data URI or base64 of
 * up to 10 MB) a short note instead of the bytes, which would bloat every saved execution.
 */
function shownImage(value: string | null | undefined): string | null {
	if (!value) return null;
	if (/^https?:\/\//i.test(value)) return value;
	const type = /^data:([^;,]+)/.exec(value)?.[1] ?? 'base64';
	return `(sent inline: ${type}, ${Math.round((value.length * 3) / 4 / 1024)} kB)`;
}

/** The inputs of a capability as sent (binary inputs uploaded; inline ones as a note). */
function capabilityJson(request: GenerationRequest): IDataObject {
	const json: IDataObject = {
		inputVideoUrl: shownImage(request.inputVideoUrl),
		inputAudioUrl: shownImage(request.inputAudioUrl),
		referenceImageUrls: request.referenceImageUrls?.length
			? request.referenceImageUrls.map((url) => shownImage(url) as string)
			: null,
		elements: (request.elements ?? null) as unknown as IDataObject[] | null,
	};
	if (request.speech) json.speech = { ...request.speech };
	if (request.characterOrientation) json.characterOrientation = request.characterOrientation;
	if (typeof request.keepOriginalSound === 'boolean') {
		json.keepOriginalSound = request.keepOriginalSound;
	}
	return json;
}

export function requestJson(request: GenerationRequest | null): IDataObject {
	const shots = request?.shots?.length ? request.shots : null;
	return {
		prompt: request?.prompt ?? null,
		negativePrompt: request?.negativePrompt ?? null,
		duration: request?.duration ?? null,
		aspectRatio: request?.aspectRatio ?? null,
		cfgScale: request?.cfgScale ?? null,
		startImageUrl: shownImage(request?.startImageUrl),
		endImageUrl: shownImage(request?.endImageUrl),
		audio: request ? capabilityAudio(request) : null,
		resolution: request ? reportedResolution(request.entry, request.resolution) : null,
		shots: shots ? shots.map((shot) => ({ prompt: shot.prompt, duration: shot.duration })) : null,
		...(request?.entry.capability ? capabilityJson(request) : {}),
		...(request?.elements?.length
			? { elements: request.elements as unknown as IDataObject[] }
			: {}),
		...(request && Object.keys(request.additionalFields).length
			? { additionalFields: request.additionalFields }
			: {}),
		...(request?.externalId ? { idempotencyKey: request.externalId } : {}),
	};
}
