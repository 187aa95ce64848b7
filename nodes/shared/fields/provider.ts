import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { DEFAULT_PROVIDER, PROVIDERS } from '../providers';

/**
 * The provider selector both nodes share. It must be the parameter named `authentication`: n8n picks
 * the credential whose displayOptions name the selected value.
 */
export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: Object.values(PROVIDERS).map((adapter) => ({
		name: adapter.displayName,
		value: adapter.id,
	})),
	default: DEFAULT_PROVIDER,
	description: 'Which Kling API reseller runs the generation; each has its own credential',
};

/** One credential type per provider, shown for its `authentication` value. */
export const providerCredentials: INodeCredentialDescription[] = Object.values(PROVIDERS).map(
	(adapter) => ({
		name: adapter.credentialType,
		required: true,
		displayOptions: { show: { authentication: [adapter.id] } },
	}),
);
