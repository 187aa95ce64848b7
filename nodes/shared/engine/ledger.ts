import type { IExecuteFunctions } from 'n8n-workflow';
import type { TaskRef } from '../providers/types';

/**
 * n8n keeps at most 10 custom-data keys per execution (512 characters each) and silently drops
 * the rest: a node takes at most 4 + 1, leaving room for the workflow's own keys.
 */
const CUSTOM_DATA_KEYS = 4;
const CUSTOM_DATA_VALUE_LENGTH = 512;
/** Ledgers of executions that never came back (crashed) are dropped after this long. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * The tasks one run of a Kling Video node created, so that nothing is paid twice and nothing is lost:
 * - n8n's "Retry On Fail" runs the node again inside the same execution; the retry finds the tasks
 *   the earlier tries created and picks them up instead of submitting (and paying) again;
 * - every task ID is written when its submit answers: to the log, and to the execution's custom data
 *   (visible in the editor's execution list and on n8n Cloud, within n8n's 10 keys × 512 characters),
 *   so a stopped or crashed execution still shows what it paid for.
 * Kept in this process only for the execution's own tries (n8n retries in the same process) and
 * dropped when the run succeeds or its last try ends.
 */
export class TaskLedger {
	private readonly created = new Map<number, TaskRef>();
	private tries = 0;
	private readonly openedAt = Date.now();
	private customData: string[] = [];
	private customDataOf: { ctx: IExecuteFunctions; api: CustomData | undefined } | null = null;

	private constructor(
		private readonly key: string,
		private readonly maxTries: number,
		private readonly nodeLabel: string,
	) {}

	/** The ledger of this execution, node and run (the same object on every try of a Retry On Fail). */
	static open(ctx: IExecuteFunctions): TaskLedger {
		const node = ctx.getNode();
		const runIndex = ctx.getWorkflowDataProxy(0).$runIndex;
		const key = `${ctx.getExecutionId()}:${node.id}:${runIndex}`;
		const now = Date.now();
		for (const [other, ledger] of LEDGERS) {
			if (now - ledger.openedAt > KEEP_MS) LEDGERS.delete(other);
		}
		// n8n tries a node 2–5 times (default 3) when Retry On Fail is on, else once.
		const maxTries = node.retryOnFail ? Math.min(5, Math.max(2, node.maxTries || 3)) : 1;
		let ledger = LEDGERS.get(key);
		if (!ledger) {
			ledger = new TaskLedger(key, maxTries, customDataLabel(node.name));
			LEDGERS.set(key, ledger);
		}
		ledger.tries++;
		return ledger;
	}

	/** The task an earlier try created for this item, if any. */
	createdFor(itemIndex: number): TaskRef | undefined {
		return this.created.get(itemIndex);
	}

	get isRetry(): boolean {
		return this.tries > 1;
	}

	/** Record a task as soon as its submit answered: log line and custom data. */
	record(ctx: IExecuteFunctions, itemIndex: number, task: TaskRef, providerName: string): void {
		this.created.set(itemIndex, task);
		ctx.logger.info(
			`Kling Video: item ${itemIndex + 1} submitted to ${providerName} as task ${task.taskId}`,
		);
		this.writeCustomData(ctx, `${itemIndex + 1}=${task.taskId}`);
	}

	/** The run ended: keep the ledger only while another try of Retry On Fail may come. */
	close(succeeded: boolean): void {
		if (succeeded || this.tries >= this.maxTries) LEDGERS.delete(this.key);
	}

	/** `kling_<node>_tasks_<n>` = "1=taskA 2=taskB …", and `kling_<node>_task_count`. */
	private writeCustomData(ctx: IExecuteFunctions, entry: string): void {
		// The same object the Execution Data node writes to: `$execution.customData` (looked up once per
		// try: a data proxy per task is costly in a batch of a thousand).
		if (this.customDataOf?.ctx !== ctx) {
			const execution = ctx.getWorkflowDataProxy(0).$execution as { customData?: CustomData };
			this.customDataOf = { ctx, api: execution?.customData };
		}
		const customData = this.customDataOf.api;
		if (!customData) return;
		const last = this.customData.length - 1;
		if (last >= 0 && this.customData[last].length + entry.length + 1 <= CUSTOM_DATA_VALUE_LENGTH) {
			this.customData[last] += ` ${entry}`;
		} else if (this.customData.length < CUSTOM_DATA_KEYS) {
			this.customData.push(entry);
		} else {
			return; // n8n's limit reached: the ID is in the log and in the node's output or error
		}
		try {
			const index = this.customData.length - 1;
			customData.set(`kling_${this.nodeLabel}_tasks_${index + 1}`, this.customData[index]);
			customData.set(`kling_${this.nodeLabel}_task_count`, String(this.created.size));
		} catch {
			// custom data is a convenience; the log line and the output carry the ID anyway
		}
	}
}

/** n8n accepts keys of ASCII letters, digits and underscores only (and throws on others). */
function customDataLabel(nodeName: string): string {
	return (nodeName.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'node').slice(0, 24);
}

const LEDGERS = new Map<string, TaskLedger>();

type CustomData = { set(key: string, value: string): void };
