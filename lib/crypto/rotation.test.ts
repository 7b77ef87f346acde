import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { decryptSecret, encryptSecret } from "./index";
import { keyIdOf, decryptWith } from "./envelope";
import { getKeyring, keyFilePath, readKeyFile, resetKeyringCache, writeKeyFile } from "./keyring";
import { countStale, newKeyringWith, rewrapAll } from "./rotation";

async function seedSecret(value: string) {
  const tenantId = newId();
  await db.tenant.create({ data: { id: tenantId, customerId: `c-${tenantId}`, displayName: "T", adminEmail: "a@b.example", authMethod: "PASSWORD" } });
  const id = newId();
  await db.tenantCredential.create({
    data: { id, tenantId, kind: "PASSWORD", label: "user@b.example", secret: encryptSecret(value, { table: "TenantCredential", rowId: id, field: "secret" }) },
  });
  return id;
}

describe("key file and rotation", () => {
  it("creates the local key file with mode 0600 on first use", () => {
    getKeyring();
    const mode = fs.statSync(keyFilePath()).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it("re-wraps every secret under a new key and keeps them readable", async () => {
    const ids = [await seedSecret("alpha-password"), await seedSecret("beta-password")];
    await db.appRegistration.create({
      data: {
        id: "provider",
        name: "Default",
        clientId: "11111111-1111-1111-1111-111111111111",
        clientSecret: encryptSecret("provider-secret", { table: "ProviderSettings", rowId: "provider", field: "clientSecret" }),
      },
    });
    const old = getKeyring();
    const next = newKeyringWith(readKeyFile(keyFilePath()));
    writeKeyFile(keyFilePath(), next);
    resetKeyringCache();

    const report = await rewrapAll(db, next);
    expect(report.rewrapped).toBe(3);
    expect(await countStale(db, next)).toBe(0);

    // Only the new key is needed afterwards.
    const onlyNew = { currentId: next.currentId, keys: new Map([[next.currentId, next.keys.get(next.currentId)!]]) };
    for (const id of ids) {
      const row = await db.tenantCredential.findUniqueOrThrow({ where: { id } });
      expect(keyIdOf(row.secret)).toBe(next.currentId);
      expect(keyIdOf(row.secret)).not.toBe(old.currentId);
      expect(decryptWith(onlyNew, row.secret, { table: "TenantCredential", rowId: id, field: "secret" })).toMatch(/-password$/);
    }
    const provider = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    expect(decryptSecret(provider.clientSecret!, { table: "ProviderSettings", rowId: "provider", field: "clientSecret" })).toBe("provider-secret");

    // Running it again is a no-op.
    expect((await rewrapAll(db, next)).rewrapped).toBe(0);
  });
});
