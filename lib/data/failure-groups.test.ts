import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { tenantListQuery } from "@/lib/validations/tenant";
import { listFailureGroups } from "./failure-groups";
import { listTenantPage, tenantStatusCounts } from "./tenants";

// Root-cause groups on the database: SQLite by default, PostgreSQL with TEST_DATABASE=postgres.

type Seed = {
  n: number;
  prefix: string;
  lastStatus?: "FAILED" | "WARNING" | "VERIFIED";
  code: string;
  method: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";
  cloud?: "GLOBAL" | "USGOV";
  reg?: string;
  own?: boolean;
};
const seeds: Seed[] = [
  { n: 5, prefix: "expired", code: "SECRET_EXPIRED", method: "APP_REGISTRATION" },
  { n: 3, prefix: "blocked", code: "APP_CREDENTIAL_BLOCKED", method: "APP_REGISTRATION", reg: "eu-app" },
  { n: 2, prefix: "consent", code: "CONSENT_REQUIRED", method: "APP_REGISTRATION" },
  { n: 2, prefix: "gov-consent", code: "CONSENT_REQUIRED", method: "APP_REGISTRATION", cloud: "USGOV" },
  { n: 1, prefix: "mfa", code: "MFA_REQUIRED", method: "PASSWORD" },
  { n: 2, prefix: "own", code: "SECRET_EXPIRED", method: "APP_REGISTRATION", own: true },
  { n: 4, prefix: "fine", lastStatus: "VERIFIED", code: "VERIFIED", method: "APP_REGISTRATION" },
  { n: 2, prefix: "soon", lastStatus: "WARNING", code: "SECRET_EXPIRING", method: "APP_REGISTRATION" },
];

beforeAll(async () => {
  await db.tenant.deleteMany();
  await db.appRegistration.deleteMany();
  await db.appRegistration.createMany({
    data: [
      { id: "provider", name: "Contoso MSP (default)", cloud: "GLOBAL", defaultForCloud: "GLOBAL" },
      { id: "eu-app", name: "Contoso MSP EU", cloud: "GLOBAL" },
    ],
  });
  await db.tenant.createMany({
    data: seeds.flatMap((s) =>
      Array.from({ length: s.n }, (_, i) => ({
        id: `${s.prefix}-${i}`,
        customerId: `${s.prefix}-${i}`,
        displayName: `${s.prefix} ${i}`,
        adminEmail: `admin@${s.prefix}${i}.example`,
        authMethod: s.method,
        cloud: s.cloud ?? "GLOBAL",
        appRegistrationId: s.reg ?? null,
        appClientId: s.own ? `0000000${i}-0000-0000-0000-000000000000` : null,
        lastStatus: s.lastStatus ?? "FAILED",
        lastStatusCode: s.code,
      })),
    ),
  });
});

describe("failure groups", () => {
  it("groups failed tenants by reason × app registration × cloud, largest first, each with its one fix", async () => {
    const groups = await listFailureGroups();
    expect(groups.map((g) => [g.count, g.reasonCode, g.cloud, g.registration.value])).toEqual([
      [5, "SECRET_EXPIRED", "GLOBAL", "default"],
      [3, "APP_CREDENTIAL_BLOCKED", "GLOBAL", "eu-app"],
      [2, "CONSENT_REQUIRED", "GLOBAL", "default"],
      [2, "CONSENT_REQUIRED", "USGOV", "default"],
      [2, "SECRET_EXPIRED", "GLOBAL", "own"],
      [1, "MFA_REQUIRED", "GLOBAL", "default"],
    ]);
    const [expired, blocked, consent, gov, own, mfa] = groups;
    expect(expired!.registration).toMatchObject({ kind: "default", id: "provider", name: "Contoso MSP (default)" });
    expect(expired!.fix).toMatchObject({ kind: "apply_credential", label: "Apply a new secret", action: "rotate_secret" });
    expect(blocked!.reason).toBe("Blocked: app registration credential rejected");
    expect(blocked!.registration).toMatchObject({ kind: "chosen", id: "eu-app", name: "Contoso MSP EU" });
    expect(blocked!.fix).toMatchObject({ kind: "apply_credential", label: "Apply a new credential" });
    expect(consent!.fix).toMatchObject({ kind: "consent_links", label: "Send consent links" });
    // No registration is the USGOV default: the group says so rather than naming another cloud's.
    expect(gov!.registration).toMatchObject({ id: null, name: "No app registration" });
    // The customer's own app: one credential per tenant, entered tenant by tenant, not the MSP's Apply form.
    expect(own!.registration.kind).toBe("own");
    expect(own!.fix.kind).toBe("review");
    expect(mfa!.fix).toMatchObject({ kind: "switch_method", label: "Switch to auth token" });
  });

  it("a group's filter lists and counts exactly its tenants", async () => {
    for (const g of await listFailureGroups()) {
      const page = await listTenantPage({ ...g.filter, page: 1, pageSize: 50 });
      expect(page.items.length, g.key).toBe(g.count);
      for (const t of page.items) expect([t.lastStatus, t.lastStatusCode, t.authMethod, t.cloud], g.key).toEqual(["FAILED", g.reasonCode, g.method, g.cloud]);
      const counts = await tenantStatusCounts(g.filter);
      expect(counts.FAILED, g.key).toBe(g.count);
      expect(tenantListQuery(g.filter)).toContain(`reason=${g.reasonCode}`);
    }
    const byRegistration = async (app: string) => (await listTenantPage({ status: ["FAILED"], reason: ["SECRET_EXPIRED"], app, page: 1, pageSize: 50 })).items;
    expect((await byRegistration("own")).map((t) => t.id).sort()).toEqual(["own-0", "own-1"]);
    expect(await byRegistration("default")).toHaveLength(5);
    expect(await byRegistration("eu-app")).toHaveLength(0);
  });
});
