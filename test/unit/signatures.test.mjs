// @ts-check
/**
 * Callback verifiers against vectors computed here from the documented algorithms (PROVIDERS.md
 * §1.7 WaveSpeed, §3.4 Kie), valid and tampered: body, timestamp, secret, prefix, encoding.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, test } from '@jest/globals';

const require = createRequire(import.meta.url);
const { wavespeed } = require('../../dist/nodes/shared/providers/wavespeed.js');
const { kie } = require('../../dist/nodes/shared/providers/kie.js');
const { apixo } = require('../../dist/nodes/shared/providers/apixo.js');
const { rivya } = require('../../dist/nodes/shared/providers/rivya.js');

const NOW = 1_795_000_000;

describe('WaveSpeed: HMAC-SHA256 hex over id.timestamp.rawBody, key = secret without whsec_ as text', () => {
	const secret = 'whsec_c2VjcmV0LWJ1dC1ub3QtYmFzZTY0';
	const id = 'msg_2fJ9';
	const body = Buffer.from('{"id":"pred_1","status":"completed","outputs":["https://cdn/x.mp4"]}');
	/** @param {string} key @param {string} ts @param {Buffer} raw */
	const sign = (key, ts, raw) =>
		createHmac('sha256', key).update(`${id}.${ts}.`).update(raw).digest('hex');
	const valid = `v3,${sign('c2VjcmV0LWJ1dC1ub3QtYmFzZTY0', String(NOW), body)}`;
	/** @param {Record<string, string>} headers @param {Buffer} [raw] */
	const verify = (headers, raw = body) =>
		wavespeed.callbackSignature.verify(
			{ headers, rawBody: raw, body: JSON.parse(raw.toString()) },
			secret,
			NOW,
		);
	const headers = {
		'webhook-id': id,
		'webhook-timestamp': String(NOW),
		'webhook-signature': valid,
	};

	test('a valid signature passes', () => expect(verify(headers)).toBeNull());
	test('several signatures, space separated: one valid is enough', () =>
		expect(verify({ ...headers, 'webhook-signature': `v3,00ff ${valid}` })).toBeNull());
	test('a tampered body fails', () =>
		expect(verify(headers, Buffer.from(body.toString().replace('completed', 'failed')))).toBe(
			'the signature does not match',
		));
	test('a re-serialized body (whitespace changed) fails: only the raw body counts', () =>
		expect(verify(headers, Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)))).toBe(
			'the signature does not match',
		));
	test('another timestamp in the header fails', () =>
		expect(verify({ ...headers, 'webhook-timestamp': String(NOW - 1) })).toBe(
			'the signature does not match',
		));
	test('a secret used with its whsec_ prefix fails', () =>
		expect(
			verify({ ...headers, 'webhook-signature': `v3,${sign(secret, String(NOW), body)}` }),
		).toBe('the signature does not match'));
	test('a base64-decoded key (Standard Webhooks style) fails', () => {
		const decoded = Buffer.from('c2VjcmV0LWJ1dC1ub3QtYmFzZTY0', 'base64');
		const signature = createHmac('sha256', decoded)
			.update(`${id}.${NOW}.`)
			.update(body)
			.digest('hex');
		expect(verify({ ...headers, 'webhook-signature': `v3,${signature}` })).toBe(
			'the signature does not match',
		);
	});
	test('base64 encoding instead of hex fails', () => {
		const b64 = createHmac('sha256', 'c2VjcmV0LWJ1dC1ub3QtYmFzZTY0')
			.update(`${id}.${NOW}.`)
			.update(body)
			.digest('base64');
		expect(verify({ ...headers, 'webhook-signature': `v3,${b64}` })).toBe(
			'the signature does not match',
		);
	});
	test('a v1 prefix is not accepted', () =>
		expect(verify({ ...headers, 'webhook-signature': valid.replace('v3,', 'v1,') })).toBe(
			'the signature header is missing',
		));
	test('older than 300 s is a replay, newer than 300 s is from the future', () => {
		const old = String(NOW - 301);
		const future = String(NOW + 301);
		expect(
			verify({
				...headers,
				'webhook-timestamp': old,
				'webhook-signature': `v3,${sign('c2VjcmV0LWJ1dC1ub3QtYmFzZTY0', old, body)}`,
			}),
		).toMatch(/too old/);
		expect(
			verify({
				...headers,
				'webhook-timestamp': future,
				'webhook-signature': `v3,${sign('c2VjcmV0LWJ1dC1ub3QtYmFzZTY0', future, body)}`,
			}),
		).toMatch(/future/);
	});
	test('missing headers fail', () => {
		expect(verify({ 'webhook-timestamp': String(NOW), 'webhook-signature': valid })).toMatch(
			/webhook-id/,
		);
		expect(verify({ 'webhook-id': id, 'webhook-signature': valid })).toMatch(/timestamp/);
		expect(verify({ 'webhook-id': id, 'webhook-timestamp': String(NOW) })).toMatch(
			/signature header is missing/,
		);
	});
	test('the signature covers the body, so the trigger need not re-read', () =>
		expect(wavespeed.callbackSignature.signsBody).toBe(true));
});

describe('Kie: base64(HMAC-SHA256(taskId.timestamp, webhookHmacKey)) — the body is not covered', () => {
	const key = 'kie-hmac-key-for-tests';
	const body = {
		code: 200,
		msg: 'ok',
		data: {
			taskId: 'task_kling_1',
			state: 'success',
			resultJson: '{"resultUrls":["https://cdn/x.mp4"]}',
		},
	};
	const valid = createHmac('sha256', key).update(`task_kling_1.${NOW}`).digest('base64');
	/** @param {Record<string, string>} headers @param {any} [payload] @param {string} [secret] */
	const verify = (headers, payload = body, secret = key) =>
		kie.callbackSignature.verify(
			{ headers, rawBody: Buffer.from(JSON.stringify(payload)), body: payload },
			secret,
			NOW,
		);
	const headers = { 'x-webhook-timestamp': String(NOW), 'x-webhook-signature': valid };

	test('a valid signature passes', () => expect(verify(headers)).toBeNull());
	test('the docs example reads data.task_id: accepted too', () =>
		expect(
			verify(headers, { ...body, data: { task_id: 'task_kling_1', state: 'success' } }),
		).toBeNull());
	test('another task ID fails', () =>
		expect(verify(headers, { ...body, data: { ...body.data, taskId: 'task_kling_2' } })).toBe(
			'the signature does not match',
		));
	test('a tampered state still passes the signature: the trigger must re-read', () => {
		expect(verify(headers, { ...body, data: { ...body.data, state: 'fail' } })).toBeNull();
		expect(kie.callbackSignature.signsBody).toBe(false);
	});
	test('a wrong key fails', () =>
		expect(verify(headers, body, 'other-key')).toBe('the signature does not match'));
	test('hex instead of base64 fails', () => {
		const hex = createHmac('sha256', key).update(`task_kling_1.${NOW}`).digest('hex');
		expect(verify({ ...headers, 'x-webhook-signature': hex })).toBe('the signature does not match');
	});
	test('milliseconds instead of seconds is a timestamp from the future', () => {
		const ms = String(NOW * 1000);
		const signature = createHmac('sha256', key).update(`task_kling_1.${ms}`).digest('base64');
		expect(verify({ 'x-webhook-timestamp': ms, 'x-webhook-signature': signature })).toMatch(
			/future/,
		);
	});
	test('a replay older than 300 s fails', () => {
		const old = String(NOW - 400);
		const signature = createHmac('sha256', key).update(`task_kling_1.${old}`).digest('base64');
		expect(verify({ 'x-webhook-timestamp': old, 'x-webhook-signature': signature })).toMatch(
			/too old/,
		);
	});
	test('missing headers or task ID fail', () => {
		expect(verify({ 'x-webhook-timestamp': String(NOW) })).toMatch(/signature header is missing/);
		expect(verify({ 'x-webhook-signature': valid })).toMatch(/timestamp/);
		expect(verify(headers, { code: 200, data: { state: 'success' } })).toMatch(/no taskId/);
	});
});

test('APIXO and Rivya document no signature: the token and a re-read are all there is', () => {
	expect(apixo.callbackSignature).toBeUndefined();
	expect(rivya.callbackSignature).toBeUndefined();
});

describe('Replicate: Standard Webhooks — key = base64-decoded secret after whsec_, v1,<base64>', () => {
	const { replicate } = require('../../dist/nodes/shared/providers/replicate.js');
	const rawKey = Buffer.from('replicate-test-signing-key-0123456789');
	const secret = `whsec_${rawKey.toString('base64')}`;
	const body = Buffer.from('{"id":"p1","status":"succeeded","output":"https://cdn/x.mp4"}');
	/** @param {Buffer | string} key @param {string} ts @param {Buffer} raw */
	const sign = (key, ts, raw) =>
		createHmac('sha256', key).update(`msg_1.${ts}.`).update(raw).digest('base64');
	/** @param {Record<string, string>} headers @param {Buffer} [raw] */
	const verify = (headers, raw = body) =>
		replicate.callbackSignature.verify(
			{ headers, rawBody: raw, body: JSON.parse(raw.toString()) },
			secret,
			NOW,
		);
	const headers = {
		'webhook-id': 'msg_1',
		'webhook-timestamp': String(NOW),
		'webhook-signature': `v1,${sign(rawKey, String(NOW), body)}`,
	};

	test('a valid signature passes, also among several', () => {
		expect(verify(headers)).toBeNull();
		expect(
			verify({ ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` }),
		).toBeNull();
	});
	test('the secret used as text (WaveSpeed style) fails', () =>
		expect(
			verify({
				...headers,
				'webhook-signature': `v1,${sign(secret.replace('whsec_', ''), String(NOW), body)}`,
			}),
		).toBe('the signature does not match'));
	test('a tampered body, a v3 prefix and a stale timestamp fail', () => {
		expect(verify(headers, Buffer.from(body.toString().replace('succeeded', 'failed')))).toBe(
			'the signature does not match',
		);
		expect(
			verify({
				...headers,
				'webhook-signature': headers['webhook-signature'].replace('v1,', 'v3,'),
			}),
		).toMatch(/missing/);
		const old = String(NOW - 301);
		expect(
			verify({
				...headers,
				'webhook-timestamp': old,
				'webhook-signature': `v1,${sign(rawKey, old, body)}`,
			}),
		).toMatch(/too old/);
	});
});

describe('fal.ai: ED25519 over request_id\\nuser_id\\ntimestamp\\nsha256hex(body), keys from JWKS', () => {
	const { fal } = require('../../dist/nodes/shared/providers/fal.js');
	const { generateKeyPairSync, sign: edSign, createHash } = require('node:crypto');
	const { publicKey, privateKey } = generateKeyPairSync('ed25519');
	const other = generateKeyPairSync('ed25519');
	const jwks = (/** @type {any[]} */ ...keys) =>
		JSON.stringify({ keys: keys.map((key) => key.export({ format: 'jwk' })) });
	const body = Buffer.from(
		'{"request_id":"r1","status":"OK","payload":{"video":{"url":"https://cdn/x.mp4"}}}',
	);
	/** @param {Buffer} raw @param {string} ts @param {any} key */
	const signature = (raw, ts, key = privateKey) =>
		edSign(
			null,
			Buffer.from(`r1\nu1\n${ts}\n${createHash('sha256').update(raw).digest('hex')}`),
			key,
		).toString('hex');
	const headers = {
		'x-fal-webhook-request-id': 'r1',
		'x-fal-webhook-user-id': 'u1',
		'x-fal-webhook-timestamp': String(NOW),
		'x-fal-webhook-signature': signature(body, String(NOW)),
	};
	/** @param {Record<string, string>} h @param {Buffer} [raw] @param {string} [keys] */
	const verify = (h, raw = body, keys = jwks(publicKey)) =>
		fal.callbackSignature.verify({ headers: h, rawBody: raw, body: {} }, keys, NOW);

	test('a valid signature passes against any key of the JWKS', () => {
		expect(verify(headers)).toBeNull();
		expect(verify(headers, body, jwks(other.publicKey, publicKey))).toBeNull();
	});
	test('another key, a tampered body, another request ID fail', () => {
		expect(verify(headers, body, jwks(other.publicKey))).toBe('the signature does not match');
		expect(verify(headers, Buffer.from(body.toString().replace('OK', 'ERROR')))).toBe(
			'the signature does not match',
		);
		expect(verify({ ...headers, 'x-fal-webhook-request-id': 'r2' })).toBe(
			'the signature does not match',
		);
	});
	test('replayed, future, missing header and unreadable JWKS fail', () => {
		const old = String(NOW - 301);
		expect(
			verify({
				...headers,
				'x-fal-webhook-timestamp': old,
				'x-fal-webhook-signature': signature(body, old),
			}),
		).toMatch(/too old/);
		const future = String(NOW + 301);
		expect(
			verify({
				...headers,
				'x-fal-webhook-timestamp': future,
				'x-fal-webhook-signature': signature(body, future),
			}),
		).toMatch(/future/);
		const { ['x-fal-webhook-user-id']: _dropped, ...noUser } = headers;
		expect(verify(noUser)).toMatch(/missing/);
		expect(verify(headers, body, 'not json')).toMatch(/could not be read/);
	});
});

describe('Kling official: a fresh HS256 JWT per request', () => {
	const {
		klingToken,
		KlingOfficialApi,
	} = require('../../dist/credentials/KlingOfficialApi.credentials.js');
	test('header, claims and signature follow the documented form', () => {
		const token = klingToken('ak_test', 'sk_test', NOW);
		const [header, payload, sig] = token.split('.');
		expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
			alg: 'HS256',
			typ: 'JWT',
		});
		expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
			iss: 'ak_test',
			exp: NOW + 1800,
			nbf: NOW - 5,
		});
		expect(sig).toBe(
			createHmac('sha256', 'sk_test').update(`${header}.${payload}`).digest('base64url'),
		);
	});
	test('the credential signs each request with a new token and never sends the secret key', async () => {
		const credential = new KlingOfficialApi();
		const options = await credential.authenticate(
			{ accessKey: 'ak_test', secretKey: 'sk_test' },
			{ url: '/v1/x', headers: {} },
		);
		expect(options.headers.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
		expect(JSON.stringify(options)).not.toContain('sk_test');
	});
});
