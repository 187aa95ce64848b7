// @ts-check
/**
 * A fallback provider and spend control (issue 18), through n8n-core against the emulator: items a
 * provider refused leave on the "Refused – nothing paid" output and a Kling Video node on another
 * provider makes them; ambiguous answers never go there; no item is paid twice; Max Spend per Run
 * refuses a batch before anything is sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { runKlingNode } from '../support/n8n.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 300 });
});
afterAll(async () => await emulator.close());
beforeEach(() => {
	emulator.journal.reset();
	emulator.clearPlans();
	emulator.configure({ generationMs: 300, faults: { submit5xx: 0, submitReset: 0 } });
});

const PARAMETERS = {
	operation: 'generate',
	model: 'kling-3.0-pro',
	prompt: '={{ "sneaker " + $json.row }}',
	duration: 10,
	aspectRatio: '9:16',
	audio: true,
};
const FALLBACK = { ...FAST, refusedItemsOutput: true, concurrency: 1, submitRetryBudget: 0 };

/** @param {string} provider @param {Record<string, any>} parameters @param {Partial<Parameters<typeof runKlingNode>[0]>} [extra] */
function run(provider, parameters, extra = {}) {
	return runKlingNode({
		parameters: { authentication: provider, ...parameters },
		credentials: credentialsFor(provider, emulator),
		typeVersion: 2,
		...extra,
	});
}
const rows = (/** @type {number} */ count) =>
	Array.from({ length: count }, (_, row) => ({ json: { row, sku: `SKU-${row}` } }));
/**
 * The fallback node's own fields: n8n requires a prompt, and the README's example maps it; the
 * refused item's own fields (prompt, duration, …) are what the node uses.
 */
const FALLBACK_NODE = { prompt: '={{ $json.fallback.parameters.prompt }}' };
/** Tasks the emulator created (paid) per provider. */
const paid = (/** @type {string} */ provider) =>
	emulator.journal
		.entries((entry) => entry.kind === 'submit' && entry.provider === provider && entry.taskId && !entry.replay)
		.map((entry) => entry);

describe('Refused Items Output: every explicit refusal goes to the second output and the fallback node makes it', () => {
	// Kie answers a concurrency cap like a rate limit (body code 429); Kling official tells it apart (1303).
	test.each([
		['kie', 'rate-limit', 'rate_limited'],
		['kling', 'concurrency', 'concurrency_limit'],
		['kie', 'credit', 'insufficient_credits'],
		['kie', 'maintenance', 'maintenance'],
	])('%s refuses (%s): the item leaves as %s and WaveSpeed makes it; one paid task per item', async (provider, outcome, reason) => {
		emulator.planSubmits(provider, ['ok', /** @type {any} */ (outcome)]);
		const kie = await run(provider, { ...PARAMETERS, options: FALLBACK }, { items: rows(2) });
		expect(kie.error).toBeUndefined();
		const [tasks, refused] = kie.outputs;
		expect(tasks.map((/** @type {any} */ item) => item.json.status)).toEqual(['succeeded']);
		expect(refused).toHaveLength(1);
		const { json } = refused[0];
		expect(json.row).toBe(1); // the input item, so the next node's expressions still work
		expect(json.fallback).toMatchObject({
			from: provider,
			reason,
			kling: 'kling-3.0-pro',
			mode: 'text-to-video',
			parameters: { prompt: 'sneaker 1', duration: 10, aspectRatio: '9:16', audio: true },
		});
		expect(json.fallback.message).toMatch(/nothing was created or paid/);

		const wavespeed = await run('wavespeed', { ...FALLBACK_NODE, operation: 'generate', options: FAST }, { items: refused });
		expect(wavespeed.error).toBeUndefined();
		const [made] = wavespeed.output;
		expect(made.json).toMatchObject({
			provider: 'wavespeed',
			status: 'succeeded',
			request: { prompt: 'sneaker 1', duration: 10, aspectRatio: '9:16', audio: true },
			fallback: { from: provider, reason },
		});
		const video = inspectMp4(await wavespeed.binaryBuffer(made.binary.data));
		expect(video.durationSeconds).toBeCloseTo(10, 0);
		expect(video.tracks.some((/** @type {any} */ track) => track.handler === 'soun')).toBe(true);
		expect(paid(provider)).toHaveLength(1);
		expect(paid('wavespeed')).toHaveLength(1);
		expect(JSON.stringify(paid('wavespeed')[0].body)).toContain('sneaker 1');
	});

	test('an unreachable provider (connection refused before sending): every item goes to the fallback, nothing was paid', async () => {
		const credentials = credentialsFor('kie', emulator);
		credentials.klingKieApi.baseUrl = 'http://127.0.0.1:1';
		const kie = await runKlingNode({
			parameters: { authentication: 'kie', ...PARAMETERS, options: FALLBACK },
			credentials,
			typeVersion: 2,
			items: rows(3),
		});
		expect(kie.error).toBeUndefined();
		expect(kie.outputs[0]).toHaveLength(0);
		expect(kie.outputs[1].map((/** @type {any} */ item) => item.json.fallback.reason)).toEqual([
			'unreachable',
			'unreachable',
			'unreachable',
		]);
		const wavespeed = await run('wavespeed', { ...FALLBACK_NODE, operation: 'submit' }, { items: kie.outputs[1] });
		expect(wavespeed.output.map((/** @type {any} */ item) => item.json.request.prompt)).toEqual([
			'sneaker 0',
			'sneaker 1',
			'sneaker 2',
		]);
		expect(paid('wavespeed')).toHaveLength(3);
	});

	test.each([
		['a 5xx', { submit5xx: 1 }],
		['a connection reset', { submitReset: 1 }],
	])('an ambiguous answer (%s) never goes to the refused output: it may have created a task', async (_case, faults) => {
		emulator.configure({ faults });
		const kie = await run(
			'kie',
			{ ...PARAMETERS, options: FALLBACK },
			{ items: rows(1), nodeSettings: { onError: 'continueRegularOutput' } },
		);
		expect(kie.outputs[1]).toEqual([]);
		expect(kie.outputs[0][0].json.error.code).toBe('ambiguous_submit');
		expect(kie.outputs[0][0].json.error.message).toMatch(/may or may not have created a paid task/);
	});

	test('Rivya refunds failed tasks: with Send Failed Tasks to Refused Output a failed task goes to the fallback', async () => {
		emulator.planNextTask('rivya', { fail: true });
		const rivya = await run(
			'rivya',
			{ ...PARAMETERS, options: { ...FALLBACK, resubmitFailedTasks: true } },
			{ items: rows(1) },
		);
		expect(rivya.error).toBeUndefined();
		const [refused] = rivya.outputs[1];
		expect(refused.json.fallback).toMatchObject({
			from: 'rivya',
			reason: 'task_failed',
			failedTaskId: paid('rivya')[0].taskId,
		});
		expect(refused.json.fallback.message).toMatch(/refunds failed tasks/);
		const wavespeed = await run('wavespeed', { ...FALLBACK_NODE, operation: 'submit' }, { items: [refused] });
		expect(wavespeed.output[0].json.fallback.failedTaskId).toBe(paid('rivya')[0].taskId);
	});

	test('the option is offered only where failed tasks are refunded (Rivya)', async () => {
		const { KlingVideo } = await import('../../dist/nodes/KlingVideo/KlingVideo.node.js');
		const generateOptions = new KlingVideo().description.properties.find(
			(/** @type {any} */ p) =>
				p.name === 'options' &&
				p.displayOptions.show.operation.includes('generate') &&
				p.displayOptions.show['@version'].includes(2),
		);
		const option = generateOptions.options.find((/** @type {any} */ o) => o.name === 'resubmitFailedTasks');
		expect(option.displayOptions.show['/authentication']).toEqual(['rivya']);
		// Without it a failed Kie task fails as usual and is not offered to another provider.
		emulator.planNextTask('kie', { fail: true });
		const kie = await run('kie', { ...PARAMETERS, options: { ...FALLBACK, resubmitFailedTasks: true } }, { items: rows(1) });
		expect(kie.error?.message).toMatch(/failed/);
	});
});

describe('the fallback node refuses, before any request, an item its provider cannot make', () => {
	/** A Kie item refused for credit, as the fallback node receives it. */
	async function refusedByKie(/** @type {Record<string, any>} */ parameters) {
		emulator.planSubmits('kie', ['credit']);
		const kie = await run('kie', { ...parameters, options: FALLBACK }, { items: rows(1) });
		expect(kie.outputs[1]).toHaveLength(1);
		emulator.journal.reset();
		return kie.outputs[1];
	}

	test('the model is not sold there (Kling 3.0 Pro on APIXO)', async () => {
		const refused = await refusedByKie(PARAMETERS);
		const apixo = await run('apixo', { ...FALLBACK_NODE, operation: 'generate', options: FAST }, { items: refused });
		expect(apixo.error?.message).toMatch(/Kling 3\.0 Pro \(text to video\), refused by Kie\.ai, is not sold on APIXO/);
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('multi-shot, which the model lacks there (Kling 3.0 Pro on Rivya)', async () => {
		const refused = await refusedByKie({
			...PARAMETERS,
			multiShot: true,
			shots: { shot: [{ prompt: 'close-up', duration: 4 }, { prompt: 'wide', duration: 6 }] },
		});
		const rivya = await run('rivya', { ...FALLBACK_NODE, operation: 'generate', options: FAST }, { items: refused });
		expect(rivya.error?.message).toMatch(/uses multi-shot, which Kling 3\.0 Pro on Rivya AI does not offer/);
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('a duration the model lacks there (12 s Kling 2.5 Turbo Pro does not exist; 3.0 Pro 12 s on Replicate does)', async () => {
		const refused = await refusedByKie({ ...PARAMETERS, duration: 12 });
		const replicate = await run('replicate', { ...FALLBACK_NODE, operation: 'submit' }, { items: refused });
		expect(replicate.error).toBeUndefined();
		expect(replicate.output[0].json.request.duration).toBe(12);
	});
});

describe('spend control: estimatedCost on every item and Max Spend per Run', () => {
	test('each item carries its estimate from the dated price (Kie 3.0 Pro with audio: 27 credits/s × $0.005)', async () => {
		const kie = await run('kie', { ...PARAMETERS, operation: 'submit' }, { items: rows(1) });
		expect(kie.output[0].json.estimatedCost).toEqual({
			amount: 1.35,
			currency: 'USD',
			priceDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
		});
	});

	test('a cap below the estimate refuses the whole batch and sends nothing', async () => {
		const kie = await run(
			'kie',
			{ ...PARAMETERS, options: { ...FAST, maxSpendPerRun: 2 } },
			{ items: rows(2) },
		);
		expect(kie.error?.message).toBe(
			'The batch is estimated at $2.70, above Max Spend per Run ($2.00): nothing was sent. Raise the cap or send fewer or shorter items',
		);
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('a cap at or above the estimate lets the batch through', async () => {
		const kie = await run('kie', { ...PARAMETERS, operation: 'submit', options: { maxSpendPerRun: 2.7 } }, { items: rows(2) });
		expect(kie.error).toBeUndefined();
		expect(paid('kie')).toHaveLength(2);
	});

	test('with a cap, an unknown price refuses the batch unless Allow Unknown Prices is on', async () => {
		const parameters = { ...PARAMETERS, operation: 'submit' };
		const refused = await run('wavespeed', { ...parameters, options: { maxSpendPerRun: 100 } }, { items: rows(1) });
		expect(refused.error?.message).toMatch(/the price of item 1 is unknown \(WaveSpeed AI, no dated USD price\)/);
		expect(emulator.journal.entries()).toHaveLength(0);
		const allowed = await run(
			'wavespeed',
			{ ...parameters, options: { maxSpendPerRun: 100, allowUnknownPrices: true } },
			{ items: rows(1) },
		);
		expect(allowed.error).toBeUndefined();
		expect(allowed.output[0].json.estimatedCost).toBeNull();
	});
});
