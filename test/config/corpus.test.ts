// Runs every malformed or hostile env.json in test/config/bad/ and checks the
// diagnostic its sidecar expectation names. Also checks what must hold for
// any input: no throw, no config on error, one-line summaries of bounded
// length, a detail on every diagnostic, and none of zod's own wording.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '../../src/config/load.js';
import type { LoadResult } from '../../src/config/types.js';
import { BAD_CORPUS, describeDiagnostics } from './env-fixture.js';

interface Expectation {
  key: string;
  why: string;
  includes?: string;
  severity?: 'error' | 'warning';
}

const EXPECTATIONS_FILE = 'expectations.json';
const expectations = JSON.parse(
  readFileSync(new URL(EXPECTATIONS_FILE, BAD_CORPUS), 'utf8'),
) as Record<string, Expectation>;
const files = readdirSync(BAD_CORPUS).filter((name) => name !== EXPECTATIONS_FILE).sort();

function checkInvariants(result: LoadResult): void {
  for (const d of result.diagnostics) {
    assert.ok(d.summary.length > 0 && d.summary.length < 400, `summary length ${d.summary.length}`);
    assert.ok(!d.summary.includes('\n'), `one-line summary: ${JSON.stringify(d.summary)}`);
    assert.ok(d.detail.length > 0, `detail for ${d.key}: ${d.summary}`);
    assert.ok(d.key.length > 0 && d.key.length < 100, `key ${d.key}`);
    assert.doesNotMatch(d.summary, /Invalid input|"code":|expected string, received/);
  }
  if (result.diagnostics.some((d) => d.severity === 'error')) {
    assert.equal(result.config, undefined);
  }
}

describe('the bad env.json corpus', () => {
  it('has an expectation for every file and a file for every expectation', () => {
    assert.deepEqual(files, Object.keys(expectations).sort());
    assert.ok(files.length >= 25, `${files.length} files`);
  });

  for (const name of files) {
    const expected = expectations[name];
    const severity = expected?.severity ?? 'error';
    const title = `${name}: ${expected?.why ?? 'no expectation'} → ${severity} on ${expected?.key}`;
    it(title, async () => {
      const result = await loadEnvFile(fileURLToPath(new URL(name, BAD_CORPUS)));
      const all = describeDiagnostics(result);
      checkInvariants(result);
      const onKey = result.diagnostics
        .filter((d) => d.key === expected.key && d.severity === severity);
      assert.ok(onKey.length > 0, `no ${severity} on ${expected.key}:\n${all}`);
      if (expected.includes) {
        assert.ok(onKey.some((d) => d.summary.includes(expected.includes as string)),
          `no summary including ${JSON.stringify(expected.includes)}:\n${all}`);
      }
    });
  }

  it('does not let a __proto__ key change the config', async () => {
    const result = await loadEnvFile(fileURLToPath(new URL('proto-key.json', BAD_CORPUS)));
    assert.equal(result.config?.projectId, 'dpgce-demo-project');
    assert.equal(({} as Record<string, unknown>).PROJECT_ID, undefined);
  });
});
