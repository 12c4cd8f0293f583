import { fail, pass, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import { gpuQuotaCheck } from './gpu-quota.js';
import { orgPolicyChecks } from './org-policy.js';
import { permissionChecks } from './preflight-permissions.js';

// The `preflight` group: what must hold before `up` can build the
// environment, whether or not it is built yet. The services it needs are
// enabled; the caller may do what `up` does; no organisation policy
// constraint refuses the plan; the region has the GPU quota the cluster
// asks for. The reads are independent and run side by side.

export const preflight: CheckGroup = {
  name: 'preflight',
  async run(dc: DoctorContext): Promise<CheckResult[]> {
    const [permissions, policies, quota] = await Promise.all([
      permissionChecks(dc), orgPolicyChecks(dc), gpuQuotaCheck(dc),
    ]);
    return [servicesEnabled(dc), ...permissions, ...policies, quota];
  },
};

/** The `service.*` resources of the graph, as the read phase found them. */
function servicesEnabled(dc: DoctorContext): CheckResult {
  const name = 'preflight.services-enabled';
  const services = dc.p.graph.filter((d) => d.kind === 'service');
  const disabled = services.filter((d) => !dc.p.ctx.observed.get(d.address)?.exists).map((d) => d.spec.service as string);
  const project = dc.p.config.projectId;
  if (!disabled.length) return pass(name, `all ${services.length} services the environment uses are enabled in ${project}`);
  return fail(name, `not enabled in project ${project}: ${disabled.join(', ')}`,
    `run \`dpgce up\` (it enables them first), or \`gcloud services enable ${disabled.join(' ')} --project=${project}\``);
}
