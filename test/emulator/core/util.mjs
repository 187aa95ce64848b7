// @ts-check
/** Small helpers: seeded PRNG, multipart parser, redaction, loopback checks, validation helpers. */

/**
 * mulberry32: tiny seeded PRNG, deterministic for a given seed and call order.
 * @param {number} seed @returns {() => number} in [0, 1)
 */
export function makeRng(seed) {
	let a = (Number(seed) >>> 0) || 1;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** @param {() => number} rng @param {number} n */
export function randomHex(rng, n) {
	let s = '';
	while (s.length < n) s += Math.floor(rng() * 0x100000000).toString(16).padStart(8, '0');
	return s.slice(0, n);
}

/**
 * @typedef {{ field: string, filename: string | null, mimeType: string | null, data: Buffer }} MultipartPart
 */

/**
 * Parse a multipart/form-data body.
 * @param {Buffer} body @param {string | undefined} contentType
 * @returns {{ fields: Record<string, string>, files: MultipartPart[] } | null} null if not multipart or malformed
 */
export function parseMultipart(body, contentType) {
	if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!m) return null;
	const boundary = Buffer.from(`--${(m[1] ?? m[2]).trim()}`);
	/** @type {Record<string, string>} */
	const fields = {};
	/** @type {MultipartPart[]} */
	const files = [];
	let pos = body.indexOf(boundary);
	if (pos < 0) return null;
	while (pos >= 0) {
		let start = pos + boundary.length;
		if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing boundary
		if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
		const headerEnd = body.indexOf('\r\n\r\n', start);
		if (headerEnd < 0) return null;
		const headerText = body.toString('utf8', start, headerEnd);
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4);
		if (next < 0) return null;
		const data = body.subarray(headerEnd + 4, next);
		/** @type {Record<string, string>} */
		const headers = {};
		for (const line of headerText.split('\r\n')) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
		}
		const cd = headers['content-disposition'] ?? '';
		const name = /\bname="([^"]*)"/i.exec(cd)?.[1];
		const filename = /\bfilename="([^"]*)"/i.exec(cd)?.[1];
		if (name !== undefined) {
			if (filename !== undefined || headers['content-type']) {
				files.push({ field: name, filename: filename ?? null, mimeType: headers['content-type'] ?? null, data });
			} else {
				fields[name] = data.toString('utf8');
			}
		}
		pos = next + 2;
	}
	return { fields, files };
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie', 'x-auth-token']);

/** @param {import('node:http').IncomingHttpHeaders | Record<string, string>} headers */
export function redactHeaders(headers) {
	/** @type {Record<string, string>} */
	const out = {};
	for (const [k, v] of Object.entries(headers)) {
		const key = k.toLowerCase();
		const value = Array.isArray(v) ? v.join(', ') : String(v ?? '');
		if (key === 'authorization' || key === 'proxy-authorization') {
			// keep the scheme (Bearer, Key, …) so the journal shows which auth form was used
			const scheme = /^(Bearer|Key|Basic|Token)\s/i.exec(value)?.[1];
			out[key] = `${scheme ? scheme[0].toUpperCase() + scheme.slice(1).toLowerCase() : 'Bearer'} ***`;
		}
		else if (SECRET_HEADERS.has(key)) out[key] = '***';
		else out[key] = value;
	}
	return out;
}

/** @param {string} hostname */
export function isLoopbackHost(hostname) {
	const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** @param {unknown} v @returns {v is Record<string, unknown>} */
export function isPlainObject(v) {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param {unknown} v */
export function isHttpUrl(v) {
	if (typeof v !== 'string' || !v) return false;
	try {
		const u = new URL(v);
		return u.protocol === 'http:' || u.protocol === 'https:';
	} catch {
		return false;
	}
}

/**
 * Deep merge plain objects (arrays and other values replace).
 * @template T @param {T} target @param {any} patch @returns {T}
 */
export function deepMerge(target, patch) {
	if (!isPlainObject(patch)) return target;
	const t = /** @type {any} */ (target);
	for (const [k, v] of Object.entries(patch)) {
		if (isPlainObject(v) && isPlainObject(t[k])) deepMerge(t[k], v);
		else t[k] = isPlainObject(v) ? deepMerge({}, v) : v;
	}
	return target;
}

/** Stable JSON for idempotency comparison (sorted keys). @param {unknown} v @returns {string} */
export function stableStringify(v) {
	if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
	if (isPlainObject(v)) {
		return `{${Object.keys(v)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(v) ?? 'null';
}
