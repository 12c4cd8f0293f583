import type { networkmanagement_v1 } from 'googleapis/build/src/apis/networkmanagement/v1.js';
import type { ResourceNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import { fail, pass, warn, type CheckResult } from './check.js';
import type { IsolationQuestion, Reachability } from './reachability.js';

// What a finished Connectivity Test says, set against the question's
// expected answer and the local analysis: PASS when both agree with the
// expectation, FAIL when the cloud disagrees with it (the trace's deciding
// steps as evidence), WARN when the cloud and the local analysis disagree or
// the cloud could not decide.

type Test = networkmanagement_v1.Schema$ConnectivityTest;
type Step = networkmanagement_v1.Schema$Step;

/** The cloud's answer: reachable or not, or undefined when it could not decide. */
export interface CloudAnswer {
  reachable?: boolean;
  /** The trace in one line: the steps that decided, in order. */
  trace: string;
  /** Set when the answer reads more into the trace than its result says. */
  caveat?: string;
}

export function cloudAnswer(test: Test): CloudAnswer {
  const details = test.reachabilityDetails ?? {};
  const steps = details.traces?.[0]?.steps ?? [];
  const trace = steps.map(describeStep).filter(Boolean).join('; ') || 'no trace';
  const result = details.result ?? 'RESULT_UNSPECIFIED';
  if (result === 'REACHABLE') return { reachable: true, trace };
  if (result === 'UNREACHABLE') return { reachable: false, trace };

  // An address of the destination's subnetwork that no VM holds (a node not
  // started yet) ends in ABORT UNKNOWN_IP after the subnet route: the egress
  // firewall and the route let the packet through; only the ingress side
  // could not be checked.
  const last = steps.at(-1);
  const routed = [...steps].reverse().find((s) => s.state === 'APPLY_ROUTE')?.route?.routeType === 'SUBNET';
  if (last?.state === 'ABORT' && last.abort?.cause === 'UNKNOWN_IP' && routed) {
    return { reachable: true, trace, caveat: 'no VM holds the destination address, so its ingress firewall was not checked' };
  }
  return { trace: `${result}: ${trace}` };
}

/** One step as a platform engineer reads it; the steps that decide nothing are left out. */
function describeStep(s: Step): string {
  switch (s.state) {
    case 'APPLY_EGRESS_FIREWALL_RULE':
    case 'APPLY_INGRESS_FIREWALL_RULE': {
      const f = s.firewall ?? {};
      const kind = f.firewallRuleType === 'IMPLIED_VPC_FIREWALL_RULE' ? 'implied rule' : 'firewall rule';
      return `${f.direction?.toLowerCase() ?? ''} ${kind} ${f.displayName ?? f.uri ?? '?'} (${f.action}, priority ${f.priority})`.trim();
    }
    case 'APPLY_ROUTE': {
      const r = s.route ?? {};
      return `route ${r.displayName ?? r.uri ?? '?'} (${r.routeType}, ${r.destIpRange}, ${r.nextHopType})`;
    }
    case 'NAT':
      return `Cloud NAT ${s.nat?.natGatewayName ?? '?'} on router ${s.nat?.routerUri ?? '?'}`;
    case 'ARRIVE_AT_INSTANCE':
      return `arrives at ${s.instance?.displayName ?? s.instance?.uri ?? 'a VM'}`;
    case 'DELIVER':
      return `DELIVER to ${s.deliver?.target ?? '?'}${s.deliver?.resourceUri ? ` ${s.deliver.resourceUri}` : ''}`;
    case 'DROP':
      return `DROP ${s.drop?.cause ?? '?'}${s.drop?.resourceUri ? ` at ${s.drop.resourceUri}` : ''}`;
    case 'ABORT':
      return `ABORT ${s.abort?.cause ?? '?'}${s.abort?.resourceUri ? ` at ${s.abort.resourceUri}` : ''}`;
    default:
      return '';
  }
}

/** The check for one question. */
export function verdict(
  q: IsolationQuestion, testName: string, cloud: CloudAnswer, local: Reachability, fix: string,
): CheckResult {
  const name = `connectivity.${q.id}`;
  const expected = q.expect === 'reachable';
  const word = (r: boolean): string => (r ? 'reachable' : 'unreachable');
  const localText = `local analysis: ${word(local.reachable)} (${local.reason})`;
  const cloudText = cloud.reachable === undefined ? 'undecided' : word(cloud.reachable);
  const evidence = `${q.description}: Connectivity Test ${testName} says ${cloudText} (${cloud.trace})` +
    `${cloud.caveat ? `, ${cloud.caveat}` : ''}; ${localText}`;

  if (cloud.reachable === undefined) {
    return warn(name, evidence, `read the trace of ${testName} in the console (Network Intelligence Center > ` +
      'Connectivity Tests) or rerun doctor; the local analysis above still stands');
  }
  if (cloud.reachable !== expected) return fail(name, `must be ${q.expect}; ${evidence}`, fix);
  if (local.reachable !== cloud.reachable) {
    return warn(name, evidence, 'the cloud and the local analysis disagree: trust the Connectivity Test, and report ' +
      'the difference against dpgce with this evidence');
  }
  return pass(name, evidence);
}

/** What to do when the cloud's answer is not the expected one, per question. */
export function fixFor(q: IsolationQuestion, config: EnvConfig, names: ResourceNames, cloud: CloudAnswer): string {
  const f = names.firewall;
  if (q.id === 'internet-direct') {
    return `nodes of ${names.clusterSubnet} must leave only through the proxy: remove what the trace names ` +
      `(${cloud.trace}) — a firewall rule allowing egress at a priority better than ${f.egressDenyAll} (65000), a ` +
      `Cloud NAT serving ${names.clusterSubnet}, an external IP — and run \`dpgce up\` to restore the rules it owns`;
  }
  if (q.id === 'proxy') {
    return `nodes must reach ${config.swpIp}:${config.swpPort}: firewall rule ${f.egressProxy} must allow it and ` +
      `the gateway ${names.gateway} must hold the address (SWP_IP, SWP_PORT in env.json); run \`dpgce up\``;
  }
  if (q.id === 'google-apis') {
    return `nodes reach Google APIs over Private Google Access: turn it on for ${names.clusterSubnet}, keep the ` +
      `default route (0.0.0.0/0 to default-internet-gateway) and firewall rule ${f.egressGoogleApis}; run \`dpgce up\``;
  }
  if (q.id === 'metadata-server') {
    return `nodes must reach the metadata server: check that ${names.clusterSubnet} exists in ${names.network} ` +
      '(`dpgce up`)';
  }
  return `cluster nodes must reach each other: firewall rules ${f.egressInternal} and ${f.allowInternal} must allow ` +
    `${config.range}; run \`dpgce up\` to restore them`;
}
