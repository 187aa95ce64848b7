import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class KlingRivyaApi implements ICredentialType {
	name = 'klingRivyaApi';

	displayName = 'Kling via Rivya AI API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://rivya.ai/docs/api-quickstart';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Create a key (rvya_sk_...) at rivya.ai → API keys',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://rivya.ai',
			description:
				'Scheme and host of the API, without the API path. Change it only for a proxy or the local emulator.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/credits',
			method: 'GET',
		},
	};
}
