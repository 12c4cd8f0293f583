// On a real Debian 12 root: after the boot script, clients reach an HTTPS
// origin through the intercepting proxy with the system trust store; a second
// run changes nothing; new metadata (proxy and CA) is reconciled everywhere.
import assert from "node:assert/strict";
import test from "node:test";
import { DEBIAN_MANAGED, expectOk, PROXY, proxiedNode } from "./harness/node-kit.js";

const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

test("after the script, curl and Python reach the origin through squid with the system trust store", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  expectOk(await node.runScript());

  const curl = await node.shell("curl -sS https://origin.test:8443/by-curl");
  assert.equal(curl.code, 0, curl.stderr);
  assert.equal(curl.stdout, "hello from origin.test\n");
  const python = await node.shell(
    "python3 -c 'import urllib.request; print(urllib.request.urlopen(\"https://origin.test:8443/by-python\").status)'");
  assert.equal(python.stdout.trim(), "200", python.stderr);

  const log = await node.squidLog();
  assert.match(log, /CONNECT origin\.test:8443/);
  assert.match(log, /GET https:\/\/origin\.test:8443\/by-curl /, "squid bumped and logged the GET");
  assert.match(log, /GET https:\/\/origin\.test:8443\/by-python /);
});

test("apt, pip, /etc/environment and the systemd drop-ins carry the proxy and the bypass list", async (t) => {
  const node = await proxiedNode(t, { attributes: { "no-proxy": ".corp.example,10.10.0.0/24" } });
  if (!node) return;
  expectOk(await node.runScript());
  const url = `http://${PROXY}`;

  const apt = await node.s.run(["apt-config", "dump"]);
  assert.match(apt.stdout, new RegExp(`^Acquire::http::Proxy "${url}";$`, "m"));
  assert.match(apt.stdout, new RegExp(`^Acquire::https::Proxy "${url}";$`, "m"));
  const pip = await node.s.run(["pip3", "config", "list"]);
  assert.match(pip.stdout, new RegExp(`^global\\.proxy='${url}'$`, "m"));
  assert.match(pip.stdout, new RegExp(`^global\\.cert='${BUNDLE}'$`, "m"));

  const bypass = "localhost,127.0.0.1,::1,169.254.169.254,metadata.google.internal,.internal," +
    ".googleapis.com,.corp.example,10.10.0.0/24";
  const environment = (await node.read("/etc/environment"))!;
  for (const line of [`http_proxy=${url}`, `https_proxy=${url}`, `no_proxy=${bypass}`,
    `HTTPS_PROXY=${url}`, `NO_PROXY=${bypass}`]) {
    assert.ok(environment.split("\n").includes(line), `/etc/environment has ${line}`);
  }
  const manager = (await node.read("/etc/systemd/system.conf.d/dpgce-proxy.conf"))!;
  assert.match(manager, /^\[Manager\]$/m);
  assert.ok(manager.includes(`"https_proxy=${url}"`) && manager.includes(`"no_proxy=${bypass}"`));
  const docker = (await node.read("/etc/systemd/system/docker.service.d/dpgce-proxy.conf"))!;
  assert.match(docker, /^\[Service\]$/m);
  assert.ok(docker.includes(`"HTTPS_PROXY=${url}"`) && docker.includes(`"NO_PROXY=${bypass}"`));
});

test("a second run changes no file, byte for byte, and says so", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  expectOk(await node.runScript());
  const before = await node.snapshot();
  const second = expectOk(await node.runScript());
  assert.deepEqual(await node.snapshot(), before);
  assert.match(second.stdout, /done: no file changed/);
  for (const file of DEBIAN_MANAGED) assert.match(second.stdout, new RegExp(`${file}: unchanged`));
});

test("new http-proxy and CA in metadata update every managed file and trust store", async (t) => {
  const newProxy = "10.9.0.5:3128";
  const node = await proxiedNode(t, { addresses: ["10.9.0.5"] });
  if (!node) return;
  expectOk(await node.runScript());
  assert.ok(await node.bundleHas("proxy-ca-1"));
  assert.equal(await node.javaCount("proxy-ca-1"), 1);

  await node.putCa("proxy-ca-2");
  await node.setAttributes({ "http-proxy": newProxy });
  await node.startProxy("proxy-ca-2", [newProxy]);
  const run = expectOk(await node.runScript());

  for (const file of DEBIAN_MANAGED) {
    const text = (await node.read(file))!;
    assert.ok(text.includes(newProxy), `${file} names ${newProxy}`);
    assert.ok(!text.includes(PROXY), `${file} no longer names ${PROXY}`);
    assert.match(run.stdout, new RegExp(`${file}: changed`));
  }
  assert.ok(await node.bundleHas("proxy-ca-2"), "the OS bundle holds the new CA");
  assert.ok(!(await node.bundleHas("proxy-ca-1")), "the OS bundle dropped the old CA");
  assert.equal(await node.javaCount("proxy-ca-2"), 1, "Java trusts the new CA once");
  assert.equal(await node.javaCount("proxy-ca-1"), 0, "Java dropped the old CA");
  const curl = await node.shell("curl -sS https://origin.test:8443/after-change");
  assert.equal(curl.code, 0, curl.stderr);
  assert.match(await node.squidLog(), /GET https:\/\/origin\.test:8443\/after-change /);
});

test("a proxy given by name (SWP_HOSTNAME:SWP_PORT) is resolved by DNS and written by name", async (t) => {
  const node = await proxiedNode(t, { proxy: "http://swp.corp.example:3128", listen: PROXY });
  if (!node) return;
  const run = expectOk(await node.runScript());
  assert.match(run.stdout, /self-test: .* through http:\/\/swp\.corp\.example:3128: HTTP 200/);
  assert.ok((await node.read("/etc/environment"))!.split("\n").includes("https_proxy=http://swp.corp.example:3128"));
  assert.match((await node.read("/etc/apt/apt.conf.d/99dpgce-proxy"))!, /Proxy "http:\/\/swp\.corp\.example:3128";/);
});

test("project attributes apply where the instance has none; GCE_METADATA_HOST names the server", async (t) => {
  const node = await proxiedNode(t, { attributes: { "no-proxy": null } });
  if (!node) return;
  await node.setAttributes({ "no-proxy": ".project.example", "http-proxy": "10.0.2.245:3128" }, "project");
  const run = expectOk(await node.runScript());
  assert.match(run.stdout, new RegExp(`proxy: http http://${PROXY},`), "the instance's http-proxy wins");
  assert.match(run.stdout, /bypass list: .*,\.project\.example$/m, "the project's no-proxy fills in");

  // Without the metadata.google.internal name, only the override finds the server.
  await node.s.writeFile("/etc/hosts", "127.0.0.1 localhost origin.test\n");
  const lost = await node.runScript({ DPGCE_METADATA_TIMEOUT: "1" });
  assert.equal(lost.code, 1);
  assert.match(lost.stderr, /metadata server: no answer for http:\/\/metadata\.google\.internal\/.* \(last: Could not resolve host/);
  expectOk(await node.runScript({ GCE_METADATA_HOST: "169.254.169.254:80" }));
});
