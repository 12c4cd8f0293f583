import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator/server.js';
import { deriveNames } from '../src/config/names.js';
import { loadEnvFile } from '../src/config/load.js';
import { desiredGraph } from '../src/plan/graph.js';
import { changeLatency, REALISTIC } from './latency-profile.js';

// `npm run bench`: the figures the README and the notes quote. Each one
// spawns the built CLI as a user would; the emulator runs in this process
// so its request log and operation latencies are under our control.

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/dpgce.js');
const RSS_HOOK = join(ROOT, 'bench/rss-report.mjs');
const EXAMPLE = join(ROOT, 'examples/env.json');

interface Run { ms: number; code: number | null; stdout: string; rssKb: number }

function cli(args: string[], cwd: string): Promise<Run> {
  const rssFile = join(cwd, `rss-${Date.now()}-${Math.random()}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RSS_HOOK, CLI, ...args], {
      cwd, env: { ...process.env, NO_COLOR: '1', DPGCE_BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      let rssKb = 0;
      try { rssKb = Number(readFileSync(rssFile, 'utf8').trim()); } catch { /* process died early */ }
      if (code !== 0 && code !== 2) process.stderr.write(stderr);
      resolve({ ms, code, stdout, rssKb });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dpgce-bench-'));
  const env = join(dir, 'env.json');
  copyFileSync(EXAMPLE, env);
  const out: string[] = [];

  // 1. Start-up.
  const version: number[] = [];
  const validate: number[] = [];
  for (let i = 0; i < 5; i++) {
    version.push((await cli(['--version'], dir)).ms);
    validate.push((await cli(['validate', '--env', env], dir)).ms);
  }
  out.push(`start-up: --version ${median(version).toFixed(0)} ms, validate ${median(validate).toFixed(0)} ms (median of 5; target < 500 ms)`);

  // 2. A full `up` with realistic, scaled operation latencies.
  const emulator = await startEmulator({ timing: { latency: REALISTIC, minPolls: 1 } });
  const target = ['--env', env, '--emulator', emulator.url];
  const up = await cli(['up', ...target, '--yes', '--json'], dir);
  if (up.code !== 0) throw new Error(`up failed (exit ${up.code})`);
  const upRequests = emulator.requests.length;
  const firstWrite = Date.parse(emulator.requests.find((r) => r.mutating)!.time);
  const lastRequest = Date.parse(emulator.requests[emulator.requests.length - 1].time);
  const changes = JSON.parse(up.stdout).changes as { address: string; kind: string }[];
  const bound = criticalPath(await graphOf(env), new Set(changes.map((c) => c.address)));
  out.push(`up: ${changes.length} changes in ${(up.ms / 1000).toFixed(2)} s, ${upRequests} API requests, ` +
    `peak RSS ${(up.rssKb / 1024).toFixed(0)} MB (target < 250 MB)`);
  out.push(`up makespan / longest chain of operation latencies: ${(up.ms / 1000).toFixed(2)} s / ` +
    `${(bound.ms / 1000).toFixed(2)} s = ${(up.ms / bound.ms).toFixed(2)} (target <= 1.2); chain: ${bound.path.join(' -> ')}`);
  out.push(`  of which apply (first mutating request to last response): ${((lastRequest - firstWrite) / 1000).toFixed(2)} s = ` +
    `${((lastRequest - firstWrite) / bound.ms).toFixed(2)} x the chain; the rest is process start, module loading and the read phase`);

  // 3. `plan` on the fully built environment.
  const plans: Run[] = [];
  let planRequests = 0;
  for (let i = 0; i < 3; i++) {
    const before = emulator.requests.length;
    plans.push(await cli(['plan', ...target, '--json'], dir));
    planRequests = emulator.requests.length - before;
    if (JSON.parse(plans[i].stdout).changes.length !== 0) throw new Error('plan after up is not empty');
  }
  out.push(`plan (built environment): ${median(plans.map((p) => p.ms)).toFixed(0)} ms, ${planRequests} API requests ` +
    `(all reads), peak RSS ${(median(plans.map((p) => p.rssKb)) / 1024).toFixed(0)} MB`);

  // 4. `doctor` on the built environment: against the running emulator, and
  // with --local (which also starts the embedded emulator and loads its state).
  const doctors: Run[] = [];
  let doctorRequests = 0;
  for (let i = 0; i < 3; i++) {
    const before = emulator.requests.length;
    doctors.push(await cli(['doctor', ...target, '--json'], dir));
    doctorRequests = emulator.requests.length - before;
    assertAllPass(doctors[i]);
  }
  const local = ['--env', env, '--local', '--local-state', join(dir, 'state')];
  if ((await cli(['up', ...local, '--yes'], dir)).code !== 0) throw new Error('up --local failed');
  const localDoctors: Run[] = [];
  for (let i = 0; i < 3; i++) localDoctors.push(await cli(['doctor', ...local, '--json'], dir));
  localDoctors.forEach(assertAllPass);
  out.push(`doctor (built environment): ${median(doctors.map((p) => p.ms)).toFixed(0)} ms against the running emulator, ` +
    `${doctorRequests} API requests (all reads); ${median(localDoctors.map((p) => p.ms)).toFixed(0)} ms with --local ` +
    `(target < 1000 ms); peak RSS ${(median(localDoctors.map((p) => p.rssKb)) / 1024).toFixed(0)} MB`);

  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${out.join('\n')}\n`);
}

function assertAllPass(run: Run): void {
  const checks = JSON.parse(run.stdout).checks as { name: string; status: string }[];
  const bad = checks.filter((c) => c.status !== 'pass');
  if (run.code !== 0 || bad.length) throw new Error(`doctor on a fresh environment: ${bad.map((c) => c.name).join(', ')}`);
}

async function graphOf(envFile: string) {
  const { config } = await loadEnvFile(envFile);
  if (!config) throw new Error('example env.json is invalid');
  return desiredGraph(config, deriveNames(config), { bootScript: '' });
}

/** The physical lower bound: the longest dependency chain of operation latencies. */
function criticalPath(graph: Awaited<ReturnType<typeof graphOf>>, changed: Set<string>): { ms: number; path: string[] } {
  const byAddress = new Map(graph.map((d) => [d.address, d]));
  const memo = new Map<string, { ms: number; path: string[] }>();
  const longest = (a: string): { ms: number; path: string[] } => {
    const hit = memo.get(a);
    if (hit) return hit;
    const d = byAddress.get(a)!;
    const own = changed.has(a) ? changeLatency(d.kind) : 0;
    const deps = d.dependsOn.filter((x) => byAddress.has(x)).map(longest);
    const best = deps.reduce((m, x) => (x.ms > m.ms ? x : m), { ms: 0, path: [] as string[] });
    const r = { ms: best.ms + own, path: own ? [...best.path, a] : best.path };
    memo.set(a, r);
    return r;
  };
  return graph.map((d) => longest(d.address)).reduce((m, x) => (x.ms > m.ms ? x : m));
}

await main();
