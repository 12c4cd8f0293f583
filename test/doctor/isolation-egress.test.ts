import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { runCli, workspace } from '../helpers/cli.js';
import { check, doctor } from './doctor-run.js';
import { changeState, compute, insertFirewall, NETWORK, PROJECT, type Request } from './emulator-changes.js';

// `dpgce doctor --local --json` on a built environment changed through the
// emulator's API: the egress firewall and the routes judged over every
// destination, protocol and port (F17), the proxy's name as nodes resolve
// it, a default route that does not serve the nodes, and an environment not
// built yet. Where the fix is `dpgce up`, `plan` must show the change and
// doctor must pass after it.

const IGW = `projects/${PROJECT}/global/gateways/default-internet-gateway`;
const SWP_A = `/dns/v1/projects/${PROJECT}/managedZones/dpgce-swp/rrsets/${encodeURIComponent('swp.your.domain.com.')}/A`;

async function faulted(change: (request: Request) => Promise<void>): Promise<{ ws: BuiltWorkspace; run: Awaited<ReturnType<typeof doctor>> }> {
  const ws = await builtWorkspace();
  await changeState(ws.state, change);
  return { ws, run: await doctor(ws) };
}

/** `dpgce plan` must list `line`, then `dpgce up` applies it. */
async function planThenUp(ws: BuiltWorkspace, line: RegExp): Promise<void> {
  const plan = await runCli(['plan', ...ws.target], { cwd: ws.dir });
  assert.match(plan.stdout + plan.stderr, line);
  const up = await runCli(['up', '--yes', ...ws.target], { cwd: ws.dir });
  assert.equal(up.code, 0, up.stderr);
}

const route = (request: Request, body: Record<string, unknown>): Promise<any> =>
  request('POST', compute('global/routes'), { network: NETWORK, priority: 1000, ...body });

describe('doctor: isolation over every destination, protocol and port', () => {
  it('an egress allow of TCP 80 to the internet fails, though the sample 203.0.113.10:443 is denied', async () => {
    const { run } = await faulted((request) => insertFirewall(request, { name: 'allow-http', direction: 'EGRESS',
      priority: 1000, allowed: [{ IPProtocol: 'tcp', ports: ['80'] }], destinationRanges: ['0.0.0.0/0'] }));
    const c = check(run, 'isolation.egress-firewall');
    assert.equal(c.status, 'fail', c.evidence);
    assert.match(c.evidence, /to 0\.0\.0\.0-10\.9\.255\.255 on TCP 80 \(and \d+ more piece\(s\)\) is allowed by firewall rule allow-http \(allow, priority 1000\)/);
    assert.match(c.fix, /gcloud compute firewall-rules delete allow-http --project=dpgce-demo-project/);
    assert.equal(check(run, 'isolation.internet-direct').status, 'pass');
  });

  it('an allow shadowed as a whole by a better deny, and an allow to the other Google API VIPs on 443, pass', async () => {
    const { run } = await faulted(async (request) => {
      await insertFirewall(request, { name: 'allow-http', direction: 'EGRESS', priority: 1000,
        allowed: [{ IPProtocol: 'tcp', ports: ['80'] }], destinationRanges: ['0.0.0.0/0'] });
      await insertFirewall(request, { name: 'deny-web', direction: 'EGRESS', priority: 900,
        denied: [{ IPProtocol: 'tcp', ports: ['80', '443'] }], destinationRanges: ['0.0.0.0/1', '128.0.0.0/1'] });
      await insertFirewall(request, { name: 'allow-restricted', direction: 'EGRESS', priority: 1000,
        allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], destinationRanges: ['199.36.153.4/30'] });
    });
    const c = check(run, 'isolation.egress-firewall');
    assert.equal(c.status, 'pass', c.evidence);
    assert.match(c.evidence, /denied on every protocol and port, by .*firewall rule deny-web \(deny, priority 900\)/);
  });

  it('half of IPv4 routed to an appliance and allowed by the firewall fails both layers, naming the route and rule', async () => {
    const { run } = await faulted(async (request) => {
      await route(request, { name: 'to-appliance', destRange: '0.0.0.0/1', nextHopIp: '10.11.0.5' });
      await insertFirewall(request, { name: 'allow-half', direction: 'EGRESS', priority: 1000,
        allowed: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/1'] });
    });
    const routes = check(run, 'isolation.internet-routes');
    assert.equal(routes.status, 'fail', routes.evidence);
    assert.match(routes.evidence, /route to-appliance \(0\.0\.0\.0\/1, priority 1000\) sends 0\.0\.0\.0-10\.9\.255\.255 .*to next hop ip 10\.11\.0\.5/);
    assert.match(routes.fix, /gcloud compute routes delete to-appliance --project=dpgce-demo-project/);
    const firewall = check(run, 'isolation.egress-firewall');
    assert.equal(firewall.status, 'fail', firewall.evidence);
    assert.match(firewall.evidence, /to 0\.0\.0\.0-10\.9\.255\.255 on TCP 0-442 \(and \d+ more piece\(s\), on TCP, UDP, ICMP\) is allowed by firewall rule allow-half/);
  });

  it('a route of a Google API VIP to another hop is not an internet route: Private Google Access fails instead', async () => {
    const { run } = await faulted((request) => route(request, { name: 'vip-via-vpn', destRange: '199.36.153.8/30',
      nextHopIp: '10.11.0.5' }));
    assert.equal(check(run, 'isolation.internet-routes').status, 'pass');
    const apis = check(run, 'isolation.google-apis');
    assert.equal(apis.status, 'fail');
    assert.match(apis.evidence, /route vip-via-vpn sends 199\.36\.153\.8 to ip 10\.11\.0\.5/);
  });

  it('SWP_HOSTNAME answering another address fails naming the record; `dpgce up` restores it', async () => {
    const { ws, run } = await faulted((request) => request('PATCH', SWP_A, { rrdatas: ['10.11.0.77'] }));
    const c = check(run, 'isolation.proxy-dns');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /swp\.your\.domain\.com\. A 10\.11\.0\.77 \(zone dpgce-swp\): 10\.11\.0\.77 is not SWP_IP 10\.11\.0\.250; nodes use it as metadata http-proxy=swp\.your\.domain\.com:3128/);
    assert.match(c.fix, /dpgce up.*record set swp\.your\.domain\.com\. A 10\.11\.0\.250 \(SWP_IP\) in private zone dpgce-swp/);
    await planThenUp(ws, /~ dns-record-set\.swp-a/);
    assert.equal(check(await doctor(ws), 'isolation.proxy-dns').status, 'pass');
  });

  it('a deleted SWP_HOSTNAME record fails; `dpgce up` creates it again', async () => {
    const { ws, run } = await faulted((request) => request('DELETE', SWP_A));
    const c = check(run, 'isolation.proxy-dns');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /does not resolve privately: zone dpgce-swp \(swp\.your\.domain\.com\.\) has no record for swp\.your\.domain\.com\./);
    await planThenUp(ws, /\+ dns-record-set\.swp-a/);
    assert.equal(check(await doctor(ws), 'isolation.proxy-dns').status, 'pass');
  });

  it('a default route only for tag bastion does not serve the nodes; `dpgce up` creates an untagged one', async () => {
    const { ws, run } = await faulted(async (request) => {
      const routes = await request('GET', compute('global/routes'));
      const found = routes.items.find((r: any) => r.destRange === '0.0.0.0/0');
      await request('DELETE', compute(`global/routes/${found.name}`));
      await route(request, { name: 'bastion-internet', destRange: '0.0.0.0/0', nextHopGateway: IGW, tags: ['bastion'] });
    });
    const c = check(run, 'isolation.default-route');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /no 0\.0\.0\.0\/0 route to the default internet gateway that applies to the cluster nodes; route bastion-internet applies only to instances tagged bastion \(nodes carry no network tag\)/);
    assert.match(c.fix, /creates route dpgce-default-internet/);
    await planThenUp(ws, /\+ route\.default-internet/);
    const after = await doctor(ws);
    assert.match(check(after, 'isolation.default-route').evidence, /route dpgce-default-internet: 0\.0\.0\.0\/0/);
    assert.equal(check(after, 'isolation.google-apis').status, 'pass');
  });

  it('on an environment not built yet, a missing network says so and the fix is `dpgce up`', async () => {
    const ws = workspace();
    const run = await doctor({ ...ws, target: ['--env', ws.env, '--local', '--local-state', ws.state] });
    const c = check(run, 'isolation.read');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /networks\/dpgce-net does not exist .*the environment is not built yet/);
    assert.match(c.fix, /^run `dpgce up` to create it/);
    assert.doesNotMatch(c.fix, /permissions/);
  });
});
