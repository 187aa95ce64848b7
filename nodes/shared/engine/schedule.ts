import { typicalSeconds } from '../catalog';
import type { ModelEntry } from '../catalog/types';

/** How many tasks may be read for the first time later than one poll interval after they finished. */
const LATE_SHARE = 0.035;
/** Finished tasks needed before the batch's own times replace the catalog's. */
const MIN_OBSERVED = 3;

/**
 * When to read a task's status. The first read comes near the expected completion, not at the low
 * end of the typical time: with the typical range [lo, hi] and poll interval i, reading first at
 * lo + i + 3.5 % of the range means only the fastest 3.5 % of tasks wait more than one interval to be
 * seen, while most tasks need one or two reads (the catalog's ranges come from KLING-MODELS.md).
 * Later reads follow every interval. Tasks of the same batch that finished refine the range for the
 * items submitted after them (a provider slower than its docs, a capped account's later items), and a
 * fixed First Check After replaces all of this.
 */
export class PollPlanner {
	/** What this batch's finished tasks showed, per model and duration (ms after their submit). */
	private observed = new Map<string, Observation[]>();

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

	/** Milliseconds from one planned read to the next while the task still runs. */
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
		if (!entry) return;
		const key = this.key(entry, duration ?? entry.defaultDuration);
		const list = this.observed.get(key) ?? [];
		list.push({ runningAt: runningAtMs, seenAt: seenAfterMs });
		this.observed.set(key, list);
	}

	/**
	 * [lo, hi] in ms: the catalog's, until enough tasks of the batch finished. Then only what they
	 * prove: a task seen running at t took longer than t, one seen done at t took at most t. A task
	 * done at its first read says nothing about how fast it was, so while there is one, the low end
	 * stays the catalog's (counting only the tasks that needed a second read would push the first
	 * read past the fast ones); when every finished task was still running at its first read (a
	 * provider slower than its docs) the low end rises to the earliest read that still saw one running.
	 */
	expectedRange(entry: ModelEntry, duration: number): [number, number] {
		const [catalogLo, catalogHi] = typicalSeconds(entry, duration).map((s) => s * 1000);
		const seen = this.observed.get(this.key(entry, duration)) ?? [];
		if (seen.length < MIN_OBSERVED) return [catalogLo, catalogHi];
		const lo = Math.min(...seen.map((task) => task.runningAt ?? catalogLo));
		const hi = Math.max(lo, ...seen.map((task) => task.seenAt));
		return [lo, hi];
	}

	private key(entry: ModelEntry, duration: number): string {
		return `${entry.provider}:${entry.id}:${entry.mode}:${duration}`;
	}
}

interface Observation {
	/** The last read that saw the task running (ms after submit); null: done at its first read. */
	runningAt: number | null;
	/** The read that saw it done. */
	seenAt: number;
}
