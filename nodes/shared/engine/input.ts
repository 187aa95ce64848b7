import {
	BINARY_ENCODING,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type IExecuteSingleFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { CATALOG } from '../catalog';
import { GENERATION_MODES, type GenerationMode, type ModelEntry } from '../catalog/types';
import { readCapability, writePromptRefs, type CapabilityInputs } from './capability';
import type {
	ElementInput,
	GenerationRequest,
	ProviderAdapter,
	Shot,
	TaskRef,
	UploadFile,
} from '../providers/types';
import { InputError } from '../util/errors';
import { isJson, parseJson, parseUrl } from '../util/parse';
import { checkRequest, describeDurations, resolveEntry } from './request';

/** Version 1's model list had this option for a model the list lacked (mapped like its default). */
export const CUSTOM_MODEL = 'custom';
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** One item's parameters and binary data, whichever context reads them. */
export interface ItemReader {
	itemIndex: number;
	nodeVersion: number;
	param(name: string, fallback?: unknown): unknown;
	/** An input binary's metadata, with a reader for its bytes (read only when it is uploaded). */
	binary(property: string, field: string): BinaryInput;
}

export interface BinaryInput {
	fileName: string;
	/** The MIME type the binary was stored with; the bytes decide (see sniffImageType). */
	mimeType: string;
	/** The size in bytes, from n8n's metadata (nothing is read). */
	size(): Promise<number>;
	/** The first bytes, enough to tell the file type. */
	head(): Promise<Buffer>;
	/** All bytes (read when the image is uploaded or inlined, then released). */
	read(): Promise<Buffer>;
}

export type ImageInput =
	| { source: 'url'; url: string }
	| { source: 'binary'; field: string; file: BinaryInput };

/** A validated generation for one item; binary images are uploaded (or inlined) when it is sent. */
export interface GenerationPlan {
	itemIndex: number;
	request: GenerationRequest;
	startImage: ImageInput | null;
	endImage: ImageInput | null;
	/** Per element, its reference images given as binary data (URLs are already in the request). */
	elementImages: ImageInput[][];
	/** A capability's media inputs (motion control, lip-sync, avatar, reference, edit, extend). */
	media?: CapabilityInputs;
}

/** What the credential says that changes which API a model uses (Kling official). */
export interface CredentialFacts {
	hasApiKey: boolean;
}

export function executeItemReader(ctx: IExecuteFunctions, itemIndex: number): ItemReader {
	return {
		itemIndex,
		nodeVersion: ctx.getNode().typeVersion,
		param: (name, fallback) => ctx.getNodeParameter(name, itemIndex, fallback),
		binary: (property, field) => {
			let meta: IBinaryData;
			try {
				meta = ctx.helpers.assertBinaryData(itemIndex, property);
			} catch {
				throw missingBinary(field, property, itemIndex);
			}
			return binaryInput(
				meta,
				ctx.helpers,
				async () => await ctx.helpers.getBinaryDataBuffer(itemIndex, property),
			);
		},
	};
}

/**
 * Item `itemIndex` read from another item's routing context (Get Task runs through routing, one
 * item per context). Parameters are resolved like getNodeParameter does (expressions evaluated for
 * that item); binaries are read from the item.
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
		nodeVersion: ctx.getNode().typeVersion,
		param: (name, fallback) => {
			const raw = ctx.getNode().parameters[name];
			return raw === undefined ? fallback : resolve(raw);
		},
		binary: (property, field) => {
			const binary = items[itemIndex]?.binary?.[property];
			if (!binary) throw missingBinary(field, property, itemIndex);
			return binaryInput(binary, ctx.helpers, async () =>
				binary.id
					? await ctx.helpers.binaryToBuffer(await ctx.helpers.getBinaryStream(binary.id))
					: Buffer.from(binary.data, BINARY_ENCODING),
			);
		},
	};
}

/** The binary helpers a BinaryInput needs, in both execution contexts. */
interface BinaryHelpers {
	getBinaryStream(
		binaryDataId: string,
		chunkSize?: number,
	): Promise<AsyncIterable<unknown> & { destroy(): void }>;
	getBinaryMetadata(binaryDataId: string): Promise<{ fileSize: number }>;
}

/** Stored by id (filesystem, database, S3 modes) or inline as base64 (n8n's in-memory mode). */
function binaryInput(
	meta: IBinaryData,
	helpers: BinaryHelpers,
	read: () => Promise<Buffer>,
): BinaryInput {
	const id = meta.id;
	return {
		fileName: meta.fileName ?? 'image',
		mimeType: meta.mimeType,
		size: async () => {
			if (id) return (await helpers.getBinaryMetadata(id)).fileSize;
			const padding = meta.data.endsWith('==') ? 2 : meta.data.endsWith('=') ? 1 : 0;
			return Math.floor((meta.data.length * 3) / 4) - padding;
		},
		head: async () => {
			if (!id) return Buffer.from(meta.data.slice(0, 24), BINARY_ENCODING);
			const stream = await helpers.getBinaryStream(id, 64);
			for await (const chunk of stream) {
				stream.destroy();
				return Buffer.from(chunk as Buffer).subarray(0, 16);
			}
			return Buffer.alloc(0);
		},
		read,
	};
}

function missingBinary(field: string, property: string, itemIndex: number): InputError {
	const error = new InputError(
		field,
		`The input item has no binary property "${property}". Check "${field}", or pass the image by URL`,
	);
	// toNodeError names the item once: " (item 2)"
	error.itemIndex = itemIndex;
	return error;
}

function readMode(reader: ItemReader): GenerationMode {
	const mode = reader.param('mode', 'text-to-video');
	const known = GENERATION_MODES.find((value) => value === mode);
	if (!known) {
		throw new InputError(
			'Generation Type',
			`Generation Type must be one of ${GENERATION_MODES.join(', ')}, not "${String(mode)}"`,
		);
	}
	return known;
}

/**
 * The catalog entry and the model id to send. Version 1's "Custom Model ID" option maps like the
 * provider's first listed model of that version; from version 2 on, Custom Model ID replaces only the
 * id of the chosen listed model, which decides fields and limits.
 */
export function readModel(
	reader: ItemReader,
	adapter: ProviderAdapter,
	mode: GenerationMode,
	credential: CredentialFacts,
): { entry: ModelEntry; model: string } {
	const catalog = CATALOG[adapter.id];
	const fallback = reader.nodeVersion >= 2 ? catalog.defaultModel : catalog.firstVersionDefault;
	const chosen = String(reader.param('model', fallback) ?? fallback);
	const customId = String(reader.param('customModelId', '') ?? '').trim();
	if (chosen === CUSTOM_MODEL) {
		if (!customId) {
			throw new InputError(
				'Custom Model ID',
				"Custom Model ID is empty. Enter the provider's model ID",
			);
		}
		return {
			entry: resolveEntry(adapter.id, catalog.firstVersionDefault, mode, credential),
			model: customId,
		};
	}
	const entry = resolveEntry(adapter.id, chosen, mode, credential);
	return { entry, model: customId || entry.id };
}

/** The task a Get Task / Wait for Task item points at. */
export function readTaskRef(
	reader: ItemReader,
	adapter: ProviderAdapter,
	credential: CredentialFacts = { hasApiKey: false },
): TaskRef {
	const taskId = String(reader.param('taskId', '') ?? '').trim();
	if (!taskId) {
		throw new InputError(
			'Task ID',
			'Task ID is empty. Use the taskId output of a Submit or Generate Video node',
		);
	}
	const mode = readMode(reader);
	const { entry, model } = readModel(reader, adapter, mode, credential);
	return { taskId, model, mode, api: entry.api };
}

/** Read and check one item's generation fields. Throws InputError before anything is sent. */
export async function readGenerationPlan(
	reader: ItemReader,
	adapter: ProviderAdapter,
	withCallback: boolean,
	credential: CredentialFacts = { hasApiKey: false },
): Promise<GenerationPlan> {
	const mode = readMode(reader);
	const { entry, model } = readModel(reader, adapter, mode, credential);
	const settings = (reader.param('generationSettings', {}) ?? {}) as IDataObject;
	const capability = entry.capability;
	const shots = entry.multiShot ? readShots(reader) : null;
	const typedPrompt =
		shots || capability?.prompt === 'none'
			? null
			: String(reader.param('prompt', '') ?? '').trim() || null;

	let startImage: ImageInput | null = null;
	let endImage: ImageInput | null = null;
	if (mode === 'image-to-video') startImage = await readImage(reader, adapter, 'start');
	if (mode === 'image-to-video') endImage = await readImage(reader, adapter, 'end');
	// Extend's optional target frame: an empty URL means none (the editor offers URL first).
	const emptyEnd =
		reader.param('endImageSource', 'none') === 'url' &&
		!String(reader.param('endImageUrl', '') ?? '').trim();
	if (capability && entry.endFrame !== 'none' && !emptyEnd) {
		endImage = await readImage(reader, adapter, 'end');
	}
	const { elements, elementImages } = await readElements(reader, adapter, entry);

	const request: GenerationRequest = {
		entry,
		mode,
		model,
		prompt:
			typedPrompt && capability
				? writePromptRefs(typedPrompt, capability.promptRefs, elements)
				: typedPrompt,
		negativePrompt: String(settings.negativePrompt ?? '').trim() || null,
		duration: entry.durations ? readDuration(reader, entry) : null,
		// Image-to-video models without an aspect ratio follow the start frame (the editor says so).
		aspectRatio: entry.aspectRatios.length ? readAspectRatio(reader, entry) : null,
		cfgScale: readCfgScale(settings.cfgScale),
		audio: entry.audio.kind === 'switch' ? reader.param('audio', true) === true : null,
		resolution: entry.resolutions.length
			? String(reader.param('resolution', entry.resolutions[0]))
			: null,
		startImageUrl: imageUrlOf(startImage),
		endImageUrl: imageUrlOf(endImage),
		shots,
		elements,
		additionalFields: readAdditionalFields(settings.additionalFields, entry),
		callbackUrl: withCallback ? readCallbackUrl(reader, model, mode) : null,
		idempotencyKey: null,
	};
	const media = capability
		? await readCapability(reader, adapter, entry, capability, request)
		: undefined;
	checkRequest(request, typedPrompt);
	return { itemIndex: reader.itemIndex, request, startImage, endImage, elementImages, media };
}

/** A placeholder until the binary is uploaded, so checks that need "a start frame" see one. */
export const PENDING_UPLOAD = 'binary:pending-upload';

function imageUrlOf(image: ImageInput | null): string | null {
	if (!image) return null;
	return image.source === 'url' ? image.url : PENDING_UPLOAD;
}

function readDuration(reader: ItemReader, entry: ModelEntry): number {
	const raw = reader.param('duration', entry.defaultDuration);
	const duration = Number(raw);
	if (raw === '' || raw === null || !Number.isFinite(duration)) {
		throw new InputError(
			'Duration',
			`Duration "${String(raw)}" is not a number of seconds. Allowed for ${entry.name}: ${describeDurations(entry.durations!)}`,
		);
	}
	return duration;
}

function readAspectRatio(reader: ItemReader, entry: ModelEntry): string | null {
	const value = reader.param('aspectRatio', entry.mode === 'text-to-video' ? '16:9' : '');
	// Image-to-video models that take an aspect ratio default to the start frame's ("").
	return value === '' || value === null || value === undefined ? null : String(value);
}

function readShots(reader: ItemReader): Shot[] | null {
	if (reader.param('multiShot', false) !== true) return null;
	const raw = (reader.param('shots', {}) ?? {}) as {
		shot?: Array<{ prompt?: unknown; duration?: unknown }>;
	};
	const shots = (raw.shot ?? []).map((shot) => ({
		prompt: String(shot.prompt ?? '').trim(),
		duration: Number(shot.duration),
	}));
	if (shots.length < 2) {
		throw new InputError(
			'Multi-Shot',
			`Multi-Shot needs at least 2 shots (it has ${shots.length}). Add shots, or turn Multi-Shot off and write one prompt`,
		);
	}
	return shots;
}

async function readElements(
	reader: ItemReader,
	adapter: ProviderAdapter,
	entry: ModelEntry,
): Promise<{ elements: ElementInput[] | null; elementImages: ImageInput[][] }> {
	if (!entry.elements) return { elements: null, elementImages: [] };
	const raw = (reader.param('elements', {}) ?? {}) as {
		element?: Array<Record<string, unknown>>;
	};
	const list = raw.element ?? [];
	if (!list.length) return { elements: null, elementImages: [] };
	const elementImages: ImageInput[][] = [];
	const elements: ElementInput[] = [];
	for (const [index, item] of list.entries()) {
		const field = 'Elements';
		if (entry.elements.kind === 'ids') {
			elementImages.push([]);
			elements.push({ elementId: String(item.elementId ?? '').trim() });
			continue;
		}
		const urls = splitList(item.imageUrls).map((url) =>
			checkImageUrl(url, `${field} (element ${index + 1})`),
		);
		const binaries: ImageInput[] = [];
		for (const property of splitList(item.imageBinaryProperties)) {
			const file = await readBinaryImage(reader, adapter, property, field);
			binaries.push({ source: 'binary', field, file });
		}
		elementImages.push(binaries);
		elements.push({
			name: String(item.name ?? '').trim() || `element_${index + 1}`,
			description: String(item.description ?? '').trim(),
			imageUrls: [...urls, ...binaries.map(() => PENDING_UPLOAD)],
		});
	}
	return { elements, elementImages };
}

function splitList(value: unknown): string[] {
	if (Array.isArray(value))
		return value
			.map(String)
			.map((v) => v.trim())
			.filter(Boolean);
	return String(value ?? '')
		.split(/[\s,]+/)
		.map((part) => part.trim())
		.filter(Boolean);
}

function readCfgScale(value: unknown): number | null {
	if (value === undefined || value === null || value === '') return null;
	const cfgScale = Number(value);
	if (!Number.isFinite(cfgScale)) {
		throw new InputError(
			'Guidance (CFG) Scale',
			`Guidance (CFG) Scale must be a number from 0 to 1, not ${String(value)}`,
		);
	}
	return cfgScale;
}

/**
 * Extra provider fields, sent as they are. A key that the node writes itself from a validated field
 * is refused: it would bypass the checks and make `json.request` differ from what was sent.
 */
function readAdditionalFields(value: unknown, entry: ModelEntry): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	const parsed = typeof value === 'string' ? parseJson(value) : value;
	if (!isJson(parsed)) {
		throw new InputError(
			'Additional Fields (JSON)',
			'Additional Fields (JSON) is not valid JSON. Enter an object such as {"seed": 42}',
		);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InputError(
			'Additional Fields (JSON)',
			'Additional Fields (JSON) must be a JSON object such as {"seed": 42}',
		);
	}
	const owned = ownedFieldNames(entry);
	const clash = Object.keys(parsed).find((key) => owned.has(key));
	if (clash) {
		throw new InputError(
			'Additional Fields (JSON)',
			`Additional Fields (JSON) sets "${clash}", which the node sends itself from a checked field. Use the node's own field for it (or a Custom Model ID for another model) and remove "${clash}"`,
		);
	}
	return parsed as IDataObject;
}

/**
 * The top-level provider fields the node writes for this entry, and every image field of the
 * provider's models (images are checked by the node: a raw one would skip the checks).
 */
function ownedFieldNames(entry: ModelEntry): Set<string> {
	const fields = entry.fields;
	const imageFields = CATALOG[entry.provider].entries.flatMap((other) => [
		other.fields.startImage,
		other.fields.endImage,
		other.fields.imageList?.field,
		other.capability?.image?.field,
		other.capability?.video?.field,
		other.capability?.audio?.field,
		other.capability?.referenceImages?.field,
	]);
	const capability = entry.capability;
	const names = [
		...imageFields,
		fields.prompt ?? 'prompt',
		fields.negativePrompt,
		fields.duration?.field,
		fields.aspectRatio,
		fields.cfgScale,
		fields.audio?.field,
		fields.resolution,
		fields.startImage,
		fields.endImage,
		fields.imageList?.field,
		fields.shots?.field,
		fields.shots?.switchField?.field,
		fields.shots?.shotType?.field,
		fields.elements?.field,
		...Object.keys(entry.fixed ?? {}),
		capability?.speech?.textField,
		capability?.speech?.voiceField,
		capability?.speech?.languageField,
		capability?.speech?.speedField,
		capability?.orientation?.field,
		capability?.keepSound?.field,
		...Object.keys(capability?.withVideo ?? {}),
		// The envelopes: model names, callbacks, inputs.
		'model',
		'model_name',
		'input',
		'params',
		'contents',
		'callBackUrl',
		'callback_url',
		'webhook',
		'request_type',
	];
	return new Set(names.filter((name): name is string => !!name).map((name) => name.split('.')[0]));
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
	const field = `${label} Binary Property`;
	return { source: 'binary', field, file: await readBinaryImage(reader, adapter, property, field) };
}

/**
 * A binary image, checked before anything is sent from its size (n8n's metadata) and first bytes
 * (the real type, whatever its name or declared type say); all bytes are read only when it is sent.
 */
async function readBinaryImage(
	reader: ItemReader,
	adapter: ProviderAdapter,
	property: string,
	field: string,
): Promise<BinaryInput> {
	if (!adapter.buildUploadRequest && !adapter.inlineImage) {
		throw new InputError(
			field,
			`${adapter.displayName} has no file upload API, so images must be public URLs. Upload the image somewhere public (for example an S3 or Google Drive share link) and set "${imageLabel(field)}" to its URL`,
		);
	}
	const file = reader.binary(property, field);
	const sniffed = sniffImageType(await file.head());
	if (!sniffed || !adapter.imageMimeTypes.includes(sniffed)) {
		throw notAnImage(file.fileName, sniffed, adapter, field);
	}
	checkImageSize(await file.size(), file.fileName, field);
	return { ...file, mimeType: sniffed };
}

/** Read a binary image's bytes, check their real type and size, and release nothing else. */
export async function readImageBytes(
	image: Extract<ImageInput, { source: 'binary' }>,
	adapter: ProviderAdapter,
): Promise<UploadFile> {
	const data = await image.file.read();
	const sniffed = sniffImageType(data);
	if (!sniffed || !adapter.imageMimeTypes.includes(sniffed)) {
		throw notAnImage(image.file.fileName, sniffed, adapter, image.field);
	}
	checkImageSize(data.length, image.file.fileName, image.field);
	return { data, mimeType: sniffed, fileName: image.file.fileName };
}

function notAnImage(
	fileName: string,
	actual: string | null,
	adapter: ProviderAdapter,
	field: string,
): InputError {
	const allowed = adapter.imageMimeTypes
		.map((type) => type.replace('image/', '').toUpperCase())
		.join(', ');
	return new InputError(
		field,
		`${imageLabel(field)} "${fileName}" is not a ${allowed} image${actual ? ` (it is ${actual})` : ''}. ${adapter.displayName} accepts ${allowed}`,
	);
}

function checkImageSize(bytes: number, fileName: string, field: string): void {
	if (bytes <= MAX_IMAGE_BYTES) return;
	const mb = (bytes / 1024 / 1024).toFixed(1);
	throw new InputError(
		field,
		`${imageLabel(field)} "${fileName}" is ${mb} MB; images may be at most 10 MB`,
	);
}

/** "Start Frame" for the field "Start Frame Binary Property": what the user calls the image. */
function imageLabel(field: string): string {
	return field.replace(/ Binary Property$/, '');
}

function checkImageUrl(raw: unknown, field: string): string {
	if (Array.isArray(raw)) {
		if (raw.length > 1) throw tooManyImages(field, raw.length);
		raw = raw[0];
	}
	const url = String(raw ?? '').trim();
	if (!url) {
		throw new InputError(
			field,
			`${field} is empty. Enter a public http(s) link to a JPG, PNG or WebP image`,
		);
	}
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
