import type { INodeProperties } from 'n8n-workflow';
import { PROVIDERS } from '../../shared/providers';
import { CUSTOM_MODEL } from '../../shared/engine/input';

const WITH_MODEL = ['generate', 'submit', 'getTask', 'waitForTask'];
const GENERATING = ['generate', 'submit'];

const modeProperty: INodeProperties = {
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
	],
	default: 'text-to-video',
	displayOptions: { show: { operation: WITH_MODEL } },
};

/** One model list per provider, built from the adapter so names live in one place. */
const modelProperties: INodeProperties[] = Object.values(PROVIDERS).map((adapter) => {
	const firstModel = adapter.models[0].value;
	return {
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: [
			...adapter.models.map((model) => ({
				name: model.name,
				value: model.value,
				description: model.description,
			})),
			{
				name: 'Custom Model ID',
				value: CUSTOM_MODEL,
				description: 'A newer Kling model the list does not have yet',
			},
		],
		default: firstModel,
		description: `The Kling model ${adapter.displayName} runs`,
		displayOptions: { show: { authentication: [adapter.id], operation: WITH_MODEL } },
	};
});

export const generationProperties: INodeProperties[] = [
	modeProperty,
	...modelProperties,
	{
		displayName: 'Custom Model ID',
		name: 'customModelId',
		type: 'string',
		default: '',
		placeholder: 'e.g. kwaivgi/kling-v2.6-pro/text-to-video',
		description: "The provider's model ID, exactly as its docs spell it",
		hint: 'The common fields are sent as for the first listed model; put anything else in Generation Settings → Additional Fields (JSON)',
		displayOptions: { show: { model: [CUSTOM_MODEL], operation: WITH_MODEL } },
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.taskId }}',
		description: 'The taskId output of a Submit or Generate Video node',
		displayOptions: { show: { operation: ['getTask', 'waitForTask'] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. A slow dolly shot of a coffee cup on a sunny kitchen table, steam rising',
		description: 'What the video should show (at most 2500 characters)',
		displayOptions: { show: { operation: GENERATING } },
	},
	...imageProperties('start'),
	...imageProperties('end'),
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: [
			{ name: '5 Seconds', value: 5 },
			{ name: '10 Seconds', value: 10 },
		],
		default: 5,
		description: 'Length of the clip; 10 s costs about twice as much',
		displayOptions: { show: { operation: GENERATING } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: [
			{ name: '16:9 (Landscape)', value: '16:9' },
			{ name: '9:16 (Portrait, Reels and TikTok)', value: '9:16' },
			{ name: '1:1 (Square)', value: '1:1' },
		],
		default: '16:9',
		description: 'Image-to-video follows the start frame instead',
		displayOptions: { show: { operation: GENERATING, mode: ['text-to-video'] } },
	},
	{
		displayName: 'Generation Settings',
		name: 'generationSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		displayOptions: { show: { operation: GENERATING } },
		options: [
			{
				displayName: 'Additional Fields (JSON)',
				name: 'additionalFields',
				type: 'json',
				default: '{}',
				description:
					"Extra fields sent as they are, next to the model's other inputs (for custom models or new provider options)",
			},
			{
				displayName: 'Guidance (CFG) Scale',
				name: 'cfgScale',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.5,
				description:
					'How closely the video follows the prompt, from 0 to 1; higher is closer but stiffer',
			},
			{
				displayName: 'Negative Prompt',
				name: 'negativePrompt',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				placeholder: 'e.g. blur, distortion, low quality',
				description: 'What the video should avoid',
			},
		],
	},
	{
		displayName: 'Callback URL',
		name: 'callbackUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/…',
		description:
			"Where the provider reports the finished task: paste the Kling Video Trigger's production URL. Leave empty to poll with Get Task.",
		displayOptions: { show: { operation: ['submit'] } },
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
		displayOptions: { show: { operation: ['submit'] } },
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

/** Source, URL and binary-property fields for the start or end frame. */
function imageProperties(which: 'start' | 'end'): INodeProperties[] {
	const label = which === 'start' ? 'Start Frame' : 'End Frame';
	const show = { operation: GENERATING, mode: ['image-to-video'] };
	const firstSource = which === 'start' ? 'url' : 'none';
	const sources = [
		{ name: 'Image URL', value: 'url', description: 'A public link to a JPG, PNG or WebP image' },
		{
			name: 'Binary Property',
			value: 'binary',
			description:
				"An image in the input item's binary data, uploaded through the provider's files API",
		},
	];
	return [
		{
			displayName: label,
			name: `${which}ImageSource`,
			type: 'options',
			options:
				which === 'start'
					? sources
					: [{ name: 'None', value: 'none', description: 'No end frame' }, ...sources],
			default: firstSource,
			description:
				which === 'start'
					? 'The first frame of the video'
					: 'The last frame of the video, for models that support it',
			displayOptions: { show },
		},
		{
			displayName: `${label} URL`,
			name: `${which}ImageUrl`,
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/product.png',
			description: 'JPG, PNG or WebP, at most 10 MB, at least 300 × 300 pixels',
			displayOptions: { show: { ...show, [`${which}ImageSource`]: ['url'] } },
		},
		{
			displayName: `${label} Binary Property`,
			name: `${which}ImageBinaryProperty`,
			type: 'string',
			default: 'data',
			description: 'Name of the binary property holding the image',
			displayOptions: { show: { ...show, [`${which}ImageSource`]: ['binary'] } },
		},
	];
}
