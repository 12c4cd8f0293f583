// squid-openssl from the test root as the TLS-intercepting proxy: ssl-bump
// with one of the test interception CAs, trusting the origin's test CA.
// Its access log records CONNECT and the bumped GET, which proves that a
// client really used the proxy.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

const CONF = "/etc/squid/dpgce-test.conf";
const ACCESS_LOG = "/var/log/squid/access.log";
const SSL_DB = "/var/spool/squid/ssl_db";
const PKI = "/opt/dpgce-test/pki";
/** A host squid refuses, as a Secure Web Proxy refuses hosts off its allowlist. */
export const DENIED_HOST = "denied.test";

export class Squid {
  private child: ChildProcess | undefined;

  constructor(private readonly root: string) {}

  /** Start (or restart) squid bumping with CA, listening on host:port pairs. */
  async start(ca: string, listen: string[]): Promise<void> {
    await this.stop();
    const ports = listen.map((l) =>
      `http_port ${l} ssl-bump generate-host-certificates=on dynamic_cert_mem_cache_size=4MB ` +
      `tls-cert=${PKI}/${ca}.pem tls-key=${PKI}/${ca}.key`);
    writeFileSync(join(this.root, CONF), [
      ...ports,
      `sslcrtd_program /usr/lib/squid/security_file_certgen -s ${SSL_DB} -M 4MB`,
      "sslcrtd_children 2 startup=1 idle=1",
      "acl step1 at_step SslBump1",
      "ssl_bump peek step1",
      "ssl_bump bump all",
      `tls_outgoing_options cafile=${PKI}/origin-ca.pem`,
      // The allowlist's default deny, for one test host.
      `acl not_allowed dstdomain ${DENIED_HOST}`,
      "http_access deny not_allowed",
      "http_access allow all",
      "cache deny all",
      "pid_filename /run/squid-test.pid",
      `access_log stdio:${ACCESS_LOG}`,
      "cache_log /var/log/squid/cache.log",
      "shutdown_lifetime 0 seconds",
      "",
    ].join("\n"));
    rmSync(join(this.root, SSL_DB), { recursive: true, force: true });
    this.chroot(["/usr/lib/squid/security_file_certgen", "-c", "-s", SSL_DB, "-M", "4MB"]);
    this.chroot(["chown", "-R", "proxy:proxy", SSL_DB, "/var/log/squid"]);
    const child = spawn("chroot", [this.root, "/usr/sbin/squid", "-N", "-f", CONF],
      { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    this.child = child;
    for (const l of listen) await this.waitListening(l, () => stderr);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(join(this.root, "/run/squid-test.pid"), { force: true });
  }

  accessLog(): string {
    const path = join(this.root, ACCESS_LOG);
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  }

  private chroot(argv: string[]): void {
    execFileSync("chroot", [this.root, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
  }

  private async waitListening(address: string, stderr: () => string): Promise<void> {
    const [host, port] = [address.slice(0, address.lastIndexOf(":")), address.slice(address.lastIndexOf(":") + 1)];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) break;
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(Number(port), host, () => (s.end(), resolve(true)));
        s.once("error", () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = this.root + "/var/log/squid/cache.log";
    const cache = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
    throw new Error(`squid did not listen on ${address}: ${stderr()} ${cache}`);
  }
}
