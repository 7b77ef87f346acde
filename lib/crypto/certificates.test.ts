import forge from "node-forge";
import { describe, expect, it } from "vitest";
import { CertificateError, normalizeThumbprint, parsePemBundle, parsePfx } from "./certificates";

function selfSigned() {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: "msp-console" }]);
  cert.setIssuer([{ name: "commonName", value: "msp-console" }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keys, cert, certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

const fixture = selfSigned();

describe("thumbprints", () => {
  it("strips whitespace, colons and invisible Unicode pasted from certificate tools", () => {
    const sha1 = "A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2";
    expect(normalizeThumbprint(`\u200E ${sha1.toLowerCase()} \uFEFF`)).toBe(sha1);
    expect(normalizeThumbprint("a1 b2 c3 d4 e5 f6 a1 b2 c3 d4 e5 f6 a1 b2 c3 d4 e5 f6 a1 b2")).toBe(sha1);
    expect(normalizeThumbprint("A1:B2:C3:D4:E5:F6:A1:B2:C3:D4:E5:F6:A1:B2:C3:D4:E5:F6:A1:B2")).toBe(sha1);
    expect(normalizeThumbprint("F".repeat(64))).toBe("F".repeat(64));
  });

  it("rejects values that are not SHA-1 or SHA-256 hex", () => {
    expect(normalizeThumbprint("XYZ")).toBeNull();
    expect(normalizeThumbprint("A".repeat(41))).toBeNull();
  });
});

describe("certificate parsing", () => {
  it("reads a PEM bundle and computes both thumbprints of the DER certificate", () => {
    const parsed = parsePemBundle(fixture.certPem + fixture.keyPem);
    const der = forge.asn1.toDer(forge.pki.certificateToAsn1(fixture.cert)).getBytes();
    expect(parsed.thumbprintSha1).toBe(forge.md.sha1.create().update(der).digest().toHex().toUpperCase());
    expect(parsed.thumbprintSha256).toHaveLength(64);
    expect(parsed.subject).toContain("msp-console");
    expect(parsed.privateKeyPem).toContain("BEGIN PRIVATE KEY");
  });

  it("refuses a certificate without its private key, with the remediation", () => {
    expect(() => parsePemBundle(fixture.certPem)).toThrow(/\.pfx/);
  });

  it("refuses a private key that belongs to another certificate", () => {
    const other = selfSigned();
    expect(() => parsePemBundle(fixture.certPem + other.keyPem)).toThrow(CertificateError);
  });

  it("reads a PFX with its password and refuses a wrong password", () => {
    const p12 = forge.pkcs12.toPkcs12Asn1(fixture.keys.privateKey, [fixture.cert], "pfx-pass", { algorithm: "3des" });
    const data = Buffer.from(forge.asn1.toDer(p12).getBytes(), "binary");
    expect(parsePfx(data, "pfx-pass").thumbprintSha1).toBe(parsePemBundle(fixture.certPem + fixture.keyPem).thumbprintSha1);
    expect(() => parsePfx(data, "wrong")).toThrow(/password/);
  });
});
