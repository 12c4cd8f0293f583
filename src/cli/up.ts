import { planUp } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { confirmAndApply } from './apply-run.js';
import { prepare, type TargetOptions } from './context.js';

export interface UpOptions extends TargetOptions {
  yes?: boolean;
  adopt?: boolean;
  createCluster?: boolean;
}

/** `dpgce up`: converge the foundation to env.json. */
export async function up(opts: UpOptions): Promise<void> {
  const p = await prepare(opts, 'up');
  try {
    await confirmAndApply(p, planUp(p.graph, p.ctx.observed, HANDLERS, { adopt: opts.adopt }), opts, 'up');
  } finally {
    await p.session.close();
  }
}
