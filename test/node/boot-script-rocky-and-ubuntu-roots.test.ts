// The branches for other OS families, on prepared roots: Rocky's os-release,
// dnf.conf and update-ca-trust (F11), Ubuntu's os-release, an unsupported OS.
import assert from "node:assert/strict";
import test from "node:test";
import { expectOk, PROXY, proxiedNode } from "./harness/node-kit.js";

const ROCKY_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt";

test("F11 (a): Rocky's stock dnf.conf gets proxy= once under [main]; googleapis repositories bypass it", async (t) => {
  const node = await proxiedNode(t, { fixtures: ["rocky9"] });
  if (!node) return;
  const run = expectOk(await node.runScript());
  assert.match(run.stdout, /OS: rocky 9\.4 \(rhel family\)/);
  const dnf = (await node.read("/etc/dnf/dnf.conf"))!;
  assert.equal(dnf, `[main]\nproxy=http://${PROXY}\ngpgcheck=1\ninstallonly_limit=3\n` +
    "clean_requirements_on_remove=True\nbest=True\nskip_if_unavailable=False\n");
  const repo = (await node.read("/etc/yum.repos.d/dataproc.repo"))!;
  assert.match(repo, /^\[dataproc\]\nproxy=_none_\nname=Dataproc packages$/m);
  assert.doesNotMatch(repo.slice(repo.indexOf("[nvidia-cuda]")), /proxy=/, "other repositories use the global proxy");
  assert.equal(await node.read("/etc/apt/apt.conf.d/99dpgce-proxy"), null, "no apt configuration on Rocky");

  assert.equal((await node.read("/var/log/update-ca-trust.calls"))!.trim(), "extract");
  assert.ok((await node.read("/etc/pki/ca-trust/source/anchors/dpgce-proxy-ca.pem"))!.includes("BEGIN CERTIFICATE"));
  assert.ok(await node.bundleHas("proxy-ca-1", ROCKY_BUNDLE));
  assert.match(run.stdout, /self-test: .* HTTP 200/, "the self-test verified TLS with Rocky's bundle");
  assert.ok((await node.read("/etc/environment"))!.split("\n").includes(`REQUESTS_CA_BUNDLE=${ROCKY_BUNDLE}`));

  const before = await node.snapshot();
  expectOk(await node.runScript());
  assert.deepEqual(await node.snapshot(), before, "a second run changes nothing");
  assert.equal((await node.read("/var/log/update-ca-trust.calls"))!.trim(), "extract", "no second extract");
});

test("F11 (b): a dnf.conf without [main] gets it as its first line; other sections keep their proxy=", async (t) => {
  const node = await proxiedNode(t, { fixtures: ["rocky9"] });
  if (!node) return;
  await node.s.writeFile("/etc/dnf/dnf.conf",
    "gpgcheck=1\ninstallonly_limit=3\n\n[extra]\nproxy=http://other.example:8080\n");
  expectOk(await node.runScript());
  const dnf = (await node.read("/etc/dnf/dnf.conf"))!;
  assert.equal(dnf, `[main]\nproxy=http://${PROXY}\ngpgcheck=1\ninstallonly_limit=3\n\n` +
    "[extra]\nproxy=http://other.example:8080\n");
  assert.equal(dnf.split("\n").filter((l) => l === `proxy=http://${PROXY}`).length, 1);
  expectOk(await node.runScript());
  assert.equal(await node.read("/etc/dnf/dnf.conf"), dnf, "a second run keeps it as it is");
});

test("an Ubuntu root takes the Debian branch; an unsupported OS is refused before any change", async (t) => {
  const node = await proxiedNode(t, { fixtures: ["ubuntu2204"] });
  if (!node) return;
  const run = expectOk(await node.runScript());
  assert.match(run.stdout, /OS: ubuntu 22\.04 \(debian family\)/);
  assert.doesNotMatch(run.stderr, /WARNING: OS/, "22.04 is a supported image line");
  assert.ok(await node.bundleHas("proxy-ca-1"));

  const before = await node.snapshot();
  await node.s.writeFile("/etc/os-release", 'ID=alpine\nVERSION_ID=3.20.0\n');
  const alpine = await node.runScript();
  assert.equal(alpine.code, 1);
  assert.match(alpine.stderr, /ERROR: unsupported OS 'alpine' \(supported: Debian 11\/12, Ubuntu 20\.04\/22\.04\/24\.04, Rocky 8\/9\)/);
  const after = await node.snapshot();
  delete after["etc/os-release"];
  delete before["etc/os-release"];
  assert.deepEqual(after, before);
});
