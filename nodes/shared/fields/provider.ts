import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { DEFAULT_PROVIDER, PROVIDERS } from '../providers';

/**
 * Both nodes' description. n8n's node creator shows Kling Video and Kling Video Trigger as one app,
 * "Kling Video", whose card takes the trigger's description: one text that fits both.
 */
export const NODES_DESCRIPTION =
	'Generate Kling AI videos from text or images through WaveSpeed AI, APIXO, Kie.ai, Rivya AI, fal.ai, Replicate or the official Kling API, and start workflows when a video task finishes';

/** An n8n expression for the selected provider's name ("Kie.ai"), for subtitles. */
export function providerNameExpression(): string {
	const names = Object.fromEntries(
		Object.values(PROVIDERS).map((adapter) => [adapter.id, adapter.displayName]),
	);
	return `(${JSON.stringify(names)}[$parameter["authentication"]] || $parameter["authentication"])`;
}

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
