import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, client, WWW, type Client } from './raw-http.js';

// Firewalls, routes, routers and addresses against the recorded
// compute-firewall, compute-route, compute-router(nat) and compute-address
// transcripts in ../shared/reference/gcp-recordings/.

describe('compute firewalls, routes, routers, addresses', () => {
  let h: Client;
  before(async () => {
    h = await client();
    await h.compute('POST', `${C}/global/networks`, { name: 'vpc', autoCreateSubnetworks: false });
  });
  after(async () => {
    await h.close();
  });

  it('creates a firewall rule with the recorded defaults', async () => {
    await h.compute('POST', `${C}/global/firewalls`, {
      name: 'fw',
      network: 'projects/p/global/networks/vpc',
      disabled: false,
      allowed: [
        { IPProtocol: 'tcp', ports: ['80', '1000-2000'] },
        { IPProtocol: 'udp', ports: ['1184', '2'] },
      ],
    });
    const fw = await h.ok('GET', `${C}/global/firewalls/fw`);
    assert.equal(fw.kind, 'compute#firewall');
    assert.equal(fw.direction, 'INGRESS');
    assert.equal(fw.priority, 1000);
    assert.equal(fw.disabled, false);
    assert.equal(fw.network, `${WWW}/global/networks/vpc`);
    assert.deepEqual(fw.allowed[0], { IPProtocol: 'tcp', ports: ['80', '1000-2000'] });
  });

  it('patches a firewall rule with the recorded operation type', async () => {
    const op = await h.compute('PATCH', `${C}/global/firewalls/fw`, {
      allowed: [{ IPProtocol: 'tcp' }],
      disabled: true,
    });
    assert.equal(op.operationType, 'compute.firewalls.patch');
    const fw = await h.ok('GET', `${C}/global/firewalls/fw`);
    assert.deepEqual(fw.allowed, [{ IPProtocol: 'tcp' }]);
    assert.equal(fw.disabled, true);
  });

  it('puts a rule without a network on the default network, which must exist', async () => {
    const r = await h.call('POST', `${C}/global/firewalls`, {
      name: 'fw-default',
      allowed: [{ IPProtocol: 'icmp' }],
    });
    assert.equal(r.status, 404);
    assert.equal(
      r.json.error.message,
      "The resource 'projects/p/global/networks/default' was not found",
    );
  });

  it('rejects source tags on EGRESS and tags mixed with service accounts', async () => {
    const egress = await h.call('POST', `${C}/global/firewalls`, {
      name: 'fw-eg',
      network: 'global/networks/vpc',
      direction: 'EGRESS',
      sourceTags: ['a'],
      denied: [{ IPProtocol: 'all' }],
    });
    assert.equal(egress.status, 400);
    assert.match(egress.json.error.message, /^Invalid value for field 'resource.sourceTags'/);
    const mixed = await h.call('POST', `${C}/global/firewalls`, {
      name: 'fw-mix',
      network: 'global/networks/vpc',
      targetTags: ['t'],
      targetServiceAccounts: ['sa@p.iam.gserviceaccount.com'],
      allowed: [{ IPProtocol: 'tcp' }],
    });
    assert.equal(mixed.status, 400);
    const badPort = await h.call('POST', `${C}/global/firewalls`, {
      name: 'fw-port',
      network: 'global/networks/vpc',
      allowed: [{ IPProtocol: 'icmp', ports: ['22'] }],
    });
    assert.equal(badPort.status, 400);
  });

  it('creates and deletes a static route, with the next hop canonical', async () => {
    await h.compute('POST', `${C}/global/routes`, {
      name: 'to-proxy',
      network: 'projects/p/global/networks/vpc',
      destRange: '0.0.0.0/0',
      nextHopIp: '10.132.1.5',
      priority: 100,
    });
    const route = await h.ok('GET', `${C}/global/routes/to-proxy`);
    assert.equal(route.kind, 'compute#route');
    assert.equal(route.network, `${WWW}/global/networks/vpc`);
    assert.equal(route.priority, 100);
    assert.equal(route.nextHopIp, '10.132.1.5');
    const twoHops = await h.call('POST', `${C}/global/routes`, {
      name: 'two',
      network: 'global/networks/vpc',
      destRange: '10.1.0.0/16',
      nextHopIp: '10.0.0.9',
      nextHopGateway: 'global/gateways/default-internet-gateway',
    });
    assert.equal(twoHops.status, 400);
    await h.compute('DELETE', `${C}/global/routes/to-proxy`);
    assert.equal((await h.call('GET', `${C}/global/routes/to-proxy`)).status, 404);
  });

  it('filters routes with OR, NOT and parentheses', async () => {
    const q = '(name eq "default-route-.*") OR (destRange = "10.0.0.0/8")';
    const list = await h.ok('GET', `${C}/global/routes?filter=${encodeURIComponent(q)}`);
    assert.equal(list.items.length, 1);
    const not = await h.ok(
      'GET',
      `${C}/global/routes?filter=${encodeURIComponent('NOT (name eq "default-route-.*")')}`,
    );
    assert.equal(not.items, undefined);
    const broken = await h.call(
      'GET',
      `${C}/global/routes?filter=${encodeURIComponent('(name = x')}`,
    );
    assert.equal(broken.status, 400);
  });

  it('keeps NATs inside a router, filled with the recorded defaults, across a PATCH', async () => {
    await h.compute('POST', `${C}/regions/us-west1/routers`, {
      bgp: null,
      description: 'example router description',
      name: 'rt',
      network: 'projects/p/global/networks/vpc',
      region: 'projects/p/global/regions/us-west1',
    });
    const router = await h.ok('GET', `${C}/regions/us-west1/routers/rt`);
    assert.equal(router.encryptedInterconnectRouter, false);
    assert.equal(router.region, `${WWW}/regions/us-west1`);
    assert.equal(router.nats, undefined);

    const op = await h.compute('PATCH', `${C}/regions/us-west1/routers/rt`, {
      nats: [
        {
          name: 'nat',
          natIpAllocateOption: 'AUTO_ONLY',
          sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
        },
      ],
    });
    assert.equal(op.operationType, 'patch');
    await h.compute('PATCH', `${C}/regions/us-west1/routers/rt`, {});
    const withNat = await h.ok('GET', `${C}/regions/us-west1/routers/rt`);
    assert.deepEqual(withNat.nats, [
      {
        autoNetworkTier: 'PREMIUM',
        effectiveTcpTimeWaitTimeoutSec: 120,
        endpointTypes: ['ENDPOINT_TYPE_VM'],
        name: 'nat',
        natIpAllocateOption: 'AUTO_ONLY',
        sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
        type: 'PUBLIC',
      },
    ]);
    assert.equal(withNat.description, 'example router description');
    const badNat = await h.call('PATCH', `${C}/regions/us-west1/routers/rt`, {
      nats: [{ name: 'n2' }],
    });
    assert.equal(badNat.status, 400);
    await h.compute('DELETE', `${C}/regions/us-west1/routers/rt`);
  });

  it('reserves an internal address inside its subnetwork and blocks the subnetwork delete', async () => {
    await h.compute('POST', `${C}/regions/us-central1/subnetworks`, {
      name: 'sn',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.2.0/24',
    });
    const outside = await h.call('POST', `${C}/regions/us-central1/addresses`, {
      name: 'vip',
      addressType: 'INTERNAL',
      subnetwork: 'regions/us-central1/subnetworks/sn',
      address: '10.0.9.9',
    });
    assert.equal(outside.status, 400);
    await h.compute('POST', `${C}/regions/us-central1/addresses`, {
      name: 'vip',
      addressType: 'INTERNAL',
      subnetwork: 'regions/us-central1/subnetworks/sn',
      address: '10.0.2.245',
    });
    const vip = await h.ok('GET', `${C}/regions/us-central1/addresses/vip`);
    assert.equal(vip.status, 'RESERVED');
    assert.equal(vip.description, '');
    assert.equal(vip.subnetwork, `${WWW}/regions/us-central1/subnetworks/sn`);
    const blocked = await h.computeDone(
      await h.ok('DELETE', `${C}/regions/us-central1/subnetworks/sn`),
    );
    assert.match(
      blocked.error.errors[0].message,
      /already being used by 'projects\/p\/regions\/us-central1\/addresses\/vip'/,
    );
    await h.compute('POST', `${C}/regions/us-central1/addresses`, { name: 'ext' });
    assert.equal(
      (await h.ok('GET', `${C}/regions/us-central1/addresses/ext`)).addressType,
      'EXTERNAL',
    );
  });
});

describe('compute resources whose insert is still running', () => {
  let h: Client;
  before(async () => {
    h = await client({ timing: { latency: { defaultMs: 60_000, rules: [] }, minPolls: 1 } });
  });
  after(async () => {
    await h.close();
  });

  it('refuses a duplicate name with 409 and a reference with 400 resourceNotReady', async () => {
    const op = await h.ok('POST', `${C}/global/networks`, {
      name: 'slow',
      autoCreateSubnetworks: false,
    });
    assert.equal(op.status, 'RUNNING');
    assert.equal((await h.call('GET', `${C}/global/networks/slow`)).status, 404);

    const dup = await h.call('POST', `${C}/global/networks`, {
      name: 'slow',
      autoCreateSubnetworks: false,
    });
    assert.equal(dup.status, 409);
    const sub = await h.call('POST', `${C}/regions/us-central1/subnetworks`, {
      name: 's',
      network: 'global/networks/slow',
      ipCidrRange: '10.0.0.0/24',
    });
    assert.equal(sub.status, 400);
    assert.equal(sub.json.error.errors[0].reason, 'resourceNotReady');
    assert.equal(
      sub.json.error.message,
      "The resource 'projects/p/global/networks/slow' is not ready",
    );
  });
});
