import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import forge from "node-forge";

/**
 * Local CA and server certificate for the emulator's HTTPS listeners.
 * Keys come from node:crypto (native, fast); node-forge only assembles and signs the X.509 structures.
 */

export interface TlsMaterial {
  caCertPath: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
  /** Hex (upper case) SHA-1 of the DER certificate: what the Entra portal shows as the thumbprint. */
  thumbprintSha1: string;
  thumbprintSha256: string;
}

const SERVER_NAMES = { dns: ["localhost"], ips: ["127.0.0.1", "::1"] };

function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * A positive serial in minimal DER: the first byte is 0x40–0x7f. Clearing only the top bit left a first
 * byte of 0x00 once in 256 serials, and "00 <byte below 0x80>" is a padded INTEGER that OpenSSL refuses to
 * parse ("illegal padding"): the emulator then failed to start about once in 512 certificates.
 */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x40 | (bytes[0]! & 0x3f);
  return bytes.toString("hex");
}

interface BuildOptions {
  subjectCn: string;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  isCa?: boolean;
  days: number;
  san?: typeof SERVER_NAMES;
  notBefore?: Date;
}

function buildCertificate(options: BuildOptions): { certPem: string; keyPem: string; cert: forge.pki.Certificate } {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  const notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + options.days * 24 * 60 * 60 * 1000);
  const subject = [
    { name: "commonName", value: options.subjectCn },
    { name: "organizationName", value: "Tenant Access Console Emulator" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [];
  if (options.isCa) {
    extensions.push({ name: "basicConstraints", cA: true, critical: true });
    extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: "basicConstraints", cA: false });
    extensions.push({ name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({ name: "extKeyUsage", serverAuth: true, clientAuth: true });
  }
  if (options.san) {
    extensions.push({
      name: "subjectAltName",
      altNames: [...options.san.dns.map((value) => ({ type: 2, value })), ...options.san.ips.map((ip) => ({ type: 7, ip }))],
    });
  }
  extensions.push({ name: "subjectKeyIdentifier" });
  if (options.issuer) extensions.push({ name: "authorityKeyIdentifier", keyIdentifier: options.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  cert.setExtensions(extensions);
  const signingKey = options.issuer?.key ?? (forge.pki.privateKeyFromPem(keys.privateKeyPem) as forge.pki.rsa.PrivateKey);
  cert.sign(signingKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem, cert };
}

/** Writes through a temporary file so parallel test workers never read a half-written PEM. */
function writeAtomic(file: string, contents: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, contents, { mode: 0o600 });
  renameSync(tmp, file);
}

function serverCertificateUsable(serverCertPem: string, caCertPem: string): boolean {
  try {
    const server = new X509Certificate(serverCertPem);
    const ca = new X509Certificate(caCertPem);
    const expiresSoon = Date.parse(server.validTo) - Date.now() < 7 * 24 * 60 * 60 * 1000;
    return server.checkIssued(ca) && server.verify(ca.publicKey) && !expiresSoon && server.checkIP("127.0.0.1") !== undefined;
  } catch {
    return false;
  }
}

/**
 * Creates (once) and loads the CA and the server certificate under dataDir. The CA is reused across
 * starts so a CA trusted once (NODE_EXTRA_CA_CERTS, Playwright) stays valid.
 */
export function ensureTlsMaterial(dataDir: string): TlsMaterial {
  mkdirSync(dataDir, { recursive: true });
  const caCertPath = path.join(dataDir, "ca.pem");
  const caKeyPath = path.join(dataDir, "ca-key.pem");
  const serverCertPath = path.join(dataDir, "server.pem");
  const serverKeyPath = path.join(dataDir, "server-key.pem");

  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    const ca = buildCertificate({ subjectCn: "Tenant Access Console Emulator Local CA", isCa: true, days: 3650 });
    writeAtomic(caKeyPath, ca.keyPem);
    writeAtomic(caCertPath, ca.certPem);
  }
  const caCertPem = readFileSync(caCertPath, "utf8");
  let serverCertPem = existsSync(serverCertPath) ? readFileSync(serverCertPath, "utf8") : "";
  let serverKeyPem = existsSync(serverKeyPath) ? readFileSync(serverKeyPath, "utf8") : "";
  if (!serverCertPem || !serverKeyPem || !serverCertificateUsable(serverCertPem, caCertPem)) {
    const caKey = forge.pki.privateKeyFromPem(readFileSync(caKeyPath, "utf8")) as forge.pki.rsa.PrivateKey;
    const caCert = forge.pki.certificateFromPem(caCertPem);
    // 397 days: the longest server-certificate lifetime browsers accept.
    const server = buildCertificate({ subjectCn: "localhost", issuer: { cert: caCert, key: caKey }, days: 397, san: SERVER_NAMES });
    serverCertPem = server.certPem;
    serverKeyPem = server.keyPem;
    writeAtomic(serverKeyPath, serverKeyPem);
    writeAtomic(serverCertPath, serverCertPem);
  }
  return { caCertPath, caCertPem, serverCertPem, serverKeyPem };
}

export function thumbprints(certPem: string): { sha1: string; sha256: string } {
  const der = new X509Certificate(certPem).raw;
  return {
    sha1: createHash("sha1").update(der).digest("hex").toUpperCase(),
    sha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
  };
}

/** A self-signed certificate, as an app registration's credential or a token-signing key. */
export function createSelfSignedCertificate(commonName: string, options: { days?: number; notBefore?: Date } = {}): CertificateAndKey {
  const built = buildCertificate({ subjectCn: commonName, days: options.days ?? 365, notBefore: options.notBefore });
  const { sha1, sha256 } = thumbprints(built.certPem);
  return { certPem: built.certPem, keyPem: built.keyPem, thumbprintSha1: sha1, thumbprintSha256: sha256 };
}

/** DER of a PEM certificate as base64 (the x5c form). */
export function certificateDerBase64(certPem: string): string {
  return new X509Certificate(certPem).raw.toString("base64");
}

/**
 * Base64 SHA-256 of a certificate's SubjectPublicKeyInfo: the value Chromium's
 * `--ignore-certificate-errors-spki-list` takes, for trusting the server certificate without a CA import.
 */
export function spkiFingerprint(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}
