// F05: systemd services do not read /etc/environment, so the manager and
// docker get drop-ins; with systemd running the manager is reloaded and
// running units restarted; without it (a test root) only that step is skipped.
import assert from "node:assert/strict";
import test from "node:test";
import { expectOk, PROXY, proxiedNode } from "./harness/node-kit.js";

const MANAGER = "/etc/systemd/system.conf.d/dpgce-proxy.conf";
const DOCKER = "/etc/systemd/system/docker.service.d/dpgce-proxy.conf";
/** `KEY=value` pairs in double quotes, printable ASCII without quotes or backslashes inside. */
const QUOTED_PAIRS = /^(?:"[A-Za-z_]+=[\x21\x23-\x5b\x5d-\x7e]*"(?: |$))+$/;

function assignments(unitFile: string, key: string): string[] {
  const line = unitFile.split("\n").find((l) => l.startsWith(`${key}=`));
  assert.ok(line, `${key}= present`);
  const value = line.slice(key.length + 1);
  assert.match(value, QUOTED_PAIRS, "plain ASCII quoting systemd accepts");
  return [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
}

test("without systemd running, drop-ins are written and only the reload is skipped, with a message", async (t) => {
  const node = await proxiedNode(t);
  if (!node) return;
  const run = expectOk(await node.runScript());
  assert.match(run.stdout, /systemd is not running \(no \/run\/systemd\/system\): skipped the manager reload and restarts of docker\.service containerd\.service/);
  assert.match(run.stdout, /step 10\/10: self-test/, "the steps after it still ran");

  const manager = (await node.read(MANAGER))!;
  assert.match(manager, /^\[Manager\]$/m);
  const env = assignments(manager, "DefaultEnvironment");
  for (const pair of [`http_proxy=http://${PROXY}`, `HTTPS_PROXY=http://${PROXY}`,
    "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt"]) {
    assert.ok(env.includes(pair), `manager drop-in has ${pair}`);
  }
  assert.ok(env.some((p) => p.startsWith("no_proxy=") && p.includes(".googleapis.com")));
  const docker = (await node.read(DOCKER))!;
  assert.match(docker, /^\[Service\]$/m);
  const service = assignments(docker, "Environment");
  assert.ok(service.includes(`HTTP_PROXY=http://${PROXY}`) && service.some((p) => p.startsWith("NO_PROXY=")));
  assert.equal(await node.read("/etc/systemd/system/containerd.service.d/dpgce-proxy.conf"), docker);
});

test("with systemd running, the manager is re-executed and running units restarted, once", async (t) => {
  const node = await proxiedNode(t, { fixtures: ["systemd-running"] });
  if (!node) return;
  await node.s.writeFile("/run/systemd/system/.present", "");
  const first = expectOk(await node.runScript());
  assert.deepEqual((await node.read("/var/log/systemctl.calls"))!.trim().split("\n"), [
    "daemon-reexec",
    "is-active --quiet docker.service",
    "restart docker.service",
    "is-active --quiet containerd.service",
  ]);
  assert.match(first.stdout, /systemd: restarted docker\.service \(it was running\)/);
  assert.doesNotMatch(first.stdout, /restarted containerd/);

  await node.s.writeFile("/var/log/systemctl.calls", "");
  const second = expectOk(await node.runScript());
  assert.equal(await node.read("/var/log/systemctl.calls"), "", "nothing changed, nothing reloaded");
  assert.match(second.stdout, /systemd: no drop-in changed; nothing to reload/);
});
