import {
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import type {
	GenerationRequest,
	ProviderAdapter,
	TaskRef,
	TaskSnapshot,
} from '../../shared/providers/types';
import { downloadVideo } from '../../shared/engine/download';
import { ExecutionCancelledError, ProviderError } from '../../shared/util/errors';
import {
	executeItemReader,
	readGenerationPlan,
	readTaskRef,
	type GenerationPlan,
} from '../../shared/engine/input';
import {
	readOptions,
	taskItemJson,
	videoFileName,
	type NodeOptions,
} from '../../shared/engine/output';
import { idempotencyKey, resolveImages, submitTask } from '../../shared/engine/submit';
import {
	pause,
	providerEndpoint,
	readTaskStatus,
	type ProviderEndpoint,
} from '../../shared/engine/transport';
import { adapterFor, toNodeError } from '../../shared/engine/nodeErrors';
import { typicalSeconds } from '../../shared/catalog';

/** How one item ended: its output item, and a sentence when it failed. */
interface ItemOutcome {
	itemIndex: number;
	json: IDataObject;
	binary: IBinaryData | null;
	failure: string | null;
}

/** Generate Video: submit every item, wait for all concurrently, download. */
export async function generateVideos(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await startRun(this);
	warnAboutRetryOnFail(this);
	const outcomes: Array<ItemOutcome | GenerationPlan> = [];
	// Every item is checked before the first paid request.
	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		try {
			outcomes.push(
				await readGenerationPlan(
					executeItemReader(this, itemIndex),
					run.adapter,
					false,
					run.endpoint,
				),
			);
		} catch (error) {
			if (!this.continueOnFail()) throw toNodeError(this, error, itemIndex);
			outcomes.push(inputFailure(run, itemIndex, error));
		}
	}
	const results = await mapWithConcurrency(outcomes, run.options.concurrency, async (entry) =>
		'request' in entry ? await generateOne(this, run, entry) : entry,
	);
	return [finishItems(this, run, results)];
}

/** Wait for Task: wait for existing task IDs, then download. */
export async function waitForTasks(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await startRun(this);
	const refs: Array<TaskRef | ItemOutcome> = [];
	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		try {
			refs.push(readTaskRef(executeItemReader(this, itemIndex), run.adapter, run.endpoint));
		} catch (error) {
			if (!this.continueOnFail()) throw toNodeError(this, error, itemIndex);
			refs.push(inputFailure(run, itemIndex, error));
		}
	}
	const results = await mapWithConcurrency(
		refs,
		run.options.concurrency,
		async (entry, itemIndex) =>
			'taskId' in entry ? await finishTask(this, run, itemIndex, entry, null, Date.now()) : entry,
	);
	return [finishItems(this, run, results)];
}

interface Run {
	adapter: ProviderAdapter;
	endpoint: ProviderEndpoint;
	options: NodeOptions;
	signal: AbortSignal | undefined;
}

async function startRun(ctx: IExecuteFunctions): Promise<Run> {
	const adapter = adapterFor(ctx);
	let endpoint: ProviderEndpoint;
	try {
		endpoint = await providerEndpoint(ctx, adapter);
	} catch (error) {
		throw toNodeError(ctx, error);
	}
	return {
		adapter,
		endpoint,
		options: readOptions(ctx.getNodeParameter('options', 0, {}) as IDataObject),
		signal: ctx.getExecutionCancelSignal(),
	};
}

async function generateOne(
	ctx: IExecuteFunctions,
	run: Run,
	plan: GenerationPlan,
): Promise<ItemOutcome> {
	const { request } = plan;
	let taskId: string;
	try {
		await resolveImages(ctx, run.endpoint, plan, run.signal);
		request.idempotencyKey = idempotencyKey(
			ctx.getExecutionId(),
			ctx.getNode().id,
			plan.itemIndex,
			ctx.getWorkflowDataProxy(plan.itemIndex).$runIndex,
		);
		taskId = await submitTask(ctx, run.endpoint, plan, run.signal);
	} catch (error) {
		return failedOutcome(run, plan.itemIndex, request, null, null, describeFailure(error, null));
	}
	// Logged at once so a task can be recovered with Get Task even if this process dies mid-wait.
	ctx.logger.info(
		`Kling Video: item ${plan.itemIndex + 1} submitted to ${run.adapter.displayName} as task ${taskId}`,
	);
	const ref = { taskId, model: request.model, mode: request.mode, api: request.entry.api };
	const firstCheckSeconds =
		run.options.firstCheckAfter || typicalSeconds(request.entry, request.duration)[0];
	return await finishTask(ctx, run, plan.itemIndex, ref, request, Date.now(), firstCheckSeconds);
}

/** Wait for a submitted task and download its video; every failure names the task ID. */
async function finishTask(
	ctx: IExecuteFunctions,
	run: Run,
	itemIndex: number,
	ref: TaskRef,
	request: GenerationRequest | null,
	startedAt: number,
	firstCheckSeconds = run.options.firstCheckAfter,
): Promise<ItemOutcome> {
	const seen: LastSeen = { snapshot: null, raw: undefined };
	try {
		await waitUntilDone(ctx, run, ref, startedAt, firstCheckSeconds, seen);
		const snapshot = seen.snapshot!;
		const json = taskItemJson({ ...itemBase(run, ref), snapshot, request, raw: seen.raw });
		if (snapshot.status === 'failed') {
			return { itemIndex, json, binary: null, failure: taskFailedSentence(ref.taskId, snapshot) };
		}
		let binary: IBinaryData | null = null;
		if (run.options.downloadVideo) {
			const fileName = videoFileName(run.adapter.id, ref.taskId);
			binary = await downloadVideo(ctx, snapshot.videoUrls[0], fileName, run.signal);
		}
		return { itemIndex, json, binary, failure: null };
	} catch (error) {
		const failure = describeFailure(error, ref.taskId, seen.snapshot);
		return failedOutcome(run, itemIndex, request, ref, seen, failure);
	}
}

/** The last status read of a task, kept so a later failure can still report it. */
interface LastSeen {
	snapshot: TaskSnapshot | null;
	raw: unknown;
}

/** Poll until the task ends: first check after `firstCheckSeconds`, then every poll interval. */
async function waitUntilDone(
	ctx: IExecuteFunctions,
	run: Run,
	ref: TaskRef,
	startedAt: number,
	firstCheckSeconds: number,
	seen: LastSeen,
): Promise<void> {
	const { options, signal } = run;
	const deadline = startedAt + options.maxWait * 1000;
	let nextCheck = Math.min(startedAt + firstCheckSeconds * 1000, deadline);
	for (;;) {
		await pause(nextCheck - Date.now(), signal);
		const { snapshot, answer } = await readTaskStatus(ctx, run.endpoint, ref, signal);
		seen.snapshot = snapshot;
		seen.raw = answer.body;
		if (snapshot.status === 'succeeded' || snapshot.status === 'failed') return;
		if (Date.now() >= deadline) throw new WaitTimeoutError(snapshot.status, options.maxWait);
		nextCheck = Math.min(Date.now() + options.pollInterval * 1000, deadline);
	}
}

class WaitTimeoutError extends Error {
	constructor(
		readonly lastStatus: string,
		readonly maxWaitSeconds: number,
	) {
		super(`still ${lastStatus} after ${maxWaitSeconds} s (Max Wait)`);
	}
}

function itemBase(run: Run, ref: TaskRef) {
	return {
		taskId: ref.taskId,
		provider: run.adapter.id,
		model: ref.model,
		mode: ref.mode,
		includeRaw: run.options.includeRawResponse,
	};
}

function failedOutcome(
	run: Run,
	itemIndex: number,
	request: GenerationRequest | null,
	ref: TaskRef | null,
	seen: LastSeen | null,
	failure: { code: string; message: string },
): ItemOutcome {
	const json = taskItemJson({
		provider: run.adapter.id,
		model: ref?.model ?? request?.model ?? '',
		mode: ref?.mode ?? request?.mode ?? 'text-to-video',
		includeRaw: run.options.includeRawResponse,
		taskId: ref?.taskId ?? null,
		snapshot: seen?.snapshot ?? null,
		request,
		raw: seen?.raw,
		error: failure,
	});
	return { itemIndex, json, binary: null, failure: failure.message };
}

function inputFailure(run: Run, itemIndex: number, error: unknown): ItemOutcome {
	const message = error instanceof Error ? error.message : String(error);
	return {
		itemIndex,
		json: {
			provider: run.adapter.id,
			taskId: null,
			status: 'failed',
			error: { code: 'invalid_input', message },
		},
		binary: null,
		failure: message,
	};
}

/** Turn what went wrong into `{code, message}`; the message names the task ID when there is one. */
function describeFailure(
	error: unknown,
	taskId: string | null,
	snapshot?: TaskSnapshot | null,
): { code: string; message: string } {
	const task = taskId ? `Task ${taskId}` : 'Submit failed';
	const recover = taskId
		? ` The task was not resubmitted; use Get Task with task ID ${taskId} to fetch it later instead of paying again.`
		: '';
	if (error instanceof ExecutionCancelledError) {
		return {
			code: 'cancelled',
			message: `${task}: the execution was stopped while waiting.${recover}`,
		};
	}
	if (error instanceof WaitTimeoutError) {
		return {
			code: 'timeout',
			message: `${task} is ${error.message}; it may still finish at the provider.${recover}`,
		};
	}
	if (error instanceof ProviderError) {
		const url = snapshot?.videoUrls[0] ? ` Video URL: ${snapshot.videoUrls[0]}.` : '';
		const stage =
			snapshot?.status === 'succeeded' ? ' succeeded but its video could not be downloaded:' : ':';
		return {
			code: error.providerCode ?? error.kind,
			message: `${task}${stage} ${error.message}. ${error.advice}${url}${recover}`,
		};
	}
	return {
		code: 'error',
		message: `${task}: ${error instanceof Error ? error.message : String(error)}`,
	};
}

/** Content-moderation and image-fetch failures get their own advice; other codes are passed on. */
function taskFailedSentence(taskId: string, snapshot: TaskSnapshot): string {
	const error = snapshot.error ?? { code: 'failed', message: 'The task failed' };
	const text = `${error.code} ${error.message}`;
	let advice = 'Check the inputs, then run the item again.';
	if (
		/moderat|violat|sensitive|nsfw|prohibited|flagged|content (security|policy|checker)/i.test(text)
	) {
		advice = 'The prompt or image was blocked by content moderation: change it, then run again.';
	} else if (/image|media/i.test(text)) {
		advice =
			'The provider could not fetch the image: make sure its URL is public and it is a JPG or PNG under 10 MB.';
	}
	return `Task ${taskId} failed: ${error.message} (${error.code}). ${advice}`;
}

/** Outputs in input order; failures fail the node with every item's task listed, or become items. */
function finishItems(
	ctx: IExecuteFunctions,
	run: Run,
	outcomes: ItemOutcome[],
): INodeExecutionData[] {
	const failures = outcomes.filter((outcome) => outcome.failure);
	if (failures.length && !ctx.continueOnFail() && !run.options.outputFailedTasksAsItems) {
		const first = failures[0];
		const message =
			outcomes.length === 1
				? first.failure!
				: `${failures.length} of ${outcomes.length} items failed. ${first.failure}`;
		throw new NodeOperationError(ctx.getNode(), message, {
			itemIndex: first.itemIndex,
			description: outcomes.map(summaryLine).join('\n'),
		});
	}
	return outcomes.map((outcome) => ({
		json: outcome.json,
		...(outcome.binary ? { binary: { [run.options.binaryPropertyName]: outcome.binary } } : {}),
		pairedItem: { item: outcome.itemIndex },
	}));
}

/** One line per item so paid results can still be fetched when the node fails. */
function summaryLine(outcome: ItemOutcome): string {
	const { taskId, status, videoUrl } = outcome.json;
	const task = taskId ? `task ${String(taskId)}` : 'no task';
	const detail = outcome.failure ?? (videoUrl ? String(videoUrl) : '');
	return `Item ${outcome.itemIndex + 1}: ${task}, ${String(status)}${detail ? `: ${detail}` : ''}`;
}

function warnAboutRetryOnFail(ctx: IExecuteFunctions): void {
	if (!ctx.getNode().retryOnFail) return;
	ctx.addExecutionHints({
		message:
			'"Retry On Fail" is on: when this node retries, n8n submits every item again and each new task is paid. Turn it off and use "Wait for Task" or "Get Task" with the task IDs instead.',
		location: 'outputPane',
	});
}

/** Run `worker` over `entries` with at most `limit` in flight, keeping order. */
export async function mapWithConcurrency<T, R>(
	entries: T[],
	limit: number,
	worker: (entry: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(entries.length);
	let next = 0;
	const lane = async () => {
		while (next < entries.length) {
			const index = next++;
			results[index] = await worker(entries[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, entries.length) }, lane));
	return results;
}
