// @ts-check
/**
 * What the editor shows while and after Kling Video runs (issue 12, "what the walk showed"), through
 * n8n-core's real WorkflowExecute against the emulator:
 *  - progress: a browser-console line per status change, through n8n's sendMessageToUI (manual runs);
 *  - error texts: a 404 on Submit blames the address, not a task ID; a Base URL that is not http(s)
 *    is told its own provider's default; "Bearer <key>" keeps its "<key>" in the editor's HTML toast;
 *    an input error names the field by its label and the item once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import { startEmulator } from '../emulator/index.mjs';
import { ALL_PROVIDERS, CREDENTIAL_TYPES, FAST, credentialsFor } from '../support/kling.mjs';
import { runKlingNode } from '../support/n8n.mjs';

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
beforeAll(async () => {
	emulator = await startEmulator({ port: 0, generationMs: 600 });
});
afterAll(async () => {
	await emulator?.close();
});
beforeEach(() => emulator.journal.reset());

/** The demo credential of `provider` with some fields changed. @param {import('../support/kling.mjs').Provider} provider @param {Record<string, string>} changes */
function credentialWith(provider, changes) {
	const type = CREDENTIAL_TYPES[provider];
	const base = credentialsFor(provider, emulator)[type];
	return { [type]: { ...base, ...changes } };
}

/** What the editor would show: the error's message and its description, as one text. @param {any} error */
const shown = (error) => `${error?.message ?? ''}\n${error?.description ?? ''}`;

describe('progress during the wait: one browser-console line per status change', () => {
	test('Generate sends "submitted", then each new status with the task ID, in order', async () => {
		/** @type {Array<{ type: string, data: any }>} */
		const pushed = [];
		const result = await runKlingNode({
			parameters: {
				authentication: 'wavespeed',
				operation: 'generate',
				prompt: 'a lighthouse at night',
				options: FAST,
			},
			credentials: credentialsFor('wavespeed', emulator),
			onUiMessage: (type, data) => pushed.push({ type, data }),
		});
		expect(result.error).toBeUndefined();
		const taskId = String(result.output[0].json.taskId);
		const lines = pushed.filter((p) => p.type === 'sendConsoleMessage');
		// n8n prints `source` then the messages: [Node: "Kling Video"] Kling Video: …
		expect(lines.every((l) => l.data.source === '[Node: "Kling Video"]')).toBe(true);
		const texts = lines.map((l) => l.data.messages.join(' '));
		expect(texts[0]).toBe(
			`Kling Video: item 1: submitted to WaveSpeed AI as task ${taskId}, waiting for it (Max Wait 30 s)`,
		);
		const statuses = texts.slice(1).map((t) => {
			const m = /^Kling Video: item 1, task (\S+): (\w+) after \d+ s/.exec(t);
			expect(m?.[1]).toBe(taskId);
			return m?.[2];
		});
		// each status once (a change, not every poll), ending with the success and the download
		expect(new Set(statuses).size).toBe(statuses.length);
		expect(statuses.at(-1)).toBe('succeeded');
		expect(texts.at(-1)).toMatch(/succeeded after \d+ s, downloading the video$/);
	});

	test('a run the editor did not start (trigger or schedule) sends nothing: n8n drops it', async () => {
		// sendMessageToUI only reaches the browser in manual mode; no push function = nothing to call
		const result = await runKlingNode({
			parameters: { authentication: 'kie', operation: 'generate', prompt: 'x', options: FAST },
			credentials: credentialsFor('kie', emulator),
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.status).toBe('succeeded');
	});
});

describe('error texts in the editor', () => {
	test.each(ALL_PROVIDERS)(
		'%s: a 404 on Submit (a path in the Base URL) points at the Base URL, not at a task ID',
		async (provider) => {
			const type = CREDENTIAL_TYPES[provider];
			const base = credentialsFor(provider, emulator)[type].baseUrl;
			const result = await runKlingNode({
				parameters: {
					authentication: provider,
					operation: 'submit',
					prompt: 'a red kite over dunes',
					options: FAST,
				},
				credentials: credentialWith(provider, { baseUrl: `${base}/v2` }),
			});
			const text = shown(result.error);
			// HTTP 404 (Kling official: code 1202, "The requested method is invalid")
			expect(text).toMatch(/HTTP 404|code 1202/);
			expect(text).not.toMatch(/check the task ID/i);
			expect(text).toContain("Check the credential's Base URL");
		},
	);

	test('Get Task on a task that does not exist still says to check the task ID', async () => {
		const result = await runKlingNode({
			parameters: {
				authentication: 'wavespeed',
				operation: 'getTask',
				taskId: 'no-such-task-0000',
				options: {},
			},
			credentials: credentialsFor('wavespeed', emulator),
		});
		expect(shown(result.error)).toMatch(/Check the task ID/);
	});

	test.each(ALL_PROVIDERS)(
		'%s: a Base URL that is not http(s) is told its own default address',
		async (provider) => {
			const result = await runKlingNode({
				parameters: { authentication: provider, operation: 'generate', prompt: 'x', options: FAST },
				credentials: credentialWith(provider, { baseUrl: 'api.example.com' }),
			});
			const text = shown(result.error);
			expect(text).toContain('is not an http(s) URL');
			expect(text).toMatch(/by default "https:\/\/[^"]+"/);
			if (provider !== 'kie') expect(text).not.toContain('kie.ai');
			expect(emulator.journal.entries({ provider })).toHaveLength(0);
		},
	);

	test('"Bearer <key>" in a provider answer keeps its placeholder in the HTML toast (‹key›)', async () => {
		const result = await runKlingNode({
			parameters: {
				authentication: 'wavespeed',
				operation: 'generate',
				prompt: 'x',
				options: FAST,
			},
			credentials: credentialWith('wavespeed', { apiKey: 'wrong-key' }),
		});
		const text = shown(result.error);
		// the emulator answers as WaveSpeed does: "… (use Authorization: Bearer <key>)"
		expect(text).toContain('Bearer ‹key›');
		expect(text).not.toMatch(/[<>]/);
		expect(text).toContain('Check the API key in the credential.');
	});

	/** Image to Video from an item's "photo" binary, which the test's items do not have. */
	const WITHOUT_PHOTO_BINARY = {
		authentication: 'wavespeed',
		operation: 'generate',
		mode: 'image-to-video',
		prompt: 'the product turns slowly',
		startImageSource: 'binary',
		startImageBinaryProperty: 'photo',
		options: FAST,
	};

	test('a missing start frame binary names its field label and the item once', async () => {
		const result = await runKlingNode({
			parameters: WITHOUT_PHOTO_BINARY,
			credentials: credentialsFor('wavespeed', emulator),
			items: [{ json: {} }],
		});
		expect(result.error?.message).toBe(
			'The input item has no binary property "photo". Check "Start Frame Binary Property", or pass the image by URL (item 1)',
		);
		expect(result.error?.description).toBe(
			'Field: Start Frame Binary Property. Nothing was sent to the provider.',
		);
		expect(shown(result.error).match(/item 1\b/gi)).toHaveLength(1);
		expect(emulator.journal.entries({ provider: 'wavespeed' })).toHaveLength(0);
	});

	test('a failed item among several is named once per line of the summary', async () => {
		const result = await runKlingNode({
			parameters: WITHOUT_PHOTO_BINARY,
			credentials: credentialsFor('wavespeed', emulator),
			items: [{ json: {} }, { json: {} }],
			nodeSettings: { onError: 'continueRegularOutput' },
		});
		// continue on fail: each item carries its own error, naming its item once
		const messages = result.output.map((item) => String(item.json.error?.message ?? ''));
		expect(messages).toEqual([
			expect.stringMatching(/\(item 1\)$/),
			expect.stringMatching(/\(item 2\)$/),
		]);
		for (const [i, m] of messages.entries())
			expect(m.match(/item \d/gi)).toEqual([`item ${i + 1}`]);
	});
});

describe("the trigger's Callback Token notice (displayOptions _cnd regex), as n8n evaluates it", () => {
	const require = createRequire(import.meta.url);
	const { NodeHelpers } = require('n8n-workflow');
	const {
		KlingVideoTrigger,
	} = require('../../dist/nodes/KlingVideoTrigger/KlingVideoTrigger.node.js');
	const description = new KlingVideoTrigger().description;
	const notices = description.properties.filter(
		(/** @type {{ name: string }} */ p) => p.name === 'tokenNotice',
	);
	/** Whether any token notice shows for these (editor-resolved) values. @param {number} typeVersion @param {Record<string, string>} values */
	const shows = (typeVersion, values) =>
		notices.some((/** @type {any} */ notice) =>
			NodeHelpers.displayParameter(values, notice, { typeVersion }, description),
		);
	const WEBHOOK_ID = '2f4a0a65-b291-4eab-8748-0c7b8069ee99';

	test.each([
		[
			'version 2, the default ({{ $webhookId }} as the editor resolves it)',
			2,
			{ callbackPath: WEBHOOK_ID },
			false,
		],
		['version 2, "abc"', 2, { callbackPath: 'abc' }, true],
		['version 2, empty', 2, { callbackPath: '' }, true],
		['version 2, spaces', 2, { callbackPath: 'my callback token 1234' }, true],
		['version 2, a good token', 2, { callbackPath: 'browser-walk-callback-token-0001' }, false],
		['version 1, empty (its default)', 1, { token: '' }, true],
		['version 1, a good token', 1, { token: 'saved-token-0000000001' }, false],
	])('%s → notice shown: %s', (_name, typeVersion, values, expected) => {
		expect(shows(typeVersion, values)).toBe(expected);
	});
});
