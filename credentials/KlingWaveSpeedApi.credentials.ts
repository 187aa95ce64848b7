import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class KlingWaveSpeedApi implements ICredentialType {
	name = 'klingWaveSpeedApi';

	displayName = 'Kling via WaveSpeed AI API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://wavespeed.ai/docs/docs-authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Create a key at wavespeed.ai → Access Keys',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.wavespeed.ai',
			description:
				'Scheme and host of the API, without the API path. Change it only for a proxy or the local emulator.',
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_...',
			description:
				'Only for the Kling Video Trigger: the secret WaveSpeed signs callbacks with (GET /api/v3/webhook/secret)',
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
			url: '/api/v3/balance',
			method: 'GET',
		},
	};
}
