import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, type Connection, type FirewallSet } from '../../src/doctor/firewall-evaluation.js';
import { toPolicies } from '../../src/doctor/firewall-policy.js';
import type { FirewallRule } from '../../src/doctor/network-model.js';

// Firewall policies around the VPC firewall rules, from policies in the
// shape `networks.getEffectiveFirewalls` returns (googleapis compute v1
// FirewallPolicyRule: action, direction, priority, match.layer4Configs,
// match.destIpRanges, targetResources, targetSecureTags).

const NETWORK = 'projects/p/global/networks/n';
const EGRESS: Connection = {
  direction: 'EGRESS', protocol: 'TCP', port: 443,
  source: { ipAddress: '10.0.0.2', tags: [], serviceAccount: 'sa@p.iam' },
  destination: { ipAddress: '203.0.113.10', tags: [] },
};

const VPC_DENY_ALL: FirewallRule = {
  name: 'deny-all', direction: 'EGRESS', priority: 65000, action: 'deny', entries: [{ protocol: 'all', ports: [] }],
  sourceRanges: [], destinationRanges: ['0.0.0.0/0'], sourceTags: [], targetTags: [], sourceServiceAccounts: [],
  targetServiceAccounts: [], disabled: false,
};

const policyRule = (priority: number, action: string, extra: Record<string, unknown> = {}) => ({
  kind: 'compute#firewallPolicyRule', priority, action, direction: 'EGRESS',
  match: { destIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] }, ...extra,
});

const set = (effective: any[], extra: Partial<FirewallSet> = {}): FirewallSet =>
  ({ network: NETWORK, firewalls: [VPC_DENY_ALL], firewallPolicies: toPolicies(effective), ...extra });

describe('firewall policies', () => {
  it('lets a hierarchical policy decide before the VPC firewall rules', () => {
    const d = decide(set([{ name: '123', shortName: 'org-egress', type: 'HIERARCHY', rules: [policyRule(10, 'allow')] }]), EGRESS);
    assert.deepEqual([d.rule, d.action, d.type], ['org-egress: priority 10', 'allow', 'HIERARCHICAL_FIREWALL_POLICY_RULE']);
  });

  it('goes on to the VPC firewall rules on goto_next', () => {
    const d = decide(set([{ name: 'org', type: 'HIERARCHY', rules: [policyRule(10, 'goto_next')] }]), EGRESS);
    assert.deepEqual([d.rule, d.type], ['deny-all', 'VPC_FIREWALL_RULE']);
  });

  it('evaluates a network policy after the VPC rules unless the network says BEFORE_CLASSIC_FIREWALL', () => {
    const network = [{ name: 'net-policy', type: 'NETWORK', priority: 1000,
      rules: [policyRule(100, 'allow', { ruleName: 'allow-web' })] }];
    assert.equal(decide(set(network), EGRESS).rule, 'deny-all');
    const before = decide(set(network, { policyEnforcementOrder: 'BEFORE_CLASSIC_FIREWALL' }), EGRESS);
    assert.deepEqual([before.rule, before.type], ['net-policy: allow-web', 'NETWORK_FIREWALL_POLICY_RULE']);
    // Without VPC rules a network policy decides in either order.
    assert.equal(decide(set(network, { firewalls: [] }), EGRESS).rule, 'net-policy: allow-web');
  });

  it('skips rules for other networks, other service accounts, and what the model cannot evaluate', () => {
    const rules = [
      policyRule(1, 'allow', { targetResources: ['https://www.googleapis.com/compute/v1/projects/p/global/networks/other'] }),
      policyRule(2, 'allow', { targetServiceAccounts: ['other@p.iam'] }),
      policyRule(3, 'allow', { targetSecureTags: [{ name: 'tagValues/1', state: 'EFFECTIVE' }] }),
      policyRule(4, 'allow', { match: { destFqdns: ['example.org'], layer4Configs: [{ ipProtocol: 'tcp' }] } }),
      policyRule(5, 'allow', { disabled: true }),
      policyRule(6, 'deny', { match: { destIpRanges: ['203.0.113.0/24'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['443'] }] } }),
    ];
    const d = decide(set([{ name: 'org', type: 'HIERARCHY', rules }], { firewalls: [] }), EGRESS);
    assert.deepEqual([d.rule, d.action], ['org: priority 6', 'deny']);
    assert.equal(decide(set([{ name: 'org', type: 'HIERARCHY', rules }], { firewalls: [] }), { ...EGRESS, port: 80 }).rule,
      'default-allow-egress');
  });
});
