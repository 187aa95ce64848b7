import { apixoCatalog } from './apixo';
import { falCatalog } from './fal';
import { kieCatalog } from './kie';
import { klingCatalog } from './kling';
import { replicateCatalog } from './replicate';
import { rivyaCatalog } from './rivya';
import type { GenerationMode, ModelEntry, ProviderCatalog, ProviderId } from './types';
import { wavespeedCatalog } from './wavespeed';

export type * from './types';

/** Every provider's models. Adding a model is one entry in its provider's file. */
export const CATALOG: Record<ProviderId, ProviderCatalog> = {
	wavespeed: wavespeedCatalog,
	apixo: apixoCatalog,
	kie: kieCatalog,
	rivya: rivyaCatalog,
	kling: klingCatalog,
	fal: falCatalog,
	replicate: replicateCatalog,
};

/** A provider's entries for one generation type, in the editor's order (newest first). */
export function entriesFor(provider: ProviderId, mode: GenerationMode): ModelEntry[] {
	return CATALOG[provider].entries.filter((entry) => entry.mode === mode);
}

/** The model options of a provider for one generation type: one per model, in catalog order. */
export function modelsFor(provider: ProviderId, mode: GenerationMode): ModelEntry[] {
	const seen = new Set<string>();
	return entriesFor(provider, mode).filter((entry) => {
		if (seen.has(entry.model)) return false;
		seen.add(entry.model);
		return true;
	});
}

/**
 * The entries of one model option (a model may have one per API generation: Kling official's legacy
 * `/v1` and new per-model API).
 */
export function entriesOf(provider: ProviderId, model: string, mode: GenerationMode): ModelEntry[] {
	return entriesFor(provider, mode).filter((entry) => entry.model === model);
}

/** The entry whose provider model id is `id` (a task read back from its id), if the catalog has it. */
export function entryById(
	provider: ProviderId,
	id: string,
	mode: GenerationMode,
): ModelEntry | undefined {
	return entriesFor(provider, mode).find((entry) => entry.id === id);
}

/** Seconds a clip of this duration typically takes on this model: [low, high]. */
export function typicalSeconds(entry: ModelEntry, duration: number): [number, number] {
	const { fiveSecondClip, perExtraSecond } = entry.typicalSeconds;
	const extra = Math.max(0, duration - 5) * perExtraSecond;
	return [fiveSecondClip[0] + extra, fiveSecondClip[1] + extra];
}
