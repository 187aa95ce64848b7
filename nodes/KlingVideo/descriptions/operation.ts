import type { INodeProperties } from 'n8n-workflow';
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

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['video'] } },
	options: [
		{
			name: 'Generate Video',
			value: 'generate',
			action: 'Generate video',
			description: 'Submit, wait until the video is ready and output it as binary data',
		},
		{
			name: 'Get Task',
			value: 'getTask',
			action: 'Get task status',
			description: 'Read a task once; downloads the video when it has already succeeded',
			routing: {
				send: { preSend: [prepareGetTask] },
				output: { postReceive: [readTask] },
			},
		},
		{
			name: 'Submit',
			value: 'submit',
			action: 'Submit task',
			description:
				'Start a task and return its ID at once; with a Callback URL the Kling Video Trigger gets the result',
		},
		{
			name: 'Wait for Task',
			value: 'waitForTask',
			action: 'Wait for task',
			description: 'Wait until a submitted task ends, then output its video',
		},
	],
	default: 'generate',
};
