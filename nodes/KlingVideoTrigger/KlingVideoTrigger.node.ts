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
import {
	NODES_DESCRIPTION,
	providerCredentials,
	providerNameExpression,
	providerProperty,
} from '../shared/fields/provider';
import { adapterFor } from '../shared/engine/nodeErrors';
import { attachVideos, receiveCallback } from './callback';
import { registerRivyaEndpoint, removeRivyaEndpoint, rivyaEndpointExists } from './rivyaEndpoint';
import {
	TOKEN_BREAKS_RULE,
	TOKEN_DEFAULT,
	TOKEN_DESCRIPTION,
	TOKEN_DESCRIPTION_V1,
	TOKEN_NOTICE,
	checkToken,
	readToken,
} from './token';

export class KlingVideoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling Video Trigger',
		name: 'klingVideoTrigger',
		icon: { light: 'file:../../icons/kling.svg', dark: 'file:../../icons/kling.dark.svg' },
		group: ['trigger'],
		// Version 2: the Callback Token is shown (it is part of the URL) and starts generated; it is the
		// parameter `callbackPath`, as n8n's checks mask any parameter whose name contains "token".
		version: [1, 2],
		defaultVersion: 2,
		subtitle: `={{ "On video task finished · " + ${providerNameExpression()} }}`,
		description: NODES_DESCRIPTION,
		defaults: { name: 'Kling Video Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// The token is part of the URL the provider calls, visible and copyable above
				// (version 1: `token`, version 2: `callbackPath`; a node has only its version's).
				path: '={{ $parameter["token"] !== undefined ? $parameter["token"] : $parameter["callbackPath"] }}',
			},
		],
		properties: [
			{
				displayName:
					"Paste this trigger's URL into the Callback URL field of a Kling Video node (operation Submit): the Test URL while you listen for a test event, the Production URL once the workflow is active. Rivya AI has no per-task Callback URL: activating the workflow registers the Production URL as a Rivya webhook endpoint.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			// One event, so no dropdown; the editor's node creator lists its option as the trigger's action.
			{
				displayName: 'Event',
				name: 'event',
				type: 'hidden',
				noDataExpression: true,
				options: [
					{
						name: 'Video Task Finished',
						value: 'taskFinished',
						action: 'On video task finished',
						description:
							'A task submitted with this URL as its Callback URL succeeded (or failed, with Emit Failed Tasks)',
					},
				],
				default: 'taskFinished',
			},
			providerProperty,
			{
				displayName: 'Callback Token',
				name: 'callbackPath',
				type: 'string',
				required: true,
				default: TOKEN_DEFAULT,
				placeholder: 'e.g. 7f3c9a2e-campaign-videos-41b8',
				description: TOKEN_DESCRIPTION,
				displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
			},
			{
				displayName: 'Callback Token',
				name: 'token',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				placeholder: 'e.g. 7f3c9a2e-campaign-videos-41b8',
				description: TOKEN_DESCRIPTION_V1,
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: TOKEN_NOTICE,
				name: 'tokenNotice',
				type: 'notice',
				default: '',
				// "@version" too: a parameter the node does not have is tested as the text "undefined"
				displayOptions: {
					show: {
						'@version': [{ _cnd: { gte: 2 } }],
						callbackPath: [{ _cnd: { regex: TOKEN_BREAKS_RULE } }],
					},
				},
			},
			{
				displayName: TOKEN_NOTICE,
				name: 'tokenNotice',
				type: 'notice',
				default: '',
				displayOptions: {
					show: { '@version': [1], token: [{ _cnd: { regex: TOKEN_BREAKS_RULE } }] },
				},
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
				const problem = checkToken(readToken(this));
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
