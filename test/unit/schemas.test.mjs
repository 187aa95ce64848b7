// @ts-check
/**
 * Malformed provider bodies: each must become a ProviderError of kind "unexpected" whose message
 * names the provider and the field (path) at fault, never a TypeError or a silently wrong snapshot.
 * Good shapes come from PROVIDERS.md §1.3/§1.4 (WaveSpeed), §2.3 (APIXO), §3.3 (Kie), §4.1/§4.2 (Rivya).
 */
import { describe, expect, test } from '@jest/globals';
import { dist, thrown } from './helpers.mjs';

const { wavespeed, normalizeWaveSpeedPrediction } = dist('shared/providers/wavespeed');
const { apixo, normalizeApixoTask } = dist('shared/providers/apixo');
const { kie, normalizeKieTask } = dist('shared/providers/kie');
const { rivya, normalizeRivyaGeneration } = dist('shared/providers/rivya');
const { ProviderError } = dist('shared/util/errors');

const HTML = '<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>';

function expectUnexpected(fn, ...fragments) {
	const error = thrown(fn);
	expect(error).toBeInstanceOf(ProviderError);
	expect(error.kind).toBe('unexpected');
	for (const fragment of fragments) expect(error.message).toContain(fragment);
	return error;
}

describe('WaveSpeed AI', () => {
	const TASK = {
		taskId: 'p1',
		model: 'kwaivgi/kling-v2.5-turbo-pro/text-to-video',
		mode: 'text-to-video',
	};
	const envelope = (data) => ({ code: 200, message: 'success', data });

	test('submit without data.id', () => {
		expectUnexpected(
			() => wavespeed.readSubmitResponse(200, envelope({ status: 'created', outputs: [] })),
			'WaveSpeed AI',
			'submit response',
			'"id"',
		);
	});

	test('submit with an empty id', () => {
		expectUnexpected(
			() => wavespeed.readSubmitResponse(200, envelope({ id: '', status: 'created' })),
			'WaveSpeed AI',
			'"id"',
		);
	});

	test('status without data (null)', () => {
		expectUnexpected(
			() => wavespeed.readStatusResponse(200, envelope(null), TASK),
			'WaveSpeed AI',
			'prediction',
		);
	});

	test('an unknown status word is taken as still running, and reported (a paid task is not given up)', () => {
		expect(
			wavespeed.readStatusResponse(
				200,
				envelope({ id: 'p1', status: 'running', outputs: [] }),
				TASK,
			),
		).toMatchObject({ status: 'processing', unrecognizedStatus: 'running' });
	});

	test('outputs not an array', () => {
		expectUnexpected(
			() =>
				wavespeed.readStatusResponse(
					200,
					envelope({ id: 'p1', status: 'completed', outputs: 'https://cdn/x.mp4' }),
					TASK,
				),
			'WaveSpeed AI',
			'"outputs"',
		);
	});

	test('outputs item neither a string nor {url}', () => {
		expectUnexpected(
			() => normalizeWaveSpeedPrediction({ id: 'p1', status: 'completed', outputs: [42] }),
			'WaveSpeed AI',
			'"outputs.0"',
		);
		expectUnexpected(
			() =>
				normalizeWaveSpeedPrediction({ id: 'p1', status: 'completed', outputs: [{ href: 'x' }] }),
			'"outputs.0"',
		);
	});

	test('completed without any output', () => {
		expectUnexpected(
			() => normalizeWaveSpeedPrediction({ id: 'p1', status: 'completed', outputs: [] }),
			'WaveSpeed AI',
			'p1',
			'without a video URL',
		);
	});

	test('status is not a string', () => {
		expectUnexpected(
			() => normalizeWaveSpeedPrediction({ id: 'p1', status: 3 }),
			'WaveSpeed AI',
			'"status"',
		);
	});

	test.each([
		['an HTML string', HTML],
		['a JSON array', [{ id: 'p1' }]],
		['null', null],
		['a number', 200],
	])('HTTP 200 with %s as body', (_label, body) => {
		expectUnexpected(
			() => wavespeed.readStatusResponse(200, body, TASK),
			'WaveSpeed AI',
			'unexpected response',
		);
	});

	test('upload without data.download_url, or not a URL', () => {
		expectUnexpected(
			() => wavespeed.readUploadResponse(200, envelope({ type: 'image', filename: 'a.png' })),
			'WaveSpeed AI',
			'upload response',
			'"download_url"',
		);
		expectUnexpected(
			() => wavespeed.readUploadResponse(200, envelope({ download_url: 'not a url' })),
			'"download_url"',
		);
	});
});

describe('APIXO', () => {
	const TASK = { taskId: 't1', model: 'kling-2-5-turbo-pro', mode: 'text-to-video' };
	const envelope = (data) => ({ code: 200, message: 'success', data });

	test('submit without data.taskId', () => {
		expectUnexpected(
			() => apixo.readSubmitResponse(200, envelope({})),
			'APIXO',
			'submit response',
			'"taskId"',
		);
		expectUnexpected(
			() => apixo.readSubmitResponse(200, envelope(null)),
			'APIXO',
			'submit response',
		);
	});

	test('status without taskId', () => {
		expectUnexpected(
			() => apixo.readStatusResponse(200, envelope({ state: 'pending' }), TASK),
			'APIXO',
			'"taskId"',
		);
	});

	test('resultJson that is not JSON', () => {
		expectUnexpected(
			() =>
				normalizeApixoTask({ taskId: 't1', state: 'success', resultJson: '{resultUrls: [' }, null),
			'APIXO',
			'resultJson',
			'not valid JSON',
		);
	});

	test('resultJson without resultUrls, or resultUrls not strings', () => {
		expectUnexpected(
			() =>
				normalizeApixoTask(
					{ taskId: 't1', state: 'success', resultJson: '{"urls":["https://x/a.mp4"]}' },
					null,
				),
			'APIXO',
			'resultJson',
			'resultUrls',
		);
		expectUnexpected(
			() =>
				normalizeApixoTask(
					{ taskId: 't1', state: 'success', resultJson: '{"resultUrls":[1]}' },
					null,
				),
			'resultUrls',
		);
	});

	test('resultJson as an object instead of the documented string (§2.3)', () => {
		expectUnexpected(
			() =>
				normalizeApixoTask(
					{ taskId: 't1', state: 'success', resultJson: { resultUrls: ['u'] } },
					null,
				),
			'APIXO',
			'"resultJson"',
		);
	});

	test('an unknown state word (Kie words are not APIXO words) is taken as still running', () => {
		expect(normalizeApixoTask({ taskId: 't1', state: 'fail' }, null)).toMatchObject({
			status: 'processing',
			unrecognizedStatus: 'fail',
		});
	});

	test('createTime not a number', () => {
		expectUnexpected(
			() => normalizeApixoTask({ taskId: 't1', state: 'pending', createTime: 'yesterday' }, null),
			'APIXO',
			'"createTime"',
		);
	});

	test.each([
		['an HTML string', HTML],
		['a JSON array', []],
		['an object without code', { message: 'success', data: { taskId: 't1' } }],
	])('HTTP 200 with %s as body', (_label, body) => {
		expectUnexpected(
			() => apixo.readStatusResponse(200, body, TASK),
			'APIXO',
			'unexpected response',
		);
	});

	// BUG (providers/apixo.ts:101 normalizeApixoTask, `videoUrls: status === 'succeeded' ? resultUrlsFromJson(...)`;
	// PROVIDERS.md §2.3: resultJson carries the MP4 URLs on success). A "success" without resultJson
	// (or with an empty resultUrls) becomes a succeeded snapshot with no video, and flow.ts/routing.ts
	// then download `videoUrls[0]` = undefined. WaveSpeed rejects the same case ("completed without
	// outputs"); APIXO should too.
	test('success without any result URL is rejected like WaveSpeed does', () => {
		expectUnexpected(() => normalizeApixoTask({ taskId: 't1', state: 'success' }, null), 'APIXO');
		expectUnexpected(
			() =>
				normalizeApixoTask(
					{ taskId: 't1', state: 'success', resultJson: '{"resultUrls":[]}' },
					null,
				),
			'APIXO',
		);
	});
});

describe('Kie.ai', () => {
	const TASK = { taskId: 't1', model: 'kling/v2-5-turbo-text-to-video-pro', mode: 'text-to-video' };
	const envelope = (data) => ({ code: 200, message: 'success', data });

	test('submit without data.taskId', () => {
		expectUnexpected(
			() => kie.readSubmitResponse(200, { code: 200, msg: 'success', data: {} }),
			'Kie.ai',
			'submit response',
			'"taskId"',
		);
	});

	test('record without taskId or task_id', () => {
		expectUnexpected(
			() => kie.readStatusResponse(200, envelope({ state: 'waiting' }), TASK),
			'Kie.ai',
			'taskId',
		);
	});

	test('resultJson that is not JSON', () => {
		expectUnexpected(
			() => normalizeKieTask({ taskId: 't1', state: 'success', resultJson: 'https://x/a.mp4' }),
			'Kie.ai',
			'resultJson',
			'not valid JSON',
		);
	});

	test('resultJson without resultUrls (only resultWaterMarkUrls)', () => {
		expectUnexpected(
			() =>
				normalizeKieTask({
					taskId: 't1',
					state: 'success',
					resultJson: '{"resultWaterMarkUrls":["https://x/w.mp4"]}',
				}),
			'Kie.ai',
			'resultJson',
			'resultUrls',
		);
	});

	test('an unknown state word (APIXO words are not Kie words) is taken as still running', () => {
		expect(normalizeKieTask({ taskId: 't1', state: 'failed' })).toMatchObject({
			status: 'processing',
			unrecognizedStatus: 'failed',
		});
		expect(normalizeKieTask({ taskId: 't1', state: 'pending' })).toMatchObject({
			status: 'processing',
			unrecognizedStatus: 'pending',
		});
	});

	test('state missing', () => {
		expectUnexpected(() => normalizeKieTask({ taskId: 't1' }), 'Kie.ai', '"state"');
	});

	test('createTime not numeric', () => {
		expectUnexpected(
			() => normalizeKieTask({ taskId: 't1', state: 'waiting', createTime: '2025-08-19' }),
			'Kie.ai',
			'"createTime"',
		);
	});

	test.each([
		['an HTML string', HTML],
		['null', null],
		['a string', 'OK'],
	])('HTTP 200 with %s as body', (_label, body) => {
		expectUnexpected(
			() => kie.readStatusResponse(200, body, TASK),
			'Kie.ai',
			'unexpected response',
		);
	});

	// BUG (providers/kie.ts:146 normalizeKieTask; PROVIDERS.md §3.3 "success (parse resultJson)"): same as APIXO,
	// a "success" record without result URLs yields a succeeded snapshot with no video to download.
	test('success without any result URL is rejected like WaveSpeed does', () => {
		expectUnexpected(
			() => normalizeKieTask({ taskId: 't1', state: 'success', resultJson: '' }),
			'Kie.ai',
		);
		expectUnexpected(
			() => normalizeKieTask({ taskId: 't1', state: 'success', resultJson: '{"resultUrls":[]}' }),
			'Kie.ai',
		);
	});
});

describe('Rivya AI', () => {
	const TASK = { taskId: 'g1', model: 'kling-v2-5-turbo-pro', mode: 'text-to-video' };

	test('create answer without id', () => {
		expectUnexpected(
			() => rivya.readSubmitResponse(200, { status: 'queued', model: 'kling-v2-5-turbo-pro' }),
			'Rivya AI',
			'"id"',
		);
	});

	test('create answer wrapped in a {data} envelope is not the documented bare object (§4.1)', () => {
		expectUnexpected(
			() => rivya.readSubmitResponse(200, { data: { id: 'g1', status: 'queued' } }),
			'Rivya AI',
			'"id"',
		);
	});

	test('an unknown status word ("running" does not exist, §4.2) is taken as still running', () => {
		expect(rivya.readStatusResponse(200, { id: 'g1', status: 'running' }, TASK)).toMatchObject({
			status: 'processing',
			unrecognizedStatus: 'running',
		});
	});

	test('result.urls not an array; primary_url not a string', () => {
		expectUnexpected(
			() =>
				normalizeRivyaGeneration({
					id: 'g1',
					status: 'succeeded',
					result: { urls: 'https://x/a.mp4' },
				}),
			'Rivya AI',
			'"result.urls"',
		);
		expectUnexpected(
			() => normalizeRivyaGeneration({ id: 'g1', status: 'succeeded', result: { primary_url: 7 } }),
			'"result.primary_url"',
		);
	});

	test('final_credits not a number', () => {
		expectUnexpected(
			() => normalizeRivyaGeneration({ id: 'g1', status: 'succeeded', final_credits: '42' }),
			'Rivya AI',
			'"final_credits"',
		);
	});

	test.each([
		['an HTML string', HTML],
		['an array', []],
		['null', null],
	])('HTTP 200 with %s as body', (_label, body) => {
		expectUnexpected(
			() => rivya.readStatusResponse(200, body, TASK),
			'Rivya AI',
			'unexpected generation',
		);
	});

	test('upload answer without url', () => {
		expectUnexpected(
			() => rivya.readUploadResponse(200, { id: 'file_1' }),
			'Rivya AI',
			'upload response',
			'"url"',
		);
	});

	test('an error status with a body that is not the error envelope names the HTTP status', () => {
		const error = thrown(() => rivya.readStatusResponse(418, { message: 'teapot' }, TASK));
		expect(error).toBeInstanceOf(ProviderError);
		expect(error.message).toContain('Rivya AI answered HTTP 418');
		expect(error.httpStatus).toBe(418);
	});

	// BUG (providers/rivya.ts:106 normalizeRivyaGeneration; PROVIDERS.md §4.2 success carries result.primary_url/urls):
	// a "succeeded" generation with result null becomes a succeeded snapshot with no video.
	test('succeeded without any result URL is rejected like WaveSpeed does', () => {
		expectUnexpected(
			() => normalizeRivyaGeneration({ id: 'g1', status: 'succeeded', result: null }),
			'Rivya AI',
		);
		expectUnexpected(
			() => normalizeRivyaGeneration({ id: 'g1', status: 'succeeded', result: { urls: [] } }),
			'Rivya AI',
		);
	});
});
