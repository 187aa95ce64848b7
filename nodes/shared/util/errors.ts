/** Why a provider call failed, in words a workflow builder can act on. */
export type ProviderErrorKind =
	| 'auth'
	| 'credits'
	| 'validation'
	| 'moderation'
	| 'image'
	| 'rateLimit'
	| 'notFound'
	| 'unavailable'
	| 'server'
	| 'network'
	| 'ambiguousSubmit'
	| 'storage'
	| 'unexpected';

const ADVICE: Record<ProviderErrorKind, string> = {
	auth: 'Check the API key in the credential.',
	credits: 'Top up the account balance, then run again.',
	validation: 'Check the node fields named in the message.',
	moderation: 'Change the prompt or image so it passes content moderation.',
	image: 'Make sure the image URL is public and points to a JPG, PNG or WebP under 10 MB.',
	rateLimit: 'Lower the Concurrency option or wait before running again.',
	notFound: 'Check the task ID (and the model for providers whose status path contains it).',
	unavailable: 'The provider is down for maintenance; run again later.',
	server: 'The provider had an internal error; try again later.',
	network: 'Check the Base URL in the credential and that this n8n can reach the provider.',
	storage:
		"Check n8n's binary data settings (N8N_DEFAULT_BINARY_DATA_MODE; in database mode N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE), or turn Download Video off and use the video URL.",
	ambiguousSubmit:
		"Look for a new task in the provider's dashboard before running this item again, so it is not paid twice.",
	unexpected: 'The provider answered in a shape this node does not know.',
};

/** A provider answer mapped to a sentence; `retryAfterMs` is set when the provider said when to come back. */
export class ProviderError extends Error {
	constructor(
		readonly kind: ProviderErrorKind,
		message: string,
		readonly httpStatus: number | null = null,
		readonly providerCode: string | null = null,
		public retryAfterMs: number | null = null,
	) {
		super(message);
		this.name = 'ProviderError';
	}

	/** A network error before the request left (name not resolved, connection refused). */
	beforeSend = false;

	/** Advice that fits where the error happened better than the kind's own. */
	adviceOverride: string | null = null;

	get advice(): string {
		return this.adviceOverride ?? ADVICE[this.kind];
	}
}

/**
 * A "not found" while submitting or uploading is no task ID's fault: the address is wrong (a path in
 * the Base URL) or the provider does not have that model.
 */
export function onSubmitPath<T>(error: T): T {
	if (error instanceof ProviderError && error.kind === 'notFound') {
		error.adviceOverride =
			"The provider has no such endpoint. Check the credential's Base URL (only the provider's address: the node adds the API path) and, with a Custom Model ID, that the provider offers that model.";
	}
	return error;
}

/** Classify an HTTP status when the body says nothing more specific. */
export function kindForHttpStatus(status: number): ProviderErrorKind {
	if (status === 401 || status === 403) return 'auth';
	if (status === 402) return 'credits';
	if (status === 400 || status === 422) return 'validation';
	if (status === 404) return 'notFound';
	if (status === 429) return 'rateLimit';
	if (status === 455 || status === 503) return 'unavailable';
	if (status >= 500) return 'server';
	return 'unexpected';
}

/** Bad node input, found before any paid request; names the field and what is allowed. */
export class InputError extends Error {
	/** Set when the error belongs to another item than the one being processed. */
	itemIndex?: number;

	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

/** The user pressed "Stop execution" while the node was waiting. */
export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was stopped');
		this.name = 'ExecutionCancelledError';
	}
}
