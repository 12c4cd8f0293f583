import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { gpuWorkspace } from '../helpers/gpu.js';

// What a plan's create lines say about what they will build: the key fields
// env.json decides, and nothing the server has not filled in yet.

describe('dpgce plan: the create lines', () => {
  it('describe the GPU cluster as env.json asks for it, with no unknown fields', async () => {
    const ws = await gpuWorkspace();
    const r = await runCli(['plan', '--env', ws.env, '--local', '--local-state', ws.state], { cwd: ws.dir });
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('+ dataproc-cluster.main'));
    assert.ok(at >= 0, r.stdout);
    assert.match(lines.slice(at, at + 3).join('\n'),
      /2 workers, n1-standard-8 \+ 1x nvidia-tesla-t4, image dataproc-2-2-deb12-secure-boot-gpu, Secure Boot on/);
    const described = lines.filter((l) => /^ {6}\S/.test(l));
    assert.ok(described.length > 10, r.stdout);
    for (const l of described) assert.doesNotMatch(l, /\?|\s$/, `no unknown or dangling field: "${l}"`);
  });
});
