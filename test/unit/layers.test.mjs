// @ts-check
/**
 * The house's layers (README "Development"): nodes/shared/{util → catalog → providers → engine →
 * fields}, then the two nodes on top. A folder imports only from its own layer or lower ones, the
 * trigger never reaches into the action node (nor the reverse), and no two folders import each other.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../support/n8n.mjs';

const LAYERS = [
	'nodes/shared/util',
	'nodes/shared/catalog',
	'nodes/shared/providers',
	'nodes/shared/engine',
	'nodes/shared/fields',
	'nodes/KlingVideo',
	'nodes/KlingVideoTrigger',
];
const NODE_LAYER = LAYERS.indexOf('nodes/KlingVideo');

/** @param {string} dir @returns {string[]} */
function tsFiles(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return tsFiles(path);
		return name.endsWith('.ts') ? [path] : [];
	});
}

/** The layer a file or folder belongs to (the longest matching prefix). @param {string} path */
function layerOf(path) {
	const rel = relative(REPO_ROOT, path);
	let best = -1;
	LAYERS.forEach((layer, index) => {
		if (rel === layer || rel.startsWith(`${layer}/`)) {
			if (best === -1 || layer.length > LAYERS[best].length) best = index;
		}
	});
	return best;
}

const imports = tsFiles(join(REPO_ROOT, 'nodes')).flatMap((file) => {
	const source = readFileSync(file, 'utf8');
	return [...source.matchAll(/from '(\.[^']+)'/g)].map((match) => ({
		from: file,
		to: resolve(dirname(file), match[1]),
	}));
});

describe('folders import one way', () => {
	test('every node source file lives in a known layer', () => {
		const unknown = tsFiles(join(REPO_ROOT, 'nodes'))
			.filter((file) => layerOf(file) === -1)
			.map((file) => relative(REPO_ROOT, file));
		expect(unknown).toEqual([]);
	});

	test('no import goes to a higher layer, and the two nodes do not import each other', () => {
		const wrong = imports
			.filter(({ from, to }) => {
				const a = layerOf(from);
				const b = layerOf(to);
				if (a >= NODE_LAYER && b >= NODE_LAYER) return a !== b;
				return b > a;
			})
			.map(({ from, to }) => `${relative(REPO_ROOT, from)} → ${relative(REPO_ROOT, to)}`);
		expect(wrong).toEqual([]);
	});

	test('no two folders import each other', () => {
		const edges = new Set(
			imports
				.map(({ from, to }) => [
					dirname(from),
					statSync(`${to}.ts`, { throwIfNoEntry: false }) ? dirname(to) : to,
				])
				.filter(([a, b]) => a !== b)
				.map(([a, b]) => `${relative(REPO_ROOT, a)} -> ${relative(REPO_ROOT, b)}`),
		);
		const cycles = [...edges].filter((edge) => {
			const [a, b] = edge.split(' -> ');
			return edges.has(`${b} -> ${a}`);
		});
		expect(cycles).toEqual([]);
	});
});
