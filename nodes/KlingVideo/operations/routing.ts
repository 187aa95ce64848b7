import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';
import { downloadVideo, storedVideoSeconds } from '../../shared/engine/download';
import { readTaskRef, routedItemReader } from '../../shared/engine/input';
import { adapterFor, toNodeError } from '../../shared/engine/nodeErrors';
import { outputFileName, readOptions, taskItemJson } from '../../shared/engine/output';
import {
	httpOptions,
	parseJsonText,
	providerEndpoint,
	readAnswer,
	readTaskStatus,
	retryDelay,
	type ProviderAnswer,
} from '../../shared/engine/transport';
import type { TaskRef, TaskSnapshot } from '../../shared/providers/types';
import { settleSync } from '../../shared/util/settle';

/*
 * Get Task returns at once without spending, so it runs through n8n's declarative routing: preSend
 * builds the status request with the adapter, postReceive normalizes the answer with the same
 * adapter. RoutingNode gives preSend and postReceive of one item the same context object, which is
 * how the task travels from one to the other (weakly held: nothing outlives the execution).
 */
const requestedTasks = new WeakMap<object, TaskRef>();

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
		const fileName = outputFileName(
			this.getNodeParameter('options.fileName', ''),
			adapter.id,
			ref.taskId,
		);
		const binary = await downloadVideo(this, snapshot.videoUrls[0], fileName);
		json.outputDurationS = await storedVideoSeconds(this, binary);
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
