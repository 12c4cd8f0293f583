import type { ResourceNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import { fail, pass, warn, type CheckResult } from './check.js';
import { resolve } from './dns-resolution.js';
import { inRange } from './firewall-evaluation.js';
import { GOOGLE_APIS_SAMPLE_HOST, type NetworkModel } from './network-model.js';
import {
  analyze, defaultInternetRoutes, GOOGLE_API_VIPS, natsServing, type IsolationQuestion, type SourceNode,
} from './reachability.js';

// The isolation layers, each its own check (field case F17: isolation is
// defence in depth, so a layer that is gone is a FAIL even while another
// still blocks): the egress firewall, no Cloud NAT for the cluster subnet,
// the default route that Google access needs, Private
// Google Access (F18), DNS for googleapis.com, and firewall rules whose
// targets match no node (F23).

export interface IsolationContext {
  config: EnvConfig;
  names: ResourceNames;
  model: NetworkModel;
  node: SourceNode;
  /** The cluster subnet carries this environment's mark (else it is reused as found, F18). */
  clusterSubnetOwned: boolean;
  question: (id: string) => IsolationQuestion;
}

const gcloudProject = (x: IsolationContext): string => `--project=${x.config.projectId}`;

export function cloudNat(x: IsolationContext): CheckResult {
  const name = 'isolation.cloud-nat';
  const subnet = x.names.clusterSubnet;
  const serving = natsServing(x.model, subnet);
  if (!serving.length) {
    const others = x.model.nats.map((n) => `${n.name} of router ${n.router} (${n.endpointTypes.join(', ')})`);
    return pass(name, `no Cloud NAT of region ${x.config.region} serves VMs of subnetwork ${subnet}` +
      (others.length ? `; seen: ${others.join('; ')}` : ''));
  }
  const n = serving[0];
  return fail(name, serving.map((s) => `Cloud NAT ${s.name} of router ${s.router} serves subnetwork ${subnet} ` +
    `(${s.sourceSubnetworkIpRangesToNat})`).join('; '),
  `nodes must reach the internet only through the proxy: delete the NAT (\`gcloud compute routers nats delete ${n.name} ` +
    `--router=${n.router} --region=${x.config.region} ${gcloudProject(x)}\`) or configure it with ` +
    `LIST_OF_SUBNETWORKS that leaves out ${subnet}`);
}

export function defaultRoute(x: IsolationContext): CheckResult {
  const name = 'isolation.default-route';
  const { applying, others } = defaultInternetRoutes(x.model, x.node);
  if (applying.length) {
    return pass(name, `route ${applying.map((r) => r.name).join(', ')}: 0.0.0.0/0 -> default-internet-gateway in network ` +
      `${x.names.network}, for every instance${applying.some((r) => r.tags.length) ? ' or a tag nodes carry' : ''}`);
  }
  // A tagged route serves only instances with that tag (F17 needs one that serves the nodes).
  const tagged = others.map((r) => `; route ${r.name} applies only to instances tagged ${r.tags.join(', ')} (${carried(x)})`);
  return fail(name, `network ${x.names.network} has no 0.0.0.0/0 route to the default internet gateway that applies to ` +
    `the cluster nodes${tagged.join('')}`,
  'run `dpgce up` to restore it: Dataproc, Private Google Access and the proxy\'s Cloud NAT need a route to the ' +
    `default internet gateway that serves the nodes, and \`up\` creates route ${x.names.ownerMark}-default-internet ` +
    '(0.0.0.0/0 -> default-internet-gateway, no tags); isolation comes from the egress firewall, no external IPs and ' +
    'no Cloud NAT for the cluster subnet, not from deleting that route');
}

const carried = (x: IsolationContext): string =>
  (x.node.tags.length ? `nodes carry ${x.node.tags.join(', ')}` : 'nodes carry no network tag');

export function privateGoogleAccess(x: IsolationContext): CheckResult {
  const name = 'isolation.private-google-access';
  const subnet = x.names.clusterSubnet;
  const found = x.model.subnetworks.find((s) => s.name === subnet);
  const enable = `\`gcloud compute networks subnets update ${subnet} --region=${x.config.region} ` +
    `--enable-private-ip-google-access ${gcloudProject(x)}\``;
  if (!found) {
    return fail(name, `subnetwork ${subnet} (SUBNET) is not in network ${x.names.network}, region ${x.config.region}`,
      'run `dpgce up` to create it');
  }
  if (found.privateIpGoogleAccess) return pass(name, `subnetwork ${subnet} has Private Google Access on`);
  return fail(name, `subnetwork ${subnet} has Private Google Access off: nodes without external IPs cannot reach Google APIs`,
    x.clusterSubnetOwned ? `run \`dpgce up\` to turn it back on (or ${enable})`
      : `${subnet} is reused, not created by dpgce: enable it with ${enable}`);
}

export function googleApisDns(x: IsolationContext): CheckResult {
  const name = 'isolation.googleapis-dns';
  const r = resolve(x.model.zones, GOOGLE_APIS_SAMPLE_HOST);
  const fix = `run \`dpgce up\` to restore private zone ${x.names.dnsZone.googleapis} (googleapis.com., bound to ` +
    `network ${x.names.network}): private.googleapis.com. A 199.36.153.8-11 and *.googleapis.com. CNAME private.googleapis.com.`;
  if (!r.addresses.length) return fail(name, `${GOOGLE_APIS_SAMPLE_HOST} does not resolve privately: ${r.problem}`, fix);
  const outside = r.addresses.filter((a) => !inRange(a, GOOGLE_API_VIPS[0]));
  if (outside.length) {
    return fail(name, `${r.chain.join(' -> ')}: ${outside.join(', ')} outside private.googleapis.com (${GOOGLE_API_VIPS[0]})`, fix);
  }
  // Whether that address is reachable is isolation.google-apis' question (and
  // its fix): a correct answer must not be blamed on the zone.
  return pass(name, r.chain.join(' -> '));
}

/** Nodes reach the proxy by name (metadata `http-proxy=SWP_HOSTNAME:SWP_PORT`), so that name must answer SWP_IP. */
export function proxyDns(x: IsolationContext): CheckResult {
  const name = 'isolation.proxy-dns';
  const { swpHostname, swpIp, swpPort } = x.config;
  const host = `${swpHostname}.`;
  const ours = x.names.dnsZone.swp;
  const r = resolve(x.model.zones, host);
  const used = `nodes use it as metadata http-proxy=${swpHostname}:${swpPort}`;
  const restore = `run \`dpgce up\` to restore record set ${host} A ${swpIp} (SWP_IP) in private zone ${ours} ` +
    `(${host}, bound to network ${x.names.network})`;
  if (!r.addresses.length) return fail(name, `SWP_HOSTNAME ${host} does not resolve privately: ${r.problem}; ${used}`, restore);
  const wrong = r.addresses.filter((a) => a !== swpIp);
  if (!wrong.length) return pass(name, `SWP_HOSTNAME ${r.chain.join(' -> ')}: SWP_IP`);
  return fail(name, `SWP_HOSTNAME ${r.chain.join(' -> ')}: ${wrong.join(', ')} is not SWP_IP ${swpIp}; ${used}`,
    r.zone === ours ? restore
      : `zone ${r.zone} is not dpgce's: make its record answer ${swpIp}, or delete it, so that zone ${ours} answers (\`dpgce up\`)`);
}

/** F23: a rule that targets tags no node carries matches nothing and hides what is really allowed. */
export function firewallTargets(x: IsolationContext): CheckResult {
  const name = 'isolation.firewall-targets';
  const tags = x.node.tags;
  const idle = x.model.firewalls.filter((f) => !f.disabled && f.targetTags.length &&
    !f.targetTags.some((t) => tags.includes(t)));
  if (!idle.length) {
    return pass(name, `every enabled firewall rule of ${x.names.network} targets all instances or a tag nodes carry (${carried(x)})`);
  }
  return warn(name, `${idle.map((f) => `firewall rule ${f.name} targets ${f.targetTags.join(', ')}`).join('; ')}; ${carried(x)}`,
    `delete ${idle.map((f) => f.name).join(', ')} or make it target a tag cluster nodes carry ` +
    `(\`gcloud compute firewall-rules update NAME --target-tags=${x.names.nodeTag} ${gcloudProject(x)}\`)`);
}
