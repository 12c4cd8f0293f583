import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'jsonc-parser';
import { ownedBy } from '../../bench/state-dump.js';
import { startEmulator } from '../../src/emulator/server.js';
import { runCli, workspace } from '../helpers/cli.js';
import { EXAMPLE_ENV } from '../helpers/example.js';

// down acts only on what carries this environment's mark: a resource of
// someone else's under one of our names survives it, with the grants on it;
// and two environments whose names share a prefix never touch each other.

const P = 'projects/dpgce-demo-project';
const SA = `${P}/serviceAccounts/dpgce-sa@dpgce-demo-project.iam.gserviceaccount.com`;
const FIREWALL = `${P}/global/firewalls/dpgce-egress-deny-all`;

describe('a foreign resource with the name of one of ours', () => {
  it('survives down, with the grants that name it; everything owned goes', async () => {
    const e = await startEmulator();
    try {
      const ws = workspace();
      const args = ['--env', ws.env, '--emulator', e.url, '--yes'];
      assert.equal((await runCli(['up', ...args], { cwd: ws.dir })).code, 0);

      // Someone replaced our service account and a firewall rule with their own, same names, no mark.
      e.store.put(SA, { ...e.store.get(SA)!, description: "the data team's account" });
      e.store.put(FIREWALL, {
        ...e.store.get(FIREWALL)!,
        description: 'deny all, data team',
        network:
          'https://www.googleapis.com/compute/v1/projects/dpgce-demo-project/global/networks/default',
      });

      const r = await runCli(['down', ...args, '--json'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      const deleted = doc.changes.map((c: any) => c.address);
      assert.ok(
        !deleted.includes('service-account.cluster') &&
          !deleted.includes('firewall.egress-deny-all'),
      );
      assert.ok(
        doc.notes.some((n: string) =>
          /service-account\.cluster: .* is not owned by this environment; left alone/.test(n),
        ),
      );
      assert.equal(e.store.get(SA)?.description, "the data team's account");
      assert.equal(e.store.get(FIREWALL)?.description, 'deny all, data team');
      const member = 'serviceAccount:dpgce-sa@dpgce-demo-project.iam.gserviceaccount.com';
      const bindings = e.store.get(`${P}/iamPolicy`)?.bindings ?? [];
      assert.ok(
        bindings.some((b: any) => b.role === 'roles/dataproc.worker' && b.members.includes(member)),
        'the grants of an account that is not ours stay',
      );
      assert.deepEqual(ownedBy(e.store, 'dpgce'), []);
      assert.equal(e.store.get(`${P}/global/networks/dpgce-net`), undefined, 'our network went');
    } finally {
      await e.close();
    }
  });
});

/** The example env.json for environment `name`, with its own buckets, subnet and proxy host. */
function envFor(dir: string, name: string): string {
  const base = parse(readFileSync(EXAMPLE_ENV, 'utf8')) as Record<string, unknown>;
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        ...base,
        ENV_NAME: name,
        SUBNET: `${name}-subnet`,
        BUCKET: `${name}-demo-staging`,
        TEMP_BUCKET: `${name}-demo-temp`,
        PROXY_CERT_GCS_PATH: `gs://${name}-demo-proxy-cert/proxy.cer`,
        SWP_HOSTNAME: `swp.${name}.example.com`,
      },
      null,
      2,
    ),
  );
  return file;
}

describe('two environments whose names share a prefix (team, team-a)', () => {
  it('are built, read and taken down without seeing each other', async () => {
    const e = await startEmulator();
    try {
      const ws = workspace();
      const team = ['--env', envFor(ws.dir, 'team'), '--emulator', e.url];
      const teamA = ['--env', envFor(ws.dir, 'team-a'), '--emulator', e.url];
      const cli = (args: string[]) => runCli(args, { cwd: ws.dir });

      // 1. Both build, neither blocked by the other's names.
      for (const env of [team, teamA]) {
        const r = await cli(['up', ...env, '--yes']);
        assert.equal(r.code, 0, r.stderr.slice(-600));
      }
      for (const env of [team, teamA]) {
        const plan = await cli(['plan', ...env, '--detailed-exitcode']);
        assert.equal(plan.code, 0, `no changes left: ${plan.stdout.slice(-600)}`);
      }
      const teamAOwned = ownedBy(e.store, 'team-a').sort();
      assert.ok(teamAOwned.length > 20);
      assert.ok(ownedBy(e.store, 'team').every((n) => !teamAOwned.includes(n)));

      // 2. team goes; team-a is untouched and still complete.
      const down = await cli(['down', ...team, '--yes', '--json']);
      assert.equal(down.code, 0, down.stderr.slice(-600));
      const touched = JSON.parse(down.stdout)
        .changes.filter((c: any) => /team-a-/.test(c.name))
        .map((c: any) => c.name);
      assert.deepEqual(touched, [], 'down of team touches nothing of team-a');
      assert.deepEqual(ownedBy(e.store, 'team'), []);
      assert.deepEqual(ownedBy(e.store, 'team-a').sort(), teamAOwned);
      assert.equal((await cli(['plan', ...teamA, '--detailed-exitcode'])).code, 0);

      // 3. Then team-a.
      assert.equal((await cli(['down', ...teamA, '--yes'])).code, 0);
      assert.deepEqual(ownedBy(e.store, 'team-a'), []);
    } finally {
      await e.close();
    }
  });
});
