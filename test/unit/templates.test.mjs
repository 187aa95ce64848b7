// @ts-check
/**
 * templates/*.json as files (what a user downloads): the set is complete, nothing unrendered, no test leftovers,
 * and the AI Agent template tells the agent what the node says about itself as a tool. Whether n8n accepts and
 * runs them is test/e2e/templates.e2e.test.mjs and test/e2e/agent.e2e.test.mjs.
 */
import { expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_NAME, REPO_ROOT } from '../support/n8n.mjs';

const require = createRequire(import.meta.url);
const DIR = join(REPO_ROOT, 'templates');
const FILES = readdirSync(DIR)
	.filter((f) => f.endsWith('.json'))
	.sort();
/** @param {string} file */
const read = (file) => JSON.parse(readFileSync(join(DIR, file), 'utf8'));

/**
 * Every string of a workflow that holds `{{` or `}}` but is not an n8n expression (a string starting with `=`):
 * a placeholder nobody rendered, which n8n would show or send literally.
 * @param {unknown} value @param {string} [path]
 * @returns {string[]}
 */
function unrenderedPlaceholders(value, path = '') {
	if (typeof value === 'string')
		return /\{\{|\}\}/.test(value) && !value.startsWith('=')
			? [`${path}: ${value.slice(0, 80)}`]
			: [];
	if (value && typeof value === 'object')
		return Object.entries(value).flatMap(([k, v]) => unrenderedPlaceholders(v, `${path}.${k}`));
	return [];
}

test('templates/ holds the marketing workflows: (a) generate, (b) submit + receive, (c) AI agent, (d) retry', () => {
	expect(FILES).toEqual([
		'ai-agent-kling-tool.json',
		'sheets-kling-drive-generate.json',
		'sheets-kling-receive.json',
		'sheets-kling-retry-unfinished.json',
		'sheets-kling-submit.json',
	]);
});

test.each(FILES)(
	'%s: no unrendered {{ }} outside n8n expressions, no pinned data, no test credentials',
	(file) => {
		const wf = read(file);
		expect(unrenderedPlaceholders(wf)).toEqual([]);
		// n8n's workflow ids are at most 21 characters (nanoid); a longer one fails the import
		expect(wf.id.length).toBeLessThanOrEqual(21);
		// shipped without pinned data: a user's manual run must read their sheet, not sample rows
		expect(wf.pinData ?? {}).toEqual({});
		// credentials are left for the user: none of the demo (emulator) credentials or hosts
		expect(JSON.stringify(wf)).not.toMatch(/Demo"|127\.0\.0\.1|localhost|emulator_test_key/);
		for (const node of wf.nodes)
			for (const credential of Object.values(node.credentials ?? {}))
				expect(credential.name).toMatch(/ account$/);
	},
);

test('the placeholder check finds a bare {{ }} and lets ={{ }} expressions pass', () => {
	expect(
		unrenderedPlaceholders({
			nodes: [
				{ parameters: { prompt: '={{ $json.prompt }}', name: 'row-{{ $json.row_number }}.mp4' } },
				{ parameters: { content: 'Set {{packageManager.name}}' } },
			],
		}),
	).toEqual([
		'.nodes.0.parameters.name: row-{{ $json.row_number }}.mp4',
		'.nodes.1.parameters.content: Set {{packageManager.name}}',
	]);
});

test('the submit template calls back to the receive template: Callback URL = the trigger production URL path', () => {
	const submit = read('sheets-kling-submit.json').nodes.find(
		(/** @type {any} */ n) => n.parameters.operation === 'submit',
	);
	const trigger = read('sheets-kling-receive.json').nodes.find(
		(/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideoTrigger`,
	);
	expect(new URL(submit.parameters.callbackUrl).pathname).toBe(
		`/webhook/${trigger.webhookId}/${trigger.parameters.token}`,
	);
});

test("the AI Agent template's Kling Video tool describes itself with the node's own tool description", () => {
	const { KlingVideo } = require('../../dist/nodes/KlingVideo/KlingVideo.node.js');
	/** @type {import('n8n-workflow').INodeTypeDescription} */
	const description = new KlingVideo().description;
	const { usableAsTool } = description;
	if (typeof usableAsTool !== 'object') throw new Error('usableAsTool has no replacements');
	const described = usableAsTool.replacements?.description;
	// what an agent needs to act: one call = one paid video, it waits, what comes back, what to do on an error
	expect(described).toMatch(/ONE paid generation/);
	expect(described).toMatch(/waits until it is done/);
	expect(described).toMatch(/never to retry/);
	expect(described).toMatch(/taskId, videoUrl/);
	expect(described).toMatch(/do not call the tool again/);
	const tool = read('ai-agent-kling-tool.json').nodes.find(
		(/** @type {any} */ n) => n.type === `${PACKAGE_NAME}.klingVideoTool`,
	);
	expect(tool.parameters).toEqual(
		expect.objectContaining({
			descriptionType: 'manual',
			toolDescription: described,
			operation: 'generate',
		}),
	);
	expect(tool.parameters.prompt).toMatch(/^=\{\{ \$fromAI\('prompt', /);
});

test('the README quotes the tool description as the node has it (the text to paste when adding the tool by hand)', () => {
	const { KlingVideo } = require('../../dist/nodes/KlingVideo/KlingVideo.node.js');
	const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
	const quoted = readme
		.split('\n')
		.filter((line) => line.startsWith('> '))
		.map((line) => line.slice(2))
		.join(' ');
	expect(quoted).toContain(new KlingVideo().description.usableAsTool.replacements.description);
});
