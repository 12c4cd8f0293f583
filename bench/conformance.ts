import { startEmulator } from '../src/emulator/server.js';
import { findGcloud } from '../test/conformance/gcloud-run.js';
import { SCRIPTS, report, runSuite } from '../test/conformance/gcloud-suite.js';

// `npm run conformance`: every gcloud script against a strict emulator,
// printing each command and its result. Exit 1 if any step failed or some
// API dpgce calls was not exercised; exit 0 with a reason when gcloud is
// absent (nothing to compare with).

const gcloud = findGcloud();
if (!gcloud.path) {
  process.stdout.write(`conformance skipped: ${gcloud.reason}\n`);
} else {
  // Operations done at their first poll, as the recorded transcripts show.
  const emu = await startEmulator({ strict: { enabled: true }, timing: { minPolls: 0 } });
  try {
    process.stdout.write(`gcloud conformance (${gcloud.reason}) against ${emu.url}, strict mode\n\n`);
    // Arguments pick scripts by a word of their name (`npm run conformance -- dns`).
    const only = process.argv.slice(2);
    const scripts = SCRIPTS.filter((s) => !only.length || only.some((w) => s.name.toLowerCase().includes(w)));
    const results = await runSuite(emu, scripts);
    const text = report(results, emu);
    process.stdout.write(`${text}\n`);
    if (results.some((r) => !r.passed) || (!only.length && /not covered/.test(text))) process.exitCode = 1;
  } finally {
    await emu.close();
  }
}
