// @ts-check
/**
 * Kling Video Trigger: the action node submits with the trigger's URL, the emulator calls back with
 * a real signature, and the trigger (n8n-core's WebhookContext) emits the normalized item with the
 * MP4 and the correlation data. Forged, replayed, malformed and repeated callbacks start nothing.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.mjs';
import { credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { createTrigger, runKlingNode, startWebhookServer } from '../support/n8n.mjs';

const TOKEN = 'campaign-videos-7f3c9a2e41b8';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {Awaited<ReturnType<typeof startWebhookServer>>} */
let webhookServer;
/** @type {string} */
let webhookBaseUrl;
/** @type {Awaited<ReturnType<typeof createTrigger>> | null} */
let activeTrigger = null;
/** @type {import('../support/n8n.mjs').TriggerDelivery[]} */
let deliveries = [];

beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 300, callbackRetryDelaysMs: [100, 200, 300] });
	webhookServer = await startWebhookServer({
		token: TOKEN,
		current: () => activeTrigger,
		onDelivery: (delivery) => deliveries.push(delivery),
	});
	webhookBaseUrl = webhookServer.webhookBaseUrl;
});
afterAll(async () => {
	await emulator.close();
	await webhookServer.close();
});
beforeEach(() => {
	emulator.journal.reset();
	deliveries = [];
	activeTrigger = null;
});

/** @param {import('../support/kling.mjs').Provider} provider @param {Record<string, any>} [options] */
async function trigger(provider, options = {}) {
	activeTrigger = await createTrigger({
		parameters: { authentication: provider, token: TOKEN, options },
		credentials: credentialsFor(provider, emulator),
		webhookBaseUrl,
	});
	return activeTrigger;
}

/** @param {() => boolean} condition */
async function until(condition, timeoutMs = 5000) {
	const end = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > end) throw new Error('timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** @param {import('../support/kling.mjs').Provider} provider @param {string} callbackUrl */
async function submit(provider, callbackUrl, extra = {}) {
	const result = await runKlingNode({
		parameters: {
			authentication: provider,
			operation: 'submit',
			prompt: 'Spring sale banner comes alive',
			callbackUrl,
			correlation: {
				values: [
					{ key: 'row', value: '42' },
					{ key: 'campaign', value: 'spring' },
				],
			},
			...extra,
		},
		credentials: credentialsFor(provider, emulator),
	});
	expect(result.error).toBeUndefined();
	return String(result.output[0].json.taskId);
}

/** Providers whose signature covers the whole body need no second read of the task. */
const SIGNS_BODY = ['wavespeed', 'fal', 'replicate'];
const SEND_TO_TRIGGER = /** @type {const} */ ([
	'wavespeed',
	'kie',
	'apixo',
	'kling',
	'fal',
	'replicate',
]);
const emitted = () => deliveries.find((delivery) => delivery.items);

describe.each(SEND_TO_TRIGGER)('Send to trigger: %s', (provider) => {
	test('the provider callback starts the workflow with the video and the correlation data', async () => {
		const kling = await trigger(provider);
		const taskId = await submit(provider, kling.productionUrl());
		// Kling also calls back on intermediate status changes: those are acknowledged, not emitted.
		await until(() => Boolean(emitted()));
		const delivery = /** @type {any} */ (emitted());
		expect(delivery.status).toBe(200);
		const [item] = delivery.items;
		expect(item.json).toMatchObject({
			provider,
			taskId,
			status: 'succeeded',
			correlation: { row: '42', campaign: 'spring' },
			error: null,
		});
		const buffer = await kling.binaryBuffer(item.binary.data);
		expect(inspectMp4(buffer).durationSeconds).toBeCloseTo(5, 0);
		// A signed body is trusted as it is; an unsigned one is read again once, for the callback
		// that says the task finished (Kling's earlier status callbacks are only acknowledged).
		const statusReads = emulator.journal.entries({ kind: 'status', taskId }).length;
		expect(statusReads).toBe(SIGNS_BODY.includes(provider) ? 0 : 1);
	});

	test('a failed task is emitted with its error, or not at all with "Emit Failed Tasks" off', async () => {
		await trigger(provider);
		emulator.planNextTask(provider, { fail: true });
		const taskId = await submit(provider, /** @type {any} */ (activeTrigger).productionUrl());
		await until(() => Boolean(emitted()));
		expect(emitted()?.items?.[0].json).toMatchObject({
			taskId,
			status: 'failed',
			error: { code: expect.any(String) },
		});

		deliveries = [];
		await trigger(provider, { emitFailedTasks: false });
		emulator.planNextTask(provider, { fail: true });
		await submit(provider, /** @type {any} */ (activeTrigger).productionUrl());
		await until(() => deliveries.some((delivery) => delivery.body?.emitted === false));
		expect(emitted()).toBeUndefined();
	});

	test('a repeated delivery is acknowledged and emitted once', async () => {
		emulator.planNextTask(provider, { callbackFaults: ['duplicate'] });
		await trigger(provider);
		await submit(provider, /** @type {any} */ (activeTrigger).productionUrl());
		await until(() => deliveries.some((delivery) => delivery.body?.duplicate));
		expect(deliveries.every((delivery) => delivery.status === 200)).toBe(true);
		expect(deliveries.filter((delivery) => delivery.items)).toHaveLength(1);
	});
});

describe('Kling official: both callback bodies, Standard Webhooks signatures once a Webhook Secret exists', () => {
	const SECRET = 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=';
	afterAll(() => emulator.configure({ secrets: { klingWebhook: null } }));

	/** The Kling credential with an API key (the per-model API) and the console's Webhook Secret. */
	function klingCredentials(secret = SECRET) {
		const creds = credentialsFor('kling', emulator);
		creds.klingOfficialApi = {
			...creds.klingOfficialApi,
			apiKey: 'kling_emulator_api_key',
			webhookSecret: secret,
		};
		return creds;
	}

	async function submitNewApi(callbackUrl) {
		const result = await runKlingNode({
			parameters: {
				authentication: 'kling',
				operation: 'submit',
				model: 'kling-3.0-pro',
				prompt: 'Spring sale banner comes alive',
				audio: true,
				callbackUrl,
				correlation: { values: [{ key: 'row', value: '7' }] },
			},
			credentials: klingCredentials(),
			typeVersion: 2,
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.model).toBe('kling-3.0');
		return String(result.output[0].json.taskId);
	}

	test('a signed new-API callback (a bare task object) is trusted without reading the task again', async () => {
		emulator.configure({ secrets: { klingWebhook: SECRET } });
		activeTrigger = await createTrigger({
			parameters: { authentication: 'kling', token: TOKEN, options: {} },
			credentials: klingCredentials(),
			webhookBaseUrl,
		});
		const taskId = await submitNewApi(activeTrigger.productionUrl());
		await until(() => Boolean(emitted()));
		const [item] = /** @type {any} */ (emitted()).items;
		expect(item.json).toMatchObject({
			provider: 'kling',
			taskId,
			status: 'succeeded',
			correlation: { row: '7' },
		});
		const mp4 = inspectMp4(await activeTrigger.binaryBuffer(item.binary.data));
		expect(mp4.hasAudio).toBe(true);
		expect(emulator.journal.entries({ kind: 'status', taskId })).toHaveLength(0);
	});

	test('a callback signed with another secret answers 401 and starts nothing', async () => {
		emulator.configure({ secrets: { klingWebhook: SECRET } });
		activeTrigger = await createTrigger({
			parameters: { authentication: 'kling', token: TOKEN, options: {} },
			credentials: klingCredentials('whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmV0MTI='),
			webhookBaseUrl,
		});
		await submitNewApi(activeTrigger.productionUrl());
		await until(() => deliveries.length > 0);
		expect(deliveries.every((delivery) => delivery.status === 401 && !delivery.items)).toBe(true);
		expect(String(deliveries[0].body.error)).toMatch(/signature/);
	});

	test('without a Webhook Secret, the new-API callback is read again from GET /tasks before it is trusted', async () => {
		emulator.configure({ secrets: { klingWebhook: null } });
		activeTrigger = await createTrigger({
			parameters: { authentication: 'kling', token: TOKEN, options: {} },
			credentials: klingCredentials(''),
			webhookBaseUrl,
		});
		const taskId = await submitNewApi(activeTrigger.productionUrl());
		// (Retries of the previous test's refused callbacks may still arrive: wait for this task.)
		const ours = () => deliveries.find((delivery) => delivery.items?.[0]?.json.taskId === taskId);
		await until(() => Boolean(ours()));
		expect(ours()?.items?.[0].json).toMatchObject({ taskId, status: 'succeeded' });
		const reads = emulator.journal.entries({ kind: 'status', taskId });
		expect(reads.length).toBeGreaterThan(0);
		expect(reads.every((read) => read.path.endsWith('/tasks'))).toBe(true);
	});
});

describe('Rivya: account-level webhook endpoint', () => {
	test('activation registers the URL, generation events start the workflow, deactivation removes it', async () => {
		const kling = await trigger('rivya');
		expect(await kling.lifecycle('checkExists')).toBe(false);
		expect(await kling.lifecycle('create')).toBe(true);
		const endpointId =
			kling.staticData().node?.['Kling Video Trigger']?.rivyaEndpointId ??
			Object.values(kling.staticData())
				.map((/** @type {any} */ d) => d.rivyaEndpointId)
				.find(Boolean);
		expect(String(endpointId)).toMatch(/^whend_/);
		expect(await kling.lifecycle('checkExists')).toBe(true);

		const taskId = await submit('rivya', '', {});
		await until(() => deliveries.some((delivery) => delivery.items));
		const emitted = deliveries.find((delivery) => delivery.items)?.items?.[0];
		expect(emitted.json).toMatchObject({ provider: 'rivya', taskId, status: 'succeeded' });
		expect(emulator.journal.entries({ kind: 'status', taskId })).toHaveLength(1);

		expect(await kling.lifecycle('delete')).toBe(true);
		expect(await kling.lifecycle('checkExists')).toBe(false);
	});
});

describe('rejected callbacks start no execution', () => {
	/** @param {string} secret @param {string} id @param {number} ts @param {string} body */
	const waveSpeedSign = (secret, id, ts, body) =>
		`v3,${createHmac('sha256', secret.replace(/^whsec_/, ''))
			.update(`${id}.${ts}.${body}`)
			.digest('hex')}`;
	const secret = credentialsFor('wavespeed', { baseUrl: () => '' }).klingWaveSpeedApi.webhookSecret;
	const kieKey = credentialsFor('kie', { baseUrl: () => '' }).klingKieApi.webhookHmacKey;
	const now = () => Math.floor(Date.now() / 1000);
	const prediction = JSON.stringify({
		id: 'pred_1',
		model: 'kwaivgi/kling-v2.5-turbo-pro/text-to-video',
		status: 'completed',
		outputs: ['http://127.0.0.1:9/x.mp4'],
		error: '',
	});

	test.each([
		[
			'a forged signature',
			{ 'webhook-id': 'msg_1', 'webhook-timestamp': 'NOW', 'webhook-signature': 'v3,deadbeef' },
			prediction,
		],
		[
			'a wrong secret',
			{
				'webhook-id': 'msg_1',
				'webhook-timestamp': 'NOW',
				'webhook-signature': 'SIGN:whsec_wrong',
			},
			prediction,
		],
		[
			'a replay older than 300 s',
			{ 'webhook-id': 'msg_1', 'webhook-timestamp': 'OLD', 'webhook-signature': 'SIGN' },
			prediction,
		],
		[
			'a timestamp from the future',
			{ 'webhook-id': 'msg_1', 'webhook-timestamp': 'FUTURE', 'webhook-signature': 'SIGN' },
			prediction,
		],
		[
			'a missing signature header',
			{ 'webhook-id': 'msg_1', 'webhook-timestamp': 'NOW' },
			prediction,
		],
		[
			'a valid signature over a different body',
			{ 'webhook-id': 'msg_1', 'webhook-timestamp': 'NOW', 'webhook-signature': 'SIGN:other' },
			prediction,
		],
	])('WaveSpeed: %s → 401', async (_case, headerTemplate, body) => {
		const kling = await trigger('wavespeed');
		const ts = { NOW: now(), OLD: now() - 400, FUTURE: now() + 400 };
		/** @type {Record<string, string>} */
		const headers = {};
		for (const [name, value] of Object.entries(headerTemplate)) {
			if (name === 'webhook-timestamp') headers[name] = String(ts[/** @type {'NOW'} */ (value)]);
			else headers[name] = value;
		}
		const stamp = Number(headers['webhook-timestamp']);
		if (headers['webhook-signature'] === 'SIGN')
			headers['webhook-signature'] = waveSpeedSign(secret, 'msg_1', stamp, body);
		if (headers['webhook-signature'] === 'SIGN:whsec_wrong')
			headers['webhook-signature'] = waveSpeedSign('whsec_wrong', 'msg_1', stamp, body);
		if (headers['webhook-signature'] === 'SIGN:other')
			headers['webhook-signature'] = waveSpeedSign(
				secret,
				'msg_1',
				stamp,
				body.replace('completed', 'failed'),
			);
		const answer = await kling.deliver({ body, headers });
		expect(answer.status).toBe(401);
		expect(answer.items).toBeNull();
	});

	test('WaveSpeed: a correctly signed body is accepted without reading the task again', async () => {
		const kling = await trigger('wavespeed', { downloadVideo: false });
		const stamp = now();
		const answer = await kling.deliver({
			body: prediction,
			headers: {
				'webhook-id': 'msg_1',
				'webhook-timestamp': String(stamp),
				'webhook-signature': waveSpeedSign(secret, 'msg_1', stamp, prediction),
			},
		});
		expect(answer.status).toBe(200);
		expect(answer.items?.[0].json).toMatchObject({
			taskId: 'pred_1',
			status: 'succeeded',
			videoUrl: 'http://127.0.0.1:9/x.mp4',
		});
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('Kie: a wrong HMAC and a stale timestamp → 401', async () => {
		const kling = await trigger('kie');
		const body = JSON.stringify({
			code: 200,
			msg: 'ok',
			data: {
				taskId: 'task_x',
				state: 'success',
				resultJson: '{"resultUrls":["http://127.0.0.1:9/x.mp4"]}',
			},
		});
		const sign = (/** @type {string} */ key, /** @type {number} */ ts) =>
			createHmac('sha256', key).update(`task_x.${ts}`).digest('base64');
		const wrong = await kling.deliver({
			body,
			headers: { 'x-webhook-timestamp': String(now()), 'x-webhook-signature': sign('nope', now()) },
		});
		const stale = await kling.deliver({
			body,
			headers: {
				'x-webhook-timestamp': String(now() - 400),
				'x-webhook-signature': sign(kieKey, now() - 400),
			},
		});
		expect([wrong.status, stale.status]).toEqual([401, 401]);
		expect(emulator.journal.entries()).toHaveLength(0);
	});

	test('Kie: a forged success with a valid signature for a running task starts nothing, and the genuine success still does', async () => {
		await trigger('kie', { downloadVideo: false });
		emulator.planNextTask('kie', { generationMs: 1500 });
		const taskId = await submit('kie', /** @type {any} */ (activeTrigger).productionUrl());
		const ts = now();
		const forgedSuccess = JSON.stringify({
			code: 200,
			msg: 'ok',
			data: {
				taskId,
				state: 'success',
				resultJson: '{"resultUrls":["http://evil.example/x.mp4"]}',
			},
		});
		// Kie signs only taskId.timestamp (PROVIDERS.md §3.4): the body itself is not covered.
		const signature = createHmac('sha256', kieKey).update(`${taskId}.${ts}`).digest('base64');
		const answer = await /** @type {any} */ (activeTrigger).deliver({
			body: forgedSuccess,
			headers: { 'x-webhook-timestamp': String(ts), 'x-webhook-signature': signature },
		});
		// Answered at once (the re-read comes after the answer); the re-read says "still running".
		expect(answer.status).toBe(200);
		expect(answer.items).toBeNull();
		expect(emulator.journal.entries({ kind: 'status', taskId })).toHaveLength(1);
		// The forged claim is not remembered as delivered: the real completion starts the workflow.
		await until(() => Boolean(emitted()));
		expect(emitted()?.items?.[0].json).toMatchObject({ taskId, status: 'succeeded' });
		expect(emitted()?.items?.[0].json.videoUrl).not.toMatch(/evil\.example/);
	});

	test('APIXO: an unsigned callback for a task that does not exist is answered but starts nothing', async () => {
		const kling = await trigger('apixo');
		const body = JSON.stringify({
			code: 200,
			message: 'success',
			data: {
				taskId: 'task_forged',
				state: 'success',
				resultJson: '{"resultUrls":["http://evil.example/x.mp4"]}',
			},
		});
		const answer = await kling.deliver({ body });
		expect(answer.status).toBe(200);
		expect(answer.items).toBeNull();
		const reads = () =>
			emulator.journal.entries((e) => e.kind === 'status' && e.query.taskId === 'task_forged');
		expect(reads()).toHaveLength(1);
		expect(emulator.journal.entries({ kind: 'download' })).toHaveLength(0);
		// Not remembered as delivered either: the same claim is read again, not dropped as a repeat.
		const again = await kling.deliver({ body });
		expect(again.body.duplicate).toBeUndefined();
		expect(again.items).toBeNull();
		expect(reads()).toHaveLength(2);
	});

	test.each([
		['not JSON', 400, 'not json at all'],
		['JSON that is not the provider shape', 400, JSON.stringify({ hello: 'world' })],
		['an empty body', 400, ''],
		['an oversized body', 413, JSON.stringify({ pad: 'x'.repeat(300 * 1024) })],
	])('%s → %i', async (_case, status, body) => {
		const kling = await trigger('apixo');
		const answer = await kling.deliver({ body });
		expect(answer.status).toBe(status);
		expect(answer.items).toBeNull();
	});

	test('a trigger without a usable token accepts nothing and refuses to activate', async () => {
		activeTrigger = await createTrigger({
			parameters: { authentication: 'apixo', token: 'short', options: {} },
			credentials: credentialsFor('apixo', emulator),
			webhookBaseUrl,
		});
		const answer = await activeTrigger.deliver({ body: '{}' });
		expect(answer.status).toBe(401);
		// the error says the rule and how to make a token
		await expect(activeTrigger.lifecycle('create')).rejects.toThrow(
			/Callback Token must be at least 16 letters, digits, - or _ .*set that field to the expression \{\{ \$webhookId \}\} for a random one/,
		);
	});

	test('a new trigger (version 2, no token typed) gets its own random token: its webhook ID', async () => {
		const parameters = { authentication: 'apixo', options: {} };
		const one = await createTrigger({
			parameters,
			credentials: credentialsFor('apixo', emulator),
			webhookBaseUrl,
			typeVersion: 2,
		});
		const { KlingVideoTrigger } = createRequire(import.meta.url)(
			'../../dist/nodes/KlingVideoTrigger/KlingVideoTrigger.node.js',
		);
		const { description } = new KlingVideoTrigger();
		expect(description.defaultVersion).toBe(2);
		// the default is the expression {{ $webhookId }}, a UUID per node: no secret shared by installs;
		// shown, not masked (it is part of the URL); named so that n8n's checks do not demand a mask
		const field = description.properties.find(
			(/** @type {{ name: string }} */ p) => p.name === 'callbackPath',
		);
		expect(field).toEqual(
			expect.objectContaining({ displayName: 'Callback Token', default: '={{ $webhookId }}' }),
		);
		expect(field.typeOptions?.password).toBeUndefined();
		const url = one.productionUrl();
		expect(url).toBe(`${webhookBaseUrl}/${one.node.webhookId}/${one.node.webhookId}`);
		await expect(one.lifecycle('create')).resolves.toBe(true);
		// a callback to that URL is accepted by its token (then refused only as a non-APIXO body)
		const answer = await one.deliver({ body: JSON.stringify({ hello: 'world' }) });
		expect(answer.status).toBe(400);
	});

	test('version 2 with a token typed by the user: the URL ends in it, a short one is refused', async () => {
		const good = await createTrigger({
			parameters: {
				authentication: 'apixo',
				callbackPath: 'my-own-callback-token-42',
				options: {},
			},
			credentials: credentialsFor('apixo', emulator),
			webhookBaseUrl,
			typeVersion: 2,
		});
		expect(good.productionUrl()).toBe(
			`${webhookBaseUrl}/${good.node.webhookId}/my-own-callback-token-42`,
		);
		await expect(good.lifecycle('create')).resolves.toBe(true);
		const short = await createTrigger({
			parameters: { authentication: 'apixo', callbackPath: 'abc', options: {} },
			credentials: credentialsFor('apixo', emulator),
			webhookBaseUrl,
			typeVersion: 2,
		});
		expect((await short.deliver({ body: '{}' })).status).toBe(401);
		await expect(short.lifecycle('create')).rejects.toThrow(/Callback Token must be at least 16/);
	});

	test('version 1 (saved workflows) keeps its masked `token` and its URL', async () => {
		const old = await createTrigger({
			parameters: { authentication: 'apixo', token: 'saved-token-0000000001', options: {} },
			credentials: credentialsFor('apixo', emulator),
			webhookBaseUrl,
		});
		expect(old.productionUrl()).toBe(
			`${webhookBaseUrl}/${old.node.webhookId}/saved-token-0000000001`,
		);
		await expect(old.lifecycle('create')).resolves.toBe(true);
	});
});

describe('behaviour 10: callback values that reach a request path are checked', () => {
	/** Requests the emulator received (its own outgoing callbacks are not requests it saw). */
	const requestsSeen = () =>
		emulator.journal.entries().filter((entry) => entry.kind !== 'callback');
	/** An APIXO callback body (unsigned: the trigger re-reads the task from the API). */
	const apixoCallback = (/** @type {string} */ taskId) =>
		JSON.stringify({
			code: 200,
			message: 'success',
			data: {
				taskId,
				state: 'success',
				resultJson: '{"resultUrls":["https://cdn.example.com/x.mp4"]}',
			},
		});

	test.each(['..', '.', 'a/b', '../../api/v1/credits', 'x?y=1', 'id with space', 'a%2F..'])(
		'behaviour 10: a callback with a task ID of %j gets 400 and starts nothing',
		async (taskId) => {
			const kling = await trigger('apixo');
			const answer = await kling.deliver({ body: apixoCallback(taskId) });
			expect(answer.status).toBe(400);
			expect(answer.body.error).toMatch(/^The callback's task ID .* is not accepted/);
			expect(answer.items).toBeNull();
			expect(requestsSeen()).toEqual([]);
		},
	);

	test.each([
		'kling-2-6/../../credits',
		'..',
		'kling-2-6/..',
		'./kling-2-6',
		'a//b',
		'/kling-2-6',
		'kling 2 6',
		'kling-2-6?taskId=other',
		'kling-2-6#x',
		'kling%2F..%2Fcredits',
	])(
		'behaviour 10: a callback whose model is %j (a "..", "." or empty segment, or a character outside the model ID set) gets 400 and starts nothing',
		async (model) => {
			const kling = await trigger('apixo');
			const answer = await kling.deliver({
				body: apixoCallback('task_1'),
				query: { kling_model: model, kling_mode: 'text-to-video' },
			});
			expect(answer.status).toBe(400);
			expect(answer.body.error).toMatch(
				/^The callback's model .* \(query parameter kling_model\) is not accepted/,
			);
			expect(answer.items).toBeNull();
			expect(requestsSeen()).toEqual([]);
		},
	);

	test.each(['video-to-video', '../text-to-video', 'TEXT-TO-VIDEO', ''])(
		'behaviour 10: a callback whose kling_mode is %j gets 400 and starts nothing',
		async (mode) => {
			const kling = await trigger('apixo');
			const answer = await kling.deliver({
				body: apixoCallback('task_1'),
				query: { kling_model: 'kling-2-6', kling_mode: mode },
			});
			expect(answer.status).toBe(400);
			expect(answer.body.error).toMatch(
				/^The callback's mode .* \(query parameter kling_mode\) is not one of text-to-video, image-to-video/,
			);
			expect(answer.items).toBeNull();
			expect(requestsSeen()).toEqual([]);
		},
	);

	test('behaviour 10: a task made with a Custom Model ID with slashes still arrives (its segments reach the status path)', async () => {
		const customModel = 'fal-ai/kling-video/v2.5-turbo/pro/text-to-video-preview';
		const credentials = credentialsFor('fal', emulator);
		// Without fal's public keys the body is not trusted: the task is read again, model in the path.
		credentials.klingFalApi = { ...credentials.klingFalApi, jwksUrl: '' };
		const taskId = await submit('fal', '');
		await until(() => Date.now() > Number(emulator.tasks.get(taskId)?.completesAt));
		activeTrigger = await createTrigger({
			parameters: { authentication: 'fal', token: TOKEN, options: { downloadVideo: false } },
			credentials,
			webhookBaseUrl,
		});
		emulator.journal.reset();
		const answer = await activeTrigger.deliver({
			body: JSON.stringify({ request_id: taskId, status: 'OK', payload: { video: { url: 'x' } } }),
			query: { kling_model: customModel, kling_mode: 'text-to-video', c_row: '9' },
		});
		expect(answer.status).toBe(200);
		expect(answer.items?.[0].json).toMatchObject({
			taskId,
			model: customModel,
			status: 'succeeded',
			correlation: { row: '9' },
		});
		const reads = emulator.journal.entries({ kind: 'status', taskId });
		expect(reads.length).toBeGreaterThan(0);
		expect(reads[0].path).toBe(`/fal/fal-ai/kling-video/requests/${taskId}/status`);
	});
});

describe('behaviour 9: the trigger answers the provider at once, then re-reads and downloads', () => {
	afterAll(() => emulator.configure({ callbackTimeoutMs: 10_000 }));

	test.each(/** @type {const} */ (['apixo', 'wavespeed']))(
		'behaviour 9: the trigger answers within 1 s while the video downloads (%s), and the item still carries the full MP4',
		async (provider) => {
			// The provider gives up on a callback after 1 s; the video takes about 3 s to download.
			emulator.configure({ callbackTimeoutMs: 1000 });
			const kling = await trigger(provider);
			const videoBytes = 300_000;
			emulator.planNextTask(provider, {
				downloadFault: 'slow',
				videoBytes,
				downloadBytesPerSecond: 100_000,
			});
			const taskId = await submit(provider, kling.productionUrl());
			await until(() => Boolean(emitted()), 20_000);
			const delivery = /** @type {any} */ (emitted());
			expect(delivery.status).toBe(200);
			expect(delivery.body).toEqual({ received: true, taskId });
			expect(delivery.timing.answeredMs).toBeLessThan(1000);
			// The answer left before the download finished, not after it: the download runs in the
			// execution webhook() starts (the trigger's execute()).
			expect(delivery.timing.executedMs - delivery.timing.answeredMs).toBeGreaterThan(1500);
			const [download] = emulator.journal.entries({ kind: 'download', taskId });
			expect(download.fault).toBe('slow');
			const [item] = delivery.items;
			expect(item.json).toMatchObject({ taskId, status: 'succeeded', error: null });
			const buffer = await kling.binaryBuffer(item.binary.data);
			expect(buffer.length).toBe(videoBytes);
			expect(inspectMp4(buffer).durationSeconds).toBeCloseTo(5, 0);
			// The provider saw its 200 within its timeout, at the first attempt.
			const callbacks = emulator.journal.entries({ kind: 'callback', taskId });
			expect(callbacks.map((entry) => [entry.attempt, entry.responseStatus, entry.error])).toEqual([
				[1, 200, undefined],
			]);
		},
	);

	test('behaviour 9: when the download fails after the answer, the item is still emitted with download_failed naming the task ID and the video URL', async () => {
		const kling = await trigger('apixo');
		emulator.planNextTask('apixo', { downloadFault: 'expired' });
		const taskId = await submit('apixo', kling.productionUrl());
		await until(() => Boolean(emitted()));
		const delivery = /** @type {any} */ (emitted());
		expect(delivery.status).toBe(200);
		const [item] = delivery.items;
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({
			taskId,
			status: 'succeeded',
			videoUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
			correlation: { row: '42', campaign: 'spring' },
			error: { code: 'download_failed' },
		});
		expect(item.json.error.message).toContain(
			`Task ${taskId} succeeded but its video could not be downloaded`,
		);
		expect(item.json.error.message).toContain(item.json.videoUrl);
	});

	test('behaviour 9: when the re-read fails after the answer, the item is still emitted with the status the callback reported and reread_failed', async () => {
		const kling = await trigger('apixo');
		// Every re-read attempt is refused (429, Retry-After 0): the status cannot be confirmed.
		emulator.planNextTask('apixo', { statusFaults: Array(5).fill('429:0') });
		const taskId = await submit('apixo', kling.productionUrl());
		await until(() => Boolean(emitted()));
		const delivery = /** @type {any} */ (emitted());
		expect(delivery.status).toBe(200);
		const [item] = delivery.items;
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({
			taskId,
			status: 'succeeded',
			videoUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
			error: { code: 'reread_failed' },
		});
		expect(item.json.error.message).toMatch(
			new RegExp(
				`^Task ${taskId}: the callback says it succeeded, but the video was not downloaded`,
			),
		);
		expect(item.json.error.message).toContain(`Use Get Task with task ID ${taskId}`);
		expect(emulator.journal.entries({ kind: 'status', taskId })).toHaveLength(5);
		expect(emulator.journal.entries({ kind: 'download', taskId })).toHaveLength(0);
	});
});

describe('behaviour 10: with Re-Read off, an unsigned video URL may not lead into this network', () => {
	/** Requests the emulator received (its own outgoing callbacks are not requests it saw). */
	const requestsSeen = () =>
		emulator.journal.entries().filter((entry) => entry.kind !== 'callback');
	/** @type {Buffer} */
	let mp4;
	/** Hits per server, by path. @type {{ redirector: string[], sink: string[] }} */
	const hits = { redirector: [], sink: [] };
	/** @type {http.Server} */
	let redirector;
	/** @type {http.Server} A private service that must never be reached. */
	let sink;
	let redirectorPort = 0;
	let sinkPort = 0;

	/** @param {http.Server} server */
	const listen = async (server) => {
		await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
		return /** @type {import('node:net').AddressInfo} */ (server.address()).port;
	};
	const sendMp4 = (/** @type {http.ServerResponse} */ res) =>
		res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': mp4.length }).end(mp4);

	beforeAll(async () => {
		mp4 = Buffer.from(await (await fetch(`${emulator.url}/_assets/video-5s.mp4`)).arrayBuffer());
		// Plays a video host that redirects: /to?location=<url>, /chain/<n> (n relative hops, then the MP4).
		redirector = http.createServer((req, res) => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			hits.redirector.push(url.pathname);
			const chain = /^\/chain\/(\d+)$/.exec(url.pathname);
			if (url.pathname === '/to') {
				res.writeHead(302, { location: String(url.searchParams.get('location')) }).end();
			} else if (chain && Number(chain[1]) > 0) {
				res.writeHead(302, { location: `/chain/${Number(chain[1]) - 1}` }).end();
			} else if (chain) {
				sendMp4(res);
			} else {
				res.writeHead(404).end();
			}
		});
		sink = http.createServer((req, res) => {
			hits.sink.push(String(req.url));
			sendMp4(res);
		});
		redirectorPort = await listen(redirector);
		sinkPort = await listen(sink);
	});
	afterAll(async () => {
		await new Promise((resolve) => redirector.close(resolve));
		await new Promise((resolve) => sink.close(resolve));
	});
	beforeEach(() => {
		hits.redirector = [];
		hits.sink = [];
	});

	/** An unsigned APIXO success callback whose video is at `videoUrl`. */
	const callback = (/** @type {string} */ videoUrl, taskId = 'task_guarded_1') =>
		JSON.stringify({
			code: 200,
			message: 'success',
			data: { taskId, state: 'success', resultJson: JSON.stringify({ resultUrls: [videoUrl] }) },
		});
	/** An APIXO trigger with Re-Read off whose credential's Base URL is on the redirector's host. */
	const redirectorTrigger = async () => {
		const credentials = credentialsFor('apixo', emulator);
		credentials.klingApixoApi = {
			...credentials.klingApixoApi,
			baseUrl: `http://127.0.0.1:${redirectorPort}/apixo`,
		};
		activeTrigger = await createTrigger({
			parameters: { authentication: 'apixo', token: TOKEN, options: { refetch: false } },
			credentials,
			webhookBaseUrl,
		});
		return activeTrigger;
	};

	test.each([
		[
			'169.254.169.254',
			() => 'http://169.254.169.254/latest/meta-data/iam/x.mp4',
			/\(169\.254\.169\.254\)/,
		],
		[
			'metadata.google.internal',
			() => 'http://metadata.google.internal/computeMetadata/v1/x.mp4',
			/private address/,
		],
		['10.0.0.1', () => 'http://10.0.0.1/x.mp4', /\(10\.0\.0\.1\)/],
		[
			'::ffff:127.0.0.1 (an IPv4-mapped loopback)',
			() => `http://[::ffff:127.0.0.1]:${sinkPort}/x.mp4`,
			/\(\[::ffff:7f00:1\]\)/,
		],
		[
			'2130706433 (127.0.0.1 as one number), another port',
			() => `http://2130706433:${sinkPort}/x.mp4`,
			/\(127\.0\.0\.1\)/,
		],
		[
			'localhost on the emulator port (not the Base URL host)',
			() => `http://localhost:${emulator.port}/apixo/x.mp4`,
			/\(localhost\)/,
		],
		['a file: URL', () => 'file:///etc/passwd', /is not an http\(s\) URL \(file\)/],
	])(
		'behaviour 10: an unsigned callback pointing at %s is refused: 400, nothing starts, nothing fetched',
		async (_label, url, reason) => {
			const kling = await trigger('apixo', { refetch: false });
			const answer = await kling.deliver({ body: callback(url()) });
			expect(answer.status).toBe(400);
			expect(answer.body.error).toMatch(
				/^The video URL (points to a private address|is not an http\(s\) URL)/,
			);
			expect(answer.body.error).toMatch(reason);
			expect(answer.items).toBeNull();
			expect(requestsSeen()).toEqual([]);
			expect(hits.sink).toEqual([]);
		},
	);

	test('behaviour 10: with Re-Read off, an unsigned callback whose video is on the Base URL host (the emulator) is still downloaded', async () => {
		const kling = await trigger('apixo', { refetch: false });
		const taskId = await submit('apixo', kling.productionUrl());
		await until(() => Boolean(emitted()));
		const [item] = /** @type {any} */ (emitted()).items;
		expect(item.json).toMatchObject({ taskId, status: 'succeeded', error: null });
		expect(inspectMp4(await kling.binaryBuffer(item.binary.data)).durationSeconds).toBeCloseTo(
			5,
			0,
		);
		expect(emulator.journal.entries({ kind: 'status', taskId })).toHaveLength(0);
	});

	test.each([
		['localhost', () => `http://localhost:${sinkPort}/x.mp4`],
		['127.0.0.1 on another port', () => `http://127.0.0.1:${sinkPort}/x.mp4`],
		['[::1]', () => `http://[::1]:${sinkPort}/x.mp4`],
		['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/'],
	])(
		'behaviour 10: a redirect to a private address (%s) is not followed',
		async (_label, location) => {
			const kling = await redirectorTrigger();
			const start = `http://127.0.0.1:${redirectorPort}/to?location=${encodeURIComponent(location())}`;
			const answer = await kling.deliver({ body: callback(start) });
			// The first URL is on the Base URL host, so the callback is accepted; the redirect is refused.
			expect(answer.status).toBe(200);
			const [item] = /** @type {any[]} */ (answer.items);
			expect(item.binary).toBeUndefined();
			expect(item.json).toMatchObject({
				taskId: 'task_guarded_1',
				status: 'succeeded',
				error: { code: 'download_failed' },
			});
			expect(item.json.error.message).toMatch(
				/^Task task_guarded_1 succeeded but its video could not be downloaded: The video URL redirected to .*, which points to a private address .*; the redirect was not followed/,
			);
			expect(hits.redirector).toEqual(['/to']);
			expect(hits.sink).toEqual([]);
		},
	);

	test('behaviour 10: redirects to allowed addresses are followed by hand, at most 5', async () => {
		const kling = await redirectorTrigger();
		const five = await kling.deliver({
			body: callback(`http://127.0.0.1:${redirectorPort}/chain/5`, 'task_five_hops'),
		});
		const [item] = /** @type {any[]} */ (five.items);
		expect(item.json.error).toBeNull();
		expect((await kling.binaryBuffer(item.binary.data)).equals(mp4)).toBe(true);
		expect(hits.redirector).toHaveLength(6);

		hits.redirector = [];
		const six = await kling.deliver({
			body: callback(`http://127.0.0.1:${redirectorPort}/chain/6`, 'task_six_hops'),
		});
		const [tooMany] = /** @type {any[]} */ (six.items);
		expect(tooMany.binary).toBeUndefined();
		expect(tooMany.json.error.code).toBe('download_failed');
		expect(tooMany.json.error.message).toMatch(/redirected more than 5 times/);
		expect(hits.redirector).toHaveLength(6);
	});
});

describe('Send to trigger with a capability (issue 17): the mode travels in the callback URL', () => {
	test.each(/** @type {const} */ ([
		['wavespeed', { mode: 'lip-sync', model: 'kling-lipsync-audio', inputVideoUrl: 'video-8s-sound.mp4', inputAudioUrl: 'audio-5s.wav' }, 8],
		['kie', { mode: 'avatar', model: 'kling-avatar-std', startImageUrl: 'start.png', inputAudioUrl: 'audio-6s.mp3' }, 6],
		['replicate', { mode: 'motion-control', model: 'kling-2.6-std', startImageUrl: 'start.png', inputVideoUrl: 'video-5s-sound.mp4' }, 5],
	]))('%s', async (provider, fields, seconds) => {
		const asset = (/** @type {string} */ name) => `${emulator.url}/_assets/${name}`;
		const parameters = Object.fromEntries(
			Object.entries(fields).map(([key, value]) => [key, /Url$/.test(key) ? asset(value) : value]),
		);
		const kling = await trigger(/** @type {any} */ (provider));
		const result = await runKlingNode({
			parameters: { authentication: provider, resource: 'video', operation: 'submit', ...parameters, callbackUrl: kling.productionUrl() },
			credentials: credentialsFor(provider, emulator),
			typeVersion: 2,
		});
		expect(result.error).toBeUndefined();
		const taskId = String(result.output[0].json.taskId);
		await until(() => Boolean(emitted()));
		const [item] = /** @type {any} */ (emitted()).items;
		expect(item.json).toMatchObject({ provider, taskId, mode: fields.mode, status: 'succeeded', outputDurationS: seconds });
		expect(inspectMp4(await kling.binaryBuffer(item.binary.data)).durationSeconds).toBe(seconds);
		// Kie signs no body: the task is read again, under its capability's model.
		const reads = emulator.journal.entries({ kind: 'status', taskId }).length;
		expect(reads).toBe(SIGNS_BODY.includes(provider) ? 0 : 1);
	});
});
