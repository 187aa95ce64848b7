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

/**
 * Text for the editor, which shows error messages as HTML in its toasts: a provider's "Bearer <key>"
 * would lose "<key>" there. Angle brackets become ‹ ›, which read the same in the toast and the panel.
 */
export function forEditor(text: string): string {
	return text.replace(/</g, '‹').replace(/>/g, '›');
}

/** " (item 2)", or nothing when the text already ends with it. */
function itemSuffix(text: string, itemIndex: number | undefined): string {
	if (itemIndex === undefined) return '';
	const suffix = ` (item ${itemIndex + 1})`;
	return text.endsWith(suffix) ? '' : suffix;
}

/** A sentence for the editor: input errors name the field and the item. */
export function toNodeError(ctx: { getNode(): INode }, error: unknown, itemIndex?: number): Error {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof InputError && error.itemIndex !== undefined) itemIndex = error.itemIndex;
	if (error instanceof InputError) {
		const message = forEditor(error.message);
		return new NodeOperationError(ctx.getNode(), `${message}${itemSuffix(message, itemIndex)}`, {
			itemIndex,
			description: `Field: ${error.field}. Nothing was sent to the provider.`,
		});
	}
	if (error instanceof ProviderError) {
		const message = forEditor(error.message);
		return new NodeOperationError(ctx.getNode(), `${message}${itemSuffix(message, itemIndex)}`, {
			itemIndex,
			description: forEditor(error.advice),
		});
	}
	return error instanceof Error ? error : new NodeOperationError(ctx.getNode(), String(error));
}
