import { expect, g, type Script } from './gcloud-scripts.js';

// Org Policy v2 and the region quotas, as the preflight checks of `dpgce
// doctor` read them and an administrator sets them: set-policy (a create,
// then an update), the effective policy with and without a policy, list,
// delete, and a region's GPU quotas.

const policy = (constraint: string, spec: string): string =>
  `name: projects/{P}/policies/${constraint}\nspec:\n${spec}`;

export const ORG_POLICY_SCRIPT: Script = {
  name: 'Org Policy, region quotas',
  project: 'conf-org-policy',
  files: {
    'shielded.yaml': policy('compute.requireShieldedVm', '  rules:\n  - enforce: true\n'),
    'shielded-off.yaml': policy('compute.requireShieldedVm', '  rules:\n  - enforce: false\n'),
    'locations.yaml': policy('gcp.resourceLocations',
      '  rules:\n  - values:\n      allowedValues: ["in:europe-locations"]\n'),
    'bad.yaml': policy('compute.requireShieldedVm', '  rules:\n  - allowAll: true\n'),
  },
  steps: [
    g('org-policies describe compute.requireShieldedVm --project={P}', { fails: /NOT_FOUND/ }),
    g('org-policies describe compute.requireShieldedVm --project={P} --effective',
      { check: expect('the constraint default', (o) => o.spec?.rules?.[0]?.enforce === false) }),
    g('org-policies set-policy {D}/shielded.yaml',
      { check: expect('a name with the project number', (o) => /^projects\/\d+\/policies\//.test(o.name)) }),
    g('org-policies set-policy {D}/shielded-off.yaml'),
    g('org-policies set-policy {D}/bad.yaml', { fails: /only in policies for list constraints/ }),
    g('org-policies set-policy {D}/locations.yaml'),
    g('org-policies describe gcp.resourceLocations --project={P} --effective',
      { check: expect('the allowed group', (o) => o.spec?.rules?.[0]?.values?.allowedValues?.[0] === 'in:europe-locations') }),
    g('org-policies list --project={P}', { check: expect('two policies', (o) => o.length === 2) }),
    g('org-policies delete compute.requireShieldedVm --project={P}'),
    g('org-policies delete gcp.resourceLocations --project={P}'),
    g('compute regions describe us-central1',
      { check: expect('GPU quotas', (o) => o.quotas?.some((q: any) => q.metric === 'NVIDIA_T4_GPUS')) }),
  ],
};
