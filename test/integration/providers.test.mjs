// @ts-check
/**
 * The Kling Video node, executed by n8n-core's WorkflowExecute from dist/, against the emulator:
 * for every provider, what reached the provider, the normalized item, and a playable MP4.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.mjs';
import { ALL_PROVIDERS, FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { runKlingNode } from '../support/n8n.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 300 });
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.journal.reset());

/** What each dialect must receive for the same user input (PROVIDERS.md). */
const DIALECTS = {
	wavespeed: {
		t2vPath: '/wavespeed/api/v3/kwaivgi/kling-v2.5-turbo-pro/text-to-video',
		t2vBody: {
			prompt: 'A red kite over the sea',
			duration: 10,
			aspect_ratio: '9:16',
			negative_prompt: 'blur',
			guidance_scale: 0.7,
		},
		i2vPath: '/wavespeed/api/v3/kwaivgi/kling-v2.5-turbo-pro/image-to-video',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body.image).toBe(start);
			expect(body.last_image).toBe(end);
			expect(body.aspect_ratio).toBeUndefined();
		},
	},
	apixo: {
		t2vPath: '/apixo/api/v1/generateTask/kling-2-5-turbo-pro',
		t2vBody: {
			request_type: 'async',
			input: {
				mode: 'text-to-video',
				prompt: 'A red kite over the sea',
				duration: 10,
				aspect_ratio: '9:16',
				negative_prompt: 'blur',
				cfg_scale: 0.7,
			},
		},
		i2vPath: '/apixo/api/v1/generateTask/kling-2-5-turbo-pro',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body.input.mode).toBe('image-to-video');
			expect(body.input.image_urls).toEqual([start, end]);
		},
	},
	kie: {
		t2vPath: '/kie/api/v1/jobs/createTask',
		t2vBody: {
			model: 'kling/v2-5-turbo-text-to-video-pro',
			input: {
				prompt: 'A red kite over the sea',
				duration: '10',
				aspect_ratio: '9:16',
				negative_prompt: 'blur',
				cfg_scale: 0.7,
			},
		},
		i2vPath: '/kie/api/v1/jobs/createTask',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body.model).toBe('kling/v2-5-turbo-image-to-video-pro');
			expect(body.input.image_url).toBe(start);
			expect(body.input.tail_image_url).toBe(end);
			expect(body.input.aspect_ratio).toBeUndefined();
		},
	},
	rivya: {
		t2vPath: '/rivya/api/v1/generations',
		t2vBody: {
			model: 'kling-v2-5-turbo-pro',
			prompt: 'A red kite over the sea',
			params: { duration: '10', aspect_ratio: '9:16', negative_prompt: 'blur', cfg_scale: 0.7 },
		},
		i2vPath: '/rivya/api/v1/generations',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body.params.referenceMediaItems).toEqual([
				{ url: start, kind: 'image' },
				{ url: end, kind: 'image' },
			]);
		},
	},
	kling: {
		noCfg: true,
		inline: 'base64',
		t2vPath: '/kling/v1/videos/text2video',
		t2vBody: {
			model_name: 'kling-v2-5-turbo',
			mode: 'pro',
			prompt: 'A red kite over the sea',
			duration: '10',
			aspect_ratio: '9:16',
			negative_prompt: 'blur',
		},
		i2vPath: '/kling/v1/videos/image2video',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body).toMatchObject({
				model_name: 'kling-v2-5-turbo',
				mode: 'pro',
				image: start,
				image_tail: end,
			});
			expect(body.aspect_ratio).toBeUndefined();
		},
	},
	fal: {
		inline: 'data-uri',
		t2vPath: '/fal/fal-ai/kling-video/v2.5-turbo/pro/text-to-video',
		t2vBody: {
			prompt: 'A red kite over the sea',
			duration: '10',
			aspect_ratio: '9:16',
			negative_prompt: 'blur',
			cfg_scale: 0.7,
		},
		i2vPath: '/fal/fal-ai/kling-video/v2.5-turbo/pro/image-to-video',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body).toMatchObject({ image_url: start, tail_image_url: end });
			expect(body.aspect_ratio).toBeUndefined();
		},
	},
	replicate: {
		noCfg: true,
		inline: 'data-uri',
		t2vPath: '/replicate/v1/models/kwaivgi/kling-v2.5-turbo-pro/predictions',
		t2vBody: {
			input: {
				prompt: 'A red kite over the sea',
				duration: 10,
				aspect_ratio: '9:16',
				negative_prompt: 'blur',
			},
		},
		i2vPath: '/replicate/v1/models/kwaivgi/kling-v2.5-turbo-pro/predictions',
		/** @param {any} body @param {string} start @param {string} end */
		i2vImages: (body, start, end) => {
			expect(body.input).toMatchObject({ start_image: start, end_image: end });
			expect(body.input.aspect_ratio).toBeUndefined();
		},
	},
};

/** The same user input for every provider; guidance only where the model has it. */
const t2vParameters = (/** @type {{ noCfg?: boolean }} */ dialect) => ({
	operation: 'generate',
	prompt: '  A red kite over the sea ',
	duration: 10,
	aspectRatio: '9:16',
	generationSettings: dialect.noCfg
		? { negativePrompt: 'blur' }
		: { negativePrompt: 'blur', cfgScale: 0.7 },
	options: FAST,
});

/** @param {any} result */
async function expectPlayableMp4(result, durationSeconds = 5) {
	const binary = result.output[0].binary.data;
	expect(binary.mimeType).toBe('video/mp4');
	const buffer = await result.binaryBuffer(binary);
	expect(buffer.subarray(4, 8).toString('ascii')).toBe('ftyp');
	expect(inspectMp4(buffer).durationSeconds).toBeCloseTo(durationSeconds, 0);
	return binary;
}

/** @param {string} provider */
function submits(provider) {
	return emulator.journal.entries({ kind: 'submit', provider });
}

describe.each(ALL_PROVIDERS)('%s', (provider) => {
	const dialect = DIALECTS[provider];

	test('text-to-video sends the dialect and emits the normalized item with the MP4', async () => {
		const result = await runKlingNode({
			parameters: { authentication: provider, ...t2vParameters(dialect) },
			credentials: credentialsFor(provider, emulator),
			binaryMode: 'filesystem',
		});
		expect(result.error).toBeUndefined();
		const [sent] = submits(provider);
		expect(sent.path).toBe(dialect.t2vPath);
		expect(sent.body).toEqual(dialect.t2vBody);
		const { json, pairedItem } = result.output[0];
		expect(pairedItem).toEqual({ item: 0 });
		expect(json).toMatchObject({
			provider,
			mode: 'text-to-video',
			taskId: sent.taskId,
			status: 'succeeded',
			error: null,
			request: {
				prompt: 'A red kite over the sea',
				negativePrompt: 'blur',
				duration: 10,
				aspectRatio: '9:16',
				cfgScale: 'noCfg' in dialect ? null : 0.7,
			},
		});
		expect(json.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.mp4$/);
		expect(json.videoUrls).toEqual([json.videoUrl]);
		// fal's queue API reports no timestamps or timings.
		if (provider !== 'fal') {
			expect(Date.parse(String(json.createdAt))).not.toBeNaN();
			expect(json.generationMs).toEqual(expect.any(Number));
		}
		const binary = await expectPlayableMp4(result, 10);
		expect(binary.fileName).toBe(`${provider}-${sent.taskId}.mp4`);
		expect(binary.id).toMatch(/^filesystem/);
	});

	test('image-to-video by URL sends start and end frame in the dialect', async () => {
		const start = `${emulator.url}/_assets/start.png`;
		const end = `${emulator.url}/_assets/end.png`;
		const result = await runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'generate',
				mode: 'image-to-video',
				prompt: 'The kite lands',
				startImageSource: 'url',
				startImageUrl: start,
				endImageSource: 'url',
				endImageUrl: end,
				options: FAST,
			},
			credentials: credentialsFor(provider, emulator),
		});
		expect(result.error).toBeUndefined();
		const [sent] = submits(provider);
		expect(sent.path).toBe(dialect.i2vPath);
		dialect.i2vImages(sent.body, start, end);
		expect(result.output[0].json).toMatchObject({
			mode: 'image-to-video',
			status: 'succeeded',
			request: { startImageUrl: start, endImageUrl: end, aspectRatio: null },
		});
		await expectPlayableMp4(result);
	});

	test('image-to-video from a binary property uploads it first (or explains why not)', async () => {
		const png = Buffer.from(await (await fetch(`${emulator.url}/_assets/start.png`)).arrayBuffer());
		const result = await runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'generate',
				mode: 'image-to-video',
				prompt: 'The kite lands',
				startImageSource: 'binary',
				startImageBinaryProperty: 'photo',
				options: FAST,
			},
			credentials: credentialsFor(provider, emulator),
			items: [
				{
					json: {},
					binary: {
						photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'kite.png' },
					},
				},
			],
		});
		if (provider === 'apixo') {
			expect(result.error?.message).toMatch(
				/APIXO has no file upload API, so images must be public URLs/,
			);
			expect(emulator.journal.entries({ provider: 'apixo' })).toHaveLength(0);
			return;
		}
		expect(result.error).toBeUndefined();
		if ('inline' in dialect) {
			// Sent inline: no upload request, the image travels in the submit body.
			const base64 = png.toString('base64');
			const inline = dialect.inline === 'base64' ? base64 : `data:image/png;base64,${base64}`;
			expect(JSON.stringify(submits(provider)[0].body)).toContain(JSON.stringify(inline));
			expect(emulator.journal.entries({ kind: 'upload' })).toHaveLength(0);
			await expectPlayableMp4(result);
			return;
		}
		const [upload] = emulator.journal.entries({ kind: 'upload' });
		expect(upload.body.files[0]).toMatchObject({
			field: 'file',
			filename: 'kite.png',
			mimeType: 'image/png',
			size: png.length,
		});
		const startUrl = result.output[0].json.request.startImageUrl;
		expect(startUrl).toMatch(/^http:\/\/127\.0\.0\.1/);
		expect(JSON.stringify(submits(provider)[0].body)).toContain(startUrl);
		await expectPlayableMp4(result);
	});

	test('a failed task fails the node with its task ID and what to do', async () => {
		emulator.planNextTask(provider, { fail: true });
		const result = await runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'generate',
				prompt: 'forbidden',
				options: FAST,
			},
			credentials: credentialsFor(provider, emulator),
		});
		const [sent] = submits(provider);
		expect(result.error?.message).toContain(`Task ${sent.taskId} failed`);
		expect(result.error?.message).toMatch(/content moderation/);
		expect(result.error?.description).toContain(`Item 1: task ${sent.taskId}, failed`);
	});

	test('a failed task becomes an item with "Output Failed Tasks as Items"', async () => {
		emulator.planNextTask(provider, { fail: true });
		const result = await runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'generate',
				prompt: 'forbidden',
				options: { ...FAST, outputFailedTasksAsItems: true },
			},
			credentials: credentialsFor(provider, emulator),
		});
		expect(result.error).toBeUndefined();
		const { json, binary } = result.output[0];
		expect(json.status).toBe('failed');
		expect(json.taskId).toBe(submits(provider)[0].taskId);
		expect(json.error).toMatchObject({
			code: expect.any(String),
			message: expect.stringMatching(/./),
		});
		expect(binary).toBeUndefined();
	});

	test('429 with Retry-After on a status read is waited out, the submit is not repeated', async () => {
		emulator.planNextTask(provider, { statusFaults: ['429', '503'] });
		const result = await runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'generate',
				prompt: 'patience',
				options: FAST,
			},
			credentials: credentialsFor(provider, emulator),
		});
		expect(result.error).toBeUndefined();
		const taskId = String(result.output[0].json.taskId);
		const counts = emulator.journal.countsByTask()[taskId];
		expect(counts.submits).toBe(1);
		expect(counts.statusReads).toBeGreaterThanOrEqual(3);
		await expectPlayableMp4(result);
	});

	test('max wait ends with a timeout naming the task ID, not a resubmit', async () => {
		emulator.planNextTask(provider, { generationMs: 60_000 });
		const result = await runKlingNode({
			parameters: {
				authentication: provider,
				operation: 'generate',
				prompt: 'slow',
				options: { ...FAST, maxWait: 0.6 },
			},
			credentials: credentialsFor(provider, emulator),
		});
		const [sent] = submits(provider);
		expect(submits(provider)).toHaveLength(1);
		expect(result.error?.message).toContain(`Task ${sent.taskId} is still`);
		expect(result.error?.message).toContain(`Get Task with task ID ${sent.taskId}`);
	});

	test('bad input is rejected before any request reaches the provider', async () => {
		const result = await runKlingNode({
			parameters: { authentication: provider, operation: 'generate', prompt: '   ', options: FAST },
			credentials: credentialsFor(provider, emulator),
			items: [{ json: {} }, { json: {} }],
		});
		expect(result.error?.message).toBe('Prompt is empty. Describe the video to generate (item 1)');
		expect(emulator.journal.entries({ provider })).toHaveLength(0);
	});
});
