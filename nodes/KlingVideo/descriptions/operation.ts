import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { PROVIDERS } from '../../shared/providers';
import type { ProviderAdapter, ProviderId } from '../../shared/providers/types';
import { prepareGetTask, readTask } from '../operations/routing';

/**
 * One resource, so no dropdown: `hidden` keeps the value (n8n-core picks customOperations by
 * resource + operation; a parameter hidden by displayOptions would be dropped) and its option, from
 * which the editor's node creator lists the operations as actions.
 */
export const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'hidden',
	noDataExpression: true,
	options: [{ name: 'Video', value: 'video' }],
	default: 'video',
};

const GENERATE: INodePropertyOptions = {
	name: 'Generate Video',
	value: 'generate',
	action: 'Generate video',
	description: 'Submit, wait until the video is ready and output it as binary data',
};

const GET_TASK: INodePropertyOptions = {
	name: 'Get Task',
	value: 'getTask',
	action: 'Get task status',
	description: 'Read a task once; downloads the video when it has already succeeded',
	routing: {
		send: { preSend: [prepareGetTask] },
		output: { postReceive: [readTask] },
	},
};

const SUBMIT: INodePropertyOptions = {
	name: 'Submit',
	value: 'submit',
	action: 'Submit task',
	description:
		'Start a task and return its ID at once; with a Callback URL the Kling Video Trigger gets the result',
};

const WAIT_FOR_TASK: INodePropertyOptions = {
	name: 'Wait for Task',
	value: 'waitForTask',
	action: 'Wait for task',
	description: 'Wait until a submitted task ends, then output its video',
};

/** Offered only where the provider has a cancel endpoint (the adapter's `buildCancelRequest`). */
const CANCEL_TASK: INodePropertyOptions = {
	name: 'Cancel Task',
	value: 'cancelTask',
	action: 'Cancel task',
	description:
		'Ask the provider to stop a task that is still queued or running (Stop execution does not cancel a task)',
};

/** Offered only where the provider has a balance or credits endpoint. */
const GET_BALANCE: INodePropertyOptions = {
	name: 'Get Balance',
	value: 'getBalance',
	action: 'Get balance',
	description: "Read the provider account's balance or credits",
};

/** The operations a provider offers, in the editor's (alphabetical) order. */
function operationsOf(adapter: ProviderAdapter): INodePropertyOptions[] {
	const options = [GENERATE, GET_TASK, SUBMIT, WAIT_FOR_TASK];
	if (adapter.buildCancelRequest) options.push(CANCEL_TASK);
	if (adapter.buildBalanceRequest) options.push(GET_BALANCE);
	return options.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One Operation property per set of providers that offer the same operations (same name: n8n shows
 * the one whose providers match and keeps its value). The largest set comes first: n8n's node panel
 * lists the actions of the first Operation property it finds.
 */
function operationProperties(): INodeProperties[] {
	const groups = new Map<string, { providers: ProviderId[]; options: INodePropertyOptions[] }>();
	for (const adapter of Object.values(PROVIDERS)) {
		const options = operationsOf(adapter);
		const key = options.map((option) => option.value).join(',');
		if (!groups.has(key)) groups.set(key, { providers: [], options });
		groups.get(key)!.providers.push(adapter.id);
	}
	return [...groups.values()]
		.sort((a, b) => b.options.length - a.options.length)
		.map(({ providers, options }) => ({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: ['video'], authentication: providers } },
			options,
			default: 'generate',
		}));
}

export const operationPropertiesByProvider: INodeProperties[] = operationProperties();
