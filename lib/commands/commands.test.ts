import { beforeEach, describe, expect, it } from "vitest";
import { createAdminSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { CHECK_FIELDS, CommandError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { revokeSessionsCommand, setLocalRoleCommand } from "./admins";
import { createApiTokenCommand, revokeApiTokenCommand } from "./api-tokens";
import { runCommand, type Command, type CommandContext } from "./command";
import { applyProviderSettingsCommand } from "./settings";
import { createTenantCommand, deleteTenantCommand, switchAuthMethodCommand, updateTenantCommand } from "./tenants";

// Commands against the real database (SQLite, and PostgreSQL with TEST_DATABASE=postgres): what they
// store, the audit entry they declare, and the code of each refusal, which is what the adapters map.

const admin = { type: "admin" as const, id: "admin-1", label: "admin@msp.example" };
const asAdmin: CommandContext = { actor: admin, role: "ADMINISTRATOR", requestId: "req-cmd", principalKind: "admin" };
const asToken: CommandContext = {
  actor: { type: "api_token", id: "tok-1", label: "PSA sync" },
  role: "ADMINISTRATOR",
  requestId: "req-api",
  principalKind: "api_token",
};

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

/** The newest audit entry, which must be the command's declared action, by the caller, in this request. */
async function expectAudited(command: Command, ctx: CommandContext) {
  const event = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
  expect(event).toMatchObject({ action: command.audit, actorType: ctx.actor.type, actorLabel: ctx.actor.label, requestId: ctx.requestId });
  return JSON.parse(event.details) as Record<string, unknown>;
}

const acme = {
  customerId: "ACME",
  displayName: "Acme Corp",
  tenantRef: "acme.onmicrosoft.com",
  adminEmail: "admin@acme.example",
  authMethod: "APP_REGISTRATION",
  cloud: "GLOBAL",
};

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.tenant.deleteMany();
  await db.apiToken.deleteMany();
  await db.adminSession.deleteMany();
  await db.adminUser.deleteMany();
  await db.appRegistration.deleteMany();
});

describe("tenant commands", () => {
  it("create, update and delete with the version they were loaded with; a stale version is a version conflict", async () => {
    const { id } = await runCommand(createTenantCommand, acme, asToken);
    expect(await expectAudited(createTenantCommand, asToken)).toMatchObject({ customerId: "ACME" });

    const duplicate = await refusal(runCommand(createTenantCommand, { ...acme, displayName: "Other", tenantRef: "other.example" }, asAdmin));
    expect(duplicate).toMatchObject({ code: "validation", fieldErrors: { customerId: ["A tenant with customer id ACME already exists."] } });
    // The same Entra tenant under another customer id: refused for the REST API's token as for the dialog.
    const sameTenant = await refusal(runCommand(createTenantCommand, { ...acme, customerId: "ACME-2", tenantRef: "ACME.onmicrosoft.com" }, asToken));
    expect(sameTenant).toMatchObject({
      code: "validation",
      fieldErrors: { tenantRef: ["The domain acme.onmicrosoft.com is already managed as customer ACME. Edit that tenant instead, or delete it first."] },
    });

    // A form posts text: the version arrives as a string.
    await expect(runCommand(updateTenantCommand, { ...acme, id, version: "1", displayName: "Acme Inc" }, asAdmin)).resolves.toEqual({ id, version: 2 });
    expect(await expectAudited(updateTenantCommand, asAdmin)).toEqual({ customerId: "ACME", changedFields: ["displayName"] });

    const stale = await refusal(runCommand(updateTenantCommand, { ...acme, id, version: 1, displayName: "Lost update" }, asAdmin));
    expect(stale.code).toBe("version-conflict");
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).displayName).toBe("Acme Inc");
    expect((await refusal(runCommand(deleteTenantCommand, { id, version: 1 }, asAdmin))).code).toBe("version-conflict");

    await runCommand(deleteTenantCommand, { id, version: 2 }, asAdmin);
    expect(await expectAudited(deleteTenantCommand, asAdmin)).toMatchObject({ customerId: "ACME" });
    expect((await refusal(runCommand(deleteTenantCommand, { id }, asAdmin))).code).toBe("not-found");
    expect((await refusal(runCommand(updateTenantCommand, { ...acme, id, version: 2 }, asAdmin))).code).toBe("not-found");
  });

  it("refuses to switch a tenant to the method it has already (a state conflict) and an unknown tenant (not found)", async () => {
    const { id } = await runCommand(createTenantCommand, acme, asAdmin);
    expect((await refusal(runCommand(switchAuthMethodCommand, { id, method: "APP_REGISTRATION" }, asAdmin))).code).toBe("conflict");
    expect((await refusal(runCommand(switchAuthMethodCommand, { id: "missing", method: "AUTH_TOKEN" }, asAdmin))).code).toBe("not-found");
    expect((await refusal(runCommand(switchAuthMethodCommand, { id, method: "PASSWORD" }, asAdmin))).fieldErrors).toEqual({
      method: ["Choose auth token or app registration."],
    });
  });
});

describe("API token commands", () => {
  it("creates a token from the form's choice, puts an expiry refusal on the field that holds it, and revokes once", async () => {
    const custom = await refusal(runCommand(createApiTokenCommand, { name: "PSA", role: "VIEWER", expiry: "custom", expiresOn: "2001-01-01" }, asAdmin));
    expect(custom).toMatchObject({ code: "validation", message: CHECK_FIELDS, fieldErrors: { expiresOn: ["Choose a date after today."] } });

    const created = await runCommand(createApiTokenCommand, { name: "PSA", role: "OPERATOR", expiry: "30" }, asAdmin);
    expect(created).toMatchObject({ name: "PSA", role: "OPERATOR", token: expect.stringMatching(/^tac_/) });
    expect(await expectAudited(createApiTokenCommand, asAdmin)).toMatchObject({ tokenName: "PSA", role: "OPERATOR" });
    const twin = await refusal(runCommand(createApiTokenCommand, { name: "psa", role: "VIEWER", expiry: "90" }, asAdmin));
    expect(twin.fieldErrors?.name?.[0]).toContain("already named psa");

    await expect(runCommand(revokeApiTokenCommand, { id: created.id }, asAdmin)).resolves.toEqual({ name: "PSA" });
    await expectAudited(revokeApiTokenCommand, asAdmin);
    expect((await refusal(runCommand(revokeApiTokenCommand, { id: created.id }, asAdmin))).code).toBe("conflict");
    expect((await refusal(runCommand(revokeApiTokenCommand, { id: "missing" }, asAdmin))).code).toBe("not-found");
  });
});

describe("admin commands", () => {
  it("change a local admin's role and end an admin's sessions, audited with the command's action", async () => {
    const local = newId();
    const entra = newId();
    await db.adminUser.createMany({
      data: [
        { id: admin.id, email: admin.label },
        { id: local, email: "tech@msp.example", role: "VIEWER" },
        { id: entra, email: "owner@msp.example", entraObjectId: "00000000-0000-4000-8000-000000000001" },
      ],
    });

    await runCommand(setLocalRoleCommand, { adminId: local, role: "OPERATOR" }, asAdmin);
    expect((await db.adminUser.findUniqueOrThrow({ where: { id: local } })).role).toBe("OPERATOR");
    expect(await expectAudited(setLocalRoleCommand, asAdmin)).toEqual({ email: "tech@msp.example", changedFields: ["role"], role: "OPERATOR" });
    expect((await refusal(runCommand(setLocalRoleCommand, { adminId: entra, role: "VIEWER" }, asAdmin))).code).toBe("conflict");
    expect((await refusal(runCommand(setLocalRoleCommand, { adminId: local, role: "OWNER" }, asAdmin))).fieldErrors).toEqual({
      role: ["Choose Administrator, Operator or Viewer."],
    });

    await createAdminSession({ adminId: local, method: "credentials" });
    await createAdminSession({ adminId: local, method: "credentials" });
    await runCommand(revokeSessionsCommand, { adminId: local }, asAdmin);
    expect(await db.adminSession.count({ where: { adminId: local, revokedAt: null } })).toBe(0);
    expect(await expectAudited(revokeSessionsCommand, asAdmin)).toEqual({ sessions: 2 });
    // Last-administrator and self-disable rules: lib/commands/admins.test.ts.
    expect(await refusal(runCommand(revokeSessionsCommand, { adminId: "missing" }, asAdmin))).toMatchObject({ code: "not-found", message: "Unknown admin." });
  });
});

describe("provider settings command", () => {
  const values = {
    clientId: "11111111-2222-4333-8444-555555555555",
    redirectUrl: "https://console.example.com/authenticate/OAuth2Callback",
    cloud: "GLOBAL",
    tokenVersion: "v2",
    scopes: "User.Read Organization.Read.All",
    requiredAppPermissions: "Organization.Read.All",
    requestOfflineAccess: true,
  };

  it("applies the REST API's body over the expected version; a secret or certificate is required; a stale version conflicts", async () => {
    const missing = await refusal(runCommand(applyProviderSettingsCommand, { ...values, version: 0 }, asToken));
    expect(missing).toMatchObject({
      code: "validation",
      fieldErrors: { clientSecret: ["Enter the client secret (its Value, not its ID) or upload a certificate"] },
    });

    const applied = await runCommand(applyProviderSettingsCommand, { ...values, clientSecret: "abc8Q~secret-value", version: 0 }, asToken);
    // No tenant failed on an old credential: nothing to verify again.
    expect(applied).toEqual({ id: "provider", version: 1, changedFields: expect.arrayContaining(["clientId", "clientSecret", "scopes"]), reverify: null });
    const details = await expectAudited(applyProviderSettingsCommand, asToken);
    expect(JSON.stringify(details)).not.toContain("abc8Q~secret-value");
    expect((await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } })).scopes).toBe("User.Read Organization.Read.All");

    expect((await refusal(runCommand(applyProviderSettingsCommand, { ...values, version: 0 }, asAdmin))).code).toBe("version-conflict");
    const badField = await refusal(runCommand(applyProviderSettingsCommand, { ...values, clientId: "not-a-guid", version: 1 }, asAdmin));
    expect(badField.fieldErrors?.clientId?.[0]).toMatch(/^Must be a GUID/);
  });
});
