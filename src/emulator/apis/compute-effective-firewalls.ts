import type { Router } from '../router.js';
import { mustGet } from './compute-common.js';

// `networks.getEffectiveFirewalls`: the firewall rules and firewall policies
// in force on a network (googleapis compute v1
// `Schema$NetworksGetEffectiveFirewallsResponse`). The emulator has no
// hierarchical or network firewall policies, so the answer holds the
// network's VPC firewall rules only and no `firewallPolicys` (an empty list
// is left out, as compute does with empty repeated fields).

export function registerEffectiveFirewalls(r: Router): void {
  r.add(
    { api: 'compute', method: 'GET', path: '/compute/v1/projects/{project}/global/networks/{network}/getEffectiveFirewalls' },
    (req, ctx) => {
      const network = mustGet(ctx, `projects/${req.params.project}/global/networks/${req.params.network}`);
      const firewalls = ctx.store.list(`projects/${req.params.project}/global/firewalls`)
        .filter((f) => f.network === network.selfLink);
      return firewalls.length ? { firewalls } : {};
    },
  );
}
