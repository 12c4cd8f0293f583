import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, client, WWW, type Client } from './raw-http.js';

// Cloud DNS v1 against the googleapis dns_v1 types and the recorded texts
// collected in gcp-api-facts §18.1 (the private.googleapis.com pattern).

const Z = '/dns/v1/projects/p/managedZones';
const VIPS = ['199.36.153.8', '199.36.153.9', '199.36.153.10', '199.36.153.11'];

describe('cloud dns', () => {
  let h: Client;
  before(async () => {
    h = await client();
    await h.compute('POST', `${C}/global/networks`, { name: 'vpc', autoCreateSubnetworks: false });
  });
  after(async () => {
    await h.close();
  });

  it('creates a private zone synchronously, visible from an existing network', async () => {
    const zone = await h.ok('POST', Z, {
      name: 'dpgce-googleapis',
      dnsName: 'googleapis.com.',
      description: '[dpgce-env=dev]',
      visibility: 'private',
      labels: { 'dpgce-env': 'dev' },
      privateVisibilityConfig: { networks: [{ networkUrl: `${WWW}/global/networks/vpc` }] },
    });
    assert.equal(zone.kind, 'dns#managedZone');
    assert.match(zone.id, /^\d+$/);
    assert.ok(zone.creationTime);
    assert.deepEqual(zone.nameServers, ['ns-gcp-private.googledomains.com.']);
    assert.deepEqual(zone.cloudLoggingConfig, { kind: 'dns#managedZoneCloudLoggingConfig' });
    assert.deepEqual(zone.privateVisibilityConfig, {
      kind: 'dns#managedZonePrivateVisibilityConfig',
      networks: [
        {
          kind: 'dns#managedZonePrivateVisibilityConfigNetwork',
          networkUrl: `${WWW}/global/networks/vpc`,
        },
      ],
    });
    assert.deepEqual(await h.ok('GET', `${Z}/dpgce-googleapis`), zone);
    assert.equal((await h.ok('GET', `${Z}/${zone.id}`)).name, 'dpgce-googleapis');
  });

  it('gives a new zone its apex SOA and NS record sets', async () => {
    const list = await h.ok('GET', `${Z}/dpgce-googleapis/rrsets`);
    assert.equal(list.kind, 'dns#resourceRecordSetsListResponse');
    assert.deepEqual(
      list.rrsets.map((r: any) => [r.name, r.type, r.ttl]),
      [
        ['googleapis.com.', 'NS', 21600],
        ['googleapis.com.', 'SOA', 21600],
      ],
    );
    const soa = list.rrsets[1].rrdatas[0];
    assert.equal(
      soa,
      'ns-gcp-private.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300',
    );
    const none = await h.ok(
      'GET',
      `${Z}/dpgce-googleapis/rrsets?name=nothing.googleapis.com.&type=A`,
    );
    assert.deepEqual(none, { kind: 'dns#resourceRecordSetsListResponse' });
  });

  it('rejects a dnsName without the trailing dot, a missing network and a duplicate zone', async () => {
    const noDot = await h.call('POST', Z, {
      name: 'z1',
      dnsName: 'example.com',
      visibility: 'private',
    });
    assert.equal(noDot.status, 400);
    assert.equal(
      noDot.json.error.message,
      "Invalid value for 'entity.managedZone.dnsName': 'example.com'",
    );
    const ghost = await h.call('POST', Z, {
      name: 'z2',
      dnsName: 'corp.example.',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: `${WWW}/global/networks/ghost` }] },
    });
    assert.equal(ghost.status, 400);
    const dup = await h.call('POST', Z, { name: 'dpgce-googleapis', dnsName: 'googleapis.com.' });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.errors[0].reason, 'alreadyExists');
  });

  it('creates, reads and refuses duplicate record sets through rrsets', async () => {
    const a = await h.ok('POST', `${Z}/dpgce-googleapis/rrsets`, {
      name: 'private.googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: VIPS,
    });
    assert.deepEqual(a, {
      kind: 'dns#resourceRecordSet',
      name: 'private.googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: VIPS,
    });
    await h.ok('POST', `${Z}/dpgce-googleapis/rrsets`, {
      name: '*.googleapis.com.',
      type: 'CNAME',
      ttl: 300,
      rrdatas: ['private.googleapis.com.'],
    });
    const dup = await h.call('POST', `${Z}/dpgce-googleapis/rrsets`, {
      name: 'private.googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: VIPS,
    });
    assert.equal(dup.status, 409);
    assert.equal(
      dup.json.error.message,
      "The resource 'entity.rrset' named 'private.googleapis.com. (A)' already exists",
    );
    const badIp = await h.call('POST', `${Z}/dpgce-googleapis/rrsets`, {
      name: 'x.googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: ['999.1.1.1'],
    });
    assert.equal(badIp.status, 400);
    const outside = await h.call('POST', `${Z}/dpgce-googleapis/rrsets`, {
      name: 'example.org.',
      type: 'A',
      ttl: 300,
      rrdatas: ['10.0.0.1'],
    });
    assert.equal(outside.status, 400);
    const cnameClash = await h.call('POST', `${Z}/dpgce-googleapis/rrsets`, {
      name: 'private.googleapis.com.',
      type: 'CNAME',
      ttl: 300,
      rrdatas: ['other.example.'],
    });
    assert.equal(cnameClash.status, 400);
    const got = await h.ok('GET', `${Z}/dpgce-googleapis/rrsets/private.googleapis.com./A`);
    assert.deepEqual(got.rrdatas, VIPS);
    const soa = await h.ok('GET', `${Z}/dpgce-googleapis/rrsets/googleapis.com./SOA`);
    assert.match(soa.rrdatas[0], / 3 21600 3600 259200 300$/);
  });

  it('applies a change: deletions must match exactly, additions must not exist', async () => {
    const zone = `${Z}/dpgce-googleapis/changes`;
    const mismatch = await h.call('POST', zone, {
      deletions: [{ name: 'private.googleapis.com.', type: 'A', ttl: 60, rrdatas: VIPS }],
    });
    assert.equal(mismatch.status, 412);
    assert.equal(
      mismatch.json.error.message,
      "Precondition not met for 'entity.change.deletions[0]'",
    );
    const missing = await h.call('POST', zone, {
      deletions: [{ name: 'gone.googleapis.com.', type: 'TXT', ttl: 300, rrdatas: ['"x"'] }],
    });
    assert.equal(missing.status, 404);
    assert.equal(
      missing.json.error.message,
      "The 'entity.change.deletions[0]' resource named 'gone.googleapis.com. (TXT)' does not exist.",
    );
    const exists = await h.call('POST', zone, {
      additions: [{ name: 'private.googleapis.com.', type: 'A', ttl: 300, rrdatas: VIPS }],
    });
    assert.equal(exists.status, 409);
    const empty = await h.call('POST', zone, undefined);
    assert.equal(empty.status, 400);

    const change = await h.ok('POST', zone, {
      deletions: [{ name: 'private.googleapis.com.', type: 'A', ttl: 300, rrdatas: VIPS }],
      additions: [
        { name: 'private.googleapis.com.', type: 'A', ttl: 60, rrdatas: VIPS.slice(0, 2) },
      ],
    });
    assert.equal(change.kind, 'dns#change');
    assert.equal(change.status, 'pending');
    const done = await h.ok('GET', `${zone}/${change.id}`);
    assert.equal(done.status, 'done');
    assert.equal(
      (await h.ok('GET', `${Z}/dpgce-googleapis/rrsets/private.googleapis.com./A`)).ttl,
      60,
    );
    const changes = await h.ok('GET', zone);
    assert.equal(changes.changes[0].id, '0');
    assert.deepEqual(
      changes.changes[0].additions.map((r: any) => r.type),
      ['NS', 'SOA'],
    );
  });

  it('patches a zone with a dns#operation and keeps its immutable fields', async () => {
    const op = await h.ok('PATCH', `${Z}/dpgce-googleapis`, {
      description: 'updated',
      name: 'dpgce-googleapis',
    });
    assert.equal(op.kind, 'dns#operation');
    assert.equal(op.status, 'done');
    assert.equal(op.type, 'update');
    assert.equal(op.zoneContext.newValue.description, 'updated');
    assert.equal(op.zoneContext.oldValue.description, '[dpgce-env=dev]');
    assert.deepEqual(await h.ok('GET', `${Z}/dpgce-googleapis/operations/${op.id}`), op);
    const renamed = await h.call('PATCH', `${Z}/dpgce-googleapis`, { dnsName: 'other.com.' });
    assert.equal(renamed.status, 400);
  });

  it('refuses to delete a zone with records other than SOA and NS, then deletes it once empty', async () => {
    const full = await h.call('DELETE', `${Z}/dpgce-googleapis`);
    assert.equal(full.status, 400);
    assert.equal(full.json.error.errors[0].reason, 'containerNotEmpty');
    const apex = await h.call('DELETE', `${Z}/dpgce-googleapis/rrsets/googleapis.com./NS`);
    assert.equal(apex.status, 400);
    await h.ok('DELETE', `${Z}/dpgce-googleapis/rrsets/private.googleapis.com./A`);
    await h.ok('DELETE', `${Z}/dpgce-googleapis/rrsets/*.googleapis.com./CNAME`);
    assert.deepEqual(await h.ok('DELETE', `${Z}/dpgce-googleapis`), {});
    const gone = await h.call('GET', `${Z}/dpgce-googleapis`);
    assert.equal(gone.status, 404);
    assert.equal(
      gone.json.error.message,
      'managedZone "projects/p/managedZones/dpgce-googleapis" not found',
    );
    assert.deepEqual(await h.ok('GET', Z), { kind: 'dns#managedZonesListResponse' });
  });

  it('gives a public zone four name servers of one shard', async () => {
    const zone = await h.ok('POST', Z, { name: 'public-zone', dnsName: 'example.com.' });
    assert.equal(zone.visibility, 'public');
    assert.equal(zone.nameServers.length, 4);
    assert.match(zone.nameServers[0], /^ns-cloud-[a-e]1\.googledomains\.com\.$/);
  });
});
