// @ts-check
/**
 * Runs the Kling Video node for real: n8n-core's WorkflowExecute, with the package loaded from
 * dist/ by PackageDirectoryLoader exactly as n8n loads an installed community package.
 * (JavaScript because it needs `process.env`, which strict lint forbids in .ts files.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const userFolder = mkdtempSync(join(tmpdir(), 'kling-n8n-'));
// One folder per test file; removed when the worker exits.
process.once('exit', () => rmSync(userFolder, { recursive: true, force: true }));
// n8n-core reads its instance settings (encryption key…) from here the first time DI is touched.
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_RESTRICT_FILE_ACCESS_TO = '';
process.env.N8N_LOG_LEVEL ??= 'silent';

const require = createRequire(import.meta.url);
const core = require('n8n-core');
const workflowLib = require('n8n-workflow');
const { Container } = require('@n8n/di');

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE_NAME = 'n8n-nodes-kling-video';
export const KLING_NODE_TYPE = `${PACKAGE_NAME}.klingVideo`;

/** @type {any} */
let loader;

async function loadPackage() {
	if (!loader) {
		loader = new core.PackageDirectoryLoader(REPO_ROOT);
		await loader.loadAll();
	}
	return loader;
}

/** @param {'memory' | 'filesystem'} mode */
async function useBinaryMode(mode) {
	const logger = { debug() {}, info() {}, warn() {}, error() {} };
	const reporter = { error() {}, warn() {}, info() {} };
	const storage = join(userFolder, 'storage');
	const service = new core.BinaryDataService(
		{
			mode: mode === 'filesystem' ? 'filesystem' : 'default',
			localStoragePath: storage,
			signingSecret: 'test',
		},
		reporter,
		logger,
	);
	if (mode === 'filesystem') await service.init();
	Container.set(core.BinaryDataService, service);
	return service;
}

/** A CredentialsHelper that serves fixture data and applies the credential's generic auth. */
function credentialsHelper(
	/** @type {Record<string, any>} */ credentialData,
	/** @type {any} */ pkg,
) {
	class TestCredentialsHelper extends workflowLib.ICredentialsHelper {
		getParentTypes() {
			return [];
		}
		isCredentialUsableByNode() {
			return true;
		}
		/** @param {any} credentials @param {string} typeName @param {any} requestOptions */
		async authenticate(credentials, typeName, requestOptions) {
			const type = pkg.getCredential(typeName).type;
			const auth = type.authenticate;
			if (typeof auth === 'function') return await auth(credentials, requestOptions);
			const headers = { ...(requestOptions.headers ?? {}) };
			for (const [key, value] of Object.entries(auth.properties.headers ?? {})) {
				headers[key] = String(value)
					.replace(/^=/, '')
					.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, name) => credentials[name]);
			}
			return { ...requestOptions, headers };
		}
		async preAuthentication() {
			return undefined;
		}
		async runPreAuthentication() {
			return undefined;
		}
		/** @param {any} _details @param {string} type */
		async getCredentials(_details, type) {
			return { getData: () => credentialData[type] };
		}
		/** @param {any} _additionalData @param {any} _details @param {string} type */
		async getDecrypted(_additionalData, _details, type) {
			if (!credentialData[type]) throw new Error(`Credentials for type "${type}" are not set`);
			return credentialData[type];
		}
		async updateCredentials() {}
		async updateCredentialsOauthTokenData() {}
		getCredentialsProperties() {
			return [];
		}
	}
	return new TestCredentialsHelper();
}

/** The URLs n8n would derive from its instance address; nothing listens there in these tests. */
const INSTANCE_URLS = {
	instanceBaseUrl: 'http://127.0.0.1:5678',
	restApiUrl: 'http://127.0.0.1:5678/rest',
	webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
	webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
	webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
	formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
};

let executionCounter = 0;

/**
 * One execution of a one-node workflow through n8n-core's WorkflowExecute, the node fed `items` on its
 * first input (as n8n starts a webhook's execution with the webhook's workflowData). Returns the run.
 * @param {{ workflow: any, node: any, items: Array<{ json: any, binary?: any }>, credentialsHelper: any,
 *   mode: 'manual' | 'webhook', onStarted?: (execution: { cancel(): void }) => void,
 *   webhookBaseUrl?: string, onUiMessage?: (type: string, data: any) => void }} options
 */
async function executeNode(options) {
	const { workflow, node } = options;
	const executionId = `exec-${++executionCounter}`;
	const hooks = new core.ExecutionLifecycleHooks(options.mode, executionId, {
		id: workflow.id,
		nodes: [node],
		connections: {},
	});
	/** @type {(run: any) => void} */
	let finished = () => {};
	const done = new Promise((resolveDone) => (finished = resolveDone));
	hooks.addHandler('workflowExecuteAfter', (/** @type {any} */ run) => finished(run));
	const additionalData = {
		hooks,
		credentialsHelper: options.credentialsHelper,
		executionId,
		...INSTANCE_URLS,
		...(options.webhookBaseUrl ? { webhookBaseUrl: options.webhookBaseUrl } : {}),
		variables: {},
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		...(options.onUiMessage ? { sendDataToUI: options.onUiMessage } : {}),
	};
	const runExecutionData = workflowLib.createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node, data: { main: [options.items] }, source: null }],
		},
	});
	const execute = new core.WorkflowExecute(additionalData, options.mode, runExecutionData);
	const execution = execute.processRunExecutionData(workflow);
	options.onStarted?.({ cancel: () => execution.cancel() });
	await execution.catch(() => undefined);
	return await done;
}

/**
 * Run one Kling Video node on the given input items.
 * @param {{
 *   parameters: Record<string, any>,
 *   credentials?: Record<string, any>,
 *   items?: Array<{ json: any, binary?: any }>,
 *   binaryMode?: 'memory' | 'filesystem',
 *   nodeSettings?: Record<string, any>,
 *   typeVersion?: number,
 *   onStarted?: (execution: { cancel(): void }) => void,
 *   onUiMessage?: (type: string, data: any) => void,
 * }} options `onUiMessage` receives what n8n pushes to the editor (`sendDataToUI`) in this manual run
 */
export async function runKlingNode(options) {
	const pkg = await loadPackage();
	const binaryService = await useBinaryMode(options.binaryMode ?? 'memory');
	const nodeTypes = {
		/** @param {string} type */
		getByName: (type) => pkg.getNode(type.replace(`${PACKAGE_NAME}.`, '')).type,
		/** @param {string} type @param {number} version */
		getByNameAndVersion: (type, version) =>
			workflowLib.NodeHelpers.getVersionedNodeType(
				pkg.getNode(type.replace(`${PACKAGE_NAME}.`, '')).type,
				version,
			),
		getKnownTypes: () => ({}),
	};
	const node = {
		id: 'kling-node-1',
		name: 'Kling Video',
		type: KLING_NODE_TYPE,
		typeVersion: options.typeVersion ?? 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: Object.fromEntries(
			Object.keys(options.credentials ?? {}).map((type) => [
				type,
				{ id: `${type}-id`, name: type },
			]),
		),
		...options.nodeSettings,
	};
	const workflowId = 'wf-kling-test';
	const workflow = new workflowLib.Workflow({
		id: workflowId,
		name: 'Kling test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const run = await executeNode({
		workflow,
		node,
		items: options.items ?? [{ json: {} }],
		credentialsHelper: credentialsHelper(options.credentials ?? {}, pkg),
		mode: 'manual',
		onStarted: options.onStarted,
		onUiMessage: options.onUiMessage,
	});
	const taskData = run.data.resultData.runData[node.name]?.[0];
	const error = run.data.resultData.error ?? taskData?.error;
	const output = taskData?.data?.main?.[0] ?? [];
	return {
		status: run.status,
		error,
		output,
		/** Items n8n routed to the error output ("Continue (using error output)"). */
		errorOutput: taskData?.data?.main?.[1] ?? [],
		/** Every output of the node, in order (the refused output is the second). */
		outputs: taskData?.data?.main ?? [],
		hints: taskData?.hints ?? [],
		/** The execution's custom data (`$execution.customData`), as the execution list shows it. */
		customData: run.data.resultData.metadata ?? {},
		/** @param {any} binary */
		binaryBuffer: async (binary) => await binaryService.getAsBuffer(binary),
	};
}

/**
 * A Kling Video Trigger wired to n8n-core's real WebhookContext (request helpers, binary helpers,
 * static data), fed by fake express request/response objects. `deliver` is what n8n's webhook
 * server does for one POST: run `webhook()`, then report what the caller would see.
 * @param {{ parameters: Record<string, any>, credentials: Record<string, any>, binaryMode?: 'memory' | 'filesystem', webhookBaseUrl?: string, typeVersion?: number }} options
 */
export async function createTrigger(options) {
	const pkg = await loadPackage();
	const binaryService = await useBinaryMode(options.binaryMode ?? 'memory');
	const nodeType = pkg.getNode('klingVideoTrigger').type;
	const node = {
		id: 'kling-trigger-1',
		name: 'Kling Video Trigger',
		type: `${PACKAGE_NAME}.klingVideoTrigger`,
		typeVersion: options.typeVersion ?? 1,
		position: [0, 0],
		webhookId: '7d2d0c8e-5a3c-4f8e-9a53-0d6f6c3b8a11',
		parameters: options.parameters,
		credentials: Object.fromEntries(
			Object.keys(options.credentials).map((type) => [type, { id: `${type}-id`, name: type }]),
		),
	};
	const workflow = new workflowLib.Workflow({
		id: 'wf-kling-trigger',
		name: 'Kling trigger test',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
		staticData: {},
		settings: { executionOrder: 'v1' },
	});
	const baseAdditionalData = {
		credentialsHelper: credentialsHelper(options.credentials, pkg),
		executionId: 'trigger-exec',
		...INSTANCE_URLS,
		webhookBaseUrl: options.webhookBaseUrl ?? INSTANCE_URLS.webhookBaseUrl,
		variables: {},
		userId: 'test-user',
	};
	// What n8n gives webhookMethods when the workflow is activated.
	const hookContext = () =>
		new core.HookContext(workflow, node, baseAdditionalData, 'trigger', 'activate', {
			webhookDescription: nodeType.description.webhooks[0],
		});
	/** @param {'checkExists' | 'create' | 'delete'} method */
	const lifecycle = async (method) =>
		await nodeType.webhookMethods.default[method].call(hookContext());
	return {
		node,
		staticData: () => workflow.staticData,
		lifecycle,
		productionUrl: () => hookContext().getNodeWebhookUrl('default'),
		/**
		 * One POST, then the execution it starts (the trigger's execute()). `timing` says when the caller
		 * got its answer, when `webhook()` resolved and when the execution ended (ms after the call): a trigger that answers through the response object before it downloads answers
		 * first. `onAnswer` runs the moment the answer is sent (as n8n's response would leave then).
		 * @param {{ body: Buffer | string, headers?: Record<string, string>, query?: Record<string, string> }} request
		 * @param {{ onAnswer?: (answer: { status: number, body: any }) => void }} [hooks]
		 * @returns {Promise<{ status: number, body: any, items: any[] | null, timing: { answeredMs: number, resolvedMs: number, executedMs: number } }>}
		 */
		async deliver(request, hooks = {}) {
			const startedAt = Date.now();
			const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
			let parsed;
			try {
				parsed = JSON.parse(rawBody.toString('utf8'));
			} catch {
				parsed = {};
			}
			const headers = Object.fromEntries(
				Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
			);
			const answer = {
				status: 200,
				body: /** @type {any} */ (undefined),
				answeredAt: /** @type {number | null} */ (null),
			};
			// express sends the response on json()/send()/end(); later calls cannot change it.
			const sent = () => {
				if (answer.answeredAt !== null) return;
				answer.answeredAt = Date.now();
				hooks.onAnswer?.({ status: answer.status, body: answer.body });
			};
			const res = {
				get headersSent() {
					return answer.answeredAt !== null;
				},
				status(/** @type {number} */ code) {
					if (answer.answeredAt === null) answer.status = code;
					return res;
				},
				json(/** @type {any} */ body) {
					if (answer.answeredAt === null) answer.body = body;
					sent();
					return res;
				},
				send(/** @type {any} */ body) {
					if (answer.answeredAt === null) answer.body = body;
					sent();
					return res;
				},
				end() {
					sent();
					return res;
				},
			};
			const req = {
				body: parsed,
				rawBody,
				headers,
				query: request.query ?? {},
				params: {},
				method: 'POST',
			};
			const additionalData = { ...baseAdditionalData, httpRequest: req, httpResponse: res };
			const context = new core.WebhookContext(
				workflow,
				node,
				additionalData,
				'webhook',
				{ webhookDescription: nodeType.description.webhooks[0], isTest: false },
				[],
				undefined,
			);
			const result = await nodeType.webhook.call(context);
			const resolvedAt = Date.now();
			// Then n8n starts the execution with workflowData as the trigger's input: its execute() runs.
			let items = null;
			if (result.workflowData) {
				const run = await executeNode({
					workflow,
					node,
					items: result.workflowData[0],
					credentialsHelper: baseAdditionalData.credentialsHelper,
					mode: 'webhook',
					webhookBaseUrl: baseAdditionalData.webhookBaseUrl,
				});
				const taskData = run.data.resultData.runData[node.name]?.[0];
				if (taskData?.error) throw taskData.error;
				items = taskData?.data?.main?.[0] ?? [];
			}
			const executedAt = Date.now();
			// Without noWebhookResponse, n8n answers itself once webhook() has returned.
			if (!result.noWebhookResponse && answer.answeredAt === null) {
				answer.body ??= { message: 'Workflow was started' };
				sent();
			}
			const answeredAt = answer.answeredAt ?? resolvedAt;
			return {
				status: answer.status,
				body: answer.body,
				items,
				timing: {
					answeredMs: answeredAt - startedAt,
					resolvedMs: resolvedAt - startedAt,
					executedMs: executedAt - startedAt,
				},
			};
		},
		/** @param {any} binary */
		binaryBuffer: async (binary) => await binaryService.getAsBuffer(binary),
	};
}

/** @typedef {Awaited<ReturnType<Awaited<ReturnType<typeof createTrigger>>['deliver']>>} TriggerDelivery */

/**
 * Plays n8n's webhook server for a trigger test: each POST whose path ends in `/<token>` goes to the
 * trigger that `current()` returns (404 while there is none). The caller gets the answer the moment the
 * trigger sends it, as from n8n's webhook server; every delivery is handed to `onDelivery`.
 * @param {{ token: string, current: () => Awaited<ReturnType<typeof createTrigger>> | null, onDelivery: (delivery: TriggerDelivery) => void }} options
 * @returns {Promise<{ webhookBaseUrl: string, close: () => Promise<void> }>}
 */
export async function startWebhookServer({ token, current, onDelivery }) {
	const server = http.createServer((req, res) => {
		const chunks = /** @type {Buffer[]} */ ([]);
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', async () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const trigger = current();
			if (!trigger || !url.pathname.endsWith(`/${token}`)) {
				res.writeHead(404).end();
				return;
			}
			const answer = (/** @type {{ status: number, body: any }} */ { status, body }) => {
				if (res.headersSent) return;
				res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
			};
			const delivery = await trigger.deliver(
				{
					body: Buffer.concat(chunks),
					headers: /** @type {Record<string, string>} */ (req.headers),
					query: Object.fromEntries(url.searchParams),
				},
				{ onAnswer: answer },
			);
			onDelivery(delivery);
			answer(delivery);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		webhookBaseUrl: `http://127.0.0.1:${address.port}/webhook`,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

export function cleanupN8nFolder() {
	rmSync(userFolder, { recursive: true, force: true });
}
