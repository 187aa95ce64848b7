// @ts-check
/**
 * `npm run bench:queue`: a batch of 50 Kling Video Generate items in n8n QUEUE MODE, once on 1 worker and
 * once on 2 workers (issue 8, "Also": batch of 50 on 1 worker versus 2 workers).
 *
 * Everything on 127.0.0.1, every process stopped by its PID:
 *   - one emulator (test/emulator), time scale SCALE = 0.1, provider Kie.ai, shared by both runs;
 *   - per run a fresh cluster from test/e2e-queue/cluster.mjs: Redis + PostgreSQL (services.mjs, free
 *     ports, temp dirs), one main (`n8n start`, production webhooks off), N workers
 *     (`n8n worker --concurrency=WORKER_CONCURRENCY`) and one `n8n webhook` process; binary data in
 *     n8n's queue-mode default (`database`).
 *
 * Work split: 10 executions × 5 items (EXECUTIONS × ITEMS_PER_EXECUTION), fired at once at the webhook
 * process. In queue mode the unit of distribution is the EXECUTION (one Bull job); one execution of 50
 * items runs entirely on one worker whatever the number of workers, so it could not show a second
 * worker at all. 10 × 5 is how a queue-mode batch is spread. Each execution's Kling Video node has
 * Concurrency 10 ≥ 5 items, so every item of an execution is in flight at once; each worker takes up to
 * WORKER_CONCURRENCY = 10 jobs (n8n's default for `n8n worker`), so even 1 worker holds all 10 executions
 * at once: the comparison measures the worker PROCESS (event loop, CPU, database binary writes), not a
 * job-slot limit. Same split, same settings, same generation-time list for both runs.
 *
 * Generation times: the same seeded list as `npm run bench` for a batch of 50 (30–45 s × SCALE), planned
 * per task in submit order (emulator.planNextTask). Poll settings scaled as in bench/run.mjs: First Check
 * After 3 s, Poll Interval 0.5 s.
 *
 * Figures per run: wall time (first execution startedAt → last execution stoppedAt, from n8n's executions
 * REST API), ratio to the physical limit (slowest task's generation + one clip download), executions and
 * items per worker (worker attributed from its log line `Worker started execution <id> (job …`; items
 * from the execution's Kling Video output, cross-checked with the `submitted to … as task` log lines),
 * status requests per task and duplicate submits (emulator journal).
 * Appends / replaces the section "Queue mode: 1 worker vs 2 workers" in bench/RESULTS.md and
 * docs/running-at-scale.md; writes bench/queue-results.json.
 *
 * `--report`: rewrite the two sections from bench/queue-results.json without running anything.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../test/emulator/index.mjs';
import {
	PACKAGE_NAME,
	buildIfNeeded,
	ensureN8n,
	freePort,
	freshUserFolder,
	packPackage,
	prepareExamples,
} from '../test/e2e/host.mjs';
import { startCluster, submittedTasks, workerOf } from '../test/e2e-queue/cluster.mjs';
import { SCALE, generationTimes, pct, sleep } from './shared.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const N8N_VERSION = process.env.BENCH_N8N_VERSION ?? '2.8.4';
const BATCH = 50;
const EXECUTIONS = 10;
const ITEMS_PER_EXECUTION = BATCH / EXECUTIONS;
const WORKER_CONCURRENCY = 10;
const NODE_CONCURRENCY = 10;
const WORKER_COUNTS = [1, 2];
const WF_ID = 'benchQueueGenerate';
const WF_PATH = 'bench-queue-generate';
const KIE_KEY = 'kie_emulator_test_key';
const SECTION = 'Queue mode: 1 worker vs 2 workers';
const t0 = Date.now();

/** @param {...unknown} a */
const log = (...a) =>
	process.stderr.write(`[bench:queue ${((Date.now() - t0) / 1000).toFixed(0)}s] ${a.join(' ')}\n`);


/** Webhook (answers at once) → Rows (one item per body.rows entry) → Kling Video (Generate, Kie.ai). */
function workflow() {
	return {
		id: WF_ID,
		name: 'bench: queue mode, Kling Video Generate (Kie)',
		active: false,
		nodes: [
			{
				parameters: { httpMethod: 'POST', path: WF_PATH, responseMode: 'onReceived', options: {} },
				id: '9a000000-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '9a000000-0000-4000-8000-0000000000aa',
			},
			{
				parameters: {
					jsCode: 'return $input.first().json.body.rows.map((row) => ({ json: row }));',
				},
				id: '9a000000-0000-4000-8000-000000000002',
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
			},
			{
				parameters: {
					authentication: 'kie',
					resource: 'video',
					operation: 'generate',
					mode: 'text-to-video',
					model: 'kling-v2.5-turbo-pro',
					prompt: '={{ $json.prompt }}',
					duration: 5,
					aspectRatio: '9:16',
					options: {
						firstCheckAfter: 30 * SCALE,
						pollInterval: 5 * SCALE,
						maxWait: 900,
						concurrency: NODE_CONCURRENCY,
					},
				},
				id: '9a000000-0000-4000-8000-000000000003',
				name: 'Kling Video',
				type: `${PACKAGE_NAME}.klingVideo`,
				typeVersion: 1,
				position: [440, 0],
				credentials: { klingKieApi: { id: 'kieDemo', name: 'Kie.ai (demo)' } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'Kling Video', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
	};
}

/** Kie createTask straight at the emulator (download probe). @param {string} emuUrl */
async function kieCreate(emuUrl) {
	const r = await fetch(`${emuUrl}/kie/api/v1/jobs/createTask`, {
		method: 'POST',
		headers: { authorization: `Bearer ${KIE_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			model: 'kling/v2-5-turbo-text-to-video-pro',
			input: { prompt: 'bench', duration: '5', aspect_ratio: '16:9' },
		}),
	});
	const j = /** @type {any} */ (await r.json());
	if (!j?.data?.taskId) throw new Error(`createTask: ${JSON.stringify(j)}`);
	return String(j.data.taskId);
}

/**
 * One run: a fresh cluster with `workers` workers, 10 executions × 5 items.
 * @param {{ host: any, tgz: string, emu: Awaited<ReturnType<typeof startEmulator>>, workers: number, downloadMs: number }} o
 */
async function runOnce(o) {
	const { emu } = o;
	const workDir = freshUserFolder(`kling-bench-queue-${o.workers}w-`);
	const tc = Date.now();
	const cluster = await startCluster({
		host: o.host,
		tgz: o.tgz,
		workDir,
		workers: o.workers,
		workerConcurrency: WORKER_CONCURRENCY,
		beforeStart: async (cli) => {
			const dir = join(workDir, 'import');
			const prepared = prepareExamples(dir, { emulatorUrl: emu.url, only: () => false });
			await cli(['import:credentials', `--input=${prepared.credentialsFile}`]);
			const wfDir = join(dir, 'bench-queue-workflows');
			mkdirSync(wfDir, { recursive: true });
			writeFileSync(join(wfDir, `${WF_ID}.json`), JSON.stringify(workflow(), null, 2));
			await cli(['import:workflow', '--separate', `--input=${wfDir}`]);
			await cli(['publish:workflow', `--id=${WF_ID}`]);
		},
	});
	const clusterStartS = (Date.now() - tc) / 1000;
	log(`${o.workers} worker(s): cluster up in ${clusterStartS.toFixed(0)} s (logs in ${workDir})`);
	try {
		const settings = /** @type {any} */ ((await cluster.session.api('/rest/settings')).body).data;
		const gens = generationTimes(BATCH);
		for (const g of gens) emu.planNextTask('kie', { generationMs: g });
		emu.journal.reset();
		const known = new Set((await cluster.executionsOf(WF_ID)).map((x) => String(x.id)));
		const batchStart = Date.now();
		await sleep(100);
		const fired = Date.now();
		await Promise.all(
			Array.from({ length: EXECUTIONS }, async (_, e) => {
				const rows = Array.from({ length: ITEMS_PER_EXECUTION }, (_, i) => ({
					row: `e${e + 1}-r${i + 1}`,
					prompt: `Bench clip ${e * ITEMS_PER_EXECUTION + i + 1}: a paper boat drifts down a rain gutter, macro`,
				}));
				const r = await fetch(`${cluster.webhookUrl}/webhook/${WF_PATH}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ execution: e + 1, rows }),
				});
				if (!r.ok) throw new Error(`webhook → ${r.status} ${await r.text()}`);
			}),
		);
		const finishedStates = ['success', 'error', 'crashed', 'canceled'];
		/** @type {any[]} */
		let list = [];
		const deadline = Date.now() + 10 * 60_000;
		for (;;) {
			list = (await cluster.executionsOf(WF_ID)).filter((x) => !known.has(String(x.id)));
			if (
				list.length >= EXECUTIONS &&
				list.every((x) => finishedStates.includes(x.status) && x.stoppedAt)
			)
				break;
			if (Date.now() > deadline)
				throw new Error(
					`timeout: ${list.length} executions, ${JSON.stringify(list.map((x) => x.status))}`,
				);
			await sleep(250);
		}
		await sleep(300); // late journal entries
		const startMs = Math.min(...list.map((x) => Date.parse(x.startedAt)));
		const endMs = Math.max(...list.map((x) => Date.parse(x.stoppedAt)));
		const wallMs = endMs - startMs;
		const tasks = emu.tasks
			.list()
			.filter((t) => t.provider === 'kie' && Number(t.createdAt) >= batchStart);
		const slowestGen = Math.max(...tasks.map((t) => Number(t.completesAt) - Number(t.createdAt)));
		const limitMs = slowestGen + o.downloadMs;
		const counts = emu.journal.countsByTask();
		const batchCounts = tasks.map((t) => counts[String(t.id)]).filter(Boolean);
		const submits = batchCounts.reduce((a, c) => a + c.submits, 0);
		const duplicateSubmits = batchCounts.reduce(
			(a, c) => a + Math.max(0, c.submits - 1) + c.replays,
			0,
		);
		const statusTotal = batchCounts.reduce((a, c) => a + c.statusReads, 0);
		const downloads = batchCounts.reduce((a, c) => a + c.downloads, 0);
		const submitEntries = emu.journal.entries({ kind: 'submit' }).length;

		/** @type {Record<string, { executions: number, items: number, submitLogLines: number }>} */
		const perWorker = Object.fromEntries(
			cluster.workers.map((w) => [
				w.name,
				{ executions: 0, items: 0, submitLogLines: submittedTasks(w.logs()).length },
			]),
		);
		let items = 0;
		let mp4s = 0;
		const unattributed = [];
		/** @type {string[]} */
		const binaryModes = [];
		for (const x of list) {
			const owners = /** @type {string[]} */ (workerOf(cluster.workers, String(x.id)));
			const { data } = await cluster.execution(String(x.id));
			const runs = data?.resultData?.runData?.['Kling Video'];
			const out = /** @type {any[]} */ (runs?.[runs.length - 1]?.data?.main?.[0] ?? []);
			items += out.length;
			for (const it of out) {
				const bin = it.binary?.data;
				if (it.json?.status === 'succeeded' && bin?.mimeType === 'video/mp4') mp4s++;
				if (bin?.id) binaryModes.push(String(bin.id).split(':')[0]);
			}
			if (owners.length !== 1) {
				unattributed.push({ id: String(x.id), owners });
				continue;
			}
			perWorker[owners[0]].executions++;
			perWorker[owners[0]].items += out.length;
		}
		const statuses = [...new Set(list.map((x) => x.status))].join(',');
		const row = {
			workers: o.workers,
			workerConcurrency: WORKER_CONCURRENCY,
			executions: list.length,
			executionStatus: statuses,
			items,
			mp4s,
			binaryDataMode: settings?.binaryDataMode,
			binaryIdPrefixes: [...new Set(binaryModes)],
			tasks: tasks.length,
			wallMs,
			firedToLastStopMs: endMs - fired,
			firedToFirstStartMs: startMs - fired,
			limitMs,
			slowestGenMs: slowestGen,
			ratio: wallMs / limitMs,
			perWorker,
			unattributed,
			statusTotal,
			statusPerTask: statusTotal / Math.max(1, tasks.length),
			submits,
			submitEntries,
			duplicateSubmits,
			downloads,
			clusterStartS,
			generationP50Ms: pct(gens, 50),
			ok:
				statuses === 'success' &&
				items === BATCH &&
				mp4s === BATCH &&
				tasks.length === BATCH &&
				duplicateSubmits === 0,
		};
		log(JSON.stringify(row));
		return row;
	} finally {
		await cluster.stop();
		if (process.env.N8N_E2E_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
	}
}

/* ------------------------------------------------------------------ report */

const f2 = (/** @type {number} */ x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const sec = (/** @type {number} */ ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');
/** @param {any} r */
const perWorkerText = (r, /** @type {'executions' | 'items'} */ k) =>
	Object.entries(r.perWorker)
		.map(([, v]) => String(/** @type {any} */ (v)[k]))
		.join(' / ');

/** @param {any} R */
function resultsSection(R) {
	const { env, rows } = R;
	const L = [];
	L.push(`## ${SECTION}`, '');
	L.push(
		`Generated by \`npm run bench:queue\` (\`node bench/queue.mjs\`) on ${env.date}, runtime ${env.runtimeS.toFixed(0)} s, ${env.machine}, Node ${env.node}. ` +
			`n8n ${env.n8n} in queue mode: Redis + PostgreSQL (Debian packages, 127.0.0.1), one main (\`n8n start\`), N × \`n8n worker --concurrency=${WORKER_CONCURRENCY}\`, one \`n8n webhook\`; binary data mode \`${rows[0]?.binaryDataMode}\` (queue-mode default). ` +
			`A fresh cluster per row; one emulator (Kie.ai, time scale ${env.scale}) for both.`,
		'',
	);
	L.push(
		`Batch: **${BATCH} items as ${EXECUTIONS} executions × ${ITEMS_PER_EXECUTION} items**, all ${EXECUTIONS} webhook calls fired at once at the webhook process. ` +
			'Queue mode distributes whole executions (one Bull job each): one execution of 50 items would run on one worker however many there are, so the batch is split. ' +
			`Kling Video Generate, Concurrency ${NODE_CONCURRENCY} (≥ ${ITEMS_PER_EXECUTION} items, every item of an execution in flight at once), First Check After 3 s, Poll Interval 0.5 s (30 s / 5 s × ${env.scale}). ` +
			`The same seeded list of ${BATCH} generation times as the batch of 50 above (3.0–4.5 s), planned per task in submit order. ` +
			`Wall time: first execution startedAt → last execution stoppedAt (n8n executions API). Limit: slowest task's generation + one clip download (${env.clipBytes}-byte emulator clip, ${env.downloadMs.toFixed(1)} ms).`,
		'',
	);
	L.push(
		'| workers (× concurrency) | wall (s) | limit (s) | wall / limit | webhook calls → last stop (s) | executions per worker | items per worker | status requests / task | submits | duplicate submits | all items MP4, executions success |',
		'|---|---:|---:|---:|---:|---|---|---:|---:|---:|---|',
	);
	for (const r of rows)
		L.push(
			`| ${r.workers} × ${r.workerConcurrency} | ${sec(r.wallMs)} | ${sec(r.limitMs)} | **${f2(r.ratio)}** | ${sec(r.firedToLastStopMs)} | ${perWorkerText(r, 'executions')} | ${perWorkerText(r, 'items')} | ${f2(r.statusPerTask)} | ${r.submits} | ${r.duplicateSubmits} | ${r.ok ? 'yes' : `no (${r.executionStatus}, ${r.mp4s}/${BATCH} MP4)`} |`,
		);
	L.push('');
	const [a, b] = rows;
	if (a && b) {
		L.push(
			`- 2 workers vs 1: wall time ${sec(b.wallMs)} s vs ${sec(a.wallMs)} s (${f2(b.wallMs / a.wallMs)} ×). ` +
				`The work is waiting, not computing: each execution spends its time in the node's poll sleeps, and one worker with concurrency ${WORKER_CONCURRENCY} already holds all ${EXECUTIONS} executions at once, ` +
				"so a second worker can only take away per-process overhead (event loop, writing the MP4s to PostgreSQL), not waiting. A second worker pays off when the jobs outnumber one worker's concurrency, or for CPU/memory headroom.",
		);
		L.push(
			`- Per-worker split with 2 workers: ${perWorkerText(b, 'executions')} executions (${perWorkerText(b, 'items')} items). Bull hands a job to whichever worker asks first; with concurrency ${WORKER_CONCURRENCY} per worker one worker may take most of a burst of ${EXECUTIONS} — the split is not round-robin.`,
		);
	}
	L.push(
		"- Workers attributed from their log line `Worker started execution <id> (job …)`; items from each execution's Kling Video output (cross-check: `submitted to Kie.ai as task` log lines per worker: " +
			rows
				.map(
					(r) =>
						`${r.workers} w: ${Object.values(r.perWorker)
							.map((v) => /** @type {any} */ (v).submitLogLines)
							.join(' / ')}`,
				)
				.join('; ') +
			'). Status requests and submits from the emulator journal; a duplicate submit is a second submit (or idempotent replay) for the same task.',
	);
	L.push(
		`- The emulator's clip is ${env.clipBytes} bytes, so writing the MP4s to PostgreSQL (\`database\` binary mode) costs next to nothing here; with real multi-megabyte clips each worker also writes and holds every MP4 it downloads, which a second worker would share.`,
	);
	L.push(
		`- Single run per row on a shared ${os.cpus().length}-core machine (main, workers, webhook process, PostgreSQL, Redis and the emulator share it): differences below ~0.1 × the limit are noise.`,
	);
	L.push(
		'- `npm run bench` rewrites this file from bench/results.json and drops this section; `node bench/queue.mjs --report` puts it back from bench/queue-results.json.',
		'',
	);
	return L.join('\n');
}

/** @param {any} R */
function docsSection(R) {
	const { env, rows } = R;
	const L = [];
	L.push(`## ${SECTION} (benchmark)`, '');
	L.push(
		`\`npm run bench:queue\`, n8n ${env.n8n}, ${env.date}: ${BATCH} Kling Video Generate items (Kie.ai, emulator time scale ${env.scale}, generation 3.0–4.5 s) as ${EXECUTIONS} executions × ${ITEMS_PER_EXECUTION} items, ` +
			`each worker \`--concurrency=${WORKER_CONCURRENCY}\`, binary data in \`${rows[0]?.binaryDataMode}\` mode. Full table and method: [bench/RESULTS.md](../bench/RESULTS.md#${SECTION.toLowerCase()
				.replace(/[^a-z0-9 -]/g, '')
				.replace(/ /g, '-')}).`,
		'',
	);
	L.push(
		'| workers | wall (s) | wall / limit | executions per worker | items per worker | status req. / task | duplicate submits |',
		'|---|---:|---:|---|---|---:|---:|',
	);
	for (const r of rows)
		L.push(
			`| ${r.workers} | ${sec(r.wallMs)} | ${f2(r.ratio)} | ${perWorkerText(r, 'executions')} | ${perWorkerText(r, 'items')} | ${f2(r.statusPerTask)} | ${r.duplicateSubmits} |`,
		);
	L.push(
		'',
		'Split a batch over several executions: queue mode spreads executions, never the items of one execution. ' +
			'A Generate execution mostly waits; one worker with enough concurrency runs many at once, so add workers for more concurrent executions (or headroom), not to make one batch faster.',
		'',
	);
	return L.join('\n');
}

/** Replace `## <heading>` … (up to the next `## ` or the end) in a file, or append it. @param {string} file @param {string} heading @param {string} body */
function upsertSection(file, heading, body) {
	const text = readFileSync(file, 'utf8');
	const start = text.indexOf(`\n## ${heading}\n`);
	if (start === -1) {
		writeFileSync(file, `${text.replace(/\n*$/, '\n')}\n${body.replace(/\n*$/, '\n')}`);
		return;
	}
	const next = text.indexOf('\n## ', start + 1);
	const before = text.slice(0, start + 1);
	const after = next === -1 ? '' : text.slice(next + 1);
	writeFileSync(file, `${before}${body.replace(/\n*$/, '\n')}${after ? `\n${after}` : ''}`);
}

/** @param {any} R */
function writeReports(R) {
	upsertSection(join(BENCH, 'RESULTS.md'), SECTION, resultsSection(R));
	upsertSection(
		join(ROOT, 'docs', 'running-at-scale.md'),
		`${SECTION} (benchmark)`,
		docsSection(R),
	);
}

/* ------------------------------------------------------------------ main */

async function main() {
	log(
		`scale ${SCALE}, batch ${BATCH} = ${EXECUTIONS} executions × ${ITEMS_PER_EXECUTION} items, workers ${WORKER_COUNTS.join(' then ')} (--concurrency=${WORKER_CONCURRENCY})`,
	);
	const [host] = await Promise.all([ensureN8n(N8N_VERSION), buildIfNeeded()]);
	const tgz = await packPackage();
	const emu = await startEmulator({ port: await freePort(), timeScale: SCALE, seed: 6 });
	try {
		// download time of one default-size clip (for the physical limit), as in bench/run.mjs
		emu.planNextTask('kie', { generationMs: 0 });
		const probe = await kieCreate(emu.url);
		const dl = [];
		let clipBytes = 0;
		for (let i = 0; i < 5; i++) {
			const t = performance.now();
			const r = await fetch(`${emu.url}/kie/_results/${probe}.mp4`);
			clipBytes = (await r.arrayBuffer()).byteLength;
			dl.push(performance.now() - t);
		}
		const downloadMs = pct(dl, 50);
		log(`emulator ${emu.url}; clip ${clipBytes} bytes, download ${downloadMs.toFixed(1)} ms`);
		const rows = [];
		for (const workers of WORKER_COUNTS)
			rows.push(await runOnce({ host, tgz, emu, workers, downloadMs }));
		const R = {
			env: {
				date: new Date().toISOString().slice(0, 10),
				runtimeS: (Date.now() - t0) / 1000,
				machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
				node: process.version,
				n8n: N8N_VERSION,
				scale: SCALE,
				clipBytes,
				downloadMs,
			},
			rows,
		};
		writeFileSync(join(BENCH, 'queue-results.json'), JSON.stringify(R, null, 2));
		writeReports(R);
		log(`done in ${R.env.runtimeS.toFixed(0)} s`);
		if (!rows.every((r) => r.ok)) process.exitCode = 1;
	} finally {
		await emu.close();
	}
}

(process.argv.includes('--report')
	? Promise.resolve().then(() =>
			writeReports(JSON.parse(readFileSync(join(BENCH, 'queue-results.json'), 'utf8'))),
		)
	: main()
).catch((error) => {
	process.stderr.write(`${error?.stack ?? error}\n`);
	process.exitCode = 1;
});
