#!/usr/bin/env node
// @ts-check
/**
 * `npm run demo` — make one Kling video in a REAL n8n, no API key needed.
 *
 * Builds the package if needed, installs n8n once into .n8n-host/<version>/ (about 4-5 min the first
 * time, reused afterwards), starts the provider emulator on 127.0.0.1:4010, installs the packed package
 * into a fresh demo user folder (.n8n-host/demo-user/) like a community package, imports the demo
 * credentials and examples/<provider>-kling-3-text-to-video.json (Kling 3.0 with sound, 9:16), runs it with
 * `n8n execute`, copies the MP4 from
 * n8n's binary store to demo-output/ and prints a summary.
 *
 * Options:
 *   --provider <id>                           (env KLING_PROVIDER, default wavespeed; one of the ids in
 *                                             examples/credentials.demo.json: wavespeed, apixo, kie, rivya,
 *                                             kling, fal, replicate)
 *   --image                                   run <provider>-kling-3-image-to-video.json instead
 *   --example <file>                          run another file of examples/ (e.g. kie-text-to-video.json)
 *   --real                                    call the real provider with KLING_API_KEY (implied when
 *                                             KLING_API_KEY is set; Kling official: KLING_ACCESS_KEY +
 *                                             KLING_SECRET_KEY); the credential's URLs are the provider's
 *                                             defaults. Real runs cost credits.
 *   --n8n <version>                           (env N8N_VERSION, default 2.8.4)
 *   --generation-seconds <s>                  emulator generation time (default 20)
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { startEmulator } from '../test/emulator/index.mjs';
import { inspectMp4 } from '../test/support/mp4.mjs';
import {
	DEFAULT_N8N_VERSION,
	HOST_ROOT,
	PACKAGE_NAME,
	REPO_ROOT,
	binaryFilePath,
	buildIfNeeded,
	ensureN8n,
	freePort,
	installPackage,
	n8nCli,
	n8nCliOk,
	packPackage,
	parseRawOutput,
	portIsFree,
	prepareExamples,
	tail,
} from '../test/e2e/host.mjs';
import { arg } from '../test/support/cli-args.mjs';

/** Providers and their credential types, from examples/credentials.demo.json (ids `<provider>Demo`). */
const DEMO_CREDENTIALS = JSON.parse(
	readFileSync(join(REPO_ROOT, 'examples', 'credentials.demo.json'), 'utf8'),
);
const CREDENTIAL_TYPES = Object.fromEntries(
	DEMO_CREDENTIALS.map((/** @type {any} */ c) => [
		String(c.id).replace(/Demo$/, ''),
		String(c.type),
	]),
);
const PROVIDERS = Object.keys(CREDENTIAL_TYPES);

const t0 = Date.now();
const secs = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (/** @type {string} */ msg) =>
	console.log(`[demo ${secs(Date.now() - t0).padStart(7)}] ${msg}`);

const provider = (arg('provider') ?? process.env.KLING_PROVIDER ?? 'wavespeed').toLowerCase();
if (!PROVIDERS.includes(provider)) {
	console.error(`Unknown provider "${provider}". Use one of: ${PROVIDERS.join(', ')}`);
	process.exit(2);
}
// Kling's official API takes an API key (KLING_API_KEY), or an access key + secret key
// (KLING_ACCESS_KEY / KLING_SECRET_KEY, or KLING_API_KEY=<access>:<secret>); every other provider one API key.
const apiKey = process.env.KLING_API_KEY ?? '';
const real = arg('real') === 'true' || apiKey !== '' || Boolean(process.env.KLING_ACCESS_KEY);
/** @type {Record<string, string>} */
const realSecrets = {};
if (real) {
	const demoFields = Object.keys(
		DEMO_CREDENTIALS.find((/** @type {any} */ c) => c.id === `${provider}Demo`).data,
	);
	if (demoFields.includes('accessKey') && apiKey !== '' && !apiKey.includes(':')) {
		// Kling official with an API key (its per-model API).
		realSecrets.apiKey = apiKey;
	} else if (demoFields.includes('accessKey')) {
		const [access, secret] = apiKey.includes(':')
			? apiKey.split(':', 2)
			: [process.env.KLING_ACCESS_KEY ?? '', process.env.KLING_SECRET_KEY ?? ''];
		Object.assign(realSecrets, { accessKey: access, secretKey: secret });
	} else {
		realSecrets.apiKey = apiKey;
	}
	if (Object.values(realSecrets).some((v) => !v)) {
		console.error(
			`--real needs your ${provider} key in the environment: KLING_PROVIDER=${provider} KLING_API_KEY=... npm run demo` +
				(demoFields.includes('accessKey')
					? ' (Kling official: KLING_API_KEY=<API key>, or KLING_ACCESS_KEY and KLING_SECRET_KEY)'
					: ''),
		);
		process.exit(2);
	}
}
const version = arg('n8n') ?? process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION;
const generationMs = Math.round(Number(arg('generation-seconds') ?? 20) * 1000);
const exampleFile =
	arg('example') ??
	`${provider}-kling-3-${arg('image') === 'true' ? 'image' : 'text'}-to-video.json`;

/** @type {Awaited<ReturnType<typeof startEmulator>> | undefined} */
let emulator;
let exitCode = 0;
const cleanup = async () => {
	await emulator?.close();
	emulator = undefined;
};
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
	process.on(sig, () => {
		void cleanup().then(() => process.exit(130));
	});
}

try {
	if (await buildIfNeeded()) say('built dist/');
	const host = await ensureN8n(version);
	say(`n8n ${host.version} ready (${relative(REPO_ROOT, host.dir)}, Node ${host.nodeVersion})`);

	let emulatorUrl = 'http://127.0.0.1:4010';
	if (!real) {
		const port = (await portIsFree(4010)) ? 4010 : await freePort();
		emulator = await startEmulator({ port, generationMs });
		emulatorUrl = emulator.url;
		say(`provider emulator on ${emulator.url} (generation takes ${secs(generationMs)})`);
	}

	const userFolder = join(HOST_ROOT, 'demo-user');
	rmSync(userFolder, { recursive: true, force: true });
	mkdirSync(userFolder, { recursive: true });
	const tgz = await packPackage();
	await installPackage(userFolder, tgz);
	rmSync(join(tgz, '..'), { recursive: true, force: true });
	say(
		`installed ${PACKAGE_NAME} (npm pack tarball) into ${relative(REPO_ROOT, userFolder)}/.n8n/nodes`,
	);

	const prepared = prepareExamples(join(userFolder, 'import'), {
		emulatorUrl,
		only: (f) => f === exampleFile,
	});
	if (real) writeRealCredential(prepared.credentialsFile);
	await n8nCliOk(host, userFolder, ['import:credentials', `--input=${prepared.credentialsFile}`]);
	const wf = prepared.workflows[0];
	await n8nCliOk(host, userFolder, [
		'import:workflow',
		`--input=${join(prepared.workflowsDir, wf.file)}`,
	]);
	say(
		`imported ${real ? `a ${provider} credential with your key` : 'the demo credentials'} and examples/${exampleFile}`,
	);

	say(
		`running "${wf.name}" in n8n (n8n execute --id=${wf.id}; the node's first status check is after ~30 s, as for real)`,
	);
	const runStarted = Date.now();
	const res = await n8nCli(host, userFolder, ['execute', `--id=${wf.id}`, '--rawOutput'], {
		timeoutMs: 20 * 60_000,
	});
	const runMs = Date.now() - runStarted;
	if (res.code !== 0)
		throw new Error(
			`the workflow failed in n8n (rc ${res.code}):\n${tail(res.stdout + res.stderr, 40)}`,
		);
	const data = parseRawOutput(res.stdout);
	const nodeRun = data.data.resultData.runData[wf.nodeName]?.[0];
	const item = nodeRun?.data?.main?.[0]?.[0];
	if (!item)
		throw new Error(
			`no output from the Kling Video node:\n${JSON.stringify(data.data.resultData).slice(0, 2000)}`,
		);
	const binary = item.binary?.data;
	if (!binary)
		throw new Error(
			`the node output has no video binary: ${JSON.stringify(item.json).slice(0, 1000)}`,
		);

	const outDir = join(REPO_ROOT, 'demo-output');
	mkdirSync(outDir, { recursive: true });
	const target = join(outDir, binary.fileName ?? `${provider}-${item.json.taskId}.mp4`);
	copyFileSync(binaryFilePath(userFolder, binary.id), target);
	const mp4 = inspectMp4(readFileSync(target));
	const size = statSync(target).size;

	const lines = [
		'',
		'Kling Video demo — done',
		`  provider        ${provider}${real ? ' (real API)' : ` (emulator ${emulatorUrl})`}, model ${item.json.model}`,
		`  n8n             ${host.version} on Node ${host.nodeVersion}`,
		`  task id         ${item.json.taskId}  (status ${item.json.status})`,
		`  submit → done   ${secs(nodeRun.executionTime)} in the Kling Video node${item.json.generationMs ? ` (provider generation ${secs(item.json.generationMs)})` : ''}`,
		`  n8n execute     ${secs(runMs)} (includes n8n start-up)`,
		`  total           ${secs(Date.now() - t0)}`,
		`  video           ${relative(process.cwd(), target)}  ${size.toLocaleString('en-US')} bytes, ${mp4.durationSeconds?.toFixed(1)} s${mp4.width ? `, ${mp4.width}x${mp4.height}` : ''}${mp4.hasAudio ? ', with an audio track' : ', no audio track'}`,
		'                  (a placeholder clip made by the local emulator: the real provider returns the generated video)',
		`  video URL       ${item.json.videoUrl}`,
	];
	console.log(lines.join('\n'));
} catch (error) {
	console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
	exitCode = 1;
} finally {
	await cleanup();
}
process.exit(exitCode);

/** Replace the demo credentials with one real credential (provider default Base URL, key from the env). */
function writeRealCredential(/** @type {string} */ file) {
	const list = JSON.parse(readFileSync(file, 'utf8'));
	const demo = list.find((/** @type {any} */ c) => c.id === `${provider}Demo`);
	/** @type {Record<string, string>} */
	const data = { ...realSecrets };
	for (const [field, value] of Object.entries(credentialDefaults(CREDENTIAL_TYPES[provider]))) {
		if (/url$/i.test(field) && value) data[field] = value;
	}
	writeFileSync(file, JSON.stringify([{ ...demo, data }], null, 2));
}

/** Default values of a credential type's properties, read from dist/. @param {string} type */
function credentialDefaults(type) {
	const require = createRequire(join(REPO_ROOT, 'package.json'));
	const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
	for (const file of pkg.n8n.credentials) {
		const mod = require(join(REPO_ROOT, file));
		const Cls = /** @type {any} */ (Object.values(mod).find((v) => typeof v === 'function'));
		const cred = new Cls();
		if (cred.name === type) {
			return Object.fromEntries(cred.properties.map((/** @type {any} */ p) => [p.name, p.default]));
		}
	}
	throw new Error(`credential type ${type} not found in dist/`);
}
