// @ts-check
/** Shared fixtures for tests that run the Kling Video node against the emulator. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './n8n.mjs';

/** @type {Array<{ id: string, type: string, data: Record<string, string> }>} */
const demoCredentials = JSON.parse(
	readFileSync(join(REPO_ROOT, 'examples/credentials.demo.json'), 'utf8'),
);

export const CREDENTIAL_TYPES = {
	wavespeed: 'klingWaveSpeedApi',
	apixo: 'klingApixoApi',
	kie: 'klingKieApi',
	rivya: 'klingRivyaApi',
	kling: 'klingOfficialApi',
	fal: 'klingFalApi',
	replicate: 'klingReplicateApi',
};

/** @typedef {keyof typeof CREDENTIAL_TYPES} Provider */
/** @type {Provider[]} */
export const ALL_PROVIDERS = ['wavespeed', 'apixo', 'kie', 'rivya', 'kling', 'fal', 'replicate'];

/** The demo credentials point at the emulator's default address; tests run it on a free port. */
const DEMO_EMULATOR_URL = 'http://127.0.0.1:4010';

/**
 * The demo credential of a provider, pointed at a running emulator.
 * @param {Provider} provider @param {{ baseUrl(p: string): string }} emulator
 */
export function credentialsFor(provider, emulator) {
	const type = CREDENTIAL_TYPES[provider];
	const demo = demoCredentials.find((credential) => credential.type === type);
	if (!demo) throw new Error(`no demo credential for ${type}`);
	const emulatorUrl = emulator.baseUrl(provider).replace(/\/[^/]+$/, '');
	const data = Object.fromEntries(
		Object.entries(demo.data).map(([key, value]) => [
			key,
			value.replace(DEMO_EMULATOR_URL, emulatorUrl),
		]),
	);
	return { [type]: data };
}

/** Wait options that make tests fast without changing what the node does. */
export const FAST = { firstCheckAfter: 0.1, pollInterval: 0.1, maxWait: 30 };

export const SECRETS = demoCredentials.flatMap((credential) =>
	Object.entries(credential.data)
		.filter(([key]) => /key|secret/i.test(key))
		.map(([, value]) => value),
);
