import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CertificateAndKey, RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, FIXTURE, guid, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";

// App registrations against the emulator: verification and consent use the tenant's registration (its
// cloud's default, or the one chosen for it), a cloud without one is "No app registration for <cloud>",
// and a customer-owned app registration entered through its command verifies the tenant with it.

type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let db: Db;
let engine: typeof import("@/lib/verification/engine");
let commands: typeof import("@/lib/commands/command");
let tenantCommands: typeof import("@/lib/commands/tenants");
let settingsCommands: typeof import("@/lib/commands/settings");
let links: typeof import("@/lib/consent/links");
let flow: typeof import("@/lib/consent/flow");
let stranger: CertificateAndKey;
const customers: CustomerFixture[] = Array.from({ length: 3 }, (_, i) => customerFixture(i + 1, { ownApp: i === 2 }));
const c = (i: number) => customers[i - 1]!;
const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const asAdmin = { actor, role: "ADMINISTRATOR" as const, requestId: "req-1", principalKind: "admin" as const };

beforeAll(async () => {
  await prepareDatabase("tac-registrations-");
  const { startEmulator, createSelfSignedCertificate } = await import("@/emulator/index");
  stranger = createSelfSignedCertificate("Customer app");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  db = (await import("@/lib/db")).db;
  engine = await import("@/lib/verification/engine");
  commands = await import("@/lib/commands/command");
  tenantCommands = await import("@/lib/commands/tenants");
  settingsCommands = await import("@/lib/commands/settings");
  links = await import("@/lib/consent/links");
  flow = await import("@/lib/consent/flow");
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(async () => {
  emu.state.reset();
  await db.tenant.deleteMany();
  await db.appRegistration.deleteMany();
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
});

const registrationValues = (over: Record<string, unknown> = {}) => ({
  name: "Second emulator app",
  clientId: FIXTURE.providerClientId,
  clientSecret: FIXTURE.providerSecret,
  redirectUrl: "http://localhost:3000/authenticate/OAuth2Callback",
  cloud: "CUSTOM",
  customAuthorityHost: emu.authorityHost,
  customGraphHost: emu.graphHost,
  tokenVersion: "v2",
  scopes: "User.Read Organization.Read.All",
  requiredAppPermissions: "Organization.Read.All User.Read.All",
  requestOfflineAccess: true,
  ...over,
});

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    return e as { code: string; message: string; fieldErrors?: Record<string, string[]> };
  }
  throw new Error("expected a refusal");
}

describe("verification with the tenant's app registration", () => {
  it("uses the cloud's default registration", async () => {
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    const o = await engine.verifyTenant(id, { actor });
    expect(o.status).toBe("VERIFIED");
    expect(o.details.app).toMatchObject({ clientId: FIXTURE.providerClientId, kind: "provider" });
  });

  it("reports a tenant whose cloud has no registration as No app registration for that cloud, with the fix to add one", async () => {
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    await db.tenant.update({ where: { id }, data: { cloud: "USGOV" } });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "NO_APP_REGISTRATION", message: "No app registration for US Government" });
    expect(o.details.remediation.action).toBe("add_app_registration");
    const stored = await db.tenant.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ lastStatusCode: "NO_APP_REGISTRATION", lastStatusMessage: "No app registration for US Government" });
  });

  it("uses a registration chosen for the tenant over its cloud's default", async () => {
    const created = await commands.runCommand(
      settingsCommands.createAppRegistrationCommand,
      registrationValues({ clientSecret: "bad8Q~not-the-secret-of-this-app-0123456789" }),
      asAdmin,
    );
    expect(await db.appRegistration.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ defaultForCloud: null, cloud: "CUSTOM" });
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    expect((await engine.verifyTenant(id, { actor })).status).toBe("VERIFIED");

    await commands.runCommand(tenantCommands.chooseTenantRegistrationCommand, { id, appRegistrationId: created.id }, asAdmin);
    const o = await engine.verifyTenant(id, { actor });
    expect(o.reasonCode).toBe("INVALID_SECRET");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.app_registration_chosen", targetId: id } });
    expect(JSON.parse(audit.details)).toMatchObject({ appRegistrationId: created.id });

    await commands.runCommand(tenantCommands.chooseTenantRegistrationCommand, { id, appRegistrationId: "" }, asAdmin);
    expect((await engine.verifyTenant(id, { actor })).status).toBe("VERIFIED");
  });

  it("refuses to choose a registration of another cloud than the tenant's", async () => {
    const created = await commands.runCommand(
      settingsCommands.createAppRegistrationCommand,
      registrationValues({ name: "US Gov app", cloud: "USGOV", customAuthorityHost: "", customGraphHost: "" }),
      asAdmin,
    );
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    const r = await refusal(commands.runCommand(tenantCommands.chooseTenantRegistrationCommand, { id, appRegistrationId: created.id }, asAdmin));
    expect(r.fieldErrors?.appRegistrationId?.[0]).toMatch(/another cloud/);
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).appRegistrationId).toBeNull();
  });
});

describe("consent with the tenant's app registration", () => {
  it("refuses a consent link for a tenant whose cloud has no registration, naming the cloud", async () => {
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    await db.tenant.update({ where: { id }, data: { cloud: "USGOV" } });
    const r = await links.createConsentLink({ tenantId: id, actor });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^No app registration for US Government/);
  });

  it("sends the customer to the chosen registration's app, with its extra login parameters", async () => {
    const otherClientId = guid("second-app");
    const created = await commands.runCommand(
      settingsCommands.createAppRegistrationCommand,
      registrationValues({ clientId: otherClientId, loginParameters: "prompt=consent\ndomain_hint=customer1.example.com" }),
      asAdmin,
    );
    const id = await seedTenant({ customer: c(1), method: "AUTH_TOKEN" });
    const viaDefault = await links.createConsentLink({ tenantId: id, actor });
    if (!viaDefault.ok) throw new Error(viaDefault.error);
    const defaultStart = await flow.startConsent(new URL(viaDefault.data.url).pathname.split("/").pop()!, "browser-key-1");
    expect(defaultStart.ok && new URL(defaultStart.redirectTo).searchParams.get("client_id")).toBe(FIXTURE.providerClientId);

    await commands.runCommand(tenantCommands.chooseTenantRegistrationCommand, { id, appRegistrationId: created.id }, asAdmin);
    const link = await links.createConsentLink({ tenantId: id, actor });
    if (!link.ok) throw new Error(link.error);
    const started = await flow.startConsent(new URL(link.data.url).pathname.split("/").pop()!, "browser-key-2");
    if (!started.ok) throw new Error(started.error);
    const url = new URL(started.redirectTo);
    expect(url.host).toBe(emu.authorityHost);
    expect(url.searchParams.get("client_id")).toBe(otherClientId);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("prompt")).toBe("consent");
    expect(url.searchParams.get("domain_hint")).toBe("customer1.example.com");
  });
});

describe("app registrations: bad input is refused per field and nothing is stored", () => {
  it("refuses a second default registration for a cloud", async () => {
    const r = await refusal(commands.runCommand(settingsCommands.createAppRegistrationCommand, registrationValues({ isDefault: true }), asAdmin));
    expect(r.code).toBe("validation");
    expect(r.fieldErrors?.isDefault?.[0]).toBe(
      '"Emulator" is already the default registration for Custom. Untick this, or make "Emulator" a non-default registration first.',
    );
    expect(await db.appRegistration.count()).toBe(1);
  });

  it("refuses v1.0 without a Resource", async () => {
    const r = await refusal(
      commands.runCommand(settingsCommands.createAppRegistrationCommand, registrationValues({ tokenVersion: "v1", resource: "" }), asAdmin),
    );
    expect(r.fieldErrors?.resource?.[0]).toMatch(/v1\.0 endpoint needs a Resource/);
    expect(await db.appRegistration.count()).toBe(1);
  });

  it("refuses a secret's ID pasted where its Value belongs", async () => {
    const r = await refusal(
      commands.runCommand(settingsCommands.createAppRegistrationCommand, registrationValues({ clientSecret: "7f3c9a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b" }), asAdmin),
    );
    expect(r.fieldErrors?.clientSecret?.[0]).toBe("This is the secret's ID (a GUID), not its Value: copy the Value column shown when the secret was created.");
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION" });
    const own = await refusal(
      commands.runCommand(
        tenantCommands.setTenantOwnAppCommand,
        { id, entraTenantId: c(3).tenantId, clientId: c(3).ownApp!.clientId, clientSecret: guid("secret-id"), environment: "CUSTOM" },
        asAdmin,
      ),
    );
    expect(own.fieldErrors?.clientSecret?.[0]).toMatch(/secret's ID \(a GUID\), not its Value/);
    expect(await db.tenantCredential.count({ where: { tenantId: id } })).toBe(0);
  });

  it("refuses reserved or response_type login parameters", async () => {
    const r = await refusal(
      commands.runCommand(settingsCommands.createAppRegistrationCommand, registrationValues({ loginParameters: "response_type=token" }), asAdmin),
    );
    expect(r.fieldErrors?.loginParameters?.[0]).toBe("response_type is always code; remove it");
  });

  it("refuses a certificate without its private key, as source 001 warns", async () => {
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION" });
    const r = await refusal(
      commands.runCommand(
        tenantCommands.setTenantOwnAppCommand,
        { id, entraTenantId: c(3).tenantId, clientId: c(3).ownApp!.clientId, environment: "CUSTOM", certificatePem: stranger.certPem },
        asAdmin,
      ),
    );
    expect(r.fieldErrors?.certificatePem?.[0]).toMatch(/No private key found\. A \.cer holds only the public key/);
    expect(await db.tenantCredential.count({ where: { tenantId: id } })).toBe(0);
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).appClientId).toBeNull();
  });

  it("refuses a registration's certificate file without its private key (a .cer), as source 001 warns", async () => {
    const before = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    const r = await refusal(
      commands.runCommand(
        settingsCommands.applyProviderSettingsCommand,
        {
          ...registrationValues({ name: "Emulator", clientSecret: "" }),
          version: before.version,
          certificateFile: new File([stranger.certPem], "console.cer"),
        },
        asAdmin,
      ),
    );
    expect(r.fieldErrors?.certificateFile?.[0]).toMatch(/No private key found\. A \.cer holds only the public key/);
    const after = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    expect(after).toMatchObject({ version: before.version, certificate: null, certificateThumbprint: null });
  });
});

describe("a customer-owned app registration (source 004)", () => {
  it("is entered with its command, verifies the tenant with it, and never returns or audits the secret", async () => {
    const id = await seedTenant({ customer: c(3), method: "AUTH_TOKEN" });
    const result = await commands.runCommand(
      tenantCommands.setTenantOwnAppCommand,
      {
        id,
        entraTenantId: c(3).tenantId,
        clientId: c(3).ownApp!.clientId,
        clientSecret: c(3).ownApp!.secret,
        secretExpiresAt: "2031-05-01",
        environment: "CUSTOM",
      },
      asAdmin,
    );
    expect(result.verification.status).toBe("VERIFIED");
    expect(result.verification.details.app).toEqual({ clientId: c(3).ownApp!.clientId, kind: "tenant", credential: "secret" });
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id }, include: { credentials: true } });
    expect(tenant).toMatchObject({ authMethod: "APP_REGISTRATION", appClientId: c(3).ownApp!.clientId });
    expect(tenant.credentials).toHaveLength(1);
    expect(tenant.credentials[0]).toMatchObject({ kind: "CLIENT_SECRET", hint: "own", expiresAt: new Date("2031-05-01T00:00:00Z") });
    expect(tenant.credentials[0]!.secret).not.toContain(c(3).ownApp!.secret);
    const view = await (await import("@/lib/tenants/own-app")).ownAppView(id);
    expect(JSON.stringify(view)).not.toContain(c(3).ownApp!.secret);
    const audits = await db.auditEvent.findMany({ where: { targetId: id } });
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(["tenant.credentials_updated", "tenant.method_switched", "tenant.verified"]));
    expect(JSON.stringify(audits)).not.toContain(c(3).ownApp!.secret);
  });

  it("opens the Credentials panel as the fix of an invalid or expired secret on such a tenant", async () => {
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION", useOwnApp: true });
    const keyId = emu.state.findApp(c(3).ownApp!.clientId)!.secrets[0]!.keyId;
    emu.state.expireSecret(c(3).ownApp!.clientId, keyId);
    const expired = await engine.verifyTenant(id, { actor });
    expect(expired.reasonCode).toBe("SECRET_EXPIRED");
    expect(expired.details.remediation.action).toBe("enter_tenant_app_credentials");
    expect(expired.details.remediation.text).toMatch(/Credentials panel/);

    const { explainStatus } = await import("@/lib/methods");
    expect(explainStatus("APP_REGISTRATION", "INVALID_SECRET", { ownApp: true })?.remediation.action).toBe("enter_tenant_app_credentials");
    expect(explainStatus("APP_REGISTRATION", "INVALID_SECRET")?.remediation.action).toBe("rotate_secret");
  });

  it("in a Custom cloud without a registration, names the missing hosts instead of a missing MSP registration", async () => {
    await db.appRegistration.deleteMany();
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION", useOwnApp: true });
    const o = await engine.verifyTenant(id, { actor });
    // A Custom cloud takes its hosts from its registration: without one the customer's app cannot be reached.
    expect(o.reasonCode).toBe("NOT_CONFIGURED");
    expect(o.details.notes.join(" ")).toMatch(/Custom cloud's hosts/);
    expect(o.details.remediation.action).toBe("enter_tenant_app_credentials");
  });
});

describe("deleting an app registration", () => {
  it("is refused while a tenant uses it (by choice or as its cloud's default), audited once none does, and never for the default registration", async () => {
    const asOperator = { ...asAdmin, role: "OPERATOR" as const };
    const del = (id: string, version: number, ctx: import("@/lib/commands/command").CommandContext = asAdmin) =>
      commands.runCommand(settingsCommands.deleteAppRegistrationCommand, { id, version }, ctx);

    expect(await refusal(del("provider", 1))).toMatchObject({ code: "conflict" });

    const chosen = await commands.runCommand(settingsCommands.createAppRegistrationCommand, registrationValues({ name: "Chosen app" }), asAdmin);
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    await commands.runCommand(tenantCommands.chooseTenantRegistrationCommand, { id, appRegistrationId: chosen.id }, asAdmin);
    const version = (await db.appRegistration.findUniqueOrThrow({ where: { id: chosen.id } })).version;
    expect(await refusal(del(chosen.id, version, asOperator))).toMatchObject({ code: "forbidden" });
    expect(await refusal(del(chosen.id, version))).toMatchObject({
      code: "conflict",
      message: "1 tenant uses Chosen app by choice. Choose another registration for them first.",
    });
    expect(await refusal(del(chosen.id, version + 1))).toMatchObject({ code: "version-conflict" });

    const usGov = await commands.runCommand(
      settingsCommands.createAppRegistrationCommand,
      registrationValues({ name: "US Gov app", cloud: "USGOV", customAuthorityHost: "", customGraphHost: "", isDefault: true }),
      asAdmin,
    );
    const usGovTenant = await seedTenant({ customer: c(2), method: "APP_REGISTRATION" });
    await db.tenant.update({ where: { id: usGovTenant }, data: { cloud: "USGOV" } });
    const usGovVersion = (await db.appRegistration.findUniqueOrThrow({ where: { id: usGov.id } })).version;
    expect(await refusal(del(usGov.id, usGovVersion))).toMatchObject({
      code: "conflict",
      message:
        "US Gov app is the default for US Government, where 1 tenant would be left without an app registration. Make another registration the default first.",
    });

    await commands.runCommand(tenantCommands.chooseTenantRegistrationCommand, { id, appRegistrationId: "" }, asAdmin);
    expect(await del(chosen.id, version)).toEqual({ id: chosen.id, name: "Chosen app" });
    expect(await db.appRegistration.findUnique({ where: { id: chosen.id } })).toBeNull();
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "app_registration.deleted", targetId: chosen.id } });
    expect(JSON.parse(audit.details)).toEqual({ name: "Chosen app" });
    expect(await refusal(del(chosen.id, version))).toMatchObject({ code: "not-found" });
  });
});
