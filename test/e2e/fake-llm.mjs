// @ts-check
/**
 * A small fake OpenAI-compatible LLM for the AI Agent tests (node:http, 127.0.0.1, no dependencies).
 *
 * It speaks both APIs n8n's OpenAI Chat Model can use:
 * - `POST /v1/responses` (the Responses API; the node's "Use Responses API" switch, on by default from
 *   node version 1.3, which n8n 2.x adds), with `stream: true` answered as server-sent events;
 * - `POST /v1/chat/completions` (the switch off, or node versions < 1.3), also with streaming;
 * - `GET /v1/models` (the editor's model list).
 *
 * Script: the first request of a conversation (no tool result in it) is answered with ONE call of the tool
 * whose name matches `toolPattern`, filling each property of that tool's JSON schema from `toolArgs`
 * (a property the schema has but `toolArgs` lacks gets "fake-llm" so the call is still valid). A request
 * that carries the tool's result is answered with a final text written by `finalAnswer(toolResult)`, where
 * `toolResult` is the tool output as n8n sent it (string) — so the final answer can only contain a task ID
 * that reached the LLM's second turn.
 *
 * Every request is recorded (`requests`: path, body, what it was answered with) so tests can assert what
 * n8n sent: the tool's name, description and parameter schema, and the tool result.
 */
import http from 'node:http';

/**
 * @typedef {{ path: string, api: 'responses' | 'chat' | 'models' | 'other', body: any, stream: boolean,
 *   tools: { name: string, description: string, parameters: any }[], toolResult: string | null,
 *   answered: 'tool_call' | 'final' | 'models' | 'error' }} LlmRequest
 */

/**
 * @param {{ toolPattern?: RegExp, toolArgs: Record<string, unknown>,
 *   finalAnswer: (toolResult: string) => string, model?: string }} script
 */
export async function startFakeLlm(script) {
	const model = script.model ?? 'gpt-4.1-mini';
	const toolPattern = script.toolPattern ?? /kling/i;
	/** @type {LlmRequest[]} */
	const requests = [];
	let seq = 0;
	const nextId = (/** @type {string} */ prefix) =>
		`${prefix}_fake${String(++seq).padStart(4, '0')}`;

	const server = http.createServer(async (req, res) => {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const text = Buffer.concat(chunks).toString('utf8');
		let body = null;
		try {
			body = text ? JSON.parse(text) : null;
		} catch {
			body = text;
		}
		const path = (req.url ?? '').split('?')[0];
		const send = (/** @type {number} */ status, /** @type {unknown} */ json) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(json));
		};
		/** @type {LlmRequest} */
		const record = {
			path,
			api: 'other',
			body,
			stream: Boolean(body?.stream),
			tools: [],
			toolResult: null,
			answered: 'error',
		};
		requests.push(record);
		try {
			if (req.method === 'GET' && /\/models$/.test(path)) {
				record.api = 'models';
				record.answered = 'models';
				return send(200, {
					object: 'list',
					data: [{ id: model, object: 'model', created: 1700000000, owned_by: 'fake-llm' }],
				});
			}
			if (req.method === 'POST' && /\/responses$/.test(path)) {
				record.api = 'responses';
				record.tools = (body.tools ?? [])
					.filter((/** @type {any} */ t) => t.type === 'function')
					.map((/** @type {any} */ t) => ({
						name: t.name,
						description: t.description,
						parameters: t.parameters,
					}));
				const outputs = (Array.isArray(body.input) ? body.input : []).filter(
					(/** @type {any} */ i) => i?.type === 'function_call_output',
				);
				record.toolResult = outputs.length ? String(outputs[outputs.length - 1].output) : null;
				const response =
					record.toolResult === null ? toolCallResponse(record) : finalResponse(record);
				if (!response) return;
				return record.stream ? streamResponses(res, response) : send(200, response);
			}
			if (req.method === 'POST' && /\/chat\/completions$/.test(path)) {
				record.api = 'chat';
				record.tools = (body.tools ?? [])
					.filter((/** @type {any} */ t) => t.type === 'function')
					.map((/** @type {any} */ t) => ({
						name: t.function.name,
						description: t.function.description,
						parameters: t.function.parameters,
					}));
				const toolMessages = (body.messages ?? []).filter(
					(/** @type {any} */ m) => m.role === 'tool',
				);
				record.toolResult = toolMessages.length
					? contentText(toolMessages[toolMessages.length - 1].content)
					: null;
				const completion = chatCompletion(record);
				if (!completion) return;
				return record.stream ? streamChat(res, completion) : send(200, completion);
			}
			send(404, {
				error: {
					message: `fake LLM: no route ${req.method} ${path}`,
					type: 'invalid_request_error',
				},
			});
		} catch (error) {
			send(500, {
				error: { message: `fake LLM: ${error instanceof Error ? error.message : error}` },
			});
		}

		/** The tool to call, or a 400 naming what n8n offered. @param {LlmRequest} r */
		function pickTool(r) {
			const tool = r.tools.find((t) => toolPattern.test(t.name));
			if (!tool) {
				send(400, {
					error: {
						message: `fake LLM: no tool matching ${toolPattern} among [${r.tools.map((t) => t.name).join(', ')}]`,
						type: 'invalid_request_error',
					},
				});
				return null;
			}
			return tool;
		}

		/** @param {{ parameters: any }} tool */
		function argsFor(tool) {
			/** @type {Record<string, unknown>} */
			const args = {};
			for (const key of Object.keys(tool.parameters?.properties ?? {}))
				args[key] = key in script.toolArgs ? script.toolArgs[key] : 'fake-llm';
			return args;
		}

		/** @param {LlmRequest} r */
		function toolCallResponse(r) {
			const tool = pickTool(r);
			if (!tool) return null;
			r.answered = 'tool_call';
			return responsesEnvelope([
				{
					type: 'function_call',
					id: nextId('fc'),
					call_id: nextId('call'),
					name: tool.name,
					arguments: JSON.stringify(argsFor(tool)),
					status: 'completed',
				},
			]);
		}

		/** @param {LlmRequest} r */
		function finalResponse(r) {
			r.answered = 'final';
			const answer = script.finalAnswer(/** @type {string} */ (r.toolResult));
			return responsesEnvelope(
				[
					{
						type: 'message',
						id: nextId('msg'),
						role: 'assistant',
						status: 'completed',
						content: [{ type: 'output_text', text: answer, annotations: [] }],
					},
				],
				answer,
			);
		}

		/** @param {any[]} output @param {string} [outputText] */
		function responsesEnvelope(output, outputText = '') {
			return {
				id: nextId('resp'),
				object: 'response',
				created_at: Math.floor(Date.now() / 1000),
				status: 'completed',
				model,
				output,
				output_text: outputText,
				parallel_tool_calls: true,
				tool_choice: 'auto',
				tools: [],
				error: null,
				incomplete_details: null,
				metadata: {},
				usage: {
					input_tokens: 100,
					input_tokens_details: { cached_tokens: 0 },
					output_tokens: 20,
					output_tokens_details: { reasoning_tokens: 0 },
					total_tokens: 120,
				},
			};
		}

		/** @param {LlmRequest} r */
		function chatCompletion(r) {
			/** @type {any} */
			let message;
			let finish = 'stop';
			if (r.toolResult === null) {
				const tool = pickTool(r);
				if (!tool) return null;
				r.answered = 'tool_call';
				finish = 'tool_calls';
				message = {
					role: 'assistant',
					content: null,
					tool_calls: [
						{
							id: nextId('call'),
							type: 'function',
							function: { name: tool.name, arguments: JSON.stringify(argsFor(tool)) },
						},
					],
				};
			} else {
				r.answered = 'final';
				message = { role: 'assistant', content: script.finalAnswer(r.toolResult) };
			}
			return {
				id: nextId('chatcmpl'),
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model,
				choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
				usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
			};
		}
	});

	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		/** Base URL with the API version, as the openAiApi credential's "Base URL" wants it. */
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve(undefined));
			}),
	};
}

/** @param {unknown} content */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content.map((part) => (typeof part === 'string' ? part : (part?.text ?? ''))).join('');
	return JSON.stringify(content);
}

/**
 * Server-sent events of the Responses API for a finished response.
 * @param {http.ServerResponse} res @param {any} response
 */
function streamResponses(res, response) {
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	let n = 0;
	const event = (/** @type {string} */ type, /** @type {any} */ data) =>
		res.write(
			`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n++, ...data })}\n\n`,
		);
	event('response.created', { response: { ...response, status: 'in_progress', output: [] } });
	response.output.forEach((/** @type {any} */ item, /** @type {number} */ index) => {
		if (item.type === 'function_call') {
			event('response.output_item.added', {
				output_index: index,
				item: { ...item, arguments: '' },
			});
			event('response.function_call_arguments.delta', {
				output_index: index,
				item_id: item.id,
				delta: item.arguments,
			});
			event('response.function_call_arguments.done', {
				output_index: index,
				item_id: item.id,
				arguments: item.arguments,
			});
		} else {
			event('response.output_item.added', { output_index: index, item: { ...item, content: [] } });
			const text = item.content[0].text;
			event('response.output_text.delta', {
				output_index: index,
				item_id: item.id,
				content_index: 0,
				delta: text,
			});
			event('response.output_text.done', {
				output_index: index,
				item_id: item.id,
				content_index: 0,
				text,
			});
		}
		event('response.output_item.done', { output_index: index, item });
	});
	event('response.completed', { response });
	res.end();
}

/**
 * Server-sent events of the Chat Completions API for a finished completion.
 * @param {http.ServerResponse} res @param {any} completion
 */
function streamChat(res, completion) {
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const { message, finish_reason } = completion.choices[0];
	const chunk = (/** @type {any} */ delta, /** @type {string | null} */ finish) =>
		res.write(
			`data: ${JSON.stringify({
				id: completion.id,
				object: 'chat.completion.chunk',
				created: completion.created,
				model: completion.model,
				choices: [{ index: 0, delta, finish_reason: finish }],
			})}\n\n`,
		);
	if (message.tool_calls) {
		chunk(
			{
				role: 'assistant',
				content: null,
				tool_calls: message.tool_calls.map((/** @type {any} */ c, /** @type {number} */ i) => ({
					index: i,
					...c,
				})),
			},
			null,
		);
	} else {
		chunk({ role: 'assistant', content: message.content }, null);
	}
	chunk({}, finish_reason);
	res.write(
		`data: ${JSON.stringify({ ...completion, object: 'chat.completion.chunk', choices: [], usage: completion.usage })}\n\n`,
	);
	res.write('data: [DONE]\n\n');
	res.end();
}
