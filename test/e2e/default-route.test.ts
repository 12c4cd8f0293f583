import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator/server.js';
import { runCli, workspace } from '../helpers/cli.js';

// F17: the network's default internet route was deleted. dpgce explains why
// it is needed, restores it, and keeps isolation through the firewall.

const PROJECT = 'dpgce-demo-project';
const AUTH = { authorization: 'Bearer t' };

describe('F17: a deleted default internet route', () => {
  it('is an error in status, restored by up with the reason, and removed again by down', async () => {
    const e = await startEmulator();
    try {
      const ws = workspace();
      const cli = (...a: string[]) => runCli([...a, '--env', ws.env, '--emulator', e.url], { cwd: ws.dir });
      assert.equal((await cli('up', '--yes')).code, 0);

      // Delete the system route behind the tool's back.
      const list = await (await fetch(`${e.url}/compute/v1/projects/${PROJECT}/global/routes`, { headers: AUTH })).json() as any;
      const route = list.items.find((r: any) => r.network.endsWith('/dpgce-net') && r.destRange === '0.0.0.0/0');
      let op = await (await fetch(`${e.url}/compute/v1/projects/${PROJECT}/global/routes/${route.name}`, { method: 'DELETE', headers: AUTH })).json() as any;
      while (op.status !== 'DONE') {
        op = await (await fetch(`${e.url}/compute/v1/projects/${PROJECT}/global/operations/${op.name}/wait`, { method: 'POST', headers: AUTH })).json();
      }

      const st = await cli('status', '--json');
      assert.equal(st.code, 1);
      const entry = JSON.parse(st.stdout).resources.find((r: any) => r.address === 'route.default-internet');
      assert.equal(entry.state, 'error');
      assert.match(entry.detail, /Dataproc, Private Google Access and the proxy NAT need it/);

      const plan = await cli('plan', '--json');
      const changes = JSON.parse(plan.stdout).changes;
      assert.deepEqual(changes.map((c: any) => [c.address, c.action]), [['route.default-internet', 'create']]);
      assert.match(changes[0].reason, /isolation comes from the egress firewall rules/);

      assert.equal((await cli('up', '--yes')).code, 0);
      assert.equal((await cli('status')).code, 0);
      const restored = e.store.get(`projects/${PROJECT}/global/routes/dpgce-default-internet`);
      assert.equal(restored?.destRange, '0.0.0.0/0');
      assert.match(restored?.nextHopGateway, /default-internet-gateway$/);

      const down = await cli('down', '--yes', '--json');
      assert.equal(down.code, 0, down.stderr);
      assert.ok(JSON.parse(down.stdout).changes.some((c: any) => c.address === 'route.default-internet'));
      assert.equal(e.store.get(`projects/${PROJECT}/global/routes/dpgce-default-internet`), undefined);
    } finally {
      await e.close();
    }
  });
});
