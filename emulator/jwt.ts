import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify, X509Certificate } from "node:crypto";
import { certificateDerBase64, createSelfSignedCertificate } from "./certs.js";

/**
 * RS256 JWTs signed with node:crypto directly: the KeyObject is parsed once, so the token endpoint's
 * cost per response is one RSA signature.
 */

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  x5c: string;
  jwk: { kty: "RSA"; use: "sig"; kid: string; x5t: string; n: string; e: string; x5c: string[] };
}

export function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

export function createSigningKey(): SigningKey {
  const { certPem, keyPem } = createSelfSignedCertificate("accounts.emulator.local", { days: 3650 });
  const privateKey = createPrivateKey(keyPem);
  const publicKey = createPublicKey(privateKey);
  const der = new X509Certificate(certPem).raw;
  // Entra's kid is the base64url SHA-1 thumbprint of the signing certificate, equal to x5t.
  const kid = b64url(createHash("sha1").update(der).digest());
  const { n, e } = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const x5c = certificateDerBase64(certPem);
  return { kid, privateKey, publicKey, x5c, jwk: { kty: "RSA", use: "sig", kid, x5t: kid, n, e, x5c: [x5c] } };
}

/**
 * The key for Graph access tokens. Graph tokens are not meant to be validated by clients (Microsoft's
 * carry a header nonce that breaks third-party validation), so this key is not published in the JWKS;
 * only the emulator's Graph checks it. 1024 bits keeps the token endpoint's one signature per response
 * cheap enough for the throughput target; ID tokens, which clients do validate, use the 2048-bit key.
 */
export function createAccessTokenKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const kid = b64url(createHash("sha1").update(spki).digest());
  const { n, e } = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  return { kid, privateKey, publicKey, x5c: "", jwk: { kty: "RSA", use: "sig", kid, x5t: kid, n, e, x5c: [] } };
}

export function signJwt(payload: object, key: SigningKey, extraHeader: Record<string, string> = {}): string {
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: key.kid, ...extraHeader }));
  const body = b64url(JSON.stringify(payload));
  const input = `${header}.${body}`;
  const signature = sign("sha256", Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    if (!header || typeof header !== "object" || !payload || typeof payload !== "object") return undefined;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, "base64url"),
    };
  } catch {
    return undefined;
  }
}

/** Verifies RS256 and PS256 (msal-node signs assertions with PS256 when it has an x5t#S256 thumbprint). */
export function verifyJwtSignature(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = decoded.header.alg;
  const data = Buffer.from(decoded.signingInput);
  try {
    if (alg === "RS256") return verify("sha256", data, publicKey, decoded.signature);
    if (alg === "PS256") {
      return verify(
        "sha256",
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        decoded.signature,
      );
    }
  } catch {
    return false;
  }
  return false;
}
