import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/policy/evaluate.js';
import { exampleEnv, exampleGraph } from '../helpers/example.js';

describe('desired graph', () => {
  const graph = exampleGraph();
  const byAddress = new Map(graph.map((d) => [d.address, d]));

  it('has unique addresses whose dependencies all exist, without cycles', () => {
    assert.equal(byAddress.size, graph.length);
    for (const d of graph) {
      for (const dep of [...d.dependsOn, ...(d.deleteAfter ?? [])]) assert.ok(byAddress.has(dep), `${d.address} -> ${dep}`);
      assert.ok(d.address.startsWith(`${d.kind}.`), d.address);
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (a: string): void => {
      assert.ok(!visiting.has(a), `cycle through ${a}`);
      if (done.has(a)) return;
      visiting.add(a);
      byAddress.get(a)!.dependsOn.forEach(visit);
      visiting.delete(a);
      done.add(a);
    };
    graph.forEach((d) => visit(d.address));
  });

  it('contains every foundation resource kind of the design', () => {
    const kinds = new Set(graph.map((d) => d.kind));
    for (const k of ['service', 'network', 'subnetwork', 'firewall', 'dns-zone', 'dns-record-set', 'service-account',
      'iam-binding', 'bucket', 'bucket-iam', 'object', 'ca-pool', 'certificate-authority', 'ca-pool-iam',
      'certificate-issuance-config', 'certificate', 'tls-inspection-policy', 'gateway-security-policy',
      'gateway-security-policy-rule', 'gateway', 'router', 'route']) {
      assert.ok(kinds.has(k), `missing kind ${k}`);
    }
    assert.equal(graph.filter((d) => d.kind === 'subnetwork').length, 3);
  });

  it('derives the same graph from the same config', () => {
    assert.deepEqual(exampleGraph(), graph);
  });

  it('puts the gateway address in the subnet whose range holds SWP_IP', () => {
    const gw = byAddress.get('gateway.swp')!;
    assert.equal(gw.spec.subnetwork, 'projects/dpgce-demo-project/regions/us-central1/subnetworks/dpgce-private');
    assert.deepEqual(gw.spec.addresses, ['10.11.0.250']);
    assert.deepEqual(gw.spec.ports, [3128]);
    assert.equal(gw.spec.type, 'SECURE_WEB_GATEWAY');
    assert.equal(gw.spec.routingMode, 'EXPLICIT_ROUTING_MODE');
    const inRange = exampleGraph({ SWP_IP: '10.10.0.200' }).find((d) => d.address === 'gateway.swp')!;
    assert.equal(inRange.spec.subnetwork, 'projects/dpgce-demo-project/regions/us-central1/subnetworks/main-subnet');
  });

  it('turns on Private Google Access on both private subnets and makes the proxy-only subnet ACTIVE', () => {
    assert.equal(byAddress.get('subnetwork.cluster')!.spec.privateIpGoogleAccess, true);
    assert.equal(byAddress.get('subnetwork.private')!.spec.privateIpGoogleAccess, true);
    const proxy = byAddress.get('subnetwork.proxy-only')!.spec;
    assert.equal(proxy.purpose, 'REGIONAL_MANAGED_PROXY');
    assert.equal(proxy.role, 'ACTIVE');
    assert.equal(proxy.privateIpGoogleAccess, undefined);
  });

  it('marks every created resource as owned by the environment', () => {
    for (const d of graph) {
      if (['service', 'iam-binding', 'bucket-iam', 'ca-pool-iam', 'dns-record-set', 'router', 'object'].includes(d.kind)) continue;
      const marked = d.spec.labels?.['dpgce-env'] === 'dpgce' || String(d.spec.description ?? '').includes('[dpgce-env=dpgce]');
      assert.ok(marked, `${d.address} carries no mark`);
    }
  });

  it('F23: every firewall rule targets all instances or the node tag, and nodes talk to each other on TCP, UDP and ICMP', () => {
    const rules = graph.filter((d) => d.kind === 'firewall');
    for (const r of rules) {
      const tags: string[] = r.spec.targetTags ?? [];
      assert.ok(tags.every((t) => t === 'dpgce-node'), `${r.address} targets ${tags}`);
    }
    const internal = byAddress.get('firewall.allow-internal')!.spec;
    assert.equal(internal.direction, 'INGRESS');
    assert.deepEqual(internal.allowed.map((a: any) => a.IPProtocol).sort(), ['icmp', 'tcp', 'udp']);
    assert.deepEqual(internal.sourceRanges, ['10.10.0.0/24', '10.11.0.0/24']);
  });

  it('isolates egress: allows the proxy, the Google API VIPs and the VPC, denies the rest below them', () => {
    const spec = (a: string) => byAddress.get(`firewall.${a}`)!.spec;
    assert.deepEqual(spec('egress-proxy').destinationRanges, ['10.11.0.250/32']);
    assert.deepEqual(spec('egress-proxy').allowed, [{ IPProtocol: 'tcp', ports: ['3128'] }]);
    assert.deepEqual(spec('egress-google-apis').destinationRanges, ['199.36.153.8/30']);
    const deny = spec('egress-deny-all');
    assert.deepEqual(deny.denied, [{ IPProtocol: 'all' }]);
    assert.deepEqual(deny.destinationRanges, ['0.0.0.0/0']);
    for (const a of ['egress-proxy', 'egress-google-apis', 'egress-internal']) assert.ok(spec(a).priority < deny.priority);
  });

  it('resolves SWP_HOSTNAME to SWP_IP and googleapis.com to the private VIPs in private zones', () => {
    const swp = byAddress.get('dns-record-set.swp-a')!.spec;
    assert.deepEqual([swp.name, swp.type, swp.rrdatas], ['swp.your.domain.com.', 'A', ['10.11.0.250']]);
    assert.deepEqual(byAddress.get('dns-record-set.googleapis-cname')!.spec.rrdatas, ['private.googleapis.com.']);
    assert.equal(byAddress.get('dns-zone.googleapis')!.spec.visibility, 'private');
  });

  it('grants the cluster service account only worker, log and metric roles on the project', () => {
    const roles = graph.filter((d) => d.kind === 'iam-binding').map((d) => d.spec.role).sort();
    assert.deepEqual(roles, ['roles/dataproc.worker', 'roles/logging.logWriter', 'roles/monitoring.metricWriter']);
  });

  it('uploads the boot script to custom-image-deps and the root CA to PROXY_CERT_GCS_PATH', () => {
    const boot = byAddress.get('object.boot-script')!.spec;
    assert.deepEqual([boot.bucket, boot.object], ['dpgce-demo-staging', 'custom-image-deps/gce-proxy-setup.sh']);
    const ca = byAddress.get('object.proxy-ca')!;
    assert.deepEqual([ca.spec.bucket, ca.spec.object, ca.spec.contentFrom], ['dpgce-demo-proxy-cert', 'proxy.cer', 'root-ca']);
    assert.ok(ca.dependsOn.includes('certificate-authority.root'));
    assert.equal(byAddress.get('bucket.proxy-cert')!.adoption, 'reuse');
  });

  it('F20: the allowlist is not allow-all and TLS inspection is wired to the CA pool', () => {
    const g = exampleGraph({ SWP_ALLOWED_HOSTS: ['developer.download.nvidia.com', 'deb.debian.org'] });
    const rules = g.filter((d) => d.kind === 'gateway-security-policy-rule')
      .map((d) => ({ name: d.address, ...d.spec } as any));
    const lists = new Map(g.filter((d) => d.kind === 'url-list').map((d) => [d.name, d.spec.values as string[]]));
    assert.equal(evaluate(rules, 'https://example.org/', lists).verdict, 'deny');
    assert.equal(evaluate(rules, 'https://example.org/', lists).rule, undefined);
    assert.equal(evaluate(rules, 'https://developer.download.nvidia.com/compute/cuda/repos/', lists).verdict, 'allow');
    assert.equal(evaluate(rules, 'https://deb.debian.org/debian/', lists).verdict, 'allow');
    assert.equal(evaluate(rules, 'https://nvidia.com.evil.example/', lists).verdict, 'deny');
    const priorities = rules.map((r) => r.priority);
    assert.equal(new Set(priorities).size, priorities.length, 'priorities are unique');
    assert.ok(rules.some((r) => r.tlsInspectionEnabled));
    const find = (a: string) => g.find((d) => d.address === a)!;
    assert.equal(find('gateway-security-policy.swp').spec.tlsInspectionPolicy, find('tls-inspection-policy.swp').name);
    assert.equal(find('tls-inspection-policy.swp').spec.caPool, find('ca-pool.swp').name);
    assert.equal(find('object.proxy-ca').spec.contentFrom, 'root-ca');
  });

  it('matches long host sets through a URL list, short ones inline', () => {
    const big = byAddress.get('gateway-security-policy-rule.dataproc-gpu')!;
    assert.match(big.spec.sessionMatcher, /^inUrlList\(host\(\), 'projects\/dpgce-demo-project\/locations\/us-central1\/urlLists\/dpgce-dataproc-gpu'\)$/);
    assert.ok(big.dependsOn.includes('url-list.dataproc-gpu'));
    const small = exampleGraph({ SWP_POLICY_PRESETS: ['conda'] }).find((d) => d.address === 'gateway-security-policy-rule.conda')!;
    assert.match(small.spec.sessionMatcher, /^host\(\) == '/);
  });

  it('creates gateway security policy rules one at a time', () => {
    const rules = graph.filter((d) => d.kind === 'gateway-security-policy-rule');
    rules.slice(1).forEach((r, i) => assert.ok(r.dependsOn.includes(rules[i].address)));
  });

  it('names everything after ENV_NAME', () => {
    const g = exampleGraph({ ENV_NAME: 'team-a' });
    for (const d of g) {
      if (['service', 'iam-binding', 'bucket-iam', 'ca-pool-iam', 'dns-record-set', 'bucket', 'object', 'router', 'gateway-security-policy-rule'].includes(d.kind)) continue;
      if (d.address === 'subnetwork.cluster') continue; // SUBNET is given explicitly
      assert.match(d.name.split('/').pop()!, /^team-a-/, d.address);
    }
    assert.equal(exampleEnv({ ENV_NAME: 'team-a' }).envName, 'team-a');
  });
});
