import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { providerCredentials, providerProperty } from '../shared/fields/provider';
import { adapterFor } from '../shared/engine/nodeErrors';
import { attachVideos, receiveCallback } from './callback';
import { registerRivyaEndpoint, removeRivyaEndpoint, rivyaEndpointExists } from './rivyaEndpoint';
import { checkToken } from './token';

export class KlingVideoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling Video Trigger',
		name: 'klingVideoTrigger',
		icon: { light: 'file:../../icons/kling.svg', dark: 'file:../../icons/kling.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"on callback from " + $parameter["authentication"]}}',
		description:
			'Starts the workflow when a Kling video task finishes: verifies the provider callback and outputs the video',
		defaults: { name: 'Kling Video Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// The token is part of the URL the provider calls, visible and copyable above.
				path: '={{$parameter["token"]}}',
			},
		],
		properties: [
			{
				displayName:
					'Copy the Production URL above into the Kling Video node\'s "Callback URL" (operation Submit). For Rivya AI the trigger registers it as a webhook endpoint when the workflow is activated.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			providerProperty,
			{
				displayName: 'Callback Token',
				name: 'token',
				type: 'string',
				// Masked here; it shows in the Production URL above, which is what gets copied.
				typeOptions: { password: true },
				required: true,
				default: '',
				placeholder: 'e.g. 7f3c9a2e-campaign-videos-41b8',
				description:
					'Hard-to-guess text (at least 16 letters, digits, - or _). It becomes part of the callback URL, so only whoever holds the URL can start this workflow.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
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
						description: 'Whether to put the finished MP4 into binary data',
					},
					{
						displayName: 'Emit Failed Tasks',
						name: 'emitFailedTasks',
						type: 'boolean',
						default: true,
						description:
							'Whether a failed task starts the workflow too (with status "failed" and its error)',
					},
					{
						displayName: 'Include Raw Response',
						name: 'includeRawResponse',
						type: 'boolean',
						default: false,
						description: 'Whether to add the callback body as it was, under "raw"',
					},
					{
						displayName: 'Re-Read Task Before Trusting',
						name: 'refetch',
						type: 'boolean',
						default: true,
						description:
							"Whether to read the task from the provider's API before trusting status and URLs of a callback whose body is not signed (APIXO, Kie.ai, Rivya AI, WaveSpeed without a webhook secret)",
					},
					{
						displayName: 'Register Rivya Endpoint',
						name: 'registerRivyaEndpoint',
						type: 'boolean',
						default: true,
						description:
							'Whether activating the workflow registers this URL as a Rivya AI webhook endpoint (and deactivating removes it). Rivya needs a public HTTPS URL.',
						displayOptions: { show: { '/authentication': ['rivya'] } },
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (adapterFor(this).id !== 'rivya' || !registersRivya(this)) return false;
				return await rivyaEndpointExists(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const problem = checkToken(this.getNodeParameter('token') as string);
				if (problem) throw new NodeOperationError(this.getNode(), problem);
				if (adapterFor(this).id === 'rivya' && registersRivya(this))
					await registerRivyaEndpoint(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				if (adapterFor(this).id === 'rivya') await removeRivyaEndpoint(this);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this);
	}

	/** Runs in the execution the webhook started: downloads the videos (see attachVideos). */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await attachVideos(this)];
	}
}

function registersRivya(ctx: IHookFunctions): boolean {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return options.registerRivyaEndpoint !== false;
}
