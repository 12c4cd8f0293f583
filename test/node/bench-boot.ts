// Benchmark of the boot script in the harness: `node dist/test/node/bench-boot.js
// [--runs N] [--suite] [--json]`. Reports the root's build (or cache hit), the
// scenario's start-up, the script's first run on a fresh overlay and its warm
// runs (nothing to change), each with and without the self-test's network wait
// (the probes through the proxy and the direct Google API probe, as curl timed
// them), and with --suite the wall time of the whole harness test suite.
// Under `node --test` (which runs every file in dist/test) it does nothing.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expectOk, proxiedNode } from "./harness/node-kit.js";
import { REPO_ROOT } from "./harness/session.js";
import { ensureRootfs } from "./harness/rootfs.js";

interface Timing {
  totalMs: number;
  networkWaitMs: number;
  scriptMs: number;
}

/** The script's own time: its wall time minus what curl spent on the self-test's requests. */
function timing(ms: number, stdout: string): Timing {
  const waits = [...stdout.matchAll(/(?:proxy check|self-test|Google APIs).* in ([\d.]+) s\)?$/gm)]
    .map((m) => Number(m[1]) * 1000);
  const networkWaitMs = waits.reduce((a, b) => a + b, 0);
  return { totalMs: round(ms), networkWaitMs: round(networkWaitMs), scriptMs: round(ms - networkWaitMs) };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(argv: string[]): Promise<void> {
  const runsAt = argv.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive whole number");
  const cleanups: (() => unknown)[] = [];
  const host = {
    after: (fn: () => unknown) => void cleanups.push(fn),
    skip: (why?: string) => { throw new Error(`harness unavailable: ${why}`); },
  };
  const started = Date.now();

  const rootStart = Date.now();
  await ensureRootfs();
  const rootMs = Date.now() - rootStart;
  const openStart = Date.now();
  const node = await proxiedNode(host);
  if (!node) throw new Error("harness unavailable");
  const scenarioMs = Date.now() - openStart;

  const first = expectOk(await node.runScript());
  const warm: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    const r = expectOk(await node.runScript());
    if (!/done: no file changed/.test(r.stdout)) throw new Error(`warm run ${i + 1} changed files:\n${r.stdout}`);
    warm.push(timing(r.ms, r.stdout));
  }
  for (const fn of cleanups.reverse()) await fn();

  let suiteMs: number | undefined;
  if (argv.includes("--suite")) {
    const suiteStart = Date.now();
    const suite = spawnSync(process.execPath, ["--test", join(REPO_ROOT, "dist/test/node/")],
      { stdio: "ignore", env: { ...process.env } });
    suiteMs = Date.now() - suiteStart;
    if (suite.status !== 0) throw new Error(`the harness suite failed (exit ${suite.status})`);
  }

  const report = {
    rootfs: { ms: rootMs, cached: rootMs < 5000 },
    scenarioStartMs: scenarioMs,
    firstRun: timing(first.ms, first.stdout),
    warmRuns: {
      runs,
      medianTotalMs: median(warm.map((w) => w.totalMs)),
      medianScriptMs: median(warm.map((w) => w.scriptMs)),
      maxScriptMs: Math.max(...warm.map((w) => w.scriptMs)),
      targetMs: 2000,
    },
    benchTotalMs: Date.now() - started - (suiteMs ?? 0),
    ...(suiteMs === undefined ? {} : { harnessSuiteMs: suiteMs }),
  };
  if (argv.includes("--json")) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(`root filesystem: ${report.rootfs.cached ? "cached" : "built"} in ${(rootMs / 1000).toFixed(1)} s`);
  console.log(`scenario start (namespaces, overlay, fakes, squid): ${scenarioMs} ms`);
  console.log(`first run: ${report.firstRun.totalMs} ms (${report.firstRun.scriptMs} ms without ` +
    `${report.firstRun.networkWaitMs} ms of self-test network wait)`);
  console.log(`warm runs (${runs}, no change): median ${report.warmRuns.medianScriptMs} ms without the self-test's ` +
    `network wait (max ${report.warmRuns.maxScriptMs} ms; ${report.warmRuns.medianTotalMs} ms with it); target < 2000 ms`);
  console.log(`bench total: ${(report.benchTotalMs / 1000).toFixed(1)} s`);
  if (suiteMs !== undefined) console.log(`harness test suite (node --test dist/test/node/): ${(suiteMs / 1000).toFixed(1)} s`);
}

if (process.env.NODE_TEST_CONTEXT === undefined) {
  main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => {
    console.error(`bench-boot: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
