import { planUp } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { blockedMessage, prepare, targetLine, type TargetOptions } from './context.js';
import { CliError } from './errors.js';
import { printJson, useColor } from './output.js';
import { planJson, planText } from './plan-view.js';

export interface PlanOptions extends TargetOptions {
  detailedExitcode?: boolean;
  adopt?: boolean;
}

/** `dpgce plan`: read-only; exit 2 with --detailed-exitcode when there are changes. */
export async function plan(opts: PlanOptions): Promise<void> {
  const p = await prepare(opts, 'up');
  try {
    const result = planUp(p.graph, p.ctx.observed, HANDLERS, { adopt: opts.adopt });
    if (opts.json) printJson(planJson(result));
    else process.stdout.write(`${targetLine(p)}\n${planText(result, useColor(process.stdout), p.graph)}`);
    if (result.blockers.length) throw new CliError(blockedMessage(result));
    else if (opts.detailedExitcode && result.changes.length) process.exitCode = 2;
  } finally {
    await p.session.close();
  }
}
