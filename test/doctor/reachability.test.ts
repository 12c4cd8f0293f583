import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolve } from '../../src/doctor/dns-resolution.js';
import type { FirewallRule, NetworkModel, Route } from '../../src/doctor/network-model.js';
import { analyze, selectRoute, type IsolationQuestion, type SourceNode } from '../../src/doctor/reachability.js';

// The analysis on hand-built models: one network with a cluster subnet
// (10.0.0.0/24, Private Google Access on), a proxy subnet holding a gateway
// at 10.1.0.5:3128, the default route, and firewall rules chosen per test.

const rule = (name: string, extra: Partial<FirewallRule>): FirewallRule => ({
  name, direction: 'EGRESS', priority: 1000, action: 'allow', entries: [{ protocol: 'all', ports: [] }],
  sourceRanges: [], destinationRanges: [], sourceTags: [], targetTags: [], sourceServiceAccounts: [],
  targetServiceAccounts: [], disabled: false, ...extra,
});

const route = (name: string, destRange: string, extra: Partial<Route> = {}): Route => ({
  name, destRange, priority: 1000, tags: [], nextHop: { kind: 'internet-gateway' }, subnet: false, ...extra,
});

const DENY_ALL = rule('deny-all', { priority: 65000, action: 'deny', destinationRanges: ['0.0.0.0/0'] });

function model(extra: Partial<NetworkModel> = {}): NetworkModel {
  return {
    network: 'projects/p/global/networks/n', region: 'r',
    routes: [route('default-route', '0.0.0.0/0')],
    firewalls: [DENY_ALL],
    subnetworks: [
      { name: 'cluster', ranges: ['10.0.0.0/24'], privateIpGoogleAccess: true, purpose: 'PRIVATE' },
      { name: 'private', ranges: ['10.1.0.0/24'], privateIpGoogleAccess: true, purpose: 'PRIVATE' },
    ],
    nats: [], zones: [],
    gateways: [{ name: 'swp', addresses: ['10.1.0.5'], ports: [3128] }],
    ...extra,
  };
}

const NODE: SourceNode = { ipAddress: '10.0.0.2', subnetwork: 'cluster', tags: ['node'], serviceAccount: 'sa@p.iam', externalIp: false };

const ask = (ipAddress: string, port: number | undefined, protocol: IsolationQuestion['protocol'] = 'TCP'): IsolationQuestion =>
  ({ id: 'q', description: 'q', protocol, destination: { ipAddress, port }, expect: 'reachable' });

const INTERNET = ask('203.0.113.10', 443);

describe('analyze: the egress firewall', () => {
  it('lets the lowest priority number decide', () => {
    const m = model({ firewalls: [DENY_ALL, rule('allow-all', { priority: 100, destinationRanges: ['0.0.0.0/0'] })],
      nats: [{ router: 'r1', name: 'nat', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES', subnetworks: [], endpointTypes: ['ENDPOINT_TYPE_VM'] }] });
    const a = analyze(m, NODE, INTERNET);
    assert.deepEqual([a.reachable, a.route, a.firewall], [true, 'default-route', ['allow-all']]);
    assert.match(a.reason, /Cloud NAT nat of router r1/);
  });

  it('puts a deny before an allow at equal priority', () => {
    const m = model({ firewalls: [rule('allow', { priority: 500 }), rule('deny', { priority: 500, action: 'deny' })] });
    const a = analyze(m, NODE, ask('10.1.0.5', 3128));
    assert.deepEqual([a.reachable, a.firewall], [false, ['deny']]);
    assert.match(a.reason, /egress TCP 3128 denied by firewall rule deny \(deny, priority 500\)/);
  });

  it('skips disabled rules and falls back to the implied allow-egress rule', () => {
    const m = model({ firewalls: [{ ...DENY_ALL, disabled: true }] });
    const a = analyze(m, NODE, ask('10.1.0.5', 3128));
    assert.deepEqual([a.reachable, a.firewall], [true, ['default-allow-egress']]);
  });

  it('applies a rule only to the tags and service accounts it targets', () => {
    const other = rule('deny-other-tag', { priority: 10, action: 'deny', targetTags: ['other'] });
    const mine = rule('deny-my-account', { priority: 20, action: 'deny', targetServiceAccounts: ['sa@p.iam'] });
    assert.deepEqual(analyze(model({ firewalls: [other] }), NODE, ask('10.1.0.5', 3128)).firewall, ['default-allow-egress']);
    assert.deepEqual(analyze(model({ firewalls: [other, mine] }), NODE, ask('10.1.0.5', 3128)).firewall, ['deny-my-account']);
    const tagged = rule('deny-my-tag', { priority: 30, action: 'deny', targetTags: ['node'] });
    assert.deepEqual(analyze(model({ firewalls: [tagged] }), NODE, ask('10.1.0.5', 3128)).firewall, ['deny-my-tag']);
  });

  it('matches protocol, port ranges and destination ranges', () => {
    const allow = rule('proxy-port', { priority: 100, entries: [{ protocol: '6', ports: ['3000-3200'] }], destinationRanges: ['10.1.0.5/32'] });
    const m = model({ firewalls: [DENY_ALL, allow] });
    assert.equal(analyze(m, NODE, ask('10.1.0.5', 3128)).reachable, true);
    assert.deepEqual(analyze(m, NODE, ask('10.1.0.5', 3300)).firewall, ['deny-all']);
    assert.deepEqual(analyze(m, NODE, ask('10.1.0.5', 3128, 'UDP')).firewall, ['deny-all']);
  });
});

describe('analyze: ingress at another node, on every port', () => {
  const internal = rule('allow-internal', { direction: 'INGRESS', sourceRanges: ['10.0.0.0/24'],
    entries: [{ protocol: 'tcp', ports: [] }, { protocol: 'udp', ports: [] }, { protocol: 'icmp', ports: [] }] });
  const egress = rule('egress-internal', { destinationRanges: ['10.0.0.0/24'] });

  it('is denied by the implied deny-ingress rule without an allow', () => {
    const a = analyze(model({ firewalls: [DENY_ALL, egress] }), NODE, ask('10.0.0.3', undefined));
    assert.deepEqual([a.reachable, a.firewall], [false, ['egress-internal', 'default-deny-ingress']]);
    assert.match(a.reason, /IMPLIED_VPC_FIREWALL_RULE/);
  });

  it('finds the one denied port of a range', () => {
    const deny = rule('deny-8088', { direction: 'INGRESS', priority: 900, action: 'deny', sourceRanges: ['10.0.0.0/8'],
      entries: [{ protocol: 'tcp', ports: ['8088'] }] });
    const m = model({ firewalls: [DENY_ALL, egress, internal, deny] });
    const a = analyze(m, NODE, ask('10.0.0.3', undefined));
    assert.equal(a.reachable, false);
    assert.match(a.reason, /ingress TCP 8088 at 10\.0\.0\.3 denied by firewall rule deny-8088/);
    assert.equal(analyze(m, NODE, ask('10.0.0.3', undefined, 'UDP')).reachable, true);
    assert.deepEqual(analyze(m, NODE, ask('10.0.0.3', undefined, 'ICMP')).firewall, ['egress-internal', 'allow-internal']);
  });

  it('matches source tags and accounts of ingress rules', () => {
    const byTag = rule('from-nodes', { direction: 'INGRESS', sourceTags: ['node'] });
    assert.equal(analyze(model({ firewalls: [DENY_ALL, egress, byTag] }), NODE, ask('10.0.0.3', undefined)).reachable, true);
    const byOther = rule('from-others', { direction: 'INGRESS', sourceServiceAccounts: ['x@p.iam'] });
    assert.equal(analyze(model({ firewalls: [DENY_ALL, egress, byOther] }), NODE, ask('10.0.0.3', undefined)).reachable, false);
  });

  it('applies no ingress rule at a Secure Web Proxy gateway, which takes its own ports only', () => {
    const m = model({ firewalls: [] });
    assert.equal(analyze(m, NODE, ask('10.1.0.5', 3128)).reachable, true);
    assert.match(analyze(m, NODE, ask('10.1.0.5', 80)).reason, /listens on TCP 3128 only/);
  });
});

describe('analyze: routes and next hops', () => {
  it('prefers a subnet route, then the most specific prefix, then the lowest priority number', () => {
    const m = model({ routes: [
      route('default-route', '0.0.0.0/0'),
      route('wide-better-priority', '203.0.113.0/24', { priority: 10, nextHop: { kind: 'instance', target: 'a' } }),
      route('narrow', '203.0.113.0/28', { priority: 900, nextHop: { kind: 'instance', target: 'b' } }),
      route('narrow-worse', '203.0.113.0/28', { priority: 950, nextHop: { kind: 'instance', target: 'c' } }),
      route('into-subnet', '10.0.0.0/28', { priority: 0, nextHop: { kind: 'ip', target: '10.9.9.9' } }),
    ] });
    assert.equal(selectRoute(m, NODE, '203.0.113.10')?.name, 'narrow');
    assert.equal(selectRoute(m, NODE, '203.0.113.200')?.name, 'wide-better-priority');
    assert.equal(selectRoute(m, NODE, '10.0.0.3')?.name, 'subnet route 10.0.0.0/24 (cluster)');
  });

  it('uses tagged routes only for nodes with the tag', () => {
    const m = model({ routes: [route('default-route', '0.0.0.0/0'),
      route('tagged', '203.0.113.0/24', { tags: ['other'], nextHop: { kind: 'instance', target: 'x' } })] });
    assert.equal(selectRoute(m, NODE, '203.0.113.10')?.name, 'default-route');
  });

  it('has no route to the internet or to Google APIs without the default route', () => {
    const m = model({ routes: [], firewalls: [] });
    const a = analyze(m, NODE, ask('199.36.153.8', 443));
    assert.deepEqual([a.reachable, a.route], [false, undefined]);
    assert.match(a.reason, /NO_ROUTE/);
  });

  it('reaches private.googleapis.com only with Private Google Access on the source subnetwork', () => {
    const off = model({ firewalls: [] });
    off.subnetworks[0] = { ...off.subnetworks[0], privateIpGoogleAccess: false };
    assert.match(analyze(off, NODE, ask('199.36.153.8', 443)).reason, /PRIVATE_GOOGLE_ACCESS_DISALLOWED/);
    assert.equal(analyze(model({ firewalls: [] }), NODE, ask('199.36.153.8', 443)).reachable, true);
  });

  it('does not count a Google API VIP routed to an appliance as Private Google Access', () => {
    const m = model({ firewalls: [], routes: [route('default-route', '0.0.0.0/0'),
      route('apis-via-appliance', '199.36.153.8/30', { nextHop: { kind: 'instance', target: 'proxy-vm' } })] });
    const a = analyze(m, NODE, ask('199.36.153.8', 443));
    assert.deepEqual([a.reachable, a.route], [false, 'apis-via-appliance']);
    assert.match(a.reason, /needs a route to the default internet gateway/);
  });

  it('needs an external IP or a Cloud NAT serving the subnetwork for the internet', () => {
    const nat = (source: string, subnetworks: string[], endpointTypes = ['ENDPOINT_TYPE_VM']) => model({ firewalls: [],
      nats: [{ router: 'r1', name: 'nat', sourceSubnetworkIpRangesToNat: source, subnetworks, endpointTypes }] });
    assert.match(analyze(model({ firewalls: [] }), NODE, INTERNET).reason, /NO_EXTERNAL_ADDRESS/);
    assert.equal(analyze(model({ firewalls: [] }), { ...NODE, externalIp: true }, INTERNET).reachable, true);
    assert.equal(analyze(nat('LIST_OF_SUBNETWORKS', ['private']), NODE, INTERNET).reachable, false);
    assert.equal(analyze(nat('LIST_OF_SUBNETWORKS', ['cluster']), NODE, INTERNET).reachable, true);
    assert.equal(analyze(nat('ALL_SUBNETWORKS_ALL_IP_RANGES', [], ['ENDPOINT_TYPE_SWG']), NODE, INTERNET).reachable, false);
  });

  it('answers nothing reachable from an address outside the source subnetwork', () => {
    const a = analyze(model(), { ...NODE, ipAddress: '10.9.0.2' }, ask('169.254.169.254', 80));
    assert.deepEqual([a.reachable, a.reason], [false, 'no subnetwork cluster of network n in r holds 10.9.0.2']);
  });

  it('always reaches the metadata server, whatever the firewall and routes', () => {
    const a = analyze(model({ routes: [], firewalls: [rule('deny', { priority: 0, action: 'deny' })] }), NODE, ask('169.254.169.254', 80));
    assert.deepEqual([a.reachable, a.firewall], [true, []]);
  });
});

describe('resolve', () => {
  const zone = (name: string, dnsName: string, records: Array<[string, string, string[]]>) =>
    ({ name, dnsName, records: records.map(([n, type, rrdatas]) => ({ name: n, type, rrdatas })) });

  it('follows a wildcard CNAME to the A record, and the most specific zone wins', () => {
    const apis = zone('apis', 'googleapis.com.', [['private.googleapis.com.', 'A', ['199.36.153.8']],
      ['*.googleapis.com.', 'CNAME', ['private.googleapis.com.']]]);
    assert.deepEqual(resolve([apis], 'storage.googleapis.com.').addresses, ['199.36.153.8']);
    const storage = zone('storage', 'storage.googleapis.com.', [['storage.googleapis.com.', 'A', ['10.9.9.9']]]);
    assert.deepEqual(resolve([apis, storage], 'storage.googleapis.com.').addresses, ['10.9.9.9']);
  });

  it('says which zone lacks the record, or that no zone covers the name', () => {
    const empty = zone('apis', 'googleapis.com.', []);
    assert.match(resolve([empty], 'storage.googleapis.com.').problem!, /zone apis \(googleapis.com.\) has no record/);
    assert.match(resolve([], 'storage.googleapis.com.').problem!, /no private zone/);
  });
});
