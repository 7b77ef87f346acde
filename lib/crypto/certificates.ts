import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import forge from "node-forge";

/**
 * Certificates for the client-credentials flow: accepted as PEM (private key + certificate) or PFX, kept
 * as PEM, identified by SHA-1 and SHA-256 thumbprints of the DER certificate (what Entra shows).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 */
export type ParsedCertificate = {
  privateKeyPem: string;
  certificatePem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
  subject: string;
  notAfter: Date;
};

export class CertificateError extends Error {}

// Zero-width and directional marks, BOM, no-break spaces: they ride along when a thumbprint is copied
// from the Windows certificate manager (seed 001's remediation step 4).
const INVISIBLE = /[\s\u00A0\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF:]/g;

/** Returns the upper-case hex thumbprint, or null when it is not a SHA-1 (40) or SHA-256 (64) hex string. */
export function normalizeThumbprint(value: string): string | null {
  const cleaned = value.replace(INVISIBLE, "").toUpperCase();
  return /^([0-9A-F]{40}|[0-9A-F]{64})$/.test(cleaned) ? cleaned : null;
}

function fromPems(certificatePem: string, privateKeyPem: string): ParsedCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new CertificateError("The certificate could not be read.");
  }
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw new CertificateError("The private key could not be read (an encrypted key needs its password, or upload a PFX).");
  }
  if (!cert.checkPrivateKey(key)) throw new CertificateError("The private key does not belong to the certificate.");
  const der = cert.raw;
  return {
    privateKeyPem: key.export({ format: "pem", type: "pkcs8" }).toString(),
    certificatePem: cert.toString(),
    thumbprintSha1: createHash("sha1").update(der).digest("hex").toUpperCase(),
    thumbprintSha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
    subject: cert.subject,
    notAfter: new Date(cert.validTo),
  };
}

/** A PEM bundle with a private key and its certificate (a .cer with only the public key is refused). */
export function parsePemBundle(text: string): ParsedCertificate {
  const certMatch = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  const keyMatch = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(text);
  if (!certMatch) throw new CertificateError("No certificate found: the PEM must contain a BEGIN CERTIFICATE block.");
  if (!keyMatch) {
    throw new CertificateError("No private key found. A .cer holds only the public key: upload a .pfx or a PEM that includes the private key.");
  }
  return fromPems(certMatch[0], keyMatch[0]);
}

export function parsePfx(data: Buffer, password: string): ParsedCertificate {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString("binary")));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch {
    throw new CertificateError("The PFX could not be opened: check the file and its password.");
  }
  const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
  const plainKeyBags = p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? [];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const key = [...keyBags, ...plainKeyBags].find((b) => b.key)?.key;
  const cert = certBags.find((b) => b.cert)?.cert;
  if (!key) throw new CertificateError("The PFX holds no private key.");
  if (!cert) throw new CertificateError("The PFX holds no certificate.");
  return fromPems(forge.pki.certificateToPem(cert), forge.pki.privateKeyToPem(key));
}
