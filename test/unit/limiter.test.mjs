// @ts-check
/**
 * TaskLimiter (nodes/shared/engine/limiter.ts): Concurrency Auto learns the account's cap from the
 * provider's refusals and probes above it, sparingly; a hard cap never moves; a refusal holds the run's
 * other submits back briefly, and one of the run's own tasks finishing ends that pause.
 */
import { describe, expect, test } from '@jest/globals';
import { dist } from './helpers.mjs';

const { TaskLimiter } = dist('shared/engine/limiter');

/** Whether `promise` settles within `ms`. @param {Promise<unknown>} promise @param {number} ms */
async function settlesWithin(promise, ms) {
	let settled = false;
	void promise.then(
		() => (settled = true),
		() => (settled = true),
	);
	await new Promise((resolve) => setTimeout(resolve, ms));
	return settled;
}

/** Take `count` slots (each must be free). @param {any} limiter @param {number} count */
async function take(limiter, count) {
	for (let i = 0; i < count; i++) await limiter.acquire();
}

describe('Concurrency Auto', () => {
	test('has no cap until a refusal, then caps at the tasks in flight: the next submit waits for one to finish', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 4);
		expect(limiter.limit).toBe(Number.POSITIVE_INFINITY);
		limiter.release(false); // the 4th submit was refused…
		limiter.refused('concurrency_limit', null); // …with 3 tasks of the run in flight
		expect(limiter.limit).toBe(3);
		const waiting = limiter.acquire();
		expect(await settlesWithin(waiting, 30)).toBe(false);
		limiter.release(true);
		expect(await settlesWithin(waiting, 30)).toBe(true);
		expect(limiter.running).toBe(3);
	});

	test('a refusal with nothing of the run in flight does not set a cap (the account is busy with other work)', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 1);
		limiter.release(false);
		limiter.refused('rate_limited', null);
		expect(limiter.limit).toBe(Number.POSITIVE_INFINITY);
	});

	test('a refusal reported as not counting tasks (Submit: its slots are submit requests, given back once the task exists) pauses but sets no cap', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 5);
		limiter.release(false);
		limiter.refused('concurrency_limit', null, false);
		expect(limiter.limit).toBe(Number.POSITIVE_INFINITY);
		await take(limiter, 10);
		expect(limiter.running).toBe(14);
	});

	test('out of credit and maintenance do not lower the cap', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 3);
		limiter.refused('insufficient_credits', null);
		limiter.refused('maintenance', null);
		expect(limiter.limit).toBe(Number.POSITIVE_INFINITY);
	});

	test('after a round of finished tasks it probes one above the cap; a refused probe doubles the rounds before the next, an accepted one resets them', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 3);
		limiter.refused('concurrency_limit', null); // cap 2 (a third submit is in flight but counted)
		limiter.release(false);
		limiter.refused('concurrency_limit', null);
		expect(limiter.limit).toBe(2);
		// one round = 2 finished tasks → probe at 3
		const finishAndRefill = async () => {
			limiter.release(true);
			await limiter.acquire();
		};
		await finishAndRefill();
		expect(limiter.limit).toBe(2);
		await finishAndRefill();
		expect(limiter.limit).toBe(3);
		// the probe is refused: back to the tasks in flight, next probe after 2 rounds (4 finished)
		await limiter.acquire();
		limiter.release(false);
		limiter.refused('concurrency_limit', null);
		expect(limiter.limit).toBe(2);
		for (let i = 0; i < 3; i++) await finishAndRefill();
		expect(limiter.limit).toBe(2);
		await finishAndRefill();
		expect(limiter.limit).toBe(3);
		// refused again: 4 rounds (8 finished) before the next probe
		await limiter.acquire();
		limiter.release(false);
		limiter.refused('concurrency_limit', null);
		for (let i = 0; i < 7; i++) await finishAndRefill();
		expect(limiter.limit).toBe(2);
		await finishAndRefill();
		expect(limiter.limit).toBe(3);
		// this probe is accepted (the account took a third task): the next probe comes after one round of 3
		await limiter.acquire();
		expect(limiter.running).toBe(3);
		for (let i = 0; i < 2; i++) await finishAndRefill();
		expect(limiter.limit).toBe(3);
		await finishAndRefill();
		expect(limiter.limit).toBe(4);
	});

	test('the spacing between probes stops doubling at 8 rounds', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 2);
		limiter.refused('rate_limited', null);
		expect(limiter.limit).toBe(2);
		const finishAndRefill = async () => {
			limiter.release(true);
			await limiter.acquire();
		};
		const refusedProbe = async () => {
			await limiter.acquire();
			limiter.release(false);
			limiter.refused('rate_limited', null);
		};
		for (const rounds of [1, 2, 4, 8, 8]) {
			for (let i = 0; i < rounds * 2 - 1; i++) await finishAndRefill();
			expect(limiter.limit).toBe(2);
			await finishAndRefill();
			expect(limiter.limit).toBe(3);
			await refusedProbe();
		}
	});
});

describe('a hard cap (any Concurrency other than 0)', () => {
	test('never more than the cap in flight, and refusals never move it', async () => {
		const limiter = new TaskLimiter(2);
		await take(limiter, 2);
		const third = limiter.acquire();
		expect(await settlesWithin(third, 30)).toBe(false);
		limiter.refused('concurrency_limit', null);
		expect(limiter.limit).toBe(2);
		for (let i = 0; i < 10; i++) {
			limiter.release(true);
			await limiter.acquire();
		}
		expect(limiter.limit).toBe(2);
		limiter.release(true);
		await third;
		expect(limiter.running).toBe(2);
	});
});

describe('the pause after a refusal', () => {
	test('holds the run’s other submits back for the Retry-After', async () => {
		const limiter = new TaskLimiter(null);
		limiter.refused('rate_limited', 300);
		const started = Date.now();
		await limiter.acquire();
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
	});

	test('lasts at most 2 s however long the Retry-After (a cap that frees in a minute must not hold items past their Submit Retry Budget)', async () => {
		const limiter = new TaskLimiter(null);
		limiter.refused('rate_limited', 60_000);
		const started = Date.now();
		await limiter.acquire();
		const waited = Date.now() - started;
		expect(waited).toBeGreaterThanOrEqual(1900);
		expect(waited).toBeLessThan(2500);
	});

	test('is not lengthened by refusals that come during it (the submits already on their way), so a burst of refused items is held back once, not once each', async () => {
		const limiter = new TaskLimiter(null);
		const started = Date.now();
		limiter.refused('rate_limited', 400);
		await new Promise((resolve) => setTimeout(resolve, 200));
		limiter.refused('rate_limited', 400);
		limiter.refused('rate_limited', 400);
		await limiter.acquire();
		const waited = Date.now() - started;
		expect(waited).toBeGreaterThanOrEqual(350);
		expect(waited).toBeLessThan(550);
		// once it is over, the next refusal pauses again
		limiter.release(false);
		limiter.refused('rate_limited', 300);
		const again = Date.now();
		await limiter.acquire();
		expect(Date.now() - again).toBeGreaterThanOrEqual(250);
	});

	test('ends when one of the run’s own tasks finishes: the slot it held is free', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 2);
		limiter.refused('concurrency_limit', 30_000); // cap 2, the run pauses
		const next = limiter.acquire();
		expect(await settlesWithin(next, 50)).toBe(false);
		limiter.release(true);
		expect(await settlesWithin(next, 50)).toBe(true);
	});

	test('a submit that failed (not a finished task) does not end it', async () => {
		const limiter = new TaskLimiter(3);
		await take(limiter, 1);
		limiter.refused('rate_limited', 1500);
		limiter.release(false);
		const next = limiter.acquire();
		expect(await settlesWithin(next, 200)).toBe(false);
		await next;
	});
});

describe('untilOneFinishes', () => {
	test('resolves when one of the run’s tasks finishes, not when a submit fails', async () => {
		const limiter = new TaskLimiter(null);
		await take(limiter, 2);
		const waiting = limiter.untilOneFinishes();
		limiter.release(false);
		expect(await settlesWithin(waiting, 30)).toBe(false);
		await limiter.acquire();
		limiter.release(true);
		expect(await settlesWithin(waiting, 30)).toBe(true);
	});

	test('resolves at once when nothing of the run is in flight', async () => {
		const limiter = new TaskLimiter(null);
		expect(await settlesWithin(limiter.untilOneFinishes(), 20)).toBe(true);
	});
});
