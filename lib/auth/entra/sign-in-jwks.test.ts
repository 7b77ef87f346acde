import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureTlsMaterial } from "@/emulator/certs";
import { testDataDir } from "@/emulator/testing/paths";
import type { EntraRuntime } from "./settings";
import { validatorFor } from "./sign-in";

/**
 * The signing keys behind validatorFor (Entra sign-in and the REST API's Entra tokens) come over the
 * guarded outbound transport: a metadata document may name any `jwks_uri`, and only an https one on an
 * allowed address is fetched. The server is on 127.0.0.1, which OUTBOUND_ALLOW_HOSTS lists in tests.
 */
const TENANT = "d0000000-0000-4000-8000-000000000000";
const AUDIENCE = "api://tenant-access-console";
const KID = "key-1";

let server: Server;
let plain: HttpServer;
let base: string;
let plainBase: string;
let jwks: unknown;
let privateKey: CryptoKey;
let hits: string[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, use: "sig" }] };
  const tls = ensureTlsMaterial(testDataDir());
  server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
    hits.push(`https ${req.url}`);
    const jwksUri = { "/https": `${base}/keys`, "/http": `${plainBase}/keys`, "/other-host": `${base.replace("127.0.0.1", "localhost")}/keys` }[req.url ?? ""];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url === "/keys" ? jwks : { issuer: `https://login.example/${TENANT}/v2.0`, jwks_uri: jwksUri }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  plain = createHttpServer((req, res) => {
    hits.push(`http ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  plainBase = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  plain.closeAllConnections();
  plain.close();
});

beforeEach(() => {
  hits = [];
});

function runtime(metadataPath: string): EntraRuntime {
  return {
    settings: {
      tenantId: TENANT,
      clientId: "7ac0ffee-0000-4000-8000-000000000001",
      audience: AUDIENCE,
      issuer: `https://login.example/${TENANT}/v2.0`,
      apiAudience: AUDIENCE,
      apiIssuer: `https://login.example/${TENANT}/v2.0`,
      authority: `${base}/${TENANT}/`,
      metadataAddress: `${base}${metadataPath}`,
      requiredClaims: [],
      clockSkewSeconds: 300,
      jwksCacheSeconds: 60,
      groupCacheSeconds: 60,
      certificateThumbprint: "A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2",
    },
    groupRoles: new Map(),
  };
}

async function token() {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: TENANT })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: KID })
    .setIssuer(`https://login.example/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(privateKey);
}

describe("validatorFor: the JWKS on the guarded transport", () => {
  it("validates with keys from an https jwks_uri on the metadata address's host", async () => {
    expect(await validatorFor(runtime("/https"), "id").validate(await token())).toMatchObject({ ok: true, claims: { tid: TENANT } });
    expect(hits).toEqual(["https /https", "https /keys"]);
  });

  it("refuses a jwks_uri over plain http: the token is not accepted and nothing is fetched from it", async () => {
    expect(await validatorFor(runtime("/http"), "id").validate(await token())).toMatchObject({ ok: false, reason: "keys_unavailable" });
    expect(hits.filter((h) => h.startsWith("http "))).toEqual([]);
  });

  it("refuses a jwks_uri on a host that resolves to loopback and is not allowed", async () => {
    expect(await validatorFor(runtime("/other-host"), "id").validate(await token())).toMatchObject({ ok: false, reason: "keys_unavailable" });
    expect(hits.filter((h) => h.endsWith("/keys"))).toEqual([]);
  });
});
