// "Already configured" is judged by value (F06), and runs repeat safely with
// Java trusting the proxy CA exactly once, by fingerprint (F07).
import assert from "node:assert/strict";
import test from "node:test";
import { DEBIAN_MANAGED, expectOk, proxiedNode, type ProxiedNode } from "./harness/node-kit.js";
import { fingerprint } from "./harness/pki.js";

const OLD = "10.0.2.245:3128";
const NEW = "10.9.0.5:3128";
/** A JRE with a keystore of its own (as Temurin ships), not maintained by Debian's hook. */
const OWN_KEYSTORE = "/usr/lib/jvm/own-jre/lib/security/cacerts";

async function keystoreEntries(node: ProxiedNode, store: string): Promise<string[]> {
  const r = await node.s.run(["keytool", "-list", "-keystore", store, "-storepass", "changeit"]);
  return r.stdout.split("\n").filter((l) => l.startsWith("Certificate fingerprint")).map((l) => l.split(" ").pop()!);
}

test("F06: an image configured for an old proxy is reconciled to the metadata, file by file", async (t) => {
  const node = await proxiedNode(t, { proxy: NEW, ca: "proxy-ca-2" });
  if (!node) return;
  await node.s.writeFile("/etc/environment", [
    'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
    `http_proxy=http://${OLD}`, `export HTTPS_PROXY=http://${OLD}`, "LANG=C.UTF-8", "",
  ].join("\n"));
  await node.s.writeFile("/etc/systemd/system/docker.service.d/dpgce-proxy.conf",
    `[Service]\nEnvironment="HTTP_PROXY=http://${OLD}"\n`);
  await node.s.writeFile("/etc/apt/apt.conf.d/99dpgce-proxy", `Acquire::http::Proxy "http://${OLD}";\n`);

  const run = expectOk(await node.runScript());
  for (const file of DEBIAN_MANAGED) {
    const text = (await node.read(file))!;
    assert.ok(text.includes(NEW) && !text.includes(OLD), `${file} names only ${NEW}`);
  }
  const environment = (await node.read("/etc/environment"))!.split("\n");
  assert.ok(environment.includes('PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'));
  assert.ok(environment.includes("LANG=C.UTF-8"), "lines that are not ours stay");
  assert.equal(environment.filter((l) => /^(export )?https?_proxy=/i.test(l)).length, 4, "one line per variable");
  assert.ok(await node.bundleHas("proxy-ca-2"));
  assert.equal(await node.javaCount("proxy-ca-2"), 1);
  const changed = /done: changed (.*)$/m.exec(run.stdout)![1].split(" ");
  for (const file of ["/etc/environment", "/etc/systemd/system/docker.service.d/dpgce-proxy.conf",
    "/etc/apt/apt.conf.d/99dpgce-proxy", "/usr/local/share/ca-certificates/dpgce-proxy-ca.crt"]) {
    assert.ok(changed.includes(file), `the log lists ${file} as changed`);
  }

  const before = await node.snapshot();
  const again = expectOk(await node.runScript());
  assert.deepEqual(await node.snapshot(), before, "the second run changes no file");
  assert.match(again.stdout, /done: no file changed/);
});

test("F07: repeated runs keep one Java entry per keystore and replace it by fingerprint", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  // A JRE of its own with a stale entry under our alias left by an earlier CA;
  // in Debian's keystore, our alias already holding the CA that Debian's hook
  // is about to add too (as after a run that met a dpkg lock).
  const pki = "/opt/dpgce-test/pki";
  const copy = await node.s.run(["/bin/bash", "-c",
    `mkdir -p ${OWN_KEYSTORE.replace(/\/cacerts$/, "")} && cp /etc/ssl/certs/java/cacerts ${OWN_KEYSTORE} && ` +
    `keytool -importcert -noprompt -alias dpgce-proxy-ca -file ${pki}/proxy-ca-2.pem ` +
    `-keystore ${OWN_KEYSTORE} -storepass changeit && ` +
    `keytool -importcert -noprompt -alias dpgce-proxy-ca -file ${pki}/proxy-ca-1.pem ` +
    `-keystore /etc/ssl/certs/java/cacerts -storepass changeit`]);
  assert.equal(copy.code, 0, copy.stderr);

  expectOk(await node.runScript());
  expectOk(await node.runScript());
  for (const store of ["/etc/ssl/certs/java/cacerts", OWN_KEYSTORE]) {
    const fps = await keystoreEntries(node, store);
    assert.equal(fps.filter((f) => f === fingerprint("proxy-ca-1")).length, 1, `${store}: one entry for the CA`);
    assert.equal(fps.filter((f) => f === fingerprint("proxy-ca-2")).length, 0, `${store}: the stale entry is gone`);
  }

  await node.putCa("proxy-ca-2");
  await node.startProxy("proxy-ca-2", ["10.11.0.250:3128"]);
  const change = expectOk(await node.runScript());
  assert.match(change.stdout, new RegExp(`${OWN_KEYSTORE}: changed`));
  for (const store of ["/etc/ssl/certs/java/cacerts", OWN_KEYSTORE]) {
    const fps = await keystoreEntries(node, store);
    assert.equal(fps.filter((f) => f === fingerprint("proxy-ca-2")).length, 1, `${store}: the new CA once`);
    assert.equal(fps.filter((f) => f === fingerprint("proxy-ca-1")).length, 0, `${store}: the old CA replaced`);
  }
  const java = await node.s.run(["/bin/bash", "-c", "cd /tmp && cat > Probe.java <<'EOF'\n" +
    "public class Probe { public static void main(String[] a) throws Exception {\n" +
    "  var c = (javax.net.ssl.HttpsURLConnection) new java.net.URL(a[0]).openConnection(\n" +
    "    new java.net.Proxy(java.net.Proxy.Type.HTTP, new java.net.InetSocketAddress(\"10.11.0.250\", 3128)));\n" +
    "  System.out.println(c.getResponseCode()); } }\nEOF\n" +
    "java Probe.java https://origin.test:8443/by-java"]);
  assert.equal(java.stdout.trim(), "200", `Java trusts the proxy CA: ${java.stderr}`);
  assert.match(await node.squidLog(), /GET https:\/\/origin\.test:8443\/by-java /);
});
