import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class KlingKieApi implements ICredentialType {
	name = 'klingKieApi';

	displayName = 'Kling via Kie.ai API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://docs.kie.ai';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Create a key at kie.ai → API Key',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.kie.ai',
			description:
				'Scheme and host of the API, without the API path. Change it only for a proxy or the local emulator.',
		},
		{
			displayName: 'Upload Base URL',
			name: 'uploadBaseUrl',
			type: 'string',
			default: 'https://kieai.redpandaai.co',
			description: "Kie's file upload host, used for images given as binary data",
		},
		{
			displayName: 'Webhook HMAC Key',
			name: 'webhookHmacKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for the Kling Video Trigger: the webhookHmacKey from your Kie settings page, if you enabled callback signing',
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
			url: '/api/v1/chat/credit',
			method: 'GET',
		},
		// Kie answers HTTP 200 with the error code in the body.
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 401, message: 'Kie.ai rejected the API key' },
			},
		],
	};
}
