import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import type { GenerationMode, ProviderAdapter, TaskSnapshot } from '../shared/providers/types';
import { downloadVideo } from '../shared/engine/download';
import { ProviderError } from '../shared/util/errors';
import { CALLBACK_MODEL_PARAM, CORRELATION_PREFIX } from '../shared/engine/input';
import { adapterFor } from '../shared/engine/nodeErrors';
import { taskItemJson, videoFileName } from '../shared/engine/output';
import { isJson, parseJson } from '../shared/util/parse';
import { settle, settleSync } from '../shared/util/settle';
import { providerEndpoint, readTaskStatus } from '../shared/engine/transport';
import { CATALOG, entriesFor } from '../shared/catalog';
import { loadJwks } from './jwks';
import { checkToken } from './token';
import { rememberDelivery } from './deliveries';
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
 * action node polls with, re-read the task where the body is not signed, drop repeats, emit.
 * Anything that fails a check answers 4xx and starts no execution.
 */
export async function receiveCallback(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const adapter = adapterFor(ctx);
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;

	const tokenProblem = checkToken(ctx.getNodeParameter('token', '') as string);
	if (tokenProblem) return reject(ctx, 401, tokenProblem);

	const rawBody = (request as { rawBody?: Buffer }).rawBody;
	if (!rawBody || rawBody.length === 0) return reject(ctx, 400, 'The callback has no body');
	if (rawBody.length > MAX_CALLBACK_BYTES)
		return reject(ctx, 413, 'The callback body is too large');
	const body = parseJson(rawBody.toString('utf8'));
	if (!isJson(body)) return reject(ctx, 400, 'The callback body is not JSON');

	const signature = adapter.callbackSignature;
	const credentials = await ctx.getCredentials(adapter.credentialType);
	const secret = signature ? String(credentials[signature.secretField] ?? '') : '';
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
	let snapshot = read.value;
	let raw: unknown = body;

	// Values that go into the re-read's request: checked before anything is sent.
	const query = ctx.getQueryData() as IDataObject;
	const taskIdRefused = taskIdProblem(snapshot.taskId);
	if (taskIdRefused) return reject(ctx, 400, taskIdRefused);
	const { mode, problem: modeRefused } = callbackMode(query);
	if (mode === null) return reject(ctx, 400, modeRefused);
	const fromQuery = query[CALLBACK_MODEL_PARAM];
	const model =
		fromQuery !== undefined ? String(fromQuery) : (snapshot.model ?? defaultModel(adapter, mode));
	const modelRefused = modelProblem(
		adapter.id,
		model,
		fromQuery !== undefined ? MODEL_FROM_QUERY : 'callback body',
	);
	if (modelRefused) return reject(ctx, 400, modelRefused);
	const bodyIsSigned = Boolean(signature?.signsBody && secret);
	if (!bodyIsSigned && options.refetch !== false) {
		const fresh = await settle(async () => {
			const endpoint = await providerEndpoint(ctx, adapter);
			return await readTaskStatus(ctx, endpoint, {
				taskId: snapshot.taskId,
				model,
				mode,
				api: snapshot.api,
			});
		});
		if (!fresh.ok) {
			const error = fresh.error;
			if (error instanceof ProviderError && error.kind === 'notFound') {
				return reject(ctx, 401, `Task ${snapshot.taskId} does not exist at ${adapter.displayName}`);
			}
			// Unknown whether the callback is genuine: answer 503 so the provider delivers it again.
			const reason = error instanceof Error ? error.message : String(error);
			return reject(ctx, 503, `Could not re-read task ${snapshot.taskId}: ${reason}`);
		}
		snapshot = fresh.value.snapshot;
		raw = fresh.value.answer.body;
	}

	if (snapshot.status !== 'succeeded' && snapshot.status !== 'failed') {
		return acknowledge(ctx, { received: true, taskId: snapshot.taskId, status: snapshot.status });
	}
	if (
		!rememberDelivery(ctx.getWorkflowStaticData('node'), `${snapshot.taskId}:${snapshot.status}`)
	) {
		return acknowledge(ctx, { received: true, taskId: snapshot.taskId, duplicate: true });
	}
	if (snapshot.status === 'failed' && options.emitFailedTasks === false) {
		return acknowledge(ctx, { received: true, taskId: snapshot.taskId, emitted: false });
	}

	const item = await callbackItem(ctx, adapter, snapshot, { model, mode, raw, options, query });
	return { workflowData: [[item]] };
}

async function callbackItem(
	ctx: IWebhookFunctions,
	adapter: ProviderAdapter,
	snapshot: TaskSnapshot,
	input: {
		model: string;
		mode: GenerationMode;
		raw: unknown;
		options: TriggerOptions;
		query: IDataObject;
	},
): Promise<INodeExecutionData> {
	const json = taskItemJson({
		provider: adapter.id,
		model: input.model,
		mode: input.mode,
		taskId: snapshot.taskId,
		snapshot,
		request: null,
		raw: input.raw,
		includeRaw: input.options.includeRawResponse === true,
	});
	json.correlation = correlationFrom(input.query);
	if (snapshot.status !== 'succeeded' || input.options.downloadVideo === false) return { json };
	const fileName = videoFileName(adapter.id, snapshot.taskId);
	const downloaded = await settle(
		async () => await downloadVideo(ctx, snapshot.videoUrls[0], fileName),
	);
	if (!downloaded.ok) {
		// The task is paid and done: emit it with the URL and the reason rather than lose it.
		const reason =
			downloaded.error instanceof Error ? downloaded.error.message : String(downloaded.error);
		json.error = {
			code: 'download_failed',
			message: `Task ${snapshot.taskId} succeeded but its video could not be downloaded: ${reason}`,
		};
		return { json };
	}
	return { json, binary: { [input.options.binaryPropertyName || 'data']: downloaded.value } };
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
