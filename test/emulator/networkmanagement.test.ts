import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, WWW, client, type Client } from './raw-http.js';

// Network Management connectivity tests: the recorded request and response
// shapes (gcp-api-facts §18.7, KCC mocknetworkmanagement connectivitytest/crud)
// and reachability derived from the emulator's own compute state, built
// here through the emulated Compute API the way `dpgce up` builds it.

const T = '/v1/projects/p/locations/global/connectivityTests';
const TYPE = 'type.googleapis.com/google.cloud.networkmanagement.v1.';
const NET = 'projects/p/global/networks/net';
const DEFAULT = 'projects/p/global/networks/default';

async function finish(h: Client, op: any): Promise<any> {
  for (let i = 0; i < 20 && !op.done; i++) op = await h.ok('GET', `/v1/${op.name}`);
  assert.equal(op.done, true, `operation ${op.name} never finished`);
  return op;
}

let serial = 0;

/** Creates a test, waits for it, deletes it; returns the done operation's response. */
async function trace(h: Client, source: object, destination: object, extra: object = {}): Promise<any> {
  const id = `t${(serial += 1)}`;
  const done = await finish(h, await h.ok('POST', `${T}?testId=${id}`, { source, destination, protocol: 'TCP', ...extra }));
  await finish(h, await h.ok('DELETE', `${T}/${id}`));
  return done.response;
}

const fromNode = { ipAddress: '10.0.0.10', network: NET };
const steps = (t: any): any[] => t.reachabilityDetails.traces[0].steps;
const states = (t: any): string[] => steps(t).map((s) => s.state);
const firewall = (name: string, body: object) => ({ name, network: NET, priority: 1000, ...body });

describe('networkmanagement emulator', () => {
  let h: Client;
  before(async () => {
    h = await client();
    await h.compute('POST', `${C}/global/networks`, { name: 'net', autoCreateSubnetworks: false });
    await h.compute('POST', `${C}/regions/us-central1/subnetworks`,
      { name: 'cluster', network: NET, ipCidrRange: '10.0.0.0/24', privateIpGoogleAccess: true });
    await h.compute('POST', `${C}/regions/us-central1/subnetworks`,
      { name: 'private', network: NET, ipCidrRange: '10.0.1.0/24', privateIpGoogleAccess: true });
    await h.compute('POST', `${C}/global/firewalls`, firewall('egress-proxy',
      { direction: 'EGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['3128'] }], destinationRanges: ['10.0.1.245/32'] }));
    await h.compute('POST', `${C}/global/firewalls`, firewall('egress-google-apis',
      { direction: 'EGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], destinationRanges: ['199.36.153.8/30'] }));
    await h.compute('POST', `${C}/global/firewalls`, firewall('egress-deny-all',
      { direction: 'EGRESS', priority: 65000, denied: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] }));
  });
  after(async () => { await h.close(); });

  it('answers the recorded create, operation, GET and DELETE shapes', async () => {
    // The recording's project has a `default` network without firewall rules.
    await h.compute('POST', `${C}/global/networks`, { name: 'default', autoCreateSubnetworks: false });
    await h.compute('POST', `${C}/regions/us-east4/subnetworks`,
      { name: 'default', network: `${WWW}/global/networks/default`, ipCidrRange: '10.128.0.0/20' });
    const body = { bypassFirewallChecks: false, description: 'Test connectivity test', destination: { ipAddress: '10.128.0.2' },
      protocol: 'TCP', roundTrip: false, source: { ipAddress: '10.128.0.1', networkType: 'NETWORK_TYPE_UNSPECIFIED' } };
    const first = await h.ok('POST', `${T}?testId=test-recorded`, body);
    assert.match(first.name, /^projects\/p\/locations\/global\/operations\/.+/);
    assert.equal(first.done, undefined);
    assert.deepEqual(Object.keys(first.metadata).sort(), ['@type', 'apiVersion', 'createTime', 'target', 'verb']);
    assert.equal(first.metadata['@type'], `${TYPE}OperationMetadata`);
    assert.equal(first.metadata.verb, 'create');

    const done = await finish(h, first);
    const t = done.response;
    assert.equal(t['@type'], `${TYPE}ConnectivityTest`);
    assert.equal(t.name, 'projects/p/locations/global/connectivityTests/test-recorded');
    assert.deepEqual(t.source, { ipAddress: '10.128.0.1' });
    assert.equal(t.bypassFirewallChecks, undefined);
    assert.equal(t.roundTrip, undefined);
    assert.equal(t.reachabilityDetails.result, 'UNDETERMINED');
    assert.ok(t.reachabilityDetails.verifyTime);
    const tr = t.reachabilityDetails.traces[0];
    assert.equal(tr.forwardTraceId, 1);
    assert.deepEqual({ ...tr.endpointInfo, sourcePort: typeof tr.endpointInfo.sourcePort }, {
      destinationIp: '10.128.0.2', destinationPort: 80, protocol: 'TCP', sourceIp: '10.128.0.1', sourceNetworkUri: DEFAULT,
      sourcePort: 'number' });
    assert.deepEqual(states(t), ['START_FROM_PRIVATE_NETWORK', 'APPLY_EGRESS_FIREWALL_RULE', 'APPLY_ROUTE', 'ABORT']);
    const [start, , route, abort] = steps(t);
    assert.deepEqual(start.network, { displayName: 'default', matchedIpRange: '10.128.0.0/20',
      matchedSubnetUri: 'projects/p/regions/us-east4/subnetworks/default', region: 'us-east4', uri: DEFAULT });
    assert.deepEqual(steps(t)[1].firewall, { action: 'ALLOW', direction: 'EGRESS', displayName: 'default-allow-egress',
      firewallRuleType: 'IMPLIED_VPC_FIREWALL_RULE', networkUri: DEFAULT, priority: 65535 });
    assert.equal(start.projectId, 'p');
    assert.equal(route.route.routeType, 'SUBNET');
    assert.equal(route.route.nextHopType, 'NEXT_HOP_NETWORK');
    assert.match(route.route.displayName, /^default-route-[0-9a-f]{16}$/);
    assert.deepEqual(abort.abort, { cause: 'UNKNOWN_IP', ipAddress: '10.128.0.2', resourceUri: DEFAULT });

    const got = await h.ok('GET', `${T}/test-recorded`);
    assert.deepEqual(got.reachabilityDetails, t.reachabilityDetails);
    const list = await h.all(T, 'resources');
    assert.deepEqual(list.items.map((x) => x.name), [t.name]);

    const deleting = await h.ok('DELETE', `${T}/test-recorded`);
    assert.equal(deleting.metadata.verb, 'delete');
    assert.deepEqual((await finish(h, deleting)).response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
    const gone = await h.call('GET', `${T}/test-recorded`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.message, "Resource 'projects/p/locations/global/connectivityTests/test-recorded' was not found");
  });

  it('checks testId, endpoints and protocol, and refuses a second test of one name', async () => {
    const ok = { source: fromNode, destination: { ipAddress: '8.8.8.8', port: 443 } };
    for (const id of ['Upper', '1st', 'ends-', 'x'.repeat(41)]) {
      const r = await h.call('POST', `${T}?testId=${id}`, ok);
      assert.equal(r.status, 400, id);
      assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    }
    assert.equal((await h.call('POST', `${T}?testId=no-source`, { destination: ok.destination })).status, 400);
    assert.equal((await h.call('POST', `${T}?testId=bad-ip`, { ...ok, destination: { ipAddress: '8.8.8' } })).status, 400);
    assert.equal((await h.call('POST', `${T}?testId=bad-proto`, { ...ok, protocol: 'HTTP' })).status, 400);
    await h.ok('POST', `${T}?testId=${'a'.repeat(40)}`, ok);
    const again = await h.call('POST', `${T}?testId=${'a'.repeat(40)}`, ok);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.status, 'ALREADY_EXISTS');
    await finish(h, await h.ok('DELETE', `${T}/${'a'.repeat(40)}`));
  });

  it('drops internet traffic at the egress deny-all, naming the rule', async () => {
    const t = await trace(h, fromNode, { ipAddress: '8.8.8.8', port: 443 });
    assert.equal(t.reachabilityDetails.result, 'UNREACHABLE');
    assert.deepEqual(states(t), ['START_FROM_PRIVATE_NETWORK', 'APPLY_EGRESS_FIREWALL_RULE', 'DROP']);
    const [, fw, drop] = steps(t);
    assert.deepEqual(fw.firewall, { action: 'DENY', direction: 'EGRESS', displayName: 'egress-deny-all',
      firewallRuleType: 'VPC_FIREWALL_RULE', networkUri: NET, priority: 65000, uri: 'projects/p/global/firewalls/egress-deny-all' });
    assert.equal(fw.causesDrop, true);
    assert.equal(drop.drop.cause, 'FIREWALL_RULE');
    assert.equal(drop.drop.resourceUri, 'projects/p/global/firewalls/egress-deny-all');
  });

  it('reaches the proxy address through its allow rule and the subnet route', async () => {
    await h.ok('POST', '/_emulator/seed', { resources: { 'projects/p/locations/us-central1/gateways/swp': {
      type: 'SECURE_WEB_GATEWAY', ports: [3128], addresses: ['10.0.1.245'], network: NET,
      subnetwork: 'projects/p/regions/us-central1/subnetworks/private' } } });
    const t = await trace(h, fromNode, { ipAddress: '10.0.1.245', port: 3128 });
    assert.equal(t.reachabilityDetails.result, 'REACHABLE');
    assert.deepEqual(states(t), ['START_FROM_PRIVATE_NETWORK', 'APPLY_EGRESS_FIREWALL_RULE', 'APPLY_ROUTE', 'DELIVER']);
    assert.equal(steps(t)[1].firewall.displayName, 'egress-proxy');
    assert.equal(steps(t)[2].route.destIpRange, '10.0.1.0/24');
    assert.equal(steps(t)[3].deliver.resourceUri, 'projects/p/locations/us-central1/gateways/swp');
    const wrongPort = await trace(h, fromNode, { ipAddress: '10.0.1.245', port: 8080 });
    assert.equal(steps(wrongPort)[1].firewall.displayName, 'egress-deny-all');
  });

  it('delivers Google API VIP traffic with Private Google Access, and drops it without', async () => {
    const pga = await trace(h, fromNode, { ipAddress: '199.36.153.9', port: 443 });
    assert.equal(pga.reachabilityDetails.result, 'REACHABLE');
    assert.equal(steps(pga)[2].route.nextHopType, 'NEXT_HOP_INTERNET_GATEWAY');
    assert.equal(steps(pga)[2].route.routeType, 'STATIC');
    assert.deepEqual(steps(pga)[3].deliver, { target: 'GOOGLE_API', ipAddress: '199.36.153.9' });

    const subnet = await h.ok('GET', `${C}/regions/us-central1/subnetworks/cluster`);
    await h.compute('POST', `${C}/regions/us-central1/subnetworks/cluster/setPrivateIpGoogleAccess`, { privateIpGoogleAccess: false });
    const off = await trace(h, fromNode, { ipAddress: '199.36.153.9', port: 443 });
    await h.compute('POST', `${C}/regions/us-central1/subnetworks/cluster/setPrivateIpGoogleAccess`, { privateIpGoogleAccess: true });
    assert.equal(off.reachabilityDetails.result, 'UNREACHABLE');
    assert.deepEqual(steps(off).at(-1).drop.cause, 'PRIVATE_GOOGLE_ACCESS_DISALLOWED');
    assert.equal(steps(off).at(-1).drop.resourceUri, `projects/p/regions/us-central1/subnetworks/${subnet.name}`);
  });

  it('lets an allow-all egress rule at a better priority through, then needs an external address or Cloud NAT', async () => {
    await h.compute('POST', `${C}/global/firewalls`, firewall('allow-all-egress',
      { direction: 'EGRESS', priority: 100, allowed: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] }));
    const noNat = await trace(h, fromNode, { ipAddress: '8.8.8.8', port: 443 });
    assert.deepEqual(states(noNat), ['START_FROM_PRIVATE_NETWORK', 'APPLY_EGRESS_FIREWALL_RULE', 'APPLY_ROUTE', 'DROP']);
    assert.equal(steps(noNat)[1].firewall.displayName, 'allow-all-egress');
    assert.equal(steps(noNat)[3].drop.cause, 'NO_EXTERNAL_ADDRESS');

    const privateDst = await trace(h, fromNode, { ipAddress: '172.16.0.5', port: 443 });
    assert.equal(steps(privateDst).at(-1).drop.cause, 'PRIVATE_TRAFFIC_TO_INTERNET');

    // The proxy's own NAT serves only the proxy (ENDPOINT_TYPE_SWG), never the VMs.
    await h.compute('POST', `${C}/regions/us-central1/routers`, { name: 'swg-nat', network: NET, nats: [{ name: 'swg',
      natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES', endpointTypes: ['ENDPOINT_TYPE_SWG'] }] });
    assert.equal(steps(await trace(h, fromNode, { ipAddress: '8.8.8.8', port: 443 })).at(-1).drop.cause, 'NO_EXTERNAL_ADDRESS');

    await h.compute('POST', `${C}/regions/us-central1/routers`, { name: 'vm-nat', network: NET, nats: [{ name: 'cluster-nat',
      natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
      subnetworks: [{ name: `${WWW}/regions/us-central1/subnetworks/cluster`, sourceIpRangesToNat: ['ALL_IP_RANGES'] }] }] });
    const nat = await trace(h, fromNode, { ipAddress: '8.8.8.8', port: 443 });
    assert.equal(nat.reachabilityDetails.result, 'REACHABLE');
    assert.deepEqual(states(nat), ['START_FROM_PRIVATE_NETWORK', 'APPLY_EGRESS_FIREWALL_RULE', 'APPLY_ROUTE', 'NAT', 'DELIVER']);
    assert.equal(steps(nat)[3].nat.routerUri, 'projects/p/regions/us-central1/routers/vm-nat');
    assert.equal(steps(nat)[4].deliver.target, 'INTERNET');
    // The private subnetwork is not listed in that NAT.
    const other = await trace(h, { ipAddress: '10.0.1.10', network: NET }, { ipAddress: '8.8.8.8', port: 443 });
    assert.equal(steps(other).at(-1).drop.cause, 'NO_EXTERNAL_ADDRESS');

    // A deny at the same priority beats the allow.
    await h.compute('POST', `${C}/global/firewalls`, firewall('deny-all-egress-100',
      { direction: 'EGRESS', priority: 100, denied: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] }));
    const tie = await trace(h, fromNode, { ipAddress: '8.8.8.8', port: 443 });
    assert.equal(steps(tie)[1].firewall.displayName, 'deny-all-egress-100');
    for (const f of ['allow-all-egress', 'deny-all-egress-100']) await h.compute('DELETE', `${C}/global/firewalls/${f}`);
    for (const r of ['swg-nat', 'vm-nat']) await h.compute('DELETE', `${C}/regions/us-central1/routers/${r}`);
  });

  it('reruns a test against the state of now, and drops with NO_ROUTE once the default route is gone', async () => {
    const body = { source: fromNode, destination: { ipAddress: '199.36.153.8', port: 443 } };
    await finish(h, await h.ok('POST', `${T}?testId=rerun`, body));
    assert.equal((await h.ok('GET', `${T}/rerun`)).reachabilityDetails.result, 'REACHABLE');
    const routes = await h.all(`${C}/global/routes`, 'items');
    const route = routes.items.find((r) => r.destRange === '0.0.0.0/0' && r.network.endsWith('/networks/net'));
    await h.compute('DELETE', `${C}/global/routes/${route.name}`);
    const rerun = await h.ok('POST', `${T}/rerun:rerun`, {});
    assert.equal(rerun.metadata.verb, 'rerun');
    const after = (await finish(h, rerun)).response;
    assert.equal(after.reachabilityDetails.result, 'UNREACHABLE');
    assert.deepEqual(steps(after).at(-1).drop, { cause: 'NO_ROUTE', destinationIp: '199.36.153.8', resourceUri: NET,
      sourceIp: '10.0.0.10' });
    await h.compute('POST', `${C}/global/routes`, { name: 'restored-default', network: NET, destRange: '0.0.0.0/0',
      nextHopGateway: `${WWW}/global/gateways/default-internet-gateway` });
    await finish(h, await h.ok('DELETE', `${T}/rerun`));
  });

  it('delivers to the metadata server whatever the firewall says', async () => {
    const t = await trace(h, fromNode, { ipAddress: '169.254.169.254', port: 80 });
    assert.equal(t.reachabilityDetails.result, 'REACHABLE');
    assert.deepEqual(states(t), ['START_FROM_PRIVATE_NETWORK', 'DELIVER']);
  });

  it('places Dataproc nodes as VMs: ingress rules decide node-to-node traffic', async () => {
    await h.ok('POST', '/_emulator/seed', { resources: { 'projects/p/regions/us-central1/clusters/c': { clusterName: 'c', config: {
      gceClusterConfig: { subnetworkUri: `https://www.googleapis.com/compute/v1/${'projects/p/regions/us-central1/subnetworks/cluster'}`,
        zoneUri: 'https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a', internalIpOnly: true, tags: ['node'] },
      masterConfig: { instanceNames: ['c-m'] }, workerConfig: { instanceNames: ['c-w-0', 'c-w-1'] } } } } });
    const master = { instance: 'projects/p/zones/us-central1-a/instances/c-m' };
    const worker = { instance: 'projects/p/zones/us-central1-a/instances/c-w-0', port: 8088 };
    const denied = await trace(h, master, worker);
    assert.deepEqual(states(denied), ['START_FROM_INSTANCE', 'APPLY_EGRESS_FIREWALL_RULE', 'DROP']);
    assert.equal(steps(denied)[0].instance.networkTags[0], 'node');
    assert.equal(steps(denied)[1].firewall.displayName, 'egress-deny-all');

    await h.compute('POST', `${C}/global/firewalls`, firewall('egress-internal',
      { direction: 'EGRESS', allowed: [{ IPProtocol: 'all' }], destinationRanges: ['10.0.0.0/24', '10.0.1.0/24'] }));
    const implied = await trace(h, master, worker);
    assert.deepEqual(steps(implied)[3].firewall, { action: 'DENY', direction: 'INGRESS', displayName: 'default-deny-ingress',
      firewallRuleType: 'IMPLIED_VPC_FIREWALL_RULE', networkUri: NET, priority: 65535 });
    assert.equal(steps(implied)[4].drop.resourceUri, undefined);

    await h.compute('POST', `${C}/global/firewalls`, firewall('allow-internal',
      { direction: 'INGRESS', targetTags: ['node'], allowed: [{ IPProtocol: 'tcp' }], sourceRanges: ['10.0.0.0/24'] }));
    const t = await trace(h, master, worker);
    assert.equal(t.reachabilityDetails.result, 'REACHABLE');
    assert.deepEqual(states(t).slice(3), ['APPLY_INGRESS_FIREWALL_RULE', 'ARRIVE_AT_INSTANCE', 'DELIVER']);
    const workerIp = steps(t)[4].instance.internalIp;
    assert.match(workerIp, /^10\.0\.0\.\d+$/);
    assert.deepEqual(steps(t)[5].deliver, { target: 'INSTANCE', ipAddress: workerIp,
      resourceUri: 'projects/p/zones/us-central1-a/instances/c-w-0' });
  });

  it('cannot place a source outside every subnetwork', async () => {
    const t = await trace(h, { ipAddress: '192.168.7.7' }, { ipAddress: '8.8.8.8', port: 443 });
    assert.equal(t.reachabilityDetails.result, 'UNDETERMINED');
    assert.equal(steps(t)[0].abort.cause, 'NO_SOURCE_LOCATION');
  });
});

describe('networkmanagement with service enablement modelled', () => {
  it('refuses every call until networkmanagement.googleapis.com is enabled', async () => {
    const h = await client({ realism: { serviceEnableLag: 1 } });
    try {
      const refused = await h.call('GET', T);
      assert.equal(refused.status, 403);
      assert.equal(refused.json.error.details[0].reason, 'SERVICE_DISABLED');
      assert.match(refused.json.error.message, /^Network Management API has not been used in project/);
      const op = await h.ok('POST', '/v1/projects/p/services/networkmanagement.googleapis.com:enable', {});
      for (let i = 0; i < 5 && !(await h.ok('GET', `/v1/${op.name}`)).done; i++);
      assert.equal((await h.call('GET', T)).status, 403, 'refused for the lag after enabling');
      assert.equal((await h.call('GET', T)).status, 200);
    } finally {
      await h.close();
    }
  });
});
