// @ts-check
/**
 * The binary-store race harness (used by test/e2e/binary-race.e2e.test.mjs; importable from a script to
 * measure other variants): run a real `n8n start` with an activated Kling
 * Video Trigger workflow (WaveSpeed, body signed, re-fetch off, Download Video on), fire many signed
 * completion callbacks at once and classify what every execution kept.
 *
 * The race it measures (n8n ≤ 2.8, n8n-core `dist/binary-data/file-system.manager.js`): a webhook's
 * `webhook()` runs before its execution exists, so `prepareBinaryData` stores under
 * `<storage>/workflows/<wf>/executions/temp/binary_data/<uuid>` — one folder shared by every callback of the
 * workflow. When an execution ends, `restoreBinaryDataId` (`n8n dist/execution-lifecycle/
 * restore-binary-data-id.js`, hook workflowExecuteAfter) calls `FileSystemManager.rename(temp → <executionId>)`,
 * which moves that execution's file and then `fs.rm(<…>/executions/temp, { recursive: true })` — the whole
 * shared folder, including the files other callbacks are still writing or have written but not yet moved.
 */
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { wavespeedSignature } from '../emulator/index.mjs';
import {
	PACKAGE_NAME,
	REPO_ROOT,
	activateWorkflow,
	binaryFilePath,
	freshUserFolder,
	installPackage,
	n8nCliOk,
	ownerSession,
	run,
	startN8n,
} from './host.mjs';

const WS_KEY = 'ws_emulator_test_key';
const WS_SECRET = 'whsec_emulatorWaveSpeedSecret0001';
const WS_MODEL = 'kwaivgi/kling-v2.5-turbo-pro/text-to-video';
const WORKFLOW_ID = 'binaryRaceTrig01';
const WEBHOOK_ID = 'b0000000-0000-4000-8000-0000000000b7';
const TOKEN = 'binary-race-token-0001';
export const NODE_NAME = 'Kling Video Trigger';
const GET_TASK_NODE = 'Get Task';

/** The race is in n8n ≤ 2.8's FileSystemManager.rename (2.33's BlobManager.rename only renames). @param {string} v */
export function hasRace(v) {
	const [major, minor] = v.split('.').map(Number);
	return major < 2 || (major === 2 && minor <= 8);
}

/**
 * @typedef {{ variant: string, version: string, binaryMode: string, callbacks: number, concurrency: number, videoBytes: number, firstDownloadMs: number,
 *   accepted: number, codes: Record<string, number>, executions: number, ok: number, downloadFailed: number,
 *   fileGone: number, danglingId: number, keptVideoUrl: number, executionErrors: number, missing: number,
 *   restoreWarnings: number, restoreErrors: number, seconds: number, date: string, samples: string[] }} Measurement
 *   fileGone / danglingId: the binary the trigger returned is not where its id points after the execution —
 *   deleted by another execution's rm of executions/temp (fileGone), or moved to executions/<id>/ while the id
 *   kept …/temp/… (danglingId: n8n's own rm of temp failed after the move).
 */

/** Items lost in a measurement, whoever lost them. @param {Measurement} m */
export const lossOf = (m) =>
	m.downloadFailed + m.fileGone + m.danglingId + m.executionErrors + m.missing;
/** Items lost after the trigger returned (n8n's doing; no node code runs any more). @param {Measurement} m */
export const lostAfterReturn = (m) => m.fileGone + m.danglingId;

/** @param {string} emuUrl */
function credentials(emuUrl) {
	return [
		{
			id: 'wavespeedRace',
			name: 'WaveSpeed AI (race)',
			type: 'klingWaveSpeedApi',
			data: { apiKey: WS_KEY, baseUrl: `${emuUrl}/wavespeed`, webhookSecret: WS_SECRET },
		},
	];
}

/** The stressed workflow. @param {boolean} getTask Download Video off on the trigger, Get Task downloads downstream */
function triggerWorkflow(getTask) {
	const credentials = { klingWaveSpeedApi: { id: 'wavespeedRace', name: 'WaveSpeed AI (race)' } };
	/** @type {any[]} */
	const nodes = [
		{
			parameters: {
				authentication: 'wavespeed',
				token: TOKEN,
				options: { refetch: false, downloadVideo: !getTask },
			},
			id: '00000000-0000-4000-8000-0000000000b7',
			name: NODE_NAME,
			type: `${PACKAGE_NAME}.klingVideoTrigger`,
			typeVersion: 1,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			credentials,
		},
	];
	if (getTask)
		nodes.push({
			parameters: {
				authentication: 'wavespeed',
				resource: 'video',
				operation: 'getTask',
				mode: 'text-to-video',
				model: 'kling-v2.5-turbo-pro',
				taskId: '={{ $json.taskId }}',
				options: {},
			},
			id: '00000000-0000-4000-8000-0000000000b8',
			name: GET_TASK_NODE,
			type: `${PACKAGE_NAME}.klingVideo`,
			typeVersion: 1,
			position: [260, 0],
			credentials,
		});
	return {
		id: WORKFLOW_ID,
		name: `binary race: Kling Video Trigger, WaveSpeed, ${getTask ? 'Download Video off → Get Task' : 'Download Video on'}`,
		active: false,
		nodes,
		connections: getTask
			? { [NODE_NAME]: { main: [[{ node: GET_TASK_NODE, type: 'main', index: 0 }]] } }
			: {},
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
		pinData: {},
		tags: [],
	};
}

/**
 * Completed WaveSpeed tasks on the emulator (no webhook: the harness delivers the callbacks itself).
 * `firstDownloadMs`: the first download of each MP4 trickles for about that long (later ones are fast).
 * @param {import('../emulator/index.mjs').Emulator} emulator @param {number} n @param {number} videoBytes
 * @param {number} [firstDownloadMs]
 */
async function createTasks(emulator, n, videoBytes, firstDownloadMs = 0) {
	const ids = [];
	/** @type {import('../emulator/index.mjs').TaskPlan} */
	const slow = firstDownloadMs
		? {
				downloadFault: 'slow',
				downloadBytesPerSecond: Math.ceil(videoBytes / (firstDownloadMs / 1000)),
			}
		: {};
	for (let i = 0; i < n; i++) {
		emulator.planNextTask('wavespeed', { generationMs: 0, videoBytes, ...slow });
		const r = await fetch(`${emulator.url}/wavespeed/api/v3/${WS_MODEL}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${WS_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: `binary race ${i}`, duration: 5, aspect_ratio: '16:9' }),
		});
		const j = /** @type {any} */ (await r.json());
		if (!j?.data?.id) throw new Error(`WaveSpeed submit on the emulator: ${JSON.stringify(j)}`);
		ids.push(String(j.data.id));
	}
	return ids;
}

/**
 * The signed WaveSpeed webhook for a completed task (PROVIDERS.md §1.7), as the bench sends it.
 * @param {string} emuUrl @param {string} id
 */
function signedCallback(emuUrl, id) {
	const body = JSON.stringify({
		id,
		model: WS_MODEL,
		outputs: [`${emuUrl}/wavespeed/_results/${id}.mp4`],
		urls: { get: `${emuUrl}/wavespeed/api/v3/predictions/${id}/result` },
		has_nsfw_contents: [false],
		status: 'completed',
		created_at: new Date().toISOString(),
		error: '',
		timings: { inference: 3000 },
	});
	const ts = Math.floor(Date.now() / 1000);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'webhook-id': id,
			'webhook-timestamp': String(ts),
			'webhook-signature': `v3,${wavespeedSignature(WS_SECRET, id, ts, body)}`,
		},
	};
}

/**
 * Finished executions of the trigger workflow, once `count` of them have finished or the time is up
 * (REST pages are capped at 100).
 * @param {(path: string) => Promise<{ status: number, body: any }>} api @param {number} count @param {number} timeoutMs
 */
async function waitExecutions(api, count, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	const done = (/** @type {any} */ x) =>
		x.stoppedAt && !['running', 'new', 'waiting'].includes(x.status);
	const q = encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID }));
	for (;;) {
		/** @type {any[]} */
		const list = [];
		let lastId = Number.MAX_SAFE_INTEGER;
		for (;;) {
			const res = await api(`/rest/executions?filter=${q}&limit=100&firstId=0&lastId=${lastId}`);
			if (res.status !== 200) throw new Error(`executions list ${res.status}`);
			const page = res.body.data.results.filter((/** @type {any} */ x) => Number(x.id) < lastId);
			list.push(...page);
			if (page.length < 100) break;
			lastId = Math.min(...page.map((/** @type {any} */ x) => Number(x.id)));
		}
		if ((list.length >= count && list.every(done)) || Date.now() > deadline)
			return list.filter(done);
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** Size of a file, -1 when it does not exist. @param {string} file */
function fileSize(file) {
	try {
		return statSync(file).size;
	} catch {
		return -1;
	}
}

/**
 * Read a binary back through n8n's REST API (what the editor's binary view does).
 * @param {string} url @param {string} cookie @param {string} id
 */
async function binaryBytes(url, cookie, id) {
	const res = await fetch(`${url}/rest/binary-data?id=${encodeURIComponent(id)}&action=download`, {
		headers: { cookie },
	});
	const body = Buffer.from(await res.arrayBuffer());
	return { status: res.status, bytes: body.length };
}

/**
 * One measurement: fresh user folder, the given tarball installed as a community package, the trigger
 * workflow activated, `n8n start` (filesystem binary mode), `callbacks` signed callbacks with `concurrency`
 * in flight, then every execution read back and classified.
 * @param {{ host: import('./host.mjs').N8nHost, emulator: import('../emulator/index.mjs').Emulator, tgz: string,
 *   variant: string, callbacks: number, concurrency: number, videoBytes: number, firstDownloadMs?: number,
 *   binaryMode?: 'filesystem' | 'database', getTask?: boolean, env?: Record<string, string>,
 *   keep?: boolean, log?: (line: string) => void }} o
 * @returns {Promise<Measurement>}
 */
export async function measureRace(o) {
	const { host, emulator } = o;
	const log = o.log ?? ((line) => process.stderr.write(`[binary-race] ${line}\n`));
	const userFolder = freshUserFolder(`kling-race-${host.version}-`);
	/** @type {Awaited<ReturnType<typeof startN8n>> | null} */
	let server = null;
	try {
		await installPackage(userFolder, o.tgz);
		const work = join(userFolder, 'race');
		mkdirSync(work, { recursive: true });
		writeFileSync(join(work, 'credentials.json'), JSON.stringify(credentials(emulator.url)));
		writeFileSync(join(work, 'workflow.json'), JSON.stringify(triggerWorkflow(o.getTask === true)));
		await n8nCliOk(host, userFolder, [
			'import:credentials',
			`--input=${join(work, 'credentials.json')}`,
		]);
		await n8nCliOk(host, userFolder, ['import:workflow', `--input=${join(work, 'workflow.json')}`]);
		await activateWorkflow(host, userFolder, WORKFLOW_ID);
		const binaryMode = o.binaryMode ?? 'filesystem';
		server = await startN8n({
			host,
			userFolder,
			env: { N8N_DEFAULT_BINARY_DATA_MODE: binaryMode, ...o.env },
		});
		const serverUrl = server.url;
		const { api, cookie } = await ownerSession(serverUrl);
		const path = `/webhook/${WEBHOOK_ID}/${TOKEN}`;
		// production webhooks are registered a moment after the REST API answers (an empty body → 400)
		for (let i = 0; ; i++) {
			const r = await fetch(`${server.url}${path}`, {
				method: 'POST',
				body: '',
				headers: { 'content-type': 'application/json' },
			});
			await r.text();
			if (r.status !== 404) break;
			if (i > 120) throw new Error(`the trigger's webhook is not registered: ${r.status}`);
			await new Promise((r2) => setTimeout(r2, 500));
		}

		const ids = await createTasks(emulator, o.callbacks, o.videoBytes, o.firstDownloadMs);
		const pool = new Pool(server.url, { connections: o.concurrency, pipelining: 1 });
		/** @type {Record<string, number>} */
		const codes = {};
		let accepted = 0;
		let next = 0;
		const started = performance.now();
		await Promise.all(
			Array.from({ length: o.concurrency }, async () => {
				while (next < ids.length) {
					const { body, headers } = signedCallback(emulator.url, ids[next++]);
					const r = await pool.request({ path, method: 'POST', body, headers });
					await r.body.text();
					codes[r.statusCode] = (codes[r.statusCode] ?? 0) + 1;
					if (r.statusCode >= 200 && r.statusCode < 300) accepted++;
				}
			}),
		);
		const seconds = (performance.now() - started) / 1000;
		await pool.close();

		const executions = await waitExecutions(api, accepted, 120_000);
		const flatted = createRequire(join(host.dir, 'node_modules', 'n8n', 'package.json'))('flatted');
		/** @type {Measurement} */
		const m = {
			variant: o.variant,
			version: host.version,
			binaryMode,
			callbacks: o.callbacks,
			concurrency: o.concurrency,
			videoBytes: o.videoBytes,
			firstDownloadMs: o.firstDownloadMs ?? 0,
			accepted,
			codes,
			executions: executions.length,
			ok: 0,
			downloadFailed: 0,
			fileGone: 0,
			danglingId: 0,
			keptVideoUrl: 0,
			executionErrors: 0,
			missing: 0,
			restoreWarnings: 0,
			restoreErrors: 0,
			seconds,
			date: new Date().toISOString(),
			samples: [],
		};
		/** @type {Record<string, number>} */
		const perKind = {};
		/** up to 3 examples per kind of outcome @param {string} kind @param {string} text */
		const sample = (kind, text) => {
			perKind[kind] = (perKind[kind] ?? 0) + 1;
			if (perKind[kind] <= 3) m.samples.push(text);
		};
		const seen = new Set();
		let nextExecution = 0;
		/** @param {any} x */
		const classify = async (x) => {
			const res = await api(`/rest/executions/${x.id}`);
			const raw = /** @type {any} */ (res.body).data?.data;
			const data = typeof raw === 'string' ? flatted.parse(raw) : raw;
			const item =
				data?.resultData?.runData?.[o.getTask ? GET_TASK_NODE : NODE_NAME]?.[0]?.data
					?.main?.[0]?.[0];
			if (item?.json?.taskId) seen.add(item.json.taskId);
			if (x.status !== 'success' || data?.resultData?.error || !item) {
				m.executionErrors++;
				sample(
					'error',
					`execution ${x.id} ${x.status}: ${data?.resultData?.error?.message ?? (item ? '' : 'no trigger item')}`,
				);
				return;
			}
			if (item.json?.error?.code === 'download_failed') {
				m.downloadFailed++;
				if (item.json.videoUrl) m.keptVideoUrl++;
				sample(
					'failed',
					`download_failed (videoUrl ${item.json.videoUrl ? 'kept' : 'MISSING'}): ${item.json.error.message}`,
				);
				return;
			}
			const id = String(item.binary?.data?.id ?? '');
			const filesystem = /^filesystem(-v2)?:/.test(id);
			// filesystem mode: the file on disk; other modes: what n8n serves for the saved id (the editor's binary view)
			const stored = filesystem
				? fileSize(binaryFilePath(userFolder, id))
				: id
					? (await binaryBytes(serverUrl, cookie, id)).bytes
					: -1;
			if (stored === o.videoBytes) {
				m.ok++;
				return;
			}
			const moved =
				filesystem &&
				id.includes('/temp/') &&
				existsSync(binaryFilePath(userFolder, id.replace('/temp/', `/${x.id}/`)));
			if (moved) m.danglingId++;
			else m.fileGone++;
			// how n8n reports it to a user: the editor's binary view for the saved id (404 when the file is gone)
			const served = id ? await binaryBytes(serverUrl, cookie, id) : { status: 0, bytes: 0 };
			if (item.json?.videoUrl) m.keptVideoUrl++;
			sample(
				moved ? 'moved' : 'gone',
				`lost after the trigger returned (${moved ? 'file moved to executions/<id>/, id still …/temp/…' : 'file deleted'}): execution ${x.id} status ${x.status}, binary id ${id || '(none)'}, GET /rest/binary-data → ${served.status} (${served.bytes} bytes), error.code ${item.json?.error?.code ?? '(none)'}, videoUrl ${item.json?.videoUrl ? 'kept' : 'MISSING'}`,
			);
		};
		await Promise.all(
			Array.from({ length: 6 }, async () => {
				while (nextExecution < executions.length) await classify(executions[nextExecution++]);
			}),
		);
		m.missing = Math.max(0, ids.filter((id) => !seen.has(id)).length - m.executionErrors);
		m.restoreWarnings = (
			server.logs().match(/Failed to restore binary data ID - No such file/g) ?? []
		).length;
		m.restoreErrors = (
			server.logs().match(/Failed to restore binary data ID - Unknown error/g) ?? []
		).length;
		const { samples, ...figures } = m;
		log(`${host.version} ${o.variant}: ${JSON.stringify(figures)}`);
		for (const s of samples) log(`  ${s}`);
		return m;
	} finally {
		await server?.stop();
		if (!o.keep) rmSync(userFolder, { recursive: true, force: true });
		else log(`kept ${userFolder}`);
	}
}

/**
 * The results file (markdown): one row per measurement.
 * @param {Measurement[]} rows @param {string} [note]
 */
export function raceReport(rows, note = '') {
	const pct = (/** @type {number} */ n, /** @type {number} */ d) =>
		`${((100 * n) / Math.max(1, d)).toFixed(1)} %`;
	const L = [
		'# n8n binary-store race under concurrent trigger callbacks',
		'',
		'Generated by `test/e2e/binary-race.e2e.test.mjs` (harness `test/e2e/binary-race.mjs`; rows of earlier runs with other versions or settings are kept, see `date` in binary-race.json): ' +
			'real `n8n start` (SQLite), package installed from `npm pack`; per run, signed WaveSpeed ' +
			'completion callbacks (body signed, re-fetch off, Download Video on) to one activated Kling Video Trigger workflow, ' +
			'MP4s served by test/emulator on 127.0.0.1, all on one 2-core machine.',
		'',
		'- **download in execute()**: the package as built — the trigger emits the item from `webhook()` and downloads the video in its `execute()`, inside the execution.',
		"- **before the fix: …**: earlier builds that downloaded in `webhook()`, with the store's ENOENT retry (as then built) and without it (a patched copy), and the former workaround (Download Video off → Get Task); **prototype** is the patched copy that first moved the download into `execute()`.",
		'- **download_failed**: the trigger emitted the item with `error.code: download_failed` (and `videoUrl`).',
		'- **after return: file deleted / moved**: the trigger returned the item with its binary, and n8n lost the file afterwards ' +
			"(deleted by another execution's `rm -r executions/temp`, or moved while the saved id still says `…/temp/…`); the item " +
			'has `videoUrl` but no `error`; n8n only logs "Failed to restore binary data ID".',
		'',
		'| n8n | binary mode | variant | callbacks × in flight, MP4 bytes | accepted | executions | ok | download_failed | after return: file deleted | after return: moved, id temp | execution errors | missing | loss | n8n log "Failed to restore binary data ID" (ENOENT / other) | send time (s) |',
		'|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const m of rows) {
		L.push(
			`| ${m.version} | ${m.binaryMode} | ${m.variant} | ${m.callbacks} × ${m.concurrency}, ${m.videoBytes}${m.firstDownloadMs ? `, first download ${m.firstDownloadMs} ms` : ''} | ${m.accepted} | ${m.executions} | ${m.ok} | ${m.downloadFailed} | ${m.fileGone} | ${m.danglingId} | ${m.executionErrors} | ${m.missing} | **${lossOf(m)}** (${pct(lossOf(m), m.callbacks)}) | ${m.restoreWarnings} / ${m.restoreErrors} | ${m.seconds.toFixed(1)} |`,
		);
	}
	if (note) L.push('', note);
	L.push('', '## Samples (up to 3 per kind of outcome)', '');
	for (const m of rows)
		for (const s of m.samples) L.push(`- ${m.version} ${m.variant}: \`${s.replace(/`/g, "'")}\``);
	L.push('');
	return L.join('\n');
}
