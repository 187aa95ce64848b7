// @ts-check
/**
 * `npm run bench` (`-- --smoke`: 1 item per contestant, a short throughput run, no 500 MiB run).
 *
 * One real n8n 2.8.4 (test/e2e/host.mjs: packed tarball installed as a community package, filesystem
 * binary mode) and one emulator (test/emulator), everything on 127.0.0.1. Time is scaled by SCALE: the
 * emulator's seed-realistic generation times (5 s clips: 30–45 s) are drawn here with a seeded PRNG,
 * multiplied by SCALE and planned per task (planNextTask), so every contestant gets the SAME list of
 * generation times for a batch size. Every contestant's poll settings are scaled by the same factor.
 *
 * Contestants (workflows in bench/workflows/, each started by a Webhook node → Split Out of N items):
 *   1  Kling Video, Generate (Wait for result), defaults scaled: First Check After 3 s, Poll Interval 0.5 s
 *   1b the same with Concurrency 50 (default is 10)
 *   2  Kling Video, Submit with Callback URL + the activated Kling Video Trigger workflow (Kie, defaults)
 *   3  the hand-made loop: HTTP submit → Wait 0.5 s → HTTP status → IF success / IF fail → loop → Code
 *      (parse resultJson) → HTTP download as file
 * Then: the 500 MiB result (contestant 1, one item) and trigger throughput (undici, bounded concurrency).
 * Writes bench/RESULTS.md, bench/results.json and bench/wall-time.png.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool, request as undiciRequest } from 'undici';
import { kieSignature, startEmulator, wavespeedSignature } from '../test/emulator/index.mjs';
import {
	DEFAULT_N8N_VERSION,
	activateWorkflow,
	buildIfNeeded,
	ensureN8n,
	freePort,
	freshUserFolder,
	installPackage,
	n8nCliOk,
	ownerSession,
	packPackage,
	portIsFree,
	startN8n,
} from '../test/e2e/host.mjs';
import { SCALE, generationTimes, pct, sleep } from './shared.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const SMOKE = process.argv.includes('--smoke');
const KEEP = process.argv.includes('--keep');
const N8N_VERSION = process.env.BENCH_N8N_VERSION ?? DEFAULT_N8N_VERSION;
const BATCHES = SMOKE ? [1] : [1, 10, 50];
const LOAD = SMOKE ? { requests: 40, concurrency: 10, warmup: 10 } : { requests: 300, concurrency: 10, warmup: 30 };
const BIG_BYTES = 500 * 1024 * 1024;
const KIE_KEY = 'kie_emulator_test_key';
const KIE_HMAC = 'kie_emulator_hmac_key_0001';
const WS_SECRET = 'whsec_emulatorWaveSpeedSecret0001';
const POLL_INTERVAL_S = 5 * SCALE;
const t0 = Date.now();

/** @param {...unknown} a */
const log = (...a) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0)}s] ${a.join(' ')}\n`);


/* ------------------------------------------------------------------ RSS sampling */

/** @param {number} pid */
function rssKb(pid) {
	try {
		const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}
/** @param {number} pid @returns {number[]} */
function descendants(pid) {
	const out = [];
	let tasks = [];
	try {
		tasks = readdirSync(`/proc/${pid}/task`);
	} catch {
		return out;
	}
	for (const t of tasks) {
		let kids = '';
		try {
			kids = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8');
		} catch {
			continue;
		}
		for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) out.push(k, ...descendants(k));
	}
	return out;
}
class RssSampler {
	/** @param {number} pid */
	constructor(pid) {
		this.pid = pid;
		this.peakMain = 0;
		this.peakTotal = 0;
		this.last = { main: 0, total: 0 };
		this.timer = setInterval(() => this.sample(), 200);
		this.sample();
	}
	sample() {
		const main = rssKb(this.pid);
		const total = main + descendants(this.pid).reduce((s, p) => s + rssKb(p), 0);
		this.last = { main, total };
		this.peakMain = Math.max(this.peakMain, main);
		this.peakTotal = Math.max(this.peakTotal, total);
	}
	reset() {
		this.sample();
		this.peakMain = this.last.main;
		this.peakTotal = this.last.total;
	}
	stop() {
		clearInterval(this.timer);
	}
}
const mib = (/** @type {number} */ kb) => kb / 1024;

/* ------------------------------------------------------------------ main */

async function main() {
	const started = Date.now();
	log(`scale ${SCALE}, batches ${BATCHES.join('/')}${SMOKE ? ' (smoke)' : ''}`);
	await buildIfNeeded();
	const host = await ensureN8n(N8N_VERSION);
	const tgz = await packPackage();
	const userFolder = freshUserFolder('kling-bench-');
	/** @type {Awaited<ReturnType<typeof startN8n>> | null} */
	let n8n = null;
	/** @type {Awaited<ReturnType<typeof startEmulator>> | null} */
	let emu = null;
	/** @type {RssSampler | null} */
	let sampler = null;
	try {
		await installPackage(userFolder, tgz);
		const emuPort = (await portIsFree(4010)) ? 4010 : await freePort();
		emu = await startEmulator({ port: emuPort, timeScale: SCALE, seed: 6 });
		const n8nPort = await freePort();
		const n8nUrl = `http://127.0.0.1:${n8nPort}`;
		log(`emulator ${emu.url}, n8n will listen on ${n8nUrl}`);

		// credentials + workflows with the real ports
		const rewrite = (/** @type {string} */ t) =>
			t
				.split('http://127.0.0.1:4010')
				.join(emu?.url ?? '')
				.split('__EMU__')
				.join(emu?.url ?? '')
				.split('__N8N__')
				.join(n8nUrl)
				.split('__KIE_KEY__')
				.join(KIE_KEY);
		const work = join(userFolder, 'bench');
		mkdirSync(join(work, 'workflows'), { recursive: true });
		writeFileSync(join(work, 'credentials.json'), rewrite(readFileSync(join(ROOT, 'examples', 'credentials.demo.json'), 'utf8')));
		/** @type {Record<string, any>} */
		const wfs = {};
		for (const f of readdirSync(join(BENCH, 'workflows'))) {
			const text = rewrite(readFileSync(join(BENCH, 'workflows', f), 'utf8'));
			writeFileSync(join(work, 'workflows', f), text);
			const wf = JSON.parse(text);
			wfs[wf.id] = wf;
		}
		await n8nCliOk(host, userFolder, ['import:credentials', `--input=${join(work, 'credentials.json')}`]);
		await n8nCliOk(host, userFolder, ['import:workflow', '--separate', `--input=${join(work, 'workflows')}`]);
		for (const id of Object.keys(wfs)) await activateWorkflow(host, userFolder, id);
		log('imported and published', Object.keys(wfs).length, 'workflows; starting n8n');
		n8n = await startN8n({ host, userFolder, port: n8nPort, env: { N8N_PAYLOAD_SIZE_MAX: '16' } });
		const { api } = await ownerSession(n8n.url);
		// wait until the production webhooks answer
		for (let i = 0; ; i++) {
			const r = await fetch(`${n8n.url}/webhook/bench-bare`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
			if (r.ok) break;
			if (i > 120) throw new Error(`webhooks not registered: ${r.status}`);
			await sleep(500);
		}
		sampler = new RssSampler(n8n.pid);
		const s = sampler;
		const e = emu;
		const server = n8n;

		/* ---------------------------------------------------------- helpers on n8n's executions */
		/**
		 * Executions of a workflow with id > after (n8n caps a page at 100; firstId < id < lastId pages back).
		 * @param {string} workflowId @param {number} [after] @returns {Promise<any[]>}
		 */
		const listExecutions = async (workflowId, after = 0) => {
			const q = encodeURIComponent(JSON.stringify({ workflowId }));
			const out = [];
			let lastId = Number.MAX_SAFE_INTEGER;
			for (;;) {
				const res = await api(`/rest/executions?filter=${q}&limit=100&firstId=${after}&lastId=${lastId}`);
				if (res.status !== 200) throw new Error(`executions list ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
				const page = res.body.data.results.filter((/** @type {any} */ x) => Number(x.id) > after && Number(x.id) < lastId);
				out.push(...page);
				if (page.length < 100) return out;
				lastId = Math.min(...page.map((/** @type {any} */ x) => Number(x.id)));
			}
		};
		const req = createRequire(join(host.n8nBin, '..', '..', 'package.json'));
		let flatted;
		try {
			flatted = req('flatted');
		} catch {
			flatted = createRequire(join(ROOT, '.n8n-host', N8N_VERSION, 'package.json'))('flatted');
		}
		/** node runs of one execution @param {string} id */
		const nodeRuns = async (id) => {
			const res = await api(`/rest/executions/${id}`);
			const raw = res.body?.data?.data;
			const data = typeof raw === 'string' ? flatted.parse(raw) : raw;
			const runData = data?.resultData?.runData ?? {};
			return Object.values(runData).reduce((n, runs) => n + /** @type {any[]} */ (runs).length, 0);
		};
		const maxId = async (/** @type {string} */ wid) =>
			Math.max(0, ...(await listExecutions(wid)).map((x) => Number(x.id)));
		const done = (/** @type {any} */ x) => x.stoppedAt && !['running', 'new', 'waiting'].includes(x.status);
		/** wait for `count` finished executions of a workflow with id > after @param {string} wid @param {number} after @param {number} count */
		const waitExecutions = async (wid, after, count, timeoutMs = 10 * 60_000) => {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const list = await listExecutions(wid, after);
				if (list.length >= count && list.every(done)) return list;
				if (Date.now() > deadline) throw new Error(`timeout waiting for ${count} executions of ${wid} (have ${list.length})`);
				await sleep(list.length > 100 ? 500 : 100);
			}
		};
		const postWebhook = async (/** @type {string} */ path, /** @type {unknown} */ body) => {
			const r = await fetch(`${server.url}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			if (!r.ok) throw new Error(`webhook ${path} → ${r.status} ${await r.text()}`);
		};
		const items = (/** @type {number} */ n) =>
			Array.from({ length: n }, (_, i) => ({ row: `row-${i + 1}`, prompt: `Bench clip ${i + 1}: a paper boat drifts down a rain gutter, macro` }));

		// download time of one default-size clip (for the physical limit)
		e.planNextTask('kie', { generationMs: 0 });
		const probe = await kieCreate(e.url);
		const dlTimes = [];
		let clipBytes = 0;
		for (let i = 0; i < 5; i++) {
			const t = performance.now();
			const r = await fetch(`${e.url}/kie/_results/${probe}.mp4`);
			clipBytes = (await r.arrayBuffer()).byteLength;
			dlTimes.push(performance.now() - t);
		}
		const downloadMs = pct(dlTimes, 50);
		log(`clip ${clipBytes} bytes, download ${downloadMs.toFixed(1)} ms`);

		/* ---------------------------------------------------------- contestants */
		const contestants = [
			{ key: '1', name: 'Kling Video, Generate (Wait for result)', wid: 'benchGenerate', path: 'bench-generate', mode: 'wait' },
			{ key: '1b', name: 'Kling Video, Generate, Concurrency 50', wid: 'benchGenerateC50', path: 'bench-generate-c50', mode: 'wait', only: [50] },
			{ key: '2', name: 'Kling Video Submit + Kling Video Trigger', wid: 'benchSubmit', path: 'bench-submit', mode: 'trigger', triggerWid: 'benchTriggerKie' },
			{ key: '3', name: 'Hand-made loop (HTTP Request + Wait + IF + Code)', wid: 'benchLoop', path: 'bench-loop', mode: 'loop' },
		];
		/** @type {any[]} */
		const rows = [];
		for (const n of BATCHES) {
			for (const c of contestants) {
				if (c.only && !c.only.includes(n)) continue;
				if (SMOKE && c.only) continue;
				log(`contestant ${c.key} batch ${n}`);
				const gens = generationTimes(n);
				for (const g of gens) e.planNextTask('kie', { generationMs: g });
				e.journal.reset();
				const afterMain = await maxId(c.wid);
				const afterTrig = c.triggerWid ? await maxId(c.triggerWid) : 0;
				const batchStart = Date.now();
				await sleep(300);
				s.reset();
				await postWebhook(c.path, { items: items(n) });
				const mainExecs = await waitExecutions(c.wid, afterMain, 1);
				const trigExecs = c.triggerWid ? await waitExecutions(c.triggerWid, afterTrig, n) : [];
				const peakMain = s.peakMain;
				const peakTotal = s.peakTotal;
				await sleep(300); // let late journal entries land
				const tasks = e.tasks.list().filter((t) => Number(t.createdAt) >= batchStart);
				const entries = e.journal.entries();
				const taskIds = new Set(tasks.map((t) => String(t.id)));
				const statusByTask = new Map();
				for (const en of entries) if (en.kind === 'status' && en.taskId) statusByTask.set(en.taskId, [...(statusByTask.get(en.taskId) ?? []), en.at]);
				const statusTotal = entries.filter((en) => en.kind === 'status').length;
				const httpTotal = entries.filter((en) => ['submit', 'status', 'download', 'callback'].includes(en.kind)).length;
				const byKind = Object.fromEntries(['submit', 'status', 'download', 'callback'].map((k) => [k, entries.filter((en) => en.kind === k).length]));
				// detection: first status read at/after completion, or the first callback
				const latencies = [];
				for (const t of tasks) {
					const done = Number(t.completesAt);
					let seen;
					if (c.mode === 'trigger') seen = entries.find((en) => en.kind === 'callback' && en.taskId === t.id)?.at;
					else seen = (statusByTask.get(t.id) ?? []).find((/** @type {number} */ at) => at >= done);
					if (seen !== undefined) latencies.push(seen - done);
				}
				const mainExec = mainExecs[0];
				const allExecs = [...mainExecs, ...trigExecs];
				const startMs = Date.parse(mainExec.startedAt);
				const endMs = Math.max(...allExecs.map((x) => Date.parse(x.stoppedAt)));
				const wallMs = endMs - startMs;
				const slowestGen = Math.max(...tasks.map((t) => Number(t.completesAt) - Number(t.createdAt)));
				const limitMs = slowestGen + downloadMs;
				const lastCompletion = Math.max(...tasks.map((t) => Number(t.completesAt)));
				let runs = 0;
				for (const x of allExecs) runs += await nodeRuns(x.id);
				const statuses = [...new Set(allExecs.map((x) => x.status))].join(',');
				const row = {
					contestant: c.key,
					name: c.name,
					batch: n,
					tasks: tasks.length,
					executionStatus: statuses,
					wallMs,
					limitMs,
					ratio: wallMs / limitMs,
					statusPerTask: statusTotal / Math.max(1, tasks.length),
					statusTotal,
					httpTotal,
					byKind,
					detectP50: pct(latencies, 50),
					detectP95: pct(latencies, 95),
					lastCompletionToOutputMs: endMs - lastCompletion,
					executions: allExecs.length,
					nodeRuns: runs,
					peakRssMainMiB: mib(peakMain),
					peakRssTotalMiB: mib(peakTotal),
					ok: tasks.length === n && taskIds.size === n && statuses === 'success',
				};
				log(JSON.stringify(row));
				rows.push(row);
			}
		}

		/* ---------------------------------------------------------- 500 MiB result */
		/** @type {any} */
		let big = null;
		if (!SMOKE) {
			log('500 MiB result');
			const after = await maxId('benchGenerate');
			e.planNextTask('kie', { generationMs: 1000, videoBytes: BIG_BYTES });
			e.journal.reset();
			// settle, then baseline = mean RSS over 2 s
			await sleep(2000);
			const base = [];
			for (let i = 0; i < 10; i++) {
				s.sample();
				base.push(s.last);
				await sleep(200);
			}
			const baseMain = base.reduce((a, b) => a + b.main, 0) / base.length;
			const baseTotal = base.reduce((a, b) => a + b.total, 0) / base.length;
			s.reset();
			await postWebhook('bench-generate', { items: items(1) });
			const [x] = await waitExecutions('benchGenerate', after, 1);
			const res = await api(`/rest/executions/${x.id}`);
			const data = flatted.parse(res.body.data.data);
			const out = data.resultData.runData['Kling Video'][0].data.main[0][0];
			const bin = out.binary?.data;
			let stored = 0;
			const fsId = String(bin?.id ?? '');
			const m = /^filesystem(?:-v2)?:(.+)$/.exec(fsId);
			if (m) {
				for (const d of ['storage', 'binaryData']) {
					const p = join(userFolder, '.n8n', d, m[1]);
					if (existsSync(p)) stored = (await import('node:fs')).statSync(p).size;
				}
			}
			big = {
				status: x.status,
				wallMs: Date.parse(x.stoppedAt) - Date.parse(x.startedAt),
				bytes: BIG_BYTES,
				storedBytes: stored,
				binaryId: fsId,
				baseMainMiB: mib(baseMain),
				peakMainMiB: mib(s.peakMain),
				increaseMainMiB: mib(s.peakMain - baseMain),
				baseTotalMiB: mib(baseTotal),
				peakTotalMiB: mib(s.peakTotal),
				increaseTotalMiB: mib(s.peakTotal - baseTotal),
			};
			log(JSON.stringify(big));
		}

		/* ---------------------------------------------------------- trigger throughput */
		log('trigger throughput');
		const pool = new Pool(server.url, { connections: LOAD.concurrency, pipelining: 1 });
		let seq = 0;
		/**
		 * @param {string} label @param {string} path @param {(i: number) => { body: string, headers: Record<string, string> }} make
		 * @param {string | null} wid
		 */
		const load = async (label, path, make, wid) => {
			const after = wid ? await maxId(wid) : 0;
			e.journal.reset();
			const run = async (/** @type {number} */ count) => {
				let next = 0;
				let ok = 0;
				const codes = /** @type {Record<string, number>} */ ({});
				const t = performance.now();
				await Promise.all(
					Array.from({ length: LOAD.concurrency }, async () => {
						while (next < count) {
							next++;
							const { body, headers } = make(seq++);
							const r = await pool.request({ path, method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
							await r.body.text();
							codes[r.statusCode] = (codes[r.statusCode] ?? 0) + 1;
							if (r.statusCode >= 200 && r.statusCode < 300) ok++;
						}
					}),
				);
				return { ok, codes, ms: performance.now() - t };
			};
			await run(LOAD.warmup);
			const afterWarm = wid ? await maxId(wid) : 0;
			e.journal.reset();
			const r = await run(LOAD.requests);
			let executions = null;
			let executionsOk = null;
			if (wid) {
				const list = await waitExecutions(wid, afterWarm, r.ok, 5 * 60_000).catch(() => listExecutions(wid, afterWarm));
				executions = list.length;
				executionsOk = list.filter((x) => x.status === 'success').length;
			}
			await sleep(200);
			const statusReads = e.journal.entries().filter((en) => en.kind === 'status').length;
			const res = {
				label,
				requests: LOAD.requests,
				concurrency: LOAD.concurrency,
				accepted: r.ok,
				codes: r.codes,
				seconds: r.ms / 1000,
				perSecond: r.ok / (r.ms / 1000),
				executions,
				executionsOk,
				statusReadsPerCallback: statusReads / Math.max(1, r.ok),
			};
			log(JSON.stringify(res));
			void after;
			return res;
		};
		const bare = () =>
			load('bare Webhook node', '/webhook/bench-bare', (i) => ({ body: JSON.stringify({ id: `bare-${i}`, status: 'completed' }), headers: {} }), 'benchBare');
		const wsTask = (/** @type {number} */ i) => `ws${String(i).padStart(8, '0')}bench`;
		const ws = () =>
			load(
				'Kling Video Trigger, WaveSpeed, signed body, re-fetch off',
				'/webhook/b0000000-0000-4000-8000-000000000011/bench-ws-throughput-token-01',
				(i) => {
					const id = wsTask(i);
					const body = JSON.stringify({
						id,
						model: 'kwaivgi/kling-v2.5-turbo-pro/text-to-video',
						outputs: [`${e.url}/wavespeed/_results/${id}.mp4`],
						urls: { get: `${e.url}/wavespeed/api/v3/predictions/${id}/result` },
						has_nsfw_contents: [false],
						status: 'completed',
						created_at: new Date().toISOString(),
						error: '',
						timings: { inference: 3000 },
					});
					const ts = Math.floor(Date.now() / 1000);
					return {
						body,
						headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v3,${wavespeedSignature(WS_SECRET, id, ts, body)}` },
					};
				},
				'benchTrigWs',
			);
		// Kie, re-fetch on: the task IDs must exist (created now, already complete)
		const kieIds = [];
		// The Kie emulator has 10,000 credits (≈ 238 clips), spent by the batches above. A task that fails is
		// refunded, so these are planned to fail at once: the trigger re-reads each one (status `fail`) and
		// emits it as a failed-task item (Emit Failed Tasks is on by default) — the same work as a success with
		// Download Video off: verify, re-read, dedupe, start an execution.
		for (let i = 0; i < 2 * (LOAD.warmup + LOAD.requests); i++) {
			e.planNextTask('kie', { generationMs: 0, fail: { code: '500', message: 'bench: planned failure (credit refund)' } });
			kieIds.push(await kieCreate(e.url));
			await sleep(1); // let the refund timer run
		}
		let kieNext = 0;
		const kie = () =>
			load(
				'Kling Video Trigger, Kie, re-fetch on (failed-task callbacks, see note)',
				'/webhook/b0000000-0000-4000-8000-000000000012/bench-kie-throughput-token-01',
				() => {
					const taskId = kieIds[kieNext++];
					const t = e.tasks.get(taskId);
					const body = JSON.stringify({
						code: 501,
						msg: 'Playground task failed.',
						data: {
							taskId,
							model: 'kling/v2-5-turbo-text-to-video-pro',
							state: 'fail',
							failCode: '500',
							failMsg: 'bench: planned failure (credit refund)',
							param: '{}',
							createTime: t?.createdAt,
							completeTime: t?.completesAt,
							updateTime: t?.completesAt,
							costTime: 1,
							consumeCredits: 0,
						},
					});
					const ts = Math.floor(Date.now() / 1000);
					return { body, headers: { 'x-webhook-timestamp': String(ts), 'x-webhook-signature': kieSignature(KIE_HMAC, taskId, ts) } };
				},
				'benchTrigKieRf',
			);
		// interleaved, twice, so drift (JIT, SQLite growth) hits every workflow alike
		const tput = [];
		for (let round = 1; round <= 2; round++) {
			tput.push({ round, ...(await bare()) });
			tput.push({ round, ...(await ws()) });
			tput.push({ round, ...(await kie()) });
		}
		await pool.close();
		const meanRate = (/** @type {string} */ part) => {
			const l = tput.filter((t) => t.label.includes(part));
			return l.reduce((a, t) => a + t.perSecond, 0) / l.length;
		};
		const bareRate = meanRate('bare');

		s.stop();
		const env = {
			machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
			node: process.version,
			n8nNodeBinary: host.nodeBin,
			n8n: N8N_VERSION,
			scale: SCALE,
			downloadMs,
			clipBytes,
			runtimeS: (Date.now() - started) / 1000,
			smoke: SMOKE,
			date: new Date().toISOString(),
		};
		const results = { env, rows, big, throughput: tput, bareRate };
		if (!SMOKE) {
			writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
			writeResults(report(results));
			await chart(rows, join(BENCH, 'wall-time.png'));
		} else {
			process.stdout.write(report(results));
		}
		log(`done in ${env.runtimeS.toFixed(0)} s`);
	} finally {
		sampler?.stop();
		await n8n?.stop();
		await emu?.close();
		rmSync(join(tgz, '..'), { recursive: true, force: true });
		if (!KEEP) rmSync(userFolder, { recursive: true, force: true });
		else log(`kept ${userFolder}`);
	}
}

/** Create a Kie task directly on the emulator (no callback); returns its id. @param {string} emuUrl */
async function kieCreate(emuUrl) {
	const r = await undiciRequest(`${emuUrl}/kie/api/v1/jobs/createTask`, {
		method: 'POST',
		headers: { authorization: `Bearer ${KIE_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'kling/v2-5-turbo-text-to-video-pro', input: { prompt: 'bench', duration: '5', aspect_ratio: '16:9' } }),
	});
	const j = /** @type {any} */ (await r.body.json());
	if (!j?.data?.taskId) throw new Error(`createTask: ${JSON.stringify(j)}`);
	return String(j.data.taskId);
}

/* ------------------------------------------------------------------ report */

const f1 = (/** @type {number} */ x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (/** @type {number} */ x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const sec = (/** @type {number} */ ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');

/** @param {any} R */
function report(R) {
	const { env, rows, big, throughput, bareRate } = R;
	const L = [];
	L.push('# Benchmark: Kling Video node vs the hand-made loop', '');
	L.push(`Generated by \`npm run bench\` (\`node bench/run.mjs\`) on ${env.date}. Runtime ${env.runtimeS.toFixed(0)} s.`, '');
	L.push('| | |', '|---|---|');
	L.push(`| machine | ${env.machine} |`);
	L.push(`| Node (bench / n8n) | ${env.node} |`);
	L.push(`| n8n | ${env.n8n} (one \`n8n start\`, filesystem binary mode, SQLite), package installed from \`npm pack\` as a community package |`);
	L.push(`| emulator | one \`test/emulator\` on 127.0.0.1, provider **Kie.ai** for the batches |`);
	L.push(`| time scale | **${env.scale}**: generation times drawn from 30–45 s (5 s clips) × ${env.scale} = 3–4.5 s, the same list per batch size for every contestant (seeded, planned per task) |`);
	L.push(`| poll settings (scaled by ${env.scale}) | Kling Video: First Check After 30 s (auto) → 3 s, Poll Interval 5 s → 0.5 s, Max Wait 900 s, Concurrency default 10. Hand-made loop: Wait 5 s → 0.5 s |`);
	L.push(`| physical limit | slowest task's generation time (emulator createdAt → completesAt) + one clip download (${env.clipBytes} bytes, ${env.downloadMs.toFixed(1)} ms median of 5 direct fetches) |`);
	L.push(`| wall time | inside n8n: execution startedAt → stoppedAt (trigger path: submit execution start → last trigger execution stop); n8n start-up excluded |`);
	L.push(`| RSS | VmRSS of the n8n main process, and of it plus its children (task runner), sampled every 200 ms |`);
	L.push('');
	const table = (/** @type {string} */ title, /** @type {string[]} */ head, /** @type {(r: any) => string[]} */ cells) => {
		L.push(`## ${title}`, '', `| contestant | batch | ${head.join(' | ')} |`, `|---|---:|${head.map(() => '---:').join('|')}|`);
		for (const r of rows) L.push(`| ${r.contestant} ${r.name} | ${r.batch} | ${cells(r).join(' | ')} |`);
		L.push('');
	};
	table('Batch wall time', ['wall (s)', 'limit (s)', 'wall / limit', 'executions ok'], (r) => [sec(r.wallMs), sec(r.limitMs), f2(r.ratio), r.ok ? 'yes' : `no (${r.executionStatus}, ${r.tasks} tasks)`]);
	L.push('![batch wall time](wall-time.png)', '');
	table('HTTP requests (emulator journal)', ['status / task', 'status total', 'submit', 'download', 'callback', 'HTTP total'], (r) => [f2(r.statusPerTask), String(r.statusTotal), String(r.byKind.submit), String(r.byKind.download), String(r.byKind.callback), String(r.httpTotal)]);
	table('Detection latency (task completion → status read that saw it, or the callback)', ['p50 (ms)', 'p95 (ms)', 'last completion → batch output (ms)'], (r) => [f1(r.detectP50), f1(r.detectP95), f1(r.lastCompletionToOutputMs)]);
	table('n8n executions, node runs, peak RSS', ['executions', 'node runs', 'peak RSS main (MiB)', 'peak RSS main + children (MiB)'], (r) => [String(r.executions), String(r.nodeRuns), f1(r.peakRssMainMiB), f1(r.peakRssTotalMiB)]);
	if (big) {
		L.push('## 500 MiB result (contestant 1, one item, filesystem binary mode)', '');
		L.push('| status | wall (s) | stored file (bytes) | RSS main before → peak (MiB) | increase main (MiB) | main + children before → peak (MiB) | increase (MiB) |', '|---|---:|---:|---:|---:|---:|---:|');
		L.push(`| ${big.status} | ${sec(big.wallMs)} | ${big.storedBytes} | ${f1(big.baseMainMiB)} → ${f1(big.peakMainMiB)} | **${f1(big.increaseMainMiB)}** | ${f1(big.baseTotalMiB)} → ${f1(big.peakTotalMiB)} | ${f1(big.increaseTotalMiB)} |`, '');
	}
	L.push(`## Trigger throughput (undici Pool, ${throughput[0].concurrency} connections, ${throughput[0].requests} requests after ${LOAD.warmup} warm-up, 127.0.0.1)`, '');
	L.push('| round | workflow | accepted | seconds | callbacks / s | vs bare Webhook | executions (success) | status reads / callback | answers |', '|---|---|---:|---:|---:|---:|---:|---:|---|');
	for (const t of throughput)
		L.push(`| ${t.round} | ${t.label} | ${t.accepted}/${t.requests} | ${f2(t.seconds)} | ${f1(t.perSecond)} | ${f2(t.perSecond / bareRate)} | ${t.executions} (${t.executionsOk}) | ${f2(t.statusReadsPerCallback)} | ${JSON.stringify(t.codes)} |`);
	const mean = (/** @type {string} */ part) => {
		const l = throughput.filter((/** @type {any} */ t) => t.label.includes(part));
		return {
			perSecond: l.reduce((/** @type {number} */ a, /** @type {any} */ t) => a + t.perSecond, 0) / l.length,
			statusReadsPerCallback: l.reduce((/** @type {number} */ a, /** @type {any} */ t) => a + t.statusReadsPerCallback, 0) / l.length,
		};
	};
	L.push('', 'Re-fetch off: WaveSpeed signs the whole body (`webhook-signature: v3,…`, HMAC computed per request with the demo secret), so the trigger trusts it and reads nothing. Re-fetch on: Kie signs only `taskId.timestamp`, so the trigger re-reads the task before emitting. Every callback carries a distinct task ID (repeats would be dropped as duplicates). Kie task IDs must exist for the re-read; the emulator\'s Kie account holds 10,000 credits (≈ 238 clips), which the batches spend, and only failed tasks are refunded, so these tasks are created already failed and the callbacks report the failure: the trigger verifies, re-reads, dedupes and emits a failed-task item — the same work as a success with Download Video off. Answers are counted as accepted when 2xx; the executions column counts the executions n8n recorded for the measured requests.');
	L.push('', `Ratios are against the mean bare Webhook rate of both rounds = ${f1(bareRate)} / s. Means: re-fetch off ${f1(mean('WaveSpeed').perSecond)} / s (${f2(mean('WaveSpeed').perSecond / bareRate)} ×), re-fetch on ${f1(mean('Kie').perSecond)} / s (${f2(mean('Kie').perSecond / bareRate)} ×).`, '');
	// targets
	L.push('## Targets', '');
	const r50 = rows.find((r) => r.contestant === '1' && r.batch === 50);
	const r50c = rows.find((r) => r.contestant === '1b' && r.batch === 50);
	const r50t = rows.find((r) => r.contestant === '2' && r.batch === 50);
	const wait = rows.filter((r) => r.contestant === '1');
	const statusAvg = wait.reduce((a, r) => a + r.statusTotal, 0) / Math.max(1, wait.reduce((a, r) => a + r.tasks, 0));
	const p95max = Math.max(...wait.map((r) => r.detectP95));
	const ws = mean('WaveSpeed');
	const kie = mean('Kie');
	const trig = rows.filter((r) => r.contestant === '2');
	const trigStatus = trig.reduce((a, r) => a + r.statusTotal, 0) / Math.max(1, trig.reduce((a, r) => a + r.tasks, 0));
	const met = (/** @type {boolean} */ b) => (b ? '**met**' : '**missed**');
	L.push('| target | figure | result |', '|---|---|---|');
	if (r50) L.push(`| batch of 50 ≤ 1.15 × limit, Kling Video Wait mode, defaults (Concurrency 10) | ${f2(r50.ratio)} × | ${met(r50.ratio <= 1.15)} |`);
	if (r50c) L.push(`| same, Concurrency 50 | ${f2(r50c.ratio)} × | ${met(r50c.ratio <= 1.15)} |`);
	if (r50t) L.push(`| same, Send to trigger | ${f2(r50t.ratio)} × | ${met(r50t.ratio <= 1.15)} |`);
	L.push(`| Wait mode (contestant 1, all batches): ≤ 3 status requests per task on average, detection p95 ≤ one poll interval (${POLL_INTERVAL_S * 1000} ms) | ${f2(statusAvg)} per task, worst p95 ${f1(p95max)} ms | ${met(statusAvg <= 3 && p95max <= POLL_INTERVAL_S * 1000)} |`);
	if (ws) L.push(`| trigger, re-fetch off: 0 status requests per callback | ${f2(ws.statusReadsPerCallback)} | ${met(ws.statusReadsPerCallback === 0)} |`);
	if (kie) L.push(`| trigger, re-fetch on: exactly 1 status request per callback (throughput run) | ${f2(kie.statusReadsPerCallback)} | ${met(kie.statusReadsPerCallback === 1)} |`);
	if (trig.length) L.push(`| trigger, re-fetch on: exactly 1 status request per task (contestant 2 batches) | ${f2(trigStatus)} | ${met(trigStatus === 1)} |`);
	if (big) L.push(`| 500 MiB result: RSS increase ≤ 64 MiB (main process) | ${f1(big.increaseMainMiB)} MiB | ${met(big.increaseMainMiB <= 64)} |`);
	if (ws) L.push(`| trigger throughput ≥ 0.8 × bare Webhook, re-fetch off | ${f2(ws.perSecond / bareRate)} × (${f1(ws.perSecond)} vs ${f1(bareRate)} / s) | ${met(ws.perSecond / bareRate >= 0.8)} |`);
	if (kie) L.push(`| (info) trigger throughput, re-fetch on | ${f2(kie.perSecond / bareRate)} × (${f1(kie.perSecond)} / s) | – |`);
	L.push('');
	L.push('## Notes', '');
	if (r50 && r50.ratio > 1.15)
		L.push(`- **Batch of 50 with default settings (${f2(r50.ratio)} × the limit).** Concurrency (default 10) bounds how many items are *in progress* at once: \`generateVideos\` in \`nodes/KlingVideo/shared/flow.ts\` runs \`mapWithConcurrency(outcomes, concurrency, generateOne)\` and a slot is held for the whole submit → wait → download of an item, so 50 items run as ~5 waves of generation time. With Concurrency 50 (row 1b) the same batch takes ${r50c ? f2(r50c.ratio) : '–'} × the limit. Fix: let Concurrency bound simultaneous *HTTP requests* (submits, status reads, downloads), which is what a provider rate limit counts, and keep every submitted task waiting at once (e.g. a shared limiter around \`submitTask\` / \`readTaskStatus\` / \`downloadVideo\` instead of around \`generateOne\`); or raise the default.`);
	L.push(`- **Status reads in Wait mode sit at the target by construction.** Automatic First Check After is the *lower* end of the generation range (30 s of 30–45 s for a 5 s clip), then one read per Poll Interval (5 s): 1 + ceil(U(0, 15 s) / 5 s) = 3 reads on average. Scaled here: ${f2(statusAvg)}. Checking first at the middle of the range (~35 s), still followed by 5 s polls, gives ≈ 2 reads per task with the same p95 detection bound (≤ one poll interval).`);
	L.push('- **The hand-made loop** is not slow at this scale — its Wait (0.5 s) equals our poll interval and it polls every item in one pass — but it spends more than twice the status requests (it starts polling 0.5 s after submit instead of near the expected completion) and one node run per node per loop iteration (Wait, status, two IFs), against 3 node runs per batch for Kling Video. At real scale (Wait 5 s, 30–60 s jobs) the ratios of requests stay the same; every loop iteration is also an n8n node run in the execution log.');
	L.push('- Single run per cell on a shared 2-core machine: wall-time ratios and p95 move by a few hundredths to a tenth between runs (an earlier full run measured 1.23 × for Send to trigger at 50 and 3.00 status reads per task in Wait mode). Treat differences below ~0.1 × as noise.');
	L.push('- Send to trigger: detection is the callback itself (ms after completion); its cost is one n8n execution per item and, with re-fetch on (Kie), exactly one status read per task.');
	L.push('');
	return L.join('\n') + '\n';
}

/* ------------------------------------------------------------------ chart */

/** @param {any[]} rows @param {string} file */
async function chart(rows, file) {
	const batches = [...new Set(rows.map((r) => r.batch))];
	const keys = [...new Set(rows.map((r) => r.contestant))];
	const colors = { '1': '#2563eb', '1b': '#60a5fa', '2': '#16a34a', '3': '#dc2626' };
	const W = 900;
	const H = 460;
	const pad = { l: 70, r: 20, t: 50, b: 110 };
	const max = Math.max(...rows.map((r) => Math.max(r.wallMs, r.limitMs))) / 1000;
	const ymax = Math.ceil(max / 5) * 5 || 5;
	const gw = (W - pad.l - pad.r) / batches.length;
	const bw = (gw - 40) / keys.length;
	const y = (/** @type {number} */ v) => pad.t + (H - pad.t - pad.b) * (1 - v / ymax);
	let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>`;
	svg += `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Batch wall time in n8n ${DEFAULT_N8N_VERSION} (time scale ${SCALE}; dashed: physical limit)</text>`;
	for (let v = 0; v <= ymax; v += ymax / 5) {
		svg += `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/><text x="${pad.l - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(0)} s</text>`;
	}
	batches.forEach((b, gi) => {
		const x0 = pad.l + gi * gw + 20;
		keys.forEach((k, ki) => {
			const r = rows.find((q) => q.batch === b && q.contestant === k);
			if (!r) return;
			const x = x0 + ki * bw;
			const v = r.wallMs / 1000;
			svg += `<rect x="${x + 2}" y="${y(v)}" width="${bw - 4}" height="${y(0) - y(v)}" fill="${/** @type {any} */ (colors)[k] ?? '#888'}"/>`;
			svg += `<text x="${x + bw / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="11">${v.toFixed(1)}</text>`;
		});
		const lim = Math.max(...rows.filter((q) => q.batch === b).map((q) => q.limitMs)) / 1000;
		svg += `<line x1="${x0}" x2="${x0 + keys.length * bw}" y1="${y(lim)}" y2="${y(lim)}" stroke="black" stroke-dasharray="5,4"/>`;
		svg += `<text x="${x0 + (keys.length * bw) / 2}" y="${H - pad.b + 20}" text-anchor="middle" font-size="13">batch of ${b}</text>`;
	});
	keys.forEach((k, i) => {
		const r = rows.find((q) => q.contestant === k);
		const lx = pad.l + (i % 2) * 400;
		const ly = H - 55 + Math.floor(i / 2) * 20;
		svg += `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${/** @type {any} */ (colors)[k] ?? '#888'}"/><text x="${lx + 18}" y="${ly}">${k}: ${r.name}</text>`;
	});
	svg += '</svg>';
	const { chromium } = await import('playwright-core');
	const exe = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
	const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	try {
		const page = await browser.newPage({ viewport: { width: W, height: H } });
		await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
		await page.screenshot({ path: file, clip: { x: 0, y: 0, width: W, height: H } });
	} finally {
		await browser.close();
	}
	writeFileSync(file.replace(/\.png$/, '.svg'), svg);
}

/**
 * Write RESULTS.md, keeping the queue-mode section that `npm run bench:queue` (bench/queue.mjs)
 * maintains at the end of the same file.
 * @param {string} text
 */
function writeResults(text) {
	const file = join(BENCH, 'RESULTS.md');
	const marker = '\n## Queue mode: 1 worker vs 2 workers';
	const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
	const queueSection = previous.includes(marker) ? previous.slice(previous.indexOf(marker)) : '';
	writeFileSync(file, text.replace(/\n*$/, '\n') + queueSection);
}

/** `--report`: rewrite RESULTS.md and the chart from bench/results.json without running anything. */
async function reportOnly() {
	const results = JSON.parse(readFileSync(join(BENCH, 'results.json'), 'utf8'));
	writeResults(report(results));
	await chart(results.rows, join(BENCH, 'wall-time.png'));
}

(process.argv.includes('--report') ? reportOnly() : main()).catch((error) => {
	process.stderr.write(`${error?.stack ?? error}\n`);
	process.exitCode = 1;
});
