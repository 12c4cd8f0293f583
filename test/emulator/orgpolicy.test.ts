import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from './raw-http.js';

// Org Policy v2 over raw HTTP, as an administrator sets policies and a
// reader evaluates them (gcp-api-facts §18.6). Every answer is held to the
// GoogleCloudOrgpolicyV2Policy message of the googleapis types (the tables
// strict mode uses), so no field the real API lacks can creep in.

const PROJECT = 'dpgce-org';
const P = `/v2/projects/${PROJECT}/policies`;
const TABLES = JSON.parse(readFileSync(new URL('../../../src/emulator/api-tables.json', import.meta.url), 'utf8'));

/** Fields of `value` that the message does not have, as dotted paths. */
function unknownFields(value: any, message: string, at = ''): string[] {
  const fields = TABLES.schemas[message] as Record<string, unknown>;
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, message, `${at}[${i}]`));
  return Object.entries(value).flatMap(([k, v]) => {
    if (!(k in fields)) return [`${at}${k}`];
    const ref = fields[k];
    return typeof ref === 'string' && v && typeof v === 'object' ? unknownFields(v, ref, `${at}${k}.`) : [];
  });
}

const POLICY = 'orgpolicy.GoogleCloudOrgpolicyV2Policy';

describe('Org Policy v2 projects.policies', () => {
  let h: Client;
  let number: string;
  before(async () => {
    h = await client({ strict: { enabled: true } });
    number = (await h.ok('GET', `/v1/projects/${PROJECT}`)).projectNumber;
  });
  after(() => h.close());

  it('answers get of an unset constraint with the recorded 404', async () => {
    const r = await h.call('GET', `${P}/compute.requireShieldedVm`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
  });

  it('gives the constraint default as the effective policy when none is set', async () => {
    const boolean = await h.ok('GET', `${P}/compute.requireShieldedVm:getEffectivePolicy`);
    assert.deepEqual(boolean, { name: `projects/${number}/policies/compute.requireShieldedVm`, spec: { rules: [{ enforce: false }] } });
    const list = await h.ok('GET', `/v2/projects/${number}/policies/gcp.resourceLocations:getEffectivePolicy`);
    assert.deepEqual(list.spec.rules, [{ allowAll: true }]);
    assert.deepEqual(unknownFields(list, POLICY), []);
  });

  it('creates a policy named by project number, with etags and update times', async () => {
    const created = await h.ok('POST', P, {
      name: `projects/${PROJECT}/policies/compute.requireShieldedVm`,
      spec: { rules: [{ enforce: true }] },
    });
    assert.equal(created.name, `projects/${number}/policies/compute.requireShieldedVm`);
    assert.deepEqual(created.spec.rules, [{ enforce: true }]);
    assert.ok(created.etag && created.spec.etag && !Number.isNaN(Date.parse(created.spec.updateTime)));
    assert.deepEqual(unknownFields(created, POLICY), []);
    assert.deepEqual(await h.ok('GET', `${P}/compute.requireShieldedVm`), created);

    const again = await h.call('POST', P, { name: created.name, spec: { rules: [{ enforce: false }] } });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.status, 'ALREADY_EXISTS');

    const effective = await h.ok('GET', `${P}/compute.requireShieldedVm:getEffectivePolicy`);
    assert.deepEqual(effective, { name: created.name, spec: { rules: [{ enforce: true }] } }, 'no etag, no update time');
  });

  it('overwrites on PATCH, refusing a stale etag with ABORTED', async () => {
    const name = `projects/${PROJECT}/policies/compute.vmExternalIpAccess`;
    const first = await h.ok('POST', P, { name, spec: { rules: [{ allowAll: true }] } });
    const patched = await h.ok('PATCH', `${P}/compute.vmExternalIpAccess`,
      { name, etag: first.etag, spec: { rules: [{ denyAll: true }] } });
    assert.deepEqual(patched.spec.rules, [{ denyAll: true }]);
    assert.notEqual(patched.etag, first.etag);

    const stale = await h.call('PATCH', `${P}/compute.vmExternalIpAccess`,
      { name, etag: first.etag, spec: { rules: [{ allowAll: true }] } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.status, 'ABORTED');

    const missing = await h.call('PATCH', `${P}/compute.restrictCloudNATUsage`,
      { spec: { rules: [{ denyAll: true }] } });
    assert.equal(missing.status, 404);
  });

  it('merges list rules in the effective policy and drops conditional ones', async () => {
    const name = `projects/${PROJECT}/policies/gcp.resourceLocations`;
    await h.ok('POST', P, { name, spec: { rules: [
      { values: { allowedValues: ['in:europe-locations'] } },
      { values: { allowedValues: ['in:us-east1-locations'], deniedValues: ['us-east1-b'] } },
      { values: { allowedValues: ['in:asia-locations'] }, condition: { expression: "resource.matchTag('1/env', 'prod')" } },
    ] } });
    const effective = await h.ok('GET', `${P}/gcp.resourceLocations:getEffectivePolicy`);
    assert.deepEqual(effective.spec.rules, [{ values: {
      allowedValues: ['in:europe-locations', 'in:us-east1-locations'], deniedValues: ['us-east1-b'] } }]);
  });

  it('refuses specs the API refuses', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['compute.requireShieldedVm', { rules: [{ allowAll: true }] }, /only in policies for list constraints/],
      ['compute.restrictCloudNATUsage', { rules: [{ enforce: true }] }, /only in policies for boolean constraints/],
      ['compute.restrictCloudNATUsage', { rules: [{ allowAll: true, denyAll: true }] }, /exactly one of/],
      ['compute.restrictCloudNATUsage', { reset: true, rules: [{ allowAll: true }] }, /must have no rules/],
      ['compute.disableSerialPortAccess', { inheritFromParent: true, rules: [{ enforce: true }] }, /only for list constraints/],
      ['compute.disableSerialPortAccess', { rules: [{ enforce: true }, { enforce: false }] }, /exactly one rule without a condition/],
      ['no.suchConstraint', { rules: [{ enforce: true }] }, /does not exist/],
    ];
    for (const [constraint, spec, message] of cases) {
      const r = await h.call('POST', P, { name: `projects/${PROJECT}/policies/${constraint}`, spec });
      assert.equal(r.status, 400, constraint);
      assert.match(r.json.error.message, message);
    }
    const elsewhere = await h.call('POST', P, { name: 'projects/other/policies/compute.requireOsLogin', spec: {} });
    assert.equal(elsewhere.status, 400);
  });

  it('lists and deletes, with the etag checked', async () => {
    const { items } = await h.all(P, 'policies');
    assert.deepEqual(items.map((p) => p.name.split('/').pop()).sort(),
      ['compute.requireShieldedVm', 'compute.vmExternalIpAccess', 'gcp.resourceLocations']);
    const stale = await h.call('DELETE', `${P}/gcp.resourceLocations?etag=stale`);
    assert.equal(stale.status, 409);
    assert.deepEqual(await h.ok('DELETE', `${P}/gcp.resourceLocations`), {});
    assert.equal((await h.call('DELETE', `${P}/gcp.resourceLocations`)).status, 404);
    const effective = await h.ok('GET', `${P}/gcp.resourceLocations:getEffectivePolicy`);
    assert.deepEqual(effective.spec.rules, [{ allowAll: true }], 'back to the default');
  });

  it('lists the constraints it knows with their defaults', async () => {
    const { items } = await h.all(`/v2/projects/${PROJECT}/constraints`, 'constraints');
    const shielded = items.find((c) => c.name === `projects/${number}/constraints/compute.requireShieldedVm`);
    assert.equal(shielded.constraintDefault, 'ALLOW');
    assert.deepEqual(shielded.booleanConstraint, {});
    assert.ok(items.find((c) => c.name.endsWith('/gcp.resourceLocations')).listConstraint);
  });

  it('refuses a caller without orgpolicy.policy.get or .set with 403', async () => {
    await h.ok('PUT', '/_emulator/caller', { deniedPermissions: ['orgpolicy.policy.get', 'orgpolicy.policy.set'] });
    try {
      for (const [method, path] of [['GET', `${P}/compute.requireShieldedVm:getEffectivePolicy`], ['GET', P],
        ['POST', P]] as const) {
        const r = await h.call(method, path, method === 'POST'
          ? { name: `projects/${PROJECT}/policies/compute.requireOsLogin`, spec: { rules: [{ enforce: true }] } } : undefined);
        assert.equal(r.status, 403, `${method} ${path}`);
        assert.equal(r.json.error.status, 'PERMISSION_DENIED');
        assert.match(r.json.error.message, /^Permission 'orgpolicy\.policy\.(get|set)' denied on resource/);
        assert.equal(r.json.error.details[0].reason, 'IAM_PERMISSION_DENIED');
      }
    } finally {
      await h.ok('PUT', '/_emulator/caller', { deniedPermissions: [] });
    }
  });
});
