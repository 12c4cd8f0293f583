import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudAnswer, verdict } from '../../src/doctor/connectivity-verdict.js';
import { testId } from '../../src/doctor/connectivity.js';
import type { IsolationQuestion } from '../../src/doctor/reachability.js';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { requestLog, runCli, stateResources } from '../helpers/cli.js';
import { changeState, compute, insertFirewall, NETWORK, PROJECT, REGION } from './emulator-changes.js';

// `dpgce doctor --local --connectivity-tests --json`: the isolation questions
// as Connectivity Tests of the embedded emulator, whose answers come from its
// own analysis of the state; faults injected through the emulator's API.

interface Check { name: string; status: string; evidence: string; fix: string }

const TESTS = `/v1/projects/${PROJECT}/locations/global/connectivityTests`;
const QUESTIONS = ['internet-direct', 'proxy', 'google-apis', 'metadata-server', 'intra-cluster-tcp', 'intra-cluster-udp',
  'intra-cluster-icmp'];

async function doctor(ws: BuiltWorkspace, env: Record<string, string> = {}, flag = true): Promise<Map<string, Check>> {
  const r = await runCli(['doctor', '--json', ...(flag ? ['--connectivity-tests'] : []), ...ws.target], { cwd: ws.dir, env });
  const checks = (JSON.parse(r.stdout).checks as Check[]).filter((c) => c.name.startsWith('connectivity.'));
  return new Map(checks.map((c) => [c.name, c]));
}

const testsLeft = (ws: BuiltWorkspace): string[] =>
  Object.keys(stateResources(ws.state)).filter((k) => k.includes('/connectivityTests/'));

describe('doctor --connectivity-tests', () => {
  it('passes every question on a fresh environment, and leaves no test behind', async () => {
    const ws = await builtWorkspace();
    const checks = await doctor(ws);
    assert.deepEqual([...checks.keys()], QUESTIONS.map((q) => `connectivity.${q}`));
    for (const c of checks.values()) assert.equal(c.status, 'pass', `${c.name}: ${c.evidence}`);
    assert.match(checks.get('connectivity.internet-direct')!.evidence,
      /dpgce-doctor-internet-direct says unreachable \(egress firewall rule dpgce-egress-deny-all \(DENY, priority 65000\); DROP FIREWALL_RULE/);
    assert.match(checks.get('connectivity.proxy')!.evidence, /DELIVER to GOOGLE_MANAGED_SERVICE .*gateways\/dpgce-swp/);
    assert.deepEqual(testsLeft(ws), []);
    const nm = requestLog(ws.state).filter((l) => l.api === 'networkmanagement' && l.method !== 'GET');
    assert.equal(nm.filter((l) => l.method === 'POST').length, QUESTIONS.length);
    assert.equal(nm.filter((l) => l.method === 'DELETE').length, QUESTIONS.length);
  });

  it('runs no Connectivity Test without the flag', async () => {
    const ws = await builtWorkspace();
    assert.equal((await doctor(ws, {}, false)).size, 0);
    assert.deepEqual(requestLog(ws.state).filter((l) => l.api === 'networkmanagement'), []);
  });

  it('fails the internet question once an allow-all egress rule and a Cloud NAT let nodes out, naming both', async () => {
    const ws = await builtWorkspace();
    await changeState(ws.state, async (request) => {
      await insertFirewall(request, { name: 'allow-all-egress', direction: 'EGRESS', priority: 100,
        allowed: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] });
      await request('POST', compute(`regions/${REGION}/routers`), { name: 'cluster-nat-router', network: NETWORK,
        nats: [{ name: 'cluster-nat', natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
          subnetworks: [{ name: `${NETWORK.replace(/global\/networks\/.*/, '')}regions/${REGION}/subnetworks/main-subnet`,
            sourceIpRangesToNat: ['ALL_IP_RANGES'] }] }] });
    });
    const c = (await doctor(ws)).get('connectivity.internet-direct')!;
    assert.equal(c.status, 'fail', c.evidence);
    assert.match(c.evidence, /^must be unreachable; .*dpgce-doctor-internet-direct says reachable \(egress firewall rule allow-all-egress \(ALLOW, priority 100\); route .*NEXT_HOP_INTERNET_GATEWAY\); Cloud NAT cluster-nat on router projects\/dpgce-demo-project\/regions\/us-central1\/routers\/cluster-nat-router; DELIVER to INTERNET\)/);
    assert.match(c.evidence, /local analysis: reachable/);
    assert.match(c.fix, /remove what the trace names .*allow-all-egress.*Cloud NAT serving main-subnet.*`dpgce up`/);
    assert.deepEqual(testsLeft(ws), []);
  });

  it('fails google-apis when Private Google Access is turned off, with the drop cause', async () => {
    const ws = await builtWorkspace();
    await changeState(ws.state, (request) => request('POST',
      compute(`regions/${REGION}/subnetworks/main-subnet/setPrivateIpGoogleAccess`), { privateIpGoogleAccess: false }));
    const c = (await doctor(ws)).get('connectivity.google-apis')!;
    assert.equal(c.status, 'fail', c.evidence);
    assert.match(c.evidence, /DROP PRIVATE_GOOGLE_ACCESS_DISALLOWED at projects\/dpgce-demo-project\/regions\/us-central1\/subnetworks\/main-subnet/);
    assert.match(c.fix, /turn it on for main-subnet/);
  });

  it('replaces its own leftover test and leaves a test of the same name without its mark alone', async () => {
    const ws = await builtWorkspace();
    const source = { ipAddress: '10.10.0.2', network: `projects/${PROJECT}/global/networks/dpgce-net` };
    await changeState(ws.state, async (request) => {
      await request('POST', `${TESTS}?testId=dpgce-doctor-proxy`, { source, destination: { ipAddress: '10.10.0.9' },
        labels: { 'dpgce-env': 'dpgce' } });
      await request('POST', `${TESTS}?testId=dpgce-doctor-metadata-server`, { source, destination: { ipAddress: '10.10.0.9' } });
    });
    const checks = await doctor(ws);
    assert.equal(checks.get('connectivity.proxy')!.status, 'pass');
    const foreign = checks.get('connectivity.metadata-server')!;
    assert.equal(foreign.status, 'warn');
    assert.match(foreign.evidence, /exists without the mark dpgce-env=dpgce: not run, not touched/);
    assert.match(foreign.fix, /connectivity-tests delete dpgce-doctor-metadata-server --project dpgce-demo-project/);
    assert.deepEqual(testsLeft(ws), [`projects/${PROJECT}/locations/global/connectivityTests/dpgce-doctor-metadata-server`]);
  });

  it('warns once, without failing, when the Network Management API is not enabled', async () => {
    const ws = await builtWorkspace();
    const checks = await doctor(ws, { DPGCE_EMULATOR_REALISM: '{"serviceEnableLag": 1}' });
    assert.deepEqual([...checks.keys()], ['connectivity.api']);
    const c = checks.get('connectivity.api')!;
    assert.equal(c.status, 'warn');
    assert.match(c.evidence, /SERVICE_DISABLED|Network Management API has not been used/);
    assert.match(c.fix, /gcloud services enable networkmanagement.googleapis.com --project dpgce-demo-project/);
  });

  it('passes on a built GPU cluster, whose nodes the Connectivity Tests reach as VMs', async () => {
    const ws = await builtWorkspace('gpu');
    const checks = await doctor(ws);
    for (const c of checks.values()) assert.equal(c.status, 'pass', `${c.name}: ${c.evidence}`);
    assert.match(checks.get('connectivity.intra-cluster-tcp')!.evidence, /ingress firewall rule .*allow-internal .*arrives at .*-w-0; DELIVER to INSTANCE/);
  });
});

describe('connectivity verdicts', () => {
  const q: IsolationQuestion = { id: 'proxy', description: 'the proxy', protocol: 'TCP',
    destination: { ipAddress: '10.0.0.5', port: 3128 }, expect: 'reachable' };
  const reachable = { reachabilityDetails: { result: 'REACHABLE', traces: [{ steps: [
    { state: 'DELIVER', deliver: { target: 'INSTANCE' } }] }] } };

  it('warns when the cloud and the local analysis disagree', () => {
    const c = verdict(q, 't', cloudAnswer(reachable), { reachable: false, reason: 'no route' }, 'fix it');
    assert.equal(c.status, 'warn');
    assert.match(c.evidence, /says reachable .*local analysis: unreachable \(no route\)/);
    assert.match(c.fix, /disagree/);
  });

  it('warns when the test could not decide', () => {
    const undecided = { reachabilityDetails: { result: 'UNDETERMINED', traces: [{ steps: [
      { state: 'ABORT', abort: { cause: 'NO_SOURCE_LOCATION' } }] }] } };
    const c = verdict(q, 't', cloudAnswer(undecided), { reachable: true, reason: 'ok' }, 'fix it');
    assert.equal(c.status, 'warn');
    assert.match(c.evidence, /undecided \(UNDETERMINED: ABORT NO_SOURCE_LOCATION\)/);
  });

  it('names tests after the environment within the 40 characters Google allows', () => {
    assert.equal(testId('dpgce', 'intra-cluster-icmp'), 'dpgce-doctor-intra-cluster-icmp');
    const long = testId('a-rather-long-environment-name', 'intra-cluster-icmp');
    assert.ok(long.length <= 40, long);
    assert.match(long, /^a-rather-long-[0-9a-f]{6}-doctor-intra-cluster-icmp$|^[a-z][a-z0-9-]*-[0-9a-f]{6}-doctor-intra-cluster-icmp$/);
    assert.notEqual(long, testId('a-rather-long-environment-other', 'intra-cluster-icmp'));
  });
});
