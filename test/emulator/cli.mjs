#!/usr/bin/env node
// @ts-check
/**
 * `npm run emulator` — start the provider emulator standalone.
 *   --port <n>        (env EMULATOR_PORT, default 4010)
 *   --time-scale <x>  (env EMULATOR_TIME_SCALE, default 1; 0.1 makes a 40 s generation take 4 s)
 *   --seed <n>        (default 1)
 *   --log             log every request
 * Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
 */
import { startEmulator } from './index.mjs';
import { AUDIO_ASSETS, VIDEO_ASSETS, readDemoCredentials } from './core/engine.mjs';
import { arg } from '../support/cli-args.mjs';

const port = Number(arg('port') ?? process.env.EMULATOR_PORT ?? 4010);
const timeScale = Number(arg('time-scale') ?? process.env.EMULATOR_TIME_SCALE ?? 1);
const seed = Number(arg('seed') ?? 1);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error(`invalid port: ${arg('port') ?? process.env.EMULATOR_PORT}`);
	process.exit(2);
}
if (!(timeScale > 0)) {
	console.error('invalid --time-scale (must be > 0)');
	process.exit(2);
}

const emu = await startEmulator({ port, timeScale, seed, log: arg('log') === 'true' });
// Signal handlers first: whoever waits for the banner may send SIGINT right after reading it.
let stopping = false;
/** @param {string} sig */
async function stop(sig) {
	if (stopping) return;
	stopping = true;
	console.log(`\n${sig} received, stopping the emulator…`);
	await emu.close();
	process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
const { keys, secrets } = readDemoCredentials();
const lines = [
	`Kling provider emulator listening on ${emu.url} (time scale ${timeScale}, seed ${seed})`,
	'',
	'Base URLs (put these in the credential\'s Base URL field):',
	`  WaveSpeed AI     ${emu.baseUrl('wavespeed')}`,
	`  APIXO            ${emu.baseUrl('apixo')}`,
	`  Kie.ai           ${emu.baseUrl('kie')}`,
	`  Kie.ai uploads   ${emu.baseUrl('kie-upload')}`,
	`  Rivya AI         ${emu.baseUrl('rivya')}`,
	`  Kling official   ${emu.baseUrl('kling')}`,
	`  fal.ai (queue)   ${emu.baseUrl('fal')}`,
	`  fal.ai (REST)    ${emu.baseUrl('fal-rest')}   (uploadBaseUrl; JWKS ${emu.baseUrl('fal-rest')}/.well-known/jwks.json)`,
	`  Replicate        ${emu.baseUrl('replicate')}`,
	'',
	'Test keys (from examples/credentials.demo.json):',
	`  WaveSpeed AI     apiKey ${keys.wavespeed}   webhookSecret ${secrets.wavespeed}`,
	`  APIXO            apiKey ${keys.apixo}`,
	`  Kie.ai           apiKey ${keys.kie}   webhookHmacKey ${secrets.kie}`,
	`  Rivya AI         apiKey ${keys.rivya}`,
	`  Kling official   accessKey ${keys.kling}   secretKey ${secrets.kling}   (JWT HS256, verified; legacy API)`,
	`                   apiKey ${keys.klingApiKey}   (Bearer API key: legacy and new per-model API)`,
	`  fal.ai           apiKey ${keys.fal}   (webhooks signed ED25519 with the emulator's own key, see JWKS)`,
	`  Replicate        apiKey ${keys.replicate}   webhookSecret ${secrets.replicate}`,
	'',
	'Test images: ' + ['start.png', 'end.png', 'not-an-image.png', 'big.png'].map((n) => `${emu.url}/_assets/${n}`).join('  '),
	'Test videos (720p MP4; motion control, lip-sync, edit, extend): ' + Object.entries(VIDEO_ASSETS).map(([n, v]) => `${n} (${v.seconds} s${v.audio ? ', sound' : ''})`).join(', '),
	'Test audio (avatar, lip-sync): ' + Object.entries(AUDIO_ASSETS).map(([n, a]) => `${n} (${a.seconds} s)`).join(', ') + `   under ${emu.url}/_assets/`,
	`Admin: ${emu.url}/_emulator/health | journal | counts | tasks ; POST /_emulator/config, /_emulator/plan`,
	'',
	'Note: unlike real Rivya, this emulator accepts http:// and loopback webhook URLs, and it only ever',
	'sends callbacks to loopback addresses. Press Ctrl-C to stop.',
];
console.log(lines.join('\n'));
