import type { Router } from '../router.js';
import { registerAddresses } from './compute-address.js';
import { registerEffectiveFirewalls } from './compute-effective-firewalls.js';
import { registerFirewalls } from './compute-firewall.js';
import { registerNetworks } from './compute-network.js';
import { registerRegions } from './compute-region.js';
import { registerRoutes } from './compute-route.js';
import { registerRouters } from './compute-router.js';
import { registerSubnetworks } from './compute-subnetwork.js';

// Compute Engine v1: the network collections dpgce uses, and regions (for
// their quotas). Operation polling (`/operations/{op}` and `/wait`) lives in
// operations.ts with the others.

export function registerCompute(r: Router): void {
  registerNetworks(r);
  registerSubnetworks(r);
  registerFirewalls(r);
  registerRoutes(r);
  registerRouters(r);
  registerAddresses(r);
  registerRegions(r);
  registerEffectiveFirewalls(r);
}
