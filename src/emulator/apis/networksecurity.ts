import type { Router } from '../router.js';
import { registerGatewaySecurityPolicyRules } from './gateway-security-policy-rule.js';
import { registerGatewaySecurityPolicies } from './gateway-security-policy.js';
import { registerTlsInspectionPolicies } from './tls-inspection-policy.js';
import { registerUrlLists } from './url-list.js';

// Network Security v1 (networksecurity.googleapis.com): the Secure Web
// Proxy's gateway security policies and their rules, TLS inspection
// policies and URL lists. Operations: `projects/*/locations/*/operations/*`
// (polled through apis/operations.ts).

export function registerNetworkSecurity(r: Router): void {
  registerGatewaySecurityPolicies(r);
  registerGatewaySecurityPolicyRules(r);
  registerTlsInspectionPolicies(r);
  registerUrlLists(r);
}
