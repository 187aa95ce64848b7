import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';
import type {
	GenerationRequest,
	ProviderAdapter,
	TaskRef,
	TaskSnapshot,
} from '../../shared/providers/types';
import { downloadVideo } from '../../shared/engine/download';
import {
	readGenerationPlan,
	readTaskRef,
	routedItemReader,
	type GenerationPlan,
} from '../../shared/engine/input';
import { adapterFor, toNodeError } from '../../shared/engine/nodeErrors';
import { readOptions, taskItemJson, videoFileName } from '../../shared/engine/output';
import { settle, settleSync, type Settled } from '../../shared/util/settle';
import { InputError } from '../../shared/util/errors';
import { idempotencyKey, readSubmitAnswer, resolveImages } from '../../shared/engine/submit';
import {
	httpOptions,
	parseJsonText,
	providerEndpoint,
	readAnswer,
	readTaskStatus,
	retryDelay,
	type ProviderAnswer,
} from '../../shared/engine/transport';

/*
 * Submit and Get Task return at once, so they run through n8n's declarative routing: preSend builds
 * the provider request with the adapter, postReceive normalizes the answer with the same adapter.
 * RoutingNode gives preSend and postReceive of one item the same context object, which is how the
 * request travels from one to the other (weakly held: nothing outlives the execution).
 */
const submittedRequests = new WeakMap<object, GenerationRequest>();
/** Every item's checked plan, per routing run (keyed by that run's input array). */
const plannedRuns = new WeakMap<object, Promise<Array<Settled<GenerationPlan>>>>();
const requestedTasks = new WeakMap<object, TaskRef>();

export async function prepareSubmit(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const itemIndex = this.getItemIndex();
	try {
		const adapter = adapterFor(this);
		const endpoint = await providerEndpoint(this, adapter);
		const plans = await planEveryItem(this, adapter, endpoint);
		const own = plans[itemIndex];
		if (!own.ok) throw own.error;
		// One bad item stops every submit, unless the node continues on fail (then only it fails).
		const firstBad = plans.find((plan) => !plan.ok);
		if (firstBad && !firstBad.ok && !this.continueOnFail()) throw firstBad.error;
		const plan = own.value;
		await resolveImages(this, endpoint, plan);
		plan.request.idempotencyKey = idempotencyKey(
			this.getExecutionId(),
			this.getNode().id,
			itemIndex,
			this.getWorkflowDataProxy(itemIndex).$runIndex,
		);
		const options = httpOptions(endpoint, adapter.buildSubmitRequest(plan.request));
		submittedRequests.set(this, plan.request);
		return { ...requestOptions, ...options };
	} catch (error) {
		throw toNodeError(this, error, itemIndex);
	}
}

/**
 * Check every item once, before any item's request: the routing hooks of all items run together,
 * so without this an early item could be submitted (and paid) before a later one fails its check.
 */
async function planEveryItem(
	ctx: IExecuteSingleFunctions,
	adapter: ProviderAdapter,
	endpoint: { hasApiKey: boolean },
): Promise<Array<Settled<GenerationPlan>>> {
	const items = ctx.getWorkflowDataProxy(0).$input.all() as INodeExecutionData[];
	let plans = plannedRuns.get(items);
	if (!plans) {
		plans = (async () => {
			const checked: Array<Settled<GenerationPlan>> = [];
			for (let index = 0; index < items.length; index++) {
				const reader = routedItemReader(ctx, items, index);
				const plan = await settle(
					async () => await readGenerationPlan(reader, adapter, true, endpoint),
				);
				if (!plan.ok && plan.error instanceof InputError) plan.error.itemIndex = index;
				checked.push(plan);
			}
			return checked;
		})();
		plannedRuns.set(items, plans);
	}
	return await plans;
}

export async function readSubmitted(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const adapter = adapterFor(this);
	const request = submittedRequests.get(this)!;
	const answer = toAnswer(response);
	let taskId: string;
	try {
		taskId = readSubmitAnswer(adapter, answer);
	} catch (error) {
		throw toNodeError(this, error, this.getItemIndex());
	}
	// Logged at once so the task can be recovered with Get Task even if this execution is lost.
	this.logger.info(
		`Kling Video: item ${this.getItemIndex() + 1} submitted to ${adapter.displayName} as task ${taskId}`,
	);
	const options = readOptions(this.getNodeParameter('options', {}) as IDataObject);
	const json = taskItemJson({
		provider: adapter.id,
		model: request.model,
		mode: request.mode,
		taskId,
		snapshot: null,
		request,
		raw: answer.body,
		includeRaw: options.includeRawResponse,
	});
	return [{ json }];
}

export async function prepareGetTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	try {
		const adapter = adapterFor(this);
		const endpoint = await providerEndpoint(this, adapter);
		const items = this.getWorkflowDataProxy(0).$input.all() as INodeExecutionData[];
		const ref = readTaskRef(routedItemReader(this, items, this.getItemIndex()), adapter, endpoint);
		requestedTasks.set(this, ref);
		return { ...requestOptions, ...httpOptions(endpoint, adapter.buildStatusRequest(ref)) };
	} catch (error) {
		throw toNodeError(this, error, this.getItemIndex());
	}
}

/** Normalize the status; a 429/5xx is read again with backoff; a finished video is downloaded. */
export async function readTask(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const adapter = adapterFor(this);
	const ref = requestedTasks.get(this)!;
	const options = readOptions(this.getNodeParameter('options', {}) as IDataObject);
	let answer = toAnswer(response);
	let snapshot: TaskSnapshot;
	try {
		const first = settleSync(() =>
			readAnswer(answer, () => adapter.readStatusResponse(answer.statusCode, answer.body, ref)),
		);
		if (first.ok && !first.value.needsResult) {
			snapshot = first.value;
		} else {
			// A 429/5xx, or a finished status whose result is a second read away.
			if (!first.ok && retryDelay(first.error, 1) === null) throw first.error;
			const endpoint = await providerEndpoint(this, adapter);
			({ snapshot, answer } = await readTaskStatus(this, endpoint, ref));
		}
		const json = taskItemJson({
			provider: adapter.id,
			model: snapshot.model ?? ref.model,
			mode: ref.mode,
			taskId: snapshot.taskId || ref.taskId,
			snapshot,
			request: null,
			raw: answer.body,
			includeRaw: options.includeRawResponse,
		});
		if (snapshot.status !== 'succeeded' || !options.downloadVideo) return [{ json }];
		const fileName = videoFileName(adapter.id, ref.taskId);
		const binary = await downloadVideo(this, snapshot.videoUrls[0], fileName);
		return [{ json, binary: { [options.binaryPropertyName]: binary } }];
	} catch (error) {
		const described = error instanceof Error ? error : new Error(String(error));
		described.message = `Task ${ref.taskId}: ${described.message}`;
		throw toNodeError(this, described, this.getItemIndex());
	}
}

function toAnswer(response: IN8nHttpFullResponse): ProviderAnswer {
	return {
		statusCode: response.statusCode,
		body: parseJsonText(response.body),
		headers: (response.headers ?? {}) as IDataObject,
	};
}
