// @ts-check
/**
 * Input validation before any paid request (DESIGN.md "Bad input"): every problem is an InputError
 * that names the field, with the sentence a workflow builder reads in n8n.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { PNG_BYTES, dist, rejected, require, thrown } from './helpers.mjs';

const { readGenerationPlan, readTaskRef, readModel, sniffImageType, PENDING_UPLOAD } =
	dist('shared/engine/input');
const { checkBaseUrl, joinUrl } = dist('shared/util/baseUrl');
const { InputError } = dist('shared/util/errors');
const { PROVIDERS, DEFAULT_HOSTS } = dist('shared/providers/index');
const { providerEndpoint } = dist('shared/engine/transport');
const { wavespeed } = dist('shared/providers/wavespeed');
const { apixo } = dist('shared/providers/apixo');
const { kie } = dist('shared/providers/kie');
const { rivya } = dist('shared/providers/rivya');

const WS_T2V = 'kwaivgi/kling-v2.5-turbo-pro/text-to-video';
const WS_I2V = 'kwaivgi/kling-v2.5-turbo-pro/image-to-video';

/**
 * A fake ItemReader: `param` answers from `params` (else the fallback, like getNodeParameter),
 * `binary` from `binaries`; `calls.binary` records which properties were read.
 */
function reader(params, binaries = {}) {
	const calls = { binary: /** @type {string[]} */ ([]) };
	return {
		calls,
		itemIndex: 2,
		param: (name, fallback) =>
			Object.prototype.hasOwnProperty.call(params, name) ? params[name] : fallback,
		nodeVersion: 1,
		binary: (property) => {
			calls.binary.push(property);
			const file = binaries[property];
			if (!file) throw new Error(`no binary ${property}`);
			return {
				fileName: file.fileName,
				mimeType: file.mimeType,
				size: async () => file.data.length,
				head: async () => file.data.subarray(0, 16),
				read: async () => file.data,
			};
		},
	};
}

const T2V = {
	mode: 'text-to-video',
	model: 'kling-v2.5-turbo-pro',
	prompt: 'A red kite over the sea',
	duration: 5,
	aspectRatio: '16:9',
};
const I2V = {
	mode: 'image-to-video',
	model: 'kling-v2.5-turbo-pro',
	prompt: 'The kite takes off',
	duration: 5,
	startImageSource: 'url',
	startImageUrl: 'https://img.example.com/start.png',
};

async function planError(params, adapter = wavespeed, withCallback = false, binaries = {}) {
	const error = await rejected(() =>
		readGenerationPlan(reader(params, binaries), adapter, withCallback),
	);
	expect(error).toBeInstanceOf(InputError);
	return error;
}

async function expectInputError(
	params,
	field,
	message,
	adapter = wavespeed,
	withCallback = false,
	binaries = {},
) {
	const error = await planError(params, adapter, withCallback, binaries);
	expect(error.field).toBe(field);
	if (message instanceof RegExp) expect(error.message).toMatch(message);
	else expect(error.message).toBe(message);
	return error;
}

const gif = {
	data: Buffer.from('GIF89a\x01\x00\x01\x00fake', 'latin1'),
	mimeType: 'image/png',
	fileName: 'photo.png',
};
const webp = {
	data: Buffer.concat([
		Buffer.from('RIFF'),
		Buffer.from([0x10, 0, 0, 0]),
		Buffer.from('WEBPVP8 data'),
	]),
	mimeType: 'image/webp',
	fileName: 'frame.webp',
};
const png = () => ({
	data: PNG_BYTES,
	mimeType: 'application/octet-stream',
	fileName: 'frame.bin',
});

describe('readGenerationPlan: a valid item', () => {
	test('text-to-video maps the fields to a GenerationRequest with the provider model id', async () => {
		const plan = await readGenerationPlan(
			reader({
				...T2V,
				prompt: '  A red kite  ',
				generationSettings: { negativePrompt: ' blur ', cfgScale: 0.6 },
			}),
			wavespeed,
			false,
		);
		expect(plan.itemIndex).toBe(2);
		expect(plan.startImage).toBeNull();
		expect(plan.endImage).toBeNull();
		const { entry, ...request } = plan.request;
		expect(entry).toMatchObject({ provider: 'wavespeed', id: WS_T2V, mode: 'text-to-video' });
		expect(request).toEqual({
			mode: 'text-to-video',
			model: WS_T2V,
			prompt: 'A red kite',
			negativePrompt: 'blur',
			duration: 5,
			aspectRatio: '16:9',
			cfgScale: 0.6,
			audio: null,
			resolution: null,
			startImageUrl: null,
			endImageUrl: null,
			shots: null,
			elements: null,
			additionalFields: {},
			callbackUrl: null,
			idempotencyKey: null,
		});
	});

	test('numbers given as strings become numbers; cfg 0 is kept; empty cfg is null', async () => {
		const plan = await readGenerationPlan(
			reader({ ...T2V, duration: '10', generationSettings: { cfgScale: '0' } }),
			wavespeed,
			false,
		);
		expect(plan.request.duration).toBe(10);
		expect(plan.request.cfgScale).toBe(0);
		const none = await readGenerationPlan(
			reader({ ...T2V, generationSettings: { cfgScale: '' } }),
			wavespeed,
			false,
		);
		expect(none.request.cfgScale).toBeNull();
	});

	test('image-to-video: URLs for start and end, no aspect ratio', async () => {
		const plan = await readGenerationPlan(
			reader({
				...I2V,
				aspectRatio: '9:16',
				endImageSource: 'url',
				endImageUrl: ' https://img.example.com/end.png ',
			}),
			wavespeed,
			false,
		);
		expect(plan.request.model).toBe(WS_I2V);
		expect(plan.request.aspectRatio).toBeNull();
		expect(plan.request.startImageUrl).toBe('https://img.example.com/start.png');
		expect(plan.request.endImageUrl).toBe('https://img.example.com/end.png');
		expect(plan.startImage).toEqual({ source: 'url', url: 'https://img.example.com/start.png' });
	});

	test('a prompt of exactly 2500 characters is accepted', async () => {
		const plan = await readGenerationPlan(
			reader({ ...T2V, prompt: 'a'.repeat(2500) }),
			wavespeed,
			false,
		);
		expect(plan.request.prompt).toHaveLength(2500);
	});
});

describe('readGenerationPlan: prompt', () => {
	test.each([[''], ['   \n\t '], [null]])('empty prompt %j', async (prompt) => {
		await expectInputError(
			{ ...T2V, prompt },
			'Prompt',
			'Prompt is empty. Describe the video to generate',
		);
	});

	test('2501 characters', async () => {
		await expectInputError(
			{ ...T2V, prompt: 'x'.repeat(2501) },
			'Prompt',
			'Prompt has 2501 characters; Kling 2.5 Turbo Pro on WaveSpeed AI allows at most 2500',
		);
	});

	test('negative prompt over the model limit (Kie i2v: 2496, §3.2)', async () => {
		await expectInputError(
			{ ...I2V, generationSettings: { negativePrompt: 'n'.repeat(2497) } },
			'Negative Prompt',
			'Negative prompt has 2497 characters; Kling 2.5 Turbo Pro on Kie.ai allows at most 2496',
			kie,
		);
	});
});

describe('readGenerationPlan: model, mode, duration, aspect ratio, CFG', () => {
	test('a generation type that does not exist', async () => {
		await expectInputError(
			{ ...T2V, mode: 'video' },
			'Generation Type',
			'Generation Type must be one of text-to-video, image-to-video, motion-control, lip-sync, avatar, reference-to-video, edit-video, extend-video, not "video"',
		);
	});

	test('a model the provider does not offer', async () => {
		await expectInputError(
			{ ...T2V, model: 'kling-v9' },
			'Model',
			/^Model "kling-v9" is not offered by WaveSpeed AI\. Choose one of: kling-4\.0, .*kling-v2\.5-turbo-pro/,
		);
	});

	test('an image-only model asked for text-to-video', async () => {
		await expectInputError(
			{ ...T2V, model: 'kling-v2.1-pro' },
			'Model',
			'Kling 2.1 Pro on WaveSpeed AI has no text-to-video. Choose another model or Generation Type',
		);
	});

	test.each([[7], [15]])('duration %j the model lacks', async (duration) => {
		await expectInputError(
			{ ...T2V, duration },
			'Duration',
			`Duration ${duration} s is not available for Kling 2.5 Turbo Pro on WaveSpeed AI. Allowed: 5 or 10 seconds`,
		);
	});

	test('a duration that is not a number', async () => {
		await expectInputError(
			{ ...T2V, duration: 'abc' },
			'Duration',
			'Duration "abc" is not a number of seconds. Allowed for Kling 2.5 Turbo Pro: 5 or 10 seconds',
		);
	});

	test('aspect ratio the model lacks', async () => {
		await expectInputError(
			{ ...T2V, aspectRatio: '4:3' },
			'Aspect Ratio',
			'Aspect ratio "4:3" is not available for Kling 2.5 Turbo Pro on WaveSpeed AI. Allowed: 16:9, 9:16, 1:1',
		);
	});

	test.each([[1.5], [-0.1], ['abc']])('CFG %j out of range', async (cfgScale) => {
		await expectInputError(
			{ ...T2V, generationSettings: { cfgScale } },
			'Guidance (CFG) Scale',
			`Guidance (CFG) Scale must be a number from 0 to 1, not ${cfgScale}`,
		);
	});

	test('CFG on a model without guidance (WaveSpeed kling-v2.0-master t2v, seed 004)', async () => {
		await expectInputError(
			{ ...T2V, model: 'kling-v2.0-master', generationSettings: { cfgScale: 0.5 } },
			'Guidance (CFG) Scale',
			'Kling 2.0 Master on WaveSpeed AI has no guidance (CFG) scale. Remove it from Generation Settings',
		);
	});

	test('the same model without CFG is fine', async () => {
		const plan = await readGenerationPlan(
			reader({ ...T2V, model: 'kling-v2.0-master' }),
			wavespeed,
			false,
		);
		expect(plan.request.model).toBe('kwaivgi/kling-v2.0-t2v-master');
		expect(plan.request.cfgScale).toBeNull();
	});
});

describe('readGenerationPlan: images', () => {
	test('image-to-video without a start frame', async () => {
		await expectInputError(
			{ ...I2V, startImageSource: 'none' },
			'Start Frame',
			'Image-to-video needs a start frame. Set "Start Frame" to an image URL or a binary property',
		);
	});

	test('an empty start frame URL', async () => {
		await expectInputError(
			{ ...I2V, startImageUrl: '  ' },
			'Start Frame URL',
			'Start Frame URL is empty. Enter a public http(s) link to a JPG, PNG or WebP image',
		);
	});

	test('an end frame on a model without end frames (WaveSpeed 2.1 master i2v)', async () => {
		await expectInputError(
			{
				...I2V,
				model: 'kling-v2.1-master',
				endImageSource: 'url',
				endImageUrl: 'https://img.example.com/end.png',
			},
			'End Frame',
			'Kling 2.1 Master on WaveSpeed AI does not take an end frame. Set "End Frame" to None or choose a model with end-frame support',
		);
	});

	test('no end frame on a model that requires one (WaveSpeed 2.1 start-end-frame)', async () => {
		await expectInputError(
			{ ...I2V, model: 'kling-v2.1-pro-start-end-frame' },
			'End Frame',
			'Kling 2.1 Pro Start-End Frame on WaveSpeed AI needs an end frame. Set "End Frame" to an image URL or a binary property',
		);
	});

	test('three image URLs in one field', async () => {
		await expectInputError(
			{
				...I2V,
				startImageUrl: 'https://a.example/1.png, https://a.example/2.png https://a.example/3.png',
			},
			'Start Frame URL',
			'Start Frame URL holds 3 images; Kling takes at most 2 images: one start frame and one optional end frame',
		);
	});

	test('an array of three URLs', async () => {
		await expectInputError(
			{
				...I2V,
				startImageUrl: [
					'https://a.example/1.png',
					'https://a.example/2.png',
					'https://a.example/3.png',
				],
			},
			'Start Frame URL',
			'Start Frame URL holds 3 images; Kling takes at most 2 images: one start frame and one optional end frame',
		);
	});

	test('an array of one URL is that URL', async () => {
		const plan = await readGenerationPlan(
			reader({ ...I2V, startImageUrl: ['https://a.example/1.png'] }),
			wavespeed,
			false,
		);
		expect(plan.request.startImageUrl).toBe('https://a.example/1.png');
	});

	test('a URL with a comma in its query is one URL', async () => {
		const url = 'https://a.example/img?size=10,20&x=1';
		const plan = await readGenerationPlan(reader({ ...I2V, startImageUrl: url }), wavespeed, false);
		expect(plan.request.startImageUrl).toBe(url);
	});

	test('an invalid URL', async () => {
		await expectInputError(
			{ ...I2V, startImageUrl: 'not a url' },
			'Start Frame URL',
			'Start Frame URL "not a url" is not a valid URL. Enter a public http(s) link to the image',
		);
	});

	test('a non-http URL', async () => {
		await expectInputError(
			{ ...I2V, endImageSource: 'url', endImageUrl: 'ftp://files.example/end.png' },
			'End Frame URL',
			'End Frame URL "ftp://files.example/end.png" must start with http:// or https://',
		);
	});

	test('a binary that is not an image: the bytes are sniffed, not the declared MIME type', async () => {
		const error = await expectInputError(
			{ ...I2V, startImageSource: 'binary', startImageBinaryProperty: 'photo' },
			'Start Frame Binary Property',
			'Start Frame "photo.png" is not a JPEG, PNG image. WaveSpeed AI accepts JPEG, PNG',
			wavespeed,
			false,
			{ photo: gif },
		);
		expect(error.message).not.toContain('(it is');
	});

	test('a WebP binary on WaveSpeed (jpg/png only, §1.2) says what it is', async () => {
		await expectInputError(
			{ ...I2V, startImageSource: 'binary' },
			'Start Frame Binary Property',
			'Start Frame "frame.webp" is not a JPEG, PNG image (it is image/webp). WaveSpeed AI accepts JPEG, PNG',
			wavespeed,
			false,
			{ data: webp },
		);
	});

	test('a WebP binary on Kie is accepted', async () => {
		const plan = await readGenerationPlan(
			reader({ ...I2V, startImageSource: 'binary' }, { data: webp }),
			kie,
			false,
		);
		expect(plan.startImage.source).toBe('binary');
		expect(plan.startImage.file.mimeType).toBe('image/webp');
	});

	test('a PNG declared as octet-stream is accepted and its MIME type corrected', async () => {
		const plan = await readGenerationPlan(
			reader(
				{
					...I2V,
					model: 'kling-v2-5-turbo-pro',
					startImageSource: 'binary',
					startImageBinaryProperty: 'img',
				},
				{ img: png() },
			),
			rivya,
			false,
		);
		expect(plan.startImage.source).toBe('binary');
		expect(plan.startImage.file.mimeType).toBe('image/png');
		expect(plan.request.startImageUrl).toBe(PENDING_UPLOAD); // replaced by the upload's URL
	});

	test('an image over 10 MB', async () => {
		const big = {
			data: Buffer.concat([PNG_BYTES, Buffer.alloc(11 * 1024 * 1024)]),
			mimeType: 'image/png',
			fileName: 'big.png',
		};
		await expectInputError(
			{ ...I2V, startImageSource: 'binary' },
			'Start Frame Binary Property',
			'Start Frame "big.png" is 11.0 MB; images may be at most 10 MB',
			wavespeed,
			false,
			{ data: big },
		);
	});

	test('an image of exactly 10 MB is accepted', async () => {
		const edge = {
			data: Buffer.concat([PNG_BYTES, Buffer.alloc(10 * 1024 * 1024 - PNG_BYTES.length)]),
			mimeType: 'image/png',
			fileName: 'edge.png',
		};
		const plan = await readGenerationPlan(
			reader({ ...I2V, startImageSource: 'binary' }, { data: edge }),
			kie,
			false,
		);
		expect(await plan.startImage.file.size()).toBe(10 * 1024 * 1024);
	});

	test('a binary image on APIXO (no files API, §2.5) asks for a URL without reading the binary', async () => {
		const fake = reader(
			{ ...I2V, model: 'kling-2-5-turbo-pro', startImageSource: 'binary' },
			{ data: png() },
		);
		const error = await rejected(() => readGenerationPlan(fake, apixo, false));
		expect(error).toBeInstanceOf(InputError);
		expect(error.field).toBe('Start Frame Binary Property');
		expect(error.message).toBe(
			'APIXO has no file upload API, so images must be public URLs. Upload the image somewhere public (for example an S3 or Google Drive share link) and set "Start Frame" to its URL',
		);
		expect(fake.calls.binary).toEqual([]);
	});

	test('sniffImageType recognises JPEG, PNG and WebP signatures only', () => {
		expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
		expect(sniffImageType(PNG_BYTES)).toBe('image/png');
		expect(sniffImageType(webp.data)).toBe('image/webp');
		expect(sniffImageType(gif.data)).toBeNull();
		expect(sniffImageType(Buffer.from('%PDF-1.7'))).toBeNull();
		expect(sniffImageType(Buffer.alloc(0))).toBeNull();
	});
});

describe('readGenerationPlan: custom model, additional fields, callback', () => {
	test('custom model with an empty ID', async () => {
		await expectInputError(
			{ ...T2V, model: 'custom', customModelId: '   ' },
			'Custom Model ID',
			"Custom Model ID is empty. Enter the provider's model ID",
		);
	});

	test("custom model ID is sent as the model, with the first listed model's limits", async () => {
		const plan = await readGenerationPlan(
			reader({ ...T2V, model: 'custom', customModelId: ' kwaivgi/kling-v2.6-pro/text-to-video ' }),
			wavespeed,
			false,
		);
		expect(plan.request.model).toBe('kwaivgi/kling-v2.6-pro/text-to-video');
		// Version 1: a custom model follows version 1's first listed model (2.5 Turbo Pro).
		const { entry, model } = readModel(
			reader({ model: 'custom', customModelId: 'kwaivgi/kling-v3.0-pro/image-to-video' }),
			wavespeed,
			'image-to-video',
			{ hasApiKey: false },
		);
		expect(model).toBe('kwaivgi/kling-v3.0-pro/image-to-video');
		expect(entry).toMatchObject({
			model: 'kling-v2.5-turbo-pro',
			durations: { values: [5, 10] },
			endFrame: 'optional',
		});
	});

	test('version 2: Custom Model ID replaces only the id; the chosen model decides fields and limits', () => {
		const v2 = {
			...reader({
				model: 'kling-3.0-pro',
				customModelId: ' kwaivgi/kling-v3.1-pro/text-to-video ',
			}),
			nodeVersion: 2,
		};
		const { entry, model } = readModel(v2, wavespeed, 'text-to-video', { hasApiKey: false });
		expect(model).toBe('kwaivgi/kling-v3.1-pro/text-to-video');
		expect(entry).toMatchObject({ model: 'kling-3.0-pro', durations: { min: 3, max: 15 } });
		const unset = { ...reader({}), nodeVersion: 2 };
		expect(readModel(unset, wavespeed, 'text-to-video', { hasApiKey: false }).entry.model).toBe(
			'kling-4.0',
		);
	});

	test.each([['{mode: pro}'], ['{"mode": "pro"']])(
		'additional fields that are not JSON: %s',
		async (additionalFields) => {
			await expectInputError(
				{ ...T2V, generationSettings: { additionalFields } },
				'Additional Fields (JSON)',
				'Additional Fields (JSON) is not valid JSON. Enter an object such as {"seed": 42}',
			);
		},
	);

	test.each([['[1, 2]'], ['"pro"'], ['null'], ['42']])(
		'additional fields that are JSON but not an object: %s',
		async (additionalFields) => {
			await expectInputError(
				{ ...T2V, generationSettings: { additionalFields } },
				'Additional Fields (JSON)',
				'Additional Fields (JSON) must be a JSON object such as {"seed": 42}',
			);
		},
	);

	test('additional fields as JSON text or as an object', async () => {
		const fromText = await readGenerationPlan(
			reader({ ...T2V, generationSettings: { additionalFields: '{"mode": "pro", "seed": 7}' } }),
			wavespeed,
			false,
		);
		expect(fromText.request.additionalFields).toEqual({ mode: 'pro', seed: 7 });
		const fromObject = await readGenerationPlan(
			reader({ ...T2V, generationSettings: { additionalFields: { seed: 8 } } }),
			wavespeed,
			false,
		);
		expect(fromObject.request.additionalFields).toEqual({ seed: 8 });
	});

	test('an invalid callback URL', async () => {
		await expectInputError(
			{ ...T2V, callbackUrl: 'n8n.example.com/webhook' },
			'Callback URL',
			'Callback URL "n8n.example.com/webhook" is not a valid URL. Paste the Kling Video Trigger\'s production URL',
			kie,
			true,
		);
		await expectInputError(
			{ ...T2V, callbackUrl: 'ftp://n8n.example.com/webhook' },
			'Callback URL',
			'Callback URL "ftp://n8n.example.com/webhook" must start with http:// or https://',
			kie,
			true,
		);
	});

	test('correlation values are appended as c_<key>, keeping the token already in the URL', async () => {
		const plan = await readGenerationPlan(
			reader({
				...T2V,
				callbackUrl: 'https://n8n.example.com/webhook/kling?token=abc',
				correlation: {
					values: [
						{ key: 'order', value: 42 },
						{ key: '', value: 'ignored' },
						{ key: 'note', value: 'a b&c' },
						{ key: 'empty', value: null },
					],
				},
			}),
			kie,
			true,
		);
		const url = new URL(plan.request.callbackUrl);
		expect(url.origin + url.pathname).toBe('https://n8n.example.com/webhook/kling');
		expect(url.searchParams.get('token')).toBe('abc');
		expect(url.searchParams.get('c_order')).toBe('42');
		expect(url.searchParams.get('c_note')).toBe('a b&c');
		expect(url.searchParams.get('c_empty')).toBe('');
		expect([...url.searchParams.keys()]).not.toContain('c_');
	});

	test('the callback URL is ignored when the operation does not send one', async () => {
		const plan = await readGenerationPlan(
			reader({ ...T2V, callbackUrl: 'https://n8n.example.com/hook' }),
			kie,
			false,
		);
		expect(plan.request.callbackUrl).toBeNull();
	});
});

describe('readTaskRef and readModel', () => {
	test('empty task ID', () => {
		const error = thrown(() =>
			readTaskRef(reader({ taskId: '  ', model: 'kling-2-5-turbo-pro' }), apixo),
		);
		expect(error).toBeInstanceOf(InputError);
		expect(error.field).toBe('Task ID');
		expect(error.message).toBe(
			'Task ID is empty. Use the taskId output of a Submit or Generate Video node',
		);
	});

	test('task ref carries the provider model id for the mode (APIXO status path needs it, §2.3)', () => {
		expect(
			readTaskRef(
				reader({ taskId: ' task_1 ', model: 'kling-2-5-turbo-pro', mode: 'image-to-video' }),
				apixo,
			),
		).toEqual({ taskId: 'task_1', model: 'kling-2-5-turbo-pro', mode: 'image-to-video' });
		expect(readTaskRef(reader({ taskId: 't', model: 'kling-v2.5-turbo-pro' }), kie)).toEqual({
			taskId: 't',
			model: 'kling/v2-5-turbo-text-to-video-pro',
			mode: 'text-to-video',
		});
	});

	test('task ref with a custom model', () => {
		expect(
			readTaskRef(reader({ taskId: 't', model: 'custom', customModelId: 'kling-3-0' }), apixo),
		).toEqual({ taskId: 't', model: 'kling-3-0', mode: 'text-to-video' });
	});

	test('readModel picks the catalog entry per mode', () => {
		const at = (params) => reader(params);
		expect(
			readModel(at({ model: 'kling-v2.5-turbo-pro' }), kie, 'image-to-video', { hasApiKey: false })
				.model,
		).toBe('kling/v2-5-turbo-image-to-video-pro');
		expect(
			readModel(at({ model: 'kling-v2.0-master' }), wavespeed, 'image-to-video', {
				hasApiKey: false,
			}).entry,
		).toMatchObject({
			id: 'kwaivgi/kling-v2.0-i2v-master',
			endFrame: 'optional',
			aspectRatios: [],
		});
		const error = thrown(() =>
			readModel(at({ model: 'nope' }), rivya, 'text-to-video', { hasApiKey: false }),
		);
		expect(error).toBeInstanceOf(InputError);
		expect(error.message).toBe(
			'Model "nope" is not offered by Rivya AI. Choose one of: kling-3.0-pro, kling-3.0-std, kling-2.6-pro, kling-v2-5-turbo-pro',
		);
	});

	test('Kling official: an API key selects the new per-model API; a new-API-only model needs one', () => {
		const { kling } = dist('shared/providers/kling');
		const pro = reader({ model: 'kling-3.0-pro' });
		expect(readModel(pro, kling, 'text-to-video', { hasApiKey: false }).entry).toMatchObject({
			api: 'v1',
			id: 'kling-v3',
		});
		expect(readModel(pro, kling, 'text-to-video', { hasApiKey: true }).entry).toMatchObject({
			api: 'new',
			id: 'kling-3.0',
		});
		const turbo = thrown(() =>
			readModel(reader({ model: 'kling-3.0-turbo' }), kling, 'text-to-video', { hasApiKey: false }),
		);
		expect(turbo.field).toBe('Model');
		expect(turbo.message).toMatch(/only on Kling's new API, which needs an API key/);
	});
});

describe('checkBaseUrl and joinUrl (DESIGN Contracts: Base URL)', () => {
	test('trailing slashes are removed and a path prefix is kept', () => {
		expect(checkBaseUrl('https://api.kie.ai/', '/api/v1')).toBe('https://api.kie.ai');
		expect(checkBaseUrl('  http://127.0.0.1:4010/kie//  ', '/api/v1')).toBe(
			'http://127.0.0.1:4010/kie',
		);
		expect(checkBaseUrl('http://localhost:4010', '/api/v3')).toBe('http://localhost:4010');
	});

	test.each([['ftp://api.kie.ai'], ['api.kie.ai'], [''], [undefined], [42]])(
		'not an http(s) URL: %j',
		(raw) => {
			const error = thrown(() => checkBaseUrl(raw, '/api/v1'));
			expect(error).toBeInstanceOf(InputError);
			expect(error.field).toBe('Base URL');
			expect(error.message).toMatch(
				/^The credential's Base URL ".*" is not an http\(s\) URL\. Use the provider's address, starting with https:\/\/$/,
			);
		},
	);

	// a WaveSpeed credential must not be told to use Kie.ai's address
	test.each(Object.keys(PROVIDERS))(
		'%s: a Base URL that is not http(s) is told its own provider default',
		async (id) => {
			const adapter = PROVIDERS[id];
			const ctx = { getCredentials: async () => ({ apiKey: 'k', baseUrl: 'ftp://example.com' }) };
			const error = await rejected(() => providerEndpoint(ctx, adapter));
			expect(error).toBeInstanceOf(InputError);
			expect(error.message).toBe(
				`The credential's Base URL "ftp://example.com" is not an http(s) URL. Use the provider's address, by default "${DEFAULT_HOSTS[id].baseUrl}"`,
			);
			if (id !== 'kie') expect(error.message).not.toContain('kie.ai');
		},
	);

	test("the default hosts named in errors are the credentials' own defaults", () => {
		for (const [id, adapter] of Object.entries(PROVIDERS)) {
			const file = readdirSync(new URL('../../dist/credentials/', import.meta.url)).find(
				(f) =>
					f.endsWith('.credentials.js') &&
					new (Object.values(require(`../../dist/credentials/${f}`))[0])().name ===
						adapter.credentialType,
			);
			expect(file).toBeDefined();
			const credential = new (Object.values(require(`../../dist/credentials/${file}`))[0])();
			const defaultOf = (/** @type {string} */ name) =>
				credential.properties.find((p) => p.name === name)?.default;
			expect({
				id,
				baseUrl: defaultOf('baseUrl'),
				uploadBaseUrl: defaultOf('uploadBaseUrl'),
			}).toEqual({
				id,
				baseUrl: DEFAULT_HOSTS[id].baseUrl,
				uploadBaseUrl: DEFAULT_HOSTS[id].uploadBaseUrl,
			});
		}
	});

	test.each([
		['https://api.wavespeed.ai/api/v3', '/api/v3'],
		['https://api.wavespeed.ai/api/v3/', '/api/v3'],
		['https://api.kie.ai/api/v1', '/api/v1'],
		['http://127.0.0.1:4010/kie/api/v1', '/api/v1'],
	])('%s already ends in the API path', (raw, prefix) => {
		const error = thrown(() => checkBaseUrl(raw, prefix));
		expect(error).toBeInstanceOf(InputError);
		expect(error.message).toBe(
			`The credential's Base URL "${raw.replace(/\/+$/, '')}" already ends in "${prefix}". Remove "${prefix}": the node adds the API path itself`,
		);
	});

	test('the field name is configurable (Kie Upload Base URL)', () => {
		const error = thrown(() => checkBaseUrl('nope', '/api/file-stream-upload', 'Upload Base URL'));
		expect(error.field).toBe('Upload Base URL');
		expect(error.message).toContain('The credential\'s Upload Base URL "nope"');
	});

	test('joinUrl keeps the path prefix (new URL(path, base) would drop it)', () => {
		expect(joinUrl('http://127.0.0.1:4010/kie', '/api/v1/jobs/createTask')).toBe(
			'http://127.0.0.1:4010/kie/api/v1/jobs/createTask',
		);
		expect(joinUrl('https://api.kie.ai/', '/api/v1/jobs/recordInfo')).toBe(
			'https://api.kie.ai/api/v1/jobs/recordInfo',
		);
		expect(joinUrl('https://proxy.example/wave/', 'api/v3/x')).toBe(
			'https://proxy.example/wave/api/v3/x',
		);
	});
});
