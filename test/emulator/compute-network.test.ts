import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, client, WWW, type Client } from './raw-http.js';

// Networks, their system route, operations and requestId, against the shapes
// recorded in ../shared/reference/gcp-recordings/compute-network-custom and
// compute-route.

describe('compute networks', () => {
  let h: Client;
  before(async () => {
    h = await client();
  });
  after(async () => {
    await h.close();
  });

  it('inserts a custom network through an operation that is not done on its first poll', async () => {
    const op = await h.ok('POST', `${C}/global/networks?alt=json`, {
      name: 'net-a',
      autoCreateSubnetworks: false,
      routingConfig: { routingMode: 'REGIONAL' },
    });
    assert.equal(op.kind, 'compute#operation');
    assert.equal(op.operationType, 'insert');
    assert.equal(op.status, 'RUNNING');
    assert.equal(op.progress, 0);
    assert.equal(op.targetLink, `${WWW}/global/networks/net-a`);
    assert.equal(op.selfLink, `${WWW}/global/operations/${op.name}`);
    assert.equal(op.region, undefined);

    const firstPoll = await h.ok('GET', `${C}/global/operations/${op.name}`);
    assert.equal(firstPoll.status, 'RUNNING');
    const done = await h.ok('POST', `${C}/global/operations/${op.name}/wait`);
    assert.equal(done.status, 'DONE');
    assert.equal(done.progress, 100);
    assert.ok(done.endTime);

    const net = await h.ok('GET', `${C}/global/networks/net-a`);
    assert.equal(net.kind, 'compute#network');
    assert.match(net.id, /^\d+$/);
    assert.equal(done.targetId, net.id);
    assert.equal(net.autoCreateSubnetworks, false);
    assert.equal(net.networkFirewallPolicyEnforcementOrder, 'AFTER_CLASSIC_FIREWALL');
    assert.deepEqual(net.routingConfig, {
      routingMode: 'REGIONAL',
      bgpBestPathSelectionMode: 'LEGACY',
    });
    assert.equal(net.selfLink, `${WWW}/global/networks/net-a`);
    assert.equal(net.selfLinkWithId, `${WWW}/global/networks/${net.id}`);
    assert.equal(net.subnetworks, undefined);
  });

  it('gives a new network exactly one default route to the internet gateway', async () => {
    const list = await h.ok(
      'GET',
      `${C}/global/routes?filter=${encodeURIComponent('network eq ".*\\bnet\\-a\\b.*"')}`,
    );
    assert.equal(list.kind, 'compute#routeList');
    assert.equal(list.items.length, 1);
    const [route] = list.items;
    assert.match(route.name, /^default-route-[0-9a-f]{16}$/);
    assert.equal(route.description, 'Default route to the Internet.');
    assert.equal(route.destRange, '0.0.0.0/0');
    assert.equal(route.priority, 1000);
    assert.equal(route.network, `${WWW}/global/networks/net-a`);
    assert.equal(route.nextHopGateway, `${WWW}/global/gateways/default-internet-gateway`);

    const terraform = `(network="${WWW}/global/networks/net-a") AND (destRange="0.0.0.0/0")`;
    const again = await h.ok('GET', `${C}/global/routes?filter=${encodeURIComponent(terraform)}`);
    assert.deepEqual(
      again.items.map((r: any) => r.name),
      [route.name],
    );
    const none = await h.ok(
      'GET',
      `${C}/global/routes?filter=${encodeURIComponent('name = nothing-here')}`,
    );
    assert.equal(none.items, undefined);
  });

  it('finds a network by its numeric id, as selfLinkWithId addresses it', async () => {
    const net = await h.ok('GET', `${C}/global/networks/net-a`);
    const byId = await h.ok('GET', `${C}/global/networks/${net.id}`);
    assert.equal(byId.name, 'net-a');
  });

  it('answers a duplicate name with 409 alreadyExists in compute wording', async () => {
    const r = await h.call('POST', `${C}/global/networks`, {
      name: 'net-a',
      autoCreateSubnetworks: false,
    });
    assert.equal(r.status, 409);
    assert.deepEqual(r.json, {
      error: {
        code: 409,
        message: "The resource 'projects/p/global/networks/net-a' already exists",
        errors: [
          {
            domain: 'global',
            reason: 'alreadyExists',
            message: "The resource 'projects/p/global/networks/net-a' already exists",
          },
        ],
      },
    });
  });

  it('answers a missing network with the recorded 404 envelope', async () => {
    const r = await h.call('GET', `${C}/global/networks/nope?alt=json`);
    assert.equal(r.status, 404);
    assert.equal(
      r.json.error.message,
      "The resource 'projects/p/global/networks/nope' was not found",
    );
    assert.equal(r.json.error.errors[0].reason, 'notFound');
    assert.equal(r.json.error.status, undefined);
  });

  it('rejects an invalid name with the regex compute quotes', async () => {
    const r = await h.call('POST', `${C}/global/networks`, {
      name: 'Bad_Name',
      autoCreateSubnetworks: false,
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.errors[0].reason, 'invalid');
    assert.match(
      r.json.error.message,
      /^Invalid value for field 'resource.name': 'Bad_Name'\. Must be a match of regex/,
    );
  });

  it('returns the same operation for a repeated requestId and creates nothing twice', async () => {
    const id = crypto.randomUUID();
    const first = await h.ok('POST', `${C}/global/networks?requestId=${id}`, {
      name: 'net-r',
      autoCreateSubnetworks: false,
    });
    const second = await h.ok('POST', `${C}/global/networks?requestId=${id}`, {
      name: 'net-r',
      autoCreateSubnetworks: false,
    });
    assert.equal(second.name, first.name);
    const routes = await h.ok(
      'GET',
      `${C}/global/routes?filter=${encodeURIComponent(`network = "${WWW}/global/networks/net-r"`)}`,
    );
    assert.equal(routes.items.length, 1);
    const bad = await h.call('POST', `${C}/global/networks?requestId=not-a-uuid`, {
      name: 'net-s',
      autoCreateSubnetworks: false,
    });
    assert.equal(bad.status, 400);
  });

  it('fails a delete asynchronously while a firewall rule still uses the network', async () => {
    await h.compute('POST', `${C}/global/networks`, {
      name: 'net-fw',
      autoCreateSubnetworks: false,
    });
    await h.compute('POST', `${C}/global/firewalls`, {
      name: 'fw-in',
      network: 'projects/p/global/networks/net-fw',
      allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
    });
    const op = await h.ok('DELETE', `${C}/global/networks/net-fw`);
    assert.equal(op.status, 'RUNNING');
    const final = await h.computeDone(op);
    assert.deepEqual(final.error, {
      errors: [
        {
          code: 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
          message:
            "The network resource 'projects/p/global/networks/net-fw' is already being used by 'projects/p/global/firewalls/fw-in'",
        },
      ],
    });
    assert.equal(final.httpErrorStatusCode, 400);
    assert.equal(final.httpErrorMessage, 'BAD REQUEST');
    await h.ok('GET', `${C}/global/networks/net-fw`);

    await h.compute('DELETE', `${C}/global/firewalls/fw-in`);
    await h.compute('DELETE', `${C}/global/networks/net-fw`);
    const gone = await h.call('GET', `${C}/global/networks/net-fw`);
    assert.equal(gone.status, 404);
  });

  it('deletes the system default route with its network, and is blocked by a router', async () => {
    await h.compute('POST', `${C}/global/networks`, {
      name: 'net-rt',
      autoCreateSubnetworks: false,
    });
    await h.compute('POST', `${C}/regions/us-central1/routers`, {
      name: 'rt',
      network: 'global/networks/net-rt',
    });
    const blocked = await h.computeDone(await h.ok('DELETE', `${C}/global/networks/net-rt`));
    assert.match(
      blocked.error.errors[0].message,
      /already being used by 'projects\/p\/regions\/us-central1\/routers\/rt'/,
    );

    await h.compute('DELETE', `${C}/regions/us-central1/routers/rt`);
    await h.compute('DELETE', `${C}/global/networks/net-rt`);
    const left = await h.ok(
      'GET',
      `${C}/global/routes?filter=${encodeURIComponent('network eq ".*/net-rt"')}`,
    );
    assert.equal(left.items, undefined);
  });

  it('lists networks with compute list fields and pages with maxResults', async () => {
    const first = await h.ok('GET', `${C}/global/networks?maxResults=1`);
    assert.equal(first.kind, 'compute#networkList');
    assert.equal(first.selfLink, `${WWW}/global/networks`);
    assert.equal(first.items.length, 1);
    assert.ok(first.nextPageToken);
    const rest = await h.ok(
      'GET',
      `${C}/global/networks?maxResults=10&pageToken=${first.nextPageToken}`,
    );
    assert.ok(rest.items.length >= 1);
    assert.ok(!rest.items.some((n: any) => n.name === first.items[0].name));
  });
});
