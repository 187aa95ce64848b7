// @ts-check
/**
 * Every catalog entry against the hand-written fixtures in test/unit/fixtures/catalog/ (written from
 * KLING-MODELS.md and PROVIDERS.md, never from the catalog): what the entry says about the model
 * (limits), the exact request its provider receives for each accepted case, the `json.request`
 * normalization, and the field each rejected case is refused on — before any request.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { dist } from './helpers.mjs';

const { CATALOG } = dist('shared/catalog/index');
const { PROVIDERS } = dist('shared/providers/index');
const { checkRequest, requestJson } = dist('shared/engine/request');
const { InputError } = dist('shared/util/errors');

const FIXTURES = new URL('./fixtures/catalog/', import.meta.url);
const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
const fixtures = files.map((file) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')));

const DEFAULT_INPUT = {
	prompt: 'A red kite over the sea at dawn',
	negativePrompt: null,
	duration: 5,
	aspectRatio: null,
	cfgScale: null,
	audio: null,
	resolution: null,
	startImageUrl: null,
	endImageUrl: null,
	shots: null,
	elements: null,
	callbackUrl: null,
};

/** `{repeat, times}` anywhere in a fixture input stands for a long string. */
function expand(value) {
	if (Array.isArray(value)) return value.map(expand);
	if (value && typeof value === 'object') {
		if ('repeat' in value && 'times' in value) return String(value.repeat).repeat(value.times);
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item)]));
	}
	return value;
}

/** The catalog entry a fixture entry describes; Kling official: the API generation by its cases. */
function findEntry(provider, fixtureEntry) {
	const api = fixtureEntry.cases.some((c) => c.credential === 'apiKey') ? 'new' : 'v1';
	return CATALOG[provider].entries.find(
		(entry) =>
			entry.id === fixtureEntry.modelId &&
			entry.tier === fixtureEntry.tier &&
			entry.mode === fixtureEntry.mode &&
			(provider !== 'kling' || entry.api === api),
	);
}

function requestFor(entry, input) {
	const merged = { ...DEFAULT_INPUT, ...input };
	return {
		entry,
		mode: entry.mode,
		model: entry.id,
		...Object.fromEntries(Object.entries(merged).map(([key, value]) => [key, expand(value)])),
		additionalFields: {},
		idempotencyKey: null,
	};
}

/** What the catalog says about an entry, in the fixture's vocabulary. */
function limitsOf(entry) {
	return {
		durations: entry.durations,
		// The order is the editor's (16:9 first), not a documented fact.
		aspectRatios: [...entry.aspectRatios].sort(),
		audio: entry.audio.kind,
		resolutions: entry.resolutions,
		endFrame: entry.endFrame,
		negativePrompt: entry.negativePrompt,
		cfgScale: entry.cfgScale,
		multiShot: entry.multiShot
			? {
					maxShots: entry.multiShot.maxShots,
					minShotDuration: entry.multiShot.minShotDuration,
					maxShotDuration: entry.multiShot.maxShotDuration,
					sumEqualsDuration: entry.multiShot.sumEqualsDuration,
					withEndFrame: entry.multiShot.withEndFrame,
					maxShotPromptLength: entry.multiShot.maxShotPromptLength,
				}
			: null,
		elements: entry.elements,
		promptMaxLength: entry.promptMaxLength,
	};
}

test('there is a fixture file for every provider', () => {
	expect(fixtures.map((f) => f.provider).sort()).toEqual(Object.keys(CATALOG).sort());
});

for (const fixture of fixtures) {
	const provider = fixture.provider;
	const adapter = PROVIDERS[provider];

	describe(`${provider}: catalog entries`, () => {
		test('every catalog entry has a hand-written fixture, and every fixture entry a catalog entry', () => {
			const fixtureKeys = fixture.entries.map((e) => {
				const entry = findEntry(provider, e);
				return `${e.modelId}|${e.tier}|${e.mode}|${entry?.api ?? ''}`;
			});
			// Capability entries (motion control, lip-sync…) have their own fixtures: capabilities.test.mjs.
			const catalogKeys = CATALOG[provider].entries.filter((entry) => !entry.capability).map(
				(entry) => `${entry.id}|${entry.tier}|${entry.mode}|${entry.api ?? ''}`,
			);
			expect(catalogKeys.sort()).toEqual(fixtureKeys.sort());
		});

		for (const fixtureEntry of fixture.entries) {
			const label = `${fixtureEntry.modelId} (${fixtureEntry.tier ?? 'no tier'}, ${fixtureEntry.mode})`;
			describe(label, () => {
				const entry = findEntry(provider, fixtureEntry);

				test('the catalog states the documented limits', () => {
					expect(entry).toBeDefined();
					expect(limitsOf(entry)).toEqual({
						...fixtureEntry.limits,
						aspectRatios: [...fixtureEntry.limits.aspectRatios].sort(),
					});
				});

				for (const c of fixtureEntry.cases) {
					if (c.rejects) {
						test(`refuses: ${c.name} (field ${c.rejects.field})`, () => {
							let error;
							try {
								checkRequest(requestFor(entry, c.input));
							} catch (caught) {
								error = caught;
							}
							expect(error).toBeInstanceOf(InputError);
							expect(error.field).toBe(c.rejects.field);
						});
						continue;
					}
					test(`sends: ${c.name}`, () => {
						const request = requestFor(entry, c.input);
						expect(() => checkRequest(request)).not.toThrow();
						const built = adapter.buildSubmitRequest(request);
						expect({
							method: built.method,
							path: built.path,
							query: built.qs ?? {},
							body: built.body,
						}).toEqual({
							method: c.expect.method,
							path: c.expect.path,
							query: c.expect.query ?? {},
							body: c.expect.body,
						});
						const json = requestJson(request);
						expect({ audio: json.audio, resolution: json.resolution, shots: json.shots }).toEqual(
							c.expect.request,
						);
					});
				}
			});
		}
	});
}
