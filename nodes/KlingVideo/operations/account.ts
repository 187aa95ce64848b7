import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { executeItemReader, readTaskRef } from '../../shared/engine/input';
import { adapterFor, toNodeError } from '../../shared/engine/nodeErrors';
import { readOptions, taskItemJson } from '../../shared/engine/output';
import {
	callProvider,
	providerEndpoint,
	readAnswer,
	readTaskStatus,
	withRetries,
	type ProviderEndpoint,
} from '../../shared/engine/transport';
import type {
	CancelAnswer,
	ProviderAdapter,
	TaskRef,
	TaskSnapshot,
} from '../../shared/providers/types';
import { ProviderError } from '../../shared/util/errors';

/*
 * Operations on what already exists at the provider: Cancel Task and Get Balance. Both are shown only
 * for providers whose adapter has the endpoint (descriptions/operation.ts), and neither can pay:
 * a cancel or balance read is free and repeatable, so 429/5xx/network errors are retried.
 */

/** Cancel Task: ask the provider to stop each item's task, then report the task's state. */
export async function cancelTasks(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const adapter = adapterFor(this);
	const endpoint = await endpointFor(this, adapter);
	if (!adapter.buildCancelRequest || !adapter.readCancelResponse) {
		throw new NodeOperationError(
			this.getNode(),
			`${adapter.displayName} has no cancel endpoint, so its tasks cannot be cancelled from n8n`,
		);
	}
	const options = readOptions(this.getNodeParameter('options', 0, {}) as IDataObject);
	const signal = this.getExecutionCancelSignal();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		let ref: TaskRef | null = null;
		try {
			ref = readTaskRef(executeItemReader(this, itemIndex), adapter, endpoint);
			const { cancel, snapshot, raw } = await cancelOne(this, endpoint, ref, signal);
			const json = taskItemJson({
				provider: adapter.id,
				model: ref.model,
				mode: ref.mode,
				taskId: ref.taskId,
				snapshot,
				request: null,
				raw,
				includeRaw: options.includeRawResponse,
			});
			// A request the provider took and the task already shows as ended: it is cancelled.
			const outcome =
				cancel.outcome === 'requested' && snapshot.status === 'failed'
					? 'cancelled'
					: cancel.outcome;
			json.cancellation = { outcome, message: cancelSentence(adapter, outcome, snapshot) };
			output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			const failure = toNodeError(this, named(error, ref), itemIndex);
			if (!this.continueOnFail()) throw failure;
			output.push({
				json: {
					provider: adapter.id,
					taskId: ref?.taskId ?? null,
					error: { code: errorCode(error), message: failure.message },
				},
				pairedItem: { item: itemIndex },
			});
		}
	}
	return [output];
}

/** Get Balance: one read of the account's balance; every input item gets it. */
export async function getBalance(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const adapter = adapterFor(this);
	const endpoint = await endpointFor(this, adapter);
	const { buildBalanceRequest, readBalanceResponse } = adapter;
	if (!buildBalanceRequest || !readBalanceResponse) {
		throw new NodeOperationError(
			this.getNode(),
			`${adapter.displayName} has no balance endpoint, so its balance cannot be read from n8n`,
		);
	}
	const signal = this.getExecutionCancelSignal();
	const pairs = Math.max(1, this.getInputData().length);
	let json: IDataObject;
	try {
		json = await withRetries(async () => {
			const answer = await callProvider(this, endpoint, buildBalanceRequest(Date.now()), signal);
			const balance = readAnswer(answer, () => readBalanceResponse(answer.statusCode, answer.body));
			return {
				provider: adapter.id,
				balance: balance.balance,
				unit: balance.unit,
				currency: balance.currency,
				checkedAt: new Date().toISOString(),
				raw: answer.body as IDataObject,
			};
		}, signal);
	} catch (error) {
		const failure = toNodeError(this, error);
		if (!this.continueOnFail()) throw failure;
		json = {
			provider: adapter.id,
			balance: null,
			error: { code: errorCode(error), message: failure.message },
		};
	}
	return [
		Array.from({ length: pairs }, (_, item) => ({ json: { ...json }, pairedItem: { item } })),
	];
}

async function endpointFor(ctx: IExecuteFunctions, adapter: ProviderAdapter) {
	try {
		return await providerEndpoint(ctx, adapter);
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}

/** Send the cancel (retried: cancelling twice is harmless), then read the task where the answer lacks it. */
async function cancelOne(
	ctx: IExecuteFunctions,
	endpoint: ProviderEndpoint,
	ref: TaskRef,
	signal: AbortSignal | undefined,
): Promise<{ cancel: CancelAnswer; snapshot: TaskSnapshot; raw: unknown }> {
	const { adapter } = endpoint;
	const build = adapter.buildCancelRequest!;
	const read = adapter.readCancelResponse!;
	const { cancel, raw } = await withRetries(async () => {
		const answer = await callProvider(ctx, endpoint, build(ref), signal);
		return {
			cancel: readAnswer(answer, () => read(answer.statusCode, answer.body, ref)),
			raw: answer.body,
		};
	}, signal);
	if (cancel.snapshot) return { cancel, snapshot: cancel.snapshot, raw };
	try {
		const status = await readTaskStatus(ctx, endpoint, ref, signal);
		return { cancel, snapshot: status.snapshot, raw: status.answer.body };
	} catch (error) {
		const described = error instanceof Error ? error : new Error(String(error));
		described.message = `the cancel was accepted (${cancel.outcome}), but reading the task afterwards failed: ${described.message}`;
		throw described;
	}
}

function cancelSentence(
	adapter: ProviderAdapter,
	outcome: CancelAnswer['outcome'],
	snapshot: TaskSnapshot,
): string {
	if (outcome === 'cancelled') return 'The task is cancelled.';
	if (outcome === 'already_finished') {
		return `The task had already ended (${snapshot.status}); nothing was cancelled.`;
	}
	return `${adapter.displayName} was asked to stop the task and stops it on its side; it is ${snapshot.status} now. Check it later with Get Task.`;
}

/** Every failure of a cancel names its task. */
function named(error: unknown, ref: TaskRef | null): unknown {
	if (!ref || !(error instanceof Error) || error instanceof NodeOperationError) return error;
	error.message = `Task ${ref.taskId}: ${error.message}`;
	return error;
}

function errorCode(error: unknown): string {
	if (error instanceof ProviderError) return error.kind;
	return 'invalid_input';
}
