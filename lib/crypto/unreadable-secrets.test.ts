import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { browserBindingValue } from "@/lib/consent/browser-binding";
import { startConsent } from "@/lib/consent/flow";
import { createConsentLink } from "@/lib/consent/links";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { applyProviderSettings } from "@/lib/provider/settings";
import { testProviderApp } from "@/lib/provider/test-connection";
import { providerSettingsSchema } from "@/lib/validations/provider";
import { verifyTenant } from "@/lib/verification";
import { encryptSecret } from "./index";
import { getKeyring, keyFilePath, keyIdFor, resetKeyringCache, writeKeyFile } from "./keyring";

/**
 * A stored secret the console cannot decrypt (the key it was saved under is gone, or the value was
 * altered) is named as such wherever it is used, never as "not configured" or a generic failure.
 */

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const UNREADABLE = "cannot be decrypted (was ENCRYPTION_KEY changed?)";

async function seedTenant(over: { appClientId?: string } = {}) {
  const id = newId();
  await db.tenant.create({
    data: {
      id,
      customerId: `c-${id.slice(-8)}`,
      displayName: "Fabrikam",
      // A directory of its own per tenant (one Entra tenant, one customer).
      entraTenantId: randomUUID(),
      primaryDomain: `c${id.slice(-8)}.example`,
      adminEmail: "admin@fabrikam.example",
      authMethod: "APP_REGISTRATION",
      appClientId: over.appClientId ?? null,
    },
  });
  return id;
}

/** Starts the console with another ENCRYPTION_KEY: the key file now holds only a new key. */
function replaceEncryptionKey() {
  const key = randomBytes(32);
  writeKeyFile(keyFilePath(), { currentId: keyIdFor(key), keys: new Map([[keyIdFor(key), key]]) });
  resetKeyringCache();
}

describe("a stored secret that cannot be decrypted", () => {
  it("is reported by verification when a tenant's own credential was altered", async () => {
    const tenantId = await seedTenant({ appClientId: "33333333-3333-4333-8333-333333333333" });
    const credentialId = newId();
    const sealed = encryptSecret("tenant-app-secret", { table: "TenantCredential", rowId: credentialId, field: "secret" });
    const parts = sealed.split(".");
    parts[5] = Buffer.from(Buffer.from(parts[5]!, "base64url").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64url");
    await db.tenantCredential.create({
      data: { id: credentialId, tenantId, kind: "CLIENT_SECRET", label: "33333333-3333-4333-8333-333333333333", secret: parts.join(".") },
    });

    const outcome = await verifyTenant(tenantId, { actor });
    expect(outcome.reasonCode).toBe("SECRET_UNREADABLE");
    expect(outcome.message).toContain(UNREADABLE);
    expect(outcome.message).not.toMatch(/not configured/i);
    const stored = await db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(stored.lastStatusCode).toBe("SECRET_UNREADABLE");
    expect(stored.lastStatusMessage).toContain(UNREADABLE);
  });

  describe("after ENCRYPTION_KEY changed under the provider app's secret", () => {
    let tenantId: string;
    let linkToken: string;

    beforeAll(async () => {
      const values = providerSettingsSchema.parse({
        clientId: "11111111-1111-4111-8111-111111111111",
        clientSecret: "provider-secret-value",
        redirectUrl: "http://localhost:3000/authenticate/OAuth2Callback",
        cloud: "GLOBAL",
        tokenVersion: "v2",
        scopes: "User.Read Organization.Read.All",
        requiredAppPermissions: "Organization.Read.All",
        requestOfflineAccess: true,
        homeTenantId: "22222222-2222-4222-8222-222222222222",
      });
      const applied = await applyProviderSettings({ values, certificate: null, expectedVersion: 0, actor, requestId: "r1" });
      expect(applied.ok).toBe(true);
      tenantId = await seedTenant();
      const link = await createConsentLink({ tenantId, actor });
      if (!link.ok) throw new Error(link.error);
      linkToken = new URL(link.data.url).pathname.split("/").pop()!;
      const before = getKeyring().currentId;
      replaceEncryptionKey();
      expect(getKeyring().currentId).not.toBe(before);
    });

    it("is named by the provider app's Test", async () => {
      const result = await testProviderApp();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toBe("SECRET_UNREADABLE");
      expect(result.title).toContain(UNREADABLE);
      expect(`${result.title} ${result.explanation}`).not.toMatch(/not configured/i);
    });

    it("refuses a new consent link with the reason", async () => {
      const result = await createConsentLink({ tenantId, actor });
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toContain(UNREADABLE);
    });

    it("tells the customer's administrator on Continue to Microsoft", async () => {
      const result = await startConsent(linkToken, browserBindingValue(undefined));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toContain(UNREADABLE);
      expect(await db.oAuthState.count({ where: { tenantId } })).toBe(0);
    });

    it("is the verification's reason for a tenant using the provider app", async () => {
      const outcome = await verifyTenant(tenantId, { actor });
      expect(outcome.status).toBe("FAILED");
      expect(outcome.reasonCode).toBe("SECRET_UNREADABLE");
      expect(outcome.message).toContain(UNREADABLE);
      expect(outcome.details.remediation.text).toMatch(/ENCRYPTION_PREVIOUS_KEYS/);
    });
  });
});
