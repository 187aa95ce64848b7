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
	let perSecond = price.usdPerSecond;
	if (request.resolution && price.usdPerSecondByResolution?.[request.resolution] !== undefined) {
		perSecond = price.usdPerSecondByResolution[request.resolution];
	}
	if (effectiveAudio(request.entry, request.audio) === true && price.usdPerSecondWithAudio) {
		perSecond = price.usdPerSecondWithAudio;
	}
	return {
		amount: Math.round(perSecond * request.duration * 10_000) / 10_000,
		currency: 'USD',
		priceDate: price.date,
	};
}

/** "$1.68" */
export function usd(amount: number): string {
	return `$${amount.toFixed(2)}`;
}
