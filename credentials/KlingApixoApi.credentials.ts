import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class KlingApixoApi implements ICredentialType {
	name = 'klingApixoApi';

	displayName = 'Kling via APIXO API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://apixo.ai/docs/concepts/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Create a key in the APIXO dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.apixo.ai',
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
			url: '/api/v1/apikeys/current-balance',
			method: 'GET',
		},
	};
}
