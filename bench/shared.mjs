// @ts-check
/** What `npm run bench` and `npm run bench:queue` share, so both use the same tasks and maths. */
import { makeRng } from '../test/emulator/core/util.mjs';

/** Seed-realistic times (30–60 s) scaled down so a run takes minutes; poll settings scale too. */
export const SCALE = 0.1;

export const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** The same list of generation times for every contestant of a batch of n: 5 s clips, 30–45 s × SCALE. @param {number} n */
export function generationTimes(n) {
	const r = makeRng(1000 + n);
	return Array.from({ length: n }, () => Math.round((30_000 + r() * 15_000) * SCALE));
}

/** The p-th percentile (nearest rank). @param {number[]} xs @param {number} p */
export function pct(xs, p) {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
