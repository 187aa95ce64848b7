import type { INodeProperties } from 'n8n-workflow';
import { prepareGetTask, readTask } from '../operations/routing';

export const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
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
			action: 'Generate a video and wait for it',
			description: 'Submit, wait until the video is ready and output it as binary data',
		},
		{
			name: 'Get Task',
			value: 'getTask',
			action: 'Get the status of a video task',
			description: 'Read a task once; downloads the video when it has already succeeded',
			routing: {
				send: { preSend: [prepareGetTask] },
				output: { postReceive: [readTask] },
			},
		},
		{
			name: 'Submit',
			value: 'submit',
			action: 'Submit a video task without waiting',
			description:
				'Start a task and return its ID at once; with a Callback URL the Kling Video Trigger gets the result',
		},
		{
			name: 'Wait for Task',
			value: 'waitForTask',
			action: 'Wait for an existing video task',
			description: 'Wait until a submitted task ends, then output its video',
		},
	],
	default: 'generate',
};
