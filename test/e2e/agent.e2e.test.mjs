// @ts-check
/**
 * The Kling Video node as an AI Agent tool, in REAL n8n (issue 16 item 5).
 *
 * Workflow: templates/ai-agent-kling-tool.json as a user imports it (Manual Trigger → Product → AI Agent, with an
 * OpenAI Chat Model and the community node as a tool, `n8n-nodes-kling-video.klingVideoTool`, Generate with
 * `prompt = $fromAI('prompt', …)`), with only its credentials swapped: the Kie.ai demo credential (the emulator)
 * and an `openAiApi` credential whose Base URL points at a fake LLM (test/e2e/fake-llm.mjs). The tool's wait
 * options are shortened as every harness here does; nothing else is changed.
 *
 * Run twice per version: the template as it is (OpenAI Chat Model 1.3, "Use Responses API" on by default, which is
 * what n8n calls: POST /v1/responses, not streamed) and with that switch off (POST /v1/chat/completions).
 * Headless with `n8n execute --id` (the Manual Trigger start; the CLI runs the AI Agent and its tool calls in its
 * own process, as the editor's manual run does), env N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE=true (what n8n's docs
 * ask for community-node tools; nothing in n8n 2.8.4's or 2.41.1's dist reads it any more — both offer the tool
 * variant of every `usableAsTool` node).
 *
 * The fake LLM answers the first request with one tool call (its prompt: LLM_PROMPT) and the request carrying the
 * tool result with a final answer quoting the task ID and video URL it found IN that result. Asserted: n8n offered
 * the tool with the node's own tool description (usableAsTool, set as the template's Tool Description) and a schema
 * holding `prompt`; the emulator created exactly one task, with LLM_PROMPT; the LLM's second
 * request carries the tool result with that task's ID and video URL; the agent's answer (written from the tool
 * result) is the workflow's output. What n8n sent as the tool's name, description and schema is printed.
 *
 * AGENT_E2E_DUMP=<path prefix>: also write the requests the fake LLM received to <prefix>-<version>-<api>.json.
 *
 * Versions: the first of N8N_E2E_VERSIONS (default 2.8.4; checked by hand on 2.41.1 with N8N_E2E_VERSIONS=2.41.1);
 * AGENT_E2E_ALL_VERSIONS=1 runs every version of the list.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { startFakeLlm } from './fake-llm.mjs';
import {
	PACKAGE_NAME,
	REPO_ROOT,
	e2eVersions,
	ensureN8n,
	freshUserFolder,
	installPackage,
	n8nCli,
	n8nCliOk,
	parseRawOutput,
	prepareExamples,
	tail,
} from './host.mjs';
import { closePackageAndEmulator, packAndStartEmulator } from './demo-setup.mjs';

// the first version of the matrix (CI time); AGENT_E2E_ALL_VERSIONS=1: every version of N8N_E2E_VERSIONS
const VERSIONS =
	process.env.AGENT_E2E_ALL_VERSIONS === '1' ? e2eVersions() : e2eVersions().slice(0, 1);
const KEEP = process.env.N8N_E2E_KEEP === '1';
const TEMPLATE = join(REPO_ROOT, 'templates', 'ai-agent-kling-tool.json');
const FAST_WAIT = { firstCheckAfter: 1, pollInterval: 0.5, maxWait: 120 };
const LLM_PROMPT =
	'A glowing trail running shoe splashes through a mountain stream at dawn, low tracking shot, mist and golden rim light, energetic mood';
const TOOL_TYPE = `${PACKAGE_NAME}.klingVideoTool`;
const require = createRequire(import.meta.url);
/** What the node says about itself as a tool (dist/, as n8n loads it; built in beforeAll). */
const nodeToolDescription = () =>
	new (require('../../dist/nodes/KlingVideo/KlingVideo.node.js').KlingVideo)().description
		.usableAsTool.replacements.description;

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {string} */
let tgz;

beforeAll(async () => {
	({ tgz, emulator } = await packAndStartEmulator());
}, 10 * 60_000);

afterAll(async () => await closePackageAndEmulator({ tgz, emulator }));

/**
 * The first `taskId` / `videoUrl` found anywhere in a JSON text (the tool result as n8n sent it).
 * @param {string} text
 */
function findTaskFields(text) {
	/** @type {{ taskId: string | null, videoUrl: string | null }} */
	const found = { taskId: null, videoUrl: null };
	/** @param {unknown} v */
	const walk = (v) => {
		if (typeof v === 'string') {
			// n8n stringifies the tool output; some versions wrap it once more
			if (/^\s*[[{"]/.test(v)) {
				try {
					walk(JSON.parse(v));
				} catch {
					/* plain text */
				}
			}
			return;
		}
		if (Array.isArray(v)) return v.forEach(walk);
		if (v && typeof v === 'object') {
			const o = /** @type {Record<string, unknown>} */ (v);
			if (typeof o.taskId === 'string' && !found.taskId) found.taskId = o.taskId;
			if (typeof o.videoUrl === 'string' && !found.videoUrl) found.videoUrl = o.videoUrl;
			Object.values(o).forEach(walk);
		}
	};
	walk(text);
	return found;
}

/** The fake LLM's final answer: only what it read in the tool result. @param {string} toolResult */
function finalAnswer(toolResult) {
	const { taskId, videoUrl } = findTaskFields(toolResult);
	if (!taskId) return 'The tool result carried no task ID.';
	return `Your clip is ready. Task ID: ${taskId}. Video: ${videoUrl}. Prompt used: ${LLM_PROMPT}`;
}

/**
 * The two APIs n8n's OpenAI Chat Model speaks: the template as it is (node 1.3, "Use Responses API" on by default →
 * /v1/responses), and the same workflow with that switch off (→ /v1/chat/completions).
 * @type {[string, { api: 'responses' | 'chat', responsesApiEnabled: boolean | undefined, id: string }][]}
 */
const APIS = [
	[
		'the template as it is: Responses API',
		{ api: 'responses', responsesApiEnabled: undefined, id: 'klingTplAgent' },
	],
	[
		'"Use Responses API" off: Chat Completions',
		{ api: 'chat', responsesApiEnabled: false, id: 'klingTplAgentChat' },
	],
];

describe.each(VERSIONS)('n8n %s: AI Agent calls the Kling Video tool', (version) => {
	/** @type {import('./host.mjs').N8nHost} */
	let host;
	/** @type {string} */
	let userFolder;
	/** @type {Awaited<ReturnType<typeof startFakeLlm>>} */
	let llm;
	/** @type {Map<string, { res: any, data: any, requests: import('./fake-llm.mjs').LlmRequest[], startedAt: number, endedAt: number, workflow: any }>} */
	const runs = new Map();

	beforeAll(async () => {
		host = await ensureN8n(version);
		userFolder = freshUserFolder(`kling-agent-${version}-`);
		await installPackage(userFolder, tgz);
		llm = await startFakeLlm({ toolArgs: { prompt: LLM_PROMPT }, finalAnswer });

		// the demo credentials (pointed at this emulator) plus the fake LLM's OpenAI credential
		const { credentialsFile } = prepareExamples(join(userFolder, 'examples'), {
			emulatorUrl: emulator.url,
			only: () => false,
		});
		const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
		credentials.push({
			id: 'fakeLlmOpenAi',
			name: 'Fake LLM (OpenAI API)',
			type: 'openAiApi',
			data: { apiKey: 'sk-fake-llm-key', url: llm.url, header: false },
		});
		writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2));
		await n8nCliOk(host, userFolder, ['import:credentials', `--input=${credentialsFile}`]);

		for (const [, variant] of APIS) {
			const workflow = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
			workflow.id = variant.id;
			for (const node of workflow.nodes) {
				if (node.credentials?.klingKieApi)
					node.credentials.klingKieApi = { id: 'kieDemo', name: 'Kie.ai (demo)' };
				if (node.credentials?.openAiApi)
					node.credentials.openAiApi = { id: 'fakeLlmOpenAi', name: 'Fake LLM (OpenAI API)' };
				if (node.type === TOOL_TYPE)
					node.parameters.options = { ...(node.parameters.options ?? {}), ...FAST_WAIT };
				if (
					node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi' &&
					variant.responsesApiEnabled !== undefined
				)
					node.parameters.responsesApiEnabled = variant.responsesApiEnabled;
			}
			const workflowFile = join(userFolder, `agent-${variant.api}.json`);
			writeFileSync(workflowFile, JSON.stringify(workflow, null, 2));
			await n8nCliOk(host, userFolder, ['import:workflow', `--input=${workflowFile}`]);

			const first = llm.requests.length;
			const startedAt = Date.now();
			const res = await n8nCli(
				host,
				userFolder,
				['execute', `--id=${workflow.id}`, '--rawOutput'],
				{
					env: { N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true' },
					timeoutMs: 180_000,
				},
			);
			let data = null;
			try {
				data = parseRawOutput(res.stdout);
			} catch {
				/* reported by the tests */
			}
			const requests = llm.requests.slice(first);
			runs.set(variant.api, { res, data, requests, startedAt, endedAt: Date.now(), workflow });
			if (process.env.AGENT_E2E_DUMP)
				writeFileSync(
					`${process.env.AGENT_E2E_DUMP}-${version}-${variant.api}.json`,
					JSON.stringify(requests, null, 2),
				);
			// What n8n offered the LLM, for the report
			const offered = requests.find((r) => r.tools.length);
			process.stderr.write(
				`[agent e2e] n8n ${version} (${variant.api}): ${requests.map((r) => `${r.api} ${r.path}${r.stream ? ' (stream)' : ''} → ${r.answered}`).join('; ')}\n` +
					`[agent e2e] n8n ${version} (${variant.api}): tools offered to the LLM:\n${JSON.stringify(offered?.tools ?? null, null, 2)}\n`,
			);
		}
	}, 8 * 60_000);

	afterAll(async () => {
		await llm?.close();
		if (userFolder && !KEEP) rmSync(userFolder, { recursive: true, force: true });
		else if (userFolder) process.stderr.write(`[agent e2e] kept user folder: ${userFolder}\n`);
	});

	describe.each(APIS)('%s', (_label, variant) => {
		/** The run; throws with n8n's output when the execution did not succeed. */
		function ranOk() {
			const run = runs.get(variant.api);
			if (!run) throw new Error('the workflow did not run (see beforeAll)');
			const { res, data, workflow } = run;
			const error = data?.data?.resultData?.error;
			if (res.code !== 0 || !data || error)
				throw new Error(
					`n8n execute --id=${workflow.id} (rc ${res.code}) failed${error ? `: ${JSON.stringify(error).slice(0, 1500)}` : ''}\n${tail(res.stdout + res.stderr, 60)}`,
				);
			return { ...run, runData: data.data.resultData.runData };
		}

		/** Emulator submits during this run. @param {{ startedAt: number, endedAt: number }} run */
		const submitsOf = (run) =>
			emulator.journal.entries(
				(e) => e.kind === 'submit' && e.at >= run.startedAt && e.at <= run.endedAt,
			);

		test(`n8n calls ${variant.api === 'chat' ? '/v1/chat/completions' : '/v1/responses'} and offers the Kling Video tool with a schema whose prompt the agent fills`, () => {
			const { requests } = ranOk();
			const calls = requests.filter((r) => r.api === 'responses' || r.api === 'chat');
			expect(calls.map((r) => r.api)).toEqual([variant.api, variant.api]);
			const tool = calls[0].tools.find((t) => /kling/i.test(t.name));
			// the description the agent acts on: the node's own, which the template sets as its Tool Description
			expect(tool).toEqual(
				expect.objectContaining({ name: 'Kling_Video', description: nodeToolDescription() }),
			);
			expect(tool?.parameters).toEqual(
				expect.objectContaining({
					type: 'object',
					properties: expect.objectContaining({
						prompt: expect.objectContaining({ type: 'string', description: expect.any(String) }),
					}),
					required: expect.arrayContaining(['prompt']),
				}),
			);
			expect(calls[0].answered).toBe('tool_call');
		});

		test('the tool call creates exactly one task on the emulator, with the prompt the LLM chose', () => {
			const run = ranOk();
			const submits = submitsOf(run);
			// every submit of the run, on any provider: one, and it created a Kie.ai task
			expect(submits).toHaveLength(1);
			expect(submits[0].path).toContain('/kie/');
			expect(JSON.stringify(submits[0].body)).toContain(LLM_PROMPT);
			expect(emulator.tasks.get(/** @type {string} */ (submits[0].taskId))).toEqual(
				expect.objectContaining({ provider: 'kie' }),
			);
		});

		test("the LLM's second request carries the tool result with that task ID and video URL", () => {
			const run = ranOk();
			const [submit] = submitsOf(run);
			const calls = run.requests.filter((r) => r.api === 'responses' || r.api === 'chat');
			expect(calls).toHaveLength(2); // the tool call, then the answer: no extra turn
			expect(calls[0].toolResult).toBeNull();
			const toolResult = /** @type {string} */ (calls[1].toolResult);
			const fields = findTaskFields(toolResult);
			expect(fields.taskId).toBe(submit.taskId);
			expect(fields.videoUrl).toMatch(/^https?:\/\/.+\.mp4$/);
			expect(toolResult).toContain('"status":"succeeded"');
			expect(toolResult).toContain(LLM_PROMPT);
		});

		test("the agent's final answer, written from the tool result, is the workflow's output", () => {
			const run = ranOk();
			const [submit] = submitsOf(run);
			const agentRuns = run.runData['AI Agent'];
			const out = agentRuns[agentRuns.length - 1].data.main[0];
			expect(out).toHaveLength(1);
			expect(out[0].json.output).toContain(`Task ID: ${submit.taskId}`);
			expect(out[0].json.output).toMatch(/Video: https?:\/\/\S+\.mp4/);
			// the tool node ran once and returned the task
			const toolRuns = run.runData['Kling Video'];
			expect(toolRuns).toHaveLength(1);
			expect(JSON.stringify(toolRuns[0].data)).toContain(/** @type {string} */ (submit.taskId));
		});
	});
});
