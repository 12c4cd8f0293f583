// The boot script is one ShellCheck-clean bash file in the project's shape:
// #!/bin/bash, strict mode, readonly constants, main "$@" last.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { FIXTURES, SCRIPT } from "./harness/session.js";

const STAND_INS = [join(FIXTURES, "systemd-running/usr/bin/systemctl"), join(FIXTURES, "rocky9/usr/bin/update-ca-trust")];

test("shellcheck finds nothing in the boot script or the test stand-ins", (t) => {
  const probe = spawnSync("shellcheck", ["--version"]);
  if (probe.error) {
    const why = "shellcheck is not installed (apt-get install shellcheck)";
    if (process.env.DPGCE_REQUIRE_HARNESS === "1") assert.fail(`required: ${why}`);
    console.log(why);
    t.skip(why);
    return;
  }
  const r = spawnSync("shellcheck", ["--shell=bash", "--severity=style", SCRIPT, ...STAND_INS], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
});

test("bash parses the script", () => {
  const r = spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

test("the script has the project's bash shape", () => {
  const lines = readFileSync(SCRIPT, "utf8").trimEnd().split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  assert.ok(lines.slice(0, 12).includes("set -euo pipefail"));
  assert.equal(lines.at(-1), 'main "$@"');
  const body = lines.join("\n");
  assert.match(body, /^die\(\) \{\n {2}error "\$@"\n {2}exit 1\n\}$/m, "one error path");
  for (const name of ["DEFAULT_NO_PROXY", "STEPS", "MARK", "APT_CONF"]) {
    assert.match(body, new RegExp(`^readonly ${name}=`, "m"), `${name} is readonly`);
  }
  assert.doesNotMatch(body, /^[^#]*\b(gsutil|gcloud) /m, "neither gsutil nor gcloud is called");
});

test("arguments are refused with a usage line, through the timestamped error helper", () => {
  const r = spawnSync("bash", [SCRIPT, "--force"], { encoding: "utf8", env: { PATH: process.env.PATH } });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} gce-proxy-setup ERROR: usage: .* \(no arguments; configuration comes from metadata\)\n$/);
});

test("a run without root is refused before it reads anything", (t) => {
  if (process.getuid?.() !== 0 || spawnSync("setpriv", ["--version"]).error) {
    t.skip("needs root and setpriv to drop to an unprivileged user");
    return;
  }
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "bash", SCRIPT],
    { encoding: "utf8", env: { PATH: process.env.PATH, GCE_METADATA_HOST: "127.0.0.1:1" } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ERROR: must run as root\n$/);
});
