// The bypass list in its per-tool forms (field case F02), and the TypeScript
// side agreeing with the boot script's fixed defaults.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import {
  BOOT_SCRIPT_DEFAULT_BYPASS, environmentNoProxy, javaNonProxyHosts, renderNoProxyAttribute,
} from "../../src/node/metadata.js";
import { SCRIPT } from "./harness/session.js";

const F02 = "10.10.0.0/24,c1-w-*,.corp.example";

test("F02: the environment form holds suffixes and CIDRs curl, Python and Go understand", () => {
  const entries = environmentNoProxy(F02).split(",");
  for (const wanted of [".corp.example", "10.10.0.0/24", ".internal", ".googleapis.com",
    "metadata.google.internal", "169.254.169.254", "localhost", "127.0.0.1", "::1"]) {
    assert.ok(entries.includes(wanted), `${wanted} in ${entries.join(",")}`);
  }
  assert.ok(!entries.some((e) => e.includes("*")), "no glob survives");
});

test("F02: the Java form uses | separators, *. suffixes and octet wildcards", () => {
  assert.equal(javaNonProxyHosts(F02),
    "localhost|127.0.0.1|[::1]|169.254.169.254|metadata.google.internal|*.internal|" +
    "*.googleapis.com|*.corp.example|10.10.0.*");
});

test("F02: a glob entry is dropped with a warning naming a working alternative", () => {
  const { value, diagnostics } = renderNoProxyAttribute(["10.10.0.0/24", "c1-w-*", ".corp.example"]);
  assert.equal(value, "10.10.0.0/24,.corp.example");
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].entry, "c1-w-*");
  assert.match(diagnostics[0].summary, /'\.internal'/);
  const ip = renderNoProxyAttribute(["10.20.*"]);
  assert.equal(ip.value, "");
  assert.match(ip.diagnostics[0].summary, /use 10\.20\.0\.0\/16$/);
});

test("a leading *. is the suffix form, not a glob", () => {
  assert.deepEqual(renderNoProxyAttribute(["*.corp.example"]), { value: ".corp.example", diagnostics: [] });
});

test("the attribute keeps the order given and drops duplicates", () => {
  assert.equal(renderNoProxyAttribute([".corp.example,10.10.0.0/24", "10.10.0.0/24 .corp.example"]).value,
    ".corp.example,10.10.0.0/24");
});

test("Java ranges between octet boundaries expand, or widen when the expansion is large", () => {
  assert.match(javaNonProxyHosts("10.10.16.0/20"), /\|10\.10\.16\.\*\|10\.10\.17\.\*\|.*\|10\.10\.31\.\*$/);
  assert.equal(javaNonProxyHosts("10.10.16.0/20").split("|").filter((e) => e.startsWith("10.10.")).length, 16);
  assert.match(javaNonProxyHosts("10.128.0.0/9"), /\|10\.\*$/);
  assert.match(javaNonProxyHosts("10.1.2.3/32"), /\|10\.1\.2\.3$/);
  assert.match(javaNonProxyHosts("corp.example"), /\|corp\.example\|\*\.corp\.example$/);
});

test("Google APIs are always bypassed as a suffix, never as a list of services (F03)", () => {
  const env = environmentNoProxy("");
  assert.ok(env.split(",").includes(".googleapis.com"));
  assert.ok(!env.split(",").some((e) => /^[a-z0-9-]+\.googleapis\.com$/.test(e)));
  assert.match(javaNonProxyHosts(""), /\|\*\.googleapis\.com(\||$)/);
});

test("the script's fixed defaults are the ones dpgce renders against", () => {
  const script = readFileSync(SCRIPT, "utf8");
  const block = /readonly DEFAULT_NO_PROXY=\(([^)]*)\)/.exec(script);
  assert.ok(block, "DEFAULT_NO_PROXY found in the script");
  assert.deepEqual(block[1].split(/\s+/).filter((e) => e !== ""), [...BOOT_SCRIPT_DEFAULT_BYPASS]);
});
