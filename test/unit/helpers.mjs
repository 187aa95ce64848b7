// @ts-check
/** Shared helpers for the unit tests: compiled modules from dist/, fixtures, and error capture. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const require = createRequire(import.meta.url);

/** Load a compiled module from dist/nodes/<path>.js (e.g. `shared/providers/kie`). */
export function dist(path) {
	return require(`../../dist/nodes/${path}.js`);
}

/** A fixture file from test/unit/fixtures (PROVIDERS.md shapes). */
export function fixture(name) {
	return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
}

/** Run fn and return what it threw; fail the test when it did not throw. */
export function thrown(fn) {
	try {
		fn();
	} catch (error) {
		return error;
	}
	throw new Error('expected the call to throw, but it returned');
}

/** Await fn and return what it rejected with; fail the test when it resolved. */
export async function rejected(fn) {
	try {
		await fn();
	} catch (error) {
		return error;
	}
	throw new Error('expected the call to reject, but it resolved');
}

/**
 * The catalog entry whose provider model id is `model` for `mode` (any provider), or a stand-in that
 * takes every common field by its usual name (for ids the catalog does not list).
 */
function entryFor(model, mode) {
	const { CATALOG } = dist('shared/catalog/index');
	for (const catalog of Object.values(CATALOG)) {
		const entry = catalog.entries.find((e) => e.id === model && e.mode === mode);
		if (entry) return entry;
	}
	throw new Error(`no catalog entry for ${model} (${mode})`);
}

/** A GenerationRequest as readGenerationPlan would produce it (entry from the catalog), with overrides. */
export function generation(overrides = {}) {
	const mode = overrides.mode ?? 'text-to-video';
	const model = overrides.model ?? 'kwaivgi/kling-v2.5-turbo-pro/text-to-video';
	return {
		entry: entryFor(model, mode),
		mode: 'text-to-video',
		model: 'model-id',
		audio: null,
		resolution: null,
		shots: null,
		elements: null,
		prompt: 'A red kite over the sea',
		negativePrompt: 'blur',
		duration: 10,
		aspectRatio: '9:16',
		cfgScale: 0.7,
		startImageUrl: null,
		endImageUrl: null,
		additionalFields: {},
		callbackUrl: null,
		idempotencyKey: null,
		...overrides,
	};
}

/** An image-to-video GenerationRequest (no aspect ratio: the output follows the image). */
export function i2v(overrides = {}) {
	return generation({
		mode: 'image-to-video',
		aspectRatio: null,
		startImageUrl: 'https://img.example.com/start.png',
		...overrides,
	});
}

export const PNG_BYTES = Buffer.concat([
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	Buffer.from('IHDR-fake-image-body'),
]);
