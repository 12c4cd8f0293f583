import { planDown } from '../plan/plan.js';
import { confirmAndApply } from './apply-run.js';
import { prepare, type TargetOptions } from './context.js';
import type { LockFlags } from './locked-plan.js';

export interface DownOptions extends TargetOptions, LockFlags {
  yes?: boolean;
  deleteBucketContents?: boolean;
}

/** `dpgce down`: delete only what this environment owns. */
export async function down(opts: DownOptions): Promise<void> {
  const p = await prepare(opts, 'down');
  p.ctx.deleteBucketContents = opts.deleteBucketContents;
  try {
    const plan = (): ReturnType<typeof planDown> =>
      planDown(p.graph, p.ctx.observed, { deleteBucketContents: opts.deleteBucketContents });
    await confirmAndApply(p, plan(), opts, 'down', plan);
  } finally {
    await p.session.close();
  }
}
