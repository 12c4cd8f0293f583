import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { parseIpv4 } from './cidr.js';
import { body } from './common.js';
import {
  checkFree,
  checkName,
  intField,
  invalidField,
  listResponse,
  mustGet,
  NETWORK_NAME,
  referenced,
  refName,
  serverFields,
  startOperation,
  withoutOutputOnly,
  withRequestId,
} from './compute-common.js';

// Firewall rules (global). The JSON key is `IPProtocol`; direction defaults
// to INGRESS and priority to 1000; a rule without `network` goes on
// `global/networks/default`, which must then exist. PATCH merges top-level
// fields, PUT replaces the rule; both re-check the whole rule.

const BASE = '/compute/v1/projects/{project}/global/firewalls';
const DIRECTIONS = ['INGRESS', 'EGRESS'];
const PROTOCOLS = ['tcp', 'udp', 'icmp', 'esp', 'ah', 'ipip', 'sctp', 'all'];
const WITH_PORTS = ['tcp', 'udp', 'sctp', 'all'];
const FIELDS = [
  'description',
  'allowed',
  'denied',
  'sourceRanges',
  'destinationRanges',
  'sourceTags',
  'targetTags',
  'sourceServiceAccounts',
  'targetServiceAccounts',
  'disabled',
  'logConfig',
  'priority',
  'direction',
];

export function registerFirewalls(r: Router): void {
  const name = (req: EmuRequest): string =>
    `projects/${req.params.project}/global/firewalls/${req.params.firewall}`;

  r.add({ api: 'compute', method: 'POST', path: BASE }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const input = withoutOutputOnly(body(req));
      const key = `projects/${req.params.project}/global/firewalls/${checkName(input.name)}`;
      checkFree(ctx, key);
      const rule = build(ctx, req.params.project, input, serverFields('firewall', key));
      return startOperation(ctx, {
        name: key,
        operationType: 'insert',
        targetId: rule.id,
        effects: [{ put: key, value: rule }],
      });
    }),
  );
  r.add({ api: 'compute', method: 'GET', path: BASE }, (req, ctx) => {
    const path = `projects/${req.params.project}/global/firewalls`;
    return listResponse(req, ctx.store.list(path), 'firewallList', path);
  });
  r.add({ api: 'compute', method: 'GET', path: `${BASE}/{firewall}` }, (req, ctx) =>
    mustGet(ctx, name(req)),
  );
  r.add({ api: 'compute', method: 'PATCH', path: `${BASE}/{firewall}` }, (req, ctx) =>
    withRequestId(req, ctx, () => update(req, ctx, name(req), 'compute.firewalls.patch')),
  );
  r.add({ api: 'compute', method: 'PUT', path: `${BASE}/{firewall}` }, (req, ctx) =>
    withRequestId(req, ctx, () => update(req, ctx, name(req), 'compute.firewalls.update')),
  );
  r.add({ api: 'compute', method: 'DELETE', path: `${BASE}/{firewall}` }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const current = mustGet(ctx, name(req));
      return startOperation(ctx, {
        name: name(req),
        operationType: 'delete',
        targetId: current.id,
        effects: [{ delete: name(req) }],
      });
    }),
  );
}

function update(req: EmuRequest, ctx: EmuContext, key: string, operationType: string): Resource {
  const current = mustGet(ctx, key);
  const input = withoutOutputOnly(body(req));
  if (input.name !== undefined && input.name !== current.name) {
    throw invalidField(
      'resource.name',
      input.name,
      'The name of a firewall rule cannot be changed.',
    );
  }
  let merged: Resource;
  if (operationType.endsWith('patch')) {
    merged = { ...current, ...input };
    for (const [k, v] of Object.entries(input)) if (v === null) delete merged[k];
  } else {
    merged = { ...input, network: input.network ?? current.network };
  }
  const server = {
    kind: current.kind,
    id: current.id,
    creationTimestamp: current.creationTimestamp,
    selfLink: current.selfLink,
  };
  const rule = build(ctx, req.params.project, { ...merged, name: current.name }, server);
  if (rule.network !== current.network) {
    throw invalidField(
      'resource.network',
      input.network,
      'The network of a firewall rule cannot be changed.',
    );
  }
  return startOperation(ctx, {
    name: key,
    operationType,
    targetId: current.id,
    effects: [{ put: key, value: rule }],
  });
}

/** The stored rule: checked, with defaults filled and the network canonical. */
function build(ctx: EmuContext, project: string, input: Resource, server: Resource): Resource {
  const network = referenced(
    ctx,
    refName(input.network ?? 'global/networks/default', 'resource.network', project, NETWORK_NAME),
  );
  const direction = input.direction ?? 'INGRESS';
  if (!DIRECTIONS.includes(direction)) {
    throw invalidField('resource.direction', direction, 'Must be INGRESS or EGRESS.');
  }

  const rule: Resource = { ...server, name: input.name, network: network.selfLink, direction };
  for (const f of FIELDS) if (input[f] !== undefined && input[f] !== null) rule[f] = input[f];
  rule.direction = direction;
  rule.priority = intField(input.priority, 'resource.priority', 1000);
  rule.disabled = input.disabled === true;
  checkRules(rule);
  checkRanges(rule, 'sourceRanges');
  checkRanges(rule, 'destinationRanges');
  if (direction === 'EGRESS' && rule.sourceTags?.length) {
    throw invalidField(
      'resource.sourceTags',
      rule.sourceTags.join(','),
      'Source tags cannot be specified for an EGRESS firewall rule.',
    );
  }
  const tags = rule.sourceTags?.length || rule.targetTags?.length;
  const accounts = rule.sourceServiceAccounts?.length || rule.targetServiceAccounts?.length;
  if (tags && accounts) {
    throw invalidField(
      'resource.targetServiceAccounts',
      (rule.targetServiceAccounts ?? rule.sourceServiceAccounts).join(','),
      'Service accounts cannot be used together with source or target tags in one firewall rule.',
    );
  }
  return rule;
}

function checkRules(rule: Resource): void {
  const allowed: Resource[] = rule.allowed ?? [];
  const denied: Resource[] = rule.denied ?? [];
  if (allowed.length && denied.length) {
    throw invalidField(
      'resource.denied',
      '',
      'A firewall rule has either allowed or denied entries, not both.',
    );
  }
  if (!allowed.length && !denied.length) {
    throw invalidField(
      'resource.allowed',
      '',
      'A firewall rule needs at least one allowed or denied entry.',
    );
  }
  const field = allowed.length ? 'allowed' : 'denied';
  (allowed.length ? allowed : denied).forEach((entry, i) => {
    const protocol = entry?.IPProtocol;
    const known =
      typeof protocol === 'string' &&
      (PROTOCOLS.includes(protocol) || (/^\d{1,3}$/.test(protocol) && Number(protocol) <= 255));
    if (!known)
      throw invalidField(`resource.${field}[${i}].IPProtocol`, protocol, 'Unknown protocol.');
    for (const port of entry.ports ?? []) {
      if (!WITH_PORTS.includes(protocol)) {
        throw invalidField(
          `resource.${field}[${i}].ports`,
          port,
          'Ports can only be given for tcp, udp, sctp or all.',
        );
      }
      const m = /^(\d+)(?:-(\d+))?$/.exec(String(port));
      if (
        !m ||
        Number(m[1]) > 65535 ||
        Number(m[2] ?? m[1]) > 65535 ||
        Number(m[2] ?? m[1]) < Number(m[1])
      ) {
        throw invalidField(
          `resource.${field}[${i}].ports`,
          port,
          'Must be a port or a port range such as 1000-2000.',
        );
      }
    }
  });
}

function checkRanges(rule: Resource, field: string): void {
  (rule[field] ?? []).forEach((range: unknown, i: number) => {
    const [address, length] = typeof range === 'string' ? range.split('/') : [];
    const v4 =
      parseIpv4(address ?? '') !== undefined &&
      (length === undefined || (/^\d{1,2}$/.test(length) && Number(length) <= 32));
    const ok = v4 || (typeof range === 'string' && range.includes(':'));
    if (!ok) throw invalidField(`resource.${field}[${i}]`, range, 'Must be a CIDR range.');
  });
}
