import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { generationProperties } from './descriptions/generation';
import { operationPropertiesByProvider, resourceProperty } from './descriptions/operation';
import {
	NODES_DESCRIPTION,
	providerCredentials,
	providerProperty,
} from '../shared/fields/provider';
import { optionsProperties } from './descriptions/options';
import { subtitleExpression } from './descriptions/subtitle';
import { agentToolDescription } from './descriptions/tool';
import { cancelTasks, getBalance } from './operations/account';
import { generateVideos, submitVideos, waitForTasks } from './operations/batch';

const refusedOutputExpression = [
	'["generate", "submit"].includes($parameter.operation) && $parameter.options?.refusedItemsOutput === true',
	'? [{ type: "main", displayName: "Tasks" }, { type: "main", displayName: "Refused – nothing paid" }]',
	': [{ type: "main" }]',
].join(' ');

export class KlingVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling Video',
		name: 'klingVideo',
		icon: { light: 'file:../../icons/kling.svg', dark: 'file:../../icons/kling.dark.svg' },
		group: ['transform'],
		// Version 2: each provider starts with its newest Kling model; Custom Model ID only overrides the id.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: subtitleExpression(),
		description: NODES_DESCRIPTION,
		defaults: { name: 'Kling Video' },
		// As an AI Agent tool: what the agent reads (what one call costs, takes and returns).
		usableAsTool: { replacements: { description: agentToolDescription } },
		inputs: [NodeConnectionTypes.Main],
		// A second output when Refused Items Output is on (Generate, Submit): items nothing was paid for.
		outputs: `={{ ${refusedOutputExpression} }}`,
		credentials: providerCredentials,
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties: [
			providerProperty,
			resourceProperty,
			...operationPropertiesByProvider,
			...generationProperties,
			...optionsProperties,
		],
	};

	// What spends or waits runs as programmatic handlers on the same descriptions: they get the
	// execution's cancel signal and keep every item's task ID (RoutingNode drops them on a refusal).
	// Get Task stays declarative (routing in descriptions/operation.ts). Cancel Task and Get Balance
	// exist only for providers with those endpoints (operations/account.ts).
	customOperations = {
		video: {
			generate: generateVideos,
			submit: submitVideos,
			waitForTask: waitForTasks,
			cancelTask: cancelTasks,
			getBalance,
		},
	};
}
