// @ts-check
/**
 * Local provider emulator for n8n-nodes-kling-video: WaveSpeed AI, APIXO, Kie.ai (+ upload host), Rivya AI,
 * the official Kling API (/kling), fal.ai (/fal queue host + /fal-rest for JWKS and uploads + /fal-api for the account balance) and Replicate
 * (/replicate) on one HTTP server bound to 127.0.0.1, each under its own path prefix. Implemented from
 * shared/reference/PROVIDERS.md independently of the node's adapters (nothing here imports nodes/ or dist/).
 *
 * Timing: a task's generation time is drawn per task with a seeded PRNG from the seed's ranges
 * (5 s clip: 30–45 s, 10 s clip: 45–60 s) and multiplied by `timeScale`. `generationMs` (a number, or
 * `{5:[min,max],10:[min,max]}`) and a plan's `generationMs` REPLACE the draw and are used as given
 * (timeScale is not applied to them). A task is queued for its first 10 %, then processing, then terminal;
 * status is computed lazily from timestamps. Only callbacks use a timer (at completion), cleared by close().
 *
 * Callback retry delays: each provider's default (scaled by timeScale) unless `callbackRetryDelaysMs`
 * (an array, or `{provider: array}`) is given; explicit delays are used as given (not scaled).
 * Callbacks and webhooks are only sent to loopback addresses; other URLs are journaled as not sent.
 *
 * Faults (run-wide rates, seeded): statusRateLimit, status5xx, statusReset, slowMs/slowRate,
 * taskFailure, truncatedDownload, expiredResult, submitRateLimit (429 before a task exists), and the
 * "ambiguous submit" faults submit5xx / submitReset (the task IS created, the answer is lost).
 * Per task: planNextTask(provider, plan) — also statusFaults '429:<seconds>' (a long Retry-After) and
 * 'unknown-status', `unknownStatus: {word?, forMs?, reads?}` (status reads answer an undocumented word for a while),
 * `downloadFault: 'slow'` + `downloadBytesPerSecond` (the download trickles and can be stopped mid-way).
 * Run-wide: faults.submitCredit / submitMaintenance (rates, like submitRateLimit), faults.slowDownload (rate) with
 * faults.downloadBytesPerSecond; outage({provider?, seconds, answer: '503'|'500'|'429'|'reset', submits?}) — every
 * status read (and with submits: true every submit) of that provider (all when omitted) answers `answer` during the
 * window; planSubmits(provider, ['ok', 'ok', 'rate-limit', 'credit', 'maintenance', 'concurrency', 'arrears', …]) —
 * the outcomes of the next submits in order (refusals create nothing, in the provider's documented shape).
 * Concurrency caps: configure({ concurrencyCap: { kie: 2 }, concurrencyMode?: { replicate: 'queue' } }) — a submit
 * beyond the cap of unfinished tasks is refused (Kling 1303, Kie body 429, APIXO/Rivya/Replicate 429 + Retry-After
 * = seconds until a slot frees) or, for WaveSpeed and fal ("over-concurrency tasks wait"), created and started when
 * a slot frees (status queued meanwhile). stats({provider?, since?}) → { submits, created, refused, refusedBy,
 * rejected, replays, tasks, maxInFlight, maxRunning, inFlightNow, runningNow, queuedNow }; journal submit entries
 * carry `refused: <reason>` / `queued: true`.
 *
 * Kling family (KLING-MODELS.md): every provider module also serves the Kling 2.6 / 3.0 / Turbo / O1 / O3 / Omni /
 * 4.0 text-to-video and image-to-video models its provider documents (tables WAVESPEED_FAMILY, APIXO_FAMILY,
 * KIE_FAMILY, RIVYA_FAMILY, KLING_NEW_MODELS, FAL_FAMILY, REPLICATE_FAMILY). Results are real MP4s whose video track
 * lasts the effective duration (3–30 s; multi-shot = the sum of the shots) with an AAC-LC track of silence exactly
 * when the request asked for audio (the provider's default counts when the field is omitted) or the model always
 * has audio (4.0). `tasks.get(id).media` = { duration, audio, aspectRatio, shots, resolution } says what the result
 * holds. Kling official: `keys.klingApiKey` (API key, both APIs) and `secrets.klingWebhook` (Webhook Secret; null =
 * unsigned callbacks) are options like the other keys and secrets (`configure({ secrets: { klingWebhook } })`).
 *
 * Capabilities beyond text/image to video (KLING-MODELS.md §1b, §6, §7): motion control, lip-sync, AI avatar, reference
 * to video, video edit and (Kling 4.0 on WaveSpeed) video extend, on each provider that documents them (WAVESPEED_CAPS,
 * APIXO kling-3-0-std mode motion-control, KIE_CAPS, the Kling official legacy products + /motion-control/* + omni,
 * FAL_CAPS, REPLICATE_CAPS; each module's header lists ids, fields and limits). Inputs are URLs: emulator-hosted
 * samples (/_assets/video-*.mp4, audio-*.wav|mp3 — engine VIDEO_ASSETS / AUDIO_ASSETS) and uploads are read and
 * measured, data: URIs decoded, other URLs accepted unread with `remoteVideoSeconds` / `remoteAudioSeconds` (5) and
 * `remoteVideoHasAudio` (true). Output length: motion control = the reference video, lip-sync / edit = the input video
 * (4.0 edit: `duration` may set it), avatar = the audio, extend = input + new segment; `tasks.get(id).media.capability`
 * and `.inputs` say what was made from what.
 * Files: Replicate's files API (POST/GET/DELETE /replicate/v1/files, downloads with the token or a signed link) and
 * fal's storage uploads name bytes that every media input of that provider accepts.
 */
import { Engine, PROVIDERS } from './core/engine.mjs';
/** @typedef {import('./core/engine.mjs').Engine} EngineType */
import { createWaveSpeed } from './providers/wavespeed.mjs';
import { createApixo } from './providers/apixo.mjs';
import { createKie, createKieUpload } from './providers/kie.mjs';
import { createRivya } from './providers/rivya.mjs';
import { createKling } from './providers/kling.mjs';
import { createFal, createFalPlatform, createFalRest } from './providers/fal.mjs';
import { createReplicate } from './providers/replicate.mjs';

export { PROVIDERS };
export { wavespeedSignature } from './providers/wavespeed.mjs';
export { kieSignature } from './providers/kie.mjs';
export { rivyaSignature } from './providers/rivya.mjs';
export { klingJwt, klingWebhookSignature, KLING_HTTP_STATUS } from './providers/kling.mjs';
export { falSignedMessage, FAL_USER_ID } from './providers/fal.mjs';
export { replicateSignature, replicateFileSignature } from './providers/replicate.mjs';

/**
 * @typedef {import('./core/engine.mjs').InputOptions} EmulatorOptions
 * @typedef {import('./core/engine.mjs').TaskPlan} TaskPlan
 * @typedef {import('./core/engine.mjs').JournalEntry} JournalEntry
 * @typedef {{
 *   url: string, port: number, baseUrl: (provider: string) => string,
 *   configure: (partial: EmulatorOptions) => void,
 *   planNextTask: (provider: string, plan: TaskPlan) => void,
 *   journal: { entries: (filter?: ((e: JournalEntry) => boolean) | Record<string, unknown>) => JournalEntry[], reset: () => void,
 *     countsByTask: () => Record<string, { provider: string, submits: number, replays: number, statusReads: number,
 *       downloads: number, callbacks: number, callbackAnswers: (number | string)[] }> },
 *   tasks: { get: (id: string) => Record<string, unknown> | undefined, list: () => Record<string, unknown>[] },
 *   planSubmits: (provider: string, outcomes: import('./core/engine.mjs').SubmitOutcome[]) => void,
 *   clearPlans: () => void,
 *   outage: (o?: { provider?: string | null, seconds?: number, ms?: number, startInMs?: number, answer?: '503' | '500' | '429' | 'reset', submits?: boolean }) => import('./core/engine.mjs').Outage,
 *   stats: (o?: { provider?: string, since?: number }) => ReturnType<EngineType['stats']>,
 *   options: import('./core/engine.mjs').Options,
 *   close: () => Promise<void>,
 * }} Emulator
 */

/**
 * Start the emulator.
 * @param {EmulatorOptions} [options]
 * @returns {Promise<Emulator>}
 */
export async function startEmulator(options = {}) {
	const engine = new Engine(options);
	engine.register(createWaveSpeed(engine));
	engine.register(createApixo(engine));
	engine.register(createKie(engine));
	engine.register(createKieUpload(engine));
	engine.register(createRivya(engine));
	engine.register(createKling(engine));
	engine.register(createFal(engine));
	engine.register(createFalRest(engine));
	engine.register(createFalPlatform(engine));
	engine.register(createReplicate(engine));
	await engine.listen();
	/** @type {Emulator} */
	const emu = {
		url: engine.url,
		port: engine.port,
		baseUrl: (provider) => {
			if (!PROVIDERS.includes(/** @type {any} */ (provider))) throw new Error(`unknown provider ${provider}; one of ${PROVIDERS.join(', ')}`);
			return `${engine.url}/${provider}`;
		},
		configure: (partial) => engine.configure(partial),
		planNextTask: (provider, plan) => engine.planNextTask(provider, plan),
		planSubmits: (provider, outcomes) => engine.planSubmits(provider, outcomes),
		/** Drop every plan not yet used (planNextTask, planSubmits), e.g. between tests. */
		clearPlans: () => {
			engine.plans.clear();
			engine.submitPlans.clear();
		},
		outage: (o) => engine.outage(o),
		stats: (o) => engine.stats(o),
		journal: {
			entries: (filter) => engine.journalEntries(/** @type {any} */ (filter)),
			reset: () => {
				engine.entries = [];
			},
			countsByTask: () => engine.countsByTask(),
		},
		tasks: {
			get: (id) => {
				const t = engine.tasks.get(id);
				return t ? engine.publicTask(t) : undefined;
			},
			list: () => [...engine.tasks.values()].map((t) => engine.publicTask(t)),
		},
		get options() {
			return engine.opts;
		},
		close: () => engine.close(),
	};
	return emu;
}
