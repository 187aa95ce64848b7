import {
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { CATALOG } from '../../shared/catalog';
import type { ModelEntry } from '../../shared/catalog/types';
import { estimateCost, usd } from '../../shared/engine/cost';
import { downloadVideo, storedVideoSeconds } from '../../shared/engine/download';
import { describeFailure } from '../../shared/engine/failures';
import {
	carriedParameters,
	checkFallbackFits,
	fallbackOf,
	fallbackReader,
	recordingReader,
	type FallbackInfo,
	type RefusedReason,
} from '../../shared/engine/fallback';
import {
	executeItemReader,
	readGenerationPlan,
	readModel,
	readTaskRef,
	type GenerationPlan,
} from '../../shared/engine/input';
import { TaskLedger } from '../../shared/engine/ledger';
import { TaskLimiter } from '../../shared/engine/limiter';
import { adapterFor, forEditor, toNodeError } from '../../shared/engine/nodeErrors';
import {
	outputFileName,
	readOptions,
	taskItemJson,
	type NodeOptions,
} from '../../shared/engine/output';
import { SubmitRefusedError } from '../../shared/engine/refusals';
import { PollPlanner } from '../../shared/engine/schedule';
import { idempotencyKey, resolveImages, submitTask } from '../../shared/engine/submit';
import { Slots } from '../../shared/util/slots';
import { providerEndpoint, type ProviderEndpoint } from '../../shared/engine/transport';
import { waitUntilDone, type LastSeen } from '../../shared/engine/wait';
import { settleSync } from '../../shared/util/settle';
import type {
	GenerationRequest,
	ProviderAdapter,
	TaskRef,
	TaskSnapshot,
} from '../../shared/providers/types';

/** Images uploaded at once, whatever the batch size (their bytes are in memory while uploading). */
const UPLOAD_SLOTS = 4;
/** Videos downloaded at once (each holds a socket and a file in n8n's binary store while it streams). */
const DOWNLOAD_SLOTS = 16;

/** How one item ended: its output item, and a sentence when it failed. */
interface ItemOutcome {
	itemIndex: number;
	json: IDataObject;
	binary: IBinaryData | null;
	failure: string | null;
	/** Set when the item leaves on the refused output (nothing was paid for it here). */
	refused?: FallbackInfo;
}

/** One item to generate, with what a fallback provider needs if this one refuses it. */
interface PlannedItem extends GenerationPlan {
	/** The parameters read for it (carried to a fallback provider). */
	read: IDataObject;
	/** The refusal that brought it here, when this node is a fallback node. */
	cameFrom: FallbackInfo | null;
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
	downloads: Slots;
	ledger: TaskLedger;
	startedAt: number;
	/** n8n's run index of this node (the same for every item; a data proxy per item is costly). */
	runIndex: number;
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
	return finishItems(run, outcomes, false);
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
	const entries: Array<ItemOutcome | PlannedItem> = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			entries.push(await readItem(run, itemIndex, operation));
		} catch (error) {
			if (!ctx.continueOnFail()) {
				run.ledger.close(false);
				throw toNodeError(ctx, error, itemIndex);
			}
			entries.push(inputFailure(run, itemIndex, error));
		}
	}
	checkSpend(run, entries);
	// Every item at once: the limiter decides how many tasks are in flight.
	const outcomes = await Promise.all(
		entries.map(async (entry) =>
			'request' in entry ? await generateOne(run, entry, operation) : entry,
		),
	);
	return finishItems(run, outcomes, run.options.refusedItemsOutput);
}

/**
 * One item's plan. An item a Kling Video node on another provider refused (`json.fallback`) is made
 * from its own fields, with the same Kling model and tier here, or refused before any request.
 */
async function readItem(
	run: Run,
	itemIndex: number,
	operation: 'generate' | 'submit',
): Promise<PlannedItem> {
	const input = run.ctx.getInputData()[itemIndex];
	const cameFrom = fallbackOf(input.json);
	let reader = executeItemReader(run.ctx, itemIndex);
	if (cameFrom) {
		reader = fallbackReader(reader, cameFrom, run.adapter);
		const { entry } = readModel(reader, run.adapter, cameFrom.mode, run.endpoint);
		checkFallbackFits(entry, cameFrom, run.adapter);
	}
	const recording = recordingReader(reader);
	const plan = await readGenerationPlan(
		recording.reader,
		run.adapter,
		operation === 'submit',
		run.endpoint,
	);
	return { ...plan, read: recording.read, cameFrom };
}

/**
 * Max Spend per Run: the whole batch is refused before the first paid request when its estimate
 * (the catalog's dated prices) passes the cap, or when a price is unknown and that is not allowed.
 * Items whose task an earlier try created are not paid again, so they do not count.
 */
function checkSpend(run: Run, entries: Array<ItemOutcome | PlannedItem>): void {
	const cap = run.options.maxSpendPerRun;
	if (cap <= 0) return;
	let total = 0;
	const unknown: number[] = [];
	for (const entry of entries) {
		if (!('request' in entry) || run.ledger.createdFor(entry.itemIndex)) continue;
		const cost = estimateCost(entry.request);
		if (cost) total += cost.amount;
		else unknown.push(entry.itemIndex + 1);
	}
	const refuse = (message: string) => {
		run.ledger.close(false);
		throw new NodeOperationError(run.ctx.getNode(), message, {
			description:
				'Nothing was sent. The estimate uses the catalog\'s dated prices per second (README: models per provider); the provider\'s bill is what counts.',
		});
	};
	if (unknown.length && !run.options.allowUnknownPrices) {
		refuse(
			`Max Spend per Run is set, but the price of ${unknown.length === 1 ? 'item' : 'items'} ${unknown.slice(0, 10).join(', ')} is unknown (${run.adapter.displayName}, no dated USD price): turn on Allow Unknown Prices or pick a model with a known price`,
		);
	}
	if (total > cap) {
		refuse(
			`The batch is estimated at ${usd(total)}, above Max Spend per Run (${usd(cap)}): nothing was sent. Raise the cap or send fewer or shorter items`,
		);
	}
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
		downloads: new Slots(DOWNLOAD_SLOTS),
		ledger: TaskLedger.open(ctx),
		startedAt: Date.now(),
		runIndex: ctx.getWorkflowDataProxy(0).$runIndex,
	};
}

async function generateOne(
	run: Run,
	plan: PlannedItem,
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
				run.runIndex,
			);
			request.externalId = itemIdempotencyKey(ctx, plan.itemIndex, run.options);
			const submitted = await submitTask(ctx, run.endpoint, plan, {
				signal: run.signal,
				budgetMs: Math.min(run.options.submitRetryBudget, run.options.maxWait) * 1000,
				deadline: run.startedAt + run.options.maxWait * 1000,
				limiter: run.limiter,
				holdSlot: operation === 'generate',
			});
			// The first status read is planned from when the provider got the submit, not from when n8n got
			// round to its answer (with hundreds of items in flight, that can be seconds later).
			startedAt = submitted.startedAt;
			const { taskId } = submitted;
			ref = { taskId, model: request.model, mode: request.mode, api: request.entry.api };
			run.ledger.record(ctx, plan.itemIndex, ref, run.adapter.displayName);
			progress(
				run,
				`item ${plan.itemIndex + 1}: submitted to ${run.adapter.displayName} as task ${taskId}${
					operation === 'generate' ? `, waiting for it (Max Wait ${run.options.maxWait} s)` : ''
				}`,
			);
		} catch (error) {
			if (error instanceof SubmitRefusedError && run.options.refusedItemsOutput) {
				return refusedOutcome(run, plan, error.kind, error.attempts, error.message);
			}
			return withFallback(
				failedOutcome(run, plan.itemIndex, request, null, null, describeFailure(error, null)),
				plan,
			);
		}
	}
	if (operation === 'submit') {
		const json = taskItemJson({ ...itemBase(run, ref), snapshot: null, request });
		return withFallback({ itemIndex: plan.itemIndex, json, binary: null, failure: null }, plan);
	}
	const outcome = await finishTask(run, plan.itemIndex, ref, request, startedAt, request.entry);
	if (
		outcome.json.status === 'failed' &&
		outcome.json.taskId &&
		run.options.refusedItemsOutput &&
		run.options.resubmitFailedTasks &&
		CATALOG[run.adapter.id].refundsFailedTasks
	) {
		const message = `${outcome.failure} ${run.adapter.displayName} refunds failed tasks, so another provider may make it without paying twice.`;
		return refusedOutcome(run, plan, 'task_failed', 1, message, String(outcome.json.taskId));
	}
	return withFallback(outcome, plan);
}

/**
 * A line in the browser console of the editor that started a manual run ("Execute step" / "Execute
 * workflow"), through n8n's sendMessageToUI; n8n sends nothing for other runs.
 */
function progress(run: Run, text: string): void {
	const { ctx } = run;
	if (typeof ctx.sendMessageToUI !== 'function') return;
	settleSync(() => ctx.sendMessageToUI(`Kling Video: ${text}`));
}

/** The fallback node's outputs keep the refusal that brought the item there. */
function withFallback(outcome: ItemOutcome, plan: PlannedItem): ItemOutcome {
	if (plan.cameFrom) outcome.json.fallback = plan.cameFrom as unknown as IDataObject;
	return outcome;
}

/**
 * An item for the "Refused – nothing paid" output: the input item (its json and binary data, so
 * the next node's expressions and binary images work) with `fallback`: where and why it was
 * refused, the Kling model and the fields this node read.
 */
function refusedOutcome(
	run: Run,
	plan: PlannedItem,
	reason: RefusedReason,
	attempts: number,
	message: string,
	failedTaskId?: string,
): ItemOutcome {
	const input = run.ctx.getInputData()[plan.itemIndex];
	const { entry } = plan.request;
	const earlier = plan.cameFrom;
	const info: FallbackInfo = {
		from: run.adapter.id,
		reason,
		attempts,
		message,
		kling: entry.kling,
		modelName: entry.name,
		mode: entry.mode,
		parameters: carriedParameters(plan.read),
		...(failedTaskId ? { failedTaskId } : {}),
		...(earlier
			? {
					previous: [
						...(earlier.previous ?? []),
						{
							from: earlier.from,
							reason: earlier.reason,
							...(earlier.failedTaskId ? { failedTaskId: earlier.failedTaskId } : {}),
						},
					],
				}
			: {}),
	};
	const json: IDataObject = { ...input.json };
	delete json.fallback;
	return {
		itemIndex: plan.itemIndex,
		json: { ...json, fallback: info as unknown as IDataObject },
		binary: null,
		failure: null,
		refused: info,
	};
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
				onStatus: (status, elapsedMs) =>
					progress(
						run,
						`item ${itemIndex + 1}, task ${ref.taskId}: ${status} after ${Math.round(elapsedMs / 1000)} s${
							status === 'succeeded' && run.options.downloadVideo ? ', downloading the video' : ''
						}`,
					),
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
			const wanted = run.ctx.getNodeParameter('options.fileName', itemIndex, '');
			const fileName = outputFileName(wanted, run.adapter.id, ref.taskId);
			// The stored file is read back for its duration inside the same download slot.
			binary = await run.downloads.run(async () => {
				const stored = await downloadVideo(run.ctx, snapshot.videoUrls[0], fileName, run.signal);
				json.outputDurationS = await storedVideoSeconds(run.ctx, stored);
				return stored;
			});
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
 * ID, status and video URL in the description, so nothing paid is lost. With Refused Items Output,
 * items whose submit created nothing leave on the second output instead.
 */
function finishItems(
	run: Run,
	outcomes: ItemOutcome[],
	withRefusedOutput: boolean,
): INodeExecutionData[][] {
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
		throw new NodeOperationError(ctx.getNode(), forEditor(message), {
			itemIndex: first.itemIndex,
			description: forEditor(outcomes.map(summaryLine).join('\n')),
		});
	}
	run.ledger.close(true);
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	const main: INodeExecutionData[] = [];
	const refused: INodeExecutionData[] = [];
	for (const outcome of outcomes) {
		const item: INodeExecutionData = {
			json: outcome.failure && toErrorOutput ? errorOutputJson(outcome) : outcome.json,
			pairedItem: { item: outcome.itemIndex },
		};
		if (outcome.refused) {
			// The input's binary data goes along (a binary start frame, for the fallback node).
			const binary = ctx.getInputData()[outcome.itemIndex].binary;
			if (binary) item.binary = binary;
			refused.push(item);
			continue;
		}
		if (outcome.binary) item.binary = { [run.options.binaryPropertyName]: outcome.binary };
		main.push(item);
	}
	return withRefusedOutput ? [main, refused] : [main];
}

/**
 * A failed item for the error output, as `{message, error}`. n8n moves an item there when it carries
 * `error` (then it replaces the whole json with `{error: message}`, dropping the task ID) or when its
 * json is exactly `{error, message}` — n8n-core 1.123–2.41 `WorkflowExecute.handleNodeErrorOutput` —
 * so the task ID, status and video URL travel inside `error`.
 */
function errorOutputJson(outcome: ItemOutcome): IDataObject {
	const { error, ...task } = outcome.json;
	return { message: outcome.failure, error: { ...(error as IDataObject), ...task } };
}

/** One line per item so paid results can still be fetched when the node fails. */
function summaryLine(outcome: ItemOutcome): string {
	if (outcome.refused) {
		return `Item ${outcome.itemIndex + 1}: refused by ${outcome.refused.from} (${outcome.refused.reason}), nothing paid: on the refused output`;
	}
	const { taskId, status, videoUrl } = outcome.json;
	const task = taskId ? `task ${String(taskId)}` : 'no task';
	// the line starts with the item; its failure need not name it again
	const failure = outcome.failure?.replace(` (item ${outcome.itemIndex + 1})`, '');
	const detail = failure ?? (videoUrl ? String(videoUrl) : '');
	return `Item ${outcome.itemIndex + 1}: ${task}, ${String(status)}${detail ? `: ${detail}` : ''}`;
}
