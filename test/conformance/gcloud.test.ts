import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator/server.js';
import { findGcloud } from './gcloud-run.js';
import { report, runSuite, toolApis } from './gcloud-suite.js';

// The real gcloud against a strict emulator: every script of
// gcloud-scripts*.ts, each command exiting 0 with output that parses (or
// failing as the real service fails, for the negative cases), and together
// covering every API dpgce calls. `npm run conformance` prints the same run.

const gcloud = findGcloud();

describe('gcloud conformance', { skip: gcloud.path ? undefined : gcloud.reason }, () => {
  it('runs every command as Google Cloud would answer it, over every API dpgce calls', { timeout: 900_000 }, async () => {
    const emu = await startEmulator({ strict: { enabled: true }, timing: { minPolls: 0 } });
    try {
      const results = await runSuite(emu);
      process.stdout.write(`${report(results, emu)}\n`);
      assert.deepEqual(results.filter((r) => !r.passed).map((r) => `${r.command}: ${r.detail}`), []);
      const used = new Set(emu.requests.map((q) => q.api));
      assert.deepEqual(toolApis().filter((a) => !used.has(a)), [], 'APIs dpgce calls that no gcloud command reached');
    } finally {
      await emu.close();
    }
  });
});
