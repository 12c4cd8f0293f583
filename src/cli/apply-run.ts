import { createInterface } from 'node:readline/promises';
import { applyPlan, type AppliedChange } from '../apply/engine.js';
import { recovering } from '../apply/recovery.js';
import type { Plan } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { blockedMessage, journal, targetLine, targetName, type Prepared } from './context.js';
import { CliError } from './errors.js';
import { printJson, useColor } from './output.js';
import { planJson, planText, progressLine } from './plan-view.js';

// What up and down share once they have a plan: show it, confirm, apply
// with live progress, and report. SIGINT stops new work; what is running
// finishes, and the summary says what remains.

export async function confirmAndApply(p: Prepared, plan: Plan, opts: { yes?: boolean; json?: boolean }, verb: string): Promise<void> {
  const color = useColor(process.stderr);

  // 1. Blockers stop everything before any change.
  if (plan.blockers.length) {
    process.stderr.write(planText(plan, color));
    if (opts.json) printJson(planJson(plan));
    throw new CliError(blockedMessage(plan));
  }

  // 2. Show the plan; with --json, the plan goes to stderr and stdout keeps the one document.
  const out = opts.json ? process.stderr : process.stdout;
  out.write(`${targetLine(p)}\n`);
  out.write(planText(plan, opts.json ? color : useColor(process.stdout)));
  if (plan.changes.length === 0) {
    if (opts.json) printJson(planJson(plan, []));
    return;
  }
  if (!opts.yes) await confirm(verb, p);

  // 3. Apply.
  let stop = false;
  const onSigint = (): void => {
    stop = true;
    process.stderr.write('\ninterrupted: no new changes will start; waiting for those running\n');
  };
  process.on('SIGINT', onSigint);
  journal({ command: verb, event: 'start', changes: plan.changes.length, env: p.names.ownerMark,
    project: p.config.projectId, target: targetName(p) });
  let applied: AppliedChange[];
  try {
    applied = await applyPlan(p.ctx, p.graph, plan, recovering(HANDLERS), (e) => {
      const line = progressLine(e, color);
      if (line) process.stderr.write(`${line}\n`);
      if (e.type === 'change-done' || e.type === 'change-failed' || e.type === 'change-skipped') {
        journal({ command: verb, event: e.type, address: e.change.address, action: e.change.action });
      }
    }, { shouldStop: () => stop });
  } finally {
    process.off('SIGINT', onSigint);
  }

  // 4. Report.
  const failed = applied.filter((c) => c.status !== 'done');
  journal({ command: verb, event: 'end', failed: failed.length });
  if (opts.json) printJson(planJson(plan, applied));
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
