import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import type { GenerationMode, ProviderAdapter, TaskSnapshot } from '../shared/providers/types';
import { downloadVideo, storedVideoSeconds, type UrlGuard } from '../shared/engine/download';
import { describeFailure } from '../shared/engine/failures';
import { ProviderError } from '../shared/util/errors';
import { CALLBACK_MODEL_PARAM, CORRELATION_PREFIX } from '../shared/engine/input';
import { adapterFor } from '../shared/engine/nodeErrors';
import { taskItemJson, videoFileName } from '../shared/engine/output';
import { refusedUrlReason } from '../shared/util/addresses';
import { isJson, parseJson, parseUrl } from '../shared/util/parse';
import { settle, settleSync } from '../shared/util/settle';
import { providerEndpoint, readTaskStatus } from '../shared/engine/transport';
import { CATALOG, entriesFor } from '../shared/catalog';
import { loadJwks } from './jwks';
import { checkToken, readToken } from './token';
import { forgetDelivery, rememberDelivery } from './deliveries';
import { callbackMode, MODEL_FROM_QUERY, modelProblem, taskIdProblem } from './values';

/** Callbacks are a few KB; anything far larger is not one. */
const MAX_CALLBACK_BYTES = 256 * 1024;

interface TriggerOptions {
	binaryPropertyName?: string;
	downloadVideo?: boolean;
	emitFailedTasks?: boolean;
	includeRawResponse?: boolean;
	refetch?: boolean;
}

/**
 * One provider callback: check token and signature over the raw body, read it with the adapter the
 * action node polls with, check the values that reach requests, drop repeats — anything that fails
 * answers 4xx and starts no execution. An accepted callback is answered 200 at once; then the task
 * is re-read where the body is not signed, the video downloaded, and the item emitted (with
 * `error` set when the re-read or the download failed, so a paid result is never lost).
 */
export async function receiveCallback(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const adapter = adapterFor(ctx);
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;

	const tokenProblem = checkToken(readToken(ctx));
	if (tokenProblem) return reject(ctx, 401, tokenProblem);

	const rawBody = (request as { rawBody?: Buffer }).rawBody;
	if (!rawBody || rawBody.length === 0) return reject(ctx, 400, 'The callback has no body');
	if (rawBody.length > MAX_CALLBACK_BYTES)
		return reject(ctx, 413, 'The callback body is too large');
	const body = parseJson(rawBody.toString('utf8'));
	if (!isJson(body)) return reject(ctx, 400, 'The callback body is not JSON');

	const signature = adapter.callbackSignature;
	const credentials = await ctx.getCredentials(adapter.credentialType);
	const secret = callbackSecret(adapter, credentials);
	if (signature && secret) {
		const headers = request.headers as Record<string, string | string[] | undefined>;
		const check = (key: string) =>
			signature.verify({ headers, rawBody, body }, key, Date.now() / 1000);
		let problem: string | null;
		if (signature.keySource === 'jwks') {
			const keys = await loadJwks(ctx, secret);
			problem = check(keys.text);
			// The provider may have rotated its keys since they were cached.
			if (problem && keys.fromCache) problem = check((await loadJwks(ctx, secret, true)).text);
		} else {
			problem = check(secret);
		}
		if (problem) return reject(ctx, 401, `The callback signature check failed: ${problem}`);
	}

	const read = settleSync(() => adapter.readCallback(body));
	if (!read.ok) {
		const reason = read.error instanceof Error ? read.error.message : String(read.error);
		return reject(ctx, 400, `The body is not a ${adapter.displayName} callback: ${reason}`);
	}

	const claimed = read.value;

	// Values that go into the re-read's request: checked before anything is sent.
	const query = ctx.getQueryData() as IDataObject;
	const taskIdRefused = taskIdProblem(claimed.taskId);
	if (taskIdRefused) return reject(ctx, 400, taskIdRefused);
	const { mode, problem: modeRefused } = callbackMode(query);
	if (mode === null) return reject(ctx, 400, modeRefused);
	const fromQuery = query[CALLBACK_MODEL_PARAM];
	const model =
		fromQuery !== undefined ? String(fromQuery) : (claimed.model ?? defaultModel(adapter, mode));
	const modelRefused = modelProblem(
		adapter.id,
		model,
		fromQuery !== undefined ? MODEL_FROM_QUERY : 'callback body',
	);
	if (modelRefused) return reject(ctx, 400, modelRefused);
	const reread = !bodyIsSigned(adapter, credentials) && options.refetch !== false;
	const guard = videoUrlGuard(adapter, credentials, options);

	// Only a finished task starts the workflow; earlier status callbacks (Kling sends one per change)
	// are acknowledged without reading the task.
	if (claimed.status !== 'succeeded' && claimed.status !== 'failed') {
		return acknowledge(ctx, { received: true, taskId: claimed.taskId, status: claimed.status });
	}
	const videoUrl = claimed.videoUrls[0];
	const urlRefused =
		guard && claimed.status === 'succeeded' && options.downloadVideo !== false && videoUrl
			? refusedUrlReason(videoUrl, guard.trustedHost)
			: null;
	if (urlRefused) {
		// Not an empty success either: nothing starts, and the sender learns why.
		return reject(
			ctx,
			400,
			`The video URL ${urlRefused}: it is not downloaded from a callback that is neither signed nor re-read. Turn on "Re-Read Task Before Trusting", or set the credential's webhook secret where the provider signs`,
		);
	}

	// Repeats are dropped before the answer, by what the callback says; a claim the re-read below
	// contradicts is forgotten again, so a forged "succeeded" cannot hide the genuine one.
	const staticData = ctx.getWorkflowStaticData('node');
	if (!rememberDelivery(staticData, deliveryKey(claimed))) {
		return acknowledge(ctx, { received: true, taskId: claimed.taskId, duplicate: true });
	}
	if (claimed.status === 'failed' && options.emitFailedTasks === false) {
		return acknowledge(ctx, { received: true, taskId: claimed.taskId, emitted: false });
	}

	// Accepted. Answer now, before the re-read and the download: providers with short callback
	// timeouts would otherwise retry or give up while the video downloads. n8n still runs the
	// workflowData of a webhook that returns noWebhookResponse after answering itself: n8n-io/n8n
	// packages/cli/src/webhooks/webhook-helpers.ts, executeWebhook (`noWebhookResponse === true &&
	// !didSendResponse` → responseCallback without a body, then `workflowData` starts the run), the
	// same in the published n8n 1.123.81, 2.8.4, 2.33.7 and 2.41.1 (dist/webhooks/webhook-helpers.js).
	ctx.getResponseObject().status(200).json({ received: true, taskId: claimed.taskId });

	const input: CallbackInput = { model, mode, options, query, body, reread };
	const built = await settle(async () => await confirmedItem(ctx, adapter, claimed, input));
	if (!built.ok) {
		// Nothing after the answer may throw (n8n could no longer answer): emit what is known.
		const json = itemJson(adapter, claimed, input, body);
		json.error = describeFailure(built.error, claimed.taskId, claimed);
		return { workflowData: [[{ json }]], noWebhookResponse: true };
	}
	if (!built.value) return { noWebhookResponse: true };
	return { workflowData: [[built.value]], noWebhookResponse: true };
}

interface CallbackInput {
	model: string;
	mode: GenerationMode;
	options: TriggerOptions;
	query: IDataObject;
	/** The callback body as JSON. */
	body: unknown;
	/** Read the task from the API before trusting the body (unsigned body, Re-Read on). */
	reread: boolean;
}

/**
 * After the answer: re-read the task where the body is not trusted, then build the item. Null when
 * nothing is to start (the task does not exist, is not finished, or its real state was delivered
 * already). The video is downloaded later, in the execution (`attachVideos`).
 */
async function confirmedItem(
	ctx: IWebhookFunctions,
	adapter: ProviderAdapter,
	claimed: TaskSnapshot,
	input: CallbackInput,
): Promise<INodeExecutionData | null> {
	if (!input.reread) return { json: itemJson(adapter, claimed, input, input.body) };
	const staticData = ctx.getWorkflowStaticData('node');
	const fresh = await settle(async () => {
		const endpoint = await providerEndpoint(ctx, adapter);
		return await readTaskStatus(ctx, endpoint, {
			taskId: claimed.taskId,
			model: input.model,
			mode: input.mode,
			api: claimed.api,
		});
	});
	if (!fresh.ok) {
		if (fresh.error instanceof ProviderError && fresh.error.kind === 'notFound') {
			// No such task at the provider: a forged or mistaken callback. Nothing was paid.
			forgetDelivery(staticData, deliveryKey(claimed));
			return null;
		}
		// The provider may be briefly unreachable; the task may be paid and done. Emit what the
		// callback says, marked as unconfirmed, and do not download from an unconfirmed URL.
		const json = itemJson(adapter, claimed, input, input.body);
		json.error = rereadFailure(adapter, claimed, fresh.error);
		return { json };
	}
	const { snapshot } = fresh.value;
	if (snapshot.status !== claimed.status) {
		forgetDelivery(staticData, deliveryKey(claimed));
		if (snapshot.status !== 'succeeded' && snapshot.status !== 'failed') return null;
		if (!rememberDelivery(staticData, deliveryKey(snapshot))) return null;
		if (snapshot.status === 'failed' && input.options.emitFailedTasks === false) return null;
	}
	return { json: itemJson(adapter, snapshot, input, fresh.value.answer.body) };
}

/**
 * The trigger's `execute()`: download the video of every succeeded item the webhook emitted. It runs
 * in the execution, not in `webhook()`: n8n <= 2.8 stores binary data written before the execution
 * exists under one shared `executions/temp` folder that the end of any other execution of the
 * workflow deletes (FileSystemManager.rename, n8n-core 2.8.1), so videos stored by `webhook()` were
 * lost under concurrent callbacks (test/e2e/binary-race.e2e.test.mjs; 0 lost this way on 2.8.4 and
 * 2.33.7). In queue mode this also moves the download from the webhook process to the worker.
 */
export async function attachVideos(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const options = ctx.getNodeParameter('options', 0, {}) as TriggerOptions;
	const property = options.binaryPropertyName || 'data';
	const pending = (item: INodeExecutionData) =>
		options.downloadVideo !== false &&
		item.json.status === 'succeeded' &&
		!item.json.error &&
		typeof item.json.videoUrl === 'string' &&
		item.json.videoUrl !== '' &&
		!item.binary?.[property];
	if (!items.some(pending)) return items;
	const adapter = adapterFor(ctx);
	const credentials = await ctx.getCredentials(adapter.credentialType);
	const guard = videoUrlGuard(adapter, credentials, options);
	const output: INodeExecutionData[] = [];
	for (const [index, item] of items.entries()) {
		const pairedItem = item.pairedItem ?? { item: index };
		if (!pending(item)) {
			output.push({ ...item, pairedItem });
			continue;
		}
		const taskId = String(item.json.taskId);
		const videoUrl = String(item.json.videoUrl);
		const downloaded = await settle(
			async () =>
				await downloadVideo(
					ctx,
					videoUrl,
					videoFileName(adapter.id, taskId),
					ctx.getExecutionCancelSignal(),
					guard,
				),
		);
		if (downloaded.ok) {
			const json = {
				...item.json,
				outputDurationS: await storedVideoSeconds(ctx, downloaded.value),
			};
			const binary = { ...item.binary, [property]: downloaded.value };
			output.push({ ...item, json, binary, pairedItem });
			continue;
		}
		// The task is paid and done: emit it with the URL and the reason rather than lose it.
		const snapshot = { ...succeededSnapshot(taskId), videoUrls: [videoUrl] };
		const error = describeFailure(downloaded.error, taskId, snapshot);
		output.push({ ...item, json: { ...item.json, error }, pairedItem });
	}
	return output;
}

function succeededSnapshot(taskId: string): TaskSnapshot {
	return {
		taskId,
		model: null,
		status: 'succeeded',
		videoUrls: [],
		error: null,
		createdAt: null,
		completedAt: null,
		providerGenerationMs: null,
		credits: null,
	};
}

function callbackSecret(adapter: ProviderAdapter, credentials: ICredentialDataDecryptedObject) {
	const signature = adapter.callbackSignature;
	return signature ? String(credentials[signature.secretField] ?? '') : '';
}

function bodyIsSigned(adapter: ProviderAdapter, credentials: ICredentialDataDecryptedObject) {
	return Boolean(adapter.callbackSignature?.signsBody && callbackSecret(adapter, credentials));
}

/**
 * A body that is neither signed nor re-read is the sender's word alone: its video URL (and every
 * redirect) may not lead into this network. The credential's own Base URL host is exempt (a proxy,
 * or the emulator on 127.0.0.1, serves its videos from there). Undefined when the URL is trusted.
 */
function videoUrlGuard(
	adapter: ProviderAdapter,
	credentials: ICredentialDataDecryptedObject,
	options: TriggerOptions,
): UrlGuard | undefined {
	if (bodyIsSigned(adapter, credentials) || options.refetch !== false) return undefined;
	return { trustedHost: parseUrl(String(credentials.baseUrl ?? '').trim())?.host ?? null };
}

function itemJson(
	adapter: ProviderAdapter,
	snapshot: TaskSnapshot,
	input: CallbackInput,
	raw: unknown,
): IDataObject {
	const json = taskItemJson({
		provider: adapter.id,
		model: input.model,
		mode: input.mode,
		taskId: snapshot.taskId,
		snapshot,
		request: null,
		raw,
		includeRaw: input.options.includeRawResponse === true,
	});
	json.correlation = correlationFrom(input.query);
	return json;
}

/** `{code, message}` for a task the callback reported but the API could not confirm. */
function rereadFailure(
	adapter: ProviderAdapter,
	claimed: TaskSnapshot,
	error: unknown,
): IDataObject {
	const reason = error instanceof Error ? error.message : String(error);
	const advice = error instanceof ProviderError ? ` ${error.advice}` : '';
	const url = claimed.videoUrls[0] ? ` Video URL (unconfirmed): ${claimed.videoUrls[0]}.` : '';
	const said =
		claimed.status === 'succeeded'
			? 'succeeded, but the video was not downloaded because'
			: `failed${claimed.error ? ` (${claimed.error.code}: ${claimed.error.message})` : ''}, but`;
	return {
		code: 'reread_failed',
		message: `Task ${claimed.taskId}: the callback says it ${said} the task could not be read again from ${adapter.displayName} to confirm it: ${reason}.${advice}${url} Use Get Task with task ID ${claimed.taskId} to fetch it.`,
	};
}

/** The duplicate-check key of a finished task's delivery. */
function deliveryKey(snapshot: TaskSnapshot): string {
	return `${snapshot.taskId}:${snapshot.status}`;
}

/** `c_<key>=value` query parameters added by the action node's Correlation Data. */
function correlationFrom(query: IDataObject): IDataObject {
	const correlation: IDataObject = {};
	for (const [key, value] of Object.entries(query)) {
		if (key.startsWith(CORRELATION_PREFIX))
			correlation[key.slice(CORRELATION_PREFIX.length)] = value;
	}
	return correlation;
}

/** The model id to re-read a task with when the callback URL does not say (version 1's default). */
function defaultModel(adapter: ProviderAdapter, mode: GenerationMode): string {
	const catalog = CATALOG[adapter.id];
	const entries = entriesFor(adapter.id, mode);
	return (
		(entries.find((entry) => entry.model === catalog.firstVersionDefault) ?? entries[0])?.id ?? ''
	);
}

function reject(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ error: message });
	return { noWebhookResponse: true };
}

function acknowledge(ctx: IWebhookFunctions, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(200).json(body);
	return { noWebhookResponse: true };
}
