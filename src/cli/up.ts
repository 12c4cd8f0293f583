import { planUp } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { confirmAndApply } from './apply-run.js';
import { prepare, type TargetOptions } from './context.js';
import type { LockFlags } from './locked-plan.js';

export interface UpOptions extends TargetOptions, LockFlags {
  yes?: boolean;
  adopt?: boolean;
  createCluster?: boolean;
}

/** `dpgce up`: converge the environment to env.json; the cluster too when CLUSTER_NAME is set. */
export async function up(opts: UpOptions): Promise<void> {
  // commander turns --no-create-cluster into createCluster: false.
  const p = await prepare(opts, 'up', { cluster: opts.createCluster !== false });
  try {
    const plan = (): ReturnType<typeof planUp> => planUp(p.graph, p.ctx.observed, HANDLERS, { adopt: opts.adopt });
    await confirmAndApply(p, plan(), opts, 'up', plan);
  } finally {
    await p.session.close();
  }
}
