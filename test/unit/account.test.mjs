// @ts-check
/**
 * The adapters' cancel and balance dialects (documented shapes, sources in the adapters), the
 * result-URL lifetime behind `videoUrlExpiresAt`, and the File Name option's sanitizing.
 */
import { describe, expect, test } from '@jest/globals';
import { dist, thrown } from './helpers.mjs';

const { PROVIDERS } = dist('shared/providers/index');
const { CATALOG } = dist('shared/catalog/index');
const { ProviderError } = dist('shared/util/errors');
const { outputFileName, videoUrlExpiresAt } = dist('shared/engine/output');
const { httpOptions } = dist('shared/engine/transport');

const FAL_TASK = {
	taskId: 'req-1',
	model: 'fal-ai/kling-video/v3/pro/text-to-video',
	mode: 'text-to-video',
};
const V4_TASK = { taskId: 'req-2', model: 'kling/v4/text-to-video', mode: 'text-to-video' };
const REPLICATE_TASK = { taskId: 'p1', model: 'kwaivgi/kling-v3-video', mode: 'text-to-video' };

/** A Replicate prediction as `POST /v1/predictions/{id}/cancel` answers it. */
function prediction(status, extra = {}) {
	return {
		id: 'p1',
		model: 'kwaivgi/kling-v3-video',
		status,
		output: status === 'succeeded' ? 'https://replicate.delivery/x/out.mp4' : null,
		error: null,
		created_at: '2026-12-01T10:00:00.000Z',
		completed_at: ['succeeded', 'failed', 'canceled'].includes(status)
			? '2026-12-01T10:01:00.000Z'
			: null,
		urls: {
			get: 'https://api.replicate.com/v1/predictions/p1',
			cancel: 'https://api.replicate.com/v1/predictions/p1/cancel',
		},
		...extra,
	};
}

describe('capability is what the adapter has', () => {
	test('cancel: fal and Replicate only; balance: everyone but Replicate', () => {
		const withCancel = Object.values(PROVIDERS)
			.filter((a) => a.buildCancelRequest)
			.map((a) => a.id);
		const withBalance = Object.values(PROVIDERS)
			.filter((a) => a.buildBalanceRequest)
			.map((a) => a.id);
		expect(withCancel.sort()).toEqual(['fal', 'replicate']);
		expect(withBalance.sort()).toEqual(['apixo', 'fal', 'kie', 'kling', 'rivya', 'wavespeed']);
		for (const adapter of Object.values(PROVIDERS)) {
			expect(typeof adapter.readCancelResponse).toBe(
				adapter.buildCancelRequest ? 'function' : 'undefined',
			);
			expect(typeof adapter.readBalanceResponse).toBe(
				adapter.buildBalanceRequest ? 'function' : 'undefined',
			);
		}
	});
});

describe('fal.ai cancel (PUT …/requests/{id}/cancel on the app id)', () => {
	const { fal } = PROVIDERS;
	test('the path keeps only the app id, also for Kling 4.0', () => {
		expect(fal.buildCancelRequest(FAL_TASK)).toEqual({
			method: 'PUT',
			path: '/fal-ai/kling-video/requests/req-1/cancel',
		});
		expect(fal.buildCancelRequest(V4_TASK).path).toBe('/kling/v4/requests/req-2/cancel');
	});

	test('the four answer words', () => {
		expect(fal.readCancelResponse(200, { status: 'OK' }, FAL_TASK)).toEqual({
			outcome: 'cancelled',
			snapshot: null,
		});
		expect(
			fal.readCancelResponse(202, { status: 'CANCELLATION_REQUESTED' }, FAL_TASK).outcome,
		).toBe('requested');
		expect(fal.readCancelResponse(400, { status: 'ALREADY_COMPLETED' }, FAL_TASK).outcome).toBe(
			'already_finished',
		);
		const missing = thrown(() => fal.readCancelResponse(404, { status: 'NOT_FOUND' }, FAL_TASK));
		expect(missing).toBeInstanceOf(ProviderError);
		expect(missing.kind).toBe('notFound');
		expect(missing.message).toContain('req-1');
	});

	test('a 429 or 5xx is an error the retry loop can use; a strange 2xx is reported', () => {
		expect(thrown(() => fal.readCancelResponse(429, { detail: 'slow down' }, FAL_TASK)).kind).toBe(
			'rateLimit',
		);
		expect(thrown(() => fal.readCancelResponse(503, { detail: 'down' }, FAL_TASK)).kind).toBe(
			'unavailable',
		);
		expect(thrown(() => fal.readCancelResponse(200, { status: 'MAYBE' }, FAL_TASK)).kind).toBe(
			'unexpected',
		);
	});
});

describe('Replicate cancel (POST /v1/predictions/{id}/cancel → the prediction)', () => {
	const { replicate } = PROVIDERS;
	test('request', () => {
		expect(replicate.buildCancelRequest(REPLICATE_TASK)).toEqual({
			method: 'POST',
			path: '/v1/predictions/p1/cancel',
		});
	});

	test('canceled → cancelled, with the task normalized from the answer', () => {
		const answer = replicate.readCancelResponse(200, prediction('canceled'), REPLICATE_TASK);
		expect(answer.outcome).toBe('cancelled');
		expect(answer.snapshot).toMatchObject({
			taskId: 'p1',
			status: 'failed',
			error: { code: 'canceled' },
		});
	});

	test('ended before the request → already finished; still running → requested', () => {
		expect(
			replicate.readCancelResponse(200, prediction('succeeded'), REPLICATE_TASK),
		).toMatchObject({
			outcome: 'already_finished',
			snapshot: { status: 'succeeded', videoUrls: ['https://replicate.delivery/x/out.mp4'] },
		});
		expect(
			replicate.readCancelResponse(200, prediction('failed', { error: 'x' }), REPLICATE_TASK)
				.outcome,
		).toBe('already_finished');
		expect(
			replicate.readCancelResponse(200, prediction('processing'), REPLICATE_TASK).outcome,
		).toBe('requested');
	});

	test('problem details become errors', () => {
		const error = thrown(() =>
			replicate.readCancelResponse(
				404,
				{ title: 'Not found', detail: 'The requested resource could not be found.' },
				REPLICATE_TASK,
			),
		);
		expect(error.kind).toBe('notFound');
		expect(error.message).toContain('could not be found');
	});
});

describe('balances, normalized', () => {
	test('WaveSpeed: GET /api/v3/balance → data.balance in USD', () => {
		const { wavespeed } = PROVIDERS;
		expect(wavespeed.buildBalanceRequest(0)).toEqual({ method: 'GET', path: '/api/v3/balance' });
		expect(
			wavespeed.readBalanceResponse(200, {
				code: 200,
				message: 'success',
				data: { balance: 12.34 },
			}),
		).toEqual({
			balance: 12.34,
			unit: 'USD',
			currency: 'USD',
		});
		expect(
			thrown(() => wavespeed.readBalanceResponse(401, { code: 401, message: 'Unauthorized' })).kind,
		).toBe('auth');
	});

	test('APIXO: GET /api/v1/apikeys/current-balance → data.balance, or data as a number', () => {
		const { apixo } = PROVIDERS;
		expect(apixo.buildBalanceRequest(0).path).toBe('/api/v1/apikeys/current-balance');
		expect(
			apixo.readBalanceResponse(200, { code: 200, message: 'success', data: { balance: 7 } })
				.balance,
		).toBe(7);
		expect(
			apixo.readBalanceResponse(200, { code: 200, message: 'success', data: 8.5 }).balance,
		).toBe(8.5);
		expect(
			thrown(() =>
				apixo.readBalanceResponse(200, { code: 200, message: 'success', data: { credits: 'x' } }),
			).kind,
		).toBe('unexpected');
	});

	test('Kie: GET /api/v1/chat/credit → data = credits (an error code in the body with HTTP 200)', () => {
		const { kie } = PROVIDERS;
		expect(kie.buildBalanceRequest(0).path).toBe('/api/v1/chat/credit');
		expect(kie.readBalanceResponse(200, { code: 200, msg: 'success', data: 100 })).toEqual({
			balance: 100,
			unit: 'credits',
			currency: null,
		});
		expect(
			thrown(() =>
				kie.readBalanceResponse(200, { code: 401, msg: 'You do not have access permissions' }),
			).kind,
		).toBe('auth');
	});

	test('Rivya: GET /api/v1/credits → current_credits', () => {
		const { rivya } = PROVIDERS;
		expect(rivya.buildBalanceRequest(0).path).toBe('/api/v1/credits');
		expect(rivya.readBalanceResponse(200, { current_credits: 123 })).toEqual({
			balance: 123,
			unit: 'credits',
			currency: null,
		});
		const denied = thrown(() =>
			rivya.readBalanceResponse(403, {
				error: { code: 'api_scope_denied', message: 'needs credits:read', requestId: 'req_1' },
			}),
		);
		expect(denied.message).toContain('api_scope_denied');
	});

	test('Kling: GET /account/costs over the last year → what the packs in effect have left', () => {
		const { kling } = PROVIDERS;
		const now = Date.parse('2026-12-01T00:00:00Z');
		expect(kling.buildBalanceRequest(now)).toEqual({
			method: 'GET',
			path: '/account/costs',
			qs: { start_time: now - 365 * 86400_000, end_time: now },
		});
		const body = {
			code: 0,
			message: 'SUCCEED',
			request_id: 'r1',
			data: {
				code: 0,
				msg: 'success',
				resource_pack_subscribe_infos: [
					{
						resource_pack_name: 'Video - 200',
						total_quantity: 200.0,
						remaining_quantity: 118.0,
						status: 'online',
					},
					{
						resource_pack_name: 'Video - 100',
						total_quantity: 100,
						remaining_quantity: 40,
						status: 'expired',
					},
					{
						resource_pack_name: 'Video - 50',
						total_quantity: 50,
						remaining_quantity: 50,
						status: 'online',
					},
					{
						resource_pack_name: 'Video - 10',
						total_quantity: 10,
						remaining_quantity: 10,
						status: 'toBeOnline',
					},
				],
			},
		};
		expect(kling.readBalanceResponse(200, body)).toEqual({
			balance: 168,
			unit: 'units',
			currency: null,
		});
		expect(
			kling.readBalanceResponse(200, {
				...body,
				data: { code: 0, msg: 'success', resource_pack_subscribe_infos: [] },
			}).balance,
		).toBe(0);
		expect(
			thrown(() => kling.readBalanceResponse(401, { code: 1002, message: 'invalid' })).kind,
		).toBe('auth');
	});

	test('fal: GET {platform host}/v1/account/billing?expand=credits → credits.current_balance', () => {
		const { fal } = PROVIDERS;
		const request = fal.buildBalanceRequest(0);
		expect(request).toEqual({
			method: 'GET',
			path: '/v1/account/billing',
			qs: { expand: 'credits' },
			platformHost: true,
		});
		const endpoint = {
			adapter: fal,
			baseUrl: 'https://queue.fal.run',
			uploadBaseUrl: 'https://rest.fal.ai',
			platformBaseUrl: 'https://api.fal.ai',
			hasApiKey: true,
		};
		expect(httpOptions(endpoint, request).url).toBe('https://api.fal.ai/v1/account/billing');
		expect(
			fal.readBalanceResponse(200, {
				username: 'team',
				credits: { current_balance: 24.5, currency: 'USD' },
			}),
		).toEqual({
			balance: 24.5,
			unit: 'USD',
			currency: 'USD',
		});
		expect(
			fal.readBalanceResponse(200, {
				username: 'team',
				credits: { current_balance: '3.25', currency: 'EUR' },
			}),
		).toEqual({
			balance: 3.25,
			unit: 'EUR',
			currency: 'EUR',
		});
		const inferenceKey = thrown(() =>
			fal.readBalanceResponse(403, { detail: 'Insufficient permissions' }),
		);
		expect(inferenceKey.kind).toBe('auth');
		expect(inferenceKey.message).toContain('billing read permission');
		expect(thrown(() => fal.readBalanceResponse(200, { username: 'team' })).kind).toBe(
			'unexpected',
		);
	});
});

describe('videoUrlExpiresAt', () => {
	const done = {
		videoUrls: ['https://cdn/v.mp4'],
		createdAt: '2026-12-01T10:00:00.000Z',
		completedAt: '2026-12-01T10:02:00.000Z',
	};
	test('each documented lifetime, from the timestamp its doc counts from', () => {
		expect(videoUrlExpiresAt('replicate', done)).toBe('2026-12-01T11:02:00.000Z');
		expect(videoUrlExpiresAt('kie', done)).toBe('2026-12-02T10:02:00.000Z');
		expect(videoUrlExpiresAt('apixo', done)).toBe('2026-12-02T10:02:00.000Z');
		expect(videoUrlExpiresAt('wavespeed', done)).toBe('2026-12-08T10:00:00.000Z');
		expect(videoUrlExpiresAt('kling', done)).toBe('2026-12-31T10:00:00.000Z');
	});

	test('null where no lifetime is documented, without a video, or without a timestamp', () => {
		expect(videoUrlExpiresAt('fal', done)).toBeNull();
		expect(videoUrlExpiresAt('rivya', done)).toBeNull();
		expect(videoUrlExpiresAt('kie', { ...done, videoUrls: [] })).toBeNull();
		expect(videoUrlExpiresAt('kie', null)).toBeNull();
		expect(videoUrlExpiresAt('kie', { ...done, createdAt: null, completedAt: null })).toBeNull();
	});

	test('completion unknown: counted from creation (the earlier, safe moment)', () => {
		expect(videoUrlExpiresAt('replicate', { ...done, completedAt: null })).toBe(
			'2026-12-01T11:00:00.000Z',
		);
	});

	test('every lifetime names its source document', () => {
		for (const catalog of Object.values(CATALOG)) {
			if (catalog.resultUrlLifetime === null) continue;
			expect(catalog.resultUrlLifetime.source).toMatch(/^https:\/\//);
			expect(catalog.resultUrlLifetime.seconds).toBeGreaterThan(0);
		}
	});
});

describe('File Name option', () => {
	test.each([
		['SKU-123', 'SKU-123.mp4'],
		['SKU-123.mp4', 'SKU-123.mp4'],
		['clip.MP4', 'clip.mp4'],
		['a/b\\c', 'a_b_c.mp4'],
		['../../etc/passwd', '_.._etc_passwd.mp4'],
		['.hidden', 'hidden.mp4'],
		['C:\\videos\\x', 'C_videos_x.mp4'],
		['what?*<>|"', 'what_.mp4'],
		['line\nbreak\ttab', 'linebreaktab.mp4'],
		['  spaced  ', 'spaced.mp4'],
		['ends with dots...', 'ends with dots.mp4'],
		['Sommer-Aktion – Café', 'Sommer-Aktion – Café.mp4'],
	])('%j → %j', (wanted, expected) => {
		expect(outputFileName(wanted, 'kie', 'task_1')).toBe(expected);
	});

	test.each([[''], ['   '], ['.mp4'], ['/'], ['..'], [null], [undefined]])(
		'%j keeps the default <provider>-<taskId>.mp4',
		(wanted) => {
			expect(outputFileName(wanted, 'fal', 'a/b:c')).toBe('fal-a_b_c.mp4');
		},
	);

	test('very long names are cut and still end in .mp4', () => {
		const name = outputFileName('x'.repeat(500), 'kie', 't');
		expect(name).toHaveLength(200);
		expect(name.endsWith('.mp4')).toBe(true);
	});
});
