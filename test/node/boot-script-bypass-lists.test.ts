// One bypass list, rendered per tool; the self-test never takes the bypass;
// Google APIs never cross the proxy (field cases F01, F02, F03, F08, F10).
import assert from "node:assert/strict";
import test from "node:test";
import { environmentNoProxy } from "../../src/node/metadata.js";
import { expectOk, PROXY, proxiedNode, TEST_URL } from "./harness/node-kit.js";

test("F01: the self-test goes through the proxy even for a bypassed host; Google APIs are probed directly", async (t) => {
  const node = await proxiedNode(t, { attributes: { "no-proxy": ".google.com,origin.test" } });
  if (!node) return;
  const run = expectOk(await node.runScript());
  const selfTests = (await node.squidLog()).split("\n").filter((l) => l.includes("GET https://origin.test:8443/self-test"));
  assert.equal(selfTests.length, 2, "the proxy check and the self-test both crossed squid");
  assert.match(run.stdout, /Google APIs: http:\/\/127\.0\.0\.1:9023 reachable without the proxy/);
  const probe = (await node.requests()).storage.filter((r) => r.path === "/");
  assert.equal(probe.length, 1);
  assert.equal(probe[0].via, undefined, "the Google API probe did not cross a proxy");

  await node.stopProxy();
  const down = await node.runScript();
  assert.notEqual(down.code, 0);
  assert.ok(down.stderr.includes(`http://${PROXY}`) && down.stderr.includes(TEST_URL),
    `the message names the proxy and the probe URL:\n${down.stderr}`);
});

test("F02: the environment form drops globs with a warning and matches what dpgce renders", async (t) => {
  const attribute = "10.10.0.0/24,c1-w-*,.corp.example";
  const node = await proxiedNode(t, { attributes: { "no-proxy": attribute } });
  if (!node) return;
  const run = expectOk(await node.runScript());
  const expected = "localhost,127.0.0.1,::1,169.254.169.254,metadata.google.internal,.internal," +
    ".googleapis.com,.corp.example,10.10.0.0/24";
  assert.equal(environmentNoProxy(attribute), expected);
  const environment = (await node.read("/etc/environment"))!.split("\n");
  assert.ok(environment.includes(`no_proxy=${expected}`));
  assert.ok(environment.includes(`NO_PROXY=${expected}`));
  assert.match(run.stderr, /WARNING: no-proxy entry 'c1-w-\*' dropped: .*'\.internal'/);
});

test("F03, F08, F10: boto and gcloud lose their proxy settings and get no CA of their own", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  // An image with an old, partly broken boto.cfg and gcloud proxy properties.
  await node.s.writeFile("/etc/boto.cfg", [
    "[Boto]", "proxy = 10.0.2.245", "proxy_port = 3128", "https_validate_certificates = True",
    "this line is not valid ini", "[GSUtil]", "default_project_id = demo-project", "",
  ].join("\n"));
  const properties = "/usr/lib/google-cloud-sdk/properties";
  await node.s.writeFile(properties, [
    "[core]", "disable_usage_reporting = True", "[proxy]", "type = http", "address = 10.0.2.245",
    "port = 3128", "[component_manager]", "disable_update_check = True", "",
  ].join("\n"));
  const run = expectOk(await node.runScript());
  assert.match(run.stdout, /proxy CA: subject=CN = dpgce test interception CA 1/, "the CA came without boto");

  const boto = (await node.read("/etc/boto.cfg"))!;
  assert.doesNotMatch(boto, /^\s*proxy/m);
  assert.doesNotMatch(boto, /ca_certificates_file/);
  assert.match(boto, /^this line is not valid ini$/m, "other lines are left alone");
  assert.match(boto, /^default_project_id = demo-project$/m);
  const gcloud = (await node.read(properties))!;
  assert.doesNotMatch(gcloud, /\[proxy\]|address = /);
  assert.doesNotMatch(gcloud, /custom_ca_certs_file/);
  assert.match(gcloud, /^\[component_manager\]\ndisable_update_check = True$/m);

  const noProxy = (await node.read("/etc/environment"))!.match(/^no_proxy=(.*)$/m)![1].split(",");
  assert.ok(noProxy.includes(".googleapis.com"));
  assert.deepEqual(noProxy.filter((e) => /\.googleapis\.com$/.test(e) && e !== ".googleapis.com"), [],
    "a suffix, not a list of services");
});

test("apt fetches repositories on *.googleapis.com DIRECT; other Google repositories use the proxy", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  await node.s.writeFile("/etc/apt/sources.list.d/dataproc.list",
    "deb https://dataproc-repo.storage.googleapis.com/apt bookworm main\n" +
    "deb https://packages.cloud.google.com/apt cloud-sdk main\n");
  expectOk(await node.runScript());
  const apt = (await node.s.run(["apt-config", "dump"])).stdout;
  assert.match(apt, /^Acquire::https::Proxy::dataproc-repo\.storage\.googleapis\.com "DIRECT";$/m);
  assert.match(apt, /^Acquire::https::Proxy::storage\.googleapis\.com "DIRECT";$/m);
  assert.doesNotMatch(apt, /packages\.cloud\.google\.com/);
  assert.match(apt, new RegExp(`^Acquire::https::Proxy "http://${PROXY}";$`, "m"));
});
