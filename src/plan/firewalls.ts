import type { EnvConfig } from '../config/types.js';
import type { ResourceNames } from '../config/names.js';

// The firewall rules that make the network private without deleting its
// default route (DESIGN.md §5). Every rule applies to all instances of the
// network, so none targets a tag that nothing carries: ingress only from the
// VPC's own ranges; egress only to the proxy, the Private Google Access VIPs
// and the VPC's ranges; everything else denied. Allows sit at priority 1000,
// the deny-all at 65000, so an allow always wins.

/** private.googleapis.com: the VIPs Private Google Access serves. */
export const PRIVATE_GOOGLE_ACCESS_RANGE = '199.36.153.8/30';

const ALL_TRAFFIC = [{ IPProtocol: 'tcp' }, { IPProtocol: 'udp' }, { IPProtocol: 'icmp' }];

export function firewallSpecs(config: EnvConfig, names: ResourceNames, network: string): Record<string, Record<string, any>> {
  const vpcRanges = [config.range, config.privateRange];
  const f = names.firewall;
  const rule = (name: string, why: string, body: Record<string, unknown>): Record<string, unknown> => ({
    name, network, priority: 1000, description: `${why} [dpgce-env=${names.ownerMark}]`, ...body,
  });

  return {
    'allow-internal': rule(f.allowInternal, 'intra-VPC traffic among cluster nodes',
      { direction: 'INGRESS', allowed: ALL_TRAFFIC, sourceRanges: vpcRanges }),
    'egress-proxy': rule(f.egressProxy, 'nodes reach the Secure Web Proxy',
      { direction: 'EGRESS', allowed: [{ IPProtocol: 'tcp', ports: [String(config.swpPort)] }],
        destinationRanges: [`${config.swpIp}/32`] }),
    'egress-google-apis': rule(f.egressGoogleApis, 'nodes reach Google APIs over Private Google Access',
      { direction: 'EGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['443'] }],
        destinationRanges: [PRIVATE_GOOGLE_ACCESS_RANGE] }),
    'egress-internal': rule(f.egressInternal, 'nodes reach the VPC ranges',
      { direction: 'EGRESS', allowed: ALL_TRAFFIC, destinationRanges: vpcRanges }),
    'egress-deny-all': rule(f.egressDenyAll, 'no direct internet egress',
      { direction: 'EGRESS', priority: 65000, denied: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] }),
  };
}
