import { CATALOG } from '../catalog';
import type { RefusalKind } from '../catalog/types';
import type { ProviderAdapter } from '../providers/types';

export type { RefusalKind };

/**
 * Whether a submit answer is an explicit refusal (nothing was created) and of which kind, per the
 * provider's rules in the catalog. Null: not a refusal (a 5xx that is not one is ambiguous).
 */
export function classifyRefusal(
	adapter: ProviderAdapter,
	statusCode: number,
	body: unknown,
): RefusalKind | null {
	const code = adapter.refusalCode(statusCode, body);
	for (const rule of CATALOG[adapter.id].refusals) {
		if (rule.httpStatus !== undefined && rule.httpStatus !== statusCode) continue;
		if (rule.code !== undefined && rule.code !== code) continue;
		return rule.kind;
	}
	return null;
}

/** A submit the provider kept refusing (or refused for good); nothing was created. */
export class SubmitRefusedError extends Error {
	constructor(
		readonly kind: RefusalKind | 'unreachable',
		readonly attempts: number,
		message: string,
	) {
		super(message);
		this.name = 'SubmitRefusedError';
	}
}
