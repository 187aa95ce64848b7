import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class KlingFalApi implements ICredentialType {
	name = 'klingFalApi';

	displayName = 'Kling via fal.ai API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://docs.fal.ai/model-endpoints/queue';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Create a key at fal.ai → Dashboard → Keys',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://queue.fal.run',
			description:
				'Scheme and host of the API, without the API path. Change it only for a proxy or the local emulator.',
		},
		{
			displayName: 'Webhook Public Keys URL (JWKS)',
			name: 'jwksUrl',
			type: 'string',
			default: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
			description:
				'Only for the Kling Video Trigger: where fal publishes the ED25519 keys it signs webhooks with',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Key {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/fal-ai/kling-video/requests/n8n-credential-test/status',
			method: 'GET',
			ignoreHttpStatusErrors: true,
		},
		// An unknown request ID answers 404 with a valid key; a bad key answers 401/403.
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: 'fal.ai rejected the API key' } },
			{ type: 'responseCode', properties: { value: 403, message: 'fal.ai rejected the API key' } },
		],
	};
}
