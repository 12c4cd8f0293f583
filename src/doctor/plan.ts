import { planUp } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { fail, pass, warn, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';

// The `plan` group: what `dpgce plan` would say about the environment as it
// is, from the state doctor has already read (no further request). What
// stops the plan (a GPU the machine type cannot take, Secure Boot without a
// custom image or signing secrets, a resource someone else owns under one of
// our names) stops `up` too, so doctor reports it rather than leaving it to
// a later run; changes still pending mean the cloud differs from env.json.

export const plan: CheckGroup = {
  name: 'plan',
  async run(dc: DoctorContext): Promise<CheckResult[]> {
    const result = planUp(dc.p.graph, dc.p.ctx.observed, HANDLERS);
    const blockers = result.blockers.length
      ? fail('plan.blockers', result.blockers.map((b) => `${b.address}: ${b.summary}`).join('; '),
        [...new Set(result.blockers.map((b) => b.detail))].join(' '))
      : pass('plan.blockers', 'nothing stops `dpgce up`');
    const changes = result.changes;
    const pending = changes.length
      ? warn('plan.pending-changes', `${changes.length} change(s) \`dpgce up\` would make: ` +
        // Field names, not values: `dpgce plan` shows the values.
        changes.map((c) => `${c.action} ${c.address} (${c.diffs?.length ? c.diffs.map((f) => f.field).join(', ') : c.reason})`).join('; '),
      result.blockers.length ? 'resolve plan.blockers first, then run `dpgce up`' : 'run `dpgce plan` to review them, then `dpgce up`')
      : pass('plan.pending-changes', `the environment matches env.json (${result.unchanged.length} resources up to date)`);
    return [blockers, pending];
  },
};
