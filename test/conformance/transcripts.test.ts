import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findGcloud } from './gcloud-run.js';
import { compareCase, type Difference } from './transcript-compare.js';
import { readCases, recordingsPresent, RECORDINGS } from './transcript-log.js';
import { SKIPPED_CASES, replay, runScript, type Produced } from './transcript-run.js';

// The emulator held against real Google Cloud: every recorded transcript in
// ../shared/reference/gcp-recordings/ is reproduced (its gcloud script run,
// or its requests replayed) and compared field by field. The differences
// accepted are in transcript-allowlist.json, each with its reason.

interface Accepted {
  case: string;
  field: string;
  kind?: Difference['kind'];
  reason: string;
}

const ALLOWLIST: Accepted[] = JSON.parse(readFileSync(new URL('../../../test/conformance/transcript-allowlist.json',
  import.meta.url), 'utf8'));

const accepts = (a: Accepted, d: Difference): boolean =>
  new RegExp(`^(${a.case})$`).test(d.case) && new RegExp(`^(${a.field})$`).test(d.field) && (!a.kind || a.kind === d.kind);

const gcloud = findGcloud();
const skip = !recordingsPresent() ? `no recordings at ${RECORDINGS}` : undefined;

describe('the emulator against recorded Google Cloud transcripts', { skip }, () => {
  it('keeps fewer than 15 accepted differences, each with a reason', () => {
    assert.ok(ALLOWLIST.length < 15, `${ALLOWLIST.length} accepted differences`);
    for (const a of ALLOWLIST) assert.ok(a.reason && a.reason.length > 20, `no real reason for ${a.case} ${a.field}`);
  });

  it('differs from every transcript only where the allowlist says why', { timeout: 600_000 }, async () => {
    const remaining: Difference[] = [];
    const used = new Set<Accepted>();
    const lines: string[] = [];
    const cases = readCases();
    // Two cases at a time (each has its own emulator); reported in case order.
    const runs = new Map<string, Promise<Produced>>();
    const start = (i: number): void => {
      const c = cases[i];
      if (!c || SKIPPED_CASES[c.name] || (c.script && !gcloud.path)) return;
      runs.set(c.name, c.script ? runScript(c) : replay(c));
    };
    start(0);
    start(1);
    for (const [i, c] of cases.entries()) {
      start(i + 2);
      if (SKIPPED_CASES[c.name]) {
        lines.push(`${c.name}: skipped (${SKIPPED_CASES[c.name]})`);
        continue;
      }
      if (c.script && !gcloud.path) {
        lines.push(`${c.name}: skipped (its script needs gcloud: ${gcloud.reason})`);
        continue;
      }
      const produced: Produced = await runs.get(c.name)!;
      let diffs = compareCase(c.name, c.exchanges, produced.exchanges);
      // A partly run script sends only part of what was recorded.
      if (produced.skipped.length) diffs = diffs.filter((d) => d.kind !== 'not-sent');
      const open = diffs.filter((d) => {
        const a = ALLOWLIST.find((x) => accepts(x, d));
        if (a) used.add(a);
        return !a;
      });
      remaining.push(...open);
      lines.push(`${c.name}: ${c.script ? 'gcloud script' : 'replayed'}, ${c.exchanges.length} recorded exchanges, ` +
        `${diffs.length - open.length} accepted and ${open.length} open differences` +
        (produced.skipped.length ? `; left out: ${produced.skipped.join('; ')}` : '') +
        (produced.failures.length ? `; failed commands: ${produced.failures.join('; ')}` : ''));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    const show = (d: Difference) => `${d.case} ${d.at} ${d.field}: ${d.kind} (recorded ${JSON.stringify(d.recorded)}, ours ${JSON.stringify(d.ours)})`;
    assert.deepEqual(remaining.map(show), [], 'differences not in the allowlist');
    const stale = ALLOWLIST.filter((a) => !used.has(a)).map((a) => `${a.case} ${a.field}`);
    assert.deepEqual(stale, [], 'allowlist entries no transcript needs any more');
  });
});
