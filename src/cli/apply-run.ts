import { createInterface } from 'node:readline/promises';
import { applyPlan, type AppliedChange } from '../apply/engine.js';
import { recovering } from '../apply/recovery.js';
import type { Plan } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { blockedMessage, journal, targetLine, targetName, type Prepared } from './context.js';
import { CliError } from './errors.js';
import { Interrupt, interruptWaitMs } from './interrupt.js';
import { lockAndReplan, sameChanges, type LockFlags } from './locked-plan.js';
import { printJson, useColor } from './output.js';
import { planJson, planText, progressLine } from './plan-view.js';

// What up and down share once they have a plan: show it, confirm, take the
// run lock and plan again under it, apply with live progress, and report.
// SIGINT stops new work and waits a while for what is running
// (interrupt.ts); the summary says what remains.

export interface ApplyFlags extends LockFlags {
  yes?: boolean;
  json?: boolean;
}

export async function confirmAndApply(p: Prepared, first: Plan, opts: ApplyFlags, verb: string,
  replan?: () => Plan): Promise<void> {
  const color = useColor(process.stderr);
  let plan = first;

  // 1. Blockers stop everything before any change.
  if (plan.blockers.length) {
    process.stderr.write(planText(plan, color));
    if (opts.json) printJson(planJson(plan));
    throw new CliError(blockedMessage(plan));
  }

  // 2. Show the plan; with --json, the plan goes to stderr and stdout keeps the one document.
  const out = opts.json ? process.stderr : process.stdout;
  out.write(`${targetLine(p)}\n`);
  out.write(planText(plan, opts.json ? color : useColor(process.stdout), p.graph));
  if (plan.changes.length === 0) {
    if (opts.json) printJson(planJson(plan, []));
    return;
  }
  if (!opts.yes) await confirm(verb, p);

  // 3. The run lock, and the plan as it is now that nobody else can change it.
  const locked = await lockAndReplan(p, plan, verb, opts, replan);
  try {
    const changed = !sameChanges(plan, locked.plan, locked.done);
    plan = locked.plan;
    if (changed) {
      process.stderr.write('dpgce: the environment changed since it was read (another run?); the plan now:\n');
      process.stderr.write(planText(plan, color));
    }
    if (plan.blockers.length) throw new CliError(blockedMessage(plan));
    await apply(p, plan, locked.done, opts, verb);
  } finally {
    await locked.lock?.release().catch((err: Error) =>
      process.stderr.write(`dpgce: could not release the run lock: ${err.message}\n`));
  }
}

async function apply(p: Prepared, plan: Plan, before: AppliedChange[], opts: ApplyFlags, verb: string): Promise<void> {
  const color = useColor(process.stderr);
  // The staging bucket, if made to hold the lock, is reported with the rest.
  const made = new Set(before.map((c) => c.address));
  const shown: Plan = { ...plan, changes: [...before, ...plan.changes],
    unchanged: plan.unchanged.filter((a) => !made.has(a)) };
  if (plan.changes.length === 0) {
    if (opts.json) printJson(planJson(shown, before));
    return;
  }

  // 4. Apply; SIGINT stops new changes.
  const interrupt = new Interrupt(interruptWaitMs(), (line) => process.stderr.write(`${line}\n`));
  const uninstall = interrupt.install();
  journal({ command: verb, event: 'start', changes: plan.changes.length, env: p.names.ownerMark,
    project: p.config.projectId, target: targetName(p) });
  let applied: AppliedChange[];
  try {
    const applying = applyPlan(p.ctx, p.graph, plan, recovering(HANDLERS), (e) => {
      interrupt.observe(e);
      if (interrupt.abandoned) return;
      const line = progressLine(e, color);
      if (line) process.stderr.write(`${line}\n`);
      if (e.type === 'change-done' || e.type === 'change-failed' || e.type === 'change-skipped') {
        journal({ command: verb, event: e.type, address: e.change.address, action: e.change.action });
      }
    }, { shouldStop: () => interrupt.stopping });
    applied = await Promise.race([applying, interrupt.gaveUp.then(() => interrupt.outcomes(plan.changes))]);
  } finally {
    uninstall();
  }
  if (interrupt.abandoned) {
    for (const c of applied.filter((x) => x.status === 'failed' && /^interrupted/.test(x.error ?? ''))) {
      journal({ command: verb, event: 'change-interrupted', address: c.address, action: c.action });
    }
    // Work still runs (operations being followed): leave once the report is out.
    setTimeout(() => process.exit(), 3000).unref();
  }
  applied = [...before, ...applied];

  // 5. Report.
  const failed = applied.filter((c) => c.status !== 'done');
  journal({ command: verb, event: 'end', failed: failed.length });
  if (opts.json) printJson(planJson(shown, applied));
  const s = p.session.stats;
  process.stderr.write(`\n${verb}: ${applied.length - failed.length} of ${applied.length} changes done ` +
    `(${s.calls} API calls, ${s.retries} retries)\n`);
  if (failed.length) {
    for (const f of failed) process.stderr.write(`  ${f.status}: ${f.address}${f.error ? `: ${f.error}` : ''}\n`);
    process.stderr.write(`Run \`dpgce ${verb}\` again to finish: it picks up from what exists.\n`);
    process.exitCode = 1;
  }
}

async function confirm(verb: string, p: Prepared): Promise<void> {
  if (!process.stdin.isTTY) throw new CliError(`${verb} needs confirmation: run it on a terminal or pass --yes`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${verb} environment "${p.names.ownerMark}" in project ${p.config.projectId} ` +
    `(${targetName(p)})? Type "yes" to continue: `);
  rl.close();
  if (answer.trim() !== 'yes') throw new CliError('not confirmed; nothing was changed');
}
