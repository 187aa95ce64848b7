import { CATALOG } from '../../shared/catalog';
import type { ProviderId } from '../../shared/catalog/types';
import { PROVIDERS } from '../../shared/providers';
import { CUSTOM_MODEL } from '../../shared/engine/input';

const OPERATION_NAMES = {
	generate: 'Generate',
	submit: 'Submit',
	getTask: 'Get Task',
	waitForTask: 'Wait for Task',
	cancelTask: 'Cancel Task',
	getBalance: 'Get Balance',
};

/**
 * The node's subtitle in words: "Generate · Kling 3.0 Pro · Kie.ai". An n8n expression, so the
 * names are looked up in literal tables built from the catalog.
 */
export function subtitleExpression(): string {
	const modelNames: Record<string, string> = {};
	for (const provider of Object.keys(CATALOG) as ProviderId[]) {
		for (const entry of CATALOG[provider].entries) {
			modelNames[`${provider}:${entry.model}`] ??= entry.name;
		}
		modelNames[`${provider}:${CUSTOM_MODEL}`] = 'Custom model';
	}
	const providerNames = Object.fromEntries(
		Object.values(PROVIDERS).map((adapter) => [adapter.id, adapter.displayName]),
	);
	const operation = `(${JSON.stringify(OPERATION_NAMES)}[$parameter["operation"]] || $parameter["operation"])`;
	const model = `(${JSON.stringify(modelNames)}[$parameter["authentication"] + ":" + $parameter["model"]] || $parameter["model"])`;
	const provider = `(${JSON.stringify(providerNames)}[$parameter["authentication"]] || $parameter["authentication"])`;
	return `={{ ${operation} + ($parameter["model"] ? " · " + ${model} : "") + " · " + ${provider} }}`;
}
