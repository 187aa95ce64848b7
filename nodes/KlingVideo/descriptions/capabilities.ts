import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { CATALOG, modelsFor } from '../../shared/catalog';
import {
	CAPABILITY_MODES,
	type CapabilityMode,
	type CapabilitySpec,
	type ModelEntry,
	type ProviderId,
} from '../../shared/catalog/types';
import { canSendBinary } from '../../shared/engine/capability';
import { PROVIDERS } from '../../shared/providers';

/*
 * The fields of motion control, lip-sync, AI avatar, reference to video, video edit and video extend,
 * generated from the catalog like the generation fields: a field shows only for the models whose
 * entry has that input. These are Generation Types of the same operations (Generate Video, Submit,
 * Get Task, Wait for Task): completion modes stay operations (DESIGN.md), and Get Task and the
 * trigger need the type anyway (Kling's status path differs per product).
 */

const GENERATING = ['generate', 'submit'];
const PROVIDER_IDS = Object.keys(CATALOG) as ProviderId[];

export const GENERATION_TYPE_OPTIONS: INodePropertyOptions[] = [
	{
		name: 'Motion Control',
		value: 'motion-control',
		description: 'Make the character in an image move like the person in a reference video',
	},
	{
		name: 'Lip-Sync',
		value: 'lip-sync',
		description: 'Make the person in a video speak an audio track, or a text in a chosen voice',
	},
	{
		name: 'AI Avatar',
		value: 'avatar',
		description: 'Turn a portrait image and an audio track into a talking video',
	},
	{
		name: 'Reference to Video',
		value: 'reference-to-video',
		description:
			'Generate from reference images, a reference video or elements named in the prompt',
	},
	{
		name: 'Edit Video',
		value: 'edit-video',
		description: 'Change an existing clip as the prompt says (style, weather, objects)',
	},
	{
		name: 'Extend Video',
		value: 'extend-video',
		description: 'Continue an existing clip from its last frame (Kling 4.0)',
	},
];

const MODE_NAMES = Object.fromEntries(
	GENERATION_TYPE_OPTIONS.map((option) => [option.value, option.name]),
) as Record<CapabilityMode, string>;

/** The model values of a provider's capability whose entry passes `has`. */
function modelsWith(
	provider: ProviderId,
	mode: CapabilityMode,
	has: (spec: CapabilitySpec, entry: ModelEntry) => boolean,
): string[] {
	return modelsFor(provider, mode)
		.filter((entry) => entry.capability && has(entry.capability, entry))
		.map((entry) => entry.model);
}

function showFor(
	provider: ProviderId,
	mode: CapabilityMode,
	models: string[],
	extra: Record<string, unknown[]> = {},
): INodeProperties['displayOptions'] {
	return {
		show: {
			authentication: [provider],
			mode: [mode],
			model: models,
			operation: GENERATING,
			...extra,
		} as Record<string, Array<string | number | boolean>>,
	};
}

/** Every (provider, capability) whose models have an input, each with its models. */
function each(
	has: (spec: CapabilitySpec, entry: ModelEntry) => boolean,
): Array<{ provider: ProviderId; mode: CapabilityMode; models: string[] }> {
	return PROVIDER_IDS.flatMap((provider) =>
		CAPABILITY_MODES.map((mode) => ({ provider, mode, models: modelsWith(provider, mode, has) })),
	).filter(({ models }) => models.length > 0);
}

interface MediaField {
	kind: 'image' | 'video' | 'audio';
	label: string;
	names: { source: string; url: string; binary: string };
	description: string;
	urlHint: string;
}

const MEDIA: Record<'image' | 'video' | 'audio' | 'end', MediaField> = {
	image: {
		kind: 'image',
		label: 'Character Image',
		names: { source: 'startImageSource', url: 'startImageUrl', binary: 'startImageBinaryProperty' },
		description: 'The person or character to animate',
		urlHint: 'e.g. https://example.com/presenter.png',
	},
	video: {
		kind: 'video',
		label: 'Input Video',
		names: { source: 'inputVideoSource', url: 'inputVideoUrl', binary: 'inputVideoBinaryProperty' },
		description: 'The video the model works from (MP4 or MOV)',
		urlHint: 'e.g. https://example.com/clip.mp4',
	},
	audio: {
		kind: 'audio',
		label: 'Input Audio',
		names: { source: 'inputAudioSource', url: 'inputAudioUrl', binary: 'inputAudioBinaryProperty' },
		description: 'The speech or sound track (MP3, WAV, M4A or AAC)',
		urlHint: 'e.g. https://example.com/voice.mp3',
	},
	end: {
		kind: 'image',
		label: 'End Frame',
		names: { source: 'endImageSource', url: 'endImageUrl', binary: 'endImageBinaryProperty' },
		description: 'Optional: the frame the continuation should end on',
		urlHint: 'e.g. https://example.com/last.png',
	},
};

/** Words for a media input's limits: "MP4, MOV · 3–30 s · up to 100 MB". */
function limitsText(spec: CapabilitySpec, kind: 'image' | 'video' | 'audio'): string {
	const limits = spec[kind]?.limits;
	if (!limits) return '';
	const names = limits.types.map((type) =>
		type.split('/')[1].replace('quicktime', 'mov').replace('mpeg', 'mp3').toUpperCase(),
	);
	const parts = [names.join(', ')];
	const { minSeconds: min, maxSeconds: max } = limits;
	if (min !== undefined && max !== undefined) parts.push(`${min}–${max} s`);
	else if (min !== undefined) parts.push(`at least ${min} s`);
	else if (max !== undefined) parts.push(`at most ${max} s`);
	if (limits.maxBytes) parts.push(`up to ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
	return parts.join(' · ');
}

function mediaProperties(which: 'image' | 'video' | 'audio' | 'end'): INodeProperties[] {
	const field = MEDIA[which];
	const key = which === 'end' ? 'image' : which;
	return each((spec, entry) => (which === 'end' ? entry.endFrame !== 'none' : !!spec[key])).flatMap(
		({ provider, mode, models }) => {
			const entry = modelsFor(provider, mode).find((e) => models.includes(e.model))!;
			const spec = entry.capability!;
			const required = which !== 'end' && spec[key]?.required === true;
			const binary = canSendBinary(PROVIDERS[provider], field.kind);
			const sources: INodePropertyOptions[] = [
				...(required
					? []
					: [{ name: 'None', value: 'none', description: `No ${field.label.toLowerCase()}` }]),
				{ name: 'URL', value: 'url', description: 'A public link; the provider fetches it' },
				...(binary
					? [
							{
								name: 'Binary Property',
								value: 'binary',
								description:
									"A file in the input item's binary data, uploaded through the provider's files API",
							},
						]
					: []),
			];
			const where = showFor(provider, mode, models);
			const withSource = (source: string) => ({
				show: { ...where!.show, [field.names.source]: [source] },
			});
			const limits = which === 'end' ? 'JPG or PNG' : limitsText(spec, key);
			return [
				{
					displayName: field.label,
					name: field.names.source,
					type: 'options',
					options: sources,
					// Optional inputs too: an empty URL means none.
					default: 'url',
					description: binary
						? field.description
						: `${field.description}. ${PROVIDERS[provider].displayName} has no file upload API: use a public URL`,
					displayOptions: where,
				},
				{
					displayName: `${field.label} URL`,
					name: field.names.url,
					type: 'string',
					default: '',
					placeholder: field.urlHint,
					description: limits,
					displayOptions: withSource('url'),
				},
				{
					displayName: `${field.label} Binary Property`,
					name: field.names.binary,
					type: 'string',
					default: 'data',
					description: `Name of the binary property holding the file (${limits}; checked from its bytes before anything is paid)`,
					displayOptions: withSource('binary'),
				},
			];
		},
	);
}

function referenceImageProperties(): INodeProperties[] {
	return each((spec) => !!spec.referenceImages).flatMap(({ provider, mode, models }) => {
		const entry = modelsFor(provider, mode).find((e) => models.includes(e.model))!;
		const refs = entry.capability!.referenceImages!;
		const cap =
			refs.maxWithVideo !== undefined
				? `up to ${refs.max} (${refs.maxWithVideo} with a video)`
				: `up to ${refs.max}`;
		const binary = canSendBinary(PROVIDERS[provider], 'image');
		const properties: INodeProperties[] = [
			{
				displayName: 'Reference Image URLs',
				name: 'referenceImageUrls',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://example.com/hero.png, https://example.com/room.png',
				description: `Public links to reference images, separated by commas (${cap}); refer to them in the prompt as @Image1, @Image2… in this order`,
				displayOptions: showFor(provider, mode, models),
			},
		];
		if (binary) {
			properties.push({
				displayName: 'Reference Image Binary Properties',
				name: 'referenceImageBinaryProperties',
				type: 'string',
				default: '',
				description:
					'Or names of binary properties holding reference images, separated by commas (they follow the URLs in the @Image numbering)',
				displayOptions: showFor(provider, mode, models),
			});
		}
		return properties;
	});
}

function speechProperties(): INodeProperties[] {
	return each((spec) => !!spec.speech).flatMap(({ provider, mode, models }) => {
		const entry = modelsFor(provider, mode).find((e) => models.includes(e.model))!;
		const speech = entry.capability!.speech!;
		const where = showFor(provider, mode, models);
		const properties: INodeProperties[] = [
			{
				displayName: 'Speech Text',
				name: 'speechText',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				placeholder: 'e.g. This week only: 20% off every coffee',
				description: `What the person says (at most ${speech.maxChars} characters)`,
				displayOptions: where,
			},
			{
				displayName: 'Voice ID',
				name: 'voiceId',
				type: 'string',
				default: '',
				placeholder: speech.defaultVoice,
				description: `One of the provider's Kling voice IDs (e.g. oversea_male1, uk_boy1); empty = ${speech.defaultVoice}`,
				displayOptions: where,
			},
		];
		if (speech.languageField) {
			properties.push({
				displayName: 'Voice Language',
				name: 'voiceLanguage',
				type: 'options',
				options: [
					{ name: 'English', value: 'en' },
					{ name: 'Chinese', value: 'zh' },
				],
				default: 'en',
				displayOptions: where,
			});
		}
		if (speech.speedField) {
			properties.push({
				displayName: 'Voice Speed',
				name: 'voiceSpeed',
				type: 'number',
				typeOptions: { minValue: 0.8, maxValue: 2, numberPrecision: 1 },
				default: 1,
				description: 'From 0.8 (slower) to 2 (faster)',
				displayOptions: where,
			});
		}
		return properties;
	});
}

function motionProperties(): INodeProperties[] {
	return each((spec) => !!spec.orientation).map(
		({ provider, mode, models }): INodeProperties => ({
			displayName: 'Character Orientation',
			name: 'characterOrientation',
			type: 'options',
			options: [
				{
					name: 'As in the Video',
					value: 'video',
					description: 'The character turns as the person in the video does (reference up to 30 s)',
				},
				{
					name: 'As in the Image',
					value: 'image',
					description: 'The character keeps facing as in the image (reference up to 10 s)',
				},
			],
			default: 'video',
			displayOptions: showFor(provider, mode, models),
		}),
	);
}

function keepSoundProperties(): INodeProperties[] {
	return each((spec) => !!spec.keepSound).map(
		({ provider, mode, models }): INodeProperties => ({
			displayName: 'Keep Original Sound',
			name: 'keepOriginalSound',
			type: 'boolean',
			default: true,
			description: "Whether the result keeps the input video's sound",
			displayOptions: showFor(provider, mode, models),
		}),
	);
}

/** A notice where a provider does not sell the chosen capability (KLING-MODELS.md §1b). */
function missingProperties(): INodeProperties[] {
	return CAPABILITY_MODES.flatMap((mode) => {
		const without = PROVIDER_IDS.filter((provider) => !modelsFor(provider, mode).length);
		if (!without.length) return [];
		const with_ = PROVIDER_IDS.filter((provider) => modelsFor(provider, mode).length).map(
			(provider) => PROVIDERS[provider].displayName,
		);
		return [
			{
				displayName: `This provider does not offer ${MODE_NAMES[mode]}. Providers that do: ${with_.join(', ')}`,
				name: 'capabilityNotice',
				type: 'notice' as const,
				default: '',
				displayOptions: { show: { authentication: without, mode: [mode] } },
			},
		];
	});
}

/** How a reference prompt names its inputs, shown under the prompt for reference, edit and extend. */
function referenceNotice(): INodeProperties[] {
	return each((spec) => !!spec.promptRefs).map(
		({ provider, mode, models }): INodeProperties => ({
			displayName:
				"In the prompt, refer to the inputs as @Image1, @Image2… (reference images in order), @Video1 (the input video), @Audio1 and @Element1 or an element's name: the node writes them the way the provider expects",
			name: 'referenceSyntaxNotice',
			type: 'notice',
			default: '',
			displayOptions: showFor(provider, mode, models),
		}),
	);
}

export function capabilityProperties(): INodeProperties[] {
	return [
		...missingProperties(),
		...referenceNotice(),
		...mediaProperties('image'),
		...mediaProperties('video'),
		...mediaProperties('audio'),
		...mediaProperties('end'),
		...referenceImageProperties(),
		...speechProperties(),
		...motionProperties(),
		...keepSoundProperties(),
	];
}
