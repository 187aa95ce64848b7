// @ts-check
/**
 * PollPlanner (nodes/shared/engine/schedule.ts): when the node reads a task's status. The first read
 * comes one poll interval (plus 3.5 % of the range) after the low end of the catalog's typical time, so
 * a task finishing anywhere in the typical range is seen within one interval in all but the fastest
 * 3 %, with about two reads per task; the batch's finished tasks refine the range only by what they prove.
 */
import { describe, expect, test } from '@jest/globals';
import { dist } from './helpers.mjs';

const { PollPlanner } = dist('shared/engine/schedule');
const { entriesOf } = dist('shared/catalog/index');

/** Kie's Kling 2.5 Turbo Pro, text to video: 30–45 s for a 5 s clip in the catalog (KLING-MODELS.md). */
const entry = entriesOf('kie', 'kling-v2.5-turbo-pro', 'text-to-video')[0];

/**
 * Reads and detection latency of one task finishing after `genMs`, read first at `firstMs` and then
 * every `intervalMs` (the plan waitUntilDone follows).
 * @param {number} genMs @param {number} firstMs @param {number} intervalMs
 */
function polls(genMs, firstMs, intervalMs) {
	let at = firstMs;
	let reads = 1;
	while (at < genMs) {
		at += intervalMs;
		reads++;
	}
	return { reads, detectionMs: at - genMs };
}

describe('the first status read', () => {
	test('comes at the catalog’s low end + one poll interval + 3.5 % of the range', () => {
		expect(entry.typicalSeconds.fiveSecondClip).toEqual([30, 45]);
		const planner = new PollPlanner(5000, 0);
		expect(planner.firstCheckMs(entry, 5)).toBe(30_000 + 5000 + 0.035 * 15_000);
		// a 10 s clip: the catalog adds its per-second time to both ends
		const [lo, hi] = planner.expectedRange(entry, 10);
		expect(planner.firstCheckMs(entry, 10)).toBe(lo + 5000 + 0.035 * (hi - lo));
		expect(lo).toBeGreaterThan(30_000);
	});

	test('over generation times spread evenly across the typical range: at most 2 reads per task on average, and at most 5 % seen later than one interval', () => {
		const planner = new PollPlanner(5000, 0);
		const first = planner.firstCheckMs(entry, 5);
		const gens = Array.from({ length: 1501 }, (_, k) => 30_000 + k * 10);
		const plans = gens.map((g) => polls(g, first, 5000));
		const meanReads = plans.reduce((sum, p) => sum + p.reads, 0) / plans.length;
		const late = plans.filter((p) => p.detectionMs > 5000).length / plans.length;
		expect(meanReads).toBeLessThanOrEqual(2);
		expect(meanReads).toBeGreaterThan(1.9);
		expect(late).toBeLessThanOrEqual(0.05);
		expect(late).toBeGreaterThan(0);
	});

	test('a fixed First Check After replaces the plan, and later reads follow every Poll Interval', () => {
		const planner = new PollPlanner(2000, 12_000);
		expect(planner.firstCheckMs(entry, 5)).toBe(12_000);
		expect(planner.nextCheckMs()).toBe(2000);
	});
});

describe('what the batch’s finished tasks change', () => {
	test('nothing before three tasks finished', () => {
		const planner = new PollPlanner(5000, 0);
		planner.observe(entry, 5, 70_000, 65_000);
		planner.observe(entry, 5, 75_000, 70_000);
		expect(planner.expectedRange(entry, 5)).toEqual([30_000, 45_000]);
	});

	test('tasks done at their first read keep the low end at the catalog’s, however many slower tasks needed a second read', () => {
		const planner = new PollPlanner(5000, 0);
		// the fast task was seen done at its first read (35.45 s): it may have ended at 30 s
		planner.observe(entry, 5, 35_450, null);
		for (const seenAt of [40_450, 45_450, 45_450, 40_450]) planner.observe(entry, 5, seenAt, seenAt - 5000);
		expect(planner.expectedRange(entry, 5)[0]).toBe(30_000);
		expect(planner.firstCheckMs(entry, 5)).toBe(35_000 + 0.035 * (45_450 - 30_000));
	});

	test('when every finished task was still running at its first read (a provider slower than its docs), the low end rises to the earliest read that saw one running', () => {
		const planner = new PollPlanner(5000, 0);
		planner.observe(entry, 5, 80_450, 75_450);
		planner.observe(entry, 5, 70_450, 65_450);
		planner.observe(entry, 5, 95_450, 90_450);
		expect(planner.expectedRange(entry, 5)).toEqual([65_450, 95_450]);
		// the items submitted from now on are read first one interval after that
		expect(planner.firstCheckMs(entry, 5)).toBe(65_450 + 5000 + 0.035 * 30_000);
		// a 10 s clip of the same model is another range: still the catalog's
		expect(planner.expectedRange(entry, 10)[0]).toBeLessThan(65_450);
	});
});
