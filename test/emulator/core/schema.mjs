// @ts-check
/**
 * A small, strict field checker shared by the provider modules for the Kling 2.6 / 3.0 / 4.0 / Omni / Turbo family
 * (KLING-MODELS.md). It knows nothing about any provider: each module describes its models' fields in a table and
 * turns the issues into its own documented error shape (WaveSpeed `{code,message}`, fal pydantic `detail[]`,
 * Replicate `invalid_fields[]`, …). Issues come out in field order, unknown fields first.
 *
 * Types:
 *  - string, integer, number, boolean, array, object: JSON types (integer = a JSON number without fraction).
 *  - url: an http(s) URL (or a `data:` URI when the field allows it).
 *  - intString: a STRING holding an integer ("5"); `enum`/`min`/`max` apply to its value.
 *  - intOrString: an integer OR an integer string (used only where a provider's docs show both forms).
 *  - boolOrString: true/false OR "true"/"false" (Rivya's string-typed params).
 */
import { isPlainObject } from './util.mjs';

/**
 * @typedef {'string'|'integer'|'number'|'boolean'|'array'|'object'|'url'|'intString'|'intOrString'|'boolOrString'|'any'} FieldType
 * @typedef {{ type: FieldType, required?: boolean, enum?: readonly (string | number | boolean)[], min?: number, max?: number,
 *   maxLength?: number, nonEmpty?: boolean, minItems?: number, maxItems?: number, items?: FieldSpec,
 *   fields?: Record<string, FieldSpec>, allowData?: boolean, allowEmpty?: boolean }} FieldSpec
 * @typedef {{ field: string, kind: 'extra'|'missing'|'type'|'enum'|'range'|'length'|'rule', message: string,
 *   expected?: string, value?: unknown }} Issue
 */

/** @param {unknown} v */
export const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** @param {unknown} v @param {boolean} [allowData] */
export function isUrl(v, allowData = false) {
	if (typeof v !== 'string' || !v) return false;
	if (allowData && /^data:[^,]*,/i.test(v)) return true;
	try {
		const u = new URL(v);
		return u.protocol === 'http:' || u.protocol === 'https:';
	} catch {
		return false;
	}
}

/** @param {unknown} v */
const isIntString = (v) => typeof v === 'string' && /^-?\d+$/.test(v);

/**
 * The numeric value of an integer-ish field (for the intString / intOrString / integer types).
 * @param {unknown} v @returns {number | undefined}
 */
export function intValue(v) {
	if (Number.isInteger(v)) return /** @type {number} */ (v);
	if (isIntString(v)) return Number(v);
	return undefined;
}

/** @param {unknown} v @returns {boolean | undefined} */
export function boolValue(v) {
	if (v === true || v === 'true') return true;
	if (v === false || v === 'false') return false;
	return undefined;
}

/** @param {readonly unknown[]} values */
const list = (values) => values.map((x) => JSON.stringify(x)).join(', ');

/**
 * Check one value against its spec. @param {unknown} v @param {FieldSpec} spec @param {string} name @param {Issue[]} out
 */
export function checkValue(v, spec, name, out) {
	if (v === undefined || (v === null && spec.type !== 'any')) {
		if (spec.required) out.push({ field: name, kind: 'missing', message: `${name} is required` });
		return;
	}
	const typeIssue = (/** @type {string} */ expected) =>
		out.push({ field: name, kind: 'type', expected, value: v, message: `${name} must be ${expected} (got ${typeName(v)}${typeof v === 'string' ? ` ${JSON.stringify(v.slice(0, 40))}` : ''})` });
	/** @type {number | string | boolean | undefined} */
	let comparable;
	switch (spec.type) {
		case 'any':
			return;
		case 'string':
			if (typeof v !== 'string') return void typeIssue('a string');
			if (spec.nonEmpty && v.trim() === '') return void out.push({ field: name, kind: 'missing', message: `${name} must not be empty` });
			if (spec.maxLength !== undefined && v.length > spec.maxLength) {
				return void out.push({ field: name, kind: 'length', message: `${name} must be at most ${spec.maxLength} characters (got ${v.length})` });
			}
			comparable = v;
			break;
		case 'url':
			if (v === '' && spec.allowEmpty) return;
			if (!isUrl(v, spec.allowData)) return void typeIssue(spec.allowData ? 'an http(s) URL or a data: URI' : 'an http(s) URL');
			return;
		case 'boolean':
			if (typeof v !== 'boolean') return void typeIssue('a boolean');
			comparable = v;
			break;
		case 'boolOrString':
			if (boolValue(v) === undefined) return void typeIssue('true/false or "true"/"false"');
			comparable = /** @type {boolean} */ (boolValue(v));
			break;
		case 'number':
			if (typeof v !== 'number' || !Number.isFinite(v)) return void typeIssue('a number');
			comparable = v;
			break;
		case 'integer':
			if (!Number.isInteger(v)) return void typeIssue('an integer');
			comparable = /** @type {number} */ (v);
			break;
		case 'intString':
			if (!isIntString(v)) return void typeIssue(`a string${spec.enum ? ` (one of ${list(spec.enum)})` : ' holding an integer'}`);
			comparable = Number(v);
			break;
		case 'intOrString':
			if (intValue(v) === undefined) return void typeIssue('an integer or an integer string');
			comparable = intValue(v);
			break;
		case 'array': {
			if (!Array.isArray(v)) return void typeIssue('an array');
			if (spec.minItems !== undefined && v.length < spec.minItems) {
				return void out.push({ field: name, kind: 'length', message: `${name} must have at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'} (got ${v.length})` });
			}
			if (spec.maxItems !== undefined && v.length > spec.maxItems) {
				return void out.push({ field: name, kind: 'length', message: `${name} accepts at most ${spec.maxItems} item${spec.maxItems === 1 ? '' : 's'} (got ${v.length})` });
			}
			if (spec.items) v.forEach((item, i) => checkValue(item, /** @type {FieldSpec} */ (spec.items), `${name}[${i}]`, out));
			return;
		}
		case 'object':
			if (!isPlainObject(v)) return void typeIssue('an object');
			if (spec.fields) checkObject(v, spec.fields, `${name}.`, out);
			return;
		default:
			return;
	}
	if (spec.enum) {
		const values = spec.type === 'intString' ? spec.enum.map(Number) : spec.enum;
		if (!values.includes(/** @type {any} */ (comparable))) {
			return void out.push({ field: name, kind: 'enum', value: v, message: `${name} must be one of ${list(spec.enum)} (got ${JSON.stringify(v)})` });
		}
	}
	if (typeof comparable === 'number') {
		if ((spec.min !== undefined && comparable < spec.min) || (spec.max !== undefined && comparable > spec.max)) {
			out.push({ field: name, kind: 'range', value: v, message: `${name} must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'} (got ${JSON.stringify(v)})` });
		}
	}
}

/**
 * Check an object: unknown fields first, then each described field in table order.
 * @param {Record<string, unknown>} obj @param {Record<string, FieldSpec>} fields @param {string} [prefix] @param {Issue[]} [out]
 * @returns {Issue[]}
 */
export function checkObject(obj, fields, prefix = '', out = []) {
	for (const k of Object.keys(obj)) {
		if (!Object.prototype.hasOwnProperty.call(fields, k)) out.push({ field: prefix + k, kind: 'extra', value: obj[k], message: `unknown field ${prefix}${k}` });
	}
	for (const [k, spec] of Object.entries(fields)) checkValue(obj[k], spec, prefix + k, out);
	return out;
}

/** @param {string} field @param {string} message @returns {Issue} */
export const rule = (field, message) => ({ field, kind: 'rule', message });

/** @param {unknown} v true when the field was sent with a value */
export const present = (v) => v !== undefined && v !== null && v !== '';

/**
 * Multi-shot list checks shared by the providers: count, per-shot prompt length and duration, and (when `total` is
 * given) that the shot durations add up to it.
 * @param {unknown[]} shots already type-checked items (objects)
 * @param {{ field: string, maxShots: number, promptMax: number, minEach?: number, maxEach?: number, total?: number,
 *   durationOf?: (shot: any) => number | undefined }} o
 * @returns {{ issues: Issue[], sum: number }}
 */
export function checkShots(shots, o) {
	/** @type {Issue[]} */
	const issues = [];
	if (shots.length === 0) return { issues: [rule(o.field, `${o.field} must contain at least one shot`)], sum: 0 };
	if (shots.length > o.maxShots) issues.push(rule(o.field, `${o.field} accepts at most ${o.maxShots} shots (got ${shots.length})`));
	let sum = 0;
	shots.forEach((s, i) => {
		const shot = /** @type {Record<string, unknown>} */ (s);
		const d = (o.durationOf ?? ((x) => intValue(x.duration)))(shot);
		if (typeof shot.prompt === 'string' && shot.prompt.length > o.promptMax) {
			issues.push({ field: `${o.field}[${i}].prompt`, kind: 'length', message: `${o.field}[${i}].prompt must be at most ${o.promptMax} characters (got ${shot.prompt.length})` });
		}
		if (d === undefined) return;
		if (d < (o.minEach ?? 1) || (o.maxEach !== undefined && d > o.maxEach)) {
			issues.push({ field: `${o.field}[${i}].duration`, kind: 'range', message: `${o.field}[${i}].duration must be between ${o.minEach ?? 1} and ${o.maxEach ?? '∞'} seconds (got ${d})` });
		}
		sum += d;
	});
	if (!issues.length && o.total !== undefined && sum !== o.total) {
		issues.push(rule(o.field, `the shot durations in ${o.field} add up to ${sum} s but duration is ${o.total} s; they must be equal`));
	}
	return { issues, sum };
}
