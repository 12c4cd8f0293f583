// Failures end with the documented message (docs/boot-script.md, "Errors") and
// leave the node as it was: each case starts from a configured node (CA 1),
// offers a change (CA 2) together with the fault, and checks that no file moved.
import assert from "node:assert/strict";
import test, { type TestContext } from "node:test";
import { CA_OBJECT, expectOk, PEM_URI, PROXY, proxiedNode, TEST_URL, type ProxiedNode } from "./harness/node-kit.js";
import { pem } from "./harness/pki.js";

async function configuredNode(t: TestContext): Promise<{ node: ProxiedNode; before: Record<string, string> } | undefined> {
  const node = await proxiedNode(t);
  if (!node) return undefined;
  expectOk(await node.runScript());
  await node.putCa("proxy-ca-2");
  return { node, before: await node.snapshot() };
}

async function expectRefused(node: ProxiedNode, before: Record<string, string>, message: RegExp,
  env: Record<string, string> = {}): Promise<void> {
  const r = await node.runScript(env);
  assert.equal(r.code, 1, `exit status\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} gce-proxy-setup ERROR: /m, "timestamped");
  assert.deepEqual(await node.snapshot(), before, "no file changed");
  assert.ok(await node.bundleHas("proxy-ca-1"), "the trust store still holds the old CA");
  assert.ok(!(await node.bundleHas("proxy-ca-2")), "the offered CA was not trusted");
}

test("bad metadata is refused, naming the attribute, before anything changes", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  const { node, before } = c;
  await t.test("a pem URI that is not gs://", async () => {
    const uri = "https://storage.googleapis.com/demo-bucket/swp/ca.pem";
    await node.setAttributes({ "http-proxy-pem-uri": uri });
    await expectRefused(node, before, new RegExp(`metadata http-proxy-pem-uri=${uri}: not a gs:// URI`));
    await node.setAttributes({ "http-proxy-pem-uri": PEM_URI });
  });
  await t.test("a proxy without a port", async () => {
    await node.setAttributes({ "http-proxy": "10.11.0.250" });
    await expectRefused(node, before, /metadata http-proxy=10\.11\.0\.250: expected host:port or http:\/\/host:port \(the port is required\)/);
    await node.setAttributes({ "http-proxy": PROXY });
  });
  await t.test("a proxy-test-url that cannot check the CA", async () => {
    await node.setAttributes({ "proxy-test-url": "http://origin.test:8443/" });
    await expectRefused(node, before, /metadata proxy-test-url=http:\/\/origin\.test:8443\/: must be an https:\/\/ URL/);
    await node.setAttributes({ "proxy-test-url": TEST_URL });
  });
});

test("a CA object that cannot be trusted is refused with the URI and the cause", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  const { node, before } = c;
  await t.test("PEM download answered 403 (F08)", async () => {
    await node.forbid("swp/forbidden.pem");
    await node.setAttributes({ "http-proxy-pem-uri": "gs://demo-bucket/swp/forbidden.pem" });
    await expectRefused(node, before, new RegExp("http-proxy-pem-uri gs://demo-bucket/swp/forbidden\\.pem: " +
      "Cloud Storage answered HTTP 403: .*Permission 'storage\\.objects\\.get' denied"));
  });
  await t.test("PEM that is not a CA", async () => {
    await node.putObject("swp/leaf.pem", pem("not-a-ca"));
    await node.setAttributes({ "http-proxy-pem-uri": "gs://demo-bucket/swp/leaf.pem" });
    await expectRefused(node, before, /http-proxy-pem-uri gs:\/\/demo-bucket\/swp\/leaf\.pem: 'subject=CN = not a CA' is not a CA certificate/);
  });
  await t.test("an object that is not a certificate", async () => {
    await node.putObject("swp/garbage.pem", "<html>sign in</html>\n");
    await node.setAttributes({ "http-proxy-pem-uri": "gs://demo-bucket/swp/garbage.pem" });
    await expectRefused(node, before, /http-proxy-pem-uri gs:\/\/demo-bucket\/swp\/garbage\.pem: the object is not a PEM certificate/);
  });
  const storage = (await node.requests()).storage.filter((r) => r.path.startsWith("/storage/v1/b/"));
  assert.ok(storage.length > 0 && storage.every((r) => r.authorized && r.via === undefined),
    "Cloud Storage was called with the metadata token, never through the proxy");
  assert.ok(storage.some((r) => r.path === `/storage/v1/b/demo-bucket/o/${encodeURIComponent(CA_OBJECT)}?alt=media`));
});

test("proxy down: the script names proxy, URL and cause, and changes nothing", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  await c.node.stopProxy();
  await expectRefused(c.node, c.before, new RegExp(`proxy check \\(nothing changed yet\\) failed: ${TEST_URL} ` +
    `through proxy http://${PROXY}: cannot connect to the proxy .*\\[curl: Failed to connect to 10\\.11\\.0\\.250 port 3128`));
});

test("a CA in metadata that is not the proxy's CA fails TLS verification, and changes nothing", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  // Cloud Storage now offers CA 2 while squid still bumps with CA 1.
  await expectRefused(c.node, c.before, new RegExp(`proxy check \\(nothing changed yet\\) failed: ${TEST_URL} ` +
    `through proxy http://${PROXY}: TLS verification failed \\(is http-proxy-pem-uri the proxy's CA\\?\\)`));
});

test("a self-test host off the proxy's allowlist is reported as refused, and changes nothing", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  await c.node.putCa("proxy-ca-1");
  await c.node.setAttributes({ "proxy-test-url": "https://denied.test:8443/" });
  // squid, like an inspecting gateway, answers the denial inside the bumped tunnel.
  await expectRefused(c.node, c.before, /proxy check \(nothing changed yet\) failed: https:\/\/denied\.test:8443\/ through proxy http:\/\/10\.11\.0\.250:3128: HTTP 403 \(is the host on the proxy's allowlist\?\)/);
});

test("a proxy name that does not resolve is reported as such, and changes nothing", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  await c.node.setAttributes({ "http-proxy": "swp.nowhere.example:3128" });
  await expectRefused(c.node, c.before, /through proxy http:\/\/swp\.nowhere\.example:3128: the proxy host name does not resolve \[curl: Could not resolve proxy: swp\.nowhere\.example\]/);
});

test("metadata server briefly 503 or slow: requests are retried and the run succeeds", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  await node.metadataFaults({ unavailable: 3 });
  const blip = expectOk(await node.runScript());
  assert.match(blip.stdout, /metadata server: HTTP 503 for instance\/attributes\/http-proxy; retrying/);
  const { metadata } = await node.requests();
  assert.deepEqual(metadata.slice(0, 4).map((r) => r.status), [503, 503, 503, 200]);
  assert.ok(metadata.every((r) => r.flavor === "Google"), "every request carries Metadata-Flavor");
  await node.metadataFaults({ delayMs: 300 });
  expectOk(await node.runScript());
});

test("metadata server unavailable past the deadline: refused, nothing changed", async (t) => {
  const c = await configuredNode(t);
  if (!c) return;
  const url = "http://metadata.google.internal/computeMetadata/v1/instance/attributes/http-proxy";
  await c.node.metadataFaults({ unavailable: 1000 });
  await expectRefused(c.node, c.before, new RegExp(`metadata server: no answer for ${url} within 2 s \\(last: HTTP 503\\)`),
    { DPGCE_METADATA_TIMEOUT: "2" });
  await c.node.metadataFaults({ delayMs: 4000 });
  await expectRefused(c.node, c.before, new RegExp(`metadata server: no answer for ${url} within 2 s \\(last: .*timed out`),
    { DPGCE_METADATA_TIMEOUT: "2" });
});
