// @ts-check
/**
 * n8n QUEUE MODE end to end (issue 8), from the packed tarball, n8n 2.8.4 (env N8N_QUEUE_VERSION):
 * Redis + PostgreSQL (Debian packages, loopback, temp dirs) → one main (`n8n start`, production webhooks
 * off), two `n8n worker --concurrency=2`, one `n8n webhook`; each n8n process has its own user folder.
 *
 *  1. batch: 20 items in 5 executions → both workers; every item an MP4 in `database` binary mode;
 *     no duplicate submits. Near the database-mode size limit (workers: 4 MiB): exactly 4 MiB is
 *     stored, 4 MiB + 1 byte fails.
 *  2. trigger: callbacks reach the webhook process; executions run on workers with video + correlation;
 *     repeated deliveries are emitted once (dedupe in static data, read/written via PostgreSQL); a
 *     fresh webhook process still recognises an old delivery.
 *  3. SIGKILL a worker mid-batch: what n8n does with its executions; recovery by task ID (Wait for Task).
 *
 * Figures go to test-results/e2e-queue/figures.json (and stderr) for docs/running-at-scale.md.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.mjs';
import { inspectMp4 } from '../support/mp4.mjs';
import {
	REPO_ROOT,
	buildIfNeeded,
	ensureN8n,
	freePort,
	freshUserFolder,
	packPackage,
	prepareExamples,
} from '../e2e/host.mjs';
import { startCluster, submittedTasks, workerOf } from './cluster.mjs';
import {
	batchWorkflow,
	recoverWorkflow,
	submitThenWaitWorkflow,
	submitToTriggerWorkflow,
	triggerWorkflow,
} from './workflows.mjs';

const VERSION = process.env.N8N_QUEUE_VERSION ?? '2.8.4';
const FAST = { firstCheckAfter: 1, pollInterval: 0.5, maxWait: 300 };
const LIMIT_MIB = 4;
const TOKEN = 'queue-token-0001';
const TRIGGER_WEBHOOK_ID = '7a516273-0000-4000-8000-000000000001';
const WF = {
	batch: 'qBatchGenerate',
	submitWait: 'qSubmitThenWait',
	recover: 'qRecoverByTaskId',
	submitTrigger: 'qSubmitToTrigger',
	trigger: 'qKlingTrigger',
};
/** @type {Record<string, any>} */
const figures = { n8nVersion: VERSION };
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const log = (/** @type {string} */ msg) => process.stderr.write(`[e2e-queue] ${msg}\n`);

/** @type {Awaited<ReturnType<typeof startEmulator>>} */
let emulator;
/** @type {Awaited<ReturnType<typeof startCluster>>} */
let cluster;
/** @type {string} */
let workDir;
/** @type {string} */
let tgz;

beforeAll(async () => {
	const t0 = Date.now();
	const [host] = await Promise.all([ensureN8n(VERSION), buildIfNeeded()]);
	tgz = await packPackage();
	emulator = await startEmulator({ port: await freePort(), generationMs: 3000 });
	workDir = freshUserFolder('kling-queue-run-');
	log(`logs in ${workDir}`);
	cluster = await startCluster({
		host,
		tgz,
		workDir,
		workers: 2,
		workerConcurrency: 2,
		workerEnv: { N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(LIMIT_MIB) },
		// the dangling-execution sweep: default every 180 min; 1 min here to observe it (test 3)
		mainEnv: { N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1' },
		beforeStart: async (cli, { webhookUrl }) => {
			const dir = join(workDir, 'import');
			const prepared = prepareExamples(dir, { emulatorUrl: emulator.url, only: () => false });
			await cli(['import:credentials', `--input=${prepared.credentialsFile}`]);
			// the Submit node's callback URL: the trigger's production URL on the webhook process
			const wfDir = join(dir, 'queue-workflows');
			mkdirSync(wfDir, { recursive: true });
			const callbackUrl = `${webhookUrl}/webhook/${TRIGGER_WEBHOOK_ID}/${TOKEN}`;
			const workflows = [
				batchWorkflow({ id: WF.batch, path: 'kling-queue-batch', options: FAST }),
				submitThenWaitWorkflow({
					id: WF.submitWait,
					path: 'kling-queue-submit-wait',
					options: FAST,
				}),
				recoverWorkflow({ id: WF.recover, path: 'kling-queue-recover', options: FAST }),
				submitToTriggerWorkflow({ id: WF.submitTrigger, path: 'kling-queue-submit', callbackUrl }),
				triggerWorkflow({ id: WF.trigger, token: TOKEN, webhookId: TRIGGER_WEBHOOK_ID }),
			];
			for (const wf of workflows)
				writeFileSync(join(wfDir, `${wf.id}.json`), JSON.stringify(wf, null, 2));
			await cli(['import:workflow', '--separate', `--input=${wfDir}`]);
			for (const wf of workflows) await cli(['publish:workflow', `--id=${wf.id}`]);
		},
	});
	figures.clusterStartSeconds = Math.round((Date.now() - t0) / 1000);
	log(
		`cluster up in ${figures.clusterStartSeconds} s: main ${cluster.main.url}, webhook ${cluster.webhookUrl}`,
	);
}, 20 * 60_000);

afterAll(async () => {
	await cluster?.stop();
	await emulator?.close();
	// process logs (main, workers, webhook, postgres, redis) stay with N8N_E2E_KEEP=1
	if (workDir && process.env.N8N_E2E_KEEP !== '1')
		rmSync(workDir, { recursive: true, force: true });
	try {
		// figures beside the reports (.ci/run sums only test-results/jest/*.json)
		mkdirSync(join(REPO_ROOT, 'test-results', 'e2e-queue'), { recursive: true });
		writeFileSync(
			join(REPO_ROOT, 'test-results', 'e2e-queue', 'figures.json'),
			JSON.stringify(figures, null, 2),
		);
	} catch {
		/* best effort */
	}
	log(`figures: ${JSON.stringify(figures, null, 2)}`);
}, 120_000);

/** POST to a production webhook on the webhook process. @param {string} path @param {any} body */
async function fire(path, body) {
	const res = await fetch(`${cluster.webhookUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`POST /webhook/${path}: ${res.status} ${text}`);
	return text;
}

/**
 * Wait until `count` executions of a workflow (beyond `known`) are finished.
 * @param {string} workflowId @param {number} count @param {{ known?: Set<string>, timeoutMs?: number, done?: string[] }} [o]
 */
async function finished(workflowId, count, o = {}) {
	const done = o.done ?? ['success', 'error', 'crashed', 'canceled'];
	const deadline = Date.now() + (o.timeoutMs ?? 180_000);
	let list = [];
	while (Date.now() < deadline) {
		list = (await cluster.executionsOf(workflowId)).filter((e) => !o.known?.has(String(e.id)));
		if (list.filter((e) => done.includes(e.status)).length >= count) break;
		await sleep(1000);
	}
	return list;
}

/** Output items of a node in execution data. @param {any} data @param {string} node */
function nodeItems(data, node) {
	const runs = data?.resultData?.runData?.[node];
	return /** @type {any[]} */ (runs?.[runs.length - 1]?.data?.main?.[0] ?? []);
}

describe(`n8n ${VERSION} in queue mode (main + 2 workers + webhook process, PostgreSQL, Redis)`, () => {
	test('queue mode is on and binary data defaults to the database mode', async () => {
		const res = await cluster.session.api('/rest/settings');
		const settings = /** @type {any} */ (res.body).data;
		figures.binaryDataMode = settings.binaryDataMode;
		figures.executionMode = settings.executionMode;
		expect(settings.executionMode).toBe('queue');
		expect(settings.binaryDataMode).toBe('database');
		for (const w of cluster.workers)
			expect(w.logs()).toMatch(/n8n worker is now ready|worker server listening/i);
	});

	test('batch: 20 items in 5 executions run on BOTH workers; every item is an MP4 in the database; no duplicate submits', async () => {
		emulator.journal.reset();
		const started = Date.now();
		const batches = Array.from({ length: 5 }, (_, b) => ({
			batch: b + 1,
			rows: Array.from({ length: 4 }, (_, r) => ({
				row: `b${b + 1}-r${r + 1}`,
				prompt: `Queue batch ${b + 1} row ${r + 1}: a paper boat on a rainy street`,
			})),
		}));
		await Promise.all(batches.map((b) => fire('kling-queue-batch', b)));
		const list = await finished(WF.batch, 5);
		figures.batchSeconds = Math.round((Date.now() - started) / 100) / 10;
		expect(list.filter((e) => e.status === 'success')).toHaveLength(5);

		/** @type {Record<string, string[]>} */
		const perWorker = {};
		const problems = [];
		let items = 0;
		let bytes = 0;
		for (const e of list) {
			const owners = workerOf(cluster.workers, e.id);
			expect(owners).toHaveLength(1);
			(perWorker[owners[0]] ??= []).push(String(e.id));
			const { data } = await cluster.execution(e.id);
			const out = nodeItems(data, 'Kling Video');
			expect(out).toHaveLength(4);
			for (const item of out) {
				items++;
				expect(item.json.status).toBe('succeeded');
				const bin = item.binary?.data;
				expect(bin?.mimeType).toBe('video/mp4');
				expect(String(bin.id)).toMatch(/^database:/);
				const buf = await cluster.binary(bin.id);
				bytes += buf.length;
				const mp4 = inspectMp4(buf);
				if (!mp4.hasFtyp || Math.round(mp4.durationSeconds) !== 5)
					problems.push(`${e.id}/${item.json.taskId}: ${JSON.stringify(mp4)}`);
			}
		}
		expect(problems).toEqual([]);
		expect(items).toBe(20);
		// both workers ran executions of the batch
		expect(Object.keys(perWorker).sort()).toEqual(['worker-1', 'worker-2']);
		// the submit log lines: 20 tasks, split between the workers
		const byWorker = Object.fromEntries(
			cluster.workers.map((w) => [w.name, submittedTasks(w.logs()).length]),
		);
		const counts = emulator.journal.countsByTask();
		const tasks = Object.values(counts).filter((c) => c.provider === 'wavespeed');
		expect(tasks).toHaveLength(20);
		expect(tasks.filter((c) => c.submits !== 1)).toEqual([]);
		// the binary rows are in PostgreSQL
		const rows = cluster.pg
			.psql(
				`select count(*), coalesce(sum("fileSize"), 0), coalesce(max("fileSize"), 0) from binary_data`,
			)
			.trim()
			.split('\t')
			.map(Number);
		expect(rows[0]).toBeGreaterThanOrEqual(20);
		figures.batch = {
			executions: list.length,
			items,
			executionsPerWorker: Object.fromEntries(
				Object.entries(perWorker).map(([k, v]) => [k, v.length]),
			),
			executionIdsPerWorker: perWorker,
			submitLogLinesPerWorker: byWorker,
			submitsPerTask: 1,
			mp4BytesTotal: bytes,
			binaryDataRows: rows[0],
			binaryDataBytes: rows[1],
			binaryDataMaxBytes: rows[2],
		};
	}, 300_000);

	test(`database binary mode near the size limit (workers: N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=${LIMIT_MIB}): ${LIMIT_MIB} MiB is stored, 1 byte more fails`, async () => {
		const limit = LIMIT_MIB * 1024 * 1024;
		/** @type {Record<string, any>} */
		const outcome = {};
		for (const [label, videoBytes] of /** @type {[string, number][]} */ ([
			['atLimit', limit],
			['overLimit', limit + 1],
		])) {
			const known = new Set((await cluster.executionsOf(WF.batch)).map((e) => String(e.id)));
			emulator.planNextTask('wavespeed', { generationMs: 1000, videoBytes });
			await fire('kling-queue-batch', { rows: [{ row: label, prompt: `size ${label}` }] });
			const [e] = await finished(WF.batch, 1, { known });
			const { data } = await cluster.execution(e.id);
			const err = data?.resultData?.error;
			const item = nodeItems(data, 'Kling Video')[0];
			outcome[label] = {
				videoBytes,
				status: e.status,
				binaryId: item?.binary?.data?.id ?? null,
				error: err ? String(err.message) : null,
				errorDescription: err?.description ?? null,
			};
		}
		figures.sizeLimit = { limitMiB: LIMIT_MIB, defaultMiB: 512, maxMiB: 1024, ...outcome };
		expect(outcome.atLimit.status).toBe('success');
		const buf = await cluster.binary(outcome.atLimit.binaryId);
		expect(buf.length).toBe(limit);
		expect(inspectMp4(buf).hasFtyp).toBe(true);
		expect(outcome.overLimit.status).toBe('error');
		expect(`${outcome.overLimit.error} ${outcome.overLimit.errorDescription}`).toMatch(
			/N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE|max size limit/,
		);
		expect(String(outcome.overLimit.error)).toMatch(/n8n could not store the video/);
	}, 180_000);

	describe('Kling Video Trigger in queue mode', () => {
		/** @type {any[]} */
		let submitted = [];
		const known = new Set();

		test('callbacks reach the webhook process; executions run on workers with the video and the correlation; each repeated delivery is emitted once', async () => {
			expect(cluster.webhookUrl).toBeTruthy();
			emulator.journal.reset();
			emulator.configure({ repeatCallbacks: 1 });
			for (const e of await cluster.executionsOf(WF.trigger)) known.add(String(e.id));
			const rows = Array.from({ length: 4 }, (_, r) => ({
				row: `t-row-${r + 1}`,
				prompt: `trigger row ${r + 1}`,
			}));
			// staggered completions (1.5 s apart); every callback delivered twice (~1 s apart)
			rows.forEach((_, k) => emulator.planNextTask('kie', { generationMs: 3000 + 1500 * k }));
			await fire('kling-queue-submit', { rows });
			const [submitExec] = await finished(WF.submitTrigger, 1);
			expect(submitExec.status).toBe('success');
			const { data } = await cluster.execution(submitExec.id);
			submitted = nodeItems(data, 'Kling Video');
			expect(submitted).toHaveLength(4);
			for (const item of submitted)
				expect(item.json.callbackUrl).toContain(`${cluster.webhookUrl}/webhook/`);

			// wait for every callback (and its repeat) to be answered, then for the executions
			const deadline = Date.now() + 90_000;
			while (Date.now() < deadline) {
				const cb = emulator.journal.entries({ kind: 'callback' });
				if (cb.length >= 8 && cb.every((c) => c.responseStatus)) break;
				await sleep(500);
			}
			await sleep(3000);
			const list = await finished(WF.trigger, 4, { known });
			const callbacks = emulator.journal.entries({ kind: 'callback' });
			expect(callbacks.length).toBe(8);
			for (const c of callbacks) {
				expect(c.url).toContain(cluster.webhookUrl);
				expect(c.responseStatus).toBe(200);
			}
			/** @type {Map<string, any[]>} */
			const byTask = new Map();
			const onWorker = {};
			for (const e of list) {
				const owners = workerOf(cluster.workers, e.id);
				expect(owners).toHaveLength(1);
				onWorker[owners[0]] = (onWorker[owners[0]] ?? 0) + 1;
				const exec = await cluster.execution(e.id);
				const out = nodeItems(exec.data, 'Kling Video Trigger')[0];
				expect(out.binary?.data?.mimeType).toBe('video/mp4');
				expect(String(out.binary.data.id)).toMatch(/^database:/);
				expect(inspectMp4(await cluster.binary(out.binary.data.id)).hasFtyp).toBe(true);
				const key = out.json.taskId;
				byTask.set(key, [
					...(byTask.get(key) ?? []),
					{ id: e.id, status: e.status, out: out.json },
				]);
			}
			for (const [i, item] of submitted.entries()) {
				const runs = byTask.get(item.json.taskId) ?? [];
				expect(runs).toHaveLength(1); // once, although delivered twice
				expect(runs[0].status).toBe('success');
				expect(runs[0].out.correlation).toEqual(expect.objectContaining({ row: rows[i].row }));
			}
			// the dedupe keys are in the workflow's static data in PostgreSQL
			const staticData = JSON.parse(
				cluster.pg
					.psql(`select "staticData" from workflow_entity where id = '${WF.trigger}'`)
					.trim() || '{}',
			);
			const deliveries = Object.keys(staticData?.['node:Kling Video Trigger']?.deliveries ?? {});
			for (const item of submitted) expect(deliveries).toContain(`${item.json.taskId}:succeeded`);
			const webhookLog = cluster.webhook.logs();
			figures.trigger = {
				tasks: submitted.length,
				callbacksDelivered: callbacks.length,
				callbackAnswers: callbacks.map((c) => c.responseStatus),
				executions: list.length,
				executionsPerWorker: onWorker,
				staticDataDeliveries: deliveries.length,
				webhookProcessLogLines: webhookLog.split('\n').length,
			};
			for (const e of list) known.add(String(e.id));
		}, 240_000);

		test('a fresh webhook process (no memory of earlier deliveries) still answers a replayed delivery as a duplicate', async () => {
			const first = emulator.journal.entries({ kind: 'callback' })[0];
			expect(first).toBeDefined();
			const before = (await cluster.executionsOf(WF.trigger)).length;
			const t0 = Date.now();
			await cluster.restartWebhook();
			figures.webhookRestartSeconds = Math.round((Date.now() - t0) / 100) / 10;
			const res = await fetch(first.url, {
				method: 'POST',
				headers: /** @type {Record<string, string>} */ (first.headers),
				body: JSON.stringify(first.body),
			});
			const text = await res.text();
			expect(res.status).toBe(200);
			expect(text).toMatch(/duplicate/);
			await sleep(4000);
			expect((await cluster.executionsOf(WF.trigger)).length).toBe(before);
			figures.replayAfterRestart = { status: res.status, body: text.slice(0, 200) };
		}, 300_000);

		// KNOWN LIMITATION (measured, not asserted): n8n loads the workflow's whole staticData per webhook request and
		// saves it back after the request (LiveWebhooks, main and webhook processes alike): concurrent deliveries to
		// the same trigger overwrite each other's dedupe entries (last writer wins), so a later repeat of an erased
		// delivery is emitted again. Every task is still emitted at least once.
		test('simultaneous deliveries of different tasks (whole staticData read/written per request): measured', async () => {
			emulator.journal.reset();
			emulator.configure({ repeatCallbacks: 1 });
			for (const e of await cluster.executionsOf(WF.trigger)) known.add(String(e.id));
			const rows = Array.from({ length: 6 }, (_, r) => ({
				row: `s-row-${r + 1}`,
				prompt: `simultaneous ${r + 1}`,
			}));
			// all six complete at the same moment: six first deliveries at once, six repeats ~1 s later
			const at = 6000;
			rows.forEach(() => emulator.planNextTask('kie', { generationMs: at }));
			await fire('kling-queue-submit', { rows });
			const deadline = Date.now() + 90_000;
			while (Date.now() < deadline) {
				const cb = emulator.journal.entries({ kind: 'callback' });
				if (cb.length >= 12 && cb.every((c) => c.responseStatus)) break;
				await sleep(500);
			}
			await sleep(5000);
			const list = await finished(WF.trigger, 6, { known });
			/** @type {Record<string, number>} */
			const perTask = {};
			for (const e of list) {
				const exec = await cluster.execution(e.id);
				const out = nodeItems(exec.data, 'Kling Video Trigger')[0];
				if (out) perTask[out.json.taskId] = (perTask[out.json.taskId] ?? 0) + 1;
			}
			const callbacks = emulator.journal.entries({ kind: 'callback' });
			figures.simultaneous = {
				tasks: rows.length,
				callbacks: callbacks.length,
				answers: callbacks.map((c) => c.responseStatus),
				executions: list.length,
				executionsPerTask: perTask,
				duplicatesEmitted: Object.values(perTask).reduce((a, n) => a + Math.max(0, n - 1), 0),
			};
			log(`simultaneous deliveries: ${JSON.stringify(figures.simultaneous)}`);
			// every task is emitted at least once (nothing lost)
			expect(Object.keys(perTask)).toHaveLength(6);
			emulator.configure({ repeatCallbacks: 0 });
		}, 240_000);
	});

	test('SIGKILL a worker mid-batch: its executions, the other worker, duplicate submits, recovery by task ID', async () => {
		emulator.journal.reset();
		emulator.configure({ generationMs: 60_000, repeatCallbacks: 0 });
		const knownBatch = new Set((await cluster.executionsOf(WF.batch)).map((e) => String(e.id)));
		const knownSW = new Set((await cluster.executionsOf(WF.submitWait)).map((e) => String(e.id)));
		const logLen = Object.fromEntries(cluster.workers.map((w) => [w.name, w.logs().length]));
		// 1) one Generate execution (4 items); find its worker
		await fire('kling-queue-batch', {
			rows: Array.from({ length: 4 }, (_, r) => ({
				row: `k-gen-${r + 1}`,
				prompt: `kill test generate ${r + 1}`,
			})),
		});
		let genExec;
		let victim;
		for (let i = 0; i < 60 && !victim; i++) {
			await sleep(500);
			genExec = (await cluster.executionsOf(WF.batch)).find((e) => !knownBatch.has(String(e.id)));
			if (genExec) victim = cluster.workers.find((w) => workerOf([w], genExec.id).length);
		}
		if (!victim || !genExec) throw new Error('the Generate execution did not start on a worker');
		// 2) three Submit → Wait for Task executions (save progress on): 3 free slots, the victim has 1 of them
		for (let k = 0; k < 3; k++)
			await fire('kling-queue-submit-wait', {
				rows: Array.from({ length: 2 }, (_, r) => ({
					row: `k-sw${k + 1}-${r + 1}`,
					prompt: `kill test submit ${k + 1}/${r + 1}`,
				})),
			});
		// 3) wait until the victim logged the Generate submits and its Submit → Wait execution saved the
		// Submit node's output (save execution progress), i.e. every one of its tasks exists at the provider
		const survivor = /** @type {any} */ (cluster.workers.find((w) => w !== victim));
		const victimNew = () => victim.logs().slice(logLen[victim.name]);
		const heldIds = () =>
			[...victimNew().matchAll(/Worker started execution (\d+) \(job/g)].map((m) => m[1]);
		for (let i = 0; i < 80; i++) {
			if (
				submittedTasks(victimNew()).length >= 4 &&
				emulator.journal.entries({ kind: 'submit' }).length >= 10
			)
				break;
			await sleep(500);
		}
		await sleep(3000);
		// is the Submit node's output of the victim's Submit → Wait execution in the database (save progress)?
		let savedBeforeKill = 0;
		for (const id of heldIds().filter((x) => x !== String(genExec.id)))
			savedBeforeKill += nodeItems((await cluster.execution(id)).data, 'Submit').length;
		const held = heldIds();
		const loggedTasks = submittedTasks(victimNew()).map((t) => t.taskId);
		const submitsBefore = emulator.journal.entries({ kind: 'submit' }).length;
		const killedAt = Date.now();
		const runningAtKill = Object.fromEntries(
			await Promise.all(held.map(async (id) => [id, (await cluster.execution(id)).status])),
		);
		process.kill(-victim.pid, 'SIGKILL');
		log(
			`SIGKILLed ${victim.name} (pid ${victim.pid}) holding executions ${held.join(', ')} (${JSON.stringify(runningAtKill)}); logged tasks ${loggedTasks.join(', ')}`,
		);

		// 4) watch what n8n does with the held executions (stalled job → failed; queue recovery → crashed)
		/** @type {Record<string, { status: string, atSeconds: number }[]>} */
		const timeline = {};
		const deadline = Date.now() + 240_000;
		while (Date.now() < deadline) {
			let allFinal = true;
			for (const id of held) {
				const { status } = await cluster.execution(id);
				const t = (timeline[id] ??= []);
				if (t[t.length - 1]?.status !== status)
					t.push({ status, atSeconds: Math.round((Date.now() - killedAt) / 1000) });
				if (!['crashed', 'error', 'success', 'canceled'].includes(status)) allFinal = false;
			}
			if (allFinal) break;
			await sleep(2000);
		}
		// the executions the survivor ran finish normally
		const survivorExecs = [
			...(await cluster.executionsOf(WF.submitWait)),
			...(await cluster.executionsOf(WF.batch)),
		].filter(
			(e) =>
				!knownBatch.has(String(e.id)) && !knownSW.has(String(e.id)) && !held.includes(String(e.id)),
		);
		/** @type {Record<string, any>} */
		const heldOutcome = {};
		const savedTaskIds = [];
		for (const id of held) {
			const { status, data } = await cluster.execution(id);
			const err = data?.resultData?.error;
			const saved = nodeItems(data, 'Submit').map((i) => i.json.taskId);
			savedTaskIds.push(...saved);
			heldOutcome[id] = {
				status,
				workflow:
					String(id) === String(genExec.id)
						? 'Generate'
						: 'Submit → Wait for Task (save progress on)',
				nodesWithData: Object.keys(data?.resultData?.runData ?? {}),
				error: err ? String(err.message) : null,
				taskIdsInSavedSubmitOutput: saved,
				timeline: timeline[id],
			};
		}
		const workerLogAfter = survivor.logs();
		const pickedUpByOther = held.filter((id) => workerOf([survivor], id).length);
		// duplicate submits? (nothing resubmitted by n8n)
		const counts = emulator.journal.countsByTask();
		const dup = Object.entries(counts).filter(([, c]) => c.submits > 1);
		const submitsAfter = emulator.journal.entries({ kind: 'submit' }).length;

		// 5) recovery: Wait for Task with the task IDs already submitted (never resubmitting): the Generate
		// execution's are in the killed worker's log; all of them are at the provider (here: the emulator's
		// list of submitted tasks, minus those the surviving executions returned)
		const survivorTaskIds = new Set();
		for (const e of survivorExecs) {
			const { data } = await cluster.execution(e.id);
			for (const n of ['Kling Video', 'Submit', 'Wait for Task'])
				for (const item of nodeItems(data, n)) survivorTaskIds.add(item.json.taskId);
		}
		const providerTasks = emulator.journal
			.entries({ kind: 'submit' })
			.map((e) => e.taskId)
			.filter(Boolean);
		const orphaned = [...new Set(providerTasks)].filter((id) => !survivorTaskIds.has(id));
		const victimTasks = [...new Set([...loggedTasks, ...savedTaskIds, ...orphaned])];
		const knownRec = new Set((await cluster.executionsOf(WF.recover)).map((e) => String(e.id)));
		const recStarted = Date.now();
		await fire('kling-queue-recover', { rows: victimTasks.map((taskId) => ({ taskId })) });
		const [rec] = await finished(WF.recover, 1, { known: knownRec, timeoutMs: 240_000 });
		const recData = (await cluster.execution(rec.id)).data;
		const recovered = nodeItems(recData, 'Kling Video');
		const mp4s = [];
		for (const item of recovered)
			mp4s.push(inspectMp4(await cluster.binary(item.binary.data.id)).hasFtyp);
		const submitsAfterRecovery = emulator.journal.entries({ kind: 'submit' }).length;

		figures.workerKill = {
			victim: victim.name,
			heldExecutions: held,
			statusAtKill: runningAtKill,
			submitOutputSavedBeforeKill: savedBeforeKill,
			tasksInVictimLog: loggedTasks.length,
			tasksInSavedSubmitOutput: savedTaskIds.length,
			tasksOrphanedAtProvider: orphaned.length,
			tasksRecovered: victimTasks.length,
			heldOutcome,
			secondsUntilAllFinal: Math.round((Date.now() - killedAt) / 1000),
			pickedUpByOtherWorker: pickedUpByOther,
			survivorExecutions: survivorExecs.map((e) => ({ id: e.id, status: e.status })),
			submitsBeforeKill: submitsBefore,
			submitsAfterKill: submitsAfter,
			tasksSubmittedMoreThanOnce: dup.length,
			mainLogRecovery: (cluster.main.logs().match(/.*(dangling|crashed).*/gi) ?? []).slice(0, 5),
			survivorLogStall: (workerLogAfter.match(/.*stall.*/gi) ?? []).slice(0, 5),
			recovery: {
				execution: rec.id,
				status: rec.status,
				ranOn: workerOf(cluster.workers, rec.id),
				items: recovered.length,
				allMp4: mp4s.every(Boolean),
				seconds: Math.round((Date.now() - recStarted) / 100) / 10,
				newSubmits: submitsAfterRecovery - submitsAfter,
			},
		};
		log(`worker kill: ${JSON.stringify(figures.workerKill, null, 2)}`);
		expect(held.length).toBeGreaterThanOrEqual(2);
		expect(pickedUpByOther).toEqual([]); // n8n 2.x: maxStalledCount 0, the job is not retried
		expect(dup).toEqual([]);
		expect(submitsAfter).toBe(submitsBefore);
		// n8n 2.8.4: the stalled job is failed, not retried; the execution becomes "error" after lock (60 s) +
		// stalled check (30 s), its node data is gone
		for (const id of held) {
			expect(heldOutcome[id].status).toMatch(/^(error|crashed)$/);
			expect(String(heldOutcome[id].error ?? '')).toMatch(/too many times|crash|stalled/i);
		}
		// Generate and Submit both log each task ID right after submitting it: every task the dead worker
		// left behind at the provider can be read from its log.
		expect([...loggedTasks].sort()).toEqual([...orphaned].sort());
		expect(rec.status).toBe('success');
		expect(recovered).toHaveLength(victimTasks.length);
		expect(recovered.map((i) => i.json.taskId).sort()).toEqual([...victimTasks].sort());
		expect(mp4s.every(Boolean)).toBe(true);
		expect(submitsAfterRecovery).toBe(submitsAfter);
		emulator.configure({ generationMs: 3000 });
	}, 600_000);
});
