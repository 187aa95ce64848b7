// @ts-check
/**
 * What the real-n8n tests that import the demo credentials share: the package packed from dist/ and an
 * emulator on 127.0.0.1:4010 (the port examples/credentials.demo.json points at; another free port when
 * 4010 is taken — prepareExamples rewrites the imported copies).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { buildIfNeeded, freePort, packPackage, portIsFree } from './host.mjs';

/** Build if needed, pack, start the emulator. @param {{ generationMs?: number }} [options] */
export async function packAndStartEmulator({ generationMs = 1500 } = {}) {
	await buildIfNeeded();
	const tgz = await packPackage();
	const port = (await portIsFree(4010)) ? 4010 : await freePort();
	const emulator = await startEmulator({ port, generationMs });
	return { tgz, emulator };
}

/** @param {{ tgz?: string, emulator?: { close(): Promise<void> } }} setup */
export async function closePackageAndEmulator({ tgz, emulator }) {
	await emulator?.close();
	if (tgz) rmSync(join(tgz, '..'), { recursive: true, force: true });
}
