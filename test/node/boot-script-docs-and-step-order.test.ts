// docs/boot-script.md lists every metadata attribute the script reads, every
// file it manages and its steps in order, and the script keeps that order (F14).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { expectOk, proxiedNode, type ProxiedNode } from "./harness/node-kit.js";
import { REPO_ROOT, SCRIPT } from "./harness/session.js";

const docs = readFileSync(join(REPO_ROOT, "docs/boot-script.md"), "utf8");
const script = readFileSync(SCRIPT, "utf8");

function section(title: string): string {
  const start = docs.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs have a "${title}" section`);
  const end = docs.indexOf("\n## ", start + 1);
  return docs.slice(start, end < 0 ? undefined : end);
}

const documentedSteps = [...section("Steps").matchAll(/^\d+\. `([a-z-]+)`/gm)].map((m) => m[1]);
const documentedAttributes = [...section("Metadata").matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
const documentedFiles = section("Managed files").split("\n").filter((l) => l.startsWith("| `"))
  .flatMap((row) => [...row.split("|")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));

function documented(path: string): boolean {
  return documentedFiles.some((f) => new RegExp(`^${f.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]+")}$`).test(path));
}

/** The files a run reported on, from its per-file log lines. */
function reportedFiles(stdout: string): string[] {
  return [...stdout.matchAll(/INFO: (\/\S+): (changed|unchanged|removed)$/gm)].map((m) => m[1]);
}

test("the documented steps are the script's steps, in the script's order", () => {
  const steps = /readonly STEPS=\(([^)]*)\)/.exec(script)![1].split(/\s+/).filter((s) => s !== "");
  assert.deepEqual(documentedSteps, steps);
  assert.equal(steps.length, 10);
});

test("every metadata attribute the script reads is documented", () => {
  const read = [...new Set([...script.matchAll(/^\s+attribute ([a-z-]+)$/gm)].map((m) => m[1]))];
  assert.deepEqual([...read].sort(), [...documentedAttributes].sort());
});

async function runLogged(node: ProxiedNode): Promise<string> {
  return expectOk(await node.runScript()).stdout;
}

test("F14: a run logs its steps in the documented order, and every file it touches is documented", async (t) => {
  const node = await proxiedNode(t, { fixtures: ["systemd-running"] });
  if (!node) return;
  await node.s.writeFile("/etc/boto.cfg", "[Boto]\nproxy = 10.0.2.245\n");
  await node.s.writeFile("/usr/lib/google-cloud-sdk/properties", "[proxy]\naddress = 10.0.2.245\n");
  await node.s.writeFile("/run/systemd/system/.present", "");
  const before = await node.snapshot();
  const stdout = await runLogged(node);
  const logged = [...stdout.matchAll(/step (\d+)\/10: ([a-z-]+):/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(logged, documentedSteps.map((s, i) => `${i + 1} ${s}`));
  assert.ok(stdout.indexOf("step 10/10") < stdout.indexOf("done: "), "the summary comes last");

  const files = reportedFiles(stdout);
  assert.ok(files.length >= 13, `files reported: ${files.join(" ")}`);
  for (const file of files) assert.ok(documented(file), `${file} is listed in docs/boot-script.md`);
  // What the run wrote, apart from what update-ca-certificates and its hooks own.
  const after = await node.snapshot();
  const touched = Object.keys(after).filter((p) => after[p] !== before[p]).map((p) => `/${p}`)
    .filter((p) => !p.startsWith("/etc/ssl/certs/") && !p.startsWith("/var/lib/dpkg/") &&
      !p.startsWith("/var/log/") && p !== "/var/lib/ca-certificates-java/pending");
  for (const path of touched) assert.ok(documented(path), `${path} (written) is listed in docs/boot-script.md`);
});

test("on Rocky, every file the script touches is documented too", async (t) => {
  const node = await proxiedNode(t, { fixtures: ["rocky9"] });
  if (!node) return;
  const files = reportedFiles(await runLogged(node));
  assert.ok(files.includes("/etc/dnf/dnf.conf") && files.includes("/etc/yum.repos.d/dataproc.repo"));
  for (const file of files) assert.ok(documented(file), `${file} is listed in docs/boot-script.md`);
});
