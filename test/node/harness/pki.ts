// Test certificates made with the host's openssl: an origin CA and the
// origin's certificate, two interception CAs for squid (the "proxy CA" that
// metadata points at), and a certificate that is not a CA.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ORIGIN_HOST = "origin.test";
export type ProxyCa = "proxy-ca-1" | "proxy-ca-2";

let made: string | undefined;

/** The folder holding the test PKI, made once per process. */
export function testPki(): string {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), "dpgce-pki-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  selfSignedCa(dir, "origin-ca", "dpgce test origin CA");
  selfSignedCa(dir, "proxy-ca-1", "dpgce test interception CA 1");
  selfSignedCa(dir, "proxy-ca-2", "dpgce test interception CA 2");
  leaf(dir, "origin", ORIGIN_HOST, "origin-ca");
  openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
    "-keyout", "not-a-ca.key", "-out", "not-a-ca.pem", "-subj", "/CN=not a CA",
    "-addext", "basicConstraints=critical,CA:FALSE"]);
  made = dir;
  return dir;
}

export function pem(name: string): string {
  return readFileSync(join(testPki(), `${name}.pem`), "utf8");
}

const fingerprints = new Map<string, string>();

/** The SHA-256 fingerprint as keytool prints it (upper-case hex, colons). */
export function fingerprint(name: string): string {
  let fp = fingerprints.get(name);
  if (fp === undefined) {
    const out = execFileSync("openssl", ["x509", "-in", join(testPki(), `${name}.pem`), "-noout",
      "-fingerprint", "-sha256"], { encoding: "utf8" });
    fp = out.trim().replace(/^.*=/, "").toUpperCase();
    fingerprints.set(name, fp);
  }
  return fp;
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
    "-keyout", `${name}.key`, "-out", `${name}.pem`, "-subj", `/CN=${cn}`,
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
}

function leaf(dir: string, name: string, host: string, ca: string): void {
  openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`,
    "-out", `${name}.csr`, "-subj", `/CN=${host}`]);
  writeFileSync(join(dir, `${name}.ext`),
    `subjectAltName=DNS:${host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`,
    "-CAcreateserial", "-days", "30", "-out", `${name}.pem`, "-extfile", `${name}.ext`]);
}

function openssl(cwd: string, args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}
