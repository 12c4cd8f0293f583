import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, runCli, workspace } from '../helpers/cli.js';

// `dpgce emulator serve --faults FILE`: a shared emulator that faults its
// clients' requests; two of them converge through it one after the other.

describe('dpgce emulator serve --faults', () => {
  it("injects the file's faults into its clients' requests; up converges through them", async () => {
    const ws = workspace();
    const rules = join(ws.dir, 'faults.json');
    writeFileSync(
      rules,
      JSON.stringify({
        seed: 1,
        rules: [{ probability: 0.2, fault: [429, 503, 'reset'], after: 0.5 }],
      }),
    );
    const server = spawn(
      process.execPath,
      [CLI, 'emulator', 'serve', '--faults', rules, '--fault-seed', '4', '--json'],
      { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (c) => {
          out += c;
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]).url);
        });
        server.on('close', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const r = await runCli(['up', '--env', ws.env, '--emulator', url, '--yes'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stderr.slice(-500));
      const shown = await (await fetch(`${url}/_emulator/faults`)).json();
      assert.equal(shown.seed, 4);
      assert.ok(shown.injected.total > 10, JSON.stringify(shown.injected));
      const plan = await runCli(
        ['plan', '--env', ws.env, '--emulator', url, '--detailed-exitcode'],
        { cwd: ws.dir },
      );
      assert.equal(plan.code, 0, 'nothing left to do');
    } finally {
      server.kill('SIGINT');
    }
  });
});
