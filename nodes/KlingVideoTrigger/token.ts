const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,}$/;

/**
 * A new trigger's token: its own webhook ID, a random UUID the editor makes for every node it adds
 * (n8n's Webhook node starts its path the same way). No literal default, so no two installs share
 * a secret; `$webhookId` resolves in the editor's URL preview and when the webhook is registered.
 */
export const TOKEN_DEFAULT = '={{ $webhookId }}';

/** The rule, for the field's description and the errors. */
const TOKEN_RULE = 'at least 16 letters, digits, - or _';

export const TOKEN_DESCRIPTION = `Part of the URLs above: only whoever holds them can start this workflow. ${cap(TOKEN_RULE)}. New triggers start with their own random webhook ID ({{ $webhookId }}); replace it with any hard-to-guess text that follows the rule.`;

/** Version 1 (saved workflows): the token has no default and is masked. */
export const TOKEN_DESCRIPTION_V1 = `Part of the URLs above: only whoever holds them can start this workflow. ${cap(TOKEN_RULE)}, for example the expression {{ $webhookId }}.`;

/**
 * Shown while the token breaks the rule: a fixed value that is not 16+ letters, digits, - or _.
 * An expression is left alone here (the editor resolves it, and activation checks what it gives).
 */
export const TOKEN_BREAKS_RULE = '^(?!=)(?![A-Za-z0-9_-]{16,}$)';

export const TOKEN_NOTICE = `The Callback Token must be ${TOKEN_RULE}, or the workflow cannot be activated and no callback arrives. Type a longer one, or set it back to the expression {{ $webhookId }} for a random one; then paste the new URL into the Kling Video node's Callback URL (operation Submit).`;

/** The trigger's token: version 1 keeps it in `token`, version 2 in `callbackPath` (see the node). */
export function readToken(ctx: {
	getNode(): { typeVersion: number };
	getNodeParameter(name: string, fallback?: unknown): unknown;
}): string {
	const name = ctx.getNode().typeVersion >= 2 ? 'callbackPath' : 'token';
	const value = ctx.getNodeParameter(name, '');
	return typeof value === 'string' ? value : '';
}

/** Why a callback token is unusable, or null when it is fine. */
export function checkToken(token: string | undefined): string | null {
	const how =
		"Type one in the trigger's Callback Token, or set that field to the expression {{ $webhookId }} for a random one, then paste the trigger's URL into the Kling Video node's Callback URL";
	if (!token) return `The Callback Token is empty: it must be ${TOKEN_RULE}. ${how}`;
	if (!TOKEN_PATTERN.test(token)) {
		return `The Callback Token must be ${TOKEN_RULE} (it is part of the URL). ${how}`;
	}
	return null;
}

function cap(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
