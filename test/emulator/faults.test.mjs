// @ts-check
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { KEYS, call, clients, download, pollUntil } from '../support/emulator-helpers.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {ReturnType<typeof clients>} */
let c;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 100, faults: { slowMs: 300, retryAfterSeconds: 3 } });
	c = clients(emu);
});
afterAll(async () => {
	await emu.close();
});

const PROVIDERS = /** @type {const} */ (['wavespeed', 'apixo', 'kie', 'rivya']);

/** Checks a 429 is in the provider's own shape. @param {string} p @param {any} r */
function expect429(p, r) {
	expect(r.headers.get('retry-after')).toBe('3');
	if (p === 'kie') {
		expect(r.status).toBe(200); // Kie reports app errors in the body code
		expect(r.json).toMatchObject({ code: 429, msg: expect.any(String) });
	} else if (p === 'rivya') {
		expect(r.status).toBe(429);
		expect(r.json.error).toMatchObject({ code: 'rate_limited', requestId: expect.any(String) });
	} else {
		expect(r.status).toBe(429);
		expect(r.json).toMatchObject({ code: 429, message: expect.any(String) });
	}
}

/** @param {string} p @param {any} r @param {500 | 503} code */
function expect5xx(p, r, code) {
	if (p === 'kie') {
		expect(r.status).toBe(200);
		expect(r.json.code).toBe(code === 500 ? 500 : 455);
	} else if (p === 'rivya') {
		expect(r.status).toBe(code);
		expect(r.json.error.code).toBe(code === 500 ? 'internal_error' : 'public_api_disabled');
	} else {
		expect(r.status).toBe(code);
		expect(r.json.code).toBe(code);
	}
}

/** @param {typeof c[keyof typeof c]} cl @param {string} id */
const waitDone = (cl, id) => pollUntil(() => cl.status(id), (r) => ['succeeded', 'failed'].includes(/** @type {string} */ (cl.state(r))));

describe.each(PROVIDERS)('%s faults', (p) => {
	test('planned status faults in order: 429 + Retry-After, 500, 503, reset, slow, then normal', async () => {
		const cl = c[p];
		emu.planNextTask(p, { statusFaults: ['429', '500', '503', 'reset', 'slow'] });
		const sub = await cl.submit();
		const id = cl.taskId(sub);
		expect(id).toBeTruthy();
		expect429(p, await cl.status(id));
		expect5xx(p, await cl.status(id), 500);
		expect5xx(p, await cl.status(id), 503);
		await expect(cl.status(id)).rejects.toThrow(); // socket destroyed without an answer
		const t0 = Date.now();
		const slow = await cl.status(id);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
		expect(slow.status).toBe(200);
		const done = await waitDone(cl, id);
		expect(cl.state(done)).toBe('succeeded');
		const entries = emu.journal.entries({ taskId: id, kind: 'status' });
		expect(entries.slice(0, 5).map((e) => [e.fault, e.status])).toEqual([
			['429', p === 'kie' ? 200 : 429],
			['500', p === 'kie' ? 200 : 500],
			['503', p === 'kie' ? 200 : 503],
			['reset', 'reset'],
			['slow', 200],
		]);
		expect(emu.journal.countsByTask()[id].statusReads).toBe(entries.length);
	});

	test('task failure with the documented code (plan fail: true) and via the taskFailure rate', async () => {
		const cl = c[p];
		emu.planNextTask(p, { fail: true });
		const a = await waitDone(cl, cl.taskId(await cl.submit()));
		expect(cl.state(a)).toBe('failed');
		const expected = { wavespeed: [1200, 'code'], apixo: ['CONTENT_VIOLATION', 'failCode'], kie: ['400', 'failCode'], rivya: ['content_policy_violation', 'code'] }[p];
		const carrier = p === 'rivya' ? a.json.error : a.json.data;
		expect(carrier[expected[1]]).toBe(expected[0]);
		emu.configure({ faults: { taskFailure: 1 } });
		try {
			const b = await waitDone(cl, cl.taskId(await cl.submit()));
			expect(cl.state(b)).toBe('failed');
		} finally {
			emu.configure({ faults: { taskFailure: 0 } });
		}
	});

	test('expired result URL → 404; truncated download → Content-Length larger than the bytes sent', async () => {
		const cl = c[p];
		emu.planNextTask(p, { downloadFault: 'expired' });
		const a = await waitDone(cl, cl.taskId(await cl.submit()));
		const url = /** @type {string} */ (cl.videoUrl(a));
		expect((await download(url)).status).toBe(404);
		expect((await download(url)).status).toBe(404);
		emu.planNextTask(p, { downloadFault: 'truncated' });
		const bId = cl.taskId(await cl.submit());
		const b = await waitDone(cl, bId);
		const burl = /** @type {string} */ (cl.videoUrl(b));
		const got = await new Promise((resolve) => {
			http.get(burl, (res) => {
				let n = 0;
				res.on('data', (d) => (n += d.length));
				const done = (/** @type {boolean} */ complete) => resolve({ n, len: Number(res.headers['content-length']), complete });
				res.on('end', () => done(res.complete));
				res.on('aborted', () => done(false));
				res.on('error', () => done(false));
				res.on('close', () => done(res.complete));
			});
		});
		expect(got.complete).toBe(false);
		expect(got.n).toBeLessThan(got.len);
		await expect(fetch(burl).then((r) => r.arrayBuffer())).resolves.toBeInstanceOf(ArrayBuffer); // next download is whole
		const d = emu.journal.entries({ taskId: bId, kind: 'download' });
		expect(d.map((e) => e.fault)).toEqual(['truncated', undefined]);
		expect(emu.journal.countsByTask()[bId].downloads).toBe(2);
	});

	test('run-wide rates: statusRateLimit, status5xx, statusReset, slowRate, submitRateLimit', async () => {
		const cl = c[p];
		const id = cl.taskId(await cl.submit());
		emu.configure({ faults: { statusRateLimit: 1 } });
		expect429(p, await cl.status(id));
		emu.configure({ faults: { statusRateLimit: 0, status5xx: 1 } });
		const r5 = await cl.status(id);
		expect5xx(p, r5, /** @type {500 | 503} */ (Number(emu.journal.entries({ taskId: id }).at(-1)?.fault)));
		emu.configure({ faults: { status5xx: 0, statusReset: 1 } });
		await expect(cl.status(id)).rejects.toThrow();
		emu.configure({ faults: { statusReset: 0, slowRate: 1 } });
		const t0 = Date.now();
		await cl.status(id);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
		emu.configure({ faults: { slowRate: 0, submitRateLimit: 1 } });
		const before = emu.tasks.list().length;
		expect429(p, await cl.submit());
		expect(emu.tasks.list().length).toBe(before); // refused before creating anything
		emu.configure({ faults: { submitRateLimit: 0 } });
		expect((await cl.status(id)).status).toBe(200);
	});
});

describe('journal, counts, tasks, admin API', () => {
	test('journal redacts secrets, records rejected requests, counts per task, HTTP admin routes', async () => {
		emu.journal.reset();
		const cl = c.kie;
		const bad = await call(`${emu.baseUrl('kie')}/api/v1/jobs/createTask`, { key: 'secret-wrong-key', body: { model: 'x' } });
		expect(bad.status).toBe(401);
		const sub = await cl.submit({ aspect_ratio: '9:16' });
		const id = cl.taskId(sub);
		const done = await waitDone(cl, id);
		await download(/** @type {string} */ (cl.videoUrl(done)));
		const entries = emu.journal.entries();
		expect(entries[0]).toMatchObject({ seq: expect.any(Number), provider: 'kie', kind: 'submit', method: 'POST', path: '/kie/api/v1/jobs/createTask', status: 401, body: { model: 'x' } });
		expect(JSON.stringify(entries)).not.toContain('secret-wrong-key');
		expect(JSON.stringify(entries)).not.toContain(KEYS.kie);
		const submit = emu.journal.entries({ kind: 'submit', taskId: id })[0];
		expect(submit.headers.authorization).toBe('Bearer ***');
		expect(submit.body).toEqual({ model: 'kling/v2-5-turbo-text-to-video-pro', input: { prompt: 'a red fox in snow', duration: '5', aspect_ratio: '9:16' } });
		const status = emu.journal.entries({ kind: 'status', taskId: id })[0];
		expect(status.query).toEqual({ taskId: id });
		const counts = emu.journal.countsByTask()[id];
		expect(counts).toMatchObject({ provider: 'kie', submits: 1, downloads: 1, callbacks: 0, callbackAnswers: [] });
		expect(counts.statusReads).toBeGreaterThanOrEqual(1);
		const task = emu.tasks.get(id);
		expect(task).toMatchObject({ id, provider: 'kie', model: 'kling/v2-5-turbo-text-to-video-pro', mode: 'text-to-video', finalState: 'succeeded' });
		expect(Number(task?.completesAt) - Number(task?.createdAt)).toBe(100);
		const j = await call(`${emu.url}/_emulator/journal?kind=submit`);
		expect(j.json.entries.every((/** @type {any} */ e) => e.kind === 'submit')).toBe(true);
		expect((await call(`${emu.url}/_emulator/counts`)).json[id].submits).toBe(1);
		expect((await call(`${emu.url}/_emulator/tasks`)).json.tasks.some((/** @type {any} */ t) => t.id === id)).toBe(true);
		expect((await call(`${emu.url}/_emulator/health`)).json.ok).toBe(true);
		expect((await call(`${emu.url}/_emulator/plan`, { body: { provider: 'apixo', plan: { fail: true } } })).status).toBe(200);
		const failed = await waitDone(c.apixo, c.apixo.taskId(await c.apixo.submit()));
		expect(c.apixo.state(failed)).toBe('failed');
		expect((await call(`${emu.url}/_emulator/config`, { body: { faults: { statusRateLimit: 1 } } })).status).toBe(200);
		expect(emu.options.faults).toMatchObject({ statusRateLimit: 1, slowMs: 300, retryAfterSeconds: 3 }); // deep-merged
		await call(`${emu.url}/_emulator/config`, { body: { faults: { statusRateLimit: 0 } } });
		expect((await call(`${emu.url}/_emulator/journal`, { method: 'DELETE' })).status).toBe(200);
		expect(emu.journal.entries()).toEqual([]);
	});

	test('assets: real PNGs ≥300 px (different), text posing as PNG, >10 MB PNG', async () => {
		const start = await download(`${emu.url}/_assets/start.png`);
		const end = await download(`${emu.url}/_assets/end.png`);
		for (const a of [start, end]) {
			expect(a.body.subarray(1, 4).toString()).toBe('PNG');
			expect(a.body.readUInt32BE(16)).toBeGreaterThanOrEqual(300);
			expect(a.body.readUInt32BE(20)).toBeGreaterThanOrEqual(300);
		}
		expect(start.body.equals(end.body)).toBe(false);
		const txt = await download(`${emu.url}/_assets/not-an-image.png`);
		expect(txt.body.subarray(1, 4).toString()).not.toBe('PNG');
		const big = await download(`${emu.url}/_assets/big.png`);
		expect(big.body.length).toBeGreaterThan(10 * 1024 * 1024);
		expect(big.body.subarray(1, 4).toString()).toBe('PNG');
		// an i2v task whose image is too large fails with the provider's code
		const r = await call(`${emu.baseUrl('apixo')}/api/v1/generateTask/kling-2-5-turbo-pro`, {
			key: KEYS.apixo,
			body: { input: { mode: 'image-to-video', prompt: 'x', duration: 5, image_urls: [`${emu.url}/_assets/big.png`] } },
		});
		const f = await waitDone(c.apixo, r.json.data.taskId);
		expect(f.json.data.failCode).toBe('IMAGE_TOO_LARGE');
	});

	test('ambiguous submit faults create the task but lose the answer', async () => {
		const before = emu.tasks.list().length;
		emu.configure({ faults: { submit5xx: 1 } });
		const r = await c.wavespeed.submit();
		expect(r.status).toBe(500);
		emu.configure({ faults: { submit5xx: 0, submitReset: 1 } });
		await expect(c.rivya.submit()).rejects.toThrow();
		emu.configure({ faults: { submitReset: 0 } });
		expect(emu.tasks.list().length).toBe(before + 2);
	});
});

describe('timing and determinism', () => {
	test('seeded draws: same seed → same generation times; timeScale scales the seed ranges', async () => {
		const runs = [];
		for (let i = 0; i < 2; i++) {
			const e = await startEmulator({ seed: 42, timeScale: 0.001 });
			try {
				const cl = clients(e);
				const ids = [cl.kie.taskId(await cl.kie.submit()), cl.kie.taskId(await cl.kie.submit({ duration: '10' }))];
				runs.push(ids.map((id) => {
					const t = /** @type {any} */ (e.tasks.get(id));
					return t.completesAt - t.createdAt;
				}));
			} finally {
				await e.close();
			}
		}
		expect(runs[0]).toEqual(runs[1]);
		expect(runs[0][0]).toBeGreaterThanOrEqual(30);
		expect(runs[0][0]).toBeLessThanOrEqual(45);
		expect(runs[0][1]).toBeGreaterThanOrEqual(45);
		expect(runs[0][1]).toBeLessThanOrEqual(60);
	});

	test('status walks queued → processing → terminal', async () => {
		const e = await startEmulator({ generationMs: 600 });
		try {
			const cl = clients(e).wavespeed;
			const id = cl.taskId(await cl.submit());
			const seen = new Set();
			await pollUntil(async () => {
				const r = await cl.status(id);
				seen.add(r.json.data.status);
				return r;
			}, (r) => r.json.data.status === 'completed', 5000, 20);
			expect([...seen]).toEqual(['created', 'processing', 'completed']);
		} finally {
			await e.close();
		}
	});
});

describe('large-file mode', () => {
	test('500 MiB MP4 streamed with flat memory', async () => {
		const SIZE = 500 * 1024 * 1024;
		emu.planNextTask('wavespeed', { videoBytes: SIZE });
		const cl = c.wavespeed;
		const done = await waitDone(cl, cl.taskId(await cl.submit({ duration: 10 })));
		const rss0 = process.memoryUsage().rss;
		let peak = rss0;
		const res = await fetch(/** @type {string} */ (cl.videoUrl(done)));
		expect(res.headers.get('content-length')).toBe(String(SIZE));
		expect(res.headers.get('content-type')).toBe('video/mp4');
		/** @type {Buffer[]} */
		const headChunks = [];
		let headLen = 0;
		let total = 0;
		let n = 0;
		for await (const chunk of /** @type {any} */ (res.body)) {
			total += chunk.length;
			if (headLen < 4096) {
				headChunks.push(Buffer.from(chunk.subarray(0, 4096)));
				headLen += Math.min(chunk.length, 4096);
			}
			if (++n % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
		}
		peak = Math.max(peak, process.memoryUsage().rss);
		expect(total).toBe(SIZE);
		expect(peak - rss0).toBeLessThan(64 * 1024 * 1024);
		const info = inspectMp4(Buffer.concat(headChunks));
		expect(info).toMatchObject({ hasFtyp: true, durationSeconds: 10 });
		expect(info.boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat', 'free']);
		expect(info.boxes.at(-1)?.offset + /** @type {any} */ (info.boxes.at(-1)).size).toBe(SIZE);
	});
});

describe('CLI', () => {
	test('npm run emulator entry prints Base URLs and keys and stops cleanly on SIGINT', async () => {
		const cli = fileURLToPath(new URL('./cli.mjs', import.meta.url));
		const child = spawn(process.execPath, [cli, '--port', '0', '--time-scale', '0.01'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		await pollUntil(async () => out, (o) => o.includes('Ctrl-C'), 10000, 50);
		expect(out).toMatch(/WaveSpeed AI\s+http:\/\/127\.0\.0\.1:\d+\/wavespeed/);
		expect(out).toContain('/kie-upload');
		expect(out).toContain('rvya_sk_emulator_test_key');
		expect(out).toContain('loopback');
		const code = await new Promise((resolve) => {
			child.on('exit', (c) => resolve(c));
			child.kill('SIGINT');
		});
		expect(code).toBe(0);
	});
});
