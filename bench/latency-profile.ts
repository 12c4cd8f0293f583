import type { LatencyProfile } from '../src/emulator/operations.js';

// Operation latencies for the benchmark: the real services' proportions
// (a Secure Web Proxy gateway takes many minutes, a CA a few, a firewall rule
// seconds), scaled down so one `up` takes seconds.

export const REALISTIC: LatencyProfile = {
  defaultMs: 100,
  rules: [
    { api: 'networkservices', collection: 'gateways', verb: 'create', ms: 3000 },
    { api: 'privateca', collection: 'certificateAuthorities', verb: 'create', ms: 1200 },
    { api: 'privateca', collection: 'certificateAuthorities', verb: 'enable', ms: 200 },
    { api: 'privateca', collection: 'caPools', verb: 'create', ms: 400 },
    { api: 'certificatemanager', collection: 'certificates', verb: 'create', ms: 800 },
    { api: 'certificatemanager', collection: 'certificateIssuanceConfigs', verb: 'create', ms: 300 },
    { api: 'networksecurity', collection: 'tlsInspectionPolicies', verb: 'create', ms: 300 },
    { api: 'networksecurity', collection: 'gatewaySecurityPolicies', verb: 'create', ms: 200 },
    { api: 'networksecurity', collection: 'rules', verb: 'create', ms: 150 },
    { api: 'compute', collection: 'networks', verb: 'insert', ms: 600 },
    { api: 'compute', collection: 'subnetworks', verb: 'insert', ms: 500 },
    { api: 'compute', collection: 'firewalls', verb: 'insert', ms: 250 },
    { api: 'compute', collection: 'routes', verb: 'insert', ms: 250 },
  ],
};

/** The latency of the operations one change of `kind` waits for, in order. */
export function changeLatency(kind: string, p: LatencyProfile = REALISTIC): number {
  const ms = (api: string, collection: string, verb: string): number =>
    p.rules.find((r) => r.api === api && r.collection === collection && r.verb === verb)?.ms ?? p.defaultMs;
  switch (kind) {
    case 'gateway': return ms('networkservices', 'gateways', 'create');
    case 'certificate-authority':
      return ms('privateca', 'certificateAuthorities', 'create') + ms('privateca', 'certificateAuthorities', 'enable');
    case 'ca-pool': return ms('privateca', 'caPools', 'create');
    case 'certificate': return ms('certificatemanager', 'certificates', 'create');
    case 'certificate-issuance-config': return ms('certificatemanager', 'certificateIssuanceConfigs', 'create');
    case 'tls-inspection-policy': return ms('networksecurity', 'tlsInspectionPolicies', 'create');
    case 'gateway-security-policy': return ms('networksecurity', 'gatewaySecurityPolicies', 'create');
    case 'gateway-security-policy-rule': return ms('networksecurity', 'rules', 'create');
    case 'network': return ms('compute', 'networks', 'insert');
    case 'subnetwork': return ms('compute', 'subnetworks', 'insert');
    case 'firewall': return ms('compute', 'firewalls', 'insert');
    case 'route': return ms('compute', 'routes', 'insert');
    case 'service': return p.defaultMs;
    default: return 0; // synchronous APIs: IAM, Cloud Storage, DNS record changes
  }
}
