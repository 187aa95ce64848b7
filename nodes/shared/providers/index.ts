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

/**
 * Each credential's default Base URL (and Upload Base URL), for errors that suggest an address: a
 * unit test keeps these equal to the credentials' defaults.
 */
export const DEFAULT_HOSTS: Record<ProviderId, { baseUrl: string; uploadBaseUrl?: string }> = {
	wavespeed: { baseUrl: 'https://api.wavespeed.ai' },
	apixo: { baseUrl: 'https://api.apixo.ai' },
	kie: { baseUrl: 'https://api.kie.ai', uploadBaseUrl: 'https://kieai.redpandaai.co' },
	rivya: { baseUrl: 'https://rivya.ai' },
	kling: { baseUrl: 'https://api-singapore.klingai.com' },
	fal: { baseUrl: 'https://queue.fal.run', uploadBaseUrl: 'https://rest.fal.ai' },
	replicate: { baseUrl: 'https://api.replicate.com' },
};

export function isProviderId(value: unknown): value is ProviderId {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROVIDERS, value);
}
