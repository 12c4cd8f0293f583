import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { runCli } from '../helpers/cli.js';
import { changeState, compute, insertFirewall, NETWORK, PROJECT, REGION, type Request } from './emulator-changes.js';

// `dpgce doctor --local --json` on an environment `up --local` built, then
// with one fault injected through the emulator's API, as a user's change
// would arrive. Each fault must give its named FAIL (or WARN) with evidence
// that names the deciding resource and a fix.

interface Check { name: string; status: string; evidence: string; fix: string }

async function doctor(ws: BuiltWorkspace): Promise<{ code: number | null; checks: Map<string, Check> }> {
  const r = await runCli(['doctor', '--json', ...ws.target], { cwd: ws.dir });
  const checks = (JSON.parse(r.stdout).checks as Check[]).filter((c) => c.name.startsWith('isolation.'));
  return { code: r.code, checks: new Map(checks.map((c) => [c.name, c])) };
}

async function faulted(change: (request: Request) => Promise<void>): Promise<{ code: number | null; checks: Map<string, Check> }> {
  const ws = await builtWorkspace();
  await changeState(ws.state, change);
  return doctor(ws);
}

function expectFail(checks: Map<string, Check>, name: string, evidence: RegExp, fix: RegExp, status = 'fail'): void {
  const c = checks.get(name);
  assert.ok(c, `${name} is reported`);
  assert.equal(c.status, status, `${name}: ${c.evidence}`);
  assert.match(c.evidence, evidence);
  assert.match(c.fix, fix);
}

const statuses = (checks: Map<string, Check>, ...names: string[]): string[] => names.map((n) => checks.get(n)!.status);

const SUBNET = 'main-subnet';
const NAT_ROUTER = {
  name: 'cluster-nat-router', network: NETWORK,
  nats: [{ name: 'cluster-nat', natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
    subnetworks: [{ name: `${NETWORK.replace(/global\/networks\/.*/, '')}regions/${REGION}/subnetworks/${SUBNET}`,
      sourceIpRangesToNat: ['ALL_IP_RANGES'] }] }],
};
const ALLOW_ALL_EGRESS = { name: 'allow-all-egress', direction: 'EGRESS', priority: 100,
  allowed: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] };

describe('doctor: isolation', () => {
  it('passes every isolation check on a fresh environment, naming the deciding rule and gateway', async () => {
    const { checks } = await doctor(await builtWorkspace());
    assert.equal(checks.size, 13);
    for (const c of checks.values()) assert.equal(c.status, 'pass', `${c.name}: ${c.evidence}`);
    assert.match(checks.get('isolation.internet-direct')!.evidence, /unreachable.*dpgce-egress-deny-all/);
    assert.match(checks.get('isolation.proxy')!.evidence, /reachable \(delivered to gateway .*dpgce-swp\)/);
  });

  it('passes on a built GPU cluster, whose nodes carry the cluster tag and service account', async () => {
    const { checks } = await doctor(await builtWorkspace('gpu'));
    for (const c of checks.values()) assert.equal(c.status, 'pass', `${c.name}: ${c.evidence}`);
    assert.match(checks.get('isolation.firewall-targets')!.evidence, /nodes carry gpu-cluster-node/);
  });

  it('an egress allow-all rule at a better priority than the deny fails the egress firewall layer', async () => {
    const { code, checks } = await faulted((request) => insertFirewall(request, ALLOW_ALL_EGRESS));
    assert.equal(code, 1);
    expectFail(checks, 'isolation.egress-firewall', /allowed by firewall rule allow-all-egress \(allow, priority 100\)/,
      /gcloud compute firewall-rules delete allow-all-egress --project=dpgce-demo-project/);
    // Still no NAT and no external IP: the internet stays out of reach, and says why.
    assert.match(checks.get('isolation.internet-direct')!.evidence, /unreachable.*NO_EXTERNAL_ADDRESS/);
  });

  it('a Cloud NAT for the cluster subnet fails its layer, and with the allow-all rule the internet is reachable', async () => {
    const ws = await builtWorkspace();
    await changeState(ws.state, (request) => request('POST', compute(`regions/${REGION}/routers`), NAT_ROUTER));
    let { checks } = await doctor(ws);
    expectFail(checks, 'isolation.cloud-nat', /Cloud NAT cluster-nat of router cluster-nat-router serves subnetwork main-subnet/,
      /gcloud compute routers nats delete cluster-nat --router=cluster-nat-router --region=us-central1/);
    assert.deepEqual(statuses(checks, 'isolation.internet-direct', 'isolation.egress-firewall'), ['pass', 'pass']);

    await changeState(ws.state, (request) => insertFirewall(request, ALLOW_ALL_EGRESS));
    ({ checks } = await doctor(ws));
    expectFail(checks, 'isolation.internet-direct',
      /reachable \(Cloud NAT cluster-nat .*\); route default-route-\w+; firewall allow-all-egress/,
      /firewall rule allow-all-egress allows the egress; Cloud NAT cluster-nat of router cluster-nat-router translates it/);
  });

  it('Private Google Access turned off on the cluster subnet fails naming the subnet', async () => {
    const { checks } = await faulted((request) => request('POST',
      compute(`regions/${REGION}/subnetworks/${SUBNET}/setPrivateIpGoogleAccess`), { privateIpGoogleAccess: false }));
    expectFail(checks, 'isolation.private-google-access', /subnetwork main-subnet has Private Google Access off/,
      /run `dpgce up`/);
    expectFail(checks, 'isolation.google-apis', /unreachable \(Private Google Access is off for subnetwork main-subnet/,
      /Private Google Access on main-subnet/);
    // DNS still answers right: one cause, and the zone is not blamed for it.
    const dns = checks.get('isolation.googleapis-dns')!;
    assert.equal(dns.status, 'pass', dns.evidence);
  });

  it('F18: a cluster subnet recreated by hand without Private Google Access is reused, and the fix is the command', async () => {
    const { checks } = await faulted(async (request) => {
      await request('DELETE', compute(`regions/${REGION}/subnetworks/${SUBNET}`));
      await request('POST', compute(`regions/${REGION}/subnetworks`),
        { name: SUBNET, network: NETWORK, ipCidrRange: '10.10.0.0/24', privateIpGoogleAccess: false });
    });
    expectFail(checks, 'isolation.private-google-access', /subnetwork main-subnet has Private Google Access off/,
      /main-subnet is reused, not created by dpgce: enable it with `gcloud compute networks subnets update main-subnet --region=us-central1 --enable-private-ip-google-access --project=dpgce-demo-project`/);
  });

  it('a deleted default route fails with why Dataproc, Private Google Access and the proxy NAT need it', async () => {
    const { checks } = await faulted(async (request) => {
      const routes = await request('GET', compute('global/routes'));
      const route = routes.items.find((r: any) => r.destRange === '0.0.0.0/0');
      await request('DELETE', compute(`global/routes/${route.name}`));
    });
    expectFail(checks, 'isolation.default-route', /network dpgce-net has no 0.0.0.0\/0 route to the default internet gateway/,
      /run `dpgce up` to restore it: Dataproc, Private Google Access and the proxy's Cloud NAT need/);
    expectFail(checks, 'isolation.google-apis', /unreachable \(no route of the network covers 199.36.153.8 \(NO_ROUTE\)\)/, /dpgce up/);
  });

  it('a deleted deny-all egress rule fails the egress layer on the implied allow-egress rule', async () => {
    const { checks } = await faulted(async (request) => {
      await request('DELETE', compute('global/firewalls/dpgce-egress-deny-all'));
    });
    expectFail(checks, 'isolation.egress-firewall', /allowed by default-allow-egress \(IMPLIED_VPC_FIREWALL_RULE, priority 65535\)/,
      /run `dpgce up` to restore firewall rule dpgce-egress-deny-all/);
  });

  it('a rule denying the proxy port fails the proxy question, naming the rule', async () => {
    const { checks } = await faulted((request) => insertFirewall(request, { name: 'deny-proxy', direction: 'EGRESS',
      priority: 900, denied: [{ IPProtocol: 'tcp', ports: ['3128'] }], destinationRanges: ['10.11.0.250/32'] }));
    expectFail(checks, 'isolation.proxy', /unreachable \(egress TCP 3128 denied by firewall rule deny-proxy \(deny, priority 900\)\)/,
      /SWP_IP 10.11.0.250 and SWP_PORT 3128/);
  });

  it('without the gateway the proxy address answers nothing, though the firewall allows it', async () => {
    const { checks } = await faulted((request) =>
      request('DELETE', `/v1/projects/${PROJECT}/locations/${REGION}/gateways/dpgce-swp`));
    expectFail(checks, 'isolation.proxy', /no Secure Web Proxy gateway of network dpgce-net in us-central1 has address 10.11.0.250/,
      /run `dpgce up` to create gateway dpgce-swp at SWP_IP 10.11.0.250, port SWP_PORT 3128/);
  });

  it('a rule denying UDP between nodes fails the intra-cluster question; a rule for an unused tag warns', async () => {
    const { checks } = await faulted(async (request) => {
      await insertFirewall(request, { name: 'deny-udp', direction: 'INGRESS', priority: 900,
        denied: [{ IPProtocol: 'udp', ports: ['5000-6000'] }], sourceRanges: ['10.10.0.0/24'] });
      await insertFirewall(request, { name: 'legacy-web', direction: 'INGRESS', priority: 1000,
        allowed: [{ IPProtocol: 'tcp', ports: ['80'] }], sourceRanges: ['10.0.0.0/8'], targetTags: ['web'] });
    });
    expectFail(checks, 'isolation.intra-cluster', /UDP: unreachable \(ingress UDP 5000 at 10.10.0.3 denied by firewall rule deny-udp/,
      /TCP and UDP 0-65535 and ICMP/);
    expectFail(checks, 'isolation.firewall-targets', /firewall rule legacy-web targets web; nodes carry no network tag/,
      /delete legacy-web or make it target a tag cluster nodes carry/, 'warn');
  });

  it('googleapis.com without the wildcard record fails the DNS check', async () => {
    const { checks } = await faulted((request) => request('DELETE',
      `/dns/v1/projects/${PROJECT}/managedZones/dpgce-googleapis/rrsets/${encodeURIComponent('*.googleapis.com.')}/CNAME`));
    expectFail(checks, 'isolation.googleapis-dns', /zone dpgce-googleapis \(googleapis.com.\) has no record for storage.googleapis.com./,
      /restore private zone dpgce-googleapis/);
  });

  it('private.googleapis.com answering with other addresses fails the DNS check', async () => {
    const { checks } = await faulted((request) => request('PATCH',
      `/dns/v1/projects/${PROJECT}/managedZones/dpgce-googleapis/rrsets/private.googleapis.com./A`,
      { rrdatas: ['199.36.153.4', '199.36.153.5', '199.36.153.6', '199.36.153.7'] }));
    expectFail(checks, 'isolation.googleapis-dns',
      /A 199.36.153.4, .*: 199.36.153.4, 199.36.153.5, 199.36.153.6, 199.36.153.7 outside private.googleapis.com \(199.36.153.8\/30\)/,
      /private.googleapis.com. A 199.36.153.8-11/);
  });

  it('without the cluster subnet no node exists, so even the metadata server is unreachable', async () => {
    const { checks } = await faulted((request) => request('DELETE', compute(`regions/${REGION}/subnetworks/${SUBNET}`)));
    expectFail(checks, 'isolation.metadata-server', /unreachable \(no subnetwork main-subnet of network dpgce-net in us-central1 holds 10.10.0.2\)/,
      /create main-subnet with `dpgce up`/);
    expectFail(checks, 'isolation.private-google-access', /subnetwork main-subnet \(SUBNET\) is not in network dpgce-net/, /dpgce up/);
  });
});
