// @ts-check
/**
 * Shared rules for the capabilities beyond text/image to video (KLING-MODELS.md §1b, §3.x, §4, §6, §7): motion
 * control, lip-sync, AI avatar, reference to video, video edit and video extend. Like core/schema.mjs it knows no
 * provider: each module says which limits its docs give and turns the problems into its own error shape.
 *
 *  - `readInput(engine, url, rule)`: reads one video / audio / image input through `engine.inspectMedia` (real length
 *    of an emulator-hosted or data: file; the remote defaults otherwise) and checks the documented limits: length
 *    (`minSec`/`maxSec`, or `trimTo` = longer inputs are cut, e.g. WaveSpeed 4.0 edit "longer is trimmed to 30"), size
 *    (`maxBytes`), pixels (`minPx`/`maxPx` on both sides). A limit → `problem` (the provider's validation error at
 *    submit); an emulator URL with nothing behind it → `failWith: 'media-missing'`, a file of the wrong kind (a PNG
 *    sent as the video) → `failWith: 'media-invalid'`: the task is created and fails like a download failure.
 *  - `checkPromptRefs(prompt, styles, counts)`: every reference used in the prompt must exist — `@Image1` / `@Video1` /
 *    `@Audio1` / `@Element1` (WaveSpeed/fal 4.0 and O3, 1-based), `<<<image_1>>>` / `<<<video_1>>>` /
 *    `<<<element_1>>>` / `<<<voice_1>>>` (Kling legacy, Replicate, WaveSpeed 3.0 pages), `@image_1` / `@video_1` (the
 *    resellers' and Kling's new API default ids). A reference beyond the count → problem.
 */
import { aspectOf } from './media.mjs';

/** @typedef {import('./engine.mjs').Engine} Engine @typedef {import('./engine.mjs').InputInfo} InputInfo */

/**
 * @typedef {{ field: string, want: 'video' | 'audio' | 'image', minSec?: number, maxSec?: number, trimTo?: number,
 *   maxBytes?: number, minPx?: number, maxPx?: number }} InputRule
 * @typedef {{ info: InputInfo, seconds: number, problem: string | null, failWith: string | null }} InputRead
 */

const MB = 1024 * 1024;
/** @param {number} n */
const mb = (n) => `${Math.round((n / MB) * 100) / 100} MB`;

/**
 * @param {Engine} engine @param {string} url @param {InputRule} rule @returns {InputRead}
 */
export function readInput(engine, url, rule) {
	const full = engine.inspectMedia(url, rule.want);
	const { found, ...info } = full;
	// a missing / unreadable input keeps a nominal 5 s so the (failing) task still has a length
	const out = /** @type {InputRead} */ ({ info, seconds: info.seconds ?? 5, problem: null, failWith: null });
	if (!found) {
		if (info.source === 'data') out.problem = `${rule.field} is not a valid data URI`;
		else out.failWith = 'media-missing';
		return out;
	}
	if (info.source !== 'remote' && info.kind !== rule.want) {
		out.failWith = 'media-invalid';
		return out;
	}
	const s = info.seconds;
	const what = rule.want === 'image' ? 'image' : rule.want;
	if (s !== null && rule.minSec !== undefined && s < rule.minSec) {
		out.problem = `${rule.field}: the ${what} must last at least ${rule.minSec} s${rule.maxSec !== undefined ? ` (${rule.minSec}–${rule.maxSec} s)` : ''} (got ${s} s)`;
	} else if (s !== null && rule.maxSec !== undefined && s > rule.maxSec) {
		out.problem = `${rule.field}: the ${what} must last at most ${rule.maxSec} s${rule.minSec !== undefined ? ` (${rule.minSec}–${rule.maxSec} s)` : ''} (got ${s} s)`;
	} else if (info.bytes !== null && rule.maxBytes !== undefined && info.bytes > rule.maxBytes) {
		out.problem = `${rule.field}: the ${what} file must be at most ${mb(rule.maxBytes)} (got ${mb(info.bytes)})`;
	} else if (info.width !== null && info.height !== null && rule.minPx !== undefined && Math.min(info.width, info.height) < rule.minPx) {
		out.problem = `${rule.field}: width and height must be at least ${rule.minPx} px${rule.maxPx ? ` (${rule.minPx}–${rule.maxPx} px)` : ''} (got ${info.width}×${info.height})`;
	} else if (info.width !== null && info.height !== null && rule.maxPx !== undefined && Math.max(info.width, info.height) > rule.maxPx) {
		out.problem = `${rule.field}: width and height must be at most ${rule.maxPx} px (got ${info.width}×${info.height})`;
	}
	if (s !== null && rule.trimTo !== undefined && s > rule.trimTo) out.seconds = rule.trimTo;
	return out;
}

/**
 * Read several inputs; the first problem / failure wins. @param {Engine} engine @param {[string | undefined | null, InputRule][]} list
 * @returns {{ reads: (InputRead | null)[], problem: string | null, failWith: string | null }}
 */
export function readInputs(engine, list) {
	/** @type {(InputRead | null)[]} */
	const reads = [];
	let problem = null;
	let failWith = null;
	for (const [url, rule] of list) {
		if (typeof url !== 'string' || !url) {
			reads.push(null);
			continue;
		}
		const r = readInput(engine, url, rule);
		reads.push(r);
		problem ??= r.problem;
		failWith ??= r.failWith;
	}
	return { reads, problem, failWith };
}

/** What the task records of an input. @param {InputRead} r */
export function summary(r) {
	const { url, source, seconds, audio, bytes, width, height } = r.info;
	return { url, source, seconds: r.seconds === seconds ? seconds : r.seconds, measuredSeconds: seconds, audio, bytes, width, height };
}

/** The result aspect of a video / image input (the emulator's result frames). @param {InputRead | null | undefined} r @param {string} [fallback] */
export function aspectFrom(r, fallback = '16:9') {
	if (!r || r.info.width === null) return fallback;
	return aspectOf(r.info.width, r.info.height);
}

const KINDS = /** @type {const} */ (['image', 'video', 'audio', 'element', 'voice']);
/** @type {Record<string, string>} */
const NAMES = { image: 'reference image', video: 'video', audio: 'audio', element: 'element', voice: 'voice' };

/**
 * Every reference used in the prompt must exist (1-based, in the order given).
 * @param {string | undefined | null} prompt
 * @param {{ at?: boolean, angle?: boolean, snake?: boolean }} styles `@Image1`, `<<<image_1>>>`, `@image_1`
 * @param {Partial<Record<'image' | 'video' | 'audio' | 'element' | 'voice', number>>} counts
 * @returns {string | null}
 */
export function checkPromptRefs(prompt, styles, counts) {
	if (typeof prompt !== 'string' || !prompt) return null;
	/** @type {[RegExp, (m: RegExpExecArray) => [string, number]][]} */
	const patterns = [];
	if (styles.at) patterns.push([/@(image|video|audio|element|voice)(\d+)\b/gi, (m) => [m[1].toLowerCase(), Number(m[2])]]);
	if (styles.angle) patterns.push([/<<<\s*(image|video|audio|element|voice)_(\d+)\s*>>>/gi, (m) => [m[1].toLowerCase(), Number(m[2])]]);
	if (styles.snake) patterns.push([/@(image|video|audio|element|voice)_(\d+)\b/gi, (m) => [m[1].toLowerCase(), Number(m[2])]]);
	for (const [re, parse] of patterns) {
		let m;
		while ((m = re.exec(prompt))) {
			const [kind, n] = parse(m);
			if (!KINDS.includes(/** @type {any} */ (kind))) continue;
			const have = counts[/** @type {'image'} */ (kind)] ?? 0;
			if (n < 1 || n > have) {
				return `the prompt references ${m[0]} but ${have === 0 ? `no ${NAMES[kind]} was given` : `only ${have} ${NAMES[kind]}${have === 1 ? ' was' : 's were'} given`}`;
			}
		}
	}
	return null;
}

/**
 * Motion control output length: the reference video's length; with `capImage` an orientation "image" output is cut to
 * that many seconds (for providers that document only the overall limit).
 * @param {number} seconds @param {string | undefined} orientation @param {number} [capImage]
 */
export function motionSeconds(seconds, orientation, capImage) {
	return orientation === 'image' && capImage !== undefined ? Math.min(seconds, capImage) : seconds;
}
