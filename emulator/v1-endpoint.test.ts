import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { decodeJwtPayload, postForm, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

/**
 * The v1.0 endpoints as Entra serves them: GET /{tenant}/oauth2/authorize with `resource`, and
 * POST /{tenant}/oauth2/token answering with string numbers, `resource`, and v1 token claims.
 * @see https://learn.microsoft.com/en-us/previous-versions/azure/active-directory/azuread-dev/v1-protocols-oauth-code
 */

let emu: RunningEmulator;
withTestEmulator((e) => (emu = e));

async function authorizeV1(params: Record<string, string>) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(`${emu.loginUrl}/${TEST.contosoId}/oauth2/authorize`);
  const query = {
    client_id: TEST.providerClientId,
    response_type: "code",
    redirect_uri: TEST.redirectUri,
    response_mode: "query",
    resource: emu.graphUrl,
    scope: "openid",
    state: "v1-state",
    nonce: "v1-nonce",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...params,
  };
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  emu.state.armInteraction({ user: TEST.admin, decision: "accept" });
  const response = await fetch(url, { redirect: "manual" });
  return { response, location: response.headers.get("location") ? new URL(response.headers.get("location")!) : null, verifier };
}

describe("v1.0 authorize and token endpoints", () => {
  it("issues a code at /oauth2/authorize and redeems it at /oauth2/token with resource, string numbers and v1 claims", async () => {
    const run = await authorizeV1({});
    expect(run.location?.origin + run.location!.pathname).toBe(TEST.redirectUri);
    expect(run.location?.searchParams.get("state")).toBe("v1-state");
    const code = run.location?.searchParams.get("code");
    expect(code).toBeTruthy();

    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`, {
      grant_type: "authorization_code",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      code: code!,
      redirect_uri: TEST.redirectUri,
      code_verifier: run.verifier,
      resource: emu.graphUrl,
    });
    expect(res.status).toBe(200);
    const body = res.json as Record<string, unknown>;
    for (const field of ["expires_in", "ext_expires_in", "expires_on", "not_before"]) expect(body[field]).toMatch(/^\d+$/);
    expect(body.resource).toBe(emu.graphUrl);
    expect(body.refresh_token).toBeTruthy();
    const access = decodeJwtPayload(String(body.access_token));
    expect(access).toMatchObject({
      aud: emu.graphUrl,
      ver: "1.0",
      appid: TEST.providerClientId,
      tid: TEST.contosoId,
      iss: `${emu.loginUrl}/${TEST.contosoId}/`,
    });
    expect(decodeJwtPayload(String(body.id_token))).toMatchObject({ ver: "1.0", nonce: "v1-nonce", tid: TEST.contosoId });

    const refreshed = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`, {
      grant_type: "refresh_token",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      refresh_token: String(body.refresh_token),
      resource: emu.graphUrl,
    });
    expect(refreshed.status).toBe(200);
    expect((refreshed.json as Record<string, unknown>).expires_on).toMatch(/^\d+$/);
    expect((refreshed.json as Record<string, unknown>).refresh_token).toBeTruthy();
  });

  it("refuses a resource that is not an API of the tenant on the v1 authorize endpoint", async () => {
    const run = await authorizeV1({ resource: "https://unknown.example.com" });
    expect(run.location?.searchParams.get("error")).toBe("invalid_resource");
  });

  it("answers a v1 client-credentials token with app claims: aud is the resource, appid, ver 1.0", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      resource: emu.graphUrl,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: "Bearer", resource: emu.graphUrl });
    expect(decodeJwtPayload(String(res.json.access_token))).toMatchObject({ aud: emu.graphUrl, appid: TEST.providerClientId, ver: "1.0", idtyp: "app" });
  });

  it("answers v1 errors with error, error_description and integer error_codes", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: "wrong-secret-value",
      resource: emu.graphUrl,
    });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    expect(String(res.json.error_description)).toMatch(/^AADSTS7000215/);
  });
});
