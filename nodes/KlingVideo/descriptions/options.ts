import type { INodeProperties } from 'n8n-workflow';
import { CATALOG } from '../../shared/catalog';
import type { ProviderId } from '../../shared/catalog/types';

/** Providers whose docs say failed tasks are refunded (the catalog's `refundsFailedTasks`). */
const REFUNDING_PROVIDERS = (Object.keys(CATALOG) as ProviderId[]).filter(
	(provider) => CATALOG[provider].refundsFailedTasks,
);

/** Concurrency 0 = Auto: node version 2's default (version 1 kept 10 for saved workflows). */
function concurrency(defaultValue: number): INodeProperties {
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: defaultValue,
		description:
			"How many tasks may run at once. 0 = Auto: submit every item at once and, if the provider refuses for its rate or concurrency limit, hold back and try again as this run's tasks finish (nothing refused is paid). Any other number is a hard limit.",
	};
}

const ALL_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Name of the binary property the video is written to',
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
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.sku }}.mp4',
		description:
			'Name of the video file, evaluated per item. Empty: provider and task ID, e.g. kie-abc123.mp4. Path separators and characters file systems refuse become "_"; .mp4 is added when missing.',
	},
	{
		displayName: 'First Check After (Seconds)',
		name: 'firstCheckAfter',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			"When to ask for the first time whether the video is ready. 0 = automatic: near the model's typical generation time for the clip's length (and what this batch's first tasks took).",
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.row_number }}',
		description:
			"A key that is the same whenever the same video is wanted (such as the sheet row). Kling AI: a task made with this key is looked up and returned instead of submitting (and paying) again. Rivya AI: sent as Idempotency-Key. Other providers take no key: running a row again pays again.",
		displayOptions: { show: { '/authentication': ['kling', 'rivya'] } },
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
		typeOptions: { minValue: 1 },
		default: 900,
		description:
			'How long to wait for a task before giving up. The task is not cancelled: fetch it later with Get Task (its status says where it was).',
	},
	{
		displayName: 'Output Failed Tasks as Items',
		name: 'outputFailedTasksAsItems',
		type: 'boolean',
		default: false,
		description:
			'Whether a failed task becomes an output item with its status and error, instead of failing the node',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1 },
		default: 5,
		description: 'How often to ask again after the first check',
	},
	{
		displayName: 'Allow Unknown Prices',
		name: 'allowUnknownPrices',
		type: 'boolean',
		default: false,
		description:
			'Whether Max Spend per Run lets through items whose price the catalog does not know (they count as $0)',
	},
	{
		displayName: 'Max Spend per Run (USD)',
		name: 'maxSpendPerRun',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description:
			"Refuse the whole batch before anything is sent when its estimated cost (the catalog's dated price per second × each item's seconds) is above this. 0 = no cap. Each item's output carries its estimatedCost.",
	},
	{
		displayName: 'Refused Items Output',
		name: 'refusedItemsOutput',
		type: 'boolean',
		default: false,
		description:
			'Whether items whose submit created nothing (rate or concurrency limit past the Submit Retry Budget, out of credit, maintenance, provider unreachable) leave on a second output, "Refused – nothing paid", for a Kling Video node on another provider. Never after an answer that may have created a task.',
	},
	{
		displayName: 'Send Failed Tasks to Refused Output',
		name: 'resubmitFailedTasks',
		type: 'boolean',
		default: false,
		description:
			'Whether a task that failed goes to the refused output too, for another provider to make. Offered only where the provider refunds failed tasks, so nothing is paid twice.',
		displayOptions: { show: { '/authentication': REFUNDING_PROVIDERS, refusedItemsOutput: [true] } },
	},
	{
		displayName: 'Submit Retry Budget (Seconds)',
		name: 'submitRetryBudget',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description:
			'How long an item may keep waiting out explicit refusals (rate limit, concurrency limit, maintenance) before it fails. Refused submits created nothing, so trying again pays nothing; never longer than Max Wait.',
	},
];

const WAIT_OPTIONS = ['firstCheckAfter', 'pollInterval', 'maxWait'];
const VIDEO_OPTIONS = ['downloadVideo', 'binaryPropertyName', 'fileName'];
const COMMON = ['includeRawResponse', 'outputFailedTasksAsItems'];
/** Generate and Submit: what a paid submit may do. */
const SPENDING_OPTIONS = [
	'submitRetryBudget',
	'idempotencyKey',
	'refusedItemsOutput',
	'maxSpendPerRun',
	'allowUnknownPrices',
];

function optionsFor(
	operations: string[],
	names: string[],
	version: number,
	concurrencyDefault: number | null,
): INodeProperties {
	const options = ALL_OPTIONS.filter((option) => names.includes(option.name));
	if (concurrencyDefault !== null) options.push(concurrency(concurrencyDefault));
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: operations, '@version': [version] } },
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

export const optionsProperties: INodeProperties[] = [1, 2].flatMap((version) => {
	const auto = version >= 2 ? 0 : 10;
	return [
		optionsFor(
			['generate'],
			[
				...WAIT_OPTIONS,
				...VIDEO_OPTIONS,
				...COMMON,
				...SPENDING_OPTIONS,
				'resubmitFailedTasks',
			],
			version,
			auto,
		),
		optionsFor(['waitForTask'], [...WAIT_OPTIONS, ...VIDEO_OPTIONS, ...COMMON], version, auto),
		optionsFor(['getTask'], [...VIDEO_OPTIONS, 'includeRawResponse'], version, null),
		optionsFor(['submit'], [...COMMON, ...SPENDING_OPTIONS], version, auto),
		optionsFor(['cancelTask'], ['includeRawResponse'], version, null),
	];
});
