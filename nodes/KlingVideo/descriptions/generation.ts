import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { CATALOG, modelsFor, entriesOf } from '../../shared/catalog';
import { KLING_4_ASPECT_RATIOS } from '../../shared/catalog/common';
import {
	GENERATION_MODES,
	isCapabilityMode,
	type GenerationMode,
	type ModelEntry,
	type ProviderId,
} from '../../shared/catalog/types';
import { capabilityProperties, GENERATION_TYPE_OPTIONS } from './capabilities';
import { CUSTOM_MODEL } from '../../shared/engine/input';
import { describeDurations } from '../../shared/engine/request';
import { PROVIDERS } from '../../shared/providers';

/*
 * The generation fields, generated from the model catalog. A field a model lacks is not shown: each
 * field is a set of same-name properties whose displayOptions name the provider, generation type and
 * models they apply to. Same-name properties keep their value when the user switches model or type
 * (n8n keeps a value while any property of that name is displayed).
 */

const WITH_MODEL = ['generate', 'submit', 'getTask', 'waitForTask', 'cancelTask'];
const GENERATING = ['generate', 'submit'];
const MODES: GenerationMode[] = [...GENERATION_MODES];
const PROVIDER_IDS = Object.keys(CATALOG) as ProviderId[];

/** One model option: its entries (Kling official may have one per API generation). */
interface ModelView {
	model: string;
	name: string;
	entries: ModelEntry[];
}

function views(provider: ProviderId, mode: GenerationMode): ModelView[] {
	return modelsFor(provider, mode).map((first) => ({
		model: first.model,
		name: first.name,
		entries: entriesOf(provider, first.model, mode),
	}));
}

/** Model values grouped by a key (e.g. their duration spec), in catalog order. */
function groupBy<K>(
	list: ModelView[],
	keyOf: (view: ModelView) => K | null,
): Array<{ key: K; models: string[] }> {
	const groups = new Map<string, { key: K; models: string[] }>();
	for (const view of list) {
		const key = keyOf(view);
		if (key === null) continue;
		const id = JSON.stringify(key);
		if (!groups.has(id)) groups.set(id, { key, models: [] });
		groups.get(id)!.models.push(view.model);
	}
	return [...groups.values()];
}

/** Version 1 lists "Custom Model ID" too; it follows version 1's default model. */
function withCustom(provider: ProviderId, models: string[]): string[] {
	return models.includes(CATALOG[provider].firstVersionDefault)
		? [...models, CUSTOM_MODEL]
		: models;
}

function show(
	provider: ProviderId,
	mode: GenerationMode,
	models: string[],
	extra: Record<string, unknown[]> = {},
): INodeProperties['displayOptions'] {
	return {
		show: {
			authentication: [provider],
			mode: [mode],
			model: withCustom(provider, models),
			operation: GENERATING,
			...extra,
		} as Record<string, Array<string | number | boolean>>,
	};
}

function money(usd: number): string {
	return `$${usd.toFixed(3).replace(/0$/, '')}`;
}

/** "$0.112/s, $0.168/s with audio (2026-12-01)" from the catalog's dated prices. */
export function priceText(entry: ModelEntry): string | null {
	const price = entry.price;
	if (!price) return null;
	const parts = [`${money(price.usdPerSecond)}/s`];
	if (price.usdPerSecondWithAudio !== undefined) {
		parts.push(`${money(price.usdPerSecondWithAudio)}/s with audio`);
	}
	if (price.usdPerSecondByResolution) {
		parts.splice(
			0,
			1,
			Object.entries(price.usdPerSecondByResolution)
				.map(([resolution, usd]) => `${money(usd)}/s at ${resolution}`)
				.join(', '),
		);
	}
	return `${parts.join(', ')} (${price.date})`;
}

function modelDescription(view: ModelView): string {
	const entry = view.entries[0];
	const facts = [entry.durations ? describeDurations(entry.durations) : 'length follows the input'];
	if (entry.audio.kind === 'always') facts.push('always with sound');
	if (entry.audio.kind === 'switch') facts.push('sound on or off');
	if (view.entries.some((e) => e.multiShot)) facts.push('multi-shot');
	if (entry.mode === 'image-to-video' && entry.endFrame !== 'none') facts.push('end frame');
	if (view.entries.some((e) => e.elements)) facts.push('elements');
	const price = priceText(entry);
	if (price) facts.push(price);
	if (view.entries.every((e) => e.api === 'new'))
		facts.push("needs the Kling credential's API key");
	return facts.join(' · ');
}

function modelProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) =>
		MODES.flatMap((mode) => {
			const list = views(provider, mode);
			if (!list.length) return [];
			const options: INodePropertyOptions[] = list.map((view) => ({
				name: view.name,
				value: view.model,
				description: modelDescription(view),
			}));
			const catalog = CATALOG[provider];
			const defaultFor = (wanted: string) =>
				list.some((view) => view.model === wanted) ? wanted : list[0].model;
			const base = {
				displayName: 'Model',
				name: 'model',
				type: 'options' as const,
				description: `The Kling model ${PROVIDERS[provider].displayName} runs (type to search)`,
			};
			const where = { authentication: [provider], mode: [mode], operation: WITH_MODEL };
			return [
				{
					...base,
					options: [
						...options,
						{
							name: 'Custom Model ID',
							value: CUSTOM_MODEL,
							description: 'A newer Kling model the list does not have yet',
						},
					],
					default: defaultFor(catalog.firstVersionDefault),
					displayOptions: { show: { ...where, '@version': [1] } },
				},
				{
					...base,
					options,
					default: defaultFor(catalog.defaultModel),
					displayOptions: { show: { ...where, '@version': [2] } },
				},
			];
		}),
	);
}

function durationProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) =>
		MODES.flatMap((mode) =>
			groupBy(views(provider, mode), (view) =>
				view.entries[0].durations
					? {
							durations: view.entries[0].durations,
							defaultDuration: view.entries[0].defaultDuration,
						}
					: null,
			).map(({ key, models }): INodeProperties => {
				const common = {
					displayName: 'Duration',
					name: 'duration',
					default: key.defaultDuration,
					displayOptions: show(provider, mode, models),
				};
				if ('values' in key.durations) {
					return {
						...common,
						type: 'options',
						options: key.durations.values.map((seconds) => ({
							name: `${seconds} Seconds`,
							value: seconds,
						})),
						description: 'Length of the clip; the price is per second',
					};
				}
				return {
					...common,
					type: 'number',
					typeOptions: {
						minValue: key.durations.min,
						maxValue: key.durations.max,
						numberPrecision: 0,
					},
					description: `Length of the clip in whole seconds, ${describeDurations(key.durations)}; the price is per second`,
				};
			}),
		),
	);
}

const ASPECT_NAMES: Record<string, string> = {
	'16:9': '16:9 (Landscape)',
	'9:16': '9:16 (Portrait, Reels and TikTok)',
	'1:1': '1:1 (Square)',
	'21:9': '21:9 (Cinema)',
};

function aspectOptions(ratios: string[]): INodePropertyOptions[] {
	return ratios.map((ratio) => ({ name: ASPECT_NAMES[ratio] ?? ratio, value: ratio }));
}

function aspectRatioProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) => [
		...groupBy(views(provider, 'text-to-video'), (view) => view.entries[0].aspectRatios).map(
			({ key, models }): INodeProperties => {
				const landscape = key.includes('16:9') ? '16:9' : key[0];
				return {
					displayName: 'Aspect Ratio',
					name: 'aspectRatio',
					type: 'options',
					options: aspectOptions(key),
					default: landscape,
					displayOptions: show(provider, 'text-to-video', models),
				};
			},
		),
		...groupBy(views(provider, 'image-to-video'), (view) =>
			view.entries[0].aspectRatios.length ? view.entries[0].aspectRatios : null,
		).map(
			({ key, models }): INodeProperties => ({
				displayName: 'Aspect Ratio',
				name: 'aspectRatio',
				type: 'options',
				options: [{ name: 'Follow the Start Frame', value: '' }, ...aspectOptions(key)],
				default: '',
				description: 'Left at "Follow the Start Frame", the video keeps the image\'s aspect ratio',
				displayOptions: show(provider, 'image-to-video', models),
			}),
		),
		...MODES.filter(isCapabilityMode).flatMap((mode) =>
			groupBy(views(provider, mode), (view) =>
				view.entries[0].aspectRatios.length ? view.entries[0].aspectRatios : null,
			).map(
				({ key, models }): INodeProperties => ({
					displayName: 'Aspect Ratio',
					name: 'aspectRatio',
					type: 'options',
					options: [{ name: "Provider's Default", value: '' }, ...aspectOptions(key)],
					default: '',
					description: "Left at the provider's default, the video follows the inputs",
					displayOptions: show(provider, mode, models),
				}),
			),
		),
		// Image-to-video models without a choice: the same field (so a value survives a switch), with a hint.
		...groupBy(views(provider, 'image-to-video'), (view) =>
			view.entries[0].aspectRatios.length ? null : true,
		).map(
			({ models }): INodeProperties => ({
				displayName: 'Aspect Ratio',
				name: 'aspectRatio',
				type: 'options',
				options: aspectOptions(KLING_4_ASPECT_RATIOS),
				default: '16:9',
				hint: "This model follows the start frame's aspect ratio; this value applies to text-to-video only",
				displayOptions: show(provider, 'image-to-video', models),
			}),
		),
	]);
}

function audioProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) =>
		MODES.flatMap((mode) => {
			const list = views(provider, mode);
			const switchable = list.filter((view) => view.entries.some((e) => e.audio.kind === 'switch'));
			const always = list.filter((view) => view.entries.every((e) => e.audio.kind === 'always'));
			const properties: INodeProperties[] = [];
			if (switchable.length) {
				properties.push({
					displayName: 'Audio',
					name: 'audio',
					type: 'boolean',
					default: true,
					description:
						'Whether the video comes with sound generated by the model (speech, effects, music); most providers charge more for it',
					displayOptions: show(
						provider,
						mode,
						switchable.map((view) => view.model),
					),
				});
			}
			if (always.length) {
				properties.push({
					displayName: 'This model always generates sound: there is no audio switch',
					name: 'audioNotice',
					type: 'notice',
					default: '',
					displayOptions: show(
						provider,
						mode,
						always.map((view) => view.model),
					),
				});
			}
			return properties;
		}),
	);
}

function resolutionProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) =>
		MODES.flatMap((mode) =>
			groupBy(views(provider, mode), (view) =>
				view.entries[0].resolutions.length ? view.entries[0].resolutions : null,
			).map(({ key, models }): INodeProperties => {
				const lowest = key[0];
				return {
					displayName: 'Resolution',
					name: 'resolution',
					type: 'options',
					options: key.map((resolution) => ({ name: resolution, value: resolution })),
					default: lowest,
					description: 'Output resolution; higher costs more',
					displayOptions: show(provider, mode, models),
				};
			}),
		),
	);
}

function multiShotProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) =>
		MODES.flatMap((mode) =>
			groupBy(
				views(provider, mode),
				(view) => view.entries.find((e) => e.multiShot)?.multiShot ?? null,
			).flatMap(({ key, models }): INodeProperties[] => {
				const limits = [
					key.maxShots !== null ? `up to ${key.maxShots} shots` : null,
					key.sumEqualsDuration ? 'their durations add up to Duration' : null,
					key.maxShotPromptLength !== null
						? `each prompt at most ${key.maxShotPromptLength} characters`
						: null,
					key.withEndFrame ? null : 'no end frame',
					key.requiresAudio ? 'Audio on' : null,
				].filter(Boolean);
				return [
					{
						displayName: 'Multi-Shot',
						name: 'multiShot',
						type: 'boolean',
						default: false,
						description: `Whether the clip is made of several shots, each with its own prompt and duration (${limits.join('; ')})`,
						displayOptions: show(provider, mode, models),
					},
					{
						displayName: 'Shots',
						name: 'shots',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true, sortable: true },
						placeholder: 'Add Shot',
						default: {},
						description: `The shots in order: ${limits.join('; ')}`,
						displayOptions: show(provider, mode, models, { multiShot: [true] }),
						options: [
							{
								displayName: 'Shot',
								name: 'shot',
								values: [
									{
										displayName: 'Prompt',
										name: 'prompt',
										type: 'string',
										typeOptions: { rows: 2 },
										default: '',
										placeholder: 'e.g. Close-up: the cup steams on the table',
									},
									{
										displayName: 'Duration (Seconds)',
										name: 'duration',
										type: 'number',
										typeOptions: { minValue: key.minShotDuration, numberPrecision: 0 },
										default: 3,
									},
								],
							},
						],
					},
				];
			}),
		),
	);
}

/** How a prompt refers to elements on each provider. */
const ELEMENT_SYNTAX: Record<ProviderId, string> = {
	wavespeed: '<<<element_1>>>',
	kling: '<<<element_1>>> (legacy API) or @element_1 (API key)',
	kie: '@ and the element name',
	fal: '@Element1',
	apixo: '',
	rivya: '',
	replicate: '',
};

function elementProperties(): INodeProperties[] {
	return PROVIDER_IDS.flatMap((provider) =>
		MODES.flatMap((mode) =>
			groupBy(
				views(provider, mode),
				(view) => view.entries.find((e) => e.elements)?.elements ?? null,
			).map(({ key, models }): INodeProperties => {
				const values: INodeProperties[] =
					key.kind === 'ids'
						? [
								{
									displayName: 'Element ID',
									name: 'elementId',
									type: 'string',
									default: '',
									description: "The element's ID from the provider's element library",
								},
							]
						: [
								{ displayName: 'Name', name: 'name', type: 'string', default: '' },
								{ displayName: 'Description', name: 'description', type: 'string', default: '' },
								{
									displayName: 'Image URLs',
									name: 'imageUrls',
									type: 'string',
									default: '',
									description: 'Public links to 2–4 reference images, separated by commas',
								},
								{
									displayName: 'Image Binary Properties',
									name: 'imageBinaryProperties',
									type: 'string',
									default: '',
									description:
										'Or names of binary properties holding the images, separated by commas (uploaded for you)',
								},
							];
				return {
					displayName: 'Elements',
					name: 'elements',
					type: 'fixedCollection',
					typeOptions: { multipleValues: true },
					placeholder: 'Add Element',
					default: {},
					description: `Characters or objects kept consistent across the video (up to ${key.max}); refer to them in the prompt as ${ELEMENT_SYNTAX[provider]}`,
					displayOptions: show(provider, mode, models),
					options: [{ displayName: 'Element', name: 'element', values }],
				};
			}),
		),
	);
}

/**
 * Generation Settings: one collection per provider whose options show only for models that have
 * them (a model may have a field in one generation type only).
 */
function settingsProperties(): INodeProperties[] {
	return PROVIDER_IDS.map((provider): INodeProperties => {
		const shownFor = (has: (entry: ModelEntry) => boolean) => {
			const modesOf = new Map<string, GenerationMode[]>();
			for (const mode of MODES) {
				for (const view of views(provider, mode)) {
					if (!view.entries.some(has)) continue;
					modesOf.set(view.model, [...(modesOf.get(view.model) ?? []), mode]);
				}
			}
			// One condition per set of generation types: the models that have the field in exactly those.
			const groups = new Map<string, { modes: GenerationMode[]; models: string[] }>();
			for (const [model, modes] of modesOf) {
				const key = modes.join(',');
				if (!groups.has(key)) groups.set(key, { modes, models: [] });
				groups.get(key)!.models.push(model);
			}
			return [...groups.values()].map(({ modes, models }) => ({
				'/model': withCustom(provider, models),
				'/mode': modes,
			}));
		};
		const negative = shownFor((entry) => entry.negativePrompt).map(
			(condition): INodeProperties => ({
				displayName: 'Negative Prompt',
				name: 'negativePrompt',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				placeholder: 'e.g. blur, distortion, low quality',
				description: 'What the video should avoid',
				displayOptions: { show: condition },
			}),
		);
		const cfg = shownFor((entry) => entry.cfgScale).map(
			(condition): INodeProperties => ({
				displayName: 'Guidance (CFG) Scale',
				name: 'cfgScale',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.5,
				description:
					'How closely the video follows the prompt, from 0 to 1; higher is closer but stiffer',
				displayOptions: { show: condition },
			}),
		);
		return {
			displayName: 'Generation Settings',
			name: 'generationSettings',
			type: 'collection',
			placeholder: 'Add Setting',
			default: {},
			displayOptions: { show: { authentication: [provider], operation: GENERATING } },
			options: [
				{
					displayName: 'Additional Fields (JSON)',
					name: 'additionalFields',
					type: 'json',
					default: '{}',
					description:
						"Extra provider fields sent as they are, next to the model's other inputs (fields the node sets itself are refused)",
				},
				...cfg,
				...negative,
			],
		};
	});
}

function endFrameShow(
	extra: Record<string, unknown[]> = {},
): Array<INodeProperties['displayOptions']> {
	return PROVIDER_IDS.map((provider) => {
		const models = views(provider, 'image-to-video')
			.filter((view) => view.entries.some((entry) => entry.endFrame !== 'none'))
			.map((view) => view.model);
		return show(provider, 'image-to-video', models, extra);
	}).filter((condition) => (condition?.show?.model?.length ?? 0) > 0);
}

const IMAGE_SOURCES = [
	{ name: 'Image URL', value: 'url', description: 'A public link to a JPG, PNG or WebP image' },
	{
		name: 'Binary Property',
		value: 'binary',
		description:
			"An image in the input item's binary data, uploaded through the provider's files API",
	},
];

function imageProperties(): INodeProperties[] {
	const startShow = { show: { operation: GENERATING, mode: ['image-to-video'] } };
	const frameFields = (
		which: 'start' | 'end',
		displayOptions: INodeProperties['displayOptions'],
	): INodeProperties[] => {
		const label = which === 'start' ? 'Start Frame' : 'End Frame';
		const firstSource = which === 'start' ? 'url' : 'none';
		const withSource = (source: string) => ({
			show: { ...displayOptions!.show, [`${which}ImageSource`]: [source] },
		});
		return [
			{
				displayName: label,
				name: `${which}ImageSource`,
				type: 'options',
				options:
					which === 'start'
						? IMAGE_SOURCES
						: [{ name: 'None', value: 'none', description: 'No end frame' }, ...IMAGE_SOURCES],
				default: firstSource,
				description:
					which === 'start'
						? 'The first frame of the video'
						: 'The last frame of the video, for models that support it',
				displayOptions,
			},
			{
				displayName: `${label} URL`,
				name: `${which}ImageUrl`,
				type: 'string',
				default: '',
				placeholder: 'e.g. https://example.com/product.png',
				description: 'JPG, PNG or WebP, at most 10 MB, at least 300 × 300 pixels',
				displayOptions: withSource('url'),
			},
			{
				displayName: `${label} Binary Property`,
				name: `${which}ImageBinaryProperty`,
				type: 'string',
				default: 'data',
				description: 'Name of the binary property holding the image',
				displayOptions: withSource('binary'),
			},
		];
	};
	const noUpload = (Object.values(PROVIDERS) as Array<(typeof PROVIDERS)[ProviderId]>)
		.filter((adapter) => !adapter.buildUploadRequest && !adapter.inlineImage)
		.map(
			(adapter): INodeProperties => ({
				displayName: `${adapter.displayName} has no file upload API: images must be public URLs (JPG, PNG or WebP)`,
				name: 'publicImagesNotice',
				type: 'notice',
				default: '',
				displayOptions: {
					show: { authentication: [adapter.id], operation: GENERATING, mode: ['image-to-video'] },
				},
			}),
		);
	return [
		...noUpload,
		...frameFields('start', startShow),
		...endFrameShow().flatMap((displayOptions) => frameFields('end', displayOptions)),
	];
}

export const generationProperties: INodeProperties[] = [
	{
		displayName: 'Generation Type',
		name: 'mode',
		type: 'options',
		options: [
			{
				name: 'Text to Video',
				value: 'text-to-video',
				description: 'Generate a video from the prompt alone',
			},
			{
				name: 'Image to Video',
				value: 'image-to-video',
				description: 'Animate a start frame, optionally towards an end frame',
			},
			...GENERATION_TYPE_OPTIONS,
		],
		default: 'text-to-video',
		displayOptions: { show: { operation: WITH_MODEL } },
	},
	...modelProperties(),
	{
		displayName: 'Custom Model ID',
		name: 'customModelId',
		type: 'string',
		default: '',
		placeholder: 'e.g. kwaivgi/kling-v3.0-pro/text-to-video',
		description: "The provider's model ID, exactly as its docs spell it",
		hint: 'The common fields are sent as for the first listed model; put anything else in Generation Settings → Additional Fields (JSON)',
		displayOptions: { show: { model: [CUSTOM_MODEL], operation: WITH_MODEL, '@version': [1] } },
	},
	{
		displayName: 'Custom Model ID',
		name: 'customModelId',
		type: 'string',
		default: '',
		placeholder: 'e.g. kwaivgi/kling-v3.1-pro/text-to-video',
		description:
			'Optional: a newer model ID to send instead of the listed one. The model chosen above still decides the fields and limits, so pick the listed model the new one speaks like.',
		displayOptions: { show: { operation: WITH_MODEL, '@version': [2] } },
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.taskId }}',
		description: 'The taskId output of a Submit or Generate Video node',
		displayOptions: { show: { operation: ['getTask', 'waitForTask', 'cancelTask'] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. A slow dolly shot of a coffee cup on a sunny kitchen table, steam rising',
		description: 'What the video should show',
		displayOptions: {
			show: { operation: GENERATING, mode: ['text-to-video', 'image-to-video'] },
			hide: { multiShot: [true] },
		},
	},
	{
		// Motion control and avatar take an optional prompt; reference, edit and extend need one (checked
		// per model); lip-sync has none.
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. @Image1 walks through @Image2, smiling',
		description: 'What the result should show; optional for motion control and avatars',
		displayOptions: {
			show: {
				operation: GENERATING,
				mode: MODES.filter((mode) => isCapabilityMode(mode) && mode !== 'lip-sync'),
			},
		},
	},
	...multiShotProperties(),
	...imageProperties(),
	...durationProperties(),
	...aspectRatioProperties(),
	...audioProperties(),
	...resolutionProperties(),
	...elementProperties(),
	...capabilityProperties(),
	...settingsProperties(),
	{
		displayName: 'Callback URL',
		name: 'callbackUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/…',
		description:
			"Where the provider reports the finished task: paste the Kling Video Trigger's Production URL. Leave empty to poll with Get Task.",
		displayOptions: { show: { operation: ['submit'] }, hide: { authentication: ['rivya'] } },
	},
	{
		displayName:
			'Rivya AI has no per-task callback URL: activate a Kling Video Trigger for Rivya, which registers itself as an account webhook endpoint and receives every task (matched by task ID)',
		name: 'rivyaCallbackNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['submit'], authentication: ['rivya'] } },
	},
	{
		displayName: 'Correlation Data',
		name: 'correlation',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Value',
		default: {},
		description:
			'Values (such as a sheet row ID) that travel in the callback URL and come out of the Kling Video Trigger',
		displayOptions: { show: { operation: ['submit'] }, hide: { authentication: ['rivya'] } },
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
];
