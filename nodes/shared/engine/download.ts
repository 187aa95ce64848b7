import type { IBinaryData, IDataObject } from 'n8n-workflow';
import { ProviderError } from '../util/errors';
import {
	networkError,
	retryAfterMs,
	throwIfCancelled,
	withRetries,
	type NodeContext,
} from './transport';

const DOWNLOAD_TIMEOUT_MS = 120_000;

/**
 * Stream a finished video into n8n's binary store (filesystem mode writes chunk by chunk). The
 * request carries no credentials: result URLs live on the provider's CDN, which must not see the
 * API key. 429/5xx/resets and truncated bodies are retried; a 404/403/410 means the URL expired.
 * "Stop execution" aborts the transfer itself (the cancel signal goes to the request).
 */
export async function downloadVideo(
	ctx: NodeContext,
	url: string,
	fileName: string,
	signal?: AbortSignal,
): Promise<IBinaryData> {
	return await withRetries(async () => {
		throwIfCancelled(signal);
		let response: { statusCode: number; headers: IDataObject; body: unknown };
		try {
			response = await ctx.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: DOWNLOAD_TIMEOUT_MS,
				abortSignal: signal,
			});
		} catch (error) {
			throwIfCancelled(signal);
			throw networkError('the video host', url, error);
		}
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
