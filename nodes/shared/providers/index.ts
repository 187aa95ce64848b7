import { apixo } from './apixo';
import { fal } from './fal';
import { kie } from './kie';
import { kling } from './kling';
import { replicate } from './replicate';
import { rivya } from './rivya';
import type { ProviderAdapter, ProviderId } from './types';
import { wavespeed } from './wavespeed';

/** The provider a new node starts with. */
export const DEFAULT_PROVIDER: ProviderId = 'wavespeed';

/** Every supported provider; adding one means adding its adapter here and its credential. */
export const PROVIDERS: Record<ProviderId, ProviderAdapter> = {
	wavespeed,
	apixo,
	kie,
	rivya,
	kling,
	fal,
	replicate,
};

export function isProviderId(value: unknown): value is ProviderId {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROVIDERS, value);
}
