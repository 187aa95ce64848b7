#!/usr/bin/env node
// @ts-check
/**
 * `npm start` — the n8n editor on http://127.0.0.1:5678 with this package installed (from its `npm pack`
 * tarball, as a community package), the provider emulator on 127.0.0.1:4010, and the demo credentials and
 * every example workflow imported, so a person can click through. Ctrl-C stops everything.
 *
 * The editor's user folder is .n8n-host/editor-user/ and is kept between runs (your own workflows stay);
 * the package is re-installed and the examples and demo credentials are re-imported on every start
 * (changes to the example workflows themselves are overwritten); the trigger examples are activated.
 *
 * Options: --port <n> (env N8N_PORT, default 5678), --n8n <version> (env N8N_VERSION, default 2.8.4),
 *          --generation-seconds <s> (emulator generation time, default 20), --fresh (wipe the user folder).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEmulator } from '../test/emulator/index.mjs';
import {
	DEFAULT_N8N_VERSION,
	HOST_ROOT,
	OWNER,
	REPO_ROOT,
	activateWorkflow,
	buildIfNeeded,
	ensureN8n,
	installPackage,
	n8nCliOk,
	ownerSession,
	packPackage,
	portIsFree,
	prepareExamples,
	startN8n,
} from '../test/e2e/host.mjs';
import { arg } from '../test/support/cli-args.mjs';

const port = Number(arg('port') ?? process.env.N8N_PORT ?? 5678);
const version = arg('n8n') ?? process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION;
const generationMs = Math.round(Number(arg('generation-seconds') ?? 20) * 1000);
const say = (/** @type {string} */ msg) => console.log(`[start] ${msg}`);

/** @type {Awaited<ReturnType<typeof startEmulator>> | undefined} */
let emulator;
/** @type {Awaited<ReturnType<typeof startN8n>> | undefined} */
let server;
let stopping = false;
async function shutdown(/** @type {number} */ code) {
	if (stopping) return;
	stopping = true;
	say('stopping n8n and the emulator…');
	await server?.stop();
	await emulator?.close();
	process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
	if (!(await portIsFree(port)))
		throw new Error(`port ${port} on 127.0.0.1 is in use (another n8n?). Use --port <n>.`);
	if (!(await portIsFree(4010))) {
		throw new Error(
			'port 4010 on 127.0.0.1 is in use: the demo credentials point at the emulator there. Stop whatever uses it (an `npm run emulator`?) and retry.',
		);
	}
	await buildIfNeeded();
	const host = await ensureN8n(version);
	emulator = await startEmulator({ port: 4010, generationMs });
	say(`provider emulator on ${emulator.url} (generation takes ${generationMs / 1000} s)`);

	const userFolder = join(HOST_ROOT, 'editor-user');
	if (arg('fresh') === 'true') rmSync(userFolder, { recursive: true, force: true });
	mkdirSync(userFolder, { recursive: true });
	const tgz = await packPackage();
	await installPackage(userFolder, tgz);
	rmSync(join(tgz, '..'), { recursive: true, force: true });
	const prepared = prepareExamples(join(userFolder, 'import'), { emulatorUrl: emulator.url });
	await n8nCliOk(host, userFolder, ['import:credentials', `--input=${prepared.credentialsFile}`]);
	await n8nCliOk(host, userFolder, [
		'import:workflow',
		'--separate',
		`--input=${prepared.workflowsDir}`,
	]);
	// activate the trigger examples so "Send to trigger" works out of the box (callback URLs point at :5678)
	for (const wf of prepared.workflows.filter((w) => w.kind === 'trigger'))
		await activateWorkflow(host, userFolder, wf.id);
	say(
		`package installed and ${prepared.workflows.length} example workflows + demo credentials imported into ${relative(REPO_ROOT, userFolder)}`,
	);

	server = await startN8n({ host, userFolder, port, logFile: join(userFolder, 'n8n.log') });
	await ownerSession(server.url);
	console.log(
		[
			'',
			`n8n ${host.version} (Node ${host.nodeVersion}) is running: ${server.url}/`,
			`  sign in with   ${OWNER.email} / ${OWNER.password}   (demo owner account, local only)`,
			`  examples       Overview → "Kling text to video (…)" / "Kling image to video (…)", then "Execute workflow"`,
			`  credentials    "<Provider> (demo)" point at the emulator on ${emulator.url}`,
			`  trigger        "Kling: receive finished videos (trigger)" is active; run "Kling: submit campaign rows (Send to trigger)"`,
			`  n8n log        ${relative(REPO_ROOT, join(userFolder, 'n8n.log'))}`,
			'Press Ctrl-C to stop n8n and the emulator.',
		].join('\n'),
	);
} catch (error) {
	console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
	await shutdown(1);
}
