// @ts-check
/**
 * An n8n queue-mode cluster on loopback for the queue-mode end-to-end tests: Redis + PostgreSQL
 * (services.mjs), one main (`n8n start`), N workers (`n8n worker --concurrency=…`) and one webhook process
 * (`n8n webhook`). Every n8n process gets its OWN user folder (a copy of the installed community package,
 * nothing else shared: no shared filesystem, as on separate machines); they share only PostgreSQL, Redis
 * and N8N_ENCRYPTION_KEY. Binary data mode is left to n8n's queue-mode default (`database`).
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
	freePort,
	freshUserFolder,
	installPackage,
	n8nCliOk,
	ownerSession,
	startN8n,
} from '../e2e/host.mjs';
import { startPostgres, startRedis } from './services.mjs';

export const ENCRYPTION_KEY = 'kling-queue-e2e-encryption-key-0001';

/**
 * @typedef {Awaited<ReturnType<typeof startN8n>> & { name: string, userFolder: string, restart?: () => Promise<any> }} N8nProcess
 */

/**
 * @param {{ host: import('../e2e/host.mjs').N8nHost, tgz: string, workDir: string, workers?: number,
 *   workerConcurrency?: number, env?: Record<string, string>, workerEnv?: Record<string, string>,
 *   mainEnv?: Record<string, string>, beforeStart?: (cli: (args: string[]) => Promise<any>, info: { webhookUrl: string }) => Promise<void> }} opts
 */
export async function startCluster(opts) {
	const { host, tgz, workDir } = opts;
	mkdirSync(workDir, { recursive: true });
	/** @type {(() => Promise<void>)[]} */
	const stops = [];
	/** @type {N8nProcess[]} */
	const processes = [];
	/** @type {string[]} */
	const folders = [];
	const keep = process.env.N8N_E2E_KEEP === '1';
	const stopAll = async () => {
		for (const p of processes.reverse()) await p.stop().catch(() => undefined);
		for (const s of stops.reverse()) await s().catch(() => undefined);
		if (!keep) for (const f of folders) rmSync(f, { recursive: true, force: true });
	};
	try {
		const redis = await startRedis({ dir: workDir });
		stops.push(redis.stop);
		const pg = await startPostgres({ dir: workDir });
		stops.push(pg.stop);
		/** @type {Record<string, string>} */
		const env = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: pg.host,
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: pg.database,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			// n8n 2.x warns and will require it; harmless here
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			...opts.env,
		};
		// leave N8N_DEFAULT_BINARY_DATA_MODE unset: queue mode picks its own default (database in 2.x)
		const omitEnv = ['N8N_DEFAULT_BINARY_DATA_MODE', 'DB_SQLITE_POOL_SIZE'];

		const mainFolder = freshUserFolder('kling-queue-main-');
		folders.push(mainFolder);
		await installPackage(mainFolder, tgz);
		const nodesDir = join(mainFolder, '.n8n', 'nodes');
		const folderFor = (/** @type {string} */ name) => {
			const f = freshUserFolder(`kling-queue-${name}-`);
			folders.push(f);
			cpSync(nodesDir, join(f, '.n8n', 'nodes'), { recursive: true });
			return f;
		};
		const cli = (/** @type {string[]} */ args) =>
			n8nCliOk(host, mainFolder, args, { env: { ...env, EXECUTIONS_MODE: 'regular' } });
		const webhookPort = await freePort();
		const webhookUrl = `http://127.0.0.1:${webhookPort}`;
		await opts.beforeStart?.(cli, { webhookUrl });
		const shared = { ...env, WEBHOOK_URL: `${webhookUrl}/` };

		const mainProc = await startN8n({
			host,
			userFolder: mainFolder,
			env: {
				...shared,
				// production webhooks are served by the webhook process only
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
				...opts.mainEnv,
			},
			omitEnv,
			logFile: join(workDir, 'main.log'),
			healthTimeoutMs: 240_000,
		});
		const main = /** @type {N8nProcess} */ ({ ...mainProc, name: 'main', userFolder: mainFolder });
		processes.push(main);

		/** @param {string} name @param {number} [port] */
		const startWebhook = async (name, port = webhookPort) => {
			const userFolder = folderFor(name);
			const p = await startN8n({
				host,
				userFolder,
				port,
				command: 'webhook',
				env: shared,
				omitEnv,
				logFile: join(workDir, `${name}.log`),
				healthTimeoutMs: 240_000,
			});
			return /** @type {N8nProcess} */ ({ ...p, name, userFolder });
		};
		/** @param {string} name */
		const startWorker = async (name) => {
			const userFolder = folderFor(name);
			const p = await startN8n({
				host,
				userFolder,
				command: 'worker',
				args: [`--concurrency=${opts.workerConcurrency ?? 2}`],
				env: { ...shared, ...opts.workerEnv },
				omitEnv,
				logFile: join(workDir, `${name}.log`),
				healthTimeoutMs: 240_000,
			});
			return /** @type {N8nProcess} */ ({ ...p, name, userFolder });
		};

		const started = await Promise.all([
			startWebhook('webhook'),
			...Array.from({ length: opts.workers ?? 2 }, (_, i) => startWorker(`worker-${i + 1}`)),
		]);
		processes.push(...started);
		const webhook = started[0];
		const workers = started.slice(1);
		const session = await ownerSession(main.url);
		const flatted = createRequire(join(host.dir, 'node_modules', 'n8n', 'package.json'))('flatted');

		return {
			redis,
			pg,
			main,
			webhook,
			workers,
			session,
			webhookUrl,
			/** Stop the webhook process and start a fresh one (new user folder) on the same port. */
			async restartWebhook() {
				const old = processes.find((p) => p.name.startsWith('webhook'));
				if (old) {
					await old.stop();
					processes.splice(processes.indexOf(old), 1);
				}
				const fresh = await startWebhook(`webhook-${Date.now()}`);
				processes.push(fresh);
				return fresh;
			},
			/** @param {string} id execution data (flatted → object) */
			async execution(id) {
				const res = await session.api(`/rest/executions/${id}`);
				const body = /** @type {any} */ (res.body).data;
				return {
					status: body?.status,
					startedAt: body?.startedAt,
					stoppedAt: body?.stoppedAt,
					data: typeof body?.data === 'string' ? flatted.parse(body.data) : body?.data,
				};
			},
			/** @param {string} workflowId executions, newest first */
			async executionsOf(workflowId) {
				const res = await session.api(
					`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=200`,
				);
				const body = /** @type {any} */ (res.body);
				return /** @type {any[]} */ (body.data?.results ?? body.data ?? []);
			},
			/** A binary's bytes through the main process's REST API (it was written by a worker). @param {string} id */
			async binary(id) {
				const res = await fetch(
					`${main.url}/rest/binary-data?id=${encodeURIComponent(id)}&action=download`,
					{ headers: { cookie: session.cookie } },
				);
				if (!res.ok) throw new Error(`binary ${id}: HTTP ${res.status} ${await res.text()}`);
				return Buffer.from(await res.arrayBuffer());
			},
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** Which worker's log says it started execution `id`. @param {N8nProcess[]} workers @param {string} id */
export function workerOf(workers, id) {
	const re = new RegExp(`Worker started execution ${id} \\(job`);
	return workers.filter((w) => re.test(w.logs())).map((w) => w.name);
}

/** `Kling Video: item N submitted to <provider> as task <id>` lines in a log. @param {string} text */
export function submittedTasks(text) {
	return [...text.matchAll(/Kling Video: item (\d+) submitted to (.+?) as task (\S+)/g)].map(
		(m) => ({
			item: Number(m[1]),
			provider: m[2],
			taskId: m[3],
		}),
	);
}
