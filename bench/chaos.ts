import { chaosRun, reference, type RunResult } from './chaos-run.js';

// `npm run chaos`: seeded runs of `up` then `down` against an emulator that
// faults 20% of requests. Exit 1 unless every run converges.
//
//   DPGCE_CHAOS_RUNS   number of runs (default 30)
//   DPGCE_CHAOS_SEED   first seed (default 1); run i uses seed + i
//   DPGCE_CHAOS_RATE   share of requests faulted (default 0.2)

const runs = Number(process.env.DPGCE_CHAOS_RUNS ?? 30);
const first = Number(process.env.DPGCE_CHAOS_SEED ?? 1);
const rate = Number(process.env.DPGCE_CHAOS_RATE ?? 0.2);

const started = Date.now();
const ref = await reference();
process.stdout.write(
  `chaos: ${runs} runs of up + down, ${Math.round(rate * 100)}% of requests faulted, ` +
    `seeds ${first}..${first + runs - 1}\n`,
);

const results: RunResult[] = [];
for (let i = 0; i < runs; i++) {
  const r = await chaosRun(first + i, rate, ref);
  results.push(r);
  const kinds = Object.entries(r.byKind)
    .map(([k, n]) => `${k}:${n}`)
    .join(' ');
  process.stdout.write(
    `  seed ${String(r.seed).padStart(3)}  ${r.ok ? 'converged' : 'FAILED   '}  ` +
      `faults ${String(r.injected).padStart(3)}/${r.requests} requests (${kinds})  retries ${String(r.retries).padStart(3)}  ` +
      `duplicates ${r.duplicates}  up ${(r.upMs / 1000).toFixed(1)} s  down ${(r.downMs / 1000).toFixed(1)} s\n`,
  );
  for (const p of r.problems) process.stdout.write(`      ${p}\n`);
}

const sum = (f: (r: RunResult) => number): number => results.reduce((a, r) => a + f(r), 0);
const byKind: Record<string, number> = {};
for (const r of results)
  for (const [k, n] of Object.entries(r.byKind)) byKind[k] = (byKind[k] ?? 0) + n;
const converged = results.filter((r) => r.ok).length;
const share = Math.round((100 * sum((r) => r.injected)) / sum((r) => r.requests));
process.stdout.write(
  `\nruns ${runs}, converged ${converged}, injected faults ${sum((r) => r.injected)} in ` +
    `${sum((r) => r.requests)} requests (${share}%: ${Object.entries(byKind)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}), ` +
    `retries ${sum((r) => r.retries)}, ` +
    `duplicates ${sum((r) => r.duplicates)}; mean up ${(sum((r) => r.upMs) / runs / 1000).toFixed(1)} s, ` +
    `mean down ${(sum((r) => r.downMs) / runs / 1000).toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
if (converged !== runs) process.exitCode = 1;
