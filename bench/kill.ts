import { killReference, killRun, type KillResult } from './kill-run.js';

// `npm run chaos:kill`: `up` SIGKILLed at a seeded point of its apply phase
// (after a seeded number of its changes have finished), then run again, 20
// times, and `down` likewise; each end state must equal an uninterrupted
// run's. Exit 1 unless all do.
//
//   DPGCE_KILL_RUNS   runs of each command (default 20)
//   DPGCE_KILL_SEED   first seed (default 1)

const runs = Number(process.env.DPGCE_KILL_RUNS ?? 20);
const first = Number(process.env.DPGCE_KILL_SEED ?? 1);

const started = Date.now();
const ref = await killReference();
process.stdout.write(
  `kill: ${runs} runs each of up and down SIGKILLed part way, then run again ` +
    `(an uninterrupted up makes ${ref.upChanges} changes, down ${ref.downChanges})\n`,
);

const results: KillResult[] = [];
for (const command of ['up', 'down'] as const) {
  for (let i = 0; i < runs; i++) {
    const r = await killRun(first + i, command, ref);
    results.push(r);
    process.stdout.write(
      `  ${command.padEnd(4)} seed ${String(r.seed).padStart(3)}  ${r.target.padEnd(8)}  killed ` +
        `after ${String(r.killedAfter).padStart(2)} of ${r.total} changes ` +
        `${r.midRun ? 'mid-run ' : '(ended) '} ` +
        `${r.ok ? 'same end state' : 'DIFFERENT    '}  duplicates ${r.duplicates}` +
        `${r.journalTrace ? '  (journal: a start without its end)' : ''}\n`,
    );
    for (const p of r.problems) process.stdout.write(`      ${p}\n`);
  }
}

const same = results.filter((r) => r.ok).length;
const dup = results.reduce((a, r) => a + r.duplicates, 0);
const mid = results.filter((r) => r.midRun).length;
process.stdout.write(
  `\nruns ${results.length} (${mid} killed mid-run), same end state ${same}, duplicates ${dup}, ` +
    `total ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
if (same !== results.length) process.exitCode = 1;
