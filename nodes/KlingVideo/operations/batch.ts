import {
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { ModelEntry } from '../../shared/catalog/types';
import { downloadVideo } from '../../shared/engine/download';
import { describeFailure } from '../../shared/engine/failures';
import {
	executeItemReader,
	readGenerationPlan,
	readTaskRef,
	type GenerationPlan,
} from '../../shared/engine/input';
import { TaskLedger } from '../../shared/engine/ledger';
import { Slots, TaskLimiter } from '../../shared/engine/limiter';
import { adapterFor, toNodeError } from '../../shared/engine/nodeErrors';
import { readOptions, taskItemJson, videoFileName, type NodeOptions } from '../../shared/engine/output';
import { PollPlanner } from '../../shared/engine/schedule';
import { idempotencyKey, resolveImages, submitTask } from '../../shared/engine/submit';
import { providerEndpoint, type ProviderEndpoint } from '../../shared/engine/transport';
import { waitUntilDone, type LastSeen } from '../../shared/engine/wait';
import type {
	GenerationRequest,
	ProviderAdapter,
	TaskRef,
	TaskSnapshot,
} from '../../shared/providers/types';

/** Images uploaded at once, whatever the batch size (their bytes are in memory while uploading). */
const UPLOAD_SLOTS = 4;

/** How one item ended: its output item, and a sentence when it failed. */
interface ItemOutcome {
	itemIndex: number;
	json: IDataObject;
	binary: IBinaryData | null;
	failure: string | null;
}

/** One run of the node: what every item of it shares. */
interface Run {
	ctx: IExecuteFunctions;
	adapter: ProviderAdapter;
	endpoint: ProviderEndpoint;
	options: NodeOptions;
	signal: AbortSignal | undefined;
	limiter: TaskLimiter;
	planner: PollPlanner;
	uploads: Slots;
	ledger: TaskLedger;
	startedAt: number;
}

/** Generate Video: submit every item, wait for all of them at once, download. */
export async function generateVideos(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runGenerations(this, 'generate');
}

/**
 * Submit: start every item's task and return at once. A customOperations handler (not routing):
 * n8n's RoutingNode sends every item at once, throws on the first refusal and drops the other
 * items' paid task IDs, and gets no cancel signal.
 */
export async function submitVideos(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runGenerations(this, 'submit');
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
	const outcomes = await Promise.all(
		refs.map(async (entry, itemIndex) => {
			if (!('taskId' in entry)) return entry;
			await run.limiter.acquire(run.signal).catch(() => undefined);
			return await finishTask(run, itemIndex, entry, null, Date.now());
		}),
	);
	return [finishItems(run, outcomes)];
}

async function runGenerations(
	ctx: IExecuteFunctions,
	operation: 'generate' | 'submit',
): Promise<INodeExecutionData[][]> {
	const run = await startRun(ctx);
	if (ctx.getNode().retryOnFail) {
		ctx.addExecutionHints({
			message: run.ledger.isRetry
				? 'Retry On Fail: this try picked up the tasks the earlier try created (not paid again) and submitted only the items that created nothing.'
				: '"Retry On Fail" is on: a retry submits only the items whose submit created nothing; tasks already created are picked up, not paid again.',
			location: 'outputPane',
		});
	}
	// Every item is checked before the first paid request.
	const entries: Array<ItemOutcome | GenerationPlan> = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const reader = executeItemReader(ctx, itemIndex);
			entries.push(
				await readGenerationPlan(reader, run.adapter, operation === 'submit', run.endpoint),
			);
		} catch (error) {
			if (!ctx.continueOnFail()) {
				run.ledger.close(false);
				throw toNodeError(ctx, error, itemIndex);
			}
			entries.push(inputFailure(run, itemIndex, error));
		}
	}
	// Every item at once: the limiter decides how many tasks are in flight.
	const outcomes = await Promise.all(
		entries.map(async (entry) =>
			'request' in entry ? await generateOne(run, entry, operation) : entry,
		),
	);
	return [finishItems(run, outcomes)];
}

async function startRun(ctx: IExecuteFunctions): Promise<Run> {
	const adapter = adapterFor(ctx);
	let endpoint: ProviderEndpoint;
	try {
		endpoint = await providerEndpoint(ctx, adapter);
	} catch (error) {
		throw toNodeError(ctx, error);
	}
	const options = readOptions(
		ctx.getNodeParameter('options', 0, {}) as IDataObject,
		ctx.getNode().typeVersion,
	);
	return {
		ctx,
		adapter,
		endpoint,
		options,
		signal: ctx.getExecutionCancelSignal(),
		limiter: new TaskLimiter(options.concurrency > 0 ? options.concurrency : null),
		planner: new PollPlanner(options.pollInterval * 1000, options.firstCheckAfter * 1000),
		uploads: new Slots(UPLOAD_SLOTS),
		ledger: TaskLedger.open(ctx),
		startedAt: Date.now(),
	};
}

async function generateOne(
	run: Run,
	plan: GenerationPlan,
	operation: 'generate' | 'submit',
): Promise<ItemOutcome> {
	const { ctx } = run;
	const { request } = plan;
	let ref = run.ledger.createdFor(plan.itemIndex);
	let startedAt = Date.now();
	if (ref) {
		// Retry On Fail: an earlier try of this execution created this item's task.
		if (operation === 'generate') await run.limiter.acquire(run.signal).catch(() => undefined);
	} else {
		try {
			await resolveImages(ctx, run.endpoint, plan, run.signal, run.uploads);
			request.idempotencyKey = idempotencyKey(
				ctx.getExecutionId(),
				ctx.getNode().id,
				plan.itemIndex,
				ctx.getWorkflowDataProxy(plan.itemIndex).$runIndex,
			);
			request.externalId = itemIdempotencyKey(ctx, plan.itemIndex, run.options);
			const taskId = await submitTask(ctx, run.endpoint, plan, {
				signal: run.signal,
				budgetMs: Math.min(run.options.submitRetryBudget, run.options.maxWait) * 1000,
				deadline: run.startedAt + run.options.maxWait * 1000,
				limiter: run.limiter,
				holdSlot: operation === 'generate',
			});
			startedAt = Date.now();
			ref = { taskId, model: request.model, mode: request.mode, api: request.entry.api };
			run.ledger.record(ctx, plan.itemIndex, ref, run.adapter.displayName);
		} catch (error) {
			return failedOutcome(run, plan.itemIndex, request, null, null, describeFailure(error, null));
		}
	}
	if (operation === 'submit') {
		const json = taskItemJson({ ...itemBase(run, ref), snapshot: null, request });
		return { itemIndex: plan.itemIndex, json, binary: null, failure: null };
	}
	return await finishTask(run, plan.itemIndex, ref, request, startedAt, request.entry);
}

/** The Idempotency Key option for one item (evaluated per item), where the provider takes one. */
function itemIdempotencyKey(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: NodeOptions,
): string | null {
	if (!options.idempotencyKey) return null;
	const value = ctx.getNodeParameter('options.idempotencyKey', itemIndex, '') as string;
	return String(value ?? '').trim() || null;
}

/**
 * Wait for a submitted task and download its video; every failure names the task ID and keeps the
 * task's last known status. The task's limiter slot is given back as soon as it ended.
 */
async function finishTask(
	run: Run,
	itemIndex: number,
	ref: TaskRef,
	request: GenerationRequest | null,
	startedAt: number,
	entry: ModelEntry | null = null,
): Promise<ItemOutcome> {
	const seen: LastSeen = { snapshot: null, raw: undefined, reads: 0 };
	let released = false;
	const release = (finished: boolean) => {
		if (!released) run.limiter.release(finished);
		released = true;
	};
	try {
		const snapshot = await waitUntilDone(
			run.ctx,
			run.endpoint,
			ref,
			{
				signal: run.signal,
				startedAt,
				maxWaitSeconds: run.options.maxWait,
				entry,
				duration: request?.duration ?? null,
				planner: run.planner,
				logger: run.ctx.logger,
			},
			seen,
		);
		release(true);
		const json = taskItemJson({ ...itemBase(run, ref), snapshot, request, raw: seen.raw });
		if (snapshot.status === 'failed') {
			return { itemIndex, json, binary: null, failure: taskFailedSentence(ref.taskId, snapshot) };
		}
		let binary: IBinaryData | null = null;
		if (run.options.downloadVideo) {
			const fileName = videoFileName(run.adapter.id, ref.taskId);
			binary = await downloadVideo(run.ctx, snapshot.videoUrls[0], fileName, run.signal);
		}
		return { itemIndex, json, binary, failure: null };
	} catch (error) {
		release(false);
		const failure = describeFailure(error, ref.taskId, seen.snapshot);
		return failedOutcome(run, itemIndex, request, ref, seen, failure);
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
	const message = toNodeError(run.ctx, error, itemIndex).message;
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

/**
 * Outputs in input order. A failed item goes to the error output (Continue using error output), is
 * a normal item (Continue / Output Failed Tasks as Items), or fails the node with every item's task
 * ID, status and video URL in the description, so nothing paid is lost.
 */
function finishItems(run: Run, outcomes: ItemOutcome[]): INodeExecutionData[] {
	const { ctx } = run;
	const failures = outcomes.filter((outcome) => outcome.failure);
	const stopped = run.signal?.aborted === true;
	if (failures.length && (stopped || (!ctx.continueOnFail() && !run.options.outputFailedTasksAsItems))) {
		run.ledger.close(stopped);
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
	run.ledger.close(true);
	return outcomes.map((outcome) => {
		const item: INodeExecutionData = {
			json: outcome.json,
			pairedItem: { item: outcome.itemIndex },
		};
		if (outcome.binary) item.binary = { [run.options.binaryPropertyName]: outcome.binary };
		// n8n moves an item to the error output only when it carries `error`; with "Continue"
		// (regular output) n8n would replace the item's json with `{error}` and drop its task ID.
		if (outcome.failure && ctx.getNode().onError === 'continueErrorOutput') {
			item.error = new NodeOperationError(ctx.getNode(), outcome.failure, {
				itemIndex: outcome.itemIndex,
			});
		}
		return item;
	});
}

/** One line per item so paid results can still be fetched when the node fails. */
function summaryLine(outcome: ItemOutcome): string {
	const { taskId, status, videoUrl } = outcome.json;
	const task = taskId ? `task ${String(taskId)}` : 'no task';
	const detail = outcome.failure ?? (videoUrl ? String(videoUrl) : '');
	return `Item ${outcome.itemIndex + 1}: ${task}, ${String(status)}${detail ? `: ${detail}` : ''}`;
}
