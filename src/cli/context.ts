import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { diagnosticsJson, formatDiagnostics } from '../config/diagnostics.js';
import { loadEnvFile } from '../config/load.js';
import { deriveNames, type ResourceNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import { readAll } from '../apply/read.js';
import type { Session, Target } from '../gcp/session.js';
import { desiredGraph, type GraphOptions } from '../plan/graph.js';
import { HANDLERS } from '../resources/index.js';
import { findOrphans } from '../resources/orphans.js';
import type { Desired, RunContext } from '../resources/types.js';
import { CliError } from './errors.js';
import { printJson, useColor } from './output.js';

// What plan, up, status and down share: load and validate env.json (before
// any request), open the session for the chosen target, build the desired
// graph and read what exists.

export interface TargetOptions {
  env: string;
  json?: boolean;
  local?: boolean;
  localState: string;
  emulator?: string;
  impersonateServiceAccount?: string;
}

export interface Prepared {
  config: EnvConfig;
  names: ResourceNames;
  graph: Desired[];
  ctx: RunContext;
  session: Session;
}

const BOOT_SCRIPT = new URL('../../../src/node/gce-proxy-setup.sh', import.meta.url);

export async function prepare(opts: TargetOptions, purpose: RunContext['purpose'],
  graphOptions: GraphOptions = {}): Promise<Prepared> {
  // 1. Configuration: every problem at once, and nothing sent if any.
  const { config, diagnostics } = await loadEnvFile(opts.env);
  if (diagnostics.length) process.stderr.write(formatDiagnostics(diagnostics, useColor(process.stderr)));
  if (!config) {
    // --json promises one document on stdout, failures included.
    if (opts.json) printJson(diagnosticsJson(diagnostics));
    throw new CliError(`${opts.env} is not valid; nothing was sent`);
  }

  // 2. The target and its session.
  const target = resolveTarget(opts);
  const { openSession } = await import('../gcp/open-session.js');
  const session = await openSession(target, {
    onRetry: (site, detail, delayMs) => debug(`retry ${site.method} ${site.resource} in ${delayMs}ms: ${detail}`),
  });

  // 3. Desired graph and observed state.
  const names = deriveNames(config);
  const graph = desiredGraph(config, names, { bootScript: readFileSync(BOOT_SCRIPT, 'utf8') }, graphOptions);
  let projectNumber: Promise<string> | undefined;
  const ctx: RunContext = {
    session, config, names, purpose, observed: new Map(),
    projectNumber: () => (projectNumber ??= readProjectNumber(session, config.projectId)),
  };
  try {
    await readAll(ctx, graph, HANDLERS);
    const orphans = await findOrphans(ctx, graph);
    graph.push(...orphans.graph);
    for (const [a, o] of orphans.observed) ctx.observed.set(a, o);
  } catch (err) {
    await session.close();
    throw err;
  }
  return { config, names, graph, ctx, session };
}

export function resolveTarget(opts: TargetOptions): Target {
  if (opts.local && opts.emulator) throw new CliError('--local and --emulator are exclusive: pick one target');
  if (opts.local) return { kind: 'local', stateDir: resolve(opts.localState) };
  if (opts.emulator) return { kind: 'emulator', url: opts.emulator };
  return { kind: 'cloud', impersonateServiceAccount: opts.impersonateServiceAccount };
}

async function readProjectNumber(s: Session, projectId: string): Promise<string> {
  const crm = await s.client('cloudresourcemanager');
  const p = await s.call({ method: 'cloudresourcemanager.projects.get', resource: `projects/${projectId}` },
    () => crm.projects.get({ projectId }));
  if (!p.projectNumber) throw new CliError(`project ${projectId} has no project number in its description`);
  return p.projectNumber;
}

/** Where this run acts, in words: the first thing a plan says. */
export function targetName(p: Prepared): string {
  const t = p.session.target;
  return t.kind === 'cloud' ? 'Google Cloud' : t.kind === 'local' ? `embedded emulator, state in ${t.stateDir}` : `emulator at ${t.url}`;
}

export function targetLine(p: Prepared): string {
  return `Environment "${p.names.ownerMark}" in project ${p.config.projectId}, region ${p.config.region} (${targetName(p)})`;
}

export function blockedMessage(plan: { blockers: unknown[] }): string {
  return `${plan.blockers.length} resource(s) stop the plan (see above); nothing was changed`;
}

export function debug(line: string): void {
  if (process.env.DPGCE_LOG === 'debug') process.stderr.write(`[debug] ${line}\n`);
}

/** The run journal: what each run did, for the log and for resuming. */
export function journal(entry: Record<string, unknown>): void {
  try {
    mkdirSync('.dpgce', { recursive: true });
    appendFileSync('.dpgce/journal.jsonl', `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  } catch {
    // A read-only working directory must not fail the run.
  }
}
