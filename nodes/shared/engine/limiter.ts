import type { RefusalKind } from './refusals';
import { pause, throwIfCancelled } from './transport';

/**
 * How many tasks of one run are in flight (submitted, not yet finished) at once.
 *
 * A hard cap (the Concurrency option), or Auto: no cap until the provider refuses a submit for its
 * rate or concurrency limit, then the cap becomes the number of this run's tasks in flight (the
 * account's real limit, as far as this run can tell) and rises by one after each full round of tasks
 * that finish without a refusal. Refusals also pause every submit of the run for the provider's
 * Retry-After, so one refusal does not turn into a burst of them.
 */
export class TaskLimiter {
	private cap: number;
	private inFlight = 0;
	private finishedSinceRefusal = 0;
	private finished = 0;
	private pausedUntil = 0;
	private wakeups: Array<() => void> = [];

	constructor(private readonly hardCap: number | null) {
		this.cap = hardCap ?? Number.POSITIVE_INFINITY;
	}

	/** Tasks of this run in flight now. */
	get running(): number {
		return this.inFlight;
	}

	/** The cap in use (Infinity until Auto has seen a refusal). */
	get limit(): number {
		return this.cap;
	}

	/** Wait for room for one more task (and for any refusal pause), then take it. */
	async acquire(signal?: AbortSignal): Promise<void> {
		for (;;) {
			throwIfCancelled(signal);
			const paused = this.pausedUntil - Date.now();
			if (paused > 0) {
				await pause(paused, signal);
				continue;
			}
			if (this.inFlight < this.cap) {
				this.inFlight++;
				return;
			}
			await this.nextChange(signal);
		}
	}

	/** A task left: it finished (or was refused, or its submit failed — then `finished` is false). */
	release(finished: boolean): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		if (finished) this.finished++;
		if (finished && this.hardCap === null && Number.isFinite(this.cap)) {
			this.finishedSinceRefusal++;
			if (this.finishedSinceRefusal >= this.cap) {
				this.cap++;
				this.finishedSinceRefusal = 0;
			}
		}
		this.wakeAll();
	}

	/** The provider refused a submit (nothing was created). */
	refused(kind: RefusalKind, retryAfterMs: number | null): void {
		if (retryAfterMs && retryAfterMs > 0) {
			this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
		}
		if (
			this.hardCap === null &&
			this.inFlight > 0 &&
			(kind === 'concurrency_limit' || kind === 'rate_limited')
		) {
			this.cap = Math.max(1, this.inFlight);
			this.finishedSinceRefusal = 0;
		}
		this.wakeAll();
	}

	/** Wait until one of this run's tasks in flight finishes (a refused submit then tries again). */
	async untilOneFinishes(signal?: AbortSignal): Promise<void> {
		const seen = this.finished;
		while (this.finished === seen && this.inFlight > 0) await this.nextChange(signal);
		throwIfCancelled(signal);
	}

	private async nextChange(signal?: AbortSignal): Promise<void> {
		throwIfCancelled(signal);
		let wake!: () => void;
		const changed = new Promise<void>((resolve) => (wake = resolve));
		this.wakeups.push(wake);
		let onAbort: (() => void) | undefined;
		const aborted = new Promise<void>((resolve) => {
			onAbort = () => resolve();
			signal?.addEventListener('abort', onAbort, { once: true });
		});
		try {
			await Promise.race([changed, aborted]);
		} finally {
			signal?.removeEventListener('abort', onAbort!);
			this.wakeups = this.wakeups.filter((waiting) => waiting !== wake);
		}
	}

	private wakeAll(): void {
		const waiting = this.wakeups;
		this.wakeups = [];
		for (const wake of waiting) wake();
	}
}

/**
 * A fixed number of slots (image uploads): at most `size` run at once, whatever Concurrency says, so
 * the bytes of a big batch's images are never all in memory together.
 */
export class Slots {
	private free: number;
	private queue: Array<() => void> = [];

	constructor(size: number) {
		this.free = size;
	}

	async run<T>(step: () => Promise<T>): Promise<T> {
		if (this.free > 0) this.free--;
		else await new Promise<void>((resolve) => this.queue.push(resolve));
		try {
			return await step();
		} finally {
			const next = this.queue.shift();
			if (next) next();
			else this.free++;
		}
	}
}
