import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { generationProperties } from './descriptions/generation';
import { operationProperty, providerProperty, resourceProperty } from './descriptions/operation';
import { optionsProperties } from './descriptions/options';
import { PROVIDERS } from './providers';
import { generateVideos, waitForTasks } from './shared/flow';

export class KlingVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling Video',
		name: 'klingVideo',
		icon: { light: 'file:../../icons/kling.svg', dark: 'file:../../icons/kling.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["authentication"]}}',
		description:
			'Generate Kling AI videos (text or image to video) through WaveSpeed AI, APIXO, Kie.ai, Rivya AI, fal.ai, Replicate or the official Kling API',
		defaults: { name: 'Kling Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: Object.values(PROVIDERS).map((adapter) => ({
			name: adapter.credentialType,
			required: true,
			displayOptions: { show: { authentication: [adapter.id] } },
		})),
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties: [
			providerProperty,
			resourceProperty,
			operationProperty,
			...generationProperties,
			...optionsProperties,
		],
	};

	// What waits runs as programmatic handlers: they get the execution's cancel signal.
	customOperations = {
		video: {
			generate: generateVideos,
			waitForTask: waitForTasks,
		},
	};
}
