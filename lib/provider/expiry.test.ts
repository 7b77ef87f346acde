import { beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { TEST, testCertificate } from "@/emulator/testing/index";
import { withTestEmulator } from "@/emulator/testing/vitest-hooks";
import { runCommand } from "@/lib/commands/command";
import { applyProviderSettingsCommand } from "@/lib/commands/settings";
import { setTenantOwnAppCommand } from "@/lib/commands/tenants";
import { parsePemBundle } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { providerSettingsSchema } from "@/lib/validations/provider";
import { matchExpiry, refreshAllExpiry, refreshRegistrationExpiry } from "./expiry";
import { applyProviderSettings, getProviderSettingsView, listRegistrations } from "./settings";
import { emulatorProviderValues } from "./testing";

// "Expiry always known": secrets' and certificates' expiry read from Graph (the application object in
// the app's home tenant) on Apply, after a rotation, on the scheduled run, and for customer-owned apps.
let emu: RunningEmulator;
withTestEmulator((e) => (emu = e));

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const asAdmin = { actor, role: "ADMINISTRATOR" as const, requestId: "req-1", principalKind: "admin" as const };
const DAY = 86_400_000;

const values = (over: Record<string, unknown> = {}) => emulatorProviderValues(emu, { scopes: "User.Read", ...over });

async function apply(over: Record<string, unknown> = {}) {
  const current = await db.appRegistration.findUnique({ where: { id: "provider" } });
  return runCommand(applyProviderSettingsCommand, { ...values(over), version: current?.version ?? 0 }, asAdmin);
}

const stored = () => db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
/** Graph's endDateTime, as the emulator serves it: whole seconds. */
const inDays = (n: number) => new Date(Math.floor((Date.now() + n * DAY) / 1000) * 1000);

beforeEach(() => {
  emu.state.reset();
});

describe("matchExpiry", () => {
  const app = {
    passwordCredentials: [
      { hint: "abc", endDateTime: "2027-01-01T00:00:00Z" },
      { hint: "abc", endDateTime: "2027-06-01T00:00:00Z" },
      { hint: "xyz", endDateTime: "2026-12-24T00:00:00Z" },
    ],
    keyCredentials: [
      { customKeyIdentifier: "52ED9B5038A47B9E2E2190715CC238359D4F8F73", endDateTime: "2028-02-02T00:00:00Z" },
      { customKeyIdentifier: Buffer.from("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "hex").toString("base64"), endDateTime: "2029-03-03T00:00:00Z" },
    ],
  };

  it("finds the secret by its hint (the latest end when several share it) and the certificate by its thumbprint, hex or base64", () => {
    expect(matchExpiry(app, { secretHint: "abc", certificateThumbprint: "52ed9b5038a47b9e2e2190715cc238359d4f8f73" })).toEqual({
      secret: new Date("2027-06-01T00:00:00Z"),
      certificate: new Date("2028-02-02T00:00:00Z"),
    });
    expect(matchExpiry(app, { secretHint: null, certificateThumbprint: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678" }).certificate).toEqual(
      new Date("2029-03-03T00:00:00Z"),
    );
  });

  it("tells a credential Graph does not list (null) from one not stored (undefined)", () => {
    expect(matchExpiry(app, { secretHint: "zzz", certificateThumbprint: null })).toEqual({ secret: null, certificate: undefined });
    expect(matchExpiry({}, { secretHint: "abc", certificateThumbprint: "00" })).toEqual({ secret: null, certificate: null });
  });
});

describe("a registration's expiry", () => {
  it("is read from Graph when applied, and again after the secret is rotated", async () => {
    const end1 = inDays(100);
    const first = emu.state.addSecret(TEST.providerClientId, { endDateTime: end1.toISOString() });
    await apply({ clientSecret: first.secretText });
    expect(await stored()).toMatchObject({ clientSecretHint: first.hint, clientSecretExpiresAt: end1, expiryCheck: "read" });

    const end2 = inDays(300);
    const rotated = emu.state.addSecret(TEST.providerClientId, { endDateTime: end2.toISOString() });
    await apply({ clientSecret: rotated.secretText });
    expect(await stored()).toMatchObject({ clientSecretExpiresAt: end2, expiryCheck: "read" });
    expect((await listRegistrations())[0]!.secretExpiresAt).toEqual(end2);
  });

  it("stays unknown, and says why, when the app may not read its own registration (403)", async () => {
    emu.state.grantConsent(TEST.homeTenantId, TEST.providerClientId, { applicationPermissions: [] });
    const applied = await apply();
    expect(applied.changedFields).toContain("clientSecret");
    expect(await stored()).toMatchObject({ clientSecretExpiresAt: null, expiryCheck: "forbidden" });
    const view = await getProviderSettingsView();
    expect(view).toMatchObject({ secretExpiresAt: null, expiryCheck: "forbidden" });
  });

  it("reads a certificate's end by its thumbprint", async () => {
    const cert = testCertificate();
    const parsed = parsePemBundle(`${cert.keyPem}\n${cert.certPem}`);
    const current = await db.appRegistration.findUnique({ where: { id: "provider" } });
    const applied = await applyProviderSettings({
      values: providerSettingsSchema.parse(values()),
      certificate: parsed,
      expectedVersion: current?.version ?? 0,
      actor,
      requestId: "r1",
    });
    expect(applied.ok).toBe(true);
    const graphEnd = new Date(emu.state.findApp(TEST.providerClientId)!.certificates[0]!.endMs);
    const read = await refreshRegistrationExpiry("provider");
    expect(read).toMatchObject({ check: "read", certificateExpiresAt: graphEnd });
    expect((await stored()).certificateExpiresAt).toEqual(graphEnd);
  });

  it("reports a secret Graph does not list as unknown (no_match)", async () => {
    await apply({ clientSecret: "zzz8Q~a-secret-that-entra-does-not-know-00" });
    expect(await stored()).toMatchObject({ clientSecretExpiresAt: null, expiryCheck: "no_match" });
  });

  it("is read again for every registration by refreshAllExpiry (the scheduled Verify All runs it first)", async () => {
    const end = inDays(42);
    const secret = emu.state.addSecret(TEST.providerClientId, { endDateTime: end.toISOString() });
    await apply({ clientSecret: secret.secretText });
    await db.appRegistration.update({ where: { id: "provider" }, data: { clientSecretExpiresAt: null, expiryCheck: null } });
    emu.state.removeSecret(TEST.providerClientId, secret.keyId);
    const replacement = emu.state.addSecret(TEST.providerClientId, { endDateTime: end.toISOString(), secretText: secret.secretText });
    expect(replacement.hint).toBe(secret.hint);
    const counted = await refreshAllExpiry();
    expect(counted.registrations).toBe(1);
    expect(await stored()).toMatchObject({ clientSecretExpiresAt: end, expiryCheck: "read" });
  });
});

describe("a customer-owned app's expiry", () => {
  it("is read from the customer's tenant when its app may read its own registration", async () => {
    await apply();
    const id = newId();
    await db.tenant.create({
      data: {
        id,
        customerId: `C-${id.slice(-6)}`,
        displayName: "Tailspin",
        adminEmail: `admin@${TEST.tailspinDomain}`,
        authMethod: "APP_REGISTRATION",
        cloud: "CUSTOM",
      },
    });
    await runCommand(
      setTenantOwnAppCommand,
      { id, entraTenantId: TEST.tailspinId, clientId: TEST.tailspinAppId, clientSecret: TEST.tailspinSecret, environment: "CUSTOM" },
      asAdmin,
    );
    const cred = await db.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId: id, kind: "CLIENT_SECRET" } } });
    const graphEnd = new Date(emu.state.findApp(TEST.tailspinAppId)!.secrets[0]!.endDateTime);
    expect(cred).toMatchObject({ expiryCheck: "read", expiresAt: graphEnd });
  });
});
