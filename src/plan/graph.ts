import ipaddr from 'ipaddr.js';
import type { EnvConfig } from '../config/types.js';
import type { ResourceNames } from '../config/names.js';
import { policyRules, ruleAddress, ruleBody } from '../policy/rules.js';
import type { Desired } from '../resources/types.js';
import { firewallSpecs } from './firewalls.js';
import { addCluster } from './graph-cluster.js';
import { addBuckets, addCertificates } from './graph-parts.js';

// The desired graph: every resource the environment wants, with its spec and
// the real API dependencies between them (DESIGN.md §4). Pure: the same
// config always gives the same graph, in the same order.

/** Content the graph needs that lives in files, read by the caller. */
export interface Assets {
  bootScript: string;
}

export interface GraphOptions {
  /** Include the Dataproc cluster when env.json names one (default true; `up --no-create-cluster`: false). */
  cluster?: boolean;
}

/** The services the foundation calls (never disabled by `down`). */
export const SERVICES = [
  'compute', 'dns', 'iam', 'storage', 'networkservices', 'networksecurity',
  'certificatemanager', 'privateca', 'dataproc',
] as const;

/** Private Google Access VIPs (private.googleapis.com). */
export const PRIVATE_GOOGLE_ACCESS_IPS = ['199.36.153.8', '199.36.153.9', '199.36.153.10', '199.36.153.11'];

export function desiredGraph(config: EnvConfig, names: ResourceNames, assets: Assets,
  options: GraphOptions = {}): Desired[] {
  const p = config.projectId;
  const r = config.region;
  const env = names.ownerMark;
  const labels = { 'dpgce-env': env };
  const network = `projects/${p}/global/networks/${names.network}`;
  const svc = (s: string): string => `service.${s}`;
  const out: Desired[] = [];
  const add = (d: Desired): void => void out.push(d);

  // 1. Services.
  for (const s of SERVICES) {
    add({ address: svc(s), kind: 'service', name: `projects/${p}/services/${s}.googleapis.com`,
      dependsOn: [], spec: { service: `${s}.googleapis.com` } });
  }

  // 2. Network, its default route, subnetworks, firewall rules.
  add({ address: 'network.main', kind: 'network', name: network, dependsOn: [svc('compute')],
    spec: { name: names.network, autoCreateSubnetworks: false, mtu: 1460,
      routingConfig: { routingMode: 'REGIONAL' }, description: `dpgce private network [dpgce-env=${env}]` } });
  add({ address: 'route.default-internet', kind: 'route', name: `projects/${p}/global/routes/${env}-default-internet`,
    dependsOn: ['network.main'],
    spec: { name: `${env}-default-internet`, network, destRange: '0.0.0.0/0', priority: 1000,
      nextHopGateway: `projects/${p}/global/gateways/default-internet-gateway`,
      description: 'Dataproc, Private Google Access and the proxy NAT need a route to the ' +
        `default internet gateway; isolation comes from firewall rules [dpgce-env=${env}]` } });
  const subnet = (logical: string, name: string, range: string, extra: Record<string, unknown>): void =>
    add({ address: `subnetwork.${logical}`, kind: 'subnetwork', name: `projects/${p}/regions/${r}/subnetworks/${name}`,
      dependsOn: ['network.main'], adoption: logical === 'proxy-only' ? 'reuse' : undefined,
      spec: { name, network, region: r, ipCidrRange: range, description: `dpgce ${logical} subnet [dpgce-env=${env}]`, ...extra } });
  subnet('cluster', names.clusterSubnet, config.range, { privateIpGoogleAccess: true });
  subnet('private', names.privateSubnet, config.privateRange, { privateIpGoogleAccess: true });
  subnet('proxy-only', names.proxyOnlySubnet, config.swpRange, { purpose: 'REGIONAL_MANAGED_PROXY', role: 'ACTIVE' });
  for (const [logical, spec] of Object.entries(firewallSpecs(config, names, network))) {
    add({ address: `firewall.${logical}`, kind: 'firewall', name: `projects/${p}/global/firewalls/${spec.name}`,
      dependsOn: ['network.main'], spec });
  }

  // 3. Private DNS: googleapis.com -> private.googleapis.com VIPs, SWP_HOSTNAME -> SWP_IP.
  const zone = (logical: string, name: string, dnsName: string): void =>
    add({ address: `dns-zone.${logical}`, kind: 'dns-zone', name: `projects/${p}/managedZones/${name}`,
      dependsOn: ['network.main', svc('dns')],
      spec: { name, dnsName, visibility: 'private', labels, description: `dpgce private zone [dpgce-env=${env}]`,
        privateVisibilityConfig: { networks: [{ networkUrl: `https://www.googleapis.com/compute/v1/${network}` }] } } });
  const records = (logical: string, zoneLogical: string, zoneName: string, rr: Record<string, unknown>): void =>
    add({ address: `dns-record-set.${logical}`, kind: 'dns-record-set',
      name: `projects/${p}/managedZones/${zoneName}/rrsets/${rr.name}/${rr.type}`,
      dependsOn: [`dns-zone.${zoneLogical}`], parent: `dns-zone.${zoneLogical}`, spec: { zone: zoneName, ...rr } });
  zone('googleapis', names.dnsZone.googleapis, 'googleapis.com.');
  records('googleapis-a', 'googleapis', names.dnsZone.googleapis,
    { name: 'private.googleapis.com.', type: 'A', ttl: 300, rrdatas: PRIVATE_GOOGLE_ACCESS_IPS });
  records('googleapis-cname', 'googleapis', names.dnsZone.googleapis,
    { name: '*.googleapis.com.', type: 'CNAME', ttl: 300, rrdatas: ['private.googleapis.com.'] });
  zone('swp', names.dnsZone.swp, `${config.swpHostname}.`);
  records('swp-a', 'swp', names.dnsZone.swp, { name: `${config.swpHostname}.`, type: 'A', ttl: 300, rrdatas: [config.swpIp] });

  // 4. The cluster service account and its least-privilege grants.
  const member = `serviceAccount:${names.serviceAccountEmail}`;
  add({ address: 'service-account.cluster', kind: 'service-account',
    name: `projects/${p}/serviceAccounts/${names.serviceAccountEmail}`, dependsOn: [svc('iam')],
    spec: { accountId: names.serviceAccount, displayName: `dpgce cluster nodes (${env})`,
      description: `Dataproc node identity [dpgce-env=${env}]` } });
  for (const [logical, role] of [['dataproc-worker', 'roles/dataproc.worker'],
    ['log-writer', 'roles/logging.logWriter'], ['metric-writer', 'roles/monitoring.metricWriter']]) {
    add({ address: `iam-binding.${logical}`, kind: 'iam-binding', name: `projects/${p}/${role}/${member}`,
      dependsOn: ['service-account.cluster'], parent: 'service-account.cluster', spec: { role, member } });
  }

  // 5. Buckets, their grants, and the two objects nodes read at boot.
  addBuckets(config, names, add, member, labels, assets);

  // 6. CA Service and Certificate Manager for TLS inspection.
  addCertificates(config, names, add, labels);

  // 7. The gateway security policy, its rules, and the gateway.
  const policy = `projects/${p}/locations/${r}/gatewaySecurityPolicies/${names.gatewaySecurityPolicy}`;
  const tlsPolicy = `projects/${p}/locations/${r}/tlsInspectionPolicies/` +
    names.tlsInspectionPolicy;
  add({ address: 'gateway-security-policy.swp', kind: 'gateway-security-policy', name: policy,
    dependsOn: ['tls-inspection-policy.swp'],
    spec: { tlsInspectionPolicy: tlsPolicy,
      description: `dpgce egress policy, default deny [dpgce-env=${env}]` } });
  let previousRule: string | undefined;
  const urlListName = (rule: string): string => `projects/${p}/locations/${r}/urlLists/${env}-${rule}`;
  // Rules may inspect TLS: the policy above names the TLS inspection policy.
  for (const rule of policyRules(config, { urlListName, tlsInspection: true })) {
    const address = ruleAddress(rule.name);
    if (rule.urlList) {
      add({ address: `url-list.${rule.name}`, kind: 'url-list', name: rule.urlList.name,
        dependsOn: [svc('networksecurity')],
        spec: { values: rule.urlList.values,
          description: `entries of rule ${rule.name} [dpgce-env=${env}]` } });
    }
    // One rule at a time: the service races on parallel rule creation.
    const body = ruleBody(rule);
    add({ address, kind: 'gateway-security-policy-rule', name: `${policy}/rules/${rule.name}`,
      dependsOn: ['gateway-security-policy.swp', ...(previousRule ? [previousRule] : []),
        ...(rule.urlList ? [`url-list.${rule.name}`] : [])],
      parent: 'gateway-security-policy.swp',
      spec: { ...body, description: `${body.description} [dpgce-env=${env}]` } });
    previousRule = address;
  }
  const addressSubnet = swpAddressSubnet(config, names);
  add({ address: 'gateway.swp', kind: 'gateway', name: `projects/${p}/locations/${r}/gateways/${names.gateway}`,
    dependsOn: ['subnetwork.proxy-only', `subnetwork.${addressSubnet.logical}`, 'certificate.swp',
      'gateway-security-policy.swp', svc('networkservices')],
    spec: { type: 'SECURE_WEB_GATEWAY', addresses: [config.swpIp], ports: [config.swpPort],
      routingMode: 'EXPLICIT_ROUTING_MODE', network, subnetwork: `projects/${p}/regions/${r}/subnetworks/${addressSubnet.name}`,
      gatewaySecurityPolicy: policy, certificateUrls: [`projects/${p}/locations/${r}/certificates/${names.certificate}`],
      labels, description: `dpgce Secure Web Proxy [dpgce-env=${env}]` } });
  add({ address: 'router.swg-autogen', kind: 'router', name: `projects/${p}/regions/${r}/routers/swg-autogen-router-*`,
    dependsOn: ['network.main'], deleteAfter: ['gateway.swp'], adoption: 'observe', spec: { network } });

  // 8. The cluster, last: it needs everything above.
  if (options.cluster !== false) addCluster(config, names, add, out.map((d) => d.address));
  return out;
}

/** The subnet the gateway's address comes from: whichever range holds SWP_IP. */
export function swpAddressSubnet(config: EnvConfig, names: ResourceNames): { logical: string; name: string } {
  return inRange(config.swpIp, config.range)
    ? { logical: 'cluster', name: names.clusterSubnet }
    : { logical: 'private', name: names.privateSubnet };
}

function inRange(ip: string, cidr: string): boolean {
  return ipaddr.parse(ip).match(ipaddr.parseCIDR(cidr));
}
