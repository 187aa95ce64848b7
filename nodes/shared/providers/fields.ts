import type { IDataObject } from 'n8n-workflow';
import type {
	BooleanEncoding,
	CapabilitySpec,
	MediaInput,
	ModelEntry,
	ShotFields,
} from '../catalog/types';
import type { ElementInput, GenerationRequest, Shot } from './types';

/**
 * The common fields of a request written the way its catalog entry spells them: field names, value
 * types, the shot list's and elements' shapes, and the entry's fixed parameters. Dotted names
 * (`settings.duration`) nest. The dialect puts the result in its envelope.
 */
export function entryFields(request: GenerationRequest): IDataObject {
	const { entry } = request;
	const fields = entry.fields;
	const out: IDataObject = {};
	const put = (name: string | undefined, value: unknown) => {
		if (name !== undefined && value !== null && value !== undefined) setPath(out, name, value);
	};

	const shots = request.shots?.length ? request.shots : null;
	const shotFields = fields.shots;
	if (shots && shotFields?.encoding !== 'kling-prompt') {
		if (shotFields?.keepPrompt === 'empty') put(fields.prompt ?? 'prompt', '');
		if (shotFields?.keepPrompt === 'joined') {
			put(fields.prompt ?? 'prompt', shots.map((shot) => shot.prompt).join(' '));
		}
	} else if (!shots) {
		put(fields.prompt ?? 'prompt', request.prompt);
	}
	put(fields.negativePrompt, request.negativePrompt);
	const duration = fields.duration;
	if (duration && request.duration !== null) {
		put(duration.field, duration.type === 'string' ? String(request.duration) : request.duration);
	}
	if (entry.aspectRatios.length) put(fields.aspectRatio, request.aspectRatio);
	put(fields.cfgScale, request.cfgScale);
	if (fields.audio && request.audio !== null) {
		put(fields.audio.field, encodeBoolean(request.audio, fields.audio.encoding));
	}
	put(fields.resolution, request.resolution);
	put(fields.startImage, request.startImageUrl);
	put(fields.endImage, request.endImageUrl);
	if (fields.imageList && request.startImageUrl) {
		const urls = [request.startImageUrl, request.endImageUrl].filter((url): url is string => !!url);
		put(
			fields.imageList.field,
			fields.imageList.item === 'url' ? urls : urls.map((url) => ({ url, kind: 'image' })),
		);
	}
	if (shotFields) writeShots(out, shotFields, shots, fields.prompt ?? 'prompt');
	if (fields.elements && request.elements?.length) {
		put(fields.elements.field, encodeElements(request.elements, fields.elements));
	}
	if (entry.capability) writeCapability(request, entry.capability, put);
	for (const [name, value] of Object.entries(entry.fixed ?? {})) setPath(out, name, value);
	return out;
}

/** A capability's inputs (KLING-MODELS.md §1b, §6, §7) under the entry's names. */
function writeCapability(
	request: GenerationRequest,
	spec: CapabilitySpec,
	put: (name: string | undefined, value: unknown) => void,
): void {
	const media = (input: MediaInput | undefined, url: string | null | undefined) => {
		if (input && url) put(input.field, input.list ? [url] : url);
	};
	media(spec.image, request.startImageUrl);
	media(spec.video, request.inputVideoUrl);
	media(spec.audio, request.inputAudioUrl);
	if (spec.referenceImages && request.referenceImageUrls?.length) {
		put(spec.referenceImages.field, request.referenceImageUrls);
	}
	if (spec.speech && request.speech) {
		put(spec.speech.textField, request.speech.text);
		put(spec.speech.voiceField, request.speech.voiceId);
		put(spec.speech.languageField, request.speech.language);
		put(spec.speech.speedField, request.speech.speed);
	}
	if (spec.orientation) put(spec.orientation.field, request.characterOrientation);
	// Keeping "the input video's sound" only means something with a video (WaveSpeed refuses it without).
	const hasVideo = !spec.video || !!request.inputVideoUrl;
	if (spec.keepSound && hasVideo && typeof request.keepOriginalSound === 'boolean') {
		put(spec.keepSound.field, encodeBoolean(request.keepOriginalSound, spec.keepSound.encoding));
	}
	if (spec.withVideo && request.inputVideoUrl) {
		for (const [name, value] of Object.entries(spec.withVideo)) put(name, value);
	}
}

function writeShots(
	out: IDataObject,
	fields: ShotFields,
	shots: Shot[] | null,
	promptField: string,
): void {
	if (shots) {
		if (fields.switchField) {
			setPath(out, fields.switchField.field, encodeBoolean(true, fields.switchField.encoding));
		}
		if (fields.shotType) setPath(out, fields.shotType.field, fields.shotType.value);
		if (fields.encoding === 'kling-prompt') {
			setPath(out, promptField, klingShotPrompt(shots));
			return;
		}
		const list = shots.map((shot, index) => ({
			...(fields.indexed ? { index: index + 1 } : {}),
			prompt: shot.prompt,
			duration: fields.durationType === 'string' ? String(shot.duration) : shot.duration,
		}));
		setPath(out, fields.field, fields.encoding === 'json-string' ? JSON.stringify(list) : list);
		return;
	}
	if (!fields.requiredWhenSingle) return;
	if (fields.switchField) {
		setPath(out, fields.switchField.field, encodeBoolean(false, fields.switchField.encoding));
	}
	if (fields.encoding !== 'kling-prompt') {
		setPath(out, fields.field, fields.encoding === 'json-string' ? '[]' : []);
	}
}

/** Kling's new API: shots in the prompt as `镜头 n, m, words;` (KLING-MODELS.md §3.5 B). */
export function klingShotPrompt(shots: Shot[]): string {
	return shots
		.map((shot, index) => `镜头 ${index + 1}, ${shot.duration}, ${shot.prompt};`)
		.join(' ');
}

function encodeElements(
	elements: ElementInput[],
	spec: NonNullable<ModelEntry['fields']['elements']>,
): IDataObject[] {
	return elements.map((element) => {
		if (spec.shape === 'element-ids') {
			const id = element.elementId ?? '';
			// Kling documents element ids as longs: a number where that is exact, the digits otherwise.
			const numeric = spec.numericIds && /^\d+$/.test(id) && Number.isSafeInteger(Number(id));
			return { element_id: numeric ? Number(id) : id };
		}
		if (spec.shape === 'fal') {
			if (element.videoUrl) return { video_url: element.videoUrl };
			const [front, ...rest] = element.imageUrls ?? [];
			return { frontal_image_url: front, reference_image_urls: rest };
		}
		const kie: IDataObject = { name: element.name ?? '', description: element.description ?? '' };
		if (element.videoUrl) kie.element_input_video_urls = [element.videoUrl];
		else kie.element_input_urls = element.imageUrls ?? [];
		return kie;
	});
}

export function encodeBoolean(value: boolean, encoding: BooleanEncoding): boolean | string {
	if (encoding === 'boolean-string') return value ? 'true' : 'false';
	if (encoding === 'on-off') return value ? 'on' : 'off';
	if (encoding === 'native-off') return value ? 'native' : 'off';
	if (encoding === 'yes-no') return value ? 'yes' : 'no';
	if (encoding === 'original-off') return value ? 'original' : 'off';
	return value;
}

/** Set `a.b.c` in an object, creating the objects on the way. */
export function setPath(target: IDataObject, path: string, value: unknown): void {
	const keys = path.split('.');
	let node = target;
	for (const key of keys.slice(0, -1)) {
		if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
		node = node[key] as IDataObject;
	}
	node[keys[keys.length - 1]] = value as IDataObject[string];
}

/**
 * A capability's sound: always (lip-sync, avatar, Kling 4.0), the input video's kept or not
 * (motion control, edit: the field's value, or the provider's default when left out).
 */
export function capabilityAudio(request: GenerationRequest): boolean | null {
	const { entry } = request;
	const keep = entry.capability?.keepSound;
	const withoutVideo = !!entry.capability?.video && !request.inputVideoUrl;
	if (entry.audio.kind === 'switch' || entry.audio.kind === 'always' || !keep || withoutVideo) {
		return effectiveAudio(entry, request.audio);
	}
	return request.keepOriginalSound ?? keep.providerDefault;
}

/** What `json.request.audio` reports: what the provider will do (DESIGN.md, second edition). */
export function effectiveAudio(entry: ModelEntry, audio: boolean | null): boolean | null {
	if (entry.audio.kind === 'always') return true;
	if (entry.audio.kind === 'none') return null;
	return audio ?? entry.audio.providerDefault;
}

/**
 * What `json.request.resolution` reports: the resolution chosen, or the tier as the provider names it
 * (a fixed resolution parameter such as Kling's new API `settings.resolution`, else std | pro | 4k).
 */
export function reportedResolution(entry: ModelEntry, resolution: string | null): string | null {
	if (resolution) return resolution;
	const fixed = entry.fixed ?? {};
	const named = fixed.resolution ?? fixed['settings.resolution'];
	return typeof named === 'string' ? named : entry.tier;
}
