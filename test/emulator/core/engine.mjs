// @ts-check
/**
 * The provider-independent part of the emulator: one HTTP server, routing by path prefix, journal,
 * tasks with lazily computed status, per-task plans and run-wide fault rates, result downloads
 * (real MP4, large-file streaming, truncated/expired faults), callback delivery with retries, assets,
 * uploaded files and the /_emulator admin API.
 *
 * Reliability faults and account caps (see index.mjs for the API): per-task plans (statusFaults incl. '429:<s>' and
 * 'unknown-status', unknownStatus windows, slow downloads), run-wide rates, outages (time windows per provider or
 * all), planned submit outcomes (planSubmits) and per-provider concurrency caps (refused in the provider's shape, or
 * queued: a task's `startAt` is then the moment a slot frees, FIFO). Every submit's journal entry says whether it
 * created a task (`taskId`), was refused (`refused`: rate-limit, concurrency, credit, arrears, maintenance, outage)
 * or rejected (neither), and `stats()` counts them and the most tasks in flight / running at any moment.
 *
 * Capabilities beyond text/image to video (motion control, lip-sync, avatar, reference-to-video, video edit, video
 * extend): `inspectMedia(url)` reads an input the way a provider would download it — a URL on this emulator (an
 * asset under /_assets/ or an uploaded file) is read and probed (real length from MP4 `mvhd`, WAV header, MP3
 * frames; sound track; size; pixels), a `data:` URI is decoded and probed, any other URL is accepted unread (no
 * internet here) with the lengths of options `remoteVideoSeconds` / `remoteAudioSeconds` (default 5 s, the family's
 * default duration) and `remoteVideoHasAudio` (default true). A task records `capability` and the measured `inputs`;
 * `tasks.get(id).media` = { duration, audio, aspectRatio, shots, resolution, capability, inputs }.
 * Sample inputs (VIDEO_ASSETS / AUDIO_ASSETS): real 720p MP4s of 1, 3, 5, 8, 12 and 35 s (with or without an AAC
 * track), a 9:16 one, a 320×180 one (below 720p), WAVs of 1, 5 and 30 s (the 30 s one is 5.76 MB, over 5 MB
 * limits) and MP3s of 6 and 12 s.
 */
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildMp4, makeMp3, makePng, makeWav, planMp4, probeMedia, sniff, writeMp4 } from './media.mjs';
import { deepMerge, isLoopbackHost, isPlainObject, makeRng, parseMultipart, randomHex, redactHeaders } from './util.mjs';

export const PROVIDERS = /** @type {const} */ (['wavespeed', 'apixo', 'kie', 'kie-upload', 'rivya', 'kling', 'fal', 'fal-rest', 'fal-api', 'replicate']);
const MAX_BODY_BYTES = 120 * 1024 * 1024;

/**
 * Sample input videos served under /_assets/ (real MP4s, H.264 at 1 fps; 1280×720 unless noted; `audio` = an AAC
 * track of silence of the same length).
 * @type {Record<string, { seconds: number, audio: boolean, aspect?: string, small?: boolean, width: number, height: number }>}
 */
export const VIDEO_ASSETS = {
	'video-1s.mp4': { seconds: 1, audio: true, width: 1280, height: 720 },
	'video-3s.mp4': { seconds: 3, audio: false, width: 1280, height: 720 },
	'video-5s.mp4': { seconds: 5, audio: false, width: 1280, height: 720 },
	'video-5s-sound.mp4': { seconds: 5, audio: true, width: 1280, height: 720 },
	'video-5s-portrait.mp4': { seconds: 5, audio: true, aspect: '9:16', width: 720, height: 1280 },
	'video-5s-small.mp4': { seconds: 5, audio: true, small: true, width: 320, height: 180 },
	'video-8s-sound.mp4': { seconds: 8, audio: true, width: 1280, height: 720 },
	'video-12s.mp4': { seconds: 12, audio: false, width: 1280, height: 720 },
	'video-35s-sound.mp4': { seconds: 35, audio: true, width: 1280, height: 720 },
};
/**
 * Sample input audio served under /_assets/: WAV = 16-bit PCM 440 Hz tone (16 kHz mono unless noted), MP3 = MPEG-1
 * Layer III 48 kHz mono 32 kbit/s silence (exact lengths: multiples of 3 s).
 * @type {Record<string, { seconds: number, format: 'wav' | 'mp3', rate?: number, channels?: number, bytes: number }>}
 */
export const AUDIO_ASSETS = {
	'audio-1s.wav': { seconds: 1, format: 'wav', bytes: 32044 },
	'audio-5s.wav': { seconds: 5, format: 'wav', bytes: 160044 },
	'audio-30s-big.wav': { seconds: 30, format: 'wav', rate: 48000, channels: 2, bytes: 5760044 },
	'audio-6s.mp3': { seconds: 6, format: 'mp3', bytes: 24010 },
	'audio-12s.mp3': { seconds: 12, format: 'mp3', bytes: 48010 },
};

/**
 * @typedef {'submit'|'status'|'download'|'upload'|'credits'|'callback'|'webhook-admin'|'asset'|'other'} EntryKind
 * @typedef {{ seq: number, at: number, provider: string | null, kind: EntryKind, method: string, path: string,
 *   query: Record<string, string>, headers: Record<string, string>, body?: unknown, status: number | 'reset' | 'error' | null,
 *   taskId?: string, fault?: string, replay?: boolean, url?: string, attempt?: number, responseStatus?: number, error?: string,
 *   target?: string, refused?: string, queued?: boolean }} JournalEntry
 * A submit entry with `taskId` (and no `replay`) created a task; one with `refused` (rate-limit, concurrency, credit,
 * arrears, maintenance, outage) was refused before anything was created; others were rejected (auth, validation).
 * @typedef {{ code?: string | number, message?: string } | true} PlanFail
 * @typedef {{ generationMs?: number, fail?: PlanFail, statusFaults?: string[], downloadFault?: string | string[],
 *   videoBytes?: number, callbackFaults?: string[], downloadBytesPerSecond?: number,
 *   unknownStatus?: { word?: string, forMs?: number, reads?: number } }} TaskPlan
 * statusFaults entries: '429' | '429:<Retry-After seconds>' | '500' | '503' | 'reset' | 'slow' | 'unknown-status'
 *   (one read answered normally but with an undocumented status word); downloadFault: 'truncated' | 'expired' | 'slow'
 *   (bytes trickle at downloadBytesPerSecond, default faults.downloadBytesPerSecond); unknownStatus: every status
 *   read answers `word` (default: the provider's near-miss word) for the first `forMs` ms after submit and/or the
 *   first `reads` reads, then normally.
 * @typedef {'ok' | 'rate-limit' | 'concurrency' | 'credit' | 'arrears' | 'maintenance'} SubmitOutcome
 * @typedef {{ provider?: string | null, from: number, until: number, answer: '503' | '500' | '429' | 'reset', submits: boolean }} Outage
 * @typedef {{ kind: string, code: string | number, message: string }} Failure
 * @typedef {'text-to-video'|'image-to-video'|'motion-control'|'lip-sync'|'avatar'|'reference-to-video'|'video-edit'|'video-extend'} Capability
 * @typedef {{ url: string, source: 'local' | 'data' | 'remote', seconds: number | null, audio: boolean | null,
 *   bytes: number | null, width: number | null, height: number | null, kind: string | null }} InputInfo
 *   what the emulator read of one input (`seconds` = its real length, or the remote default; `audio` = it has sound)
 * @typedef {{ id: string, provider: string, model: string, mode: Capability, createdAt: number,
 *   startAt: number, completesAt: number, generationMs: number, finalState: 'succeeded'|'failed', input: unknown,
 *   idempotencyKey?: string, duration: number, aspectRatio: string, audio: boolean, shots: number[] | null,
 *   resolution: string | null, failure: Failure | null, statusFaults: string[], downloadFaults: string[],
 *   expired: boolean, videoBytes?: number, callbackFaults: string[], callbackUrl?: string, extra: Record<string, any>,
 *   downloadBytesPerSecond?: number, unknownStatus?: { word?: string, until: number, reads: number },
 *   capability: Capability, inputs: Record<string, unknown> }} Task
 * @typedef {{ statusRateLimit: number, status5xx: number, statusReset: number, slowMs: number, slowRate: number,
 *   taskFailure: number, truncatedDownload: number, expiredResult: number, submitRateLimit: number,
 *   submit5xx: number, submitReset: number, retryAfterSeconds: number, submitCredit: number, submitMaintenance: number,
 *   slowDownload: number, downloadBytesPerSecond: number }} Faults
 * @typedef {{ port: number, host: string, timeScale: number, generationMs?: number | Record<string, [number, number]>,
 *   seed: number, faults: Faults, keys: Record<string, string>, secrets: Record<string, string | null>,
 *   callbackRetryDelaysMs?: number[] | Record<string, number[]>, callbackTimeoutMs: number, repeatCallbacks: number,
 *   largeVideoBytes: number, log: boolean, concurrencyCap: Record<string, number>,
 *   remoteVideoSeconds: number, remoteAudioSeconds: number, remoteVideoHasAudio: boolean,
 *   concurrencyMode: Record<string, 'queue' | 'refuse'>, outages: Outage[] }} Options
 * @typedef {Omit<Partial<Options>, 'faults' | 'keys' | 'secrets' | 'concurrencyCap' | 'concurrencyMode'> & { faults?: Partial<Faults>,
 *   keys?: Record<string, string>, secrets?: Record<string, string | null>, concurrencyCap?: Record<string, number | null>,
 *   concurrencyMode?: Record<string, 'queue' | 'refuse' | null> }} InputOptions
 * @typedef {{ url: string, payload: unknown, target?: string,
 *   sign?: (rawBody: string, tsSec: number, wrongSecret: boolean) => Record<string, string> }} Delivery
 */

/** @returns {Faults} */
export function defaultFaults() {
	return {
		statusRateLimit: 0,
		status5xx: 0,
		statusReset: 0,
		slowMs: 3000,
		slowRate: 0,
		taskFailure: 0,
		truncatedDownload: 0,
		expiredResult: 0,
		submitRateLimit: 0,
		submit5xx: 0,
		submitReset: 0,
		retryAfterSeconds: 1,
		submitCredit: 0,
		submitMaintenance: 0,
		slowDownload: 0,
		downloadBytesPerSecond: 16 * 1024,
	};
}

/** Reads keys and secrets from examples/credentials.demo.json (relative to this file). */
export function readDemoCredentials() {
	/** @type {Record<string, string>} */
	const keys = {};
	/** @type {Record<string, string | null>} */
	const secrets = {};
	try {
		const file = fileURLToPath(new URL('../../../examples/credentials.demo.json', import.meta.url));
		const list = JSON.parse(fs.readFileSync(file, 'utf8'));
		for (const c of list) {
			const id = String(c.id ?? '').replace(/Demo$/, '');
			if (!id) continue;
			// Kling official: an apiKey (new per-model API, also accepted by the legacy API) is kept apart from the
			// access key, under keys.klingApiKey (the demo file has none: the demo stays on the legacy API).
			if (c.data?.apiKey) keys[id === 'kling' ? 'klingApiKey' : id] = c.data.apiKey;
			if (c.data?.webhookSecret) secrets[id] = c.data.webhookSecret;
			if (c.data?.webhookHmacKey) secrets[id] = c.data.webhookHmacKey;
			// Kling official: the access key is the "key", the JWT secret key is kept under secrets.kling.
			if (c.data?.accessKey) keys[id] = c.data.accessKey;
			if (c.data?.secretKey) secrets[id] = c.data.secretKey;
		}
	} catch {
		// fall back to built-in values below
	}
	keys.wavespeed ??= 'ws_emulator_test_key';
	keys.apixo ??= 'apixo_emulator_test_key';
	keys.kie ??= 'kie_emulator_test_key';
	keys.rivya ??= 'rvya_sk_emulator_test_key';
	secrets.wavespeed ??= 'whsec_emulatorWaveSpeedSecret0001';
	secrets.kie ??= 'kie_emulator_hmac_key_0001';
	keys.kling ??= 'kling_emulator_access_key';
	secrets.kling ??= 'kling_emulator_secret_key';
	// Kling official API key (`Authorization: Bearer <API_KEY>`; the only auth of the new per-model API).
	keys.klingApiKey ??= 'kling_emulator_api_key';
	// Kling Webhook Secret (`whsec_<base64>`): null = callbacks unsigned (a console without a secret, as before).
	if (!('klingWebhook' in secrets)) secrets.klingWebhook = null;
	keys.fal ??= 'fal_emulator_test_key';
	keys.replicate ??= 'r8_emulator_test_key';
	secrets.replicate ??= 'whsec_s6UTQ9Pww6dRwWve+DDelVhM0gAMe/FC0bTckjk+EU0=';
	return { keys, secrets };
}

/**
 * Request context handed to a provider module.
 */
export class Ctx {
	/**
	 * @param {Engine} engine @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
	 * @param {string} provider @param {string} path path after the provider prefix @param {URLSearchParams} query
	 * @param {Buffer} rawBody @param {JournalEntry} entry
	 */
	constructor(engine, req, res, provider, path, query, rawBody, entry) {
		this.engine = engine;
		this.req = req;
		this.res = res;
		this.provider = provider;
		this.method = req.method ?? 'GET';
		this.path = path;
		this.query = query;
		this.rawBody = rawBody;
		this.entry = entry;
		/** @type {any} */
		this._json = undefined;
		this._jsonParsed = false;
		/** set once an answer was sent or the socket reset */
		this.done = false;
		/** @type {number | undefined} Retry-After for this answer (planned '429:N', concurrency refusals) */
		this.retryAfterSeconds = undefined;
		/** @type {string | undefined} status word to answer instead of the real one (unknown-status fault) */
		this.unknownStatus = undefined;
	}
	/** Bearer token or null. */
	bearer() {
		const h = this.req.headers.authorization;
		if (!h) return null;
		const m = /^Bearer\s+(.+)$/i.exec(h.trim());
		return m ? m[1].trim() : '';
	}
	/** Parsed JSON body; `undefined` when empty; throws SyntaxError when malformed. */
	json() {
		if (!this._jsonParsed) {
			this._jsonParsed = true;
			const text = this.rawBody.toString('utf8');
			if (text.trim() === '') this._json = undefined;
			else {
				try {
					this._json = JSON.parse(text);
				} catch (e) {
					this._json = e;
				}
			}
			if (!(this._json instanceof Error)) this.entry.body = this._json;
		}
		if (this._json instanceof Error) throw this._json;
		return this._json;
	}
	multipart() {
		const mp = parseMultipart(this.rawBody, this.req.headers['content-type']);
		if (mp) {
			this.entry.body = {
				fields: mp.fields,
				files: mp.files.map((f) => ({ field: f.field, filename: f.filename, mimeType: f.mimeType, size: f.data.length })),
			};
		}
		return mp;
	}
	/** @param {number} status @param {unknown} obj @param {Record<string, string | number>} [headers] */
	send(status, obj, headers = {}) {
		if (this.done || this.res.headersSent || this.res.destroyed) return;
		this.done = true;
		const body = JSON.stringify(obj);
		this.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
		this.res.end(body);
		this.entry.status = status;
	}
	reset() {
		this.done = true;
		this.entry.status = 'reset';
		this.req.socket.destroy();
	}
	/** @param {EntryKind} kind @param {string} [taskId] */
	mark(kind, taskId) {
		this.entry.kind = kind;
		if (taskId) this.entry.taskId = taskId;
		if (kind === 'submit' && taskId) {
			const t = this.engine.tasks.get(taskId);
			if (t && t.startAt > t.createdAt) this.entry.queued = true; // waits for a concurrency slot
		}
	}
}

/**
 * fault kinds: '429' rate limit, '500', '503' (status and submit); at submit also 'concurrency' (over the account's
 * concurrency cap), 'credit' (out of credit / balance), 'arrears' (Kling 1101; others answer it as 'credit') and
 * 'maintenance' (planned downtime). Each module answers them in its provider's documented shape.
 * @typedef {{ id: string, handle: (ctx: Ctx) => Promise<void> | void,
 *   fault: (ctx: Ctx, fault: string, phase: 'submit' | 'status') => void,
 *   failure: (kind: string) => Failure, defaultRetryDelaysMs: number[], concurrencyMode?: 'queue' | 'refuse',
 *   unknownStatusWord?: string }} ProviderModule
 */

export class Engine {
	/** @param {InputOptions} options */
	constructor(options = {}) {
		const demo = readDemoCredentials();
		/** @type {Options} */
		this.opts = {
			port: 0,
			host: '127.0.0.1',
			timeScale: 1,
			generationMs: undefined,
			seed: 1,
			faults: defaultFaults(),
			keys: { ...demo.keys },
			secrets: { ...demo.secrets },
			callbackRetryDelaysMs: undefined,
			callbackTimeoutMs: 10000,
			repeatCallbacks: 0,
			largeVideoBytes: 0,
			log: false,
			remoteVideoSeconds: 5,
			remoteAudioSeconds: 5,
			remoteVideoHasAudio: true,
			concurrencyCap: {},
			concurrencyMode: {},
			outages: [],
		};
		this.configure(options);
		if (this.opts.host !== '127.0.0.1' && this.opts.host !== 'localhost' && this.opts.host !== '::1') {
			throw new Error('the emulator binds to loopback only (127.0.0.1)');
		}
		this.rng = makeRng(this.opts.seed);
		/** @type {JournalEntry[]} */
		this.entries = [];
		this.seq = 0;
		/** @type {Map<string, Task>} */
		this.tasks = new Map();
		/** @type {Map<string, TaskPlan[]>} */
		this.plans = new Map();
		/** @type {Map<string, SubmitOutcome[]>} planned submit outcomes per provider (consumed one per submit) */
		this.submitPlans = new Map();
		/** @type {Map<string, ProviderModule>} */
		this.providers = new Map();
		/** @type {Set<NodeJS.Timeout>} */
		this.timers = new Set();
		/** @type {Set<import('node:http').ClientRequest>} */
		this.outbound = new Set();
		/** @type {Set<import('node:net').Socket>} */
		this.sockets = new Set();
		/** @type {Map<string, { id: string, provider: string, name: string, mime: string, data: Buffer, createdAt: number, extra?: Record<string, unknown> }>} */
		this.files = new Map();
		this.counter = 0;
		this.closed = false;
		this.url = '';
		this.port = 0;
		/** @type {Map<string, Buffer | (() => Buffer)>} */
		this.assets = new Map(/** @type {[string, Buffer | (() => Buffer)][]} */ ([
			['start.png', makePng(320, 320, [40, 90, 200])],
			['end.png', makePng(320, 320, [230, 120, 30])],
			['tiny.png', makePng(64, 64, [20, 160, 60])],
			['not-an-image.png', Buffer.from('This is plain text, not an image. The emulator serves it to test image validation.\n')],
			['big.png', () => makePng(320, 320, [120, 40, 160], 10.5 * 1024 * 1024)],
			...Object.entries(VIDEO_ASSETS).map(([name, v]) => /** @type {[string, () => Buffer]} */ ([name, () => buildMp4(v.seconds, v.aspect ?? '16:9', v.audio, { hd: !v.small })])),
			...Object.entries(AUDIO_ASSETS).map(([name, a]) => /** @type {[string, () => Buffer]} */ ([name, () => (a.format === 'mp3' ? makeMp3(a.seconds) : makeWav(a.seconds, { rate: a.rate, channels: a.channels }))])),
		]));
		this.server = http.createServer((req, res) => {
			this.onRequest(req, res).catch((err) => {
				if (!res.headersSent && !res.destroyed) {
					res.writeHead(500, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ error: 'emulator internal error', message: String(err?.message ?? err) }));
				} else res.destroy();
			});
		});
		this.server.keepAliveTimeout = 2000;
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
	}

	/** @param {ProviderModule} mod @param {string[]} prefixes */
	register(mod, prefixes = [mod.id]) {
		for (const p of prefixes) this.providers.set(p, mod);
	}

	/** @param {InputOptions} partial */
	configure(partial = {}) {
		if (!isPlainObject(partial)) return;
		const { faults, keys, secrets, concurrencyCap, concurrencyMode, ...rest } = /** @type {any} */ (partial);
		for (const [target, patch] of /** @type {[Record<string, unknown>, unknown][]} */ ([[this.opts.concurrencyCap, concurrencyCap], [this.opts.concurrencyMode, concurrencyMode]])) {
			if (!isPlainObject(patch)) continue;
			for (const [k, v] of Object.entries(patch)) {
				if (v === null || v === undefined || v === 0) delete target[k];
				else target[k] = v;
			}
		}
		for (const [k, v] of Object.entries(rest)) {
			if (v !== undefined) /** @type {any} */ (this.opts)[k] = v;
		}
		if (faults) deepMerge(this.opts.faults, faults);
		if (keys) Object.assign(this.opts.keys, keys);
		if (secrets) Object.assign(this.opts.secrets, secrets);
		if (partial.seed !== undefined && this.rng) this.rng = makeRng(partial.seed);
	}

	async listen() {
		await new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.opts.port, this.opts.host === 'localhost' ? '127.0.0.1' : this.opts.host, () => resolve(undefined));
		});
		const addr = /** @type {import('node:net').AddressInfo} */ (this.server.address());
		this.port = addr.port;
		this.url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
	}

	async close() {
		if (this.closed) return;
		this.closed = true;
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		for (const r of this.outbound) r.destroy();
		this.outbound.clear();
		const done = new Promise((resolve) => this.server.close(() => resolve(undefined)));
		this.server.closeAllConnections?.();
		for (const s of this.sockets) s.destroy();
		await done;
	}

	/* ------------------------------------------------------------ timers & randomness */

	/** setTimeout that close() clears. @param {() => void} fn @param {number} ms */
	later(fn, ms) {
		if (this.closed) return undefined;
		const t = setTimeout(() => {
			this.timers.delete(t);
			if (!this.closed) fn();
		}, Math.max(0, Math.min(ms, 2_147_000_000)));
		this.timers.add(t);
		return t;
	}
	/** @param {number} ms */
	sleep(ms) {
		return new Promise((resolve) => {
			if (!this.later(() => resolve(undefined), ms)) resolve(undefined);
		});
	}
	/** @param {number} p probability 0..1 */
	chance(p) {
		if (!p || p <= 0) return false;
		return this.rng() < p;
	}
	/** @param {string} prefix @param {number} [hexLen] */
	newId(prefix = '', hexLen = 24) {
		this.counter++;
		return `${prefix}${randomHex(this.rng, hexLen - 4)}${this.counter.toString(16).padStart(4, '0')}`;
	}

	/* ------------------------------------------------------------ journal */

	/** @param {Partial<JournalEntry>} e */
	addEntry(e) {
		/** @type {JournalEntry} */
		const entry = {
			seq: ++this.seq,
			at: Date.now(),
			provider: null,
			kind: 'other',
			method: 'GET',
			path: '',
			query: {},
			headers: {},
			status: null,
			...e,
		};
		this.entries.push(entry);
		return entry;
	}

	/** @param {((e: JournalEntry) => boolean) | Partial<Record<keyof JournalEntry, unknown>>} [filter] */
	journalEntries(filter) {
		if (!filter) return this.entries.slice();
		if (typeof filter === 'function') return this.entries.filter(filter);
		return this.entries.filter((e) =>
			Object.entries(filter).every(([k, v]) => v === undefined || /** @type {any} */ (e)[k] === v || String(/** @type {any} */ (e)[k]) === String(v)),
		);
	}

	countsByTask() {
		/** @type {Record<string, { provider: string, submits: number, replays: number, statusReads: number, downloads: number, callbacks: number, callbackAnswers: (number | string)[] }>} */
		const out = {};
		for (const t of this.tasks.values()) {
			out[t.id] = { provider: t.provider, submits: 0, replays: 0, statusReads: 0, downloads: 0, callbacks: 0, callbackAnswers: [] };
		}
		for (const e of this.entries) {
			if (!e.taskId) continue;
			const c = (out[e.taskId] ??= {
				provider: e.provider ?? '',
				submits: 0,
				replays: 0,
				statusReads: 0,
				downloads: 0,
				callbacks: 0,
				callbackAnswers: [],
			});
			if (e.kind === 'submit') {
				if (e.replay) c.replays++;
				else c.submits++;
			} else if (e.kind === 'status') c.statusReads++;
			else if (e.kind === 'download') c.downloads++;
			else if (e.kind === 'callback') {
				c.callbacks++;
				c.callbackAnswers.push(e.responseStatus ?? (e.status === null ? 'pending' : (e.error ?? 'error')));
			}
		}
		return out;
	}

	/* ------------------------------------------------------------ tasks */

	/** @param {string} provider @param {TaskPlan} plan */
	planNextTask(provider, plan) {
		if (!PROVIDERS.includes(/** @type {any} */ (provider))) throw new Error(`unknown provider ${provider}`);
		const q = this.plans.get(provider) ?? [];
		q.push(plan ?? {});
		this.plans.set(provider, q);
	}

	/** @param {number} duration seconds */
	drawGenerationMs(duration) {
		const g = this.opts.generationMs;
		if (typeof g === 'number') return g;
		const key = duration >= 10 ? '10' : '5';
		if (isPlainObject(g) && Array.isArray(g[key])) {
			const [a, b] = g[key];
			return Math.round(a + this.rng() * (b - a));
		}
		const [a, b] = key === '10' ? [45000, 60000] : [30000, 45000];
		return Math.round((a + this.rng() * (b - a)) * this.opts.timeScale);
	}

	/**
	 * Create a task after a submit was accepted. Consumes the provider's next plan.
	 * `audio` (default false) says whether the result MP4 carries an audio track; `shots` are the multi-shot
	 * durations (their sum is `duration`); `resolution` is recorded as asked (720p/1080p/4k/std/pro…).
	 * `capability` (default: `mode`) and `inputs` (the measured inputs) describe a motion-control / lip-sync / avatar /
	 * reference / edit / extend task; `failWith` is a failure kind (e.g. 'media-missing') decided at submit.
	 * @param {{ provider: string, model: string, mode: Capability, input: unknown, duration: number,
	 *   aspectRatio?: string, audio?: boolean, shots?: number[] | null, resolution?: string | null, imageUrls?: string[],
	 *   idempotencyKey?: string, callbackUrl?: string, idPrefix?: string, id?: string, extra?: Record<string, any>,
	 *   capability?: Capability, inputs?: Record<string, unknown>, failWith?: string | null }} spec
	 * @param {ProviderModule} mod
	 * @returns {Task}
	 */
	createTask(spec, mod) {
		const plan = this.plans.get(spec.provider)?.shift() ?? {};
		const now = Date.now();
		const generationMs = Math.max(0, Math.min(plan.generationMs ?? this.drawGenerationMs(spec.duration), 3_600_000));
		// over a concurrency cap in queue mode (WaveSpeed, fal): created now, started when a slot frees
		const startAt = this.concurrencyMode(spec.provider) === 'queue' ? this.queuedStart(spec.provider, now) : now;
		/** @type {Failure | null} */
		let failure = spec.failWith ? mod.failure(spec.failWith) : null;
		// An image on this emulator that is missing or not an image fails the task like the real provider would.
		for (const u of failure ? [] : (spec.imageUrls ?? [])) {
			const problem = this.checkImageUrl(u);
			if (problem) {
				failure = mod.failure(problem);
				break;
			}
		}
		if (!failure && plan.fail) {
			const base = mod.failure('content');
			failure = plan.fail === true ? base : { kind: 'planned', code: plan.fail.code ?? base.code, message: plan.fail.message ?? base.message };
		}
		if (!failure && this.chance(this.opts.faults.taskFailure)) failure = mod.failure(this.rng() < 0.5 ? 'content' : 'generic');
		const downloadFaults = plan.downloadFault ? (Array.isArray(plan.downloadFault) ? [...plan.downloadFault] : [plan.downloadFault]) : [];
		const expired = downloadFaults.includes('expired') || this.chance(this.opts.faults.expiredResult);
		/** @type {Task} */
		const task = {
			id: spec.id ?? this.newId(spec.idPrefix ?? ''),
			provider: spec.provider,
			model: spec.model,
			mode: spec.mode,
			createdAt: now,
			startAt,
			completesAt: startAt + generationMs,
			generationMs,
			finalState: failure ? 'failed' : 'succeeded',
			input: spec.input,
			idempotencyKey: spec.idempotencyKey,
			duration: spec.duration,
			aspectRatio: spec.aspectRatio ?? '16:9',
			audio: spec.audio === true,
			shots: spec.shots ?? null,
			resolution: spec.resolution ?? null,
			failure,
			statusFaults: [...(plan.statusFaults ?? [])].map(String),
			downloadFaults: downloadFaults.filter((f) => f !== 'expired'),
			expired,
			videoBytes: plan.videoBytes,
			callbackFaults: [...(plan.callbackFaults ?? [])],
			callbackUrl: spec.callbackUrl,
			extra: spec.extra ?? {},
			downloadBytesPerSecond: plan.downloadBytesPerSecond,
			unknownStatus: plan.unknownStatus
				? { word: plan.unknownStatus.word, until: now + (plan.unknownStatus.forMs ?? 0), reads: plan.unknownStatus.reads ?? (plan.unknownStatus.forMs === undefined ? 1 : 0) }
				: undefined,
			capability: spec.capability ?? spec.mode,
			inputs: spec.inputs ?? {},
		};
		this.tasks.set(task.id, task);
		return task;
	}

	/**
	 * @param {Task} task @param {number} [now]
	 * @returns {{ phase: 'queued'|'processing'|'succeeded'|'failed', progress: number }}
	 */
	phase(task, now = Date.now()) {
		if (now >= task.completesAt) return { phase: task.finalState, progress: 1 };
		if (now < task.startAt) return { phase: 'queued', progress: 0 };
		const progress = task.generationMs > 0 ? (now - task.startAt) / task.generationMs : 1;
		return { phase: progress < 0.1 ? 'queued' : 'processing', progress };
	}

	/** When the task leaves `queued` (10 % into its generation, after any wait for a concurrency slot). @param {Task} task */
	processingAt(task) {
		return task.startAt + Math.ceil(task.generationMs * 0.1);
	}

	/** @param {Task} task */
	publicTask(task) {
		/** @type {Record<string, unknown>} */
		const t = {
			id: task.id,
			provider: task.provider,
			model: task.model,
			mode: task.mode,
			createdAt: task.createdAt,
			completesAt: task.completesAt,
			finalState: task.finalState,
			input: task.input,
			duration: task.duration,
			aspectRatio: task.aspectRatio,
			audio: task.audio,
			shots: task.shots,
			resolution: task.resolution,
			// what the result MP4 holds: the video track lasts `duration` s, an audio track exists iff `audio`;
			// `capability` says what kind of task made it and `inputs` what the emulator read of its inputs
			media: { duration: task.duration, audio: task.audio, aspectRatio: task.aspectRatio, shots: task.shots, resolution: task.resolution, capability: task.capability, inputs: task.inputs },
			capability: task.capability,
			startAt: task.startAt,
			failure: task.failure,
			extra: { ...task.extra },
		};
		if (task.idempotencyKey !== undefined) t.idempotencyKey = task.idempotencyKey;
		if (task.callbackUrl !== undefined) t.callbackUrl = task.callbackUrl;
		return t;
	}

	/** @param {Task} task */
	resultUrl(task) {
		return `${this.url}/${task.provider}/_results/${task.id}.mp4`;
	}

	/**
	 * Apply a status-read fault (planned for the task first, else drawn from the run's rates).
	 * @returns {Promise<boolean>} true when the response was already sent (or the socket reset)
	 * @param {Ctx} ctx @param {Task | undefined} task @param {ProviderModule} mod
	 */
	async statusFault(ctx, task, mod) {
		const f = this.opts.faults;
		const outage = this.activeOutage(ctx.provider, 'status');
		if (outage) {
			ctx.entry.fault = `outage-${outage.answer}`;
			if (outage.answer === 'reset') ctx.reset();
			else mod.fault(ctx, outage.answer, 'status');
			return true;
		}
		/** @type {string | undefined} */
		let fault = task?.statusFaults.shift();
		const longRetry = /^429:(\d+)$/.exec(fault ?? '');
		if (longRetry) {
			fault = '429';
			ctx.retryAfterSeconds = Number(longRetry[1]);
		}
		if (fault === 'unknown-status' && task) {
			ctx.entry.fault = fault;
			ctx.unknownStatus = task.unknownStatus?.word ?? mod.unknownStatusWord ?? 'unknown';
			return false;
		}
		if (!fault && task?.unknownStatus) {
			const u = task.unknownStatus;
			if (u.reads > 0 || Date.now() < u.until) {
				if (u.reads > 0) u.reads--;
				ctx.entry.fault = 'unknown-status';
				ctx.unknownStatus = u.word ?? mod.unknownStatusWord ?? 'unknown';
				return false;
			}
		}
		if (!fault) {
			if (this.chance(f.statusReset)) fault = 'reset';
			else if (this.chance(f.statusRateLimit)) fault = '429';
			else if (this.chance(f.status5xx)) fault = this.rng() < 0.5 ? '500' : '503';
			else if (this.chance(f.slowRate)) fault = 'slow';
		}
		if (!fault) return false;
		ctx.entry.fault = fault;
		if (fault === 'reset') {
			ctx.reset();
			return true;
		}
		if (fault === 'slow') {
			await this.sleep(f.slowMs);
			return ctx.res.destroyed;
		}
		if (fault === '429' || fault === '500' || fault === '503') {
			mod.fault(ctx, fault, 'status');
			return true;
		}
		return false;
	}

	/**
	 * Submit-time refusals, before a task exists (nothing is created): an outage that covers submits, the planned
	 * outcome of this submit (planSubmits), the run-wide rates (submitRateLimit, submitCredit, submitMaintenance) and
	 * the concurrency cap in refuse mode. 5xx/reset are "ambiguous" and happen after the task is created.
	 * The journal entry gets `refused` = the reason (and `fault`).
	 * @param {Ctx} ctx @param {ProviderModule} mod @returns {boolean} true when the submit was refused (answered)
	 */
	submitRateLimited(ctx, mod) {
		const refuse = (/** @type {string} */ reason, /** @type {string} */ kind) => {
			ctx.entry.fault = kind;
			ctx.entry.refused = reason;
			mod.fault(ctx, kind, 'submit');
			if (!ctx.done) ctx.send(429, { error: `refused: ${reason}` });
			return true;
		};
		const outage = this.activeOutage(ctx.provider, 'submit');
		if (outage) {
			ctx.entry.refused = 'outage';
			ctx.entry.fault = `outage-${outage.answer}`;
			if (outage.answer === 'reset') ctx.reset();
			else mod.fault(ctx, outage.answer, 'submit');
			return true;
		}
		const planned = this.submitPlans.get(ctx.provider)?.shift();
		if (planned && planned !== 'ok') {
			if (planned === 'concurrency') ctx.retryAfterSeconds ??= this.slotFreeInSeconds(ctx.provider);
			return refuse(planned, planned === 'rate-limit' ? '429' : planned);
		}
		const f = this.opts.faults;
		if (!planned) {
			if (this.chance(f.submitRateLimit)) return refuse('rate-limit', '429');
			if (this.chance(f.submitCredit)) return refuse('credit', 'credit');
			if (this.chance(f.submitMaintenance)) return refuse('maintenance', 'maintenance');
		}
		const cap = this.opts.concurrencyCap[ctx.provider];
		if (cap && this.concurrencyMode(ctx.provider) === 'refuse' && this.inFlight(ctx.provider).length >= cap) {
			ctx.retryAfterSeconds = this.slotFreeInSeconds(ctx.provider);
			return refuse('concurrency', 'concurrency');
		}
		return false;
	}

	/**
	 * Mark a submit refused by the provider's own business rule (e.g. Kie's or Rivya's credit check).
	 * @param {Ctx} ctx @param {string} reason
	 */
	refused(ctx, reason) {
		ctx.entry.refused = reason;
	}

	/* ------------------------------------------------------------ concurrency, outages, stats */

	/** @param {string} provider @returns {'queue' | 'refuse'} */
	concurrencyMode(provider) {
		return this.opts.concurrencyMode[provider] ?? this.providers.get(provider)?.concurrencyMode ?? 'refuse';
	}

	/** Tasks of a provider that are submitted and not terminal at `now` (queued ones included). @param {string} provider */
	inFlight(provider, now = Date.now()) {
		return [...this.tasks.values()].filter((t) => t.provider === provider && t.createdAt <= now && now < t.completesAt);
	}

	/** Seconds until the first in-flight task of the provider ends (≥ 1). @param {string} provider */
	slotFreeInSeconds(provider) {
		const now = Date.now();
		const ends = this.inFlight(provider, now).map((t) => t.completesAt);
		return ends.length ? Math.max(1, Math.ceil((Math.min(...ends) - now) / 1000)) : 1;
	}

	/**
	 * Start time of a task submitted now under a cap in queue mode: FIFO, so it starts when fewer than `cap` of the
	 * tasks ahead of it are unfinished, i.e. at the (n − cap + 1)-th earliest end among the n unfinished tasks.
	 * @param {string} provider @param {number} now
	 */
	queuedStart(provider, now) {
		const cap = this.opts.concurrencyCap[provider];
		if (!cap) return now;
		const ends = this.inFlight(provider, now).map((t) => t.completesAt).sort((a, b) => a - b);
		return ends.length < cap ? now : ends[ends.length - cap];
	}

	/** Position in the provider's wait queue (0 = running or next). @param {Task} task */
	queuePosition(task, now = Date.now()) {
		if (now >= task.startAt) return 0;
		return [...this.tasks.values()].filter((t) => t.provider === task.provider && now < t.startAt && t.startAt < task.startAt).length;
	}

	/**
	 * Start an outage: during it every status read (and with `submits` every submit) of `provider` (all providers when
	 * omitted) is answered `answer` (503 default, 500, 429 or a connection reset).
	 * @param {{ provider?: string | null, seconds?: number, ms?: number, startInMs?: number, answer?: '503' | '500' | '429' | 'reset', submits?: boolean }} o
	 * @returns {Outage}
	 */
	outage(o = {}) {
		if (o.provider && !PROVIDERS.includes(/** @type {any} */ (o.provider))) throw new Error(`unknown provider ${o.provider}`);
		const from = Date.now() + (o.startInMs ?? 0);
		/** @type {Outage} */
		const w = { provider: o.provider ?? null, from, until: from + (o.ms ?? (o.seconds ?? 10) * 1000), answer: o.answer ?? '503', submits: o.submits === true };
		if (!['503', '500', '429', 'reset'].includes(w.answer)) throw new Error(`outage answer must be 503, 500, 429 or reset`);
		this.opts.outages = [...this.opts.outages, w];
		return w;
	}

	/** @param {string} provider @param {'status' | 'submit'} phase @returns {Outage | undefined} */
	activeOutage(provider, phase) {
		const now = Date.now();
		return this.opts.outages.find((w) => (!w.provider || w.provider === provider) && w.from <= now && now < w.until && (phase === 'status' || w.submits));
	}

	/**
	 * Plan the outcomes of the next submits of a provider, in order: 'ok' lets a submit through (it creates a task),
	 * anything else refuses it in the provider's documented shape before a task exists.
	 * @param {string} provider @param {SubmitOutcome[]} outcomes
	 */
	planSubmits(provider, outcomes) {
		if (!PROVIDERS.includes(/** @type {any} */ (provider))) throw new Error(`unknown provider ${provider}`);
		const ok = ['ok', 'rate-limit', 'concurrency', 'credit', 'arrears', 'maintenance'];
		for (const o of outcomes) if (!ok.includes(o)) throw new Error(`unknown submit outcome ${o}; one of ${ok.join(', ')}`);
		this.submitPlans.set(provider, [...(this.submitPlans.get(provider) ?? []), ...outcomes]);
	}

	/**
	 * Counters for tests: submits that created a task vs refused ones (by reason) vs rejected (auth/validation),
	 * replays, and the most tasks in flight (submitted, not terminal) / running (started, not terminal) at any moment.
	 * @param {{ provider?: string, since?: number }} [o]
	 */
	stats(o = {}) {
		const since = o.since ?? 0;
		const entries = this.entries.filter((e) => e.kind === 'submit' && e.at >= since && (!o.provider || e.provider === o.provider));
		/** @type {Record<string, number>} */
		const refusedBy = {};
		let created = 0;
		let replays = 0;
		let refused = 0;
		let rejected = 0;
		for (const e of entries) {
			if (e.replay) replays++;
			else if (e.taskId) created++;
			else if (e.refused) {
				refused++;
				refusedBy[e.refused] = (refusedBy[e.refused] ?? 0) + 1;
			} else rejected++;
		}
		const tasks = [...this.tasks.values()].filter((t) => t.createdAt >= since && (!o.provider || t.provider === o.provider));
		const maxOverlap = (/** @type {[number, number][]} */ spans) => {
			/** @type {[number, number][]} */
			const ev = [];
			for (const [a, b] of spans) if (b > a) ev.push([a, 1], [b, -1]);
			ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]); // an end before a start at the same instant
			let cur = 0;
			let max = 0;
			for (const [, d] of ev) max = Math.max(max, (cur += d));
			return max;
		};
		const now = Date.now();
		return {
			submits: entries.length,
			created,
			refused,
			refusedBy,
			rejected,
			replays,
			tasks: tasks.length,
			maxInFlight: maxOverlap(tasks.map((t) => [t.createdAt, t.completesAt])),
			maxRunning: maxOverlap(tasks.map((t) => [t.startAt, t.completesAt])),
			inFlightNow: tasks.filter((t) => now < t.completesAt).length,
			runningNow: tasks.filter((t) => t.startAt <= now && now < t.completesAt).length,
			queuedNow: tasks.filter((t) => now < t.startAt).length,
		};
	}
	/**
	 * After the task was created: maybe lose the answer (500 or reset). @param {Ctx} ctx @param {ProviderModule} mod
	 * @returns {boolean} true when the answer was replaced by a fault
	 */
	submitAnswerLost(ctx, mod) {
		if (this.chance(this.opts.faults.submitReset)) {
			ctx.entry.fault = 'reset';
			ctx.reset();
			return true;
		}
		if (this.chance(this.opts.faults.submit5xx)) {
			ctx.entry.fault = '500';
			mod.fault(ctx, '500', 'submit');
			return true;
		}
		return false;
	}

	/** Retry-After seconds for this answer: set per answer (planned '429:N', concurrency) or the run-wide value. @param {Ctx} [ctx] */
	retryAfterSeconds(ctx) {
		return ctx?.retryAfterSeconds ?? this.opts.faults.retryAfterSeconds ?? 1;
	}
	/** @param {Ctx} [ctx] */
	retryAfterHeader(ctx) {
		return { 'retry-after': String(this.retryAfterSeconds(ctx)) };
	}

	/* ------------------------------------------------------------ images & files */

	/**
	 * Checks an image URL that points at this emulator. Other URLs are accepted as-is (no internet here).
	 * @param {string} url @returns {null | 'image-missing' | 'image-not-image' | 'image-too-large'}
	 */
	checkImageUrl(url) {
		let u;
		try {
			u = new URL(url);
		} catch {
			return null;
		}
		if (!isLoopbackHost(u.hostname) || Number(u.port || 80) !== this.port) return null;
		const data = this.lookupLocal(u.pathname);
		if (!data) return 'image-missing';
		if (sniff(data).kind !== 'image') return 'image-not-image';
		if (data.length > 10 * 1024 * 1024) return 'image-too-large';
		return null;
	}

	/** @param {string} pathname @returns {Buffer | null} */
	lookupLocal(pathname) {
		let m = /^\/_assets\/([^/]+)$/.exec(pathname);
		if (m) return this.asset(decodeURIComponent(m[1]));
		m = /^\/[^/]+\/_files\/([^/]+)(?:\/.*)?$/.exec(pathname);
		if (m) return this.files.get(m[1])?.data ?? null;
		// Replicate's files API: `urls.get` (/v1/files/{id}) and its download path name the uploaded bytes
		m = /^\/replicate\/v1\/files\/([^/]+)(?:\/download)?$/.exec(pathname);
		if (m) {
			const f = this.files.get(m[1]);
			return f && f.provider === 'replicate' ? f.data : null;
		}
		return null;
	}

	/**
	 * Read an input URL like the provider would download it: a URL on this emulator (asset or uploaded file) is probed,
	 * a `data:` URI decoded and probed, any other URL accepted unread with the remote defaults (options
	 * remoteVideoSeconds / remoteAudioSeconds / remoteVideoHasAudio). `want` picks the remote default.
	 * @param {string} url @param {'video' | 'audio' | 'image'} want
	 * @returns {InputInfo & { found: boolean }} found = false: an emulator URL with nothing behind it (or an undecodable data: URI)
	 */
	inspectMedia(url, want) {
		/** @param {Buffer} data @param {'local' | 'data'} source @returns {InputInfo & { found: boolean }} */
		const probed = (data, source) => {
			const p = probeMedia(data);
			return { url: source === 'data' ? `${url.slice(0, 40)}…` : url, source, found: true, kind: p.kind, seconds: p.duration, audio: p.audio, bytes: p.bytes, width: p.width, height: p.height };
		};
		const m = /^data:([^,]*?)(;base64)?,(.*)$/is.exec(url);
		if (m) {
			try {
				return probed(m[2] ? Buffer.from(m[3], 'base64') : Buffer.from(decodeURIComponent(m[3]), 'utf8'), 'data');
			} catch {
				return { url: `${url.slice(0, 40)}…`, source: 'data', found: false, kind: null, seconds: null, audio: null, bytes: null, width: null, height: null };
			}
		}
		let u;
		try {
			u = new URL(url);
		} catch {
			u = null;
		}
		if (u && isLoopbackHost(u.hostname) && Number(u.port || 80) === this.port) {
			const data = this.lookupLocal(u.pathname);
			if (!data) return { url, source: 'local', found: false, kind: null, seconds: null, audio: null, bytes: null, width: null, height: null };
			return probed(data, 'local');
		}
		const o = this.opts;
		return {
			url,
			source: 'remote',
			found: true,
			kind: want,
			seconds: want === 'video' ? o.remoteVideoSeconds : want === 'audio' ? o.remoteAudioSeconds : null,
			audio: want === 'video' ? o.remoteVideoHasAudio : want === 'audio' ? true : null,
			bytes: null,
			width: null,
			height: null,
		};
	}

	/** @param {string} name */
	asset(name) {
		const a = this.assets.get(name);
		if (!a) return null;
		if (typeof a === 'function') {
			const b = a();
			this.assets.set(name, b);
			return b;
		}
		return a;
	}

	/**
	 * Store an uploaded file and return its public URL on this emulator.
	 * @param {string} provider @param {string} name @param {Buffer} data @param {string} mime @param {string} [id]
	 */
	storeFile(provider, name, data, mime, id) {
		const fid = id ?? this.newId('', 24);
		const safe = encodeURIComponent(name || 'file');
		this.files.set(fid, { id: fid, provider, name, mime, data, createdAt: Date.now() });
		return { id: fid, url: `${this.url}/${provider}/_files/${fid}/${safe}` };
	}

	/* ------------------------------------------------------------ callbacks */

	/** @param {string} provider */
	retryDelays(provider) {
		const o = this.opts.callbackRetryDelaysMs;
		if (Array.isArray(o)) return o;
		if (isPlainObject(o) && Array.isArray(o[provider])) return o[provider];
		const mod = this.providers.get(provider);
		return (mod?.defaultRetryDelaysMs ?? [5000, 10000, 20000]).map((d) => Math.round(d * this.opts.timeScale));
	}

	/**
	 * Call `fn` when the task completes (one timer per task that needs a callback).
	 * @param {Task} task @param {() => void} fn
	 */
	atCompletion(task, fn) {
		const fire = () => {
			// timers may fire a millisecond early: make sure the task is terminal when the payload is built
			if (Date.now() < task.completesAt) this.later(fire, task.completesAt - Date.now() + 1);
			else fn();
		};
		this.later(fire, task.completesAt - Date.now() + 1);
	}

	/**
	 * Deliver a callback with retries (non-2xx or network error → retry after the provider's delays).
	 * @param {Task} task @param {Delivery} d
	 */
	deliver(task, d) {
		const faults = task.callbackFaults;
		if (faults.includes('drop')) return;
		const delays = this.retryDelays(task.provider);
		let repeats = (this.opts.repeatCallbacks || 0) + (faults.includes('duplicate') ? 1 : 0);
		const attempt = (/** @type {number} */ n) => {
			this.postCallback(task, d, n).then((ok) => {
				if (this.closed) return;
				if (!ok && n <= delays.length) this.later(() => attempt(n + 1), delays[n - 1]);
				else if (ok && repeats > 0) {
					repeats--;
					this.later(() => attempt(n + 1), Math.min(delays[0] ?? 100, 1000));
				}
			});
		};
		attempt(1);
	}

	/**
	 * @param {Task} task @param {Delivery} d @param {number} attemptNo @returns {Promise<boolean>} delivered (2xx)
	 */
	postCallback(task, d, attemptNo) {
		const faults = task.callbackFaults;
		const payload = d.payload;
		const raw = JSON.stringify(payload);
		const nowSec = Math.floor(Date.now() / 1000);
		const ts = faults.includes('stale-timestamp') ? nowSec - 600 : nowSec;
		let headers = d.sign ? d.sign(raw, ts, faults.includes('bad-signature')) : {};
		if (faults.includes('missing-signature')) headers = {};
		let sent = raw;
		if (faults.includes('tampered-body') && isPlainObject(payload)) sent = JSON.stringify({ ...payload, tampered: true });
		const entry = this.addEntry({
			provider: task.provider,
			kind: 'callback',
			method: 'POST',
			path: '',
			url: d.url,
			attempt: attemptNo,
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.parse(sent),
			taskId: task.id,
			target: d.target,
		});
		let u;
		try {
			u = new URL(d.url);
			entry.path = u.pathname;
			entry.query = Object.fromEntries(u.searchParams);
		} catch {
			entry.status = 'error';
			entry.error = 'invalid callback URL';
			return Promise.resolve(true); // nothing to retry
		}
		if (!isLoopbackHost(u.hostname)) {
			entry.status = 'error';
			entry.error = 'not sent: the emulator only calls loopback addresses';
			return Promise.resolve(true);
		}
		const lib = u.protocol === 'https:' ? https : http;
		return new Promise((resolve) => {
			let settled = false;
			const finish = (/** @type {boolean} */ ok) => {
				if (settled) return;
				settled = true;
				this.outbound.delete(req);
				resolve(ok);
			};
			const req = lib.request(
				u,
				{
					method: 'POST',
					agent: false,
					timeout: this.opts.callbackTimeoutMs,
					rejectUnauthorized: false,
					headers: {
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(sent),
						'user-agent': `kling-provider-emulator/${task.provider}`,
						...headers,
					},
				},
				(res) => {
					entry.responseStatus = res.statusCode;
					entry.status = res.statusCode ?? null;
					res.resume();
					res.on('end', () => finish((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
					res.on('error', () => finish(false));
				},
			);
			this.outbound.add(req);
			req.on('timeout', () => {
				entry.error = 'timeout';
				entry.status = 'error';
				req.destroy(new Error('timeout'));
			});
			req.on('error', (err) => {
				if (entry.responseStatus === undefined) {
					entry.error ??= err.message || 'network error';
					entry.status = 'error';
				}
				finish(false);
			});
			req.end(sent);
		});
	}

	/* ------------------------------------------------------------ HTTP */

	/** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer | null>} */
	readBody(req) {
		return new Promise((resolve) => {
			/** @type {Buffer[]} */
			const chunks = [];
			let size = 0;
			req.on('data', (c) => {
				size += c.length;
				if (size > MAX_BODY_BYTES) {
					resolve(null);
					req.destroy();
					return;
				}
				chunks.push(c);
			});
			req.on('end', () => resolve(Buffer.concat(chunks)));
			req.on('error', () => resolve(null));
		});
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
	async onRequest(req, res) {
		const u = new URL(req.url ?? '/', 'http://emulator.local');
		const segs = u.pathname.split('/');
		const prefix = segs[1] ?? '';
		if (prefix === '_emulator') return this.admin(req, res, u);
		const raw = await this.readBody(req);
		if (raw === null) {
			if (!res.destroyed) {
				res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
				res.end(JSON.stringify({ error: 'payload too large' }));
			}
			return;
		}
		const entry = this.addEntry({
			provider: prefix === '_assets' ? null : prefix,
			method: req.method ?? 'GET',
			path: u.pathname,
			query: Object.fromEntries(u.searchParams),
			headers: redactHeaders(req.headers),
		});
		if (this.opts.log) {
			res.on('finish', () => console.log(`[emulator] ${req.method} ${u.pathname}${u.search} -> ${entry.status}${entry.fault ? ` (fault ${entry.fault})` : ''}`));
		}
		const rest = `/${segs.slice(2).join('/')}`;
		const ctx = new Ctx(this, req, res, prefix, rest, u.searchParams, raw, entry);
		if (prefix === '_assets') return this.serveAsset(ctx, decodeURIComponent(segs.slice(2).join('/')));
		const mod = this.providers.get(prefix);
		if (!mod) {
			entry.kind = 'other';
			return ctx.send(404, { error: `unknown path; providers: ${PROVIDERS.map((p) => `/${p}`).join(', ')}` });
		}
		const rm = /^\/_results\/([^/]+)\.mp4$/.exec(rest);
		if (rm) return this.serveResult(ctx, rm[1]);
		const fm = /^\/_files\/([^/]+)(?:\/.*)?$/.exec(rest);
		if (fm) return this.serveFile(ctx, fm[1]);
		await mod.handle(ctx);
		if (!ctx.done && !res.headersSent && !res.destroyed) ctx.send(500, { error: 'emulator: handler did not answer' });
	}

	/** @param {Ctx} ctx @param {string} name */
	serveAsset(ctx, name) {
		ctx.mark('asset');
		const data = this.asset(name);
		if (!data || !['GET', 'HEAD'].includes(ctx.method)) return ctx.send(404, { error: 'asset not found' });
		const mime = sniff(data).mime;
		ctx.res.writeHead(200, { 'content-type': mime === 'application/octet-stream' ? 'text/plain; charset=utf-8' : mime, 'content-length': data.length });
		ctx.res.end(ctx.method === 'HEAD' ? undefined : data);
		ctx.entry.status = 200;
	}

	/** @param {Ctx} ctx @param {string} id */
	serveFile(ctx, id) {
		ctx.mark('asset');
		const f = this.files.get(id);
		if (!f || !['GET', 'HEAD'].includes(ctx.method)) return ctx.send(404, { error: 'file not found' });
		ctx.res.writeHead(200, { 'content-type': f.mime, 'content-length': f.data.length });
		ctx.res.end(ctx.method === 'HEAD' ? undefined : f.data);
		ctx.entry.status = 200;
	}

	/** @param {Ctx} ctx @param {string} taskId */
	async serveResult(ctx, taskId) {
		const task = this.tasks.get(taskId);
		ctx.mark('download', task ? taskId : undefined);
		const notFound = () =>
			ctx.send(404, { error: 'not_found', message: 'The requested object does not exist or has expired.' });
		if (!task || task.provider !== ctx.provider || !['GET', 'HEAD'].includes(ctx.method)) return notFound();
		if (this.phase(task).phase !== 'succeeded') return notFound();
		if (task.expired) {
			ctx.entry.fault = 'expired';
			return notFound();
		}
		const want = task.videoBytes ?? this.opts.largeVideoBytes ?? 0;
		const plan = planMp4(task.duration, task.aspectRatio, want, task.audio);
		let fault = task.downloadFaults.shift();
		if (!fault && this.chance(this.opts.faults.truncatedDownload)) fault = 'truncated';
		if (!fault && this.chance(this.opts.faults.slowDownload)) fault = 'slow';
		if (fault === 'expired') {
			ctx.entry.fault = 'expired';
			return notFound();
		}
		ctx.res.writeHead(200, {
			'content-type': 'video/mp4',
			'content-length': plan.size,
			'accept-ranges': 'none',
			'content-disposition': `inline; filename="${task.id}.mp4"`,
		});
		ctx.entry.status = 200;
		if (ctx.method === 'HEAD') return void ctx.res.end();
		if (fault === 'truncated') {
			ctx.entry.fault = 'truncated';
			const limit = Math.min(Math.floor(plan.size / 2), 4 * 1024 * 1024);
			try {
				await writeMp4(ctx.res, plan.head, plan.padBytes, limit);
			} catch {
				/* client went away */
			}
			// Let the bytes flush, then cut the connection: Content-Length promised more.
			this.later(() => ctx.res.destroy(), 20);
			return;
		}
		if (fault === 'slow') {
			ctx.entry.fault = 'slow';
			const rate = Math.max(1, task.downloadBytesPerSecond ?? this.opts.faults.downloadBytesPerSecond ?? 16384);
			try {
				await writeMp4(ctx.res, plan.head, plan.padBytes, Infinity, { bytesPerSecond: rate, sleep: (ms) => this.sleep(ms), closed: () => this.closed });
				ctx.res.end();
			} catch {
				ctx.entry.status = 'error'; // the client stopped the download mid-way (or the emulator closed)
			}
			return;
		}
		try {
			await writeMp4(ctx.res, plan.head, plan.padBytes);
			ctx.res.end();
		} catch {
			ctx.entry.status = 'error';
		}
	}

	/* ------------------------------------------------------------ admin API */

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {URL} u */
	async admin(req, res, u) {
		const send = (/** @type {number} */ status, /** @type {unknown} */ obj) => {
			const body = JSON.stringify(obj);
			res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
			res.end(body);
		};
		const raw = await this.readBody(req);
		/** @type {any} */
		let body;
		try {
			body = raw && raw.length ? JSON.parse(raw.toString('utf8')) : {};
		} catch {
			return send(400, { error: 'invalid JSON' });
		}
		const route = `${req.method} ${u.pathname.replace(/\/$/, '')}`;
		switch (route) {
			case 'GET /_emulator/health':
				return send(200, { ok: true, url: this.url, providers: PROVIDERS, tasks: this.tasks.size, journal: this.entries.length });
			case 'GET /_emulator/journal': {
				const q = Object.fromEntries(u.searchParams);
				return send(200, { entries: this.journalEntries(Object.keys(q).length ? q : undefined) });
			}
			case 'DELETE /_emulator/journal':
				this.entries = [];
				return send(200, { ok: true });
			case 'GET /_emulator/counts':
				return send(200, this.countsByTask());
			case 'GET /_emulator/tasks':
				return send(200, { tasks: [...this.tasks.values()].map((t) => this.publicTask(t)) });
			case 'POST /_emulator/config': {
				if (!isPlainObject(body)) return send(400, { error: 'expected a JSON object' });
				const { port: _p, host: _h, ...rest } = body;
				this.configure(rest);
				const { keys: _k, secrets: _s, ...visible } = this.opts;
				return send(200, { ok: true, options: visible });
			}
			case 'GET /_emulator/stats':
				return send(200, this.stats({ provider: u.searchParams.get('provider') ?? undefined, since: u.searchParams.has('since') ? Number(u.searchParams.get('since')) : undefined }));
			case 'POST /_emulator/outage':
				try {
					return send(200, { ok: true, outage: this.outage(body) });
				} catch (e) {
					return send(400, { error: String(/** @type {Error} */ (e).message) });
				}
			case 'POST /_emulator/submits':
				try {
					this.planSubmits(body.provider, Array.isArray(body.outcomes) ? body.outcomes : []);
				} catch (e) {
					return send(400, { error: String(/** @type {Error} */ (e).message) });
				}
				return send(200, { ok: true });
			case 'POST /_emulator/plan':
				try {
					this.planNextTask(body.provider, body.plan ?? {});
				} catch (e) {
					return send(400, { error: String(/** @type {Error} */ (e).message) });
				}
				return send(200, { ok: true });
			default:
				return send(404, { error: 'unknown admin route' });
		}
	}
}

/**
 * Shared field validation helpers; each returns an error message or null.
 */
export const V = {
	/** @param {unknown} v @param {string} name @param {{ required?: boolean, min?: number, max?: number }} [o] */
	string(v, name, o = {}) {
		if (v === undefined || v === null) return o.required ? `${name} is required` : null;
		if (typeof v !== 'string') return `${name} must be a string`;
		if (o.required && v.trim() === '') return `${name} is required and must not be empty`;
		if (o.min !== undefined && v.length < o.min) return `${name} must be at least ${o.min} characters`;
		if (o.max !== undefined && v.length > o.max) return `${name} must be at most ${o.max} characters (got ${v.length})`;
		return null;
	},
	/** @param {unknown} v @param {string} name @param {readonly string[]} values @param {boolean} [required] */
	enumString(v, name, values, required = false) {
		if (v === undefined || v === null) return required ? `${name} is required` : null;
		if (typeof v !== 'string' || !values.includes(v)) return `${name} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
		return null;
	},
	/** @param {unknown} v @param {string} name @param {number} min @param {number} max */
	number(v, name, min, max) {
		if (v === undefined || v === null) return null;
		if (typeof v !== 'number' || !Number.isFinite(v)) return `${name} must be a number`;
		if (v < min || v > max) return `${name} must be between ${min} and ${max} (got ${v})`;
		return null;
	},
	/** @param {unknown} v @param {string} name */
	url(v, name, required = false) {
		if (v === undefined || v === null) return required ? `${name} is required` : null;
		if (typeof v !== 'string' || !v) return required ? `${name} is required` : `${name} must be a URL string`;
		if (/^data:image\//.test(v)) return null;
		try {
			const u = new URL(v);
			if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${name} must be an http(s) URL`;
		} catch {
			return `${name} must be a valid URL`;
		}
		return null;
	},
	/** @param {Record<string, unknown>} obj @param {string[]} allowed @param {string} [where] */
	unknownFields(obj, allowed, where = '') {
		const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
		return extra.length ? `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => where + k).join(', ')}` : null;
	},
};
