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
			displayName: 'Storage Base URL',
			name: 'uploadBaseUrl',
			type: 'string',
			default: 'https://rest.fal.ai',
			description:
				"fal's REST host: images over 1 MB are uploaded to its storage, and the credential test asks it for an upload ticket. Change it only for a proxy or the local emulator.",
		},
		{
			displayName: 'Platform API Base URL',
			name: 'platformBaseUrl',
			type: 'string',
			default: 'https://api.fal.ai',
			description:
				"fal's account API, used only by Get Balance (it needs a key with billing read permission, such as an Admin key). Change it only for a proxy or the local emulator.",
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
		// The queue API answers 404 for an unknown request ID whatever the key, and n8n's tester skips
		// its rules when HTTP errors are ignored; an upload ticket needs a valid key (401 otherwise)
		// and costs nothing (no file is stored until bytes are PUT).
		request: {
			baseURL: '={{($credentials.uploadBaseUrl || "https://rest.fal.ai").replace(/\\/+$/, "")}}',
			url: '/storage/upload/initiate',
			qs: { storage_type: 'fal-cdn-v3' },
			method: 'POST',
			body: { content_type: 'text/plain', file_name: 'n8n-credential-test.txt' },
		},
	};
}
