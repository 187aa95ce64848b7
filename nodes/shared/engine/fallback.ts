import type { IDataObject } from 'n8n-workflow';
import { CATALOG } from '../catalog';
import type { ModelEntry, ProviderId } from '../catalog/types';
import { PROVIDERS, isProviderId } from '../providers';
import type { GenerationMode, ProviderAdapter } from '../providers/types';
import { InputError } from '../util/errors';
import type { ItemReader } from './input';

/** Why an item left on the refused output: the submit created nothing, or a refunded task failed. */
export type RefusedReason =
	| 'rate_limited'
	| 'concurrency_limit'
	| 'insufficient_credits'
	| 'maintenance'
	| 'unreachable'
	| 'task_failed';

/**
 * `json.fallback` of an item on the "Refused – nothing paid" output: where it was refused, why, and
 * the item's generation fields as that node read them, so a Kling Video node on another provider
 * makes the same video without any expression.
 */
export interface FallbackInfo {
	from: ProviderId;
	reason: RefusedReason;
	attempts: number;
	message: string;
	/** The Kling model and tier (the catalog's `kling` key), mapped to the next provider's model. */
	kling: string;
	modelName: string;
	mode: GenerationMode;
	/** The generation parameters the refusing node read for this item. */
	parameters: IDataObject;
	/** The failed task (reason `task_failed`: refunded by a provider that says it refunds). */
	failedTaskId?: string;
	/** Earlier hops, oldest first, when a fallback node refused the item too. */
	previous?: Array<{ from: ProviderId; reason: RefusedReason; failedTaskId?: string }>;
}

/** Parameters that belong to one provider or one node, never carried to the next provider. */
const NOT_CARRIED = new Set(['model', 'customModelId', 'callbackUrl', 'correlation']);

/** An ItemReader that remembers the parameters read, for an item that may be refused. */
export function recordingReader(reader: ItemReader): {
	reader: ItemReader;
	read: IDataObject;
} {
	const read: IDataObject = {};
	return {
		read,
		reader: {
			...reader,
			param: (name, fallback) => {
				const value = reader.param(name, fallback);
				if (!NOT_CARRIED.has(name)) read[name] = value as IDataObject[string];
				return value;
			},
		},
	};
}

/** The generation fields to carry: Additional Fields (JSON) are one provider's names, so they stay. */
export function carriedParameters(read: IDataObject): IDataObject {
	const parameters = { ...read };
	const settings = parameters.generationSettings as IDataObject | undefined;
	if (settings && typeof settings === 'object') {
		const rest = { ...settings };
		delete rest.additionalFields;
		parameters.generationSettings = rest;
	}
	return parameters;
}

/** The `fallback` object of an input item, when a Kling Video node refused it; else null. */
export function fallbackOf(json: IDataObject): FallbackInfo | null {
	const value = json.fallback as Partial<FallbackInfo> | undefined;
	if (!value || typeof value !== 'object') return null;
	if (
		!isProviderId(value.from) ||
		typeof value.kling !== 'string' ||
		(value.mode !== 'text-to-video' && value.mode !== 'image-to-video') ||
		!value.parameters ||
		typeof value.parameters !== 'object'
	) {
		return null;
	}
	return value as FallbackInfo;
}

/**
 * The fallback node reads the refused item's own fields, not its parameters: the model is the same
 * Kling model and tier on this provider (through the catalog); Callback URL, Correlation Data and
 * the options stay this node's own.
 */
export function fallbackReader(
	reader: ItemReader,
	info: FallbackInfo,
	adapter: ProviderAdapter,
): ItemReader {
	const entry = mappedEntry(info, adapter);
	return {
		...reader,
		param: (name, fallback) => {
			if (name === 'model') return entry.model;
			if (name === 'customModelId') return '';
			if (name === 'mode') return info.mode;
			if (!NOT_CARRIED.has(name) && name in info.parameters) return info.parameters[name];
			return reader.param(name, fallback);
		},
	};
}

function mappedEntry(info: FallbackInfo, adapter: ProviderAdapter): ModelEntry {
	const entry = CATALOG[adapter.id].entries.find(
		(candidate) => candidate.kling === info.kling && candidate.mode === info.mode,
	);
	if (!entry) {
		throw new InputError(
			'Model',
			`${info.modelName} (${info.mode.replace(/-/g, ' ')}), refused by ${PROVIDERS[info.from].displayName}, is not sold on ${adapter.displayName}: connect the refused output to a provider that sells it (nothing was sent)`,
		);
	}
	return entry;
}

/**
 * The fallback provider must make the same video: an item that uses multi-shot, elements or audio
 * which this provider's model lacks is refused here, before any request (the other checks —
 * duration, end frame, resolution — are the model's own validation). A model that always adds
 * audio may take an item that had it off.
 */
export function checkFallbackFits(entry: ModelEntry, info: FallbackInfo, adapter: ProviderAdapter) {
	const used = info.parameters;
	const lacks = (what: string) =>
		new InputError(
			'Model',
			`The item uses ${what}, which ${entry.name} on ${adapter.displayName} does not offer, so it cannot be made here as ${PROVIDERS[info.from].displayName} would have (nothing was sent)`,
		);
	if (used.multiShot === true && !entry.multiShot) throw lacks('multi-shot');
	const elements = (used.elements as { element?: unknown[] } | undefined)?.element ?? [];
	if (elements.length && !entry.elements) throw lacks('elements');
	if (used.audio === true && entry.audio.kind === 'none') throw lacks('audio');
}
