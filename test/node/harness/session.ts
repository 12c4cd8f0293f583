// The test's half of the harness: checks that the harness can run here,
// starts one scenario (a fresh overlay of the cached root inside new mount,
// network and PID namespaces) and talks to its agent.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AGENT_FLAG, type AgentConfig } from "./agent.js";
import { testPki } from "./pki.js";
import { ensureRootfs } from "./rootfs.js";
import type { RootFile, RunResult } from "./root-ops.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root, from dist/test/node/harness (compiled) or test/node/harness. */
export const REPO_ROOT = resolve(HERE, HERE.includes(`${join("dist", "test")}`) ? "../../../.." : "../../..");
export const SCRIPT = join(REPO_ROOT, "src/node/gce-proxy-setup.sh");
export const FIXTURES = join(REPO_ROOT, "test/node/fixtures");

let availability: string | undefined | null = null;

/** Why the harness cannot run here, or undefined when it can. */
export function harnessUnavailable(): string | undefined {
  if (availability !== null) return availability;
  availability = undefined;
  if (process.getuid?.() !== 0) availability = "the boot-script harness needs root";
  else if (spawnSync("debootstrap", ["--version"]).error) {
    availability = "debootstrap is not installed (apt-get install debootstrap)";
  } else {
    const probe = spawnSync("unshare", ["--mount", "--net", "--pid", "--fork", "true"]);
    if (probe.status !== 0) availability = `unshare was refused: ${probe.stderr?.toString().trim()}`;
  }
  return availability;
}

/** What a scenario needs from its caller: node:test's TestContext, or the benchmark's stand-in. */
export interface ScenarioHost {
  after(fn: () => unknown): void;
  skip(message?: string): void;
}

/** Skip (printing why) when the harness cannot run; under DPGCE_REQUIRE_HARNESS=1, fail. */
export function skipUnlessHarness(t: ScenarioHost, why = harnessUnavailable()): boolean {
  if (why === undefined) return false;
  if (process.env.DPGCE_REQUIRE_HARNESS === "1") {
    throw new Error(`boot-script harness required (DPGCE_REQUIRE_HARNESS=1) but: ${why}`);
  }
  console.log(`boot-script harness skipped: ${why}`);
  t.skip(why);
  return true;
}

export interface ScenarioOptions {
  /** Folders under test/node/fixtures copied over the root before anything runs. */
  fixtures?: string[];
  /** Extra loopback addresses (proxies listen on them). */
  addresses?: string[];
}

export class Scenario {
  private next = 1;
  private readonly pending = new Map<number, (reply: { result?: unknown; error?: string }) => void>();
  /** Settles when the agent has built the scenario (or failed to). */
  readonly ready: Promise<void>;

  constructor(private readonly child: ChildProcess, private readonly dir: string) {
    const lines = createInterface({ input: child.stdout! });
    this.ready = new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`harness agent exited with ${code}`)));
      lines.on("line", (line) => {
        const reply = JSON.parse(line) as { id?: number; ready?: boolean; result?: unknown; error?: string };
        if (reply.ready) return resolve();
        this.pending.get(reply.id!)?.(reply);
        this.pending.delete(reply.id!);
      });
    });
    this.ready.catch(() => undefined);
  }

  call<T = unknown>(op: string, args: unknown = {}): Promise<T> {
    const id = this.next++;
    this.child.stdin!.write(JSON.stringify({ id, op, args }) + "\n");
    return new Promise((resolve, reject) => {
      this.pending.set(id, (r) => (r.error !== undefined ? reject(new Error(`${op}: ${r.error}`)) :
        resolve(r.result as T)));
    });
  }

  run(argv: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return this.call<RunResult>("run", { argv, env });
  }

  async readFile(path: string): Promise<string | null> {
    const f = await this.call<RootFile>("file.read", { path });
    return f.base64 === null ? null : Buffer.from(f.base64, "base64").toString("utf8");
  }

  writeFile(path: string, content: string, mode?: number): Promise<void> {
    return this.call("file.write", { path, content, mode });
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.stdin!.end(JSON.stringify({ id: 0, op: "exit" }) + "\n");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A started scenario, closed when the test ends; undefined when skipped. */
export async function openScenario(t: ScenarioHost, options: ScenarioOptions = {}):
  Promise<Scenario | undefined> {
  if (skipUnlessHarness(t)) return undefined;
  let lower: string;
  try {
    lower = await ensureRootfs();
  } catch (e) {
    if (skipUnlessHarness(t, `could not build the Debian root: ${(e as Error).message}`)) return undefined;
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), "dpgce-scenario-"));
  const config: AgentConfig = {
    lower, upper: join(dir, "upper"), work: join(dir, "work"), merged: join(dir, "merged"),
    pki: testPki(), script: SCRIPT,
    fixtures: (options.fixtures ?? []).map((f) => join(FIXTURES, f)),
    addresses: options.addresses ?? [],
  };
  for (const d of [config.upper, config.work, config.merged]) mkdirSync(d);
  writeFileSync(join(dir, "agent.json"), JSON.stringify(config));
  const child = spawn("unshare", ["--mount", "--net", "--pid", "--uts", "--fork", "--mount-proc",
    "--propagation", "private", process.execPath, join(HERE, "agent.js"), AGENT_FLAG,
    join(dir, "agent.json")], { stdio: ["pipe", "pipe", "inherit"] });
  const scenario = new Scenario(child, dir);
  t.after(() => scenario.close());
  await scenario.ready;
  return scenario;
}
