// @ts-check
/**
 * What a first-time user does in the REAL n8n editor, in Debian's headless Chromium, per n8n version
 * (BROWSER_E2E_VERSIONS, else N8N_E2E_VERSIONS, else 2.8.4 and 2.41.1, the newest of the e2e matrix):
 *
 * setup (not user steps): emulator in-process · package installed from the packed tarball as a community
 * package · examples/credentials.demo.json imported with `n8n import:credentials` · `n8n start` · owner account
 * created over REST. Then, through visible UI only (no page.evaluate into the app, no REST call that creates or
 * changes a workflow, no forced clicks):
 *   0. sign in through the login form
 *   1. new workflow → "Add first step" → search "Kling" → add Kling Video Trigger (listed on its own, or under
 *      "Kling Video" → Triggers → "On video task finished"; the card's description fits both nodes) →
 *      credential "WaveSpeed AI (demo)" → the Callback Token is not masked and starts as a generated one
 *      ({{ $webhookId }}), so the Production URL works untouched; the setup notice reads right on both URL
 *      tabs and names Submit's Callback URL; a too-short token shows the rule's notice, a good one hides it →
 *      Production URL shows …/webhook/<id>/<token> → close the panel: the subtitle reads as words. Not found
 *      → fails saying so.
 *   2. another new workflow → "Trigger manually" → "+" after it → search "Kling" → Kling Video → its short
 *      actions ("Generate video", …; no "Text To Video" group) → Generate video:
 *      it lands connected to the Manual Trigger (edge on the canvas); the top-right "+" and search (command bar)
 *      and "Action in an app" find it; so do "Kling Video", "video", "text to video", "image to video" and every
 *      provider name in the node creator's search
 *   3. Kling Video panel (no Resource dropdown): credential "WaveSpeed AI (demo)" (it decides the provider),
 *      prompt, Aspect Ratio 9:16, Options → First Check After / Poll Interval / Max Wait (shown as "900", not
 *      "900.0") → Execute step → progress lines in the browser console (n8n's sendMessageToUI) → output:
 *      JSON, Binary (wavespeed-<taskId>.mp4, video/mp4) → View → a playable portrait <video> whose source
 *      answers 200 video/mp4; the subtitle reads "Generate · Kling 4.0 · WaveSpeed AI"
 *   4. the request that reached the emulated provider carried aspect_ratio "9:16" and the typed prompt
 * A screenshot per step goes to test-results/browser/<version>/NN-step.png; with BROWSER_E2E_DOCS=1 the ones the
 * README shows are copied to docs/screenshots/ (from 2.8.4 only; `npm run screenshots`).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { Walk, browserVersions, editor, launchChromium, until } from './editor.mjs';
import {
	DEFAULT_N8N_VERSION,
	OWNER,
	PACKAGE_NAME,
	REPO_ROOT,
	ensureN8n,
	freshUserFolder,
	installPackage,
	n8nCliOk,
	ownerSession,
	prepareExamples,
	startN8n,
	tail,
} from './host.mjs';
import { closePackageAndEmulator, packAndStartEmulator } from './demo-setup.mjs';

const VERSIONS = browserVersions();
const KEEP = process.env.N8N_E2E_KEEP === '1';
const DOCS = process.env.BROWSER_E2E_DOCS === '1';
const RESULTS = join(REPO_ROOT, 'test-results', 'browser');
const KLING = `${PACKAGE_NAME}.klingVideo`;
const TRIGGER = `${PACKAGE_NAME}.klingVideoTrigger`;
const MANUAL = 'n8n-nodes-base.manualTrigger';
const PROMPT = 'A paper boat drifting down a rainy street at dusk, vertical for Reels';
const TOKEN = 'browser-walk-callback-token-0001';
/** The actions the node creator lists for Kling Video (short names; more operations may follow). */
const KLING_ACTIONS = ['Generate video', 'Get task status', 'Submit task', 'Wait for task'];
/** The one text both nodes share: n8n's app card for "Kling Video" shows the trigger's description. */
const CARD_DESCRIPTION =
	'Generate Kling AI videos from text or images through WaveSpeed AI, APIXO, Kie.ai, Rivya AI, fal.ai, Replicate or the official Kling API, and start workflows when a video task finishes';
/** Words a user may type to find the node (the codex aliases promise them). */
const SEARCH_WORDS = [
	'Kling Video',
	'video',
	'text to video',
	'image to video',
	'WaveSpeed',
	'APIXO',
	'Kie',
	'Rivya',
	'fal',
	'Replicate',
	'Kling official',
];
/** Per-step budgets (ms); the measured times are printed and written to test-results/browser/<version>/timings.json. */
const BUDGET = { setup: 5 * 60_000, step: 120_000 };

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {string} */
let tgz;

beforeAll(async () => {
	({ tgz, emulator } = await packAndStartEmulator());
}, 10 * 60_000);

afterAll(async () => await closePackageAndEmulator({ tgz, emulator }));

describe.each(VERSIONS)('n8n %s editor, as a user', (version) => {
	/** @type {import('./host.mjs').N8nHost} */
	let host;
	let userFolder = '';
	/** @type {Awaited<ReturnType<typeof startN8n>> | undefined} */
	let server;
	/** @type {Awaited<ReturnType<typeof launchChromium>> | undefined} */
	let browser;
	/** @type {import('playwright-core').Page} */
	let page;
	/** @type {Walk} */
	let walk;
	/** @type {ReturnType<typeof editor>} */
	let ui;
	/** steps that failed: the steps building on them report that instead of a second cause */
	/** @type {Set<string>} */
	const failed = new Set();
	let setupMs = 0;
	/** @type {Record<string, number>} setup phases (ms) */
	const setupPhases = {};
	/** @type {Record<string, any>} */
	const seen = {};
	/** What the page printed to the browser console (the user's F12 console). @type {string[]} */
	const consoleLines = [];

	beforeAll(
		async () => {
			const setupStarted = Date.now();
			let mark = setupStarted;
			const phase = (/** @type {string} */ name) => {
				setupPhases[name] = Date.now() - mark;
				mark = Date.now();
			};
			host = await ensureN8n(version);
			phase('host');
			userFolder = freshUserFolder(`kling-browser-${version}-`);
			await installPackage(userFolder, tgz);
			phase('installPackage');
			const prepared = prepareExamples(join(userFolder, 'examples'), {
				emulatorUrl: emulator.url,
				only: () => false, // credentials only: every workflow is built in the editor
			});
			await n8nCliOk(host, userFolder, [
				'import:credentials',
				`--input=${prepared.credentialsFile}`,
			]);
			phase('importCredentials');
			server = await startN8n({ host, userFolder });
			await ownerSession(server.url); // creates the owner account; the user signs in through the form below
			phase('startN8n');
			browser = await launchChromium();
			page = browser.page;
			page.on('console', (msg) => consoleLines.push(msg.text()));
			page.setDefaultTimeout(20_000);
			walk = new Walk(page, join(RESULTS, version));
			ui = editor(page);
			phase('launchChromium');
			setupMs = Date.now() - setupStarted;
		},
		BUDGET.setup + 40 * 60_000,
	); // + a first-time host install (~5 min each) when .n8n-host/<version> is missing

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		if (walk) {
			const total = walk.timings.reduce((s, t) => s + t.ms, 0);
			const report = {
				version,
				node: host?.nodeVersion,
				setupMs,
				setupPhases,
				walkMs: total,
				steps: walk.timings,
			};
			writeFileSync(join(walk.dir, 'timings.json'), JSON.stringify({ ...report, seen }, null, 2));
			process.stderr.write(
				`[browser e2e] n8n ${version}: setup ${s(setupMs)} (${Object.entries(setupPhases)
					.map(([k, v]) => `${k} ${s(v)}`)
					.join(', ')}), walk ${s(total)} (${walk.timings
					.map((t) => `${t.step} ${s(t.ms)}${t.ok ? '' : ' FAILED'}`)
					.join(', ')})\n`,
			);
			if (
				DOCS &&
				version === (process.env.BROWSER_E2E_DOCS_VERSION ?? DEFAULT_N8N_VERSION) &&
				walk.timings.every((t) => t.ok) &&
				!failed.size
			)
				copyDocsScreenshots(walk);
		}
		if (userFolder && !KEEP) rmSync(userFolder, { recursive: true, force: true });
		else if (userFolder)
			process.stderr.write(`[browser e2e] kept user folder for n8n ${version}: ${userFolder}\n`);
	}, 60_000);

	/**
	 * One jest test per user step; a step that builds on a failed one says so instead of failing a second time.
	 * @param {string} name @param {string[]} needs steps (name prefixes such as "2.") it continues from
	 * @param {() => Promise<void>} fn
	 */
	const userStep = (name, needs, fn) =>
		test(
			name,
			async () => {
				const blocked = [...failed].filter((f) => needs.some((n) => f.startsWith(n)));
				if (blocked.length) {
					failed.add(name);
					throw new Error(`not attempted: it continues from step "${blocked[0]}", which failed`);
				}
				try {
					await walk.step(name, fn);
				} catch (error) {
					failed.add(name);
					if (server?.exited())
						throw new Error(
							`${error instanceof Error ? error.message : error}\nn8n exited:\n${tail(server.logs(), 20)}`,
						);
					throw error;
				}
			},
			BUDGET.step,
		);

	userStep('0. sign in through the login form', [], async () => {
		// the editor's first load (several MB of bundles) takes long on a busy machine
		await walk.act('open the sign-in page', () =>
			page.goto(`${server?.url}/signin`, { timeout: 90_000 }),
		);
		await walk.act('type the e-mail and password', async () => {
			await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
			await page.getByTestId('password').locator('input').fill(OWNER.password);
		});
		await walk.act('click "Sign in"', () => page.getByTestId('form-submit-button').click());
		await walk.act('get past the sign-in page', () =>
			page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 }),
		);
		await walk.act('see the "+" (create) button of the sidebar', () =>
			page.getByTestId('universal-add').waitFor(),
		);
		await walk.shot('signed-in');
	});

	/** Sidebar "+" → Workflow / New workflow; resolves on the empty canvas. */
	async function newWorkflow() {
		const addFirst = page.getByTestId('canvas-add-button');
		// the open workflow may not be autosaved yet: n8n asks "Save changes before leaving?" and the user saves
		const saveDialog = page.getByRole('dialog').filter({ hasText: /Save changes before leaving/i });
		const menuItem = page.getByRole('menuitem', { name: /^(New )?workflow$/i });
		// after "Save" in that dialog n8n 2.33 sometimes stays on the saved workflow; a user clicks "New workflow"
		// again, and so does the walk (at most twice more; counted in timings.json → seen.newWorkflowRetries)
		// on a busy machine the click on "New workflow" is sometimes lost and the menu stays open: a user
		// clicks it again (also counted in seen.newWorkflowRetries)
		for (let attempt = 1; ; attempt++) {
			if (!(await menuItem.isVisible()))
				await walk.act('open the sidebar "+" menu', () =>
					page.getByTestId('universal-add').click(),
				);
			await walk.act('choose "Workflow" / "New workflow" in it', async () => {
				await menuItem.waitFor();
				await ui.settled(menuItem);
				await menuItem.click();
			});
			const arrived = await walk.act('see an empty canvas with "Add first step"', async () => {
				const shown = await addFirst
					.or(saveDialog)
					.first()
					.waitFor({ timeout: attempt < 3 ? 15_000 : 30_000 })
					.then(() => true)
					.catch((error) => {
						if (attempt >= 3) throw error;
						return false;
					});
				if (!shown) return false;
				if (!(await saveDialog.isVisible())) return true;
				seen.saveBeforeLeaving = Number(seen.saveBeforeLeaving ?? 0) + 1;
				await saveDialog.getByRole('button', { name: /^Save$/ }).click();
				await saveDialog.waitFor({ state: 'hidden' });
				return addFirst
					.waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 })
					.then(() => true)
					.catch((error) => {
						if (attempt >= 3) throw error;
						return false;
					});
			});
			if (arrived) return;
			seen.newWorkflowRetries = Number(seen.newWorkflowRetries ?? 0) + 1;
		}
	}

	/**
	 * In the open node panel: "Credential to connect with" (2.33: "Credential") → the demo credential; the
	 * credential decides the provider. Returns what n8n had preselected.
	 * @param {RegExp} name
	 */
	async function pickCredential(name) {
		const select = ui.ndv.getByTestId('node-credentials-select');
		const before = await select.locator('input').inputValue();
		await walk.act('open "Credential to connect with"', () => select.click());
		await walk.act(`pick the credential ${name}`, () =>
			page
				.locator('[data-test-id^="node-credentials-select-item-"]')
				.filter({ hasText: name })
				.first()
				.click(),
		);
		await walk.act(`see the credential ${name} selected`, () =>
			until(
				() => select.locator('input').inputValue(),
				(v) => name.test(v),
				{ what: 'the credential field' },
			),
		);
		return before;
	}

	userStep(
		'1. add Kling Video Trigger from an empty canvas and read its Production URL',
		['0.'],
		async () => {
			await newWorkflow();
			await walk.act('open "Add first step"', () => page.getByTestId('canvas-add-button').click());
			await walk.act('see the trigger panel ("What triggers this workflow?")', () =>
				ui.creator
					.getByTestId('nodes-list-header')
					.filter({ hasText: /trigger/i })
					.waitFor(),
			);
			const { found, items } = await ui.searchFor('Kling', /^\s*Kling Video( Trigger)?\s*$/);
			await walk.shot('trigger-panel-search');
			seen.triggerPanelKling = items;
			if (!found)
				throw new Error(
					`Kling Video Trigger cannot be found from the empty canvas: searching "Kling" in the first-step (trigger) panel lists ${
						items.length ? items.map((i) => `"${i}"`).join(', ') : 'nothing'
					}`,
				);
			// n8n lists the trigger either on its own ("Kling Video Trigger") or merged into the app entry "Kling Video",
			// whose page lists it under "Triggers"
			const direct = ui.creatorItem('Kling Video Trigger');
			if (await direct.count()) {
				await walk.act('click "Kling Video Trigger"', () => direct.first().click());
			} else {
				await walk.act('open "Kling Video" in the results', () =>
					ui.creatorItem('Kling Video').first().click(),
				);
				const triggers = await walk.act('see its "Triggers" list', () => triggerActions());
				seen.triggerActions = triggers;
				await ui.settled(ui.creator.getByTestId('nodes-list-header').last());
				await walk.shot('trigger-actions');
				if (!triggers.length)
					throw new Error(
						`Kling Video Trigger cannot be found from the empty canvas: "Kling Video" shows no trigger (lists ${(await ui.creatorItems()).join(', ')})`,
					);
				// the trigger's Event option names its action (else n8n shows "On new Kling Video event")
				expect(triggers).toEqual(['On video task finished']);
				// the app card shows the trigger's description for both nodes: it must fit both
				await walk.act('read a card description that fits both nodes', () =>
					ui.creator.getByText(CARD_DESCRIPTION, { exact: true }).waitFor(),
				);
				await walk.act(`click the trigger "${triggers[0]}"`, () =>
					ui.creatorItem(triggers[0]).first().click(),
				);
			}
			await walk.act('see the Kling Video Trigger panel open', async () => {
				await ui.ndv.waitFor();
				await ui.ndv
					.getByTestId('node-title-container')
					.filter({ hasText: 'Kling Video Trigger' })
					.waitFor();
			});
			seen.triggerPreselectedCredential = await pickCredential(/^\s*WaveSpeed( AI)? \(demo\)/);
			const token = ui.param('callbackPath'); // trigger version 2: the Callback Token
			const tokenNotice = ui.ndv.getByText(/^\s*The Callback Token must be at least 16/);
			const setupNotice = ui.ndv.getByText(
				/^\s*Paste this trigger's URL into the Callback URL field of a Kling Video node \(operation Submit\): the Test URL while you listen for a test event, the Production URL once the workflow is active/,
			);
			// a new trigger works untouched: its token is generated ({{ $webhookId }}) and shown, not masked
			await walk.act(
				'see the Callback Token start as a generated one ({{ $webhookId }}), not masked',
				async () => {
					await until(
						async () => (await token.innerText()).replace(/\s+/g, ' '),
						(text) => text.includes('{{ $webhookId }}'),
						{ what: 'the Callback Token field' },
					);
					expect(await ui.ndv.locator('input[type="password"]').count()).toBe(0);
					expect(await tokenNotice.count()).toBe(0);
				},
			);
			const production = ui.ndv.getByTestId('radio-button-production');
			if (!(await production.isVisible()))
				await walk.act('expand "Webhook URLs"', () =>
					ui.ndv.getByText('Webhook URLs', { exact: true }).click(),
				);
			/** The URL the panel shows (Test or Production tab). @param {RegExp} pattern */
			const shownUrl = async (pattern) => {
				const url = ui.ndv.getByText(pattern);
				await url.waitFor();
				return (await url.innerText()).trim();
			};
			await walk.act('switch Webhook URLs to "Test URL" and read a working URL', async () => {
				await ui.ndv.getByTestId('radio-button-test').click();
				seen.generatedTestUrl = await shownUrl(/\/webhook-test\/([0-9a-f-]{36})\/\1$/);
				// the notice reads right on this tab too: it names both URLs and where they go
				await setupNotice.waitFor();
			});
			await walk.act('switch to "Production URL": …/webhook/<id>/<generated token>', async () => {
				await production.click();
				seen.generatedProductionUrl = await shownUrl(/\/webhook\/([0-9a-f-]{36})\/\1$/);
				await setupNotice.waitFor();
			});
			await walk.shot('trigger-generated-token');
			// the user's own token: Fixed mode, then the rule's notice while it is too short
			await walk.act('switch the Callback Token to "Fixed"', async () => {
				const item = ui.ndv
					.getByTestId('parameter-item')
					.filter({ has: page.getByTestId('parameter-input-callbackPath') });
				await item.hover();
				await item.getByTestId('radio-button-fixed').click();
				await token.locator('input').waitFor();
			});
			await walk.act("type a 3-character token and see the rule's notice", async () => {
				await token.locator('input').fill('abc');
				await tokenNotice.waitFor();
				seen.tokenNotice = (await tokenNotice.innerText()).trim();
				expect(seen.tokenNotice).toContain("Kling Video node's Callback URL (operation Submit)");
			});
			await walk.shot('trigger-token-rule');
			await walk.act('type a Callback Token that follows the rule: the notice goes', async () => {
				await token.locator('input').fill(TOKEN);
				await tokenNotice.waitFor({ state: 'hidden' });
			});
			const urlPattern = new RegExp(`/webhook/[0-9a-f-]{36}/${TOKEN}$`);
			const urlText = await walk.act(
				'read a Production URL that ends in /webhook/<id>/<Callback Token>',
				async () => {
					const url = ui.ndv.getByText(urlPattern);
					await url.waitFor();
					return (await url.innerText()).trim();
				},
			);
			seen.productionUrl = urlText;
			expect(urlText.startsWith(`${server?.url}/webhook/`)).toBe(true);
			// the same webhook ID as with the generated token: only the token part changed
			expect(urlText.split('/').at(-2)).toBe(String(seen.generatedProductionUrl).split('/').at(-2));
			expect(await setupNotice.isVisible()).toBe(true);
			await walk.shot('trigger-production-url');
			await walk.act('close the node panel', () => ui.ndv.getByTestId('ndv-close-button').click());
			await walk.act('see the panel closed and the trigger on the canvas', async () => {
				await ui.ndv.waitFor({ state: 'hidden' });
				await ui.nodeOfType(TRIGGER).waitFor();
			});
			seen.triggerSubtitle = (await ui.nodeOfType(TRIGGER).innerText()).replace(/\s+/g, ' ').trim();
			// words, not raw values ("on callback from wavespeed")
			expect(seen.triggerSubtitle).toContain('On video task finished · WaveSpeed AI');
			await walk.shot('trigger-on-canvas');
		},
	);

	/** The item names listed under the node creator's "Triggers (n)" heading, in order. */
	async function triggerActions() {
		const rows = ui.creator.locator(
			'[data-test-id="node-creator-category-item"], [data-test-id="node-creator-item-name"]',
		);
		await ui.creator
			.getByTestId('node-creator-category-item')
			.filter({ hasText: /^\s*Triggers/ })
			.waitFor();
		const texts = (await rows.allInnerTexts()).map((t) => t.trim());
		const start = texts.findIndex((t) => /^Triggers\b/.test(t));
		const out = [];
		for (let i = start + 1; start >= 0 && i < texts.length; i++) {
			if (/^(Actions|Triggers)\s*\(\d+\)/.test(texts[i])) break;
			out.push(texts[i]);
		}
		return out;
	}

	let manualName = '';
	let klingName = '';

	userStep(
		'2. add Manual Trigger, then Kling Video with the "+" after it: connected',
		['0.'],
		async () => {
			await newWorkflow();
			await walk.act('open "Add first step"', () => page.getByTestId('canvas-add-button').click());
			await walk.act('click "Trigger manually"', () => ui.creatorItem('Trigger manually').click());
			await walk.act('see the Manual Trigger on the canvas', () => ui.nodeOfType(MANUAL).waitFor());
			if (await ui.ndv.isVisible()) await ui.ndv.getByTestId('ndv-close-button').click();
			await ui.creator.waitFor({ state: 'hidden' });
			manualName = /** @type {string} */ (
				await ui.nodeOfType(MANUAL).getAttribute('data-node-name')
			);
			await walk.act('click the "+" after the Manual Trigger', () =>
				page
					.locator(`[data-test-id="canvas-node-output-handle"][data-node-name="${manualName}"]`)
					.getByTestId('canvas-handle-plus')
					.click(),
			);
			await walk.act('see "What happens next?"', () =>
				ui.creator.getByTestId('nodes-list-header').waitFor(),
			);
			const { found, items } = await ui.searchFor('Kling', 'Kling Video');
			seen.nextStepKling = items;
			await walk.shot('next-step-search');
			if (!found)
				throw new Error(
					`Kling Video cannot be found with the "+" after the Manual Trigger: searching "Kling" lists ${items.join(', ') || 'nothing'}`,
				);
			await walk.act('open "Kling Video"', () => ui.creatorItem('Kling Video').first().click());
			const action = ui.creatorItem(/^\s*Generate\b/i);
			await walk.act('see its actions, one of them "Generate…"', () => action.first().waitFor());
			seen.klingActions = await ui.creatorItems();
			// short action names, and no "Text To Video" / "Image To Video" group (the codex is not "AI")
			expect(seen.klingActions).toEqual(expect.arrayContaining(KLING_ACTIONS));
			expect(seen.klingActions.filter((a) => /to video/i.test(a))).toEqual([]);
			await ui.settled(ui.creator.getByTestId('nodes-list-header').last());
			await walk.shot('kling-actions');
			await walk.act(`click "${(await action.first().innerText()).trim()}"`, () =>
				action.first().click(),
			);
			await walk.act('see the Kling Video panel open', () => ui.ndv.waitFor());
			await walk.act('close the node panel', () => ui.ndv.getByTestId('ndv-close-button').click());
			await ui.ndv.waitFor({ state: 'hidden' });
			klingName = /** @type {string} */ (await ui.nodeOfType(KLING).getAttribute('data-node-name'));
			await walk.act(`see "${manualName}" → "${klingName}" connected on the canvas`, () =>
				ui.edge(manualName, klingName).waitFor({ state: 'attached' }),
			);
			await walk.shot('kling-connected');
		},
	);

	userStep(
		'2b. the top-right "+", the search (command bar) and "Action in an app" find Kling Video',
		['2.'],
		async () => {
			// top-right "+"
			await walk.act('open the top-right "+" (node creator)', () =>
				page.getByTestId('node-creator-plus-button').click(),
			);
			const plus = await ui.searchFor('Kling', 'Kling Video');
			seen.topRightPlusKling = plus.items;
			if (!plus.found)
				throw new Error(
					`the top-right "+" does not find "Kling": lists ${plus.items.join(', ') || 'nothing'}`,
				);
			await walk.shot('node-creator-search');
			// the search words, in the same search box
			/** @type {Record<string, string[]>} */
			const words = {};
			const missing = [];
			for (const word of SEARCH_WORDS) {
				const r = await ui.searchFor(word, 'Kling Video');
				words[word] = r.items;
				if (!r.found) missing.push(`"${word}" → ${r.items.join(', ') || 'nothing'}`);
				if (word === 'text to video') await walk.shot('search-text-to-video');
			}
			seen.searchWords = words;
			if (missing.length)
				throw new Error(
					`the node creator search does not find Kling Video for: ${missing.join('; ')}`,
				);
			// "Action in an app": the alphabetical app list, then its own search
			await ui.search.fill('');
			await walk.act('open "Action in an app"', () => ui.creatorItem('Action in an app').click());
			await walk.act('scroll the app list to "Kling Video"', async () => {
				const item = ui.creatorItem('Kling Video').first();
				const box = await ui.creator.boundingBox();
				if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
				for (let i = 0; i < 100 && !(await item.count()); i++) {
					await page.mouse.wheel(0, 600);
					await item.waitFor({ state: 'attached', timeout: 250 }).catch(() => undefined);
				}
				await item.scrollIntoViewIfNeeded();
				await item.waitFor({ state: 'visible' });
			});
			await walk.shot('action-in-an-app');
			// the unfiltered list already shows Kling Video: the search counts once the list is filtered
			const inApp = await walk.act('search "Kling" in "Action in an app"', async () => {
				await ui.search.fill('Kling');
				return until(ui.creatorItems, (items) => items.length < 10, {
					what: 'the filtered app list',
				});
			});
			seen.actionInAppKling = inApp;
			if (!inApp.includes('Kling Video'))
				throw new Error(
					`"Action in an app" search does not find "Kling": lists ${inApp.join(', ') || 'nothing'}`,
				);
			await walk.act('close the node creator', () => ui.closeCreator());
			// top-right search = command bar
			await walk.act('open the top-right search', () =>
				page.getByTestId('command-bar-button').click(),
			);
			const bar = page.getByTestId('command-bar');
			await walk.act('type "Kling" into it', async () => {
				await bar.waitFor();
				await page.keyboard.type('Kling');
			});
			await walk.act('see "Add Kling Video" offered', () =>
				bar
					.getByText(/^\s*Add Kling Video\s*$/)
					.first()
					.waitFor(),
			);
			seen.commandBarKling = (await bar.getByTestId('command-bar-items-list').innerText())
				.split('\n')
				.map((l) => l.trim())
				.filter((l) => l && !l.startsWith('/*'));
			await walk.shot('command-bar-search');
			await walk.act('close the search', async () => {
				await page.keyboard.press('Escape');
				await bar.waitFor({ state: 'hidden' });
			});
		},
	);

	/** @type {number} */
	let journalFrom = 0;
	let taskId = '';

	userStep(
		'3. configure Kling Video (WaveSpeed demo, prompt, 9:16, short waits), execute, see and play the MP4',
		['2.'],
		async () => {
			await walk.act(`open "${klingName}" (double-click)`, async () => {
				await ui.nodeOfType(KLING).dblclick();
				await ui.ndv.waitFor();
			});
			seen.klingPreselectedCredential = await pickCredential(/^\s*WaveSpeed( AI)? \(demo\)/);
			// one resource: no Resource dropdown (the parameter is hidden, not removed)
			expect(await ui.param('resource').count()).toBe(0);
			expect(await ui.ndv.getByText('Resource', { exact: true }).count()).toBe(0);
			await walk.act('type the prompt', () => ui.param('prompt').locator('textarea').fill(PROMPT));
			await walk.act('choose Aspect Ratio 9:16', async () => {
				await ui.param('aspectRatio').click();
				await ui.chooseOption(/^9:16/);
				await until(
					() => ui.param('aspectRatio').locator('input').inputValue(),
					(v) => v.startsWith('9:16'),
					{
						what: 'Aspect Ratio',
					},
				);
			});
			await walk.shot('kling-parameters');
			// short waits: the emulator finishes in ~1.5 s; the defaults (automatic first check ~30 s) would be slow
			/** @type {Record<string, string>} */
			const optionDefaults = {};
			for (const [label, name, value] of /** @type {const} */ ([
				['First Check After (Seconds)', 'firstCheckAfter', '1'],
				['Poll Interval (Seconds)', 'pollInterval', '0.5'],
				['Max Wait (Seconds)', 'maxWait', '120'],
			])) {
				await walk.act(`add the option "${label}" and set it to ${value}`, async () => {
					await ui.ndv
						.getByTestId('node-parameters')
						.getByPlaceholder('Add Option')
						.filter({ visible: true })
						.click();
					await ui.chooseOption(new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`));
					const input = ui.param(name).locator('input');
					optionDefaults[name] = await input.inputValue();
					await input.fill(value);
					await input.press('Tab');
					// shown as typed: "120", not "120.0"
					await until(
						() => input.inputValue(),
						(v) => v === value,
						{ what: label },
					);
				});
			}
			seen.optionDefaults = optionDefaults;
			// whole seconds without a decimal place ("900", not "900.0")
			expect(optionDefaults).toEqual({ firstCheckAfter: '0', pollInterval: '5', maxWait: '900' });
			await walk.shot('kling-options');
			journalFrom = emulator.journal.entries().at(-1)?.seq ?? 0;
			consoleLines.length = 0;
			const out = ui.ndv.getByTestId('output-panel');
			await walk.act('click "Execute step"', () =>
				ui.ndv.getByTestId('node-execute-button').click(),
			);
			await walk.act('see the step finish successfully', async () => {
				try {
					await out.getByTestId('node-run-status-success').waitFor({ timeout: 90_000 });
				} catch (error) {
					throw new Error(
						`no success in the output panel; it shows: ${(await out.innerText()).replace(/\s+/g, ' ').slice(0, 600)}`,
					);
				}
			});
			const submit = emulator.journal.entries(
				(e) => e.seq > journalFrom && e.kind === 'submit' && e.provider === 'wavespeed',
			);
			taskId = submit.find((e) => e.taskId)?.taskId ?? '';
			// progress while it waited: n8n's sendMessageToUI prints to the browser console (F12)
			seen.consoleProgress = consoleLines.filter((line) => line.includes('Kling Video: '));
			await walk.act('see the progress lines in the browser console', async () => {
				await until(
					async () => consoleLines.filter((line) => line.includes(`task ${taskId}`)),
					(lines) => lines.some((line) => /: succeeded after \d+ s/.test(line)),
					{ what: 'the console progress lines' },
				);
				seen.consoleProgress = consoleLines.filter((line) => line.includes('Kling Video: '));
				expect(seen.consoleProgress).toEqual(
					expect.arrayContaining([
						expect.stringContaining(
							`Kling Video: item 1: submitted to WaveSpeed AI as task ${taskId}, waiting for it (Max Wait 120 s)`,
						),
					]),
				);
			});
			await walk.act('switch the output to JSON and see the task', async () => {
				await out.getByTestId('radio-button-json').click();
				await out
					.getByText(taskId || /"taskId"/)
					.first()
					.waitFor();
				await out
					.getByText(/"9:16"/)
					.first()
					.waitFor();
			});
			await walk.shot('output-json');
			const binary = out.getByTestId('ndv-binary-data_0');
			await walk.act('switch the output to Binary and see the video binary', async () => {
				await out.getByTestId('radio-button-binary').click();
				await binary.waitFor();
			});
			const card = (await binary.innerText()).replace(/\s+/g, ' ');
			seen.binaryCard = card;
			expect(taskId).not.toBe('');
			expect(card).toContain(`wavespeed-${taskId}.mp4`);
			expect(card).toMatch(/Mime Type:\s*video\/mp4/);
			await walk.shot('output-binary');
			const opened = await walk.act('click "View" and see the video open', async () => {
				const popup = page
					.context()
					.waitForEvent('page', { timeout: 15_000 })
					.catch(() => null);
				await out.getByTestId('ndv-view-binary-data').click();
				const video = page.locator('video').first();
				const which = await Promise.race([
					video.waitFor({ state: 'visible', timeout: 15_000 }).then(() => 'video'),
					popup.then((p) => (p ? 'popup' : null)),
				]);
				if (which === 'video') {
					const src =
						(await video.getAttribute('src')) ??
						(await video.locator('source').first().getAttribute('src'));
					return { kind: 'video', src: src ?? '', video };
				}
				const tab = await popup;
				if (!tab) throw new Error('neither a <video> element nor a new tab appeared');
				await tab.waitForLoadState();
				return { kind: 'tab', src: tab.url(), video: tab.locator('video').first() };
			});
			seen.viewOpens = opened.kind;
			// the source the player loads: 200, video/mp4, an MP4 (ftyp box)
			const res = await page.request.get(opened.src);
			expect(res.status()).toBe(200);
			expect(res.headers()['content-type']).toMatch(/^video\/mp4/);
			expect((await res.body()).subarray(4, 8).toString('latin1')).toBe('ftyp');
			// and the browser decodes it: a portrait (9:16) frame
			const size = await walk.act('see the video load in the player', async () => {
				await until(
					() => opened.video.evaluate((v) => /** @type {HTMLVideoElement} */ (v).readyState),
					(state) => state >= 1,
					{ timeout: 15_000, what: 'the player readyState' },
				);
				return opened.video.evaluate((v) => ({
					width: /** @type {HTMLVideoElement} */ (v).videoWidth,
					height: /** @type {HTMLVideoElement} */ (v).videoHeight,
				}));
			});
			seen.videoSize = size;
			expect(size.height).toBeGreaterThan(size.width);
			await walk.shot('video-view');
			await walk.act('close the node panel', async () => {
				await ui.ndv.getByTestId('ndv-close-button').click();
				await ui.ndv.waitFor({ state: 'hidden' });
			});
			seen.klingSubtitle = (await ui.nodeOfType(KLING).innerText()).replace(/\s+/g, ' ').trim();
			expect(seen.klingSubtitle).toMatch(/Generate · Kling [^·]+ · WaveSpeed AI/);
			await walk.shot('canvas-after-run');
		},
	);

	userStep('4. the provider received aspect_ratio 9:16 and the typed prompt', ['3.'], async () => {
		const submits = emulator.journal.entries(
			(e) =>
				e.seq > journalFrom &&
				e.kind === 'submit' &&
				e.provider === 'wavespeed' &&
				e.taskId === taskId,
		);
		expect(submits).toHaveLength(1);
		expect(submits[0].body).toEqual(
			expect.objectContaining({ aspect_ratio: '9:16', prompt: PROMPT }),
		);
		seen.providerRequest = { path: submits[0].path, body: submits[0].body };
	});
});

/** README screenshots from the 2.8.4 walk. @param {Walk} walk */
function copyDocsScreenshots(walk) {
	const docs = join(REPO_ROOT, 'docs', 'screenshots');
	mkdirSync(docs, { recursive: true });
	/** @type {Record<string, string>} */
	const wanted = {
		'kling-video-parameters.png': 'kling-parameters',
		'kling-video-output.png': 'output-binary',
		'kling-video-trigger.png': 'trigger-production-url',
		'node-creator-search.png': 'node-creator-search',
		'node-creator-kling.png': 'trigger-actions',
		'kling-video-trigger-token.png': 'trigger-token-rule',
		'kling-video-workflow.png': 'canvas-after-run',
		'kling-video-player.png': 'video-view',
	};
	for (const [target, step] of Object.entries(wanted)) {
		const file = walk.shots.find((f) => f.endsWith(`-${step}.png`));
		if (file) copyFileSync(file, join(docs, target));
	}
}

/** @param {number} ms */
function s(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}
