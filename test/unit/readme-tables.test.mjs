// @ts-check
/** The README's provider × model tables are generated from the catalog and cannot drift from it. */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeWithTables } from '../../scripts/catalog-tables.mjs';
import { REPO_ROOT } from '../support/n8n.mjs';

test('README.md model tables equal what scripts/catalog-tables.mjs generates from the catalog', () => {
	const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
	expect(readme).toBe(readmeWithTables(readme));
});
