import type { IWebhookFunctions } from 'n8n-workflow';

/** fal advises caching its JWKS for at most 24 h. */
const JWKS_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Forged callbacks must not make every request fetch the keys again. */
const JWKS_MIN_REFRESH_MS = 5 * 60 * 1000;

interface CachedJwks {
	url: string;
	fetchedAt: number;
	text: string;
}

/**
 * A provider's public keys as JSON text, cached in the node's static data (shared by every process
 * of a queue-mode n8n). `refresh` reads them again, for when a key was rotated.
 */
export async function loadJwks(
	ctx: IWebhookFunctions,
	url: string,
	refresh = false,
): Promise<{ text: string; fromCache: boolean }> {
	const staticData = ctx.getWorkflowStaticData('node');
	const cached = staticData.jwks as CachedJwks | undefined;
	const age = cached?.url === url ? Date.now() - cached.fetchedAt : Infinity;
	if (age < (refresh ? JWKS_MIN_REFRESH_MS : JWKS_MAX_AGE_MS)) {
		return { text: (cached as CachedJwks).text, fromCache: !refresh };
	}
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url,
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 10_000,
	})) as { statusCode: number; body: unknown };
	const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
	if (response.statusCode === 200) {
		staticData.jwks = { url, fetchedAt: Date.now(), text } satisfies CachedJwks;
	}
	return { text: response.statusCode === 200 ? text : '', fromCache: false };
}
