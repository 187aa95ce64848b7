import type { GenerationRequest } from '../providers/types';
import { effectiveAudio } from '../providers/fields';

/** What an item will cost at the catalog's dated price (KLING-MODELS.md), before anything is sent. */
export interface EstimatedCost {
	amount: number;
	currency: 'USD';
	/** The date the price was read (prices change; the provider's bill is what counts). */
	priceDate: string;
}

/**
 * The estimate for one request: price per second (with audio, or at the chosen resolution, where the
 * catalog says it differs) × the seconds asked for. Null where the catalog has no dated USD price
 * (credit-only prices without a dated rate, or a model whose price was not found).
 */
export function estimateCost(request: GenerationRequest): EstimatedCost | null {
	const price = request.entry.price;
	if (!price) return null;
	const seconds = billedSeconds(request);
	if (seconds === null) return null;
	let perSecond = price.usdPerSecond;
	if (request.resolution && price.usdPerSecondByResolution?.[request.resolution] !== undefined) {
		perSecond = price.usdPerSecondByResolution[request.resolution];
	}
	if (effectiveAudio(request.entry, request.audio) === true && price.usdPerSecondWithAudio) {
		perSecond = price.usdPerSecondWithAudio;
	}
	return {
		amount: Math.round(perSecond * seconds * 10_000) / 10_000,
		currency: 'USD',
		priceDate: price.date,
	};
}

/**
 * The seconds a request is billed for: the duration asked for, or where the input decides the
 * length (lip-sync, avatar, motion control) the input's length measured from binary bytes (the
 * audio for an avatar, the video otherwise); unknown for an input given by URL (not fetched).
 */
function billedSeconds(request: GenerationRequest): number | null {
	const capability = request.entry.capability;
	if (!capability || capability.length !== 'input') return request.duration;
	const measured = request.inputSeconds ?? {};
	const seconds = request.mode === 'avatar' ? measured.audio : measured.video;
	return seconds === undefined ? null : Math.ceil(seconds);
}

/** "$1.68" */
export function usd(amount: number): string {
	return `$${amount.toFixed(2)}`;
}
