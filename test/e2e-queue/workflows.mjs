// @ts-check
/**
 * Workflows for the queue-mode tests. Production executions in queue mode run on workers when they start
 * from a trigger of an active workflow, so every workflow here starts with a Webhook node (answers at once,
 * `onReceived`) that the test calls on the webhook process, or with the Kling Video Trigger.
 */
import { PACKAGE_NAME } from '../e2e/host.mjs';

const WAVESPEED = { klingWaveSpeedApi: { id: 'wavespeedDemo', name: 'WaveSpeed AI (demo)' } };
const KIE = { klingKieApi: { id: 'kieDemo', name: 'Kie.ai (demo)' } };

/** @param {string} name @param {string} path @param {string} webhookId */
function webhookNode(name, path, webhookId) {
	return {
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		id: `${webhookId.slice(0, 30)}ffffff`,
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId,
	};
}

/** Code node: one item per `body.rows` entry. */
function rowsNode() {
	return {
		parameters: { jsCode: 'return $input.first().json.body.rows.map((row) => ({ json: row }));' },
		id: '0b8c1d2e-0000-4000-8000-000000000002',
		name: 'Rows',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [220, 0],
	};
}

/** @param {string[]} names */
function chain(names) {
	/** @type {Record<string, any>} */
	const connections = {};
	for (let i = 0; i < names.length - 1; i++)
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return connections;
}

/**
 * Webhook → Rows → Kling Video (Generate, WaveSpeed).
 * @param {{ id: string, path: string, options: Record<string, number> }} o
 */
export function batchWorkflow(o) {
	return {
		id: o.id,
		name: `Queue: batch generate (${o.id})`,
		active: false,
		nodes: [
			webhookNode('Webhook', o.path, '2b0c1d2e-0000-4000-8000-000000000001'),
			rowsNode(),
			{
				parameters: {
					authentication: 'wavespeed',
					resource: 'video',
					operation: 'generate',
					mode: 'text-to-video',
					model: 'kling-v2.5-turbo-pro',
					prompt: '={{ $json.prompt }}',
					duration: 5,
					aspectRatio: '9:16',
					options: o.options,
				},
				id: '0b8c1d2e-0000-4000-8000-000000000003',
				name: 'Kling Video',
				type: `${PACKAGE_NAME}.klingVideo`,
				typeVersion: 1,
				position: [440, 0],
				credentials: WAVESPEED,
			},
		],
		connections: chain(['Webhook', 'Rows', 'Kling Video']),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Webhook → Rows → Kling Video (Submit) → Kling Video (Wait for Task), with "save execution progress" on,
 * so the Submit node's output (the task IDs) is in the database before the long wait.
 * @param {{ id: string, path: string, options: Record<string, number> }} o
 */
export function submitThenWaitWorkflow(o) {
	return {
		id: o.id,
		name: `Queue: submit then wait (${o.id})`,
		active: false,
		nodes: [
			webhookNode('Webhook', o.path, '3c1d2e3f-0000-4000-8000-000000000001'),
			rowsNode(),
			{
				parameters: {
					authentication: 'wavespeed',
					resource: 'video',
					operation: 'submit',
					mode: 'text-to-video',
					model: 'kling-v2.5-turbo-pro',
					prompt: '={{ $json.prompt }}',
					duration: 5,
					aspectRatio: '9:16',
					options: {},
				},
				id: '3c1d2e3f-0000-4000-8000-000000000003',
				name: 'Submit',
				type: `${PACKAGE_NAME}.klingVideo`,
				typeVersion: 1,
				position: [440, 0],
				credentials: WAVESPEED,
			},
			{
				parameters: {
					authentication: 'wavespeed',
					resource: 'video',
					operation: 'waitForTask',
					taskId: '={{ $json.taskId }}',
					options: o.options,
				},
				id: '3c1d2e3f-0000-4000-8000-000000000004',
				name: 'Wait for Task',
				type: `${PACKAGE_NAME}.klingVideo`,
				typeVersion: 1,
				position: [660, 0],
				credentials: WAVESPEED,
			},
		],
		connections: chain(['Webhook', 'Rows', 'Submit', 'Wait for Task']),
		settings: { executionOrder: 'v1', saveExecutionProgress: true },
	};
}

/**
 * Recovery: Webhook (body.rows = [{ taskId }]) → Kling Video (Wait for Task). Never submits.
 * @param {{ id: string, path: string, options: Record<string, number> }} o
 */
export function recoverWorkflow(o) {
	return {
		id: o.id,
		name: `Queue: recover by task ID (${o.id})`,
		active: false,
		nodes: [
			webhookNode('Webhook', o.path, '4d2e3f40-0000-4000-8000-000000000001'),
			rowsNode(),
			{
				parameters: {
					authentication: 'wavespeed',
					resource: 'video',
					operation: 'waitForTask',
					taskId: '={{ $json.taskId }}',
					options: o.options,
				},
				id: '4d2e3f40-0000-4000-8000-000000000003',
				name: 'Kling Video',
				type: `${PACKAGE_NAME}.klingVideo`,
				typeVersion: 1,
				position: [440, 0],
				credentials: WAVESPEED,
			},
		],
		connections: chain(['Webhook', 'Rows', 'Kling Video']),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Webhook → Rows → Kling Video (Submit, Kie.ai, callback URL = the trigger's production URL, correlation row).
 * @param {{ id: string, path: string, callbackUrl: string }} o
 */
export function submitToTriggerWorkflow(o) {
	return {
		id: o.id,
		name: `Queue: submit to trigger (${o.id})`,
		active: false,
		nodes: [
			webhookNode('Webhook', o.path, '5e3f4051-0000-4000-8000-000000000001'),
			rowsNode(),
			{
				parameters: {
					authentication: 'kie',
					resource: 'video',
					operation: 'submit',
					mode: 'text-to-video',
					model: 'kling-v2.5-turbo-pro',
					prompt: '={{ $json.prompt }}',
					duration: 5,
					aspectRatio: '9:16',
					callbackUrl: o.callbackUrl,
					correlation: { values: [{ key: 'row', value: '={{ $json.row }}' }] },
					options: {},
				},
				id: '5e3f4051-0000-4000-8000-000000000003',
				name: 'Kling Video',
				type: `${PACKAGE_NAME}.klingVideo`,
				typeVersion: 1,
				position: [440, 0],
				credentials: KIE,
			},
		],
		connections: chain(['Webhook', 'Rows', 'Kling Video']),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Kling Video Trigger (Kie.ai) → No Op.
 * @param {{ id: string, token: string, webhookId: string }} o
 */
export function triggerWorkflow(o) {
	return {
		id: o.id,
		name: `Queue: trigger (${o.id})`,
		active: false,
		nodes: [
			{
				parameters: { authentication: 'kie', token: o.token, options: {} },
				id: '6f405162-0000-4000-8000-000000000001',
				name: 'Kling Video Trigger',
				type: `${PACKAGE_NAME}.klingVideoTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: o.webhookId,
				credentials: KIE,
			},
			{
				parameters: {},
				id: '6f405162-0000-4000-8000-000000000002',
				name: 'Done',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
			},
		],
		connections: chain(['Kling Video Trigger', 'Done']),
		settings: { executionOrder: 'v1' },
	};
}
