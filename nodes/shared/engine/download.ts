import type { IBinaryData, IDataObject } from 'n8n-workflow';
import { refusedUrlReason } from '../util/addresses';
import { ProviderError } from '../util/errors';
import { parseUrl } from '../util/parse';
import { settle, settleSync } from '../util/settle';
import { mp4Seconds, mp4SecondsFromStream } from '../util/media';
import { BINARY_ENCODING } from 'n8n-workflow';
import {
	networkError,
	retryAfterMs,
	throwIfCancelled,
	withRetries,
	type NodeContext,
} from './transport';

const DOWNLOAD_TIMEOUT_MS = 120_000;

/** Redirects followed by hand when the URL is checked (the browsers' usual limit is 20). */
const MAX_REDIRECTS = 5;

/**
 * Where a URL from an unverified source may lead: every hop is checked with `refusedUrlReason`
 * (http(s), no private address) and redirects are followed by hand, at most MAX_REDIRECTS.
 * `trustedHost` (host[:port] of the credential's Base URL) is allowed even when it is private.
 */
export interface UrlGuard {
	trustedHost: string | null;
}

/**
 * Stream a finished video into n8n's binary store (filesystem mode writes chunk by chunk). The
 * request carries no credentials: result URLs live on the provider's CDN, which must not see the
 * API key. 429/5xx/resets and truncated bodies are retried; a 404/403/410 means the URL expired.
 * "Stop execution" aborts the transfer itself (the cancel signal goes to the request). With a
 * `guard`, the URL and every redirect are checked before they are requested.
 */
export async function downloadVideo(
	ctx: NodeContext,
	url: string,
	fileName: string,
	signal?: AbortSignal,
	guard?: UrlGuard,
): Promise<IBinaryData> {
	return await withRetries(async () => {
		throwIfCancelled(signal);
		const response = await requestVideo(ctx, url, signal, guard);
		const { statusCode, headers } = response;
		if (statusCode !== 200) {
			discard(response.body);
			throw downloadStatusError(statusCode, headers);
		}
		const contentType = String(headers['content-type'] ?? '');
		if (/^(text\/|application\/json)/.test(contentType)) {
			discard(response.body);
			throw new ProviderError(
				'unexpected',
				`The video URL answered "${contentType}" instead of a video`,
				statusCode,
			);
		}
		const expected = Number(headers['content-length']);
		let binary: IBinaryData;
		try {
			binary = await ctx.helpers.prepareBinaryData(response.body as Buffer, fileName, 'video/mp4');
		} catch (error) {
			throwIfCancelled(signal);
			throw storeError(url, error);
		}
		const stored = (binary as IBinaryData & { bytes?: number }).bytes;
		if (Number.isFinite(expected) && stored !== undefined && stored !== expected) {
			throw new ProviderError(
				'network',
				`The video download was cut off after ${stored} of ${expected} bytes`,
			);
		}
		return binary;
	}, signal);
}

/**
 * The stored video's length in seconds from its `mvhd` (streamed back from n8n's binary store, only
 * the `moov` box is kept), rounded to 0.01 s; null when it cannot be read. Never fails the item.
 */
export async function storedVideoSeconds(
	ctx: NodeContext,
	binary: IBinaryData,
): Promise<number | null> {
	const read = await settle(async () => {
		if (!binary.id) return mp4Seconds(Buffer.from(binary.data, BINARY_ENCODING));
		const helpers = ctx.helpers as {
			getBinaryStream?(id: string, chunkSize?: number): Promise<AsyncIterable<unknown>>;
		};
		if (!helpers.getBinaryStream) return null;
		return await mp4SecondsFromStream(await helpers.getBinaryStream(binary.id));
	});
	if (!read.ok || read.value === null || !Number.isFinite(read.value)) return null;
	return Math.round(read.value * 100) / 100;
}

type VideoResponse = { statusCode: number; headers: IDataObject; body: unknown };

/** GET the video; with a guard, each hop is checked and redirects are followed by hand. */
async function requestVideo(
	ctx: NodeContext,
	url: string,
	signal: AbortSignal | undefined,
	guard: UrlGuard | undefined,
): Promise<VideoResponse> {
	let target = url;
	for (let hop = 0; ; hop++) {
		if (guard) {
			const refused = refusedUrlReason(target, guard.trustedHost);
			if (refused) {
				const what = hop === 0 ? 'The video URL' : `The video URL redirected to ${target}, which`;
				const tail = hop === 0 ? '' : '; the redirect was not followed';
				throw new ProviderError('unexpected', `${what} ${refused}${tail}`);
			}
			// Request the URL exactly as it was checked (the normalised form).
			target = (parseUrl(target) as URL).href;
		}
		let response: VideoResponse;
		try {
			response = await ctx.helpers.httpRequest({
				method: 'GET',
				url: target,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: DOWNLOAD_TIMEOUT_MS,
				abortSignal: signal,
				// n8n's client would follow redirects without asking where they go.
				...(guard ? { disableFollowRedirect: true } : {}),
			});
		} catch (error) {
			throwIfCancelled(signal);
			throw networkError('the video host', target, error);
		}
		const location = headerText(response.headers?.location);
		if (!guard || !REDIRECTS.has(response.statusCode) || !location) return response;
		discard(response.body);
		if (hop >= MAX_REDIRECTS) {
			throw new ProviderError(
				'unexpected',
				`The video URL redirected more than ${MAX_REDIRECTS} times; the last redirect was not followed`,
			);
		}
		const next = resolveLocation(location, target);
		if (!next) {
			throw new ProviderError(
				'unexpected',
				`The video URL redirected to "${location}", which is not a URL`,
			);
		}
		target = next.href;
	}
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function headerText(value: unknown): string | null {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first !== '' ? first : null;
}

/** A Location (absolute or relative) against the URL that sent it. */
function resolveLocation(location: string, base: string): URL | null {
	const parsed = settleSync(() => new URL(location, base));
	return parsed.ok ? parsed.value : null;
}

/**
 * A stream cut while storing is a network failure (retried). So is a file that vanished while n8n
 * wrote it: on n8n ≤ 2.8 (filesystem mode) another execution of the same workflow can delete the
 * shared `executions/temp` folder mid-write (ENOENT) — downloading again usually succeeds. n8n
 * refusing the file (too large for its database mode…) is not retried.
 */
function storeError(url: string, error: unknown): ProviderError {
	const message = error instanceof Error ? error.message : String(error);
	const code = String((error as { code?: unknown } | null)?.code ?? '');
	const cut = NETWORK_CODES.has(code) || /ECONNRESET|socket hang up|\baborted\b/i.test(message);
	if (cut) return networkError('the video host', url, error);
	if (code === 'ENOENT' || /ENOENT|no such file|file not found/i.test(message)) {
		return new ProviderError(
			'network',
			`n8n's binary store lost the video file while writing it (${message})`,
		);
	}
	return new ProviderError('storage', `n8n could not store the video: ${message}`);
}

const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

function downloadStatusError(statusCode: number, headers: IDataObject): ProviderError {
	if (statusCode === 404 || statusCode === 403 || statusCode === 410) {
		return new ProviderError(
			'notFound',
			`The video URL answered HTTP ${statusCode}: it has probably expired`,
			statusCode,
		);
	}
	const kind = statusCode === 429 ? 'rateLimit' : statusCode >= 500 ? 'server' : 'unexpected';
	return new ProviderError(
		kind,
		`The video URL answered HTTP ${statusCode}`,
		statusCode,
		null,
		retryAfterMs(headers),
	);
}

/** Release an unread response stream so the socket is freed. */
function discard(body: unknown): void {
	const stream = body as { destroy?: () => void } | null;
	stream?.destroy?.();
}
