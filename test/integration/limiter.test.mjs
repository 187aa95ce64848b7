// @ts-check
/**
 * The task limiter (issue 15), each test named after the behaviour it proves: the Kling Video node,
 * version 2, through n8n-core's WorkflowExecute (from dist/) against an emulator whose Kie account has a
 * concurrency cap. Kie answers a submit over the cap with body `{code: 429}` (HTTP 200) and nothing is
 * created; the emulator adds Retry-After = seconds until one of the account's tasks ends.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, credentialsFor } from '../support/kling.mjs';
import { runKlingNode } from '../support/n8n.mjs';

/** @typedef {Awaited<ReturnType<typeof startEmulator>>} Emulator */

const items = (/** @type {number} */ count) => Array.from({ length: count }, (_, row) => ({ json: { row } }));

/**
 * @param {Emulator} emulator @param {Record<string, any>} parameters @param {Partial<Parameters<typeof runKlingNode>[0]>} [extra]
 * @param {string} [provider]
 */
function run(emulator, parameters, extra = {}, provider = 'kie') {
	return runKlingNode({
		parameters: { authentication: provider, resource: 'video', prompt: '={{ "row " + $json.row }}', ...parameters },
		credentials: credentialsFor(provider, emulator),
		typeVersion: 2,
		...extra,
	});
}

/** Submit journal entries of this emulator, in arrival order. @param {Emulator} emulator @param {string} [provider] */
const submits = (emulator, provider = 'kie') => emulator.journal.entries({ kind: 'submit', provider });
/** Task IDs the account created (paid), in order. @param {Emulator} emulator @param {string} [provider] */
const paidTasks = (emulator, provider = 'kie') =>
	submits(emulator, provider)
		.filter((entry) => entry.taskId && !entry.replay)
		.map((entry) => String(entry.taskId));

/**
 * The submits after the first burst (every item's first submit went out before any task could end),
 * and how many of them went out while the account already ran `cap` tasks (refused, unless a slot
 * freed on the way).
 * @param {Emulator} emulator @param {string} provider @param {number} since @param {number} cap
 */
function afterFirstBurst(emulator, provider, since, cap) {
	const mine = emulator.tasks.list().filter((task) => task.provider === provider && Number(task.createdAt) >= since);
	const firstEnd = Math.min(...mine.map((task) => Number(task.completesAt)));
	const all = submits(emulator, provider).filter((entry) => entry.at >= since);
	const inFlightAt = (/** @type {number} */ at) =>
		mine.filter((task) => Number(task.createdAt) < at && at < Number(task.completesAt)).length;
	const later = all.filter((entry) => entry.at >= firstEnd);
	return {
		burst: all.filter((entry) => entry.at < firstEnd),
		later,
		sentWhileFull: later.filter((entry) => inFlightAt(entry.at) >= cap),
	};
}

/**
 * Every item has its own paid task, and no task was paid twice: the created tasks are exactly the
 * output's task IDs, one per item, each submitted once.
 * @param {Emulator} emulator @param {any[]} output @param {number} count
 */
function expectOnePaidTaskPerItem(emulator, output, count) {
	const paid = paidTasks(emulator);
	const outputIds = output.map((item) => item.json.taskId);
	expect(paid).toHaveLength(count);
	expect(new Set(paid).size).toBe(count);
	expect([...outputIds].sort()).toEqual([...paid].sort());
	const counts = emulator.journal.countsByTask();
	for (const id of paid) expect(counts[id]).toMatchObject({ submits: 1, replays: 0 });
}

/** Task IDs named in a node error's description, one entry per item line (null: no task). @param {any} error */
const describedTasks = (error) =>
	String(error?.description ?? '')
		.split('\n')
		.map((line) => /task (\S+),/.exec(line)?.[1] ?? null);

describe('Concurrency Auto (the default of node version 2) on an account capped at 3 tasks', () => {
	/** @type {Emulator} */
	let emulator;
	beforeAll(async () => {
		// Long enough that every item's first submit reaches the account before its first task ends,
		// even on a loaded machine.
		emulator = await startEmulator({ generationMs: 1500 });
	});
	afterAll(async () => await emulator.close());
	afterEach(() => emulator.configure({ concurrencyCap: { kie: null } }));

	test('a Generate batch of 12 succeeds item by item with exactly one paid task each, and after the first refusals the node keeps at most 3 tasks in flight', async () => {
		emulator.journal.reset();
		emulator.configure({ concurrencyCap: { kie: 3 } });
		const since = Date.now();
		const result = await run(emulator, { operation: 'generate', options: { firstCheckAfter: FAST.firstCheckAfter, pollInterval: FAST.pollInterval } }, { items: items(12) });

		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(12);
		result.output.forEach((/** @type {any} */ item, /** @type {number} */ index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({ status: 'succeeded', error: null, request: { prompt: `row ${index}` } });
			expect(item.binary?.data?.mimeType).toBe('video/mp4');
		});
		expectOnePaidTaskPerItem(emulator, result.output, 12);

		const stats = emulator.stats({ provider: 'kie', since });
		// Auto sent the whole batch at once: the account refused what was over its cap...
		expect(stats.refused).toBeGreaterThanOrEqual(9);
		expect(stats.refusedBy).toEqual({ concurrency: stats.refused });
		// ...and the node used the account's whole cap, never more (the emulator's own count of overlaps).
		expect(stats.maxInFlight).toBe(3);

		// After the first burst (every item's first submit, all sent before any task could end), a refused
		// item waits for one of the run's own tasks to finish and then takes the slot it freed: no item
		// keeps knocking on a full account. What may still be refused is the limiter probing once above the
		// cap it learned (spaced out, doubling after each refused probe).
		const { burst, later, sentWhileFull } = afterFirstBurst(emulator, 'kie', since, 3);
		expect(burst).toHaveLength(12);
		expect(later.filter((entry) => entry.taskId)).toHaveLength(9);
		expect(later.filter((entry) => entry.refused).length).toBeLessThanOrEqual(1);
		// Each later submit went out while fewer than 3 of the account's tasks were running, the probe aside.
		expect(sentWhileFull.length).toBeLessThanOrEqual(1);
		for (const entry of sentWhileFull) expect(entry.refused).toBe('concurrency');
	});

	test('a hard Concurrency 2 keeps at most 2 tasks in flight on the same account, and nothing is refused', async () => {
		emulator.journal.reset();
		emulator.configure({ concurrencyCap: { kie: 3 } });
		const since = Date.now();
		const result = await run(emulator, { operation: 'generate', options: { firstCheckAfter: FAST.firstCheckAfter, pollInterval: FAST.pollInterval, concurrency: 2 } }, { items: items(12) });

		expect(result.error).toBeUndefined();
		expect(result.output.map((/** @type {any} */ item) => item.json.status)).toEqual(Array(12).fill('succeeded'));
		expectOnePaidTaskPerItem(emulator, result.output, 12);
		const stats = emulator.stats({ provider: 'kie', since });
		expect(stats).toMatchObject({ submits: 12, created: 12, refused: 0, maxInFlight: 2 });
	});
});

describe('the same limiter on the other providers that refuse over their cap (each answers the emulator’s way: PROVIDERS.md)', () => {
	/** @type {Emulator} */
	let emulator;
	beforeAll(async () => {
		// Long enough that every item's first submit reaches the account before its first task ends,
		// even on a loaded machine.
		emulator = await startEmulator({ generationMs: 1500 });
	});
	afterAll(async () => await emulator.close());

	test.each([
		['apixo', 'HTTP 429 with Retry-After'],
		['rivya', 'HTTP 429 rate_limited with Retry-After'],
		['kling', 'HTTP 429 code 1303 with Retry-After'],
		['replicate', 'HTTP 429 throttled with Retry-After'],
	])('%s (%s): a Generate batch of 8 on an account capped at 2 succeeds with one paid task per item, and after the first burst at most one submit goes out while the account is full', async (provider) => {
		emulator.journal.reset();
		emulator.configure({ concurrencyCap: { [provider]: 2 } });
		const since = Date.now();
		try {
			const result = await run(emulator, { operation: 'generate', options: { firstCheckAfter: FAST.firstCheckAfter, pollInterval: FAST.pollInterval } }, { items: items(8) }, provider);
			expect(result.error).toBeUndefined();
			expect(result.output.map((/** @type {any} */ item) => item.json.status)).toEqual(Array(8).fill('succeeded'));
			const paid = paidTasks(emulator, provider);
			expect(paid).toHaveLength(8);
			expect(new Set(paid).size).toBe(8);
			expect(result.output.map((/** @type {any} */ item) => item.json.taskId).sort()).toEqual([...paid].sort());
			const stats = emulator.stats({ provider, since });
			expect(stats.refused).toBeGreaterThanOrEqual(6);
			expect(stats.maxInFlight).toBe(2);
			const { burst, sentWhileFull } = afterFirstBurst(emulator, provider, since, 2);
			expect(burst).toHaveLength(8);
			expect(sentWhileFull.length).toBeLessThanOrEqual(1);
		} finally {
			emulator.configure({ concurrencyCap: { [provider]: null } });
		}
	});
});

describe('Submit on an account capped at 3 whose tasks do not end during the run', () => {
	/** @type {Emulator} */
	let emulator;
	beforeAll(async () => {
		// One minute per task: no slot frees while the node runs, Retry-After says ~60 s.
		emulator = await startEmulator({ generationMs: 60_000 });
	});
	afterAll(async () => await emulator.close());

	test('with Continue On Fail, items still refused after the Submit Retry Budget come out as refused items with their refusal code, next to every created task ID', async () => {
		emulator.configure({ concurrencyCap: { kie: 3 } });
		emulator.journal.reset();
		const started = Date.now();
		const result = await run(
			emulator,
			{ operation: 'submit', options: { submitRetryBudget: 2 } },
			{ items: items(12), nodeSettings: { onError: 'continueRegularOutput' } },
		);
		const elapsed = Date.now() - started;

		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(12);
		const paid = paidTasks(emulator);
		expect(paid).toHaveLength(3);
		const withTask = result.output.filter((/** @type {any} */ item) => item.json.taskId);
		const refused = result.output.filter((/** @type {any} */ item) => !item.json.taskId);
		expect(withTask.map((/** @type {any} */ item) => item.json.taskId).sort()).toEqual([...paid].sort());
		for (const item of withTask) expect(item.json).toMatchObject({ status: 'queued', error: null });
		expect(refused).toHaveLength(9);
		for (const item of refused) {
			// Kie's over-the-cap answer is its documented rate-limit code (body code 429).
			expect(item.json).toMatchObject({ status: 'failed', taskId: null, error: { code: 'rate_limited' } });
			expect(item.json.error.message).toMatch(/nothing was created or paid/);
		}
		// Every refused item was tried again (the budget was spent), none was paid, and the run did not wait
		// for the ~60 s Retry-After: the budget (2 s) bounds it.
		const stats = emulator.stats({ provider: 'kie' });
		expect(stats.created).toBe(3);
		expect(stats.refused).toBeGreaterThanOrEqual(18);
		expect(elapsed).toBeLessThan(10_000);
	});

	test('without Continue On Fail the node fails, and its error lists every item with the task ID it created or none', async () => {
		// The first test's 3 tasks still hold the cap: allow 3 more.
		emulator.configure({ concurrencyCap: { kie: 6 } });
		emulator.journal.reset();
		const started = Date.now();
		const result = await run(emulator, { operation: 'submit', options: { submitRetryBudget: 2 } }, { items: items(12) });

		expect(Date.now() - started).toBeLessThan(10_000);
		const paid = paidTasks(emulator);
		expect(paid).toHaveLength(3);
		expect(result.error?.message).toMatch(/^9 of 12 items failed\./);
		expect(result.error?.message).toMatch(/rate limit/);
		const described = describedTasks(result.error);
		expect(described).toHaveLength(12);
		expect(described.filter(Boolean).sort()).toEqual([...paid].sort());
	});
});
