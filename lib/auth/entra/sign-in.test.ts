import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authorizeWithArmedUser, postForm, startTestEmulator, TEST } from "@/emulator/testing/index";
import type { RunningEmulator } from "@/emulator/index";
import { db } from "@/lib/db";
import { admitEntraUser } from "./sign-in";
import { ENTRA_SETTINGS_ID } from "./settings";

// Real ID tokens from the emulator through admitEntraUser: seed 001's checks plus "only the configured tenant".
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(async () => {
  await db.entraAuthSettings.deleteMany({});
  await db.entraGroupRole.deleteMany({});
  await db.adminUser.deleteMany({});
  await db.auditEvent.deleteMany({});
});

async function contosoAdminTokens() {
  const scopes = [`${emu.graphUrl}/User.Read`, "openid", "profile"];
  const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin, scopes });
  const { json } = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
    grant_type: "authorization_code",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    code: run.code!,
    redirect_uri: TEST.redirectUri,
    code_verifier: run.verifier,
    scope: scopes.join(" "),
  });
  return { idToken: json.id_token as string, accessToken: json.access_token as string };
}

async function configure(tenantId: string, overrides: Record<string, string> = {}) {
  await db.entraAuthSettings.create({
    data: {
      id: ENTRA_SETTINGS_ID,
      enabled: true,
      tenantId,
      clientId: TEST.providerClientId,
      audience: TEST.providerClientId,
      issuer: `${emu.loginUrl}/{TenantId}/v2.0`,
      authority: `${emu.loginUrl}/{TenantId}/`,
      metadataAddress: `${emu.loginUrl}/{TenantId}/v2.0/.well-known/openid-configuration`,
      certificateThumbprint: "A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2",
      ...overrides,
    },
  });
  await db.entraGroupRole.create({ data: { id: "g1", groupId: TEST.groupId, role: "OPERATOR" } });
}

describe("admitEntraUser", () => {
  it("admits a user of the configured tenant with the role of their group", async () => {
    await configure(TEST.contosoId);
    const result = await admitEntraUser(await contosoAdminTokens());
    expect(result).toMatchObject({ ok: true, email: TEST.admin });
    const admin = await db.adminUser.findUniqueOrThrow({ where: { email: TEST.admin } });
    expect(admin.role).toBe("OPERATOR");
    expect(admin.passwordHash).toBeNull();
    expect(JSON.parse(admin.entraGroupIds!)).toContain(TEST.groupId);
  });

  it("refuses an ID token from another tenant (issuer check)", async () => {
    await configure(TEST.homeTenantId);
    expect(await admitEntraUser(await contosoAdminTokens())).toEqual({ ok: false, reason: "invalid_id_token" });
    expect(await db.adminUser.count()).toBe(0);
  });

  it("refuses another tenant even when the issuer and required claims were loosened", async () => {
    await configure(TEST.homeTenantId, {
      issuer: `${emu.loginUrl}/${TEST.contosoId}/v2.0`,
      metadataAddress: `${emu.loginUrl}/${TEST.contosoId}/v2.0/.well-known/openid-configuration`,
      requiredClaims: "oid",
    });
    expect(await admitEntraUser(await contosoAdminTokens())).toEqual({ ok: false, reason: "wrong_tenant" });
  });

  it("refuses when a required claim does not match, and when no group maps to a role", async () => {
    await configure(TEST.contosoId, { requiredClaims: "tid={TenantId};roles" });
    expect(await admitEntraUser(await contosoAdminTokens())).toEqual({ ok: false, reason: "invalid_id_token" });
    await db.entraAuthSettings.update({ where: { id: ENTRA_SETTINGS_ID }, data: { requiredClaims: "tid={TenantId};" } });
    await db.entraGroupRole.deleteMany({});
    expect(await admitEntraUser(await contosoAdminTokens())).toEqual({ ok: false, reason: "no_role" });
    const refused = await db.auditEvent.findMany({ where: { action: "auth.sign_in.refused" } });
    expect(refused.map((e) => JSON.parse(e.details).reason)).toEqual(["invalid_id_token", "no_role"]);
  });

  it("reads the groups through the shared Entra client: a Graph 503 is retried", async () => {
    await configure(TEST.contosoId);
    const tokens = await contosoAdminTokens();
    emu.state.fail5xx({ scope: "graph", count: 1, status: 503 });
    try {
      expect(await admitEntraUser(tokens)).toMatchObject({ ok: true, email: TEST.admin });
    } finally {
      emu.state.clearFaults();
    }
  });

  it("names why the groups could not be read as verification would, in the audit", async () => {
    await configure(TEST.contosoId);
    const tokens = await contosoAdminTokens();
    emu.state.fail5xx({ scope: "graph", count: 10, status: 503 });
    try {
      expect(await admitEntraUser(tokens)).toEqual({ ok: false, reason: "groups_unavailable" });
    } finally {
      emu.state.clearFaults();
    }
    const refused = await db.auditEvent.findMany({ where: { action: "auth.sign_in.refused" } });
    expect(refused.map((e) => JSON.parse(e.details))).toEqual([
      expect.objectContaining({ method: "entra", reason: "groups_unavailable", entraReason: "SERVICE_UNAVAILABLE" }),
    ]);
    expect(await db.adminUser.count()).toBe(0);
  });
});
