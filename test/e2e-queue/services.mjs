// @ts-check
/**
 * Redis and PostgreSQL for the queue-mode end-to-end tests, from Debian's packages (`redis-server`,
 * `postgresql`; `.ci/run` installs them), daemonless, bound to 127.0.0.1 on free ports, data in
 * temporary directories, each stopped by its PID.
 *
 * PostgreSQL refuses to run as root: when this process is root, initdb and postgres are spawned with the
 * uid/gid of the `postgres` user (the data dir is chowned to it). Authentication is `trust` on loopback.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
	chownSync,
	chmodSync,
	createWriteStream,
	existsSync,
	mkdtempSync,
	readdirSync,
	rmSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, tail } from '../e2e/host.mjs';

/** The newest PostgreSQL server binaries under /usr/lib/postgresql/<major>/bin (or PG_BIN). */
export function postgresBin() {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root)
		? readdirSync(root)
				.filter((d) => existsSync(join(root, d, 'bin', 'postgres')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!majors.length)
		throw new Error(
			'PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)',
		);
	return join(root, majors[0], 'bin');
}

/** @param {string} name */
function which(name) {
	const res = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
	return res.status === 0 ? res.stdout.trim() : null;
}

/** uid/gid of the postgres user when running as root, else {} (run as ourselves). */
function pgIds() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
	const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
	const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
	if (!uid)
		throw new Error('running as root but there is no `postgres` user (apt-get install postgresql)');
	return { uid, gid };
}

/** @param {number} pid @param {NodeJS.Signals | 0} sig */
function signal(pid, sig) {
	try {
		process.kill(pid, sig);
		return true;
	} catch {
		return false;
	}
}

/** @param {number} pid */
function alive(pid) {
	return signal(pid, 0);
}

/** @param {number} pid @param {NodeJS.Signals} first @param {number} graceMs */
async function stopPid(pid, first, graceMs) {
	if (!alive(pid)) return;
	signal(pid, first);
	const deadline = Date.now() + graceMs;
	while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
	if (alive(pid)) signal(pid, 'SIGKILL');
	for (let i = 0; i < 30 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * @param {string} cmd @param {string[]} args @param {{ uid?: number, gid?: number, logFile: string }} opts
 */
function spawnDaemonless(cmd, args, opts) {
	const child = spawn(cmd, args, {
		stdio: ['ignore', 'pipe', 'pipe'],
		uid: opts.uid,
		gid: opts.gid,
		cwd: '/',
	});
	const file = createWriteStream(opts.logFile, { flags: 'a' });
	let output = '';
	const onData = (/** @type {Buffer} */ d) => {
		output = (output + d).slice(-50_000);
		file.write(d);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = false;
	child.on('exit', () => {
		exited = true;
		file.end();
	});
	return {
		child,
		pid: /** @type {number} */ (child.pid),
		output: () => output,
		exited: () => exited,
	};
}

/** PING a Redis server. @param {number} port */
function redisPing(port) {
	return new Promise((resolve) => {
		const sock = net.connect(port, '127.0.0.1');
		let buf = '';
		sock.setTimeout(1000, () => {
			sock.destroy();
			resolve(false);
		});
		sock.on('error', () => resolve(false));
		sock.on('connect', () => sock.write('PING\r\n'));
		sock.on('data', (d) => {
			buf += d;
			if (buf.includes('\r\n')) {
				sock.end();
				resolve(buf.startsWith('+PONG'));
			}
		});
	});
}

/**
 * Start `redis-server` (no persistence) on 127.0.0.1 and a free port.
 * @param {{ dir: string }} opts dir: where its log goes
 * @returns {Promise<{ host: string, port: number, pid: number, stop: () => Promise<void> }>}
 */
export async function startRedis({ dir }) {
	const bin = which('redis-server');
	if (!bin) throw new Error('redis-server not found (apt-get install redis-server)');
	const port = await freePort();
	const proc = spawnDaemonless(
		bin,
		[
			'--bind',
			'127.0.0.1',
			'--port',
			String(port),
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{ logFile: join(dir, 'redis.log') },
	);
	const stop = () => stopPid(proc.pid, 'SIGTERM', 5000);
	const deadline = Date.now() + 20_000;
	while (!(await redisPing(port))) {
		if (proc.exited() || Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server did not start:\n${tail(proc.output())}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return { host: '127.0.0.1', port, pid: proc.pid, stop };
}

/**
 * initdb a fresh cluster in a temp dir and start `postgres` on 127.0.0.1 and a free port
 * (fsync off: throw-away data).
 * @param {{ dir: string }} opts dir: parent for the data dir and the log
 * @returns {Promise<{ host: string, port: number, user: string, database: string, pid: number,
 *   psql: (sql: string) => string, stop: () => Promise<void> }>}
 */
export async function startPostgres({ dir }) {
	const bin = postgresBin();
	const ids = pgIds();
	const base = mkdtempSync(join(tmpdir(), 'kling-queue-pg-'));
	chmodSync(base, 0o755);
	const data = join(base, 'data');
	const sockets = base;
	if (ids.uid !== undefined) chownSync(base, ids.uid, /** @type {number} */ (ids.gid));
	const init = spawnSync(
		join(bin, 'initdb'),
		['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C.UTF-8'],
		{ encoding: 'utf8', uid: ids.uid, gid: ids.gid, cwd: '/' },
	);
	if (init.status !== 0) {
		rmSync(base, { recursive: true, force: true });
		throw new Error(`initdb failed (rc ${init.status}):\n${tail(init.stdout + init.stderr)}`);
	}
	const port = await freePort();
	const proc = spawnDaemonless(
		join(bin, 'postgres'),
		[
			'-D',
			data,
			'-k',
			sockets,
			'-h',
			'127.0.0.1',
			'-p',
			String(port),
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		],
		{ ...ids, logFile: join(dir, 'postgres.log') },
	);
	const stop = async () => {
		// SIGINT = fast shutdown
		await stopPid(proc.pid, 'SIGINT', 15_000);
		rmSync(base, { recursive: true, force: true });
	};
	const psqlBin = join(bin, 'psql');
	/** @param {string} sql */
	const psql = (sql) => {
		const res = spawnSync(
			psqlBin,
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres',
				'-d',
				'postgres',
				'-At',
				'-F',
				'\t',
				'-c',
				sql,
			],
			{ encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
		);
		if (res.status !== 0) throw new Error(`psql failed: ${res.stderr}`);
		return res.stdout;
	};
	const deadline = Date.now() + 30_000;
	while (true) {
		const ready = spawnSync(join(bin, 'pg_isready'), [
			'-h',
			'127.0.0.1',
			'-p',
			String(port),
			'-U',
			'postgres',
		]);
		if (ready.status === 0) break;
		if (proc.exited() || Date.now() > deadline) {
			await stop();
			throw new Error(`postgres did not start:\n${tail(proc.output())}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		database: 'postgres',
		pid: proc.pid,
		psql,
		stop,
	};
}
