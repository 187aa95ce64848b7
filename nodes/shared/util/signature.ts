import { timingSafeEqual } from 'crypto';

/** What a signature check needs from a callback request. */
export interface SignedCallback {
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
	body: unknown;
}

/** Callbacks older or newer than this are replays (WaveSpeed documents 300 s; applied to Kie too). */
export const MAX_CALLBACK_AGE_SECONDS = 300;

/**
 * The one place signatures are compared: constant time, and the timestamp within the window.
 * Each provider only says how to compute its expected value. Returns null when valid, else why not.
 */
export function checkSignature(input: {
	expected: string;
	actual: string | undefined;
	timestamp: string | undefined;
	nowSeconds: number;
}): string | null {
	if (!input.actual) return 'the signature header is missing';
	if (!input.timestamp || !/^\d+$/.test(input.timestamp)) return 'the timestamp header is missing';
	const age = input.nowSeconds - Number(input.timestamp);
	if (age > MAX_CALLBACK_AGE_SECONDS) return 'the timestamp is too old (replayed callback)';
	if (age < -MAX_CALLBACK_AGE_SECONDS) return 'the timestamp is in the future';
	const expected = Buffer.from(input.expected);
	const actual = Buffer.from(input.actual);
	if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
		return 'the signature does not match';
	}
	return null;
}

/**
 * The `webhook-id` / `webhook-timestamp` / `webhook-signature` scheme (Standard Webhooks and
 * WaveSpeed's variant of it): the signature header is a space-separated list of `<version>,<sig>`
 * entries, and any one valid entry of the expected version is enough.
 */
export function checkWebhookSignature(
	callback: SignedCallback,
	version: string,
	expectedFor: (id: string, timestamp: string) => string,
	nowSeconds: number,
): string | null {
	const id = headerValue(callback.headers, 'webhook-id');
	const timestamp = headerValue(callback.headers, 'webhook-timestamp');
	if (!id) return 'the webhook-id header is missing';
	const expected = expectedFor(id, timestamp ?? '');
	const signatures = (headerValue(callback.headers, 'webhook-signature') ?? '')
		.split(' ')
		.map((entry) => entry.split(','))
		.filter(([entryVersion]) => entryVersion === version)
		.map(([, signature]) => signature);
	let reason: string | null = 'the signature header is missing';
	for (const actual of signatures.length ? signatures : [undefined]) {
		reason = checkSignature({ expected, actual, timestamp, nowSeconds });
		if (!reason) return null;
	}
	return reason;
}

/** A header's single value (Node lower-cases names; repeated headers arrive as arrays). */
export function headerValue(
	headers: Record<string, string | string[] | undefined>,
	name: string,
): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}
