// @ts-check
/** What `npm run bench` and `npm run bench:queue` share, so both use the same tasks and maths. */
import { makeRng } from '../test/emulator/core/util.mjs';

/** Time scale of the scaled rows: seed-realistic times (30–45 s) × 0.1, poll settings scaled too. */
export const SCALE = 0.1;

export const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The same list of generation times for every contestant of a batch of n: 5 s clips, 30–45 s × scale
 * (seeded by n, so a batch size always gets the same list whatever the scale).
 * @param {number} n @param {number} [scale]
 */
export function generationTimes(n, scale = SCALE) {
	const r = makeRng(1000 + n);
	return Array.from({ length: n }, () => Math.round((30_000 + r() * 15_000) * scale));
}

/** The wide-spread row: generation times uniform on 2–14 min × scale (seeded). @param {number} n @param {number} [scale] */
export function wideSpreadTimes(n, scale = SCALE) {
	const r = makeRng(7000 + n);
	return Array.from({ length: n }, () => Math.round((120_000 + r() * 720_000) * scale));
}

/**
 * The ideal schedule of a batch on an account that runs at most `cap` tasks at once: list scheduling of
 * the planned generation times IN ORDER (the emulator hands the k-th created task the k-th time) on `cap`
 * slots — each task starts the instant a slot frees, with zero submit, detection and hand-over time — so
 * its makespan is a lower bound for any client. `cap` = Infinity: the slowest task.
 * @param {number[]} gens @param {number} cap
 */
export function idealMakespanMs(gens, cap) {
	if (!Number.isFinite(cap) || cap >= gens.length) return Math.max(0, ...gens);
	const slots = Array.from({ length: cap }, () => 0);
	for (const g of gens) {
		let k = 0;
		for (let i = 1; i < slots.length; i++) if (slots[i] < slots[k]) k = i;
		slots[k] += g;
	}
	return Math.max(...slots);
}

/** The p-th percentile (nearest rank). @param {number[]} xs @param {number} p */
export function pct(xs, p) {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
