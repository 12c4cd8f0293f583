// The harness's fake metadata server and Cloud Storage fake follow the real
// servers where the boot script depends on them (no root needed).
import assert from "node:assert/strict";
import test from "node:test";
import { FakeMetadataServer, FAKE_ACCESS_TOKEN, defaultTree } from "./harness/fake-metadata.js";
import { FakeStorageServer } from "./harness/fake-storage.js";

async function started(): Promise<{ mds: FakeMetadataServer; base: string }> {
  const mds = new FakeMetadataServer(defaultTree({ "http-proxy": "10.11.0.250:3128" }));
  await mds.listen(0, "127.0.0.1");
  return { mds, base: `http://127.0.0.1:${mds.address().port}/computeMetadata/v1` };
}

const GOOGLE = { "Metadata-Flavor": "Google" };

test("requires Metadata-Flavor on requests and sends it on every response", async (t) => {
  const { mds, base } = await started();
  t.after(() => mds.close());
  const bare = await fetch(`${base}/instance/attributes/http-proxy`);
  assert.equal(bare.status, 403);
  assert.match(await bare.text(), /Missing required header "Metadata-Flavor"/);
  assert.equal(bare.headers.get("metadata-flavor"), "Google");
  const ok = await fetch(`${base}/instance/attributes/http-proxy`, { headers: GOOGLE });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), "10.11.0.250:3128");
  assert.equal(ok.headers.get("metadata-flavor"), "Google");
  const proxied = await fetch(`${base}/instance/attributes/http-proxy`,
    { headers: { ...GOOGLE, "X-Forwarded-For": "10.0.0.1" } });
  assert.equal(proxied.status, 403, "a request relayed by a proxy is refused");
});

test("answers 404 with Google's page for a missing key, and lists directories", async (t) => {
  const { mds, base } = await started();
  t.after(() => mds.close());
  const missing = await fetch(`${base}/instance/attributes/no-proxy`, { headers: GOOGLE });
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get("content-type")!, /text\/html/);
  assert.match(await missing.text(), /Error 404 \(Not Found\)!!1/);
  const dir = await fetch(`${base}/instance/`, { headers: GOOGLE });
  assert.deepEqual((await dir.text()).trim().split("\n").sort(),
    ["attributes/", "hostname", "id", "service-accounts/", "zone"]);
  const unslashed = await fetch(`${base}/instance/attributes`, { headers: GOOGLE, redirect: "manual" });
  assert.equal(unslashed.status, 301);
  assert.equal(unslashed.headers.get("location"), "/computeMetadata/v1/instance/attributes/");
});

test("?recursive=true returns the subtree as JSON with camelCase names, attribute keys as set", async (t) => {
  const { mds, base } = await started();
  t.after(() => mds.close());
  mds.setAttributes("project", { "no-proxy": ".corp.example" });
  const r = await fetch(`${base}/?recursive=true`, { headers: GOOGLE });
  const tree = (await r.json()) as any;
  assert.equal(tree.project.numericProjectId, "123456789012");
  assert.equal(tree.project.attributes["no-proxy"], ".corp.example");
  assert.equal(tree.instance.attributes["http-proxy"], "10.11.0.250:3128");
  assert.ok(tree.instance.serviceAccounts.default.email.endsWith(".iam.gserviceaccount.com"));
});

test("issues a token, and injects 503s and latency on demand", async (t) => {
  const { mds, base } = await started();
  t.after(() => mds.close());
  const token = await fetch(`${base}/instance/service-accounts/default/token`, { headers: GOOGLE });
  assert.deepEqual(await token.json(), { access_token: FAKE_ACCESS_TOKEN, expires_in: 3599, token_type: "Bearer" });
  mds.faults = { unavailable: 2 };
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/instance/id`, { headers: GOOGLE })).status);
  assert.deepEqual(statuses, [503, 503, 200]);
  mds.faults = { delayMs: 150 };
  const t0 = Date.now();
  await fetch(`${base}/instance/id`, { headers: GOOGLE });
  assert.ok(Date.now() - t0 >= 140);
  assert.deepEqual(mds.requests.slice(-4).map((r) => r.status), [503, 503, 200, 200]);
});

test("the Cloud Storage fake checks the bearer token and answers in Google's error envelope", async (t) => {
  const gcs = new FakeStorageServer(FAKE_ACCESS_TOKEN);
  await gcs.listen(0, "127.0.0.1");
  t.after(() => gcs.close());
  gcs.put("demo-bucket", "swp/ca.pem", "PEM");
  const url = `http://127.0.0.1:${gcs.address().port}/storage/v1/b/demo-bucket/o/swp%2Fca.pem?alt=media`;
  const auth = { Authorization: `Bearer ${FAKE_ACCESS_TOKEN}` };
  assert.equal((await fetch(url)).status, 401);
  assert.equal((await fetch(url, { headers: { Authorization: "Bearer wrong" } })).status, 401);
  assert.equal(await (await fetch(url, { headers: auth })).text(), "PEM");
  gcs.forbidden.add("demo-bucket/swp/ca.pem");
  const denied = await fetch(url, { headers: auth });
  assert.equal(denied.status, 403);
  const body = (await denied.json()) as { error: { code: number; message: string; errors: { reason: string }[] } };
  assert.equal(body.error.code, 403);
  assert.equal(body.error.errors[0].reason, "forbidden");
  assert.match(body.error.message, /storage\.objects\.get/);
  const missing = await fetch(url.replace("ca.pem", "nope.pem"), { headers: auth });
  assert.equal(missing.status, 404);
});
