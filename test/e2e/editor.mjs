// @ts-check
/**
 * Driving the real n8n editor in Debian's Chromium with playwright-core, for test/e2e/browser.e2e.test.mjs
 * (and `npm run screenshots`, which runs that test with BROWSER_E2E_DOCS=1).
 *
 * - `launchChromium()`: Debian's /usr/bin/chromium (never a Playwright-downloaded browser) with the flags this
 *   machine needs — without `--disable-background-networking` & co. Chromium's own background connections are
 *   refused by the closed network and slow everything down. A persistent context in a fresh profile dir, so
 *   `close()` can find and SIGKILL, by PID, any Chromium process of *this* profile that outlives the browser
 *   (the real binary /usr/lib/chromium/chromium and its crashpad handler can outlive the wrapper).
 * - `Walk`: numbered steps, a screenshot per step into test-results/browser/<version>/NN-step.png, timings,
 *   and errors that name the step a user could not do.
 * - Node-creator / canvas / NDV helpers, by the `data-test-id`s n8n ships and by visible text only (no CSS
 *   classes, no page.evaluate into the app's state, no forced clicks).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];
/**
 * The n8n versions the browser walk runs on by default: 2.8.4 (the newest for Node 20) and the newest
 * version of the e2e matrix (host.mjs DEFAULT_E2E_VERSIONS), on Node 24.
 */
export const DEFAULT_BROWSER_VERSIONS = ['2.8.4', '2.41.1'];

/**
 * Versions from BROWSER_E2E_VERSIONS, else N8N_E2E_VERSIONS, else 2.8.4 and 2.41.1 (comma/space separated).
 * @param {NodeJS.ProcessEnv} [env]
 */
export function browserVersions(env = process.env) {
	for (const value of [env.BROWSER_E2E_VERSIONS, env.N8N_E2E_VERSIONS]) {
		const list = (value ?? '').split(/[\s,]+/).filter(Boolean);
		if (list.length) return list;
	}
	return DEFAULT_BROWSER_VERSIONS;
}

// n8n marks its elements with data-test-id (not Playwright's default data-testid)
selectors.setTestIdAttribute('data-test-id');

/** PIDs of live processes whose command line mentions `needle`. @param {string} needle */
function pidsWith(needle) {
	/** @type {number[]} */
	const pids = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
		} catch {
			/* gone meanwhile */
		}
	}
	return pids;
}

/**
 * Launch Debian's Chromium headless with a fresh profile.
 * @param {{ viewport?: { width: number, height: number } }} [opts]
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, close: () => Promise<void> }>}
 */
export async function launchChromium(opts = {}) {
	if (!existsSync(CHROMIUM))
		throw new Error(
			`Chromium not found at ${CHROMIUM}: install Debian's package (as root: apt-get install -y chromium; .ci/run does it) or set CHROMIUM`,
		);
	const profile = mkdtempSync(join(tmpdir(), 'kling-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: opts.viewport ?? { width: 1440, height: 900 },
		deviceScaleFactor: 1,
		acceptDownloads: false,
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const close = async () => {
		await context.close().catch(() => undefined);
		// anything of this profile still alive (real binary, zygote, crashpad handler): stop it by its PID
		for (let i = 0; i < 20; i++) {
			const left = pidsWith(profile);
			if (!left.length) break;
			for (const pid of left) {
				try {
					process.kill(pid, i < 5 ? 'SIGTERM' : 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
			await new Promise((r) => setTimeout(r, 200));
		}
		rmSync(profile, { recursive: true, force: true });
	};
	return { context, page, close };
}

/**
 * Poll `read()` until `ok(value)` (a visible state, not a fixed sleep); throws with the last value on timeout.
 * @template T @param {() => Promise<T>} read @param {(value: T) => boolean} ok
 * @param {{ timeout?: number, what?: string }} [opts] @returns {Promise<T>}
 */
export async function until(read, ok, { timeout = 10_000, what = 'condition' } = {}) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const value = await read();
		if (ok(value)) return value;
		if (Date.now() > deadline)
			throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeout} ms`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** @param {unknown} e */
const message = (e) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * Numbered steps with a screenshot each and errors that name what the user could not do.
 */
export class Walk {
	/** @param {import('playwright-core').Page} page @param {string} dir */
	constructor(page, dir) {
		this.page = page;
		this.dir = dir;
		this.n = 0;
		this.current = 'Setup';
		/** @type {{ step: string, ms: number, ok: boolean }[]} */
		this.timings = [];
		/** @type {string[]} */
		this.shots = [];
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
	}

	/** Save the next numbered screenshot `NN-<name>.png`. @param {string} name */
	async shot(name) {
		this.n += 1;
		const file = join(this.dir, `${String(this.n).padStart(2, '0')}-${name}.png`);
		// finish CSS transitions first (a closing dropdown would otherwise show as a ghost)
		await this.page.screenshot({ path: file, animations: 'disabled' }).catch(() => undefined);
		this.shots.push(file);
		return file;
	}

	/**
	 * Run one user action; on failure throw "<step>: a user could not <what>: <cause>" (and keep a screenshot).
	 * @template T @param {string} what @param {() => Promise<T>} fn @returns {Promise<T>}
	 */
	async act(what, fn) {
		try {
			return await fn();
		} catch (error) {
			const file = await this.shot(`FAILED-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
			throw new Error(
				`${this.current}: a user could not ${what}: ${message(error)}\n(screenshot: ${file})`,
				{
					cause: error,
				},
			);
		}
	}

	/**
	 * A named step, timed. @template T @param {string} name @param {() => Promise<T>} fn @returns {Promise<T>}
	 */
	async step(name, fn) {
		this.current = `Step "${name}"`;
		const started = Date.now();
		let ok = false;
		try {
			const out = await fn();
			ok = true;
			return out;
		} finally {
			this.timings.push({ step: name, ms: Date.now() - started, ok });
		}
	}
}

/**
 * Node-creator, canvas and NDV interactions shared by both editor generations (2.8.x and 2.33.x–2.41.x).
 * @param {import('playwright-core').Page} page
 */
export function editor(page) {
	const creator = page.getByTestId('node-creator');
	const search = creator.getByTestId('node-creator-search-bar');
	const ndv = page.getByTestId('ndv');
	/** Item names the node creator currently lists (visible text). */
	const creatorItems = async () =>
		(await creator.getByTestId('node-creator-item-name').allInnerTexts()).map((t) => t.trim());
	/** @param {string | RegExp} name */
	const creatorItem = (name) =>
		creator.getByTestId('node-creator-item-name').filter({
			hasText: typeof name === 'string' ? new RegExp(`^\\s*${escape(name)}\\s*$`) : name,
		});
	return {
		creator,
		search,
		ndv,
		creatorItems,
		creatorItem,
		/** Node creator closed (Escape leaves the search first in 2.8.x, so press it until the panel is gone). */
		async closeCreator() {
			for (let i = 0; i < 4 && (await creator.isVisible()); i++) {
				await page.keyboard.press('Escape');
				await creator.waitFor({ state: 'hidden', timeout: 1500 }).catch(() => undefined);
			}
			await creator.waitFor({ state: 'hidden', timeout: 5000 });
		},
		/**
		 * Type into the node creator's search and wait until `expected` is listed; returns what was listed.
		 * Clears first and waits for `expected` to leave the list, so a stale result of the previous search cannot pass.
		 * @param {string} words @param {string | RegExp} expected @param {number} [timeout]
		 */
		async searchFor(words, expected, timeout = 8000) {
			await search.fill('');
			await creatorItem(expected)
				.first()
				.waitFor({ state: 'hidden', timeout: 5000 })
				.catch(() => undefined);
			await search.fill(words);
			const found = await creatorItem(expected)
				.first()
				.waitFor({ state: 'visible', timeout })
				.then(() => true)
				.catch(() => false);
			return { found, items: await creatorItems() };
		},
		/** A canvas node by its type (`n8n-nodes-base.manualTrigger`, `<package>.klingVideo`…). @param {string} type */
		nodeOfType: (type) => page.locator(`[data-test-id="canvas-node"][data-node-type="${type}"]`),
		/** The canvas edge between two nodes, by their names. @param {string} from @param {string} to */
		edge: (from, to) =>
			page.locator(
				`[data-test-id="edge"][data-source-node-name="${cssString(from)}"][data-target-node-name="${cssString(to)}"]`,
			),
		/** An NDV parameter's input container by parameter name. @param {string} name */
		param: (name) => ndv.getByTestId('node-parameters').getByTestId(`parameter-input-${name}`),
		/** Pick an option in an open select dropdown by its visible text. @param {RegExp} name */
		async chooseOption(name) {
			const option = page.getByRole('option', { name }).filter({ visible: true }).first();
			await option.click();
			// the dropdown fades out; wait until it is gone so the next click or screenshot sees the panel
			await page
				.getByRole('option', { name })
				.filter({ visible: true })
				.first()
				.waitFor({ state: 'hidden' });
		},
		/** Wait until `locator` stops moving (node-creator pages slide in). @param {import('playwright-core').Locator} locator */
		async settled(locator) {
			let last = '';
			await until(
				async () => {
					const box = JSON.stringify(await locator.boundingBox());
					const same = box === last;
					last = box;
					return same && box !== 'null';
				},
				(same) => same,
				{ timeout: 5000, what: 'the panel to stop moving' },
			);
		},
	};
}

/** @param {string} s */
function escape(s) {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** @param {string} s */
function cssString(s) {
	return s.replace(/["\\]/g, '\\$&');
}
