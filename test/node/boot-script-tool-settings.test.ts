// Per-tool settings the field cases name: pip and conda CA bundles (F09),
// dirmngr's http-proxy option (F12), apt's lock timeout and proxy scheme (F13).
import assert from "node:assert/strict";
import test from "node:test";
import { expectOk, PROXY, proxiedNode } from "./harness/node-kit.js";

const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

test("F09: pip and conda use the OS bundle, persisted for logins, services and pip itself", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  expectOk(await node.runScript());

  const environment = (await node.read("/etc/environment"))!.split("\n");
  for (const key of ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "PIP_CERT"]) {
    assert.ok(environment.includes(`${key}=${BUNDLE}`), `/etc/environment has ${key}`);
  }
  const login = await node.s.run(["/bin/bash", "-lc", "echo $REQUESTS_CA_BUNDLE $SSL_CERT_FILE $PIP_CERT $https_proxy"]);
  assert.equal(login.stdout.trim(), `${BUNDLE} ${BUNDLE} ${BUNDLE} http://${PROXY}`, "the profile script exports them");
  assert.match((await node.read("/etc/pip.conf"))!, new RegExp(`^cert = ${BUNDLE}$`, "m"));
  assert.equal(await node.read("/etc/conda/condarc.d/dpgce-proxy.yaml"),
    `# Managed by dpgce gce-proxy-setup.sh; rewritten at every boot.\nssl_verify: ${BUNDLE}\n`);

  // pip's own HTTP stack (vendored requests and certifi) through the proxy.
  const requests = await node.shell("python3 -c 'import pip._vendor.requests as r; " +
    "print(r.get(\"https://origin.test:8443/by-pip-requests\").status_code)'");
  assert.equal(requests.stdout.trim(), "200", requests.stderr);
  assert.match(await node.squidLog(), /GET https:\/\/origin\.test:8443\/by-pip-requests /);
  const touched = Object.keys(await node.snapshot());
  assert.deepEqual(touched.filter((p) => p.endsWith("cacert.pem")), [], "no package-owned cacert.pem was edited");
});

test("F12: dirmngr gets http-proxy and honor-http-proxy, and loses keyserver-options http-proxy", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  await node.s.writeFile("/etc/gnupg/dirmngr.conf", [
    "keyserver hkps://keyserver.ubuntu.com",
    "keyserver-options http-proxy=http://10.11.0.250:3128", "",
  ].join("\n"));
  expectOk(await node.runScript());
  const lines = (await node.read("/etc/gnupg/dirmngr.conf"))!.split("\n");
  assert.ok(lines.includes(`http-proxy http://${PROXY}`));
  assert.ok(lines.includes("honor-http-proxy"));
  assert.ok(lines.includes("keyserver hkps://keyserver.ubuntu.com"), "other options stay");
  assert.equal(lines.filter((l) => l.startsWith("keyserver-options")).length, 0);
  assert.equal(lines.filter((l) => l.startsWith("http-proxy ")).length, 1);

  // dirmngr itself accepts every line of the file.
  const check = await node.s.run(["/bin/bash", "-c", "mkdir -p -m 700 /tmp/gh && " +
    "dirmngr --homedir /tmp/gh --options /etc/gnupg/dirmngr.conf --gpgconf-list"]);
  assert.equal(check.code, 0, check.stderr);
  assert.equal(check.stderr, "", "no invalid option (keyserver-options here would be one)");
});

test("F13: apt has a dpkg lock timeout and http:// proxies for both schemes, written first", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  const run = expectOk(await node.runScript());
  const apt = (await node.s.run(["apt-config", "dump"])).stdout;
  assert.match(apt, /^DPkg::Lock::Timeout "300";$/m);
  assert.match(apt, new RegExp(`^Acquire::http::Proxy "http://${PROXY}";$`, "m"));
  assert.match(apt, new RegExp(`^Acquire::https::Proxy "http://${PROXY}";$`, "m"));
  const changes = run.stdout.split("\n").filter((l) => / (changed|removed)$/.test(l));
  assert.match(changes[0], /\/etc\/apt\/apt\.conf\.d\/99dpgce-proxy: changed$/, "apt is configured before anything else");
  assert.doesNotMatch(run.stdout + run.stderr, /apt-get|dpkg: /, "the script itself never calls apt");
});
