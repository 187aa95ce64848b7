import { typicalSeconds } from '../catalog';
import type { ModelEntry } from '../catalog/types';

/** How many tasks may be read for the first time later than one poll interval after they finished. */
const LATE_SHARE = 0.04;
/** Finished tasks needed before the batch's own times replace the catalog's. */
const MIN_OBSERVED = 3;

/**
 * When to read a task's status. The first read comes near the expected completion, not at the low
 * end of the typical time: with the typical range [lo, hi] and poll interval i, reading first at
 * lo + i + 4 % of the range means only the fastest 4 % of tasks wait more than one interval to be
 * seen, while most tasks need one or two reads (the catalog's ranges come from KLING-MODELS.md).
 * Tasks of the same batch that finished refine the range (a provider slower or faster than its
 * docs), and a fixed First Check After replaces all of this.
 */
export class PollPlanner {
	/** Generation times (ms) of this batch's finished tasks, per model and duration. */
	private observed = new Map<string, number[]>();

	constructor(
		private readonly pollIntervalMs: number,
		private readonly firstCheckAfterMs: number,
	) {}

	/** Milliseconds after the submit for the first status read. */
	firstCheckMs(entry: ModelEntry | null, duration: number | null): number {
		if (this.firstCheckAfterMs > 0 || !entry) return this.firstCheckAfterMs;
		const [lo, hi] = this.expectedRange(entry, duration ?? entry.defaultDuration);
		return lo + this.pollIntervalMs + LATE_SHARE * (hi - lo);
	}

	/** Milliseconds until the next read after a read that found the task still running. */
	nextCheckMs(): number {
		return this.pollIntervalMs;
	}

	/**
	 * A task of the batch finished: it was first seen done at `seenAfterMs` after its submit, and the
	 * read before that (if any) still saw it running at `runningAtMs`.
	 */
	observe(
		entry: ModelEntry | null,
		duration: number | null,
		seenAfterMs: number,
		runningAtMs: number | null,
	): void {
		if (!entry || runningAtMs === null) return; // done at the first read: only an upper bound
		const key = this.key(entry, duration ?? entry.defaultDuration);
		const list = this.observed.get(key) ?? [];
		list.push((seenAfterMs + runningAtMs) / 2);
		this.observed.set(key, list);
	}

	/** [lo, hi] in ms: the batch's own times once enough tasks finished, else the catalog's. */
	expectedRange(entry: ModelEntry, duration: number): [number, number] {
		const seen = this.observed.get(this.key(entry, duration)) ?? [];
		if (seen.length >= MIN_OBSERVED) {
			const half = this.pollIntervalMs / 2;
			return [Math.max(0, Math.min(...seen) - half), Math.max(...seen) + half];
		}
		const [lo, hi] = typicalSeconds(entry, duration);
		return [lo * 1000, hi * 1000];
	}

	private key(entry: ModelEntry, duration: number): string {
		return `${entry.provider}:${entry.id}:${entry.mode}:${duration}`;
	}
}
