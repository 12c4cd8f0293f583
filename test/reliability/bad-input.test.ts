import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/example.js';

// The hostile env.json corpus (test/config/bad/), through the CLI as a user
// runs it: `up` and `down` on each file that holds an error name the key,
// exit 1, send no request (to the embedded emulator or a running one) and
// write nothing: no state folder, no journal, only the file given.

const CORPUS = new URL('test/config/bad/', REPO_ROOT);
const expectations = JSON.parse(
  readFileSync(new URL('expectations.json', CORPUS), 'utf8'),
) as Record<string, { key: string; severity?: string }>;
const files = Object.keys(expectations)
  .filter((f) => (expectations[f].severity ?? 'error') === 'error')
  .sort();

/** One diagnostic line: "error   <KEY>  <summary>". */
const keyLine = (key: string): RegExp =>
  new RegExp(`^error\\s+${key.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}\\s`, 'm');

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, job: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
    }),
  );
}

describe('the bad env.json corpus through the CLI', () => {
  let e: Emulator;
  before(async () => (e = await startEmulator()));
  after(() => e.close());

  it('has at least 40 files that must be refused', () => {
    assert.ok(files.length >= 40, `${files.length} files`);
  });

  it('up or down refuses each one: the key named, exit 1, no request, no file written', async () => {
    const failures: string[] = [];
    await pool(files, 6, async (name) => {
      const dir = mkdtempSync(join(tmpdir(), 'dpgce-bad-'));
      copyFileSync(fileURLToPath(new URL(name, CORPUS)), join(dir, name));
      // One command per file, in turn: up and down on the embedded emulator (which
      // would leave a state folder), up on a running one (which counts requests).
      const runs = [
        ['up', '--env', name, '--local', '--yes'],
        ['down', '--env', name, '--local', '--yes', '--json'],
        ['up', '--env', name, '--emulator', e.url, '--yes'],
      ];
      for (const args of [runs[files.indexOf(name) % runs.length]]) {
        const r = await runCli(args, { cwd: dir });
        const what = `${name}: ${args.slice(0, 1).concat(args.slice(3, 4)).join(' ')}`;
        if (r.code !== 1) failures.push(`${what}: exit ${r.code}`);
        if (!keyLine(expectations[name].key).test(r.stderr))
          failures.push(`${what}: no error naming ${expectations[name].key}:\n${r.stderr}`);
        if (!/is not valid; nothing was sent/.test(r.stderr))
          failures.push(`${what}: no "nothing was sent"`);
      }
      const left = readdirSync(dir);
      if (left.length !== 1)
        failures.push(`${name}: wrote ${left.filter((f) => f !== name).join(', ')}`);
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(e.requests, [], 'no request reached the running emulator');
  });
});
