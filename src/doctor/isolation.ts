import { CLUSTER_ADDRESS } from '../plan/graph-cluster.js';
import { fail, pass, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import { egressFirewall, internetRoutes } from './isolation-egress.js';
import {
  cloudNat, defaultRoute, firewallTargets, googleApisDns, privateGoogleAccess, proxyDns, type IsolationContext,
} from './isolation-layers.js';
import { readNetworkModel } from './network-model.js';
import {
  analyze, clusterNode, isolationQuestions, natsServing, type IsolationQuestion, type Reachability,
} from './reachability.js';

// The `isolation` group: for a node of the cluster subnet, the answers of
// the reachability analysis over the live network model (the internet
// directly: no; the proxy, private.googleapis.com, the metadata server and
// the other nodes: yes), then each isolation layer on its own.

export const isolation: CheckGroup = {
  name: 'isolation',
  async run(dc: DoctorContext): Promise<CheckResult[]> {
    const { config, names } = dc.p;
    const model = await readNetworkModel(dc.p);
    // dpgce always asks for internal IPs only; a cluster found otherwise has external ones.
    const cluster = dc.p.ctx.observed.get(CLUSTER_ADDRESS)?.actual;
    const node = clusterNode(config, names, cluster?.config?.gceClusterConfig?.internalIpOnly === false);
    const questions = isolationQuestions(config, names);
    const question = (id: string): IsolationQuestion => questions.find((q) => q.id === id)!;
    const clusterSubnetOwned = dc.p.ctx.observed.get('subnetwork.cluster')?.owned ?? false;
    const x: IsolationContext = { config, names, model, node, clusterSubnetOwned, question };

    return [
      internetDirect(x),
      egressFirewall(x),
      internetRoutes(x),
      cloudNat(x),
      defaultRoute(x),
      proxy(x),
      proxyDns(x),
      path(x, 'isolation.google-apis', 'google-apis',
        `nodes reach Google APIs over Private Google Access: it needs Private Google Access on ${names.clusterSubnet}, ` +
        `the default route and firewall rule ${names.firewall.egressGoogleApis}: run \`dpgce up\``),
      privateGoogleAccess(x),
      googleApisDns(x),
      path(x, 'isolation.metadata-server', 'metadata-server',
        `nodes need a subnetwork to run in: create ${names.clusterSubnet} with \`dpgce up\``),
      intraCluster(x),
      firewallTargets(x),
    ];
  },
};

function evidence(x: IsolationContext, q: IsolationQuestion, a: Reachability): string {
  const firewall = a.firewall?.length ? `; firewall ${a.firewall.join(', ')}` : '';
  return `${q.description} from ${x.node.ipAddress}: ` +
    `${a.reachable ? 'reachable' : 'unreachable'} (${a.reason}); route ${a.route ?? 'none'}${firewall}`;
}

/** A question that must be reachable, answered as one check. */
function path(x: IsolationContext, name: string, id: string, fix: string): CheckResult {
  const q = x.question(id);
  const a = analyze(x.model, x.node, q);
  return a.reachable ? pass(name, evidence(x, q, a)) : fail(name, evidence(x, q, a), fix);
}

/** The proxy question, answered only by a Secure Web Proxy gateway holding SWP_IP (not some other address). */
function proxy(x: IsolationContext): CheckResult {
  const { config, names } = x;
  const fix = `SWP_IP ${config.swpIp} and SWP_PORT ${config.swpPort} must be the gateway ${names.gateway}'s address and ` +
    `port, and firewall rule ${names.firewall.egressProxy} must allow them: run \`dpgce up\``;
  const q = x.question('proxy');
  const a = analyze(x.model, x.node, q);
  if (!a.reachable) return fail('isolation.proxy', evidence(x, q, a), fix);
  if (!x.model.gateways.some((g) => g.addresses.includes(config.swpIp))) {
    return fail('isolation.proxy', `no Secure Web Proxy gateway of network ${names.network} in ${config.region} has ` +
      `address ${config.swpIp}: nothing answers there`,
    `run \`dpgce up\` to create gateway ${names.gateway} at SWP_IP ${config.swpIp}, port SWP_PORT ${config.swpPort}`);
  }
  return pass('isolation.proxy', evidence(x, q, a));
}

function internetDirect(x: IsolationContext): CheckResult {
  const name = 'isolation.internet-direct';
  const q = x.question('internet-direct');
  const a = analyze(x.model, x.node, q);
  if (!a.reachable) return pass(name, evidence(x, q, a));
  const open: string[] = [];
  if (a.firewall?.length) open.push(`firewall rule ${a.firewall[0]} allows the egress`);
  for (const n of natsServing(x.model, x.names.clusterSubnet)) open.push(`Cloud NAT ${n.name} of router ${n.router} translates it`);
  if (x.node.externalIp) open.push('nodes have external IPs');
  return fail(name, evidence(x, q, a),
    `close every layer that lets it out (${open.join('; ') || a.reason}): see isolation.egress-firewall and ` +
    'isolation.cloud-nat; nodes must reach the internet only through the proxy');
}

/** Dataproc needs TCP and UDP on every port and ICMP among its nodes (Dataproc network docs). */
function intraCluster(x: IsolationContext): CheckResult {
  const name = 'isolation.intra-cluster';
  const answers = ['TCP', 'UDP', 'ICMP'].map((p) => {
    const q = x.question(`intra-cluster-${p.toLowerCase()}`);
    return { q, a: analyze(x.model, x.node, q) };
  });
  const text = answers.map(({ q, a }) => `${q.protocol}: ${a.reachable ? 'reachable' : 'unreachable'} (${a.reason}` +
    `${a.firewall?.length ? `; firewall ${a.firewall.join(', ')}` : ''})`).join('; ');
  const peer = answers[0].q.destination.ipAddress;
  if (answers.every(({ a }) => a.reachable)) return pass(name, `from ${x.node.ipAddress} to ${peer}: ${text}`);
  return fail(name, `from ${x.node.ipAddress} to ${peer}: ${text}`,
    'cluster nodes must reach each other on TCP and UDP 0-65535 and ICMP: remove or narrow the denying rule above, ' +
    `and run \`dpgce up\` to restore ${x.names.firewall.allowInternal} and ${x.names.firewall.egressInternal}`);
}
