import type { IDataObject } from 'n8n-workflow';
import type { ModelEntry } from '../catalog/types';
import type { TaskRef, TaskSnapshot } from '../providers/types';
import type { PollPlanner } from './schedule';
import { settle } from '../util/settle';
import { pause, readTaskStatus, type ProviderEndpoint, type RequestContext } from './transport';

/** The task is still queued or processing at Max Wait; it may still finish at the provider. */
export class WaitTimeoutError extends Error {
	constructor(
		readonly lastStatus: TaskSnapshot['status'] | null,
		readonly maxWaitSeconds: number,
	) {
		super(`still ${lastStatus ?? 'queued'} after ${maxWaitSeconds} s (Max Wait)`);
		this.name = 'WaitTimeoutError';
	}
}

/** The last status read of a task, kept so a later failure can still report it. */
export interface LastSeen {
	snapshot: TaskSnapshot | null;
	raw: unknown;
	reads: number;
}

export interface WaitSettings {
	signal?: AbortSignal;
	/** When the task was submitted (epoch ms); Max Wait counts from here. */
	startedAt: number;
	maxWaitSeconds: number;
	/** The task's catalog entry and duration, for the first check; null for a task of another run. */
	entry: ModelEntry | null;
	duration: number | null;
	planner: PollPlanner;
	logger?: { warn(message: string, meta?: IDataObject): void };
	/** Called on the first read and whenever the task's status changes (ms since the submit). */
	onStatus?: (status: TaskSnapshot['status'], elapsedMs: number) => void;
}

/**
 * Poll until the task ends. Max Wait is a hard bound: no sleep — poll interval, backoff, a provider's
 * Retry-After — runs past it. Status reads are free, so 429/5xx/resets/timeouts are retried with
 * capped backoff until Max Wait: an outage shorter than that does not fail a paid task.
 */
export async function waitUntilDone(
	ctx: RequestContext,
	endpoint: ProviderEndpoint,
	ref: TaskRef,
	settings: WaitSettings,
	seen: LastSeen,
): Promise<TaskSnapshot> {
	const { signal, planner } = settings;
	const deadline = settings.startedAt + settings.maxWaitSeconds * 1000;
	let nextCheck = Math.min(
		settings.startedAt + planner.firstCheckMs(settings.entry, settings.duration),
		deadline,
	);
	let runningAt: number | null = null;
	let lastStatus: TaskSnapshot['status'] | null = null;
	for (;;) {
		await pause(nextCheck - Date.now(), signal);
		const result = await settle(
			async () => await readTaskStatus(ctx, endpoint, ref, signal, { deadline }),
		);
		if (!result.ok) {
			// Transient failures lasted until Max Wait: the task may well still be running.
			if (Date.now() >= deadline && isTransient(result.error)) {
				throw new WaitTimeoutError(seen.snapshot?.status ?? null, settings.maxWaitSeconds);
			}
			throw result.error;
		}
		const read = result.value;
		seen.reads++;
		seen.snapshot = read.snapshot;
		seen.raw = read.answer.body;
		const elapsed = Date.now() - settings.startedAt;
		if (read.snapshot.status !== lastStatus) settings.onStatus?.(read.snapshot.status, elapsed);
		lastStatus = read.snapshot.status;
		if (read.snapshot.unrecognizedStatus) {
			settings.logger?.warn(
				`Kling Video: task ${ref.taskId} reported the unknown status "${read.snapshot.unrecognizedStatus}"; treated as still running`,
			);
		}
		if (read.snapshot.status === 'succeeded' || read.snapshot.status === 'failed') {
			planner.observe(settings.entry, settings.duration, elapsed, runningAt);
			return read.snapshot;
		}
		runningAt = elapsed;
		if (Date.now() >= deadline) {
			throw new WaitTimeoutError(read.snapshot.status, settings.maxWaitSeconds);
		}
		// One poll interval after the previous planned read, not after its answer: a slow answer (a busy
		// provider, or n8n busy with hundreds of items) does not push every later read back. Never sooner
		// than half an interval from now, so a read that took long is not followed by a burst.
		const interval = planner.nextCheckMs();
		nextCheck = Math.min(Math.max(nextCheck + interval, Date.now() + interval / 2), deadline);
	}
}

/** A failure that says nothing about the task; an unreachable host is reported as such. */
function isTransient(error: unknown): boolean {
	if ((error as { beforeSend?: boolean } | null)?.beforeSend) return false;
	const kind = (error as { kind?: string } | null)?.kind;
	return kind === 'rateLimit' || kind === 'server' || kind === 'unavailable' || kind === 'network';
}
