import { ConfidentialClientApplication } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { decodeJwtPayload, postForm, TEST, testCertificate } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e));

function cca(
  tenant: string,
  credential: { clientSecret: string } | { clientCertificate: { thumbprint?: string; thumbprintSha256?: string; privateKey: string } },
  clientId: string = TEST.providerClientId,
) {
  return new ConfidentialClientApplication({
    auth: { clientId, authority: `${emu.loginUrl}/${tenant}`, knownAuthorities: [emu.authorityHost], ...credential },
  });
}

describe("trust", () => {
  it("reaches the emulator over HTTPS with only NODE_EXTRA_CA_CERTS from the global setup", async () => {
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe(emu.caCertPath);
    const response = await fetch(`${emu.loginUrl}/_emulator/health`);
    expect(response.status).toBe(200);
  });
});

describe("client credentials", () => {
  it("issues a v1-shaped Graph app token with a secret through msal-node", async () => {
    const result = await cca(TEST.contosoId, { clientSecret: TEST.providerSecret }).acquireTokenByClientCredential({
      scopes: [`${emu.graphUrl}/.default`],
      skipCache: true,
    });
    expect(result?.accessToken).toBeTruthy();
    const claims = decodeJwtPayload(result!.accessToken);
    expect(claims).toMatchObject({
      aud: emu.graphUrl,
      iss: `${emu.loginUrl}/${TEST.contosoId}/`,
      tid: TEST.contosoId,
      ver: "1.0",
      idtyp: "app",
      appid: TEST.providerClientId,
      appidacr: "1",
    });
    expect(claims.roles).toEqual(expect.arrayContaining(["Organization.Read.All", "User.Read.All"]));
    expect(claims.scp).toBeUndefined();
  });

  it("accepts a verified domain as the tenant segment and graph.microsoft.com as the resource", async () => {
    const result = await cca(TEST.contosoDomain, { clientSecret: TEST.providerSecret }).acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
      skipCache: true,
    });
    const claims = decodeJwtPayload(result!.accessToken);
    expect(claims.tid).toBe(TEST.contosoId);
    expect(claims.aud).toBe("https://graph.microsoft.com");
  });

  it("accepts HTTP Basic client authentication", async () => {
    const basic = Buffer.from(`${encodeURIComponent(TEST.providerClientId)}:${encodeURIComponent(TEST.providerSecret)}`).toString("base64");
    const res = await postForm(
      `${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`,
      { grant_type: "client_credentials", scope: `${emu.graphUrl}/.default` },
      { Authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    expect(res.json.refresh_token).toBeUndefined();
    expect(res.headers.get("cache-control")).toContain("no-store");
  });

  it("authenticates with a certificate assertion using x5t (RS256)", async () => {
    const cert = testCertificate();
    const result = await cca(TEST.contosoId, {
      clientCertificate: { thumbprint: cert.thumbprintSha1, privateKey: cert.keyPem },
    }).acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true });
    expect(decodeJwtPayload(result!.accessToken).appidacr).toBe("2");
  });

  it("authenticates with a certificate assertion using x5t#S256 (PS256)", async () => {
    const cert = testCertificate();
    const result = await cca(TEST.contosoId, {
      clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem },
    }).acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true });
    expect(decodeJwtPayload(result!.accessToken).appidacr).toBe("2");
  });

  it("serves v1 resource tokens with string numbers from /oauth2/token", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      resource: emu.graphUrl,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: "3599", resource: emu.graphUrl });
    expect(typeof res.json.expires_on).toBe("string");
    expect(typeof res.json.not_before).toBe("string");
    expect(decodeJwtPayload(String(res.json.access_token)).aud).toBe(emu.graphUrl);
  });

  it("issues tokens for a per-tenant app registration in its own tenant", async () => {
    const result = await cca(TEST.tailspinId, { clientSecret: TEST.tailspinSecret }, TEST.tailspinAppId).acquireTokenByClientCredential({
      scopes: [`${emu.graphUrl}/.default`],
      skipCache: true,
    });
    expect(decodeJwtPayload(result!.accessToken).roles).toContain("Organization.Read.All");
  });

  it("calls Graph /organization and /users with the app token", async () => {
    const result = await cca(TEST.contosoId, { clientSecret: TEST.providerSecret }).acquireTokenByClientCredential({
      scopes: [`${emu.graphUrl}/.default`],
      skipCache: true,
    });
    const auth = { Authorization: `Bearer ${result!.accessToken}` };
    const org = await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: auth });
    expect(org.status).toBe(200);
    const orgBody = (await org.json()) as { value: { id: string; verifiedDomains: { name: string }[] }[] };
    expect(orgBody.value[0]!.id).toBe(TEST.contosoId);
    expect(orgBody.value[0]!.verifiedDomains.map((d) => d.name)).toContain(TEST.contosoDomain);
    const users = await fetch(`${emu.graphUrl}/v1.0/users?$top=1`, { headers: auth });
    const usersBody = (await users.json()) as { value: unknown[]; "@odata.nextLink"?: string };
    expect(usersBody.value).toHaveLength(1);
    expect(usersBody["@odata.nextLink"]).toMatch(new RegExp(`^${emu.graphUrl}/v1.0/users\\?`));
  });
});
