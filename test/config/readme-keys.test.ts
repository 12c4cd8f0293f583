import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { KEYS } from '../../src/config/keys.js';
import { REPO_ROOT } from './env-fixture.js';

// Every env.json key is documented in the README's table, where users look
// first (the JSON Schema is generated and checked in schema.test.ts).

describe('README env.json table', () => {
  it('names every key dpgce reads', () => {
    const readme = readFileSync(new URL('README.md', REPO_ROOT), 'utf8');
    const table = readme
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .join('\n');
    const missing = KEYS.map((k) => k.key).filter((key) => !table.includes(`\`${key}\``));
    assert.deepEqual(missing, []);
  });
});
