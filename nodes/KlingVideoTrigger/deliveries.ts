import type { IDataObject } from 'n8n-workflow';

const KEEP_DELIVERIES = 1000;
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Remember a `taskId:status` delivery in the node's static data (kept by n8n in its database, so it
 * works across executions, queue-mode workers and webhook processes). Returns false for a repeat.
 * Best effort: two identical deliveries arriving at the same moment may both pass.
 */
export function rememberDelivery(staticData: IDataObject, key: string, now = Date.now()): boolean {
	const seen = (staticData.deliveries ?? {}) as Record<string, number>;
	if (seen[key] !== undefined && now - seen[key] < KEEP_MS) return false;
	seen[key] = now;
	const keys = Object.keys(seen).filter((entry) => now - seen[entry] < KEEP_MS);
	const kept = keys.sort((a, b) => seen[b] - seen[a]).slice(0, KEEP_DELIVERIES);
	staticData.deliveries = Object.fromEntries(kept.map((entry) => [entry, seen[entry]]));
	return true;
}

/** Drop a remembered delivery again (its claim turned out wrong), so the genuine one is emitted. */
export function forgetDelivery(staticData: IDataObject, key: string): void {
	const seen = { ...((staticData.deliveries ?? {}) as Record<string, number>) };
	if (seen[key] === undefined) return;
	delete seen[key];
	staticData.deliveries = seen;
}
