// @ts-check
/**
 * Test helpers for talking to the provider emulator with plain fetch: a minimal client per provider
 * (written from PROVIDERS.md for the tests, independent of the node's adapters), a local callback
 * receiver, polling and download helpers.
 */
import http from 'node:http';

export const KEYS = {
	wavespeed: 'ws_emulator_test_key',
	apixo: 'apixo_emulator_test_key',
	kie: 'kie_emulator_test_key',
	rivya: 'rvya_sk_emulator_test_key',
};
export const WAVESPEED_SECRET = 'whsec_emulatorWaveSpeedSecret0001';
export const KIE_HMAC_KEY = 'kie_emulator_hmac_key_0001';

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {string} url @param {{ method?: string, key?: string | null, body?: unknown, headers?: Record<string, string> }} [o]
 * @returns {Promise<{ status: number, headers: Headers, json: any, text: string }>}
 */
export async function call(url, o = {}) {
	/** @type {Record<string, string>} */
	const headers = { ...(o.headers ?? {}) };
	if (o.key) headers.authorization = `Bearer ${o.key}`;
	let body;
	if (o.body !== undefined) {
		headers['content-type'] ??= 'application/json';
		body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
	}
	const res = await fetch(url, {
		method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'),
		headers,
		body,
	});
	const text = await res.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, json, text };
}

/**
 * Minimal per-provider client for the tests: submit a t2v task, read its normalized status.
 * @param {{ baseUrl: (p: string) => string }} emu
 */
export function clients(emu) {
	return {
		wavespeed: {
			/** @param {Record<string, unknown>} [extra] @param {string} [query] */
			submit: (extra = {}, query = '') =>
				call(
					`${emu.baseUrl('wavespeed')}/api/v3/kwaivgi/kling-v2.5-turbo-pro/text-to-video${query}`,
					{
						key: KEYS.wavespeed,
						body: { prompt: 'a red fox in snow', duration: 5, ...extra },
					},
				),
			/** @param {any} r */
			taskId: (r) => r.json?.data?.id,
			/** @param {string} id */
			status: (id) =>
				call(`${emu.baseUrl('wavespeed')}/api/v3/predictions/${id}/result`, {
					key: KEYS.wavespeed,
				}),
			/** @param {any} r */
			state: (r) =>
				({ created: 'queued', processing: 'processing', completed: 'succeeded', failed: 'failed' })[
					/** @type {string} */ (r.json?.data?.status)
				],
			/** @param {any} r */
			videoUrl: (r) => r.json?.data?.outputs?.[0],
		},
		apixo: {
			/** @param {Record<string, unknown>} [extra] */
			submit: (extra = {}) =>
				call(`${emu.baseUrl('apixo')}/api/v1/generateTask/kling-2-5-turbo-pro`, {
					key: KEYS.apixo,
					body: {
						request_type: 'async',
						input: { mode: 'text-to-video', prompt: 'a red fox in snow', duration: 5, ...extra },
					},
				}),
			/** @param {any} r */
			taskId: (r) => r.json?.data?.taskId,
			/** @param {string} id */
			status: (id) =>
				call(
					`${emu.baseUrl('apixo')}/api/v1/statusTask/kling-2-5-turbo-pro?taskId=${encodeURIComponent(id)}`,
					{ key: KEYS.apixo },
				),
			/** @param {any} r */
			state: (r) =>
				({ pending: 'queued', processing: 'processing', success: 'succeeded', failed: 'failed' })[
					/** @type {string} */ (r.json?.data?.state)
				],
			/** @param {any} r */
			videoUrl: (r) =>
				r.json?.data?.resultJson ? JSON.parse(r.json.data.resultJson).resultUrls[0] : undefined,
		},
		kie: {
			/** @param {Record<string, unknown>} [extra] */
			submit: (extra = {}) =>
				call(`${emu.baseUrl('kie')}/api/v1/jobs/createTask`, {
					key: KEYS.kie,
					body: {
						model: 'kling/v2-5-turbo-text-to-video-pro',
						input: { prompt: 'a red fox in snow', duration: '5', ...extra },
					},
				}),
			/** @param {any} r */
			taskId: (r) => r.json?.data?.taskId,
			/** @param {string} id */
			status: (id) =>
				call(`${emu.baseUrl('kie')}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(id)}`, {
					key: KEYS.kie,
				}),
			/** @param {any} r */
			state: (r) =>
				({
					waiting: 'queued',
					queuing: 'queued',
					generating: 'processing',
					success: 'succeeded',
					fail: 'failed',
				})[/** @type {string} */ (r.json?.data?.state)],
			/** @param {any} r */
			videoUrl: (r) =>
				r.json?.data?.resultJson ? JSON.parse(r.json.data.resultJson).resultUrls[0] : undefined,
		},
		rivya: {
			/** @param {Record<string, unknown>} [extra] @param {Record<string, string>} [headers] */
			submit: (extra = {}, headers = {}) =>
				call(`${emu.baseUrl('rivya')}/api/v1/generations`, {
					key: KEYS.rivya,
					headers,
					body: {
						model: 'kling-v2-5-turbo-pro',
						prompt: 'a red fox in snow',
						params: { duration: '5', ...extra },
					},
				}),
			/** @param {any} r */
			taskId: (r) => r.json?.id,
			/** @param {string} id */
			status: (id) => call(`${emu.baseUrl('rivya')}/api/v1/generations/${id}`, { key: KEYS.rivya }),
			/** @param {any} r */
			state: (r) => r.json?.status,
			/** @param {any} r */
			videoUrl: (r) => r.json?.result?.primary_url,
		},
	};
}

/**
 * Poll until `done(result)` is truthy.
 * @template T @param {() => Promise<T>} fn @param {(r: T) => boolean} done @param {number} [timeoutMs] @param {number} [everyMs]
 * @returns {Promise<T>}
 */
export async function pollUntil(fn, done, timeoutMs = 10000, everyMs = 25) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const r = await fn();
		if (done(r)) return r;
		if (Date.now() > end)
			throw new Error(
				`pollUntil timed out; last: ${JSON.stringify(/** @type {any} */ (r)?.json ?? r).slice(0, 400)}`,
			);
		await sleep(everyMs);
	}
}

/** @param {string} url @returns {Promise<{ status: number, headers: Headers, body: Buffer }>} */
export async function download(url) {
	const res = await fetch(url);
	const body = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, body };
}

/**
 * @typedef {{ method: string, url: string, headers: import('node:http').IncomingHttpHeaders, raw: string, json: any, at: number }} Received
 */

/**
 * A local HTTP server that records every request (raw body kept for signature checks).
 * @param {{ answers?: number[] }} [o] status codes to answer, in order (then 200)
 */
export async function startReceiver(o = {}) {
	const answers = [...(o.answers ?? [])];
	/** @type {Received[]} */
	const received = [];
	/** @type {(() => void)[]} */
	let waiters = [];
	const server = http.createServer((req, res) => {
		/** @type {Buffer[]} */
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let json;
			try {
				json = JSON.parse(raw);
			} catch {
				json = undefined;
			}
			received.push({
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				raw,
				json,
				at: Date.now(),
			});
			const status = answers.shift() ?? 200;
			res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
			res.end(status < 300 ? 'ok' : 'nope');
			const w = waiters;
			waiters = [];
			w.forEach((f) => f());
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
	const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		/** @param {number} n @param {number} [timeoutMs] */
		async waitFor(n, timeoutMs = 10000) {
			const end = Date.now() + timeoutMs;
			while (received.length < n) {
				if (Date.now() > end)
					throw new Error(`receiver: expected ${n} requests, got ${received.length}`);
				await new Promise((r) => {
					waiters.push(() => r(undefined));
					setTimeout(r, 50);
				});
			}
			return received;
		},
		close: () =>
			new Promise((r) => {
				server.closeAllConnections?.();
				server.close(() => r(undefined));
			}),
	};
}
