import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator/server.js';
import { Store } from '../src/emulator/store.js';
import { CLI, runCli, workspace } from '../test/helpers/cli.js';
import { ENV_NAME } from './chaos-run.js';
import { compareDumps, describeComparison, dumpState, ownedBy, type Dump } from './state-dump.js';

// Interrupted runs: `up` (or `down`) SIGKILLed at a seeded point of its
// apply phase (after a seeded number of its changes have finished, as its
// journal shows, with others running), then run again to the end. The end state must be the one an uninterrupted run
// leaves (compared as a normalised dump), with nothing duplicated, and the
// only trace of the kill a journal entry (a "start" without its "end").
// Even seeds run the embedded emulator (`--local`, killed with the CLI:
// only its state folder survives, with the operations it had started);
// odd seeds a separate emulator (`--emulator URL`, which keeps running).

/** Operations take a little while, so a kill often lands while some run. */
const TIMING = { latency: { defaultMs: 15, rules: [] }, minPolls: 1 };

export interface KillResult {
  seed: number;
  command: 'up' | 'down';
  target: 'local' | 'emulator';
  /** Killed once this many of its `total` changes had finished. */
  killedAfter: number;
  total: number;
  ok: boolean;
  problems: string[];
  duplicates: number;
  journalTrace: boolean;
  /** The kill landed while the run was applying (not after it ended). */
  midRun: boolean;
}

export interface KillReference {
  up: Dump;
  down: Dump;
  /** How many changes an uninterrupted up and down make. */
  upChanges: number;
  downChanges: number;
}

/** A number in [0, 1) for this seed. */
export function seeded(seed: number, salt = ''): number {
  return createHash('sha256').update(`${seed}|${salt}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * One interrupted run. `up`: from nothing, killed part way, then up again.
 * `down`: from a full environment, killed part way, then down again.
 */
export async function killRun(
  seed: number,
  command: 'up' | 'down',
  ref: KillReference,
): Promise<KillResult> {
  const target = seed % 2 === 0 ? 'local' : 'emulator';
  const total = command === 'up' ? ref.upChanges : ref.downChanges;
  // At most all but the last: the run must still have something to do.
  const killedAfter = Math.floor(seeded(seed, command) * (total - 1));
  const ws = workspace();
  const problems: string[] = [];
  const emulator = target === 'emulator' ? await startEmulator({ timing: TIMING }) : undefined;
  const args = [
    '--env',
    ws.env,
    '--yes',
    ...(emulator ? ['--emulator', emulator.url] : ['--local', '--local-state', ws.state]),
  ];
  const env = {};
  const dump = (): Dump =>
    dumpState(emulator ? emulator.store : new Store(join(ws.state, 'state.json')));
  try {
    // 1. For down, an environment to take down.
    if (command === 'down') {
      const up = await runCli(['up', ...args], { cwd: ws.dir, env });
      if (up.code !== 0)
        throw new Error(`seed ${seed}: the up before down failed: ${up.stderr.slice(-400)}`);
    }

    // 2. The run, killed.
    const midRun = await killed([command, ...args], ws.dir, env, killedAfter);

    // 3. Again, to the end: exit 0, the uninterrupted end state, a plan with no changes.
    const again = await runCli([command, ...args, '--json'], { cwd: ws.dir, env });
    if (again.code !== 0)
      problems.push(
        `second ${command} exited ${again.code}: ${again.stderr.trim().split('\n').slice(-4).join(' | ')}`,
      );
    const c = compareDumps(command === 'up' ? ref.up : ref.down, dump());
    if (!c.equal) problems.push(`after the second ${command}: ${describeComparison(c)}`);
    if (command === 'down') {
      const owned = ownedBy(
        emulator ? emulator.store : new Store(join(ws.state, 'state.json')),
        ENV_NAME,
      );
      if (owned.length) problems.push(`still owned after down: ${owned.join(', ')}`);
    } else {
      const plan = await runCli(
        ['plan', ...args.filter((a) => a !== '--yes'), '--detailed-exitcode'],
        { cwd: ws.dir, env },
      );
      if (plan.code !== 0)
        problems.push(`plan after the second up exited ${plan.code} (changes left)`);
    }
    if (!emulator && existsSync(join(ws.state, 'lock')))
      problems.push('the state folder is still locked');
    const journalTrace = trace(ws.dir, command);
    return {
      seed,
      command,
      target,
      killedAfter,
      total,
      ok: problems.length === 0,
      problems,
      duplicates: c.duplicates.length + c.unexpected.length,
      journalTrace,
      midRun,
    };
  } finally {
    await emulator?.close();
  }
}

/**
 * Spawns the CLI and SIGKILLs it once it has started applying (its journal's
 * "start" line) and `after` of its changes have finished. Resolves with
 * whether the kill landed while it ran.
 */
function killed(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  after: number,
): Promise<boolean> {
  const journal = join(cwd, '.dpgce', 'journal.jsonl');
  const lines = (): string[] => journalLines(journal);
  const known = lines().length;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: 'ignore',
    });
    const watch = setInterval(() => {
      const events = lines()
        .slice(known)
        .map((l) => String(JSON.parse(l).event));
      const start = events.indexOf('start');
      if (start < 0 || events.slice(start).filter((e) => FINISHED.has(e)).length < after) return;
      clearInterval(watch);
      child.kill('SIGKILL');
    }, 2);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearInterval(watch);
      resolve(signal === 'SIGKILL');
    });
  });
}

const FINISHED = new Set(['change-done', 'change-failed', 'change-skipped']);

/**
 * The journal's complete lines. It is read while the CLI appends to it (every
 * 2 ms above), so the text may end inside a line being written: that part is
 * not a line yet.
 */
function journalLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean);
}

/** Whether the journal shows a run of `command` that started and never ended. */
function trace(dir: string, command: string): boolean {
  const events = journalLines(join(dir, '.dpgce', 'journal.jsonl'))
    .map((l) => JSON.parse(l))
    .filter((e) => e.command === command && (e.event === 'start' || e.event === 'end'))
    .map((e) => e.event);
  return events.some((e, i) => e === 'start' && events[i + 1] === 'start');
}

/** How many changes the last `command` in the journal made. */
function changesMade(dir: string, command: string): number {
  const entries = journalLines(join(dir, '.dpgce', 'journal.jsonl'))
    .map((l) => JSON.parse(l) as { command: string; event: string; changes?: number })
    .filter((e) => e.command === command && e.event === 'start');
  return entries.pop()?.changes ?? 0;
}

/** The end states of an uninterrupted up and down, and how many changes each makes. */
export async function killReference(): Promise<KillReference> {
  const e = await startEmulator({ timing: TIMING });
  try {
    const ws = workspace();
    const args = ['--env', ws.env, '--emulator', e.url, '--yes'];
    const up = await runCli(['up', ...args], { cwd: ws.dir });
    if (up.code !== 0) throw new Error(`uninterrupted up failed: ${up.stderr.slice(-400)}`);
    const upDump = dumpState(e.store);
    const down = await runCli(['down', ...args], { cwd: ws.dir });
    if (down.code !== 0) throw new Error(`uninterrupted down failed: ${down.stderr.slice(-400)}`);
    const upChanges = changesMade(ws.dir, 'up');
    const downChanges = changesMade(ws.dir, 'down');
    return { up: upDump, down: dumpState(e.store), upChanges, downChanges };
  } finally {
    await e.close();
  }
}
