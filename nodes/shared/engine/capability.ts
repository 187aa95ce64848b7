import type { CapabilitySpec, MediaKind, MediaLimits, ModelEntry } from '../catalog/types';
import type { ElementInput, GenerationRequest, ProviderAdapter } from '../providers/types';
import { InputError } from '../util/errors';
import { mediaSeconds, sniffMediaType } from '../util/media';
import { parseUrl } from '../util/parse';
import type { BinaryInput, ItemReader } from './input';

/*
 * The inputs of motion control, lip-sync, AI avatar, reference to video, video edit and extend
 * (KLING-MODELS.md §1b, §6, §7): read from the item, by URL (passed to the provider as given: the
 * node fetches nothing before submit) or from binary data (type, size and length measured from the
 * bytes against the catalog entry's limits before any paid request, uploaded when the item is sent).
 */

/** A media input by URL, or binary data checked and waiting to be uploaded. */
export type MediaSource =
	| { source: 'url'; url: string }
	| {
			source: 'binary';
			field: string;
			kind: MediaKind;
			file: BinaryInput;
			limits: MediaLimits;
			seconds: number | null;
	  };

/** Placeholder in the request until a binary input is uploaded. */
export const PENDING_MEDIA = 'binary:pending-upload';

export interface CapabilityInputs {
	image: MediaSource | null;
	video: MediaSource | null;
	audio: MediaSource | null;
	referenceImages: MediaSource[];
}

const LABELS: Record<'image' | 'video' | 'audio', string> = {
	image: 'Character Image',
	video: 'Input Video',
	audio: 'Input Audio',
};

/** The parameter names of each media input (frozen once examples use them). */
const PARAMS = {
	image: { source: 'startImageSource', url: 'startImageUrl', binary: 'startImageBinaryProperty' },
	video: { source: 'inputVideoSource', url: 'inputVideoUrl', binary: 'inputVideoBinaryProperty' },
	audio: { source: 'inputAudioSource', url: 'inputAudioUrl', binary: 'inputAudioBinaryProperty' },
};

/** Read one capability's inputs and fill them into the request (binaries as placeholders). */
export async function readCapability(
	reader: ItemReader,
	adapter: ProviderAdapter,
	entry: ModelEntry,
	spec: CapabilitySpec,
	request: GenerationRequest,
): Promise<CapabilityInputs> {
	const inputs: CapabilityInputs = { image: null, video: null, audio: null, referenceImages: [] };
	for (const kind of ['image', 'video', 'audio'] as const) {
		const input = spec[kind];
		if (!input) continue;
		inputs[kind] = await readMedia(reader, adapter, kind, input.limits, input.required, entry);
	}
	request.startImageUrl = urlOf(inputs.image);
	request.inputVideoUrl = urlOf(inputs.video);
	request.inputAudioUrl = urlOf(inputs.audio);
	if (spec.referenceImages) {
		const field = 'Reference Images';
		const urls = splitList(reader.param('referenceImageUrls', '')).map(
			(url): MediaSource => ({ source: 'url', url: checkMediaUrl(url, `${field} URLs`, 'image') }),
		);
		const binaries: MediaSource[] = [];
		for (const property of splitList(reader.param('referenceImageBinaryProperties', ''))) {
			binaries.push(
				await readBinaryMedia(
					reader,
					adapter,
					property,
					field,
					'image',
					spec.referenceImages.limits,
				),
			);
		}
		inputs.referenceImages = [...urls, ...binaries];
		request.referenceImageUrls = inputs.referenceImages.length
			? inputs.referenceImages.map((source) => urlOf(source) as string)
			: null;
	}
	if (spec.speech) {
		const speed = reader.param('voiceSpeed', 1);
		request.speech = {
			text: String(reader.param('speechText', '') ?? '').trim(),
			voiceId: String(reader.param('voiceId', '') ?? '').trim() || spec.speech.defaultVoice,
			language: spec.speech.languageField
				? String(reader.param('voiceLanguage', 'en') ?? 'en')
				: null,
			speed: spec.speech.speedField && speed !== '' && speed !== null ? Number(speed) : null,
		};
	}
	if (spec.orientation) {
		const value = reader.param('characterOrientation', 'video');
		if (value !== 'image' && value !== 'video') {
			throw new InputError(
				'Character Orientation',
				`Character Orientation must be "image" or "video", not "${String(value)}"`,
			);
		}
		request.characterOrientation = value;
	}
	if (spec.keepSound) request.keepOriginalSound = reader.param('keepOriginalSound', true) === true;
	request.inputSeconds = {
		...(inputs.video?.source === 'binary' && inputs.video.seconds !== null
			? { video: inputs.video.seconds }
			: {}),
		...(inputs.audio?.source === 'binary' && inputs.audio.seconds !== null
			? { audio: inputs.audio.seconds }
			: {}),
	};
	return inputs;
}

function urlOf(source: MediaSource | null): string | null {
	if (!source) return null;
	return source.source === 'url' ? source.url : PENDING_MEDIA;
}

async function readMedia(
	reader: ItemReader,
	adapter: ProviderAdapter,
	kind: 'image' | 'video' | 'audio',
	limits: MediaLimits,
	required: boolean,
	entry: ModelEntry,
): Promise<MediaSource | null> {
	const names = PARAMS[kind];
	const label = kind === 'image' && entry.mode === 'extend-video' ? 'End Frame' : LABELS[kind];
	const source = reader.param(names.source, required ? 'url' : 'none');
	if (source === 'none' || (!required && source === 'url' && !reader.param(names.url, ''))) {
		return null;
	}
	if (source === 'url') {
		return { source: 'url', url: checkMediaUrl(reader.param(names.url, ''), `${label} URL`, kind) };
	}
	const property = String(reader.param(names.binary, 'data') ?? '').trim();
	return await readBinaryMedia(reader, adapter, property, `${label} Binary Property`, kind, limits);
}

/** Whether the provider can take this kind of binary input: a files API, or inline (data URI). */
export function canSendBinary(adapter: ProviderAdapter, kind: MediaKind): boolean {
	if (adapter.buildUploadRequest) return true;
	return !!adapter.inlineImage && (adapter.inlineKinds ?? ['image']).includes(kind);
}

/**
 * A binary input checked from its bytes: the real type (whatever the name says), the size, and for
 * video and audio the length (MP4/MOV `mvhd`, the WAV header, MP3/AAC frames). The bytes are read
 * once here to measure and released; they are read again when the input is uploaded.
 */
export async function readBinaryMedia(
	reader: ItemReader,
	adapter: ProviderAdapter,
	property: string,
	field: string,
	kind: MediaKind,
	limits: MediaLimits,
): Promise<MediaSource> {
	const label = field.replace(/ Binary Propert(y|ies)$/, '');
	if (!canSendBinary(adapter, kind)) {
		throw new InputError(
			field,
			`${adapter.displayName} has no file upload API for ${kind === 'audio' ? 'audio' : `${kind}s`}, so ${label} must be a public URL. Upload the file somewhere public (for example an S3 or Google Drive share link) and pass its URL`,
		);
	}
	const file = reader.binary(property, field);
	const data = kind === 'image' ? await file.head() : await file.read();
	const type = sniffMediaType(data);
	checkType(type, file.fileName, label, kind, limits, adapter);
	const bytes = kind === 'image' ? await file.size() : data.length;
	if (limits.maxBytes !== null && bytes > limits.maxBytes) {
		throw new InputError(
			field,
			`${label} "${file.fileName}" is ${mb(bytes)}; ${adapter.displayName} takes at most ${mb(limits.maxBytes)}`,
		);
	}
	const seconds = kind === 'image' ? null : mediaSeconds(data, type!);
	if (kind !== 'image') checkSeconds(seconds, file.fileName, label, limits, adapter.displayName);
	return { source: 'binary', field, kind, file: { ...file, mimeType: type! }, limits, seconds };
}

function checkType(
	type: string | null,
	fileName: string,
	label: string,
	kind: MediaKind,
	limits: MediaLimits,
	adapter: ProviderAdapter,
): void {
	if (type && limits.types.includes(type)) return;
	const allowed = limits.types.map(typeName).join(', ');
	throw new InputError(
		label,
		`${label} "${fileName}" is not ${kind === 'audio' ? 'an' : 'a'} ${allowed} ${kind}${type ? ` (its bytes are ${typeName(type)})` : ''}. ${adapter.displayName} accepts ${allowed}`,
	);
}

function checkSeconds(
	seconds: number | null,
	fileName: string,
	label: string,
	limits: MediaLimits,
	providerName: string,
): void {
	if (seconds === null) {
		if (limits.minSeconds === undefined && limits.maxSeconds === undefined) return;
		throw new InputError(
			label,
			`${label} "${fileName}": its length cannot be read from the file, so the provider's limit (${range(limits)}) cannot be checked. Re-encode it as MP4 (video) or WAV/MP3 (audio)`,
		);
	}
	const shown = Math.round(seconds * 100) / 100;
	if (limits.minSeconds !== undefined && seconds < limits.minSeconds) {
		throw new InputError(
			label,
			`${label} "${fileName}" lasts ${shown} s; ${providerName} needs ${range(limits)}`,
		);
	}
	if (limits.maxSeconds !== undefined && seconds > limits.maxSeconds) {
		throw new InputError(
			label,
			`${label} "${fileName}" lasts ${shown} s; ${providerName} takes ${range(limits)}`,
		);
	}
}

function range(limits: MediaLimits): string {
	const { minSeconds: min, maxSeconds: max } = limits;
	if (min !== undefined && max !== undefined) return `${min} to ${max} seconds`;
	return min !== undefined ? `at least ${min} seconds` : `at most ${max} seconds`;
}

function mb(bytes: number): string {
	return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

const TYPE_NAMES: Record<string, string> = {
	'image/jpeg': 'JPG',
	'image/png': 'PNG',
	'image/webp': 'WebP',
	'video/mp4': 'MP4',
	'video/quicktime': 'MOV',
	'audio/wav': 'WAV',
	'audio/mpeg': 'MP3',
	'audio/aac': 'AAC',
	'audio/mp4': 'M4A',
};

function typeName(type: string): string {
	return TYPE_NAMES[type] ?? type;
}

function checkMediaUrl(raw: unknown, field: string, kind: MediaKind): string {
	const url = String(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '')).trim();
	if (!url)
		throw new InputError(field, `${field} is empty. Enter a public http(s) link to the ${kind}`);
	const parsed = parseUrl(url);
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
		throw new InputError(
			field,
			`${field} "${url}" is not an http(s) URL. Enter a public link to the ${kind}`,
		);
	}
	return url;
}

function splitList(value: unknown): string[] {
	const list = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[\s,]+/);
	return list.map((part) => part.trim()).filter(Boolean);
}

/**
 * The prompt with references written the provider's way. The node takes `@Image1`, `@Video1`,
 * `@Audio1`, `@Element1` (1-based, in the order given) or `@` and an element's name, and writes
 * `<<<image_1>>>` (Kling legacy, Replicate, WaveSpeed O-series) or `@image_1` (Kie) where needed.
 */
export function writePromptRefs(
	prompt: string,
	style: CapabilitySpec['promptRefs'],
	elements: ElementInput[] | null,
): string {
	let text = prompt;
	(elements ?? []).forEach((element, index) => {
		const name = element.name?.trim();
		if (!name || /^element_\d+$/.test(name)) return;
		const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		text = text.replace(new RegExp(`@${escaped}(?![\\w-])`, 'g'), `@Element${index + 1}`);
	});
	if (!style || style === 'at') return text;
	return text.replace(/@(image|video|audio|element)(\d+)\b/gi, (_match, kind: string, n: string) =>
		style === 'angle' ? `<<<${kind.toLowerCase()}_${n}>>>` : `@${kind.toLowerCase()}_${n}`,
	);
}

/** Check a capability request against its entry before anything is sent. */
export function checkCapability(
	request: GenerationRequest,
	model: string,
	typed: string | null,
): void {
	const spec = request.entry.capability!;
	const prompt = request.prompt;
	if (spec.prompt === 'required' && !prompt) {
		throw new InputError(
			'Prompt',
			`Prompt is empty. ${model} needs a prompt describing the result`,
		);
	}
	if (prompt && prompt.length > request.entry.promptMaxLength) {
		throw new InputError(
			'Prompt',
			`Prompt has ${prompt.length} characters; ${model} allows at most ${request.entry.promptMaxLength}`,
		);
	}
	const required = (kind: 'image' | 'video' | 'audio', value: string | null | undefined) => {
		if (spec[kind]?.required && !value) {
			const label = kind === 'image' ? 'Character Image' : LABELS[kind];
			throw new InputError(
				label,
				`${model} needs ${label === 'Input Audio' ? 'an' : 'a'} ${label.toLowerCase()}. Set "${label}" to a URL or a binary property`,
			);
		}
	};
	required('image', request.startImageUrl);
	required('video', request.inputVideoUrl);
	required('audio', request.inputAudioUrl);
	const refs = request.referenceImageUrls ?? [];
	if (spec.referenceImages) {
		const cap =
			request.inputVideoUrl && spec.referenceImages.maxWithVideo !== undefined
				? spec.referenceImages.maxWithVideo
				: spec.referenceImages.max;
		if (refs.length > cap) {
			throw new InputError(
				'Reference Images',
				`${refs.length} reference images given; ${model} takes at most ${cap}${request.inputVideoUrl && cap !== spec.referenceImages.max ? ' with a reference video' : ''}`,
			);
		}
	}
	if (spec.speech) {
		const speech = request.speech!;
		if (!speech.text)
			throw new InputError('Speech Text', 'Speech Text is empty. Enter what the person should say');
		if (speech.text.length > spec.speech.maxChars) {
			throw new InputError(
				'Speech Text',
				`Speech Text has ${speech.text.length} characters; ${model} speaks at most ${spec.speech.maxChars}`,
			);
		}
		if (!speech.voiceId)
			throw new InputError('Voice ID', "Voice ID is empty. Enter one of the provider's voice IDs");
		if (speech.speed !== null && !(speech.speed >= 0.8 && speech.speed <= 2)) {
			throw new InputError(
				'Voice Speed',
				`Voice Speed must be from 0.8 to 2, not ${String(speech.speed)}`,
			);
		}
	}
	// Every reference the prompt uses must exist: the provider refuses it otherwise (after the submit on some).
	const counts: Record<string, number> = {
		image: refs.length,
		video: request.inputVideoUrl ? 1 : 0,
		audio: request.inputAudioUrl ? 1 : 0,
		element: request.elements?.length ?? 0,
	};
	for (const match of (typed ?? '').matchAll(/@(image|video|audio|element)(\d+)\b/gi)) {
		const kind = match[1].toLowerCase();
		const n = Number(match[2]);
		if (n < 1 || n > counts[kind]) {
			const have = counts[kind];
			throw new InputError(
				'Prompt',
				`The prompt refers to ${match[0]}, but ${have === 0 ? `no ${kind === 'image' ? 'reference image' : kind}` : `only ${have} ${kind === 'image' ? 'reference image' : kind}${have === 1 ? '' : 's'}`} ${have === 1 ? 'was' : 'were'} given`,
			);
		}
	}
}
