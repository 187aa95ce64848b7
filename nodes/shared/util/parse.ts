/** `new URL(text)`, or null when the text is not a URL. */
export function parseUrl(text: string): URL | null {
	try {
		return new URL(text);
	} catch {
		return null;
	}
}

const NOT_JSON = Symbol('not JSON');

/** `JSON.parse(text)`, or NOT_JSON when the text does not parse. */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return NOT_JSON;
	}
}

export function isJson(value: unknown): boolean {
	return value !== NOT_JSON;
}
