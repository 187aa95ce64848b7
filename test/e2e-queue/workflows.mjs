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

/** The text-to-video fields every submitting workflow here uses; the prompt comes from the row. */
const TEXT_TO_VIDEO = {
	mode: 'text-to-video',
	model: 'kling-v2.5-turbo-pro',
	prompt: '={{ $json.prompt }}',
	duration: 5,
	aspectRatio: '9:16',
};

/**
 * A Kling Video node.
 * @param {{ name: string, id: string, x: number, credentials: Record<string, any>, parameters: Record<string, any> }} o
 */
function klingNode(o) {
	return {
		parameters: { resource: 'video', ...o.parameters },
		id: o.id,
		name: o.name,
		type: `${PACKAGE_NAME}.klingVideo`,
		typeVersion: 1,
		position: [o.x, 0],
		credentials: o.credentials,
	};
}

/**
 * Webhook → Rows → the given Kling Video nodes, chained in order. Node ids share the webhook id's
 * prefix: `…01` webhook, `…03` and on for the Kling nodes.
 * @param {{ id: string, name: string, path: string, idPrefix: string, settings?: Record<string, any>,
 *   kling: Array<{ name: string, credentials: Record<string, any>, parameters: Record<string, any> }> }} o
 */
function rowsWorkflow(o) {
	const kling = o.kling.map((node, i) =>
		klingNode({ ...node, id: `${o.idPrefix}${String(i + 3).padStart(2, '0')}`, x: 440 + 220 * i }),
	);
	return {
		id: o.id,
		name: o.name,
		active: false,
		nodes: [webhookNode('Webhook', o.path, `${o.idPrefix}01`), rowsNode(), ...kling],
		connections: chain(['Webhook', 'Rows', ...kling.map((node) => node.name)]),
		settings: { executionOrder: 'v1', ...o.settings },
	};
}

/**
 * Webhook → Rows → Kling Video (Generate, WaveSpeed).
 * @param {{ id: string, path: string, options: Record<string, number> }} o
 */
export function batchWorkflow(o) {
	return rowsWorkflow({
		id: o.id,
		name: `Queue: batch generate (${o.id})`,
		path: o.path,
		idPrefix: '2b0c1d2e-0000-4000-8000-0000000000',
		kling: [
			{
				name: 'Kling Video',
				credentials: WAVESPEED,
				parameters: {
					authentication: 'wavespeed',
					operation: 'generate',
					...TEXT_TO_VIDEO,
					options: o.options,
				},
			},
		],
	});
}

/**
 * Webhook → Rows → Kling Video (Submit) → Kling Video (Wait for Task), with "save execution progress" on,
 * so the Submit node's output (the task IDs) is in the database before the long wait.
 * @param {{ id: string, path: string, options: Record<string, number> }} o
 */
export function submitThenWaitWorkflow(o) {
	return rowsWorkflow({
		id: o.id,
		name: `Queue: submit then wait (${o.id})`,
		path: o.path,
		idPrefix: '3c1d2e3f-0000-4000-8000-0000000000',
		settings: { saveExecutionProgress: true },
		kling: [
			{
				name: 'Submit',
				credentials: WAVESPEED,
				parameters: {
					authentication: 'wavespeed',
					operation: 'submit',
					...TEXT_TO_VIDEO,
					options: {},
				},
			},
			{
				name: 'Wait for Task',
				credentials: WAVESPEED,
				parameters: {
					authentication: 'wavespeed',
					operation: 'waitForTask',
					taskId: '={{ $json.taskId }}',
					options: o.options,
				},
			},
		],
	});
}

/**
 * Recovery: Webhook (body.rows = [{ taskId }]) → Kling Video (Wait for Task). Never submits.
 * @param {{ id: string, path: string, options: Record<string, number> }} o
 */
export function recoverWorkflow(o) {
	return rowsWorkflow({
		id: o.id,
		name: `Queue: recover by task ID (${o.id})`,
		path: o.path,
		idPrefix: '4d2e3f40-0000-4000-8000-0000000000',
		kling: [
			{
				name: 'Kling Video',
				credentials: WAVESPEED,
				parameters: {
					authentication: 'wavespeed',
					operation: 'waitForTask',
					taskId: '={{ $json.taskId }}',
					options: o.options,
				},
			},
		],
	});
}

/**
 * Webhook → Rows → Kling Video (Submit, Kie.ai, callback URL = the trigger's production URL, correlation row).
 * @param {{ id: string, path: string, callbackUrl: string }} o
 */
export function submitToTriggerWorkflow(o) {
	return rowsWorkflow({
		id: o.id,
		name: `Queue: submit to trigger (${o.id})`,
		path: o.path,
		idPrefix: '5e3f4051-0000-4000-8000-0000000000',
		kling: [
			{
				name: 'Kling Video',
				credentials: KIE,
				parameters: {
					authentication: 'kie',
					operation: 'submit',
					...TEXT_TO_VIDEO,
					callbackUrl: o.callbackUrl,
					correlation: { values: [{ key: 'row', value: '={{ $json.row }}' }] },
					options: {},
				},
			},
		],
	});
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
