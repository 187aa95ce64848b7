import { InputError } from './errors';
import { parseUrl } from './parse';

/**
 * Validate a credential's Base URL and return it without trailing slashes. A path prefix (a proxy,
 * the emulator's `/kie`) is kept; the adapter's API path is appended later by string join, because
 * `new URL(path, base)` would drop the prefix.
 */
export function checkBaseUrl(
	raw: unknown,
	apiPathPrefix: string,
	field = 'Base URL',
	defaultUrl?: string,
): string {
	const value = typeof raw === 'string' ? raw.trim().replace(/\/+$/, '') : '';
	const parsed = parseUrl(value);
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
		const use = defaultUrl
			? `Use the provider's address, by default "${defaultUrl}"`
			: "Use the provider's address, starting with https://";
		throw new InputError(
			field,
			`The credential's ${field} "${value}" is not an http(s) URL. ${use}`,
		);
	}
	if (parsed.pathname.replace(/\/+$/, '').endsWith(apiPathPrefix)) {
		throw new InputError(
			field,
			`The credential's ${field} "${value}" already ends in "${apiPathPrefix}". Remove "${apiPathPrefix}": the node adds the API path itself`,
		);
	}
	return value;
}

/** Join a base (which may carry a path prefix) and an API path. */
export function joinUrl(base: string, path: string): string {
	return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
