#!/usr/bin/env node
// @ts-check
/**
 * `npm run screenshots` — regenerate docs/screenshots/*.png from the REAL n8n editor.
 *
 * Needs Debian's Chromium (`apt-get install -y chromium`) and the devDependency playwright-core. Starts
 * the emulator and n8n (package installed from its tarball, examples imported into a temp user folder),
 * signs in as the demo owner, then captures:
 *   kling-video-parameters.png   the Kling Video node's parameters panel
 *   kling-video-output.png       an executed Kling Video node: output with the MP4 binary
 *   kling-video-trigger.png      the Kling Video Trigger panel (when the package has the trigger)
 * Everything binds to 127.0.0.1; n8n, the emulator and Chromium are stopped when done.
 * Env: N8N_VERSION (default 2.8.4), CHROMIUM (default /usr/bin/chromium).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startEmulator } from '../test/emulator/index.mjs';
import {
	DEFAULT_N8N_VERSION,
	PACKAGE_NAME,
	REPO_ROOT,
	activateWorkflow,
	buildIfNeeded,
	declaredTypes,
	ensureN8n,
	freePort,
	freshUserFolder,
	installPackage,
	n8nCliOk,
	ownerSession,
	packPackage,
	portIsFree,
	prepareExamples,
	startN8n,
} from '../test/e2e/host.mjs';

const OUT = join(REPO_ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];
const say = (/** @type {string} */ m) => console.log(`[screenshots] ${m}`);

/** @type {Awaited<ReturnType<typeof startEmulator>> | undefined} */
let emulator;
/** @type {Awaited<ReturnType<typeof startN8n>> | undefined} */
let server;
/** @type {import('playwright-core').Browser | undefined} */
let browser;
let userFolder = '';
let code = 0;
try {
	await buildIfNeeded();
	const host = await ensureN8n(process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION);
	const declared = await declaredTypes();
	// the examples' own ports when free, so the captured URLs match what users see
	emulator = await startEmulator({
		port: (await portIsFree(4010)) ? 4010 : await freePort(),
		generationMs: 1500,
	});
	userFolder = freshUserFolder('kling-screens-');
	await installPackage(userFolder, await packPackage());
	const port = (await portIsFree(5678)) ? 5678 : await freePort();
	const prepared = prepareExamples(join(userFolder, 'examples'), {
		emulatorUrl: emulator.url,
		// only the workflow executed for the output shot gets short waits; the parameters shot shows defaults
		waitOptions: { firstCheckAfter: 1, pollInterval: 0.5 },
		waitOnly: (file) => file === 'wavespeed-image-to-video.json',
		replace: [['http://127.0.0.1:5678', `http://127.0.0.1:${port}`]],
	});
	await n8nCliOk(host, userFolder, ['import:credentials', `--input=${prepared.credentialsFile}`]);
	await n8nCliOk(host, userFolder, [
		'import:workflow',
		'--separate',
		`--input=${prepared.workflowsDir}`,
	]);
	const triggerWf = prepared.workflows.find((w) => w.kind === 'trigger');
	if (triggerWf) await activateWorkflow(host, userFolder, triggerWf.id);
	server = await startN8n({ host, userFolder, port });
	const { cookie } = await ownerSession(server.url);
	say(`n8n ${host.version} on ${server.url}`);

	browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
	const context = await browser.newContext({
		viewport: { width: 1440, height: 900 },
		deviceScaleFactor: 1,
	});
	const [name, value] = cookie.split('=');
	await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/' }]);
	const page = await context.newPage();
	mkdirSync(OUT, { recursive: true });

	/** Open a workflow and the NDV of one node. @param {string} workflowId @param {string} nodeName */
	async function openNode(workflowId, nodeName) {
		await page.goto(`${server?.url}/workflow/${workflowId}`, { waitUntil: 'networkidle' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
		await dismissPopups();
		const node = page.locator('[data-test-id="canvas-node"]', { hasText: nodeName }).first();
		await node.dblclick();
		await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30_000 });
		await page.waitForTimeout(1500);
	}
	async function dismissPopups() {
		for (const sel of [
			'[data-test-id="close-button"]',
			'.el-dialog__headerbtn',
			'button:has-text("Got it")',
			'button:has-text("Dismiss")',
		]) {
			const el = page.locator(sel).first();
			if (await el.isVisible().catch(() => false)) await el.click().catch(() => undefined);
		}
	}

	// 1. parameters panel
	const t2v =
		prepared.workflows.find((w) => w.file === 'wavespeed-text-to-video.json') ??
		prepared.workflows[0];
	await openNode(t2v.id, t2v.nodeName);
	await page.screenshot({ path: join(OUT, 'kling-video-parameters.png') });
	say('kling-video-parameters.png');

	// 2. executed node with the MP4 binary in its output
	const i2v = prepared.workflows.find((w) => w.file === 'wavespeed-image-to-video.json') ?? t2v;
	await page.goto(`${server.url}/workflow/${i2v.id}`, { waitUntil: 'networkidle' });
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
	await dismissPopups();
	const run = page.locator('[data-test-id="execute-workflow-button"]').first();
	await run.click();
	await page.waitForFunction(
		() =>
			!document.querySelector(
				'[data-test-id="execute-workflow-button"] .n8n-spinner, [data-test-id="stop-execution-button"]',
			),
		undefined,
		{ timeout: 90_000 },
	);
	await page.waitForTimeout(4000);
	const node = page.locator('[data-test-id="canvas-node"]', { hasText: i2v.nodeName }).first();
	await node.dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30_000 });
	await page.waitForTimeout(1000);
	const binaryTab = page.locator('[data-test-id="ndv-output-panel"] >> text=/^Binary$/').first();
	if (await binaryTab.isVisible().catch(() => false)) await binaryTab.click();
	await page.waitForTimeout(1500);
	await page.screenshot({ path: join(OUT, 'kling-video-output.png') });
	say('kling-video-output.png');

	// 3. trigger panel
	if (triggerWf && declared.nodes.includes(`${PACKAGE_NAME}.klingVideoTrigger`)) {
		await page.keyboard.press('Escape');
		await openNode(triggerWf.id, triggerWf.nodeName);
		// show the webhook URLs (Production URL: what Send to trigger needs)
		const urls = page.getByText('Webhook URLs').first();
		if (await urls.isVisible().catch(() => false)) {
			await urls.click();
			await page.waitForTimeout(500);
			const prod = page.getByText('Production URL', { exact: true }).first();
			if (await prod.isVisible().catch(() => false)) await prod.click();
			await page.waitForTimeout(500);
		}
		await page.screenshot({ path: join(OUT, 'kling-video-trigger.png') });
		say('kling-video-trigger.png');
	}
	say(`written to ${OUT}`);
} catch (error) {
	console.error(`screenshots failed: ${error instanceof Error ? error.stack : String(error)}`);
	code = 1;
} finally {
	await browser?.close().catch(() => undefined);
	await server?.stop();
	await emulator?.close();
	if (userFolder && process.env.KEEP !== '1') rmSync(userFolder, { recursive: true, force: true });
}
process.exit(code);
