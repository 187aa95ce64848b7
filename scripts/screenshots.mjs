#!/usr/bin/env node
// @ts-check
/**
 * `npm run screenshots` — regenerate docs/screenshots/*.png from the REAL n8n editor.
 *
 * The screenshots are the ones the browser walk takes (test/e2e/browser.e2e.test.mjs: a user builds the
 * workflows in the editor, runs Kling Video against the emulator and plays the MP4). This runs that walk on
 * one n8n version (N8N_VERSION, default 2.8.4) with BROWSER_E2E_DOCS=1, which copies
 *   kling-video-trigger.png      Kling Video Trigger panel with its Production URL
 *   node-creator-search.png      the node creator finding "Kling"
 *   node-creator-kling.png       "Kling Video" in the node creator: one card, its trigger and its actions
 *   kling-video-trigger-token.png the trigger's Callback Token rule notice (a 3-character token typed)
 *   kling-video-parameters.png   the Kling Video parameters (WaveSpeed demo credential, prompt, 9:16)
 *   kling-video-output.png       the executed node's output with the MP4 binary
 *   kling-video-player.png       the MP4 playing in the output panel (View)
 *   kling-video-workflow.png     the canvas afterwards: Manual Trigger → Kling Video, both green, 1 item
 * into docs/screenshots/. Every step's screenshot stays in test-results/browser/<version>/.
 * Needs Debian's Chromium (`apt-get install -y chromium`, or CHROMIUM=/path) and the devDependency playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_N8N_VERSION, REPO_ROOT } from '../test/e2e/host.mjs';

const version = process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION;
const res = spawnSync(
	process.execPath,
	[
		'--experimental-vm-modules',
		join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
		'-c',
		join(REPO_ROOT, 'jest.e2e.config.mjs'),
		'test/e2e/browser.e2e.test.mjs',
	],
	{
		cwd: REPO_ROOT,
		stdio: 'inherit',
		env: {
			...process.env,
			BROWSER_E2E_VERSIONS: version,
			BROWSER_E2E_DOCS: '1',
			// the docs shots are taken from the 2.8.4 walk; another version writes them too when asked for
			BROWSER_E2E_DOCS_VERSION: version,
		},
	},
);
process.exit(res.status ?? 1);
