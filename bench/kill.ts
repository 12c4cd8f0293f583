import { killReference, killRun, type KillResult } from './kill-run.js';

// `npm run chaos:kill`: `up` SIGKILLed at a seeded moment of its apply
// phase (counted from its journal's "start"), then run again, 20 times, and
// `down` likewise; each end state must equal an uninterrupted run's. Exit 1
// unless all do.
//
//   DPGCE_KILL_RUNS   runs of each command (default 20)
//   DPGCE_KILL_SEED   first seed (default 1)

const runs = Number(process.env.DPGCE_KILL_RUNS ?? 20);
const first = Number(process.env.DPGCE_KILL_SEED ?? 1);

const started = Date.now();
const ref = await killReference();
process.stdout.write(
  `kill: ${runs} runs each of up and down SIGKILLed at a seeded moment, then run again ` +
    `(an uninterrupted up applies for ${(ref.upMs / 1000).toFixed(1)} s, ` +
    `down for ${(ref.downMs / 1000).toFixed(1)} s)\n`,
);

const results: KillResult[] = [];
for (const command of ['up', 'down'] as const) {
  const windowMs = (command === 'up' ? ref.upMs : ref.downMs) * 0.9;
  for (let i = 0; i < runs; i++) {
    const r = await killRun(first + i, command, windowMs, ref);
    results.push(r);
    process.stdout.write(
      `  ${command.padEnd(4)} seed ${String(r.seed).padStart(3)}  ${r.target.padEnd(8)}  killed at ` +
        `${String(r.killedAtMs).padStart(5)} ms ${r.midRun ? 'mid-run ' : '(ended) '} ` +
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
