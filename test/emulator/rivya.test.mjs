// @ts-check
import crypto from 'node:crypto';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { startEmulator } from './index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { KEYS, call, download, pollUntil, startReceiver } from '../support/emulator-helpers.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emu;
/** @type {string} */
let base;
beforeAll(async () => {
	emu = await startEmulator({ generationMs: 120, callbackRetryDelaysMs: [40, 40, 40] });
	base = emu.baseUrl('rivya');
});
afterAll(async () => {
	await emu.close();
});

/** @param {unknown} body @param {Record<string, string>} [headers] @param {string | null} [key] */
const create = (body, headers = {}, key = KEYS.rivya) => call(`${base}/api/v1/generations`, { key, body, headers });
/** @param {string} id */
const get = (id) => call(`${base}/api/v1/generations/${id}`, { key: KEYS.rivya });
/** @param {string} id */
const waitDone = (id) => pollUntil(() => get(id), (r) => ['succeeded', 'failed'].includes(r.json?.status));

describe('Rivya AI emulator', () => {
	test('text-to-video: bare objects, queued → succeeded, result.primary_url → 5 s MP4', async () => {
		const r = await create({ model: 'kling-v2-5-turbo-pro', prompt: 'a product reveal', params: { duration: '5', aspect_ratio: '16:9', negative_prompt: 'blur', cfg_scale: 0.5 }, client_request_id: 'row-1' });
		expect(r.status).toBe(200);
		expect(r.json).toEqual({
			id: expect.any(String),
			status: 'queued',
			model: 'kling-v2-5-turbo-pro',
			reserved_credits: 42,
			final_credits: 0,
			created_at: expect.any(String),
			updated_at: expect.any(String),
			result: null,
			error: null,
		});
		const done = await waitDone(r.json.id);
		expect(done.json).toMatchObject({ status: 'succeeded', final_credits: 42, error: null, result: { primary_url: expect.any(String), urls: [expect.any(String)] } });
		expect(done.json.result.urls[0]).toBe(done.json.result.primary_url);
		const video = await download(done.json.result.primary_url);
		expect(inspectMp4(video.body)).toMatchObject({ hasFtyp: true, durationSeconds: 5 });
	});

	test('image-to-video with two referenceMediaItems (2nd = end frame), numeric duration accepted', async () => {
		const r = await create({
			model: 'kling-v2-5-turbo-pro',
			prompt: 'morph',
			params: {
				duration: 10,
				referenceMediaItems: [
					{ url: `${emu.url}/_assets/start.png`, kind: 'image', name: 'start.png', mimeType: 'image/png' },
					{ url: `${emu.url}/_assets/end.png`, kind: 'image' },
				],
			},
		});
		expect(r.status).toBe(200);
		const done = await waitDone(r.json.id);
		expect(done.json.status).toBe('succeeded');
		expect(inspectMp4((await download(done.json.result.primary_url)).body).durationSeconds).toBe(10);
		expect(emu.tasks.get(r.json.id)).toMatchObject({ mode: 'image-to-video' });
	});

	test('invalid requests: {error:{code,message,requestId}} with the documented HTTP statuses', async () => {
		const missing = await call(`${base}/api/v1/generations`, { body: { model: 'kling-v2-5-turbo-pro', prompt: 'x' } });
		expect(missing.status).toBe(401);
		expect(missing.json.error).toMatchObject({ code: 'api_key_missing', requestId: expect.stringMatching(/^req_/) });
		const wrong = await create({ model: 'kling-v2-5-turbo-pro', prompt: 'x' }, {}, 'rvya_sk_wrong');
		expect(wrong.status).toBe(401);
		expect(wrong.json.error.code).toBe('api_key_invalid');
		const cases = /** @type {[any, string][]} */ ([
			[{ model: 'kling-v2-5-turbo-pro' }, 'prompt'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x'.repeat(2501) }, 'prompt'],
			[{ model: 'kling-v9', prompt: 'x' }, 'model'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x', params: { cfg_scale: 3 } }, 'cfg_scale'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x', params: { duration: '7' } }, 'duration'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x', params: { guidance_scale: 0.5 } }, 'guidance_scale'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x', files: [] }, 'files'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x', params: { referenceMediaItems: [1, 2, 3].map(() => ({ url: `${emu.url}/_assets/start.png`, kind: 'image' })) } }, 'referenceMediaItems'],
			[{ model: 'kling-v2-5-turbo-pro', prompt: 'x', params: { referenceMediaItems: [{ url: `${emu.url}/_assets/start.png`, kind: 'video' }] } }, 'kind'],
		]);
		for (const [body, field] of cases) {
			const r = await create(body);
			expect(r.status).toBe(400);
			expect(r.json.error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining(field) });
		}
		const nf = await get('task_missing');
		expect(nf.status).toBe(404);
		expect(nf.json.error.code).toBe('not_found');
		const credits = await call(`${base}/api/v1/credits`, { key: KEYS.rivya });
		expect(credits.json).toEqual({ current_credits: expect.any(Number) });
	});

	test('Idempotency-Key: same body → same generation (replay, no new task); different body → 409', async () => {
		const body = { model: 'kling-v2-5-turbo-pro', prompt: 'idem', params: { duration: '5' } };
		const key = 'exec-1:node:item-0:run-0';
		const before = emu.tasks.list().length;
		const a = await create(body, { 'Idempotency-Key': key });
		const b = await create({ params: { duration: '5' }, prompt: 'idem', model: 'kling-v2-5-turbo-pro' }, { 'Idempotency-Key': key });
		expect(a.status).toBe(200);
		expect(b.status).toBe(200);
		expect(b.json.id).toBe(a.json.id);
		expect(b.headers.get('idempotent-replayed')).toBe('true');
		expect(emu.tasks.list().length).toBe(before + 1);
		expect(emu.tasks.get(a.json.id)).toMatchObject({ idempotencyKey: key });
		const c = await create({ ...body, prompt: 'different' }, { 'Idempotency-Key': key });
		expect(c.status).toBe(409);
		expect(c.json.error.code).toBe('idempotency_conflict');
		expect(emu.journal.countsByTask()[a.json.id]).toMatchObject({ submits: 1, replays: 1 });
		expect(emu.journal.entries({ taskId: a.json.id, kind: 'submit' }).map((e) => !!e.replay)).toEqual([false, true]);
	});

	test('webhook endpoints: register (loopback allowed), generation.succeeded/failed events, Standard-Webhooks signature', async () => {
		await new Promise((r) => setTimeout(r, 250)); // let earlier tests' generations finish first
		const rx = await startReceiver();
		try {
			const reg = await call(`${base}/api/v1/webhooks`, { key: KEYS.rivya, body: { name: 'n8n', url: `${rx.url}/rivya?token=t1`, event_types: ['generation.succeeded', 'generation.failed'] } });
			expect(reg.status).toBe(200);
			expect(reg.json).toMatchObject({ id: expect.stringMatching(/^whend_/), signing_secret: expect.stringMatching(/^whsec_/), status: 'active', failure_count: 0, secret_preview: expect.any(String) });
			const secret = reg.json.signing_secret;
			const list = await call(`${base}/api/v1/webhooks`, { key: KEYS.rivya });
			expect(list.json.data[0].signing_secret).toBeUndefined();
			const ok = await create({ model: 'kling-v2-5-turbo-pro', prompt: 'x' });
			emu.planNextTask('rivya', { fail: true });
			const bad = await create({ model: 'kling-v2-5-turbo-pro', prompt: 'y' });
			const got = await rx.waitFor(2);
			const byTask = Object.fromEntries(got.map((g) => [g.json.data.id, g]));
			expect(byTask[ok.json.id].json).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'generation.succeeded', created_at: expect.any(String), data: { id: ok.json.id, status: 'succeeded' } });
			expect(byTask[bad.json.id].json).toMatchObject({ type: 'generation.failed', data: { status: 'failed', error: { code: 'content_policy_violation', message: expect.any(String) } } });
			for (const g of got) {
				expect(g.url).toBe('/rivya?token=t1');
				const id = String(g.headers['webhook-id']);
				const ts = String(g.headers['webhook-timestamp']);
				expect(id).toBe(g.json.id);
				const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
				const expected = crypto.createHmac('sha256', key).update(`${id}.${ts}.${g.raw}`).digest('base64');
				const sigs = String(g.headers['webhook-signature']).split(' ').map((s) => s.split(',')[1]);
				expect(sigs).toContain(expected);
			}
			const del = await call(`${base}/api/v1/webhooks/${reg.json.id}`, { key: KEYS.rivya, method: 'DELETE' });
			expect(del.status).toBe(200);
			const after = await create({ model: 'kling-v2-5-turbo-pro', prompt: 'z' });
			await waitDone(after.json.id);
			await new Promise((r) => setTimeout(r, 100));
			expect(rx.received.length).toBe(2);
			const rejected = await call(`${base}/api/v1/webhooks`, { key: KEYS.rivya, body: { name: 'x', url: 'http://user:pw@127.0.0.1/x', event_types: ['generation.succeeded'] } });
			expect(rejected.status).toBe(400);
			expect(rejected.json.error.code).toBe('webhook_url_rejected');
		} finally {
			await rx.close();
		}
	});

	test('Files API: image upload sniffed, url usable as reference media; non-image rejected', async () => {
		const png = (await download(`${emu.url}/_assets/start.png`)).body;
		const fd = new FormData();
		fd.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'start.png');
		fd.append('kind', 'image');
		fd.append('model', 'kling-v2-5-turbo-pro');
		const res = await fetch(`${base}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.rivya}` }, body: fd });
		expect(res.status).toBe(200);
		const f = await res.json();
		expect(f).toMatchObject({ id: expect.stringMatching(/^file_/), url: expect.any(String), kind: 'image', mime_type: 'image/png', size_bytes: png.length, name: 'start.png' });
		const meta = await call(`${base}/api/v1/files/${f.id}`, { key: KEYS.rivya });
		expect(meta.json.id).toBe(f.id);
		const r = await create({ model: 'kling-v2-5-turbo-pro', prompt: 'x', params: { referenceMediaItems: [{ url: f.url, kind: 'image' }] } });
		expect((await waitDone(r.json.id)).json.status).toBe('succeeded');
		const fd2 = new FormData();
		fd2.append('file', new Blob([new Uint8Array(Buffer.from('not an image'))]), 'x.png');
		fd2.append('kind', 'image');
		const bad = await fetch(`${base}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.rivya}` }, body: fd2 });
		expect(bad.status).toBe(400);
		expect((await bad.json()).error.code).toBe('validation_failed');
	});
});
