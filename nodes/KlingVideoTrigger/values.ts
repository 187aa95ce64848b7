import type { IDataObject } from 'n8n-workflow';
import { CATALOG } from '../shared/catalog';
import { GENERATION_MODES, type GenerationMode, type ProviderId } from '../shared/catalog/types';
import { CALLBACK_MODEL_PARAM, CALLBACK_MODE_PARAM } from '../shared/engine/input';

/*
 * The values of a callback that the trigger puts into requests (the re-read of the task): its task
 * ID, and the model and mode from the callback URL's query (or the body). Anyone holding the URL
 * can send any of them, so each is checked before it reaches a request path; the adapters encode
 * path segments on top.
 */

const TASK_ID = /^[A-Za-z0-9._:-]+$/;
const MODEL_ID = /^[A-Za-z0-9._/-]+$/;

/** Why a callback's task ID is refused, or null. */
export function taskIdProblem(taskId: string): string | null {
	if (TASK_ID.test(taskId) && taskId !== '.' && taskId !== '..') return null;
	return `The callback's task ID ${shown(taskId)} is not accepted: a task ID is made of letters, digits, ".", "_", ":" and "-", and is not "." or ".."`;
}

/**
 * Why a model id is refused, or null: a catalog model of this provider, or a Custom Model ID made of
 * letters, digits, ".", "_", "-" and "/" whose "/"-separated segments are neither empty, "." nor "..".
 */
export function modelProblem(provider: ProviderId, model: string, source: string): string | null {
	if (CATALOG[provider].entries.some((entry) => entry.id === model)) return null;
	const segments = model.split('/');
	const segmentsOk = segments.every((part) => part !== '' && part !== '.' && part !== '..');
	if (MODEL_ID.test(model) && segmentsOk) return null;
	return `The callback's model ${shown(model)} (${source}) is not accepted: a model ID is made of letters, digits, ".", "_", "-" and "/", with no empty, "." or ".." segment`;
}

/** The generation mode from the callback URL (text-to-video when it has none), or why it is refused. */
export function callbackMode(
	query: IDataObject,
): { mode: GenerationMode; problem: null } | { mode: null; problem: string } {
	const value = query[CALLBACK_MODE_PARAM];
	if (value === undefined) return { mode: 'text-to-video', problem: null };
	const known = GENERATION_MODES.find((mode) => mode === value);
	if (known) return { mode: known, problem: null };
	return {
		mode: null,
		problem: `The callback's mode ${shown(value)} (query parameter ${CALLBACK_MODE_PARAM}) is not one of ${GENERATION_MODES.join(', ')}`,
	};
}

/** Where the model came from, for the refusal sentence. */
export const MODEL_FROM_QUERY = `query parameter ${CALLBACK_MODEL_PARAM}`;

/** A value quoted for a refusal sentence, cut short. */
function shown(value: unknown): string {
	const text = typeof value === 'string' ? value : String(JSON.stringify(value));
	return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
