// @ts-check
import http from 'node:http';
import { describe, test, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { KEYS, call, clients, download, pollUntil, sleep } from '../support/emulator-helpers.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {Record<string, { submit: () => Promise<any>, taskId: (r: any) => string, status: (id: string) => Promise<any>, state: (r: any) => string | undefined, word: (r: any) => unknown, videoUrl: (r: any) => string | undefined }>} */
let c;

const KLING_KEY = 'kling_emulator_api_key';
const FAL = { authorization: 'Key fal_emulator_test_key' };
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 80, faults: { retryAfterSeconds: 2 } });
	const four = clients(emu);
	/** @param {any} x @returns {any} */
	const any = (x) => x;
	c = {
		wavespeed: { ...any(four.wavespeed), submit: () => four.wavespeed.submit(), word: (r) => r.json?.data?.status },
		apixo: { ...any(four.apixo), submit: () => four.apixo.submit(), word: (r) => r.json?.data?.state },
		kie: { ...any(four.kie), submit: () => four.kie.submit(), word: (r) => r.json?.data?.state },
		rivya: {
			...any(four.rivya),
			submit: () => four.rivya.submit(),
			state: (r) => (['queued', 'processing', 'succeeded', 'failed'].includes(r.json?.status) ? r.json.status : undefined),
			word: (r) => r.json?.status,
		},
		kling: {
			submit: () => call(`${emu.baseUrl('kling')}/text-to-video/kling-3.0`, { key: KLING_KEY, body: { prompt: 'a fox', settings: { duration: 5 } } }),
			taskId: (r) => r.json?.data?.id,
			status: (id) => call(`${emu.baseUrl('kling')}/tasks?task_ids=${id}`, { key: KLING_KEY }),
			state: (r) => ({ submitted: 'queued', processing: 'processing', succeeded: 'succeeded', failed: 'failed' })[/** @type {string} */ (r.json?.data?.[0]?.status)],
			word: (r) => r.json?.data?.[0]?.status,
			videoUrl: (r) => r.json?.data?.[0]?.outputs?.[0]?.url,
		},
		fal: {
			submit: () => call(`${emu.baseUrl('fal')}/fal-ai/kling-video/v3/pro/text-to-video`, { headers: FAL, body: { prompt: 'a fox' } }),
			taskId: (r) => r.json?.request_id,
			status: (id) => call(`${emu.baseUrl('fal')}/fal-ai/kling-video/requests/${id}/status`, { headers: FAL }),
			state: (r) => ({ IN_QUEUE: 'queued', IN_PROGRESS: 'processing', COMPLETED: 'succeeded' })[/** @type {string} */ (r.json?.status)],
			word: (r) => r.json?.status,
			videoUrl: () => undefined,
		},
		replicate: {
			submit: () => call(`${emu.baseUrl('replicate')}/v1/models/kwaivgi/kling-v3-video/predictions`, { key: 'r8_emulator_test_key', body: { input: { prompt: 'a fox' } } }),
			taskId: (r) => r.json?.id,
			status: (id) => call(`${emu.baseUrl('replicate')}/v1/predictions/${id}`, { key: 'r8_emulator_test_key' }),
			state: (r) => ({ starting: 'queued', processing: 'processing', succeeded: 'succeeded', failed: 'failed' })[/** @type {string} */ (r.json?.status)],
			word: (r) => r.json?.status,
			videoUrl: (r) => r.json?.output,
		},
	};
});
afterAll(async () => {
	await emu.close();
});
afterEach(() => {
	emu.configure({ concurrencyCap: Object.fromEntries(ALL.map((p) => [p, null])), concurrencyMode: Object.fromEntries(ALL.map((p) => [p, null])), outages: [], faults: { submitCredit: 0, submitMaintenance: 0, slowDownload: 0 } });
});

const ALL = /** @type {const} */ (['wavespeed', 'apixo', 'kie', 'rivya', 'kling', 'fal', 'replicate']);
/** @param {string} p @param {string} id */
const waitDone = (p, id) => pollUntil(() => c[p].status(id), (r) => ['succeeded', 'failed'].includes(/** @type {string} */ (c[p].state(r))), 10000);

/**
 * What each provider documents for a refusal (HTTP status, a body check, whether Retry-After is sent).
 * @type {Record<string, Record<'rate-limit' | 'concurrency' | 'credit' | 'maintenance', [number, (j: any) => boolean, boolean]>>}
 */
const REFUSALS = {
	wavespeed: { 'rate-limit': [429, (j) => j.code === 429, true], concurrency: [429, (j) => j.code === 429, true], credit: [402, (j) => j.code === 402, false], maintenance: [503, (j) => j.code === 503, false] },
	apixo: { 'rate-limit': [429, (j) => j.code === 429, true], concurrency: [429, (j) => j.code === 429, true], credit: [402, (j) => j.code === 402, false], maintenance: [503, (j) => j.code === 503, false] },
	kie: { 'rate-limit': [200, (j) => j.code === 429, true], concurrency: [200, (j) => j.code === 429, true], credit: [200, (j) => j.code === 402, false], maintenance: [200, (j) => j.code === 455, false] },
	rivya: {
		'rate-limit': [429, (j) => j.error.code === 'rate_limited', true], concurrency: [429, (j) => j.error.code === 'rate_limited', true],
		credit: [402, (j) => j.error.code === 'insufficient_credits', false], maintenance: [503, (j) => j.error.code === 'public_api_disabled', false],
	},
	kling: { 'rate-limit': [429, (j) => j.code === 1302, true], concurrency: [429, (j) => j.code === 1303, true], credit: [429, (j) => j.code === 1102, false], maintenance: [503, (j) => j.code === 5001, false] },
	fal: { 'rate-limit': [429, (j) => typeof j.detail === 'string', true], concurrency: [429, (j) => typeof j.detail === 'string', true], credit: [403, (j) => /Exhausted balance/.test(j.detail), false], maintenance: [503, (j) => typeof j.detail === 'string', false] },
	replicate: { 'rate-limit': [429, (j) => j.status === 429, true], concurrency: [429, (j) => j.status === 429, true], credit: [402, (j) => j.status === 402, false], maintenance: [503, (j) => j.status === 503, false] },
};

/** @param {string} p @param {any} r @param {'rate-limit' | 'concurrency' | 'credit' | 'maintenance'} kind @param {string} [retryAfter] */
function expectRefusal(p, r, kind, retryAfter) {
	const [status, check, withRetry] = REFUSALS[p][kind];
	expect([p, kind, r.status, check(r.json)]).toEqual([p, kind, status, true]);
	if (withRetry) expect(r.headers.get('retry-after')).toBe(retryAfter ?? '2');
}

describe.each(ALL)('%s: faults', (p) => {
	test('(a) a status read answered 429 with a long Retry-After (3600 s), then normal', async () => {
		emu.planNextTask(p, { statusFaults: ['429:3600'] });
		const id = c[p].taskId(await c[p].submit());
		const r = await c[p].status(id);
		expect(r.headers.get('retry-after')).toBe('3600');
		expect(p === 'kie' ? r.json.code : r.status).toBe(429);
		if (p === 'kling') expect(r.json.code).toBe(1302);
		expect(c[p].state(await waitDone(p, id))).toBe('succeeded');
		expect(emu.journal.entries({ taskId: id, kind: 'status' })[0].fault).toBe('429');
	});

	test('(b) an outage: every status read answers 503 (or resets) during the window, then normal', async () => {
		const id = c[p].taskId(await c[p].submit());
		await waitDone(p, id);
		const w = emu.outage({ provider: p, ms: 400 });
		expect(w).toMatchObject({ provider: p, answer: '503' });
		const during = await c[p].status(id);
		expect(p === 'kie' ? during.json.code : during.status).toBe(p === 'kie' ? 455 : 503);
		if (p === 'kling') expect(during.json.code).toBe(5001);
		expect(emu.journal.entries({ taskId: id, kind: 'status' }).at(-1)?.fault).toBe('outage-503');
		// other providers are not affected
		const other = p === 'kie' ? 'apixo' : 'kie';
		const o = c[other].taskId(await c[other].submit());
		expect((await c[other].status(o)).json?.code ?? 200).not.toBe(455);
		await sleep(Math.max(0, w.until - Date.now()) + 10);
		expect(c[p].state(await c[p].status(id))).toBe('succeeded');
		// a reset outage for every provider at once, submits included
		emu.outage({ ms: 300, answer: 'reset', submits: true });
		await expect(c[p].status(id)).rejects.toThrow();
		await expect(c[p].submit()).rejects.toThrow();
		await sleep(320);
		expect(c[p].state(await c[p].status(id))).toBe('succeeded');
		const refused = emu.journal.entries((e) => e.kind === 'submit' && e.refused === 'outage' && e.provider === p);
		expect(refused.length).toBeGreaterThanOrEqual(1);
	});

	test('(c) an unknown status word for a while, then the documented ones', async () => {
		emu.planNextTask(p, { generationMs: 100, unknownStatus: { forMs: 250 } });
		const id = c[p].taskId(await c[p].submit());
		const first = await c[p].status(id);
		const word = c[p].word(first);
		expect(c[p].state(first)).toBeUndefined(); // not a documented status
		expect(typeof word).toBe('string');
		await sleep(260);
		expect(c[p].state(await c[p].status(id))).toBe('succeeded');
		expect(emu.journal.entries({ taskId: id, kind: 'status' })[0].fault).toBe('unknown-status');
		// a chosen word on exactly two reads
		emu.planNextTask(p, { generationMs: 0, unknownStatus: { word: 'paused', reads: 2 } });
		const id2 = c[p].taskId(await c[p].submit());
		expect([c[p].word(await c[p].status(id2)), c[p].word(await c[p].status(id2))]).toEqual(['paused', 'paused']);
		expect(c[p].state(await c[p].status(id2))).toBe('succeeded');
	});

	test('(e) a refused submit in the middle of a batch; out of credit and maintenance refusals', async () => {
		const since = Date.now();
		emu.planSubmits(p, ['ok', 'ok', 'rate-limit', 'ok', 'credit', 'maintenance']);
		const answers = [];
		for (let i = 0; i < 6; i++) answers.push(await c[p].submit());
		expect(answers.map((r) => Boolean(c[p].taskId(r)))).toEqual([true, true, false, true, false, false]);
		expectRefusal(p, answers[2], 'rate-limit');
		expectRefusal(p, answers[4], 'credit');
		expectRefusal(p, answers[5], 'maintenance');
		expect(emu.stats({ provider: p, since })).toMatchObject({ submits: 6, created: 3, refused: 3, refusedBy: { 'rate-limit': 1, credit: 1, maintenance: 1 }, rejected: 0 });
		const entries = emu.journal.entries((e) => e.kind === 'submit' && e.provider === p && e.at >= since);
		expect(entries.map((e) => e.refused ?? (e.taskId ? 'created' : '?'))).toEqual(['created', 'created', 'rate-limit', 'created', 'credit', 'maintenance']);
		// run-wide rates
		emu.configure({ faults: { submitCredit: 1 } });
		expectRefusal(p, await c[p].submit(), 'credit');
		emu.configure({ faults: { submitCredit: 0, submitMaintenance: 1 } });
		expectRefusal(p, await c[p].submit(), 'maintenance');
	});

	test('per-key concurrency cap: answered as the provider documents', async () => {
		await pollUntil(async () => emu.stats({ provider: p }).inFlightNow, (n) => n === 0, 10000); // earlier tests' tasks are done
		emu.configure({ concurrencyCap: { [p]: 2 } });
		const since = Date.now();
		emu.planNextTask(p, { generationMs: 700 });
		emu.planNextTask(p, { generationMs: 900 });
		const a = c[p].taskId(await c[p].submit());
		const b = c[p].taskId(await c[p].submit());
		const third = await c[p].submit();
		if (p === 'wavespeed' || p === 'fal') {
			// "over-concurrency tasks wait": created, but it only starts when a slot frees
			const id = c[p].taskId(third);
			expect(id).toBeTruthy();
			const t = /** @type {any} */ (emu.tasks.get(id));
			const ta = /** @type {any} */ (emu.tasks.get(a));
			expect(t.startAt).toBe(ta.completesAt);
			expect(c[p].state(await c[p].status(id))).toBe('queued');
			if (p === 'fal') expect(third.json).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });
			expect(emu.journal.entries({ kind: 'submit', taskId: id })[0].queued).toBe(true);
			await waitDone(p, id);
			expect(emu.stats({ provider: p, since })).toMatchObject({ created: 3, refused: 0, maxInFlight: 3, maxRunning: 2 });
		} else {
			const retryAfter = String(Math.ceil((/** @type {any} */ (emu.tasks.get(a)).completesAt - Date.now()) / 1000));
			expectRefusal(p, third, 'concurrency', retryAfter);
			expect(c[p].taskId(third)).toBeFalsy();
			expect(emu.stats({ provider: p, since })).toMatchObject({ created: 2, refused: 1, refusedBy: { concurrency: 1 }, maxInFlight: 2, maxRunning: 2 });
			await waitDone(p, a);
			const later = await c[p].submit(); // a slot is free again
			expect(c[p].taskId(later)).toBeTruthy();
			await waitDone(p, b);
			expect(emu.stats({ provider: p, since }).maxInFlight).toBe(2);
		}
	});
});

describe('slow download', () => {
	test('(d) bytes trickle at the set rate and the download can be stopped mid-way', async () => {
		const cl = c.kie;
		emu.planNextTask('kie', { generationMs: 0, downloadFault: ['slow', 'slow'], downloadBytesPerSecond: 2000 });
		const id = cl.taskId(await cl.submit());
		const url = /** @type {string} */ (cl.videoUrl(await waitDone('kie', id)));
		// whole download, slowly
		const t0 = Date.now();
		const whole = await download(url);
		const took = Date.now() - t0;
		expect(whole.status).toBe(200);
		expect(whole.body.length).toBe(Number(whole.headers.get('content-length')));
		expect(took).toBeGreaterThanOrEqual((whole.body.length / 2000) * 1000 * 0.8);
		// stopped after the first bytes
		const got = await new Promise((resolve) => {
			const req = http.get(url, (res) => {
				let n = 0;
				res.once('data', (d) => {
					n += d.length;
					req.destroy();
					resolve({ n, len: Number(res.headers['content-length']) });
				});
			});
		});
		expect(/** @type {any} */ (got).n).toBeLessThan(/** @type {any} */ (got).len);
		await pollUntil(async () => emu.journal.entries({ taskId: id, kind: 'download' }), (l) => l.length === 2 && l[1].status === 'error', 5000);
		const d = emu.journal.entries({ taskId: id, kind: 'download' });
		expect(d.map((e) => [e.fault, e.status])).toEqual([['slow', 200], ['slow', 'error']]);
		// run-wide rate
		emu.configure({ faults: { slowDownload: 1, downloadBytesPerSecond: 1_000_000 } });
		expect((await download(url)).status).toBe(200);
		expect(emu.journal.entries({ taskId: id, kind: 'download' }).at(-1)?.fault).toBe('slow');
	});
});

describe('admin API for faults and caps', () => {
	test('POST /_emulator/outage, /_emulator/submits, GET /_emulator/stats, concurrencyCap via /_emulator/config', async () => {
		expect((await call(`${emu.url}/_emulator/outage`, { body: { provider: 'rivya', ms: 200 } })).json).toMatchObject({ ok: true, outage: { provider: 'rivya', answer: '503' } });
		expect((await call(`${emu.url}/_emulator/outage`, { body: { provider: 'nope' } })).status).toBe(400);
		expect((await call(`${emu.url}/_emulator/submits`, { body: { provider: 'apixo', outcomes: ['credit'] } })).status).toBe(200);
		expect((await call(`${emu.url}/_emulator/submits`, { body: { provider: 'apixo', outcomes: ['bogus'] } })).status).toBe(400);
		expect((await c.apixo.submit()).status).toBe(402);
		expect((await call(`${emu.url}/_emulator/config`, { body: { concurrencyCap: { apixo: 1 } } })).json.options.concurrencyCap).toEqual({ apixo: 1 });
		const stats = await call(`${emu.url}/_emulator/stats?provider=apixo`);
		expect(stats.json).toMatchObject({ refusedBy: { credit: expect.any(Number) }, maxInFlight: expect.any(Number) });
		expect(KEYS.apixo).toBeTruthy();
	});
});
