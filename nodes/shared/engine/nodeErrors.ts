import { NodeOperationError, type INode } from 'n8n-workflow';
import { DEFAULT_PROVIDER, PROVIDERS, isProviderId } from '../providers';
import type { ProviderAdapter } from '../providers/types';
import { InputError, ProviderError } from '../util/errors';

/** The adapter for the node's `authentication` (provider) parameter. */
export function adapterFor(ctx: { getNode(): INode }): ProviderAdapter {
	const provider = ctx.getNode().parameters.authentication ?? DEFAULT_PROVIDER;
	if (!isProviderId(provider)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Unknown provider "${String(provider)}". Choose one of: ${Object.keys(PROVIDERS).join(', ')}`,
		);
	}
	return PROVIDERS[provider];
}

/** A sentence for the editor: input errors name the field and the item. */
export function toNodeError(ctx: { getNode(): INode }, error: unknown, itemIndex?: number): Error {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof InputError && error.itemIndex !== undefined) itemIndex = error.itemIndex;
	const item = itemIndex === undefined ? '' : ` (item ${itemIndex + 1})`;
	if (error instanceof InputError) {
		return new NodeOperationError(ctx.getNode(), `${error.message}${item}`, {
			itemIndex,
			description: `Field: ${error.field}. Nothing was sent to the provider.`,
		});
	}
	if (error instanceof ProviderError) {
		return new NodeOperationError(ctx.getNode(), `${error.message}${item}`, {
			itemIndex,
			description: error.advice,
		});
	}
	return error instanceof Error ? error : new NodeOperationError(ctx.getNode(), String(error));
}
