// @ts-check
/**
 * Every model of the catalog, run for real: the Kling Video node (version 2) executed by n8n-core's
 * WorkflowExecute from dist/ against the emulator, for each provider × model × generation type, and
 * a two-shot clip for every model with multi-shot. Checks what a user would: the request reached the
 * provider under the model's id, the item reports what was asked, and the binary is a playable MP4
 * of the requested length with an audio track exactly when the item says it has sound.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import { startEmulator } from '../emulator/index.mjs';
import { FAST, credentialsFor } from '../support/kling.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import { runKlingNode } from '../support/n8n.mjs';

const require = createRequire(import.meta.url);
const { CATALOG } = require('../../dist/nodes/shared/catalog/index.js');

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ generationMs: 200 });
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.journal.reset());

/** The Kling credential with an API key selects the new per-model API. */
function credentials(provider, api) {
	const creds = credentialsFor(provider, emulator);
	if (api === 'new')
		creds.klingOfficialApi = { ...creds.klingOfficialApi, apiKey: 'kling_emulator_api_key' };
	return creds;
}

/** One run per (provider, model option, generation type, API generation). */
const cases = Object.entries(CATALOG).flatMap(([provider, catalog]) =>
	// Capability entries (motion control, lip-sync…) run in capabilities.test.mjs.
	/** @type {any} */ (catalog).entries
		.filter((/** @type {any} */ entry) => !entry.capability)
		.map((/** @type {any} */ entry) => ({ provider, entry })),
);

/** Node parameters a user would set for this entry; the shortest clip the model makes. */
function parametersFor(entry, extra = {}) {
	const duration =
		'values' in entry.durations ? entry.durations.values[0] : Math.max(entry.durations.min, 5);
	const start = `${emulator.url}/_assets/start.png`;
	const end = `${emulator.url}/_assets/end.png`;
	// Kling 2.6 takes an end frame only for silent clips: give it one and turn the sound off.
	const silentForEndFrame = entry.requires?.endFrame?.audio === false;
	const parameters = {
		operation: 'generate',
		authentication: entry.provider,
		mode: entry.mode,
		model: entry.model,
		prompt: 'A red kite over the sea at dawn',
		duration,
		options: FAST,
		...(entry.aspectRatios.length && entry.mode === 'text-to-video' ? { aspectRatio: '9:16' } : {}),
		...(entry.audio.kind === 'switch' ? { audio: !silentForEndFrame } : {}),
		...(entry.resolutions.length ? { resolution: entry.resolutions[0] } : {}),
		...(entry.mode === 'image-to-video'
			? {
					startImageSource: 'url',
					startImageUrl: start,
					...(entry.endFrame !== 'none' ? { endImageSource: 'url', endImageUrl: end } : {}),
				}
			: {}),
		...extra,
	};
	return { parameters, duration };
}

async function expectClip(result, seconds) {
	expect(result.error).toBeUndefined();
	expect(result.status).toBe('success');
	const [item] = result.output;
	expect(item.json.status).toBe('succeeded');
	const mp4 = inspectMp4(await result.binaryBuffer(item.binary.data));
	expect(mp4.hasFtyp).toBe(true);
	expect(mp4.video?.durationSeconds).toBe(seconds);
	// The item's audio is what the provider does; the MP4 must agree.
	if (item.json.request.audio === true) {
		expect(mp4.audio?.durationSeconds).toBe(seconds);
		expect(mp4.audio?.sampleCount).toBeGreaterThan(0);
	} else {
		expect(mp4.audio).toBeNull();
	}
	return item;
}

describe('every catalog entry generates through n8n-core against the emulator', () => {
	test.each(
		cases.map(({ provider, entry }) => [provider, entry.name, entry.mode, entry.api ?? '', entry]),
	)('%s: %s, %s %s', async (provider, _name, _mode, _api, entry) => {
		const { parameters, duration } = parametersFor(entry);
		const result = await runKlingNode({
			parameters,
			credentials: credentials(provider, entry.api),
			typeVersion: 2,
		});
		const item = await expectClip(result, duration);
		expect(item.json).toMatchObject({ provider, model: entry.id, mode: entry.mode });
		const submits = emulator.journal.entries({ kind: 'submit' });
		expect(submits).toHaveLength(1);
		// The provider saw the model's id (in the path or the body).
		expect(`${submits[0].path} ${JSON.stringify(submits[0].body)}`).toContain(entry.id);
		if (parameters.aspectRatio) expect(item.json.request.aspectRatio).toBe('9:16');
	});
});

describe('multi-shot: two shots make one clip as long as both', () => {
	const withShots = cases.filter(({ entry }) => entry.multiShot);
	test.each(
		withShots.map(({ provider, entry }) => [
			provider,
			entry.name,
			entry.mode,
			entry.api ?? '',
			entry,
		]),
	)('%s: %s, %s %s', async (provider, _name, _mode, _api, entry) => {
		const shots = [
			{ prompt: 'Wide shot: a red kite rises over the sea', duration: 2 },
			{ prompt: 'Close-up: the kite string trembles in the wind', duration: 3 },
		];
		const { parameters } = parametersFor(entry, {
			duration: 5,
			multiShot: true,
			shots: { shot: shots },
			// Multi-shot takes no end frame anywhere; some providers need the sound on with shots.
			endImageSource: 'none',
			...(entry.audio.kind === 'switch' ? { audio: true } : {}),
		});
		const result = await runKlingNode({
			parameters,
			credentials: credentials(provider, entry.api),
			typeVersion: 2,
		});
		const item = await expectClip(result, 5);
		expect(item.json.request.shots).toEqual(shots);
		expect(item.json.request.prompt).toBeNull();
	});
});
