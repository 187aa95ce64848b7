import { createHmac } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/** Kling tokens live 30 minutes; a fresh one is minted for every request. */
const TOKEN_LIFETIME_SECONDS = 1800;

export class KlingOfficialApi implements ICredentialType {
	name = 'klingOfficialApi';

	displayName = 'Kling AI Official API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://app.klingai.com/global/dev/document-api/apiReference/commonInfo';

	properties: INodeProperties[] = [
		{
			displayName:
				'Give an API key, or an access key and secret key. Kling 3.0 Turbo, and the new per-model API, need the API key.',
			name: 'keysNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"From the Kling AI developer console → API keys (shown once). With it the node uses Kling's per-model API where the model has one.",
		},
		{
			displayName: 'Access Key',
			name: 'accessKey',
			type: 'string',
			default: '',
			description:
				'From the Kling AI developer console → access keys (legacy /v1 API; not needed with an API key)',
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Shown once when the key pair is created. The node signs its own short-lived tokens with it.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api-singapore.klingai.com',
			description:
				'Scheme and host of the API, without the API path. Change it only for a proxy or the local emulator.',
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_…',
			description:
				'Only for the Kling Video Trigger: the Webhook Secret from the Kling console (Basic settings → Webhook), to verify signed callbacks',
		},
	];

	// The API key where there is one (both API generations take it), else a JWT (HS256, iss = access
	// key) signed with the secret key, minted per request.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const apiKey = String(credentials.apiKey ?? '').trim();
		const token = apiKey
			? apiKey
			: klingToken(String(credentials.accessKey ?? ''), String(credentials.secretKey ?? ''));
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${token}` },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/videos/text2video',
			qs: { pageNum: 1, pageSize: 1 },
			method: 'GET',
		},
	};
}

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64url');
}

export function klingToken(
	accessKey: string,
	secretKey: string,
	nowSeconds = Date.now() / 1000,
): string {
	const now = Math.floor(nowSeconds);
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64url(
		JSON.stringify({ iss: accessKey, exp: now + TOKEN_LIFETIME_SECONDS, nbf: now - 5 }),
	);
	const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest();
	return `${header}.${payload}.${base64url(signature)}`;
}
