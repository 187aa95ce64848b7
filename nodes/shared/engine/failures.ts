import type { TaskSnapshot } from '../providers/types';
import { ExecutionCancelledError, InputError, ProviderError } from '../util/errors';
import { SubmitRefusedError } from './refusals';
import { WaitTimeoutError } from './wait';

/**
 * What went wrong, as `{code, message}` (DESIGN.md, second edition): the message names the task ID
 * when there is one and says how to get the task without paying again.
 */
export function describeFailure(
	error: unknown,
	taskId: string | null,
	snapshot?: TaskSnapshot | null,
): { code: string; message: string } {
	const task = taskId ? `Task ${taskId}` : 'Submit failed';
	const recover = taskId
		? ` The task was not resubmitted; use Get Task with task ID ${taskId} to fetch it later instead of paying again.`
		: '';
	if (error instanceof ExecutionCancelledError) {
		return {
			code: 'stopped',
			message: taskId
				? `${task}: the execution was stopped; the task was left running at the provider.${recover}`
				: 'The execution was stopped before this item was submitted: nothing was paid.',
		};
	}
	if (error instanceof WaitTimeoutError) {
		return {
			code: 'wait_timeout',
			message: `${task} is ${error.message}; it may still finish at the provider.${recover}`,
		};
	}
	if (error instanceof SubmitRefusedError) return { code: error.kind, message: error.message };
	if (error instanceof InputError) {
		return {
			code: 'invalid_input',
			message: `${error.message}. Nothing was sent to the provider.`,
		};
	}
	if (error instanceof ProviderError) {
		const url = snapshot?.videoUrls[0] ? ` Video URL: ${snapshot.videoUrls[0]}.` : '';
		if (snapshot?.status === 'succeeded') {
			return {
				code: 'download_failed',
				message: `${task} succeeded but its video could not be downloaded: ${error.message}. ${error.advice}${url}${recover}`,
			};
		}
		const code =
			error.kind === 'ambiguousSubmit' ? 'ambiguous_submit' : (error.providerCode ?? error.kind);
		return { code, message: `${task}: ${error.message}. ${error.advice}${url}${recover}` };
	}
	return {
		code: 'error',
		message: `${task}: ${error instanceof Error ? error.message : String(error)}${recover}`,
	};
}
