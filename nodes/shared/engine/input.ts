import {
	BINARY_ENCODING,
	type IDataObject,
	type IExecuteFunctions,
	type IExecuteSingleFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { KLING_MAX_PROMPT_LENGTH } from '../providers/common';
import type {
	GenerationMode,
	GenerationRequest,
	ModelVariant,
	ProviderAdapter,
	TaskRef,
	UploadFile,
} from '../providers/types';
import { InputError } from '../util/errors';
import { isJson, parseJson, parseUrl } from '../util/parse';

export const CUSTOM_MODEL = 'custom';
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** One item's parameters and binary data, whichever context reads them. */
export interface ItemReader {
	itemIndex: number;
	param(name: string, fallback?: unknown): unknown;
	binary(property: string): Promise<UploadFile>;
}

export type ImageInput = { source: 'url'; url: string } | { source: 'binary'; file: UploadFile };

/** A validated generation for one item; binary images still need uploading. */
export interface GenerationPlan {
	itemIndex: number;
	request: GenerationRequest;
	startImage: ImageInput | null;
	endImage: ImageInput | null;
}

export function executeItemReader(ctx: IExecuteFunctions, itemIndex: number): ItemReader {
	return {
		itemIndex,
		param: (name, fallback) => ctx.getNodeParameter(name, itemIndex, fallback),
		binary: async (property) =>
			await readBinary(property, itemIndex, () => ({
				meta: ctx.helpers.assertBinaryData(itemIndex, property),
				data: ctx.helpers.getBinaryDataBuffer(itemIndex, property),
			})),
	};
}

/**
 * Item `itemIndex` read from another item's routing context: routing hooks see one item each, yet
 * Submit must check every item before the first paid request. Parameters are resolved like
 * getNodeParameter does (expressions evaluated for that item); binaries are read from the item.
 */
export function routedItemReader(
	ctx: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	itemIndex: number,
): ItemReader {
	const resolve = (value: unknown): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) {
			return ctx.evaluateExpression(value.slice(1), itemIndex);
		}
		if (Array.isArray(value)) return value.map(resolve);
		if (value && typeof value === 'object') {
			return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, resolve(entry)]));
		}
		return value;
	};
	return {
		itemIndex,
		param: (name, fallback) => {
			const raw = ctx.getNode().parameters[name];
			return raw === undefined ? fallback : resolve(raw);
		},
		binary: async (property) => {
			const binary = items[itemIndex]?.binary?.[property];
			if (!binary) throw missingBinary(property, itemIndex);
			const data = binary.id
				? await ctx.helpers.binaryToBuffer(await ctx.helpers.getBinaryStream(binary.id))
				: Buffer.from(binary.data, BINARY_ENCODING);
			return { data, mimeType: binary.mimeType, fileName: binary.fileName ?? 'image' };
		},
	};
}

function missingBinary(property: string, itemIndex: number): InputError {
	return new InputError(
		'Binary Property',
		`Item ${itemIndex + 1} has no binary property "${property}". Check the binary property name, or pass the image by URL`,
	);
}

async function readBinary(
	property: string,
	itemIndex: number,
	open: () => { meta: { mimeType: string; fileName?: string }; data: Promise<Buffer> },
): Promise<UploadFile> {
	let opened: ReturnType<typeof open> | null;
	try {
		opened = open();
	} catch {
		opened = null;
	}
	if (!opened) throw missingBinary(property, itemIndex);
	const data = await opened.data;
	return { data, mimeType: opened.meta.mimeType, fileName: opened.meta.fileName ?? 'image' };
}

/** The listed model (or the custom model mapped like the first listed one) for a mode. */
export function resolveVariant(
	adapter: ProviderAdapter,
	modelValue: string,
	mode: GenerationMode,
	customModelId: string,
): ModelVariant {
	const key = mode === 'text-to-video' ? 'textToVideo' : 'imageToVideo';
	if (modelValue === CUSTOM_MODEL) {
		const id = customModelId.trim();
		if (!id)
			throw new InputError(
				'Custom Model ID',
				"Custom Model ID is empty. Enter the provider's model ID",
			);
		const base = adapter.models.find((model) => model[key]);
		return { ...(base?.[key] as ModelVariant), id };
	}
	const spec = adapter.models.find((model) => model.value === modelValue);
	if (!spec) {
		const names = adapter.models.map((model) => model.value).join(', ');
		throw new InputError(
			'Model',
			`Model "${modelValue}" is not offered by ${adapter.displayName}. Choose one of: ${names}`,
		);
	}
	const variant = spec[key];
	if (!variant) {
		throw new InputError(
			'Model',
			`${spec.name} on ${adapter.displayName} has no ${mode} mode. Choose another model or generation type`,
		);
	}
	return variant;
}

function readMode(reader: ItemReader): GenerationMode {
	const mode = reader.param('mode', 'text-to-video');
	if (mode !== 'text-to-video' && mode !== 'image-to-video') {
		throw new InputError(
			'Generation Type',
			`Generation Type must be "text-to-video" or "image-to-video", not "${String(mode)}"`,
		);
	}
	return mode;
}

/** The task a Get Task / Wait for Task item points at. */
export function readTaskRef(reader: ItemReader, adapter: ProviderAdapter): TaskRef {
	const taskId = String(reader.param('taskId', '') ?? '').trim();
	if (!taskId)
		throw new InputError(
			'Task ID',
			'Task ID is empty. Use the taskId output of a Submit or Generate Video node',
		);
	const mode = readMode(reader);
	const variant = resolveVariant(
		adapter,
		String(reader.param('model', adapter.models[0].value)),
		mode,
		String(reader.param('customModelId', '')),
	);
	return { taskId, model: variant.id, mode };
}

/** Read and check one item's generation fields. Throws InputError before anything is sent. */
export async function readGenerationPlan(
	reader: ItemReader,
	adapter: ProviderAdapter,
	withCallback: boolean,
): Promise<GenerationPlan> {
	const mode = readMode(reader);
	const variant = resolveVariant(
		adapter,
		String(reader.param('model', adapter.models[0].value)),
		mode,
		String(reader.param('customModelId', '')),
	);
	const settings = (reader.param('generationSettings', {}) ?? {}) as IDataObject;

	const prompt = String(reader.param('prompt', '') ?? '').trim();
	if (!prompt) throw new InputError('Prompt', 'Prompt is empty. Describe the video to generate');
	if (prompt.length > KLING_MAX_PROMPT_LENGTH) {
		throw new InputError(
			'Prompt',
			`Prompt has ${prompt.length} characters; Kling allows at most ${KLING_MAX_PROMPT_LENGTH}`,
		);
	}

	const duration = Number(reader.param('duration', 5));
	if (!variant.durations.includes(duration)) {
		throw new InputError(
			'Duration',
			`Duration ${String(reader.param('duration'))} s is not available for ${variant.id}. Allowed: ${variant.durations.join(' or ')} seconds`,
		);
	}

	let aspectRatio: string | null = null;
	if (mode === 'text-to-video') {
		aspectRatio = String(reader.param('aspectRatio', '16:9'));
		if (!variant.aspectRatios.includes(aspectRatio)) {
			throw new InputError(
				'Aspect Ratio',
				`Aspect ratio "${aspectRatio}" is not available for ${variant.id}. Allowed: ${variant.aspectRatios.join(', ')}`,
			);
		}
	}

	const negativePrompt = String(settings.negativePrompt ?? '').trim() || null;
	if (negativePrompt && negativePrompt.length > variant.maxNegativePromptLength) {
		throw new InputError(
			'Negative Prompt',
			`Negative prompt has ${negativePrompt.length} characters; ${variant.id} allows at most ${variant.maxNegativePromptLength}`,
		);
	}

	const cfgScale = readCfgScale(settings.cfgScale, variant, adapter);
	const additionalFields = readAdditionalFields(settings.additionalFields);

	let startImage: ImageInput | null = null;
	let endImage: ImageInput | null = null;
	if (mode === 'image-to-video') {
		startImage = await readImage(reader, adapter, 'start');
		if (!startImage) {
			throw new InputError(
				'Start Frame',
				'Image-to-video needs a start frame. Set "Start Frame" to an image URL or a binary property',
			);
		}
		endImage = await readImage(reader, adapter, 'end');
		if (endImage && variant.endFrame === 'none') {
			throw new InputError(
				'End Frame',
				`${variant.id} does not take an end frame. Set "End Frame" to None or choose a model with end-frame support`,
			);
		}
		if (!endImage && variant.endFrame === 'required') {
			throw new InputError(
				'End Frame',
				`${variant.id} needs an end frame. Set "End Frame" to an image URL or a binary property`,
			);
		}
	}

	const callbackUrl = withCallback ? readCallbackUrl(reader, variant.id, mode) : null;

	return {
		itemIndex: reader.itemIndex,
		startImage,
		endImage,
		request: {
			mode,
			model: variant.id,
			prompt,
			negativePrompt,
			duration,
			aspectRatio,
			cfgScale,
			startImageUrl: startImage?.source === 'url' ? startImage.url : null,
			endImageUrl: endImage?.source === 'url' ? endImage.url : null,
			additionalFields,
			variantParams: variant.fixedParams ?? {},
			callbackUrl,
			idempotencyKey: null,
		},
	};
}

function readCfgScale(
	value: unknown,
	variant: ModelVariant,
	adapter: ProviderAdapter,
): number | null {
	if (value === undefined || value === null || value === '') return null;
	const cfgScale = Number(value);
	if (!Number.isFinite(cfgScale) || cfgScale < 0 || cfgScale > 1) {
		throw new InputError(
			'Guidance (CFG) Scale',
			`Guidance (CFG) Scale must be a number from 0 to 1, not ${String(value)}`,
		);
	}
	if (!variant.cfgScale) {
		throw new InputError(
			'Guidance (CFG) Scale',
			`${variant.id} on ${adapter.displayName} has no guidance (CFG) scale. Remove it from Generation Settings`,
		);
	}
	return cfgScale;
}

function readAdditionalFields(value: unknown): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	const parsed = typeof value === 'string' ? parseJson(value) : value;
	if (!isJson(parsed)) {
		throw new InputError(
			'Additional Fields (JSON)',
			'Additional Fields (JSON) is not valid JSON. Enter an object such as {"mode": "pro"}',
		);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InputError(
			'Additional Fields (JSON)',
			'Additional Fields (JSON) must be a JSON object such as {"mode": "pro"}',
		);
	}
	return parsed as IDataObject;
}

async function readImage(
	reader: ItemReader,
	adapter: ProviderAdapter,
	which: 'start' | 'end',
): Promise<ImageInput | null> {
	const label = which === 'start' ? 'Start Frame' : 'End Frame';
	const source = reader.param(`${which}ImageSource`, which === 'start' ? 'url' : 'none');
	if (source === 'none') return null;
	if (source === 'url') {
		const raw = reader.param(`${which}ImageUrl`, '');
		return { source: 'url', url: checkImageUrl(raw, `${label} URL`) };
	}
	const property = String(reader.param(`${which}ImageBinaryProperty`, 'data') ?? '').trim();
	if (!adapter.buildUploadRequest && !adapter.inlineImage) {
		throw new InputError(
			label,
			`${adapter.displayName} has no file upload API, so images must be public URLs. Upload the image somewhere public (for example an S3 or Google Drive share link) and set "${label}" to its URL`,
		);
	}
	const file = await reader.binary(property);
	checkImageFile(file, adapter, label);
	return { source: 'binary', file };
}

function checkImageUrl(raw: unknown, field: string): string {
	if (Array.isArray(raw)) {
		if (raw.length > 1) throw tooManyImages(field, raw.length);
		raw = raw[0];
	}
	const url = String(raw ?? '').trim();
	if (!url)
		throw new InputError(
			field,
			`${field} is empty. Enter a public http(s) link to a JPG, PNG or WebP image`,
		);
	const urls = url.split(/[\s,]+(?=https?:\/\/)/i);
	if (urls.length > 1) throw tooManyImages(field, urls.length);
	const parsed = parseUrl(url);
	if (!parsed) {
		throw new InputError(
			field,
			`${field} "${url}" is not a valid URL. Enter a public http(s) link to the image`,
		);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new InputError(field, `${field} "${url}" must start with http:// or https://`);
	}
	return url;
}

function tooManyImages(field: string, count: number): InputError {
	return new InputError(
		field,
		`${field} holds ${count} images; Kling takes at most 2 images: one start frame and one optional end frame`,
	);
}

/** Sniff the file's real type (the name or declared MIME type can lie) and check its size. */
function checkImageFile(file: UploadFile, adapter: ProviderAdapter, label: string): void {
	const sniffed = sniffImageType(file.data);
	if (!sniffed || !adapter.imageMimeTypes.includes(sniffed)) {
		const allowed = adapter.imageMimeTypes
			.map((type) => type.replace('image/', '').toUpperCase())
			.join(', ');
		throw new InputError(
			label,
			`${label} "${file.fileName}" is not a ${allowed} image${sniffed ? ` (it is ${sniffed})` : ''}. ${adapter.displayName} accepts ${allowed}`,
		);
	}
	if (file.data.length > MAX_IMAGE_BYTES) {
		const mb = (file.data.length / 1024 / 1024).toFixed(1);
		throw new InputError(
			label,
			`${label} "${file.fileName}" is ${mb} MB; images may be at most 10 MB`,
		);
	}
	file.mimeType = sniffed;
}

export function sniffImageType(data: Buffer): string | null {
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)
		return 'image/jpeg';
	if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
	if (
		data.length >= 12 &&
		data.toString('ascii', 0, 4) === 'RIFF' &&
		data.toString('ascii', 8, 12) === 'WEBP'
	) {
		return 'image/webp';
	}
	return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Query keys the trigger reads back: the model and mode (to re-read the task), and `c_` correlation. */
export const CALLBACK_MODEL_PARAM = 'kling_model';
export const CALLBACK_MODE_PARAM = 'kling_mode';
export const CORRELATION_PREFIX = 'c_';

function readCallbackUrl(reader: ItemReader, model: string, mode: GenerationMode): string | null {
	const raw = String(reader.param('callbackUrl', '') ?? '').trim();
	if (!raw) return null;
	const url = parseUrl(raw);
	if (!url) {
		throw new InputError(
			'Callback URL',
			`Callback URL "${raw}" is not a valid URL. Paste the Kling Video Trigger's production URL`,
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new InputError(
			'Callback URL',
			`Callback URL "${raw}" must start with http:// or https://`,
		);
	}
	const correlation = (reader.param('correlation', {}) ?? {}) as {
		values?: Array<{ key?: string; value?: unknown }>;
	};
	for (const { key, value } of correlation.values ?? []) {
		if (!key) continue;
		// Correlation data travels in the callback URL so the trigger can emit it.
		url.searchParams.set(
			`${CORRELATION_PREFIX}${key}`,
			value === undefined || value === null ? '' : String(value),
		);
	}
	url.searchParams.set(CALLBACK_MODEL_PARAM, model);
	url.searchParams.set(CALLBACK_MODE_PARAM, mode);
	return url.toString();
}
