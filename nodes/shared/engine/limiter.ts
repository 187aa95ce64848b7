import type { RefusalKind } from './refusals';
import { onCancel, pause, throwIfCancelled } from './transport';

/**
 * Longest time one refusal holds back the run's other submits. The refused item itself waits as the
 * provider asks, within its Submit Retry Budget (submit.ts); this pause only keeps one refusal from
 * turning into a burst of them, and never keeps a Retry-After of minutes (a concurrency cap's "a slot
 * frees in 60 s") between the other items and their own budgets.
 */
const MAX_SHARED_PAUSE_MS = 2000;
/** A refused probe above the learned cap doubles the rounds of finished tasks before the next, up to this. */
const MAX_PROBE_SPACING = 8;

/**
 * How many tasks of one run are in flight (submitted, not yet finished) at once.
 *
 * A hard cap (the Concurrency option), or Auto: no cap until the provider refuses a submit for its
 * rate or concurrency limit, then the cap becomes the number of this run's tasks in flight (the
 * account's real limit, as far as this run can tell). After a full round of tasks that finish without a
 * refusal the cap rises by one (a probe: the account may have room again, e.g. another workflow's tasks
 * ended); a probe that is refused doubles the rounds before the next one (up to 8), one that is
 * accepted resets them. A refusal also pauses the run's other submits for the provider's Retry-After
 * (at most 2 s; refusals during a pause do not lengthen it), and one of the run's own tasks finishing
 * ends that pause: the slot it held is free.
 */
export class TaskLimiter {
	private cap: number;
	private inFlight = 0;
	private finishedSinceRefusal = 0;
	private finished = 0;
	private pausedUntil = 0;
	/** Rounds of `cap` finished tasks before the next probe above the cap. */
	private probeSpacing = 1;
	/** The cap was raised by a probe and no refusal came since. */
	private probing = false;
	/** The probed slot was taken (a submit went out at the raised cap). */
	private probeSent = false;
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
				// A finished task ends the pause early (release), so wait for either.
				await this.nextChange(signal, paused);
				continue;
			}
			if (this.inFlight < this.cap) {
				this.inFlight++;
				if (this.probing && this.inFlight >= this.cap) this.probeSent = true;
				return;
			}
			await this.nextChange(signal);
		}
	}

	/** A task left: it finished (or was refused, or its submit failed — then `finished` is false). */
	release(finished: boolean): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		if (finished) {
			this.finished++;
			// The slot this task held is free now, whatever a Retry-After estimated.
			this.pausedUntil = 0;
			if (this.hardCap === null && Number.isFinite(this.cap)) {
				if (this.probing && this.probeSent) {
					// The probe was not refused: the account took one more task, so probe again soon.
					this.probing = false;
					this.probeSpacing = 1;
				}
				this.finishedSinceRefusal++;
				if (this.finishedSinceRefusal >= this.cap * this.probeSpacing) {
					this.cap++;
					this.probing = true;
					this.probeSent = false;
					this.finishedSinceRefusal = 0;
				}
			}
		}
		this.wakeAll();
	}

	/**
	 * The provider refused a submit (nothing was created). `learn` false: the run's slots are submit
	 * requests, not tasks (Submit gives its slot back as soon as the task exists), so the number in
	 * flight says nothing about the account's cap; the refusal only pauses.
	 */
	refused(kind: RefusalKind, retryAfterMs: number | null, learn = true): void {
		// A refusal during a pause does not lengthen it: the submits that were already on their way when
		// it began would otherwise hold every other item back one pause each, in turn.
		const now = Date.now();
		if (retryAfterMs && retryAfterMs > 0 && now >= this.pausedUntil) {
			this.pausedUntil = now + Math.min(retryAfterMs, MAX_SHARED_PAUSE_MS);
		}
		if (
			learn &&
			this.hardCap === null &&
			this.inFlight > 0 &&
			(kind === 'concurrency_limit' || kind === 'rate_limited')
		) {
			if (this.probing) this.probeSpacing = Math.min(this.probeSpacing * 2, MAX_PROBE_SPACING);
			this.probing = false;
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

	/** Until the limiter changes (a release or a refusal), the signal aborts, or `timeoutMs` passed. */
	private async nextChange(signal?: AbortSignal, timeoutMs?: number): Promise<void> {
		throwIfCancelled(signal);
		let wake!: () => void;
		const changed = new Promise<void>((resolve) => (wake = resolve));
		this.wakeups.push(wake);
		let stopListening = () => {};
		const aborted = new Promise<void>((resolve) => {
			if (signal) stopListening = onCancel(signal, resolve);
		});
		const racers = [changed, aborted];
		// pause() rejects on abort; the abort is reported by the caller's throwIfCancelled.
		if (timeoutMs !== undefined) racers.push(pause(timeoutMs, signal).catch(() => undefined));
		try {
			await Promise.race(racers);
		} finally {
			stopListening();
			this.wakeups = this.wakeups.filter((waiting) => waiting !== wake);
		}
	}

	private wakeAll(): void {
		const waiting = this.wakeups;
		this.wakeups = [];
		for (const wake of waiting) wake();
	}
}
