import { FaultInjector, type FaultRule } from '../src/emulator/faults.js';
import { startEmulator, type Emulator } from '../src/emulator/server.js';
import { runCli, workspace } from '../test/helpers/cli.js';
import { compareDumps, describeComparison, dumpState, ownedBy, type Dump } from './state-dump.js';

// Seeded chaos: `up` then `down`, each spawned as a user would run it,
// against an emulator that faults a share of all requests (errors, resets,
// slow replies, operations that end in error; half the errors and resets
// after the change was made, so a retry meets its own earlier attempt).
// A run converges when both commands exit 0, the state after `up` is the
// fault-free state (no duplicate, nothing missing), and after `down` nothing
// owned is left and the state is the fault-free state after `down`.

export const ENV_NAME = 'dpgce';

/** The fault mix a chaos run injects into `rate` of all requests. */
export function chaosRule(rate: number): FaultRule {
  return {
    probability: rate,
    fault: [429, 500, 503, 'reset', 'slow', 'operation-error'],
    after: 0.5,
    delayMs: 150,
  };
}

/** Operations take a moment, so a retry can meet one still running. */
const TIMING = { latency: { defaultMs: 20, rules: [] }, minPolls: 1 };

export interface RunResult {
  seed: number;
  ok: boolean;
  problems: string[];
  injected: number;
  /** Requests the emulator received (faulted ones included). */
  requests: number;
  byKind: Record<string, number>;
  retries: number;
  duplicates: number;
  upMs: number;
  downMs: number;
}

export interface Reference {
  up: Dump;
  down: Dump;
}

/** The end states of a fault-free up and down. */
export async function reference(): Promise<Reference> {
  const e = await startEmulator({ timing: TIMING });
  try {
    const ws = workspace();
    const args = ['--env', ws.env, '--emulator', e.url, '--yes', '--json'];
    const up = await runCli(['up', ...args], { cwd: ws.dir });
    if (up.code !== 0) throw new Error(`fault-free up failed:\n${up.stderr}`);
    const upDump = dumpState(e.store);
    const down = await runCli(['down', ...args], { cwd: ws.dir });
    if (down.code !== 0) throw new Error(`fault-free down failed:\n${down.stderr}`);
    return { up: upDump, down: dumpState(e.store) };
  } finally {
    await e.close();
  }
}

export async function chaosRun(seed: number, rate: number, ref: Reference): Promise<RunResult> {
  const faults = new FaultInjector({ seed, rules: [chaosRule(rate)] });
  const e = await startEmulator({ timing: TIMING, faults });
  const problems: string[] = [];
  let retries = 0;
  let duplicates = 0;
  try {
    const ws = workspace();
    const args = ['--env', ws.env, '--emulator', e.url, '--yes', '--json'];

    // 1. up: exit 0 and exactly the fault-free state.
    let started = Date.now();
    const up = await runCli(['up', ...args], { cwd: ws.dir });
    const upMs = Date.now() - started;
    retries += countRetries(up.stderr);
    if (up.code !== 0) problems.push(`up exited ${up.code}: ${lastLines(up.stderr)}`);
    duplicates += check('after up', ref.up, e, problems);

    // 2. down: exit 0, nothing owned left, and the fault-free state after down.
    started = Date.now();
    const down = await runCli(['down', ...args], { cwd: ws.dir });
    const downMs = Date.now() - started;
    retries += countRetries(down.stderr);
    if (down.code !== 0) problems.push(`down exited ${down.code}: ${lastLines(down.stderr)}`);
    const owned = ownedBy(e.store, ENV_NAME);
    if (owned.length) problems.push(`after down, still owned: ${owned.join(', ')}`);
    duplicates += check('after down', ref.down, e, problems);

    const byKind: Record<string, number> = {};
    for (const f of faults.log) byKind[String(f.kind)] = (byKind[String(f.kind)] ?? 0) + 1;
    return {
      seed,
      ok: problems.length === 0,
      problems,
      injected: faults.log.length,
      requests: e.requests.length,
      byKind,
      retries,
      duplicates,
      upMs,
      downMs,
    };
  } finally {
    await e.close();
  }
}

/** Compares the state with the expected dump; returns the number of duplicates. */
function check(when: string, expected: Dump, e: Emulator, problems: string[]): number {
  const c = compareDumps(expected, dumpState(e.store));
  if (!c.equal) problems.push(`${when}: ${describeComparison(c)}`);
  return c.duplicates.length + c.unexpected.length;
}

/** The CLI's own count: "up: 45 of 45 changes done (178 API calls, 3 retries)". */
export function countRetries(stderr: string): number {
  return Number(/\((\d+) API calls, (\d+) retries\)/.exec(stderr)?.[2] ?? 0);
}

const lastLines = (text: string): string => text.trim().split('\n').slice(-6).join(' | ');
