import type { INodeProperties } from 'n8n-workflow';

const ALL_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Name of the binary property the video is written to',
	},
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10,
		description:
			"How many items are submitted and waited for at the same time. Lower it if the provider's rate limit answers 429.",
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description:
			'Whether to put the finished MP4 into binary data. Off: only the video URL is returned (provider URLs expire, download soon).',
	},
	{
		displayName: 'First Check After (Seconds)',
		name: 'firstCheckAfter',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 1 },
		default: 0,
		description:
			"When to ask for the first time whether the video is ready. 0 = automatic: the provider's typical time (about 30 s for 5 s clips, 45 s for 10 s).",
	},
	{
		displayName: 'Include Raw Response',
		name: 'includeRawResponse',
		type: 'boolean',
		default: false,
		description: 'Whether to add the provider\'s last answer as it was, under "raw"',
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWait',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 1 },
		default: 900,
		description:
			'How long to wait for a task before giving up. The task is not cancelled: fetch it later with Get Task.',
	},
	{
		displayName: 'Output Failed Tasks as Items',
		name: 'outputFailedTasksAsItems',
		type: 'boolean',
		default: false,
		description:
			'Whether a failed task becomes an output item with status "failed" and its error, instead of failing the node',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 5,
		description: 'How often to ask again after the first check',
	},
];

const WAITING = ALL_OPTIONS.map((option) => option.name);

function optionsFor(operations: string[], names: string[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: operations } },
		options: ALL_OPTIONS.filter((option) => names.includes(option.name)),
	};
}

export const optionsProperties: INodeProperties[] = [
	optionsFor(['generate', 'waitForTask'], WAITING),
	optionsFor(['getTask'], ['binaryPropertyName', 'downloadVideo', 'includeRawResponse']),
	optionsFor(['submit'], ['includeRawResponse']),
];
